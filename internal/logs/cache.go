package logs

import (
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Looking a group or stream up in DuckDB costs about a millisecond, more
// than storing a 1,000-event batch; PutLogEvents resolves both on every
// call, so resolved groups and streams are cached. This process's changes
// invalidate entries at once; the TTL bounds staleness for changes made by
// other nodes of a cluster.
const cacheTTL = 10 * time.Second

// ttlCache maps keys to values that expire.
type ttlCache[K comparable, V any] struct {
	entries map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       *V
	expires time.Time
}

func (c *ttlCache[K, V]) get(k K, now time.Time) *V {
	if e, ok := c.entries[k]; ok && now.Before(e.expires) {
		return e.v
	}
	return nil
}

func (c *ttlCache[K, V]) put(k K, v *V, now time.Time) {
	if c.entries == nil {
		c.entries = map[K]ttlEntry[V]{}
	}
	c.entries[k] = ttlEntry[V]{v, now.Add(cacheTTL)}
}

// metaCache caches resolved groups and streams.
type metaCache struct {
	mu      sync.Mutex
	groups  ttlCache[groupName, store.LogGroup]
	streams ttlCache[streamName, store.LogStream]
}

type groupName struct{ account, region, name string }

type streamName struct {
	group int64
	name  string
}

func newMetaCache() *metaCache { return &metaCache{} }

func (c *metaCache) group(k groupName, now time.Time) *store.LogGroup {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.groups.get(k, now)
}

func (c *metaCache) putGroup(k groupName, g *store.LogGroup, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.groups.put(k, g, now)
}

func (c *metaCache) stream(k streamName, now time.Time) *store.LogStream {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams.get(k, now)
}

func (c *metaCache) putStream(k streamName, s *store.LogStream, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.streams.put(k, s, now)
}

// forgetGroup drops a group and its streams.
func (c *metaCache) forgetGroup(k groupName, id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.groups.entries, k)
	for sk := range c.streams.entries {
		if sk.group == id {
			delete(c.streams.entries, sk)
		}
	}
}

func (c *metaCache) forgetStream(k streamName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.streams.entries, k)
}
