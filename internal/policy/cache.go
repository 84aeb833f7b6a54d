package policy

import "sync"

// maxCached bounds a Cache: past it, the cache starts over.
const maxCached = 1024

// Cache keeps the policies it parsed by their text, for the services that
// evaluate a resource's policy at every delivery: parsing costs far more
// than evaluating. A Policy is never changed once parsed, so callers share
// them. The zero Cache is ready to use.
type Cache struct {
	mu sync.Mutex
	m  map[string]cached
}

type cached struct {
	p   *Policy
	err error
}

// Parse returns Parse(doc), parsing doc only the first time it is seen.
func (c *Cache) Parse(doc string) (*Policy, error) {
	c.mu.Lock()
	e, ok := c.m[doc]
	c.mu.Unlock()
	if ok {
		return e.p, e.err
	}
	p, err := Parse([]byte(doc))
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = make(map[string]cached)
	}
	c.m[doc] = cached{p, err}
	c.mu.Unlock()
	return p, err
}
