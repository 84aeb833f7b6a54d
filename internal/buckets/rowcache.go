package buckets

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
)

// objectRows is the store with the latest version of recently used keys
// cached: every GET and HEAD reads it, and SQLite's readers re-read their
// pages after each commit, which made that read a fifth of a GET's cost.
//
// The bucket store runs on one node (its blobs are files under the data
// directory), so every write to an object row goes through here: a write
// takes its key's lock, then replaces the cached row with the one it
// committed, so that the cache follows a key's writes in commit order; a
// read fills the cache only if no write forgot anything since it began
// (cache.TTL.Epoch). Rows expire after objectCacheTTL all the same.
type objectRows struct {
	bucketStore
	clock  clock.Clock
	latest *cache.TTL[objectKey, *store.BucketObject]
	seed   maphash.Seed
	locks  [64]sync.Mutex
}

// bucketStore names the embedded store (its Buckets method would collide
// with a field named store.Buckets).
type bucketStore = store.Buckets

type objectKey struct{ bucket, key string }

const (
	objectCacheSize = 8192
	objectCacheTTL  = time.Minute
)

func newObjectRows(st store.Buckets, c clock.Clock) *objectRows {
	return &objectRows{bucketStore: st, clock: c, seed: maphash.MakeSeed(),
		latest: cache.NewTTL[objectKey, *store.BucketObject](objectCacheSize, objectCacheTTL)}
}

// Object returns a version of an object; the latest comes from the cache
// when it is there. The row returned is shared: not to be changed.
func (c *objectRows) Object(ctx context.Context, bucket, key, versionID string) (*store.BucketObject, error) {
	if versionID != "" {
		return c.bucketStore.Object(ctx, bucket, key, versionID)
	}
	k := objectKey{bucket, key}
	now := c.clock.Now()
	if o, ok := c.latest.Get(k, now); ok {
		return o, nil
	}
	epoch := c.latest.Epoch()
	o, err := c.bucketStore.Object(ctx, bucket, key, "")
	if err == nil {
		c.latest.Fill(k, o, now.Add(objectCacheTTL), epoch)
	}
	return o, err
}

// PutObject stores a version, which becomes the key's latest.
func (c *objectRows) PutObject(ctx context.Context, o *store.BucketObject) ([]string, error) {
	return c.replace(o, func() ([]string, error) { return c.bucketStore.PutObject(ctx, o) })
}

// CompleteUpload stores the object an upload assembles, which becomes
// the key's latest.
func (c *objectRows) CompleteUpload(ctx context.Context, uploadID string, o *store.BucketObject) ([]string, error) {
	return c.replace(o, func() ([]string, error) { return c.bucketStore.CompleteUpload(ctx, uploadID, o) })
}

// DeleteObjectVersion removes a version; the key's latest is read again.
func (c *objectRows) DeleteObjectVersion(ctx context.Context, bucket, key, versionID string) ([]string, error) {
	return c.write(objectKey{bucket, key}, nil, func() ([]string, error) {
		return c.bucketStore.DeleteObjectVersion(ctx, bucket, key, versionID)
	})
}

// replace runs a write that makes o its key's latest version.
func (c *objectRows) replace(o *store.BucketObject, write func() ([]string, error)) ([]string, error) {
	return c.write(objectKey{o.Bucket, o.Key}, o, write)
}

// write runs a write to a key under its lock, then forgets the key's
// cached row and, after a success, caches latest (when not nil).
func (c *objectRows) write(k objectKey, latest *store.BucketObject, write func() ([]string, error)) ([]string, error) {
	mu := &c.locks[maphash.Comparable(c.seed, k)%uint64(len(c.locks))]
	mu.Lock()
	defer mu.Unlock()
	garbage, err := write()
	c.latest.Forget(k)
	if err == nil && latest != nil {
		row := *latest
		c.latest.Put(k, &row, c.clock.Now())
	}
	return garbage, err
}
