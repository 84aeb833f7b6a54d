package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Leases checks the backend's store.Leases: a lease is exclusive until it
// expires, renewable by its holder, free for another holder once expired
// or released, and kept across a reopen.
func Leases(t *testing.T, open Open) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	leasesOf := func(t *testing.T, b Backend) store.Leases {
		t.Helper()
		need(t, b.Leases != nil, "Leases")
		return b.Leases
	}
	acquire := func(t *testing.T, l store.Leases, name, holder string, now, until time.Time, want bool) {
		t.Helper()
		got, err := l.AcquireLease(ctx, name, holder, now, until)
		if err != nil {
			t.Fatalf("AcquireLease(%s, %s, now %v, until %v): %v", name, holder, now, until, err)
		}
		if got != want {
			t.Errorf("AcquireLease(%s, %s, now %v, until %v) = %v; want %v", name, holder, now, until, got, want)
		}
	}
	release := func(t *testing.T, l store.Leases, name, holder string) {
		t.Helper()
		if err := l.ReleaseLease(ctx, name, holder); err != nil {
			t.Fatalf("ReleaseLease(%s, %s): %v", name, holder, err)
		}
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	t.Run("exclusive until expiry", func(t *testing.T) {
		l := leasesOf(t, fresh(t, open))
		acquire(t, l, "rollup", "node-a", at(0), at(time.Minute), true)
		acquire(t, l, "rollup", "node-b", at(0), at(time.Minute), false)
		acquire(t, l, "rollup", "node-b", at(59*time.Second), at(2*time.Minute), false)
		// Expired at its expiry: another holder takes it.
		acquire(t, l, "rollup", "node-b", at(time.Minute), at(2*time.Minute), true)
		acquire(t, l, "rollup", "node-a", at(time.Minute), at(2*time.Minute), false)
	})

	t.Run("renewable by its holder", func(t *testing.T) {
		l := leasesOf(t, fresh(t, open))
		acquire(t, l, "retention", "node-a", at(0), at(time.Minute), true)
		acquire(t, l, "retention", "node-a", at(30*time.Second), at(90*time.Second), true)
		acquire(t, l, "retention", "node-b", at(80*time.Second), at(3*time.Minute), false)
		// The holder renews even an expired lease nobody took.
		acquire(t, l, "retention", "node-a", at(10*time.Minute), at(11*time.Minute), true)
		acquire(t, l, "retention", "node-b", at(10*time.Minute+59*time.Second), at(12*time.Minute), false)
		// A renewal may shorten it.
		acquire(t, l, "retention", "node-a", at(10*time.Minute), at(10*time.Minute+time.Second), true)
		acquire(t, l, "retention", "node-b", at(10*time.Minute+time.Second), at(12*time.Minute), true)
	})

	t.Run("names are apart", func(t *testing.T) {
		l := leasesOf(t, fresh(t, open))
		acquire(t, l, "a", "node-a", at(0), at(time.Minute), true)
		acquire(t, l, "b", "node-b", at(0), at(time.Minute), true)
		acquire(t, l, "a", "node-b", at(0), at(time.Minute), false)
		acquire(t, l, "b", "node-a", at(0), at(time.Minute), false)
	})

	t.Run("release", func(t *testing.T) {
		l := leasesOf(t, fresh(t, open))
		acquire(t, l, "deliveries", "node-a", at(0), at(time.Hour), true)
		// Only the holder releases it; releasing a lease not held is no
		// error.
		release(t, l, "deliveries", "node-b")
		release(t, l, "absent", "node-b")
		acquire(t, l, "deliveries", "node-b", at(time.Second), at(time.Hour), false)
		release(t, l, "deliveries", "node-a")
		acquire(t, l, "deliveries", "node-b", at(time.Second), at(time.Hour), true)
	})

	t.Run("durable", func(t *testing.T) {
		l := leasesOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			acquire(t, leasesOf(t, b), "maintenance", "node-a", at(0), at(time.Minute), true)
		}))
		acquire(t, l, "maintenance", "node-b", at(30*time.Second), at(2*time.Minute), false)
		acquire(t, l, "maintenance", "node-a", at(30*time.Second), at(2*time.Minute), true)
	})
}
