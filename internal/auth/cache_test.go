package auth

import (
	"context"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
)

// countingKeys is a key store that counts lookups.
type countingKeys struct {
	store.Accounts
	keys    map[string]store.AccessKey
	lookups int
}

func (c *countingKeys) AccessKey(_ context.Context, id string) (store.AccessKey, error) {
	c.lookups++
	k, ok := c.keys[id]
	if !ok {
		return store.AccessKey{}, store.ErrNotFound
	}
	return k, nil
}

func TestKeyCache(t *testing.T) {
	sealer, err := OpenSealer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys := &countingKeys{keys: map[string]store.AccessKey{}}
	clk := clock.NewFake(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	a := New(Options{Keys: keys, Sealer: sealer, Clock: clk})
	ctx := context.Background()
	precheck := func(id string) error {
		t.Helper()
		return a.Precheck(ctx, &sigv4.Signature{AccessKeyID: id}, nil)
	}
	expect := func(lookups int) {
		t.Helper()
		if keys.lookups != lookups {
			t.Fatalf("store lookups = %d, want %d", keys.lookups, lookups)
		}
	}

	// An unknown key is refused, and remembered for a minute.
	for range 3 {
		if err := precheck("AKIAUNKNOWN"); err == nil {
			t.Fatal("Precheck accepted an unknown key")
		}
	}
	expect(1)
	clk.Advance(unknownKeyTTL)
	precheck("AKIAUNKNOWN")
	expect(2)

	// A key that exists is looked up once.
	keys.keys["AKIANEW"] = store.AccessKey{ID: "AKIANEW", AccountID: "123456789012", Active: true, SealedSecret: sealer.Seal([]byte("s"))}
	if err := precheck("AKIANEW"); err != nil {
		t.Fatalf("Precheck(new key) = %v", err)
	}
	expect(3)
	precheck("AKIANEW")
	expect(3)

	// A revoked key stops working at the next request after Forget.
	keys.keys["AKIANEW"] = store.AccessKey{ID: "AKIANEW", AccountID: "123456789012", Active: false, SealedSecret: sealer.Seal([]byte("s"))}
	if err := precheck("AKIANEW"); err != nil {
		t.Fatalf("Precheck before Forget = %v; want the cached key", err)
	}
	a.Forget("AKIANEW")
	if err := precheck("AKIANEW"); err == nil {
		t.Fatal("Precheck accepted a deactivated key after Forget")
	}
	// Another node's change shows within the key TTL.
	keys.keys["AKIANEW"] = store.AccessKey{ID: "AKIANEW", AccountID: "123456789012", Active: true, SealedSecret: sealer.Seal([]byte("s"))}
	clk.Advance(keyTTL)
	if err := precheck("AKIANEW"); err != nil {
		t.Fatalf("Precheck after the TTL = %v", err)
	}
}
