// Package cache holds bounded caches whose entries expire.
//
// Every cache in Vigil is bounded and expires (so that what another node
// changes is re-read within a known time), and is invalidated at once by
// the changes this process makes. TTL is the one implementation: like
// VictoriaMetrics' workingsetcache it keeps two generations, so that it
// needs no per-entry bookkeeping to stay bounded. Lookups hit the current
// generation under a read lock; when the current generation is full it
// becomes the previous one, whose entries are promoted back when used, and
// the generation before is dropped.
package cache

import (
	"sync"
	"time"
)

// TTL maps keys to values that expire after a fixed time. It is safe for
// concurrent use.
type TTL[K comparable, V any] struct {
	mu   sync.RWMutex
	ttl  time.Duration
	half int
	cur  map[K]entry[V]
	prev map[K]entry[V]
	// forgets counts Forget and ForgetIf calls (see Epoch).
	forgets uint64
}

type entry[V any] struct {
	v       V
	expires time.Time
}

// NewTTL returns a cache of at most size entries (size is raised to 2 if
// smaller), each kept for ttl.
func NewTTL[K comparable, V any](size int, ttl time.Duration) *TTL[K, V] {
	half := max(size/2, 1)
	return &TTL[K, V]{ttl: ttl, half: half, cur: make(map[K]entry[V])}
}

// Get returns the value of k if it is cached and has not expired at now.
func (c *TTL[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.cur[k]
	c.mu.RUnlock()
	if ok {
		if now.Before(e.expires) {
			return e.v, true
		}
		var zero V
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok = c.prev[k]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	delete(c.prev, k)
	c.insert(k, e)
	return e.v, true
}

// Put caches v under k from now on, for the cache's ttl.
func (c *TTL[K, V]) Put(k K, v V, now time.Time) { c.PutUntil(k, v, now.Add(c.ttl)) }

// PutUntil caches v under k until expires.
func (c *TTL[K, V]) PutUntil(k K, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.prev, k)
	c.insert(k, entry[V]{v, expires})
}

// Epoch returns a token to take before reading what Fill will cache: a
// read that races a change may return what the change made stale, and
// the change's Forget may come before the read's Fill.
func (c *TTL[K, V]) Epoch() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.forgets
}

// Fill caches v under k until expires unless something was forgotten
// since epoch (from Epoch, taken before v was read).
func (c *TTL[K, V]) Fill(k K, v V, expires time.Time, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.forgets != epoch {
		return
	}
	delete(c.prev, k)
	c.insert(k, entry[V]{v, expires})
}

func (c *TTL[K, V]) insert(k K, e entry[V]) {
	if _, ok := c.cur[k]; !ok && len(c.cur) >= c.half {
		c.prev, c.cur = c.cur, make(map[K]entry[V], c.half)
	}
	c.cur[k] = e
}

// Forget drops k.
func (c *TTL[K, V]) Forget(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	delete(c.cur, k)
	delete(c.prev, k)
}

// ForgetIf drops every entry whose key satisfies drop.
func (c *TTL[K, V]) ForgetIf(drop func(K) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	for _, m := range []map[K]entry[V]{c.cur, c.prev} {
		for k := range m {
			if drop(k) {
				delete(m, k)
			}
		}
	}
}

// Len returns the number of entries held, expired ones included.
func (c *TTL[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.cur) + len(c.prev)
}
