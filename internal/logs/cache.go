package logs

import (
	"time"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/store"
)

// Looking a group or stream up costs a store read, and PutLogEvents
// resolves both on every call, so resolved groups and streams are cached.
// This process's changes invalidate entries at once; the TTL bounds
// staleness for changes made by other nodes of a cluster, and the size
// bounds memory (cache.TTL keeps two generations).
const (
	cacheTTL  = 10 * time.Second
	cacheSize = 100_000
)

// metaCache caches resolved groups and streams.
type metaCache struct {
	groups  *cache.TTL[groupName, *store.LogGroup]
	streams *cache.TTL[streamName, *store.LogStream]
}

type groupName struct{ account, region, name string }

type streamName struct {
	group int64
	name  string
}

func newMetaCache() *metaCache {
	return &metaCache{
		groups:  cache.NewTTL[groupName, *store.LogGroup](cacheSize, cacheTTL),
		streams: cache.NewTTL[streamName, *store.LogStream](cacheSize, cacheTTL),
	}
}

func (c *metaCache) group(k groupName, now time.Time) *store.LogGroup {
	g, _ := c.groups.Get(k, now)
	return g
}

func (c *metaCache) putGroup(k groupName, g *store.LogGroup, now time.Time) { c.groups.Put(k, g, now) }

func (c *metaCache) stream(k streamName, now time.Time) *store.LogStream {
	s, _ := c.streams.Get(k, now)
	return s
}

func (c *metaCache) putStream(k streamName, s *store.LogStream, now time.Time) {
	c.streams.Put(k, s, now)
}

// forgetGroup drops a group and its streams.
func (c *metaCache) forgetGroup(k groupName, id int64) {
	c.groups.Forget(k)
	c.streams.ForgetIf(func(sk streamName) bool { return sk.group == id })
}

func (c *metaCache) forgetStream(k streamName) { c.streams.Forget(k) }
