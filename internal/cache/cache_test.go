package cache

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestExpires(t *testing.T) {
	c := NewTTL[string, int](10, time.Minute)
	c.Put("a", 1, t0)
	if v, ok := c.Get("a", t0.Add(59*time.Second)); !ok || v != 1 {
		t.Fatalf("Get before expiry = %d, %v; want 1, true", v, ok)
	}
	if _, ok := c.Get("a", t0.Add(time.Minute)); ok {
		t.Fatal("Get at expiry found the entry")
	}
}

func TestBounded(t *testing.T) {
	c := NewTTL[int, int](10, time.Hour)
	for i := range 1000 {
		c.Put(i, i, t0)
		if c.Len() > 10 {
			t.Fatalf("after %d puts the cache holds %d entries, want at most 10", i+1, c.Len())
		}
	}
	// The newest entries survive; the oldest are gone.
	if _, ok := c.Get(999, t0); !ok {
		t.Error("the newest entry is gone")
	}
	if _, ok := c.Get(0, t0); ok {
		t.Error("the oldest entry is still there")
	}
}

func TestPromotesUsedEntries(t *testing.T) {
	c := NewTTL[int, int](4, time.Hour)
	c.Put(1, 1, t0)
	c.Put(2, 2, t0)                 // generation 1 is full
	c.Put(3, 3, t0)                 // 1 and 2 become the previous generation
	if _, ok := c.Get(1, t0); !ok { // promoted back
		t.Fatal("entry 1 of the previous generation is gone")
	}
	c.Put(4, 4, t0) // {3, 1} full → previous; {2} dropped
	c.Put(5, 5, t0)
	if _, ok := c.Get(1, t0); !ok {
		t.Error("a used entry fell out")
	}
	if _, ok := c.Get(2, t0); ok {
		t.Error("an unused entry survived two generations")
	}
}

func TestForget(t *testing.T) {
	c := NewTTL[string, int](10, time.Hour)
	c.Put("a", 1, t0)
	c.Put("b", 2, t0)
	c.Put("c", 3, t0)
	c.Forget("a")
	c.ForgetIf(func(k string) bool { return k == "b" })
	for k, want := range map[string]bool{"a": false, "b": false, "c": true} {
		if _, ok := c.Get(k, t0); ok != want {
			t.Errorf("Get(%q) found = %v, want %v", k, ok, want)
		}
	}
}

// A read that began before a Forget does not put back what it read.
func TestFillAfterForget(t *testing.T) {
	c := NewTTL[string, int](10, time.Hour)
	stale := c.Epoch()
	c.Forget("a") // the change that made the read stale
	c.Fill("a", 1, t0.Add(time.Hour), stale)
	if _, ok := c.Get("a", t0); ok {
		t.Error("a read older than a Forget was cached")
	}
	c.ForgetIf(func(string) bool { return false })
	fresh := c.Epoch()
	c.Fill("a", 2, t0.Add(time.Hour), fresh)
	if v, ok := c.Get("a", t0); !ok || v != 2 {
		t.Errorf("Get(a) = %v, %v after a fresh Fill; want 2, true", v, ok)
	}
	c.Fill("b", 3, t0.Add(time.Hour), stale)
	if _, ok := c.Get("b", t0); ok {
		t.Error("a read older than a ForgetIf was cached")
	}
}
