package outbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// batcher is a BatchDeliverer that records its calls; an item's payload
// says its outcome (outcomeOf).
type batcher struct {
	mu      sync.Mutex
	batches [][]int64 // the ids of each DeliverBatch call
	singles []int64   // the ids of each Deliver call
	short   bool      // answer one outcome too few
}

// outcomeOf fails an item whose payload is "fail" (to be retried) or
// "dead" (for good), and panics on "panic".
func outcomeOf(it store.OutboxItem) error {
	switch string(it.Payload) {
	case "fail":
		return errors.New("try again")
	case "dead":
		return Permanent(errors.New("never"))
	case "panic":
		panic("boom")
	}
	return nil
}

func (b *batcher) Deliver(_ context.Context, it store.OutboxItem) error {
	b.mu.Lock()
	b.singles = append(b.singles, it.ID)
	b.mu.Unlock()
	return outcomeOf(it)
}

// Batches takes the targets whose names begin with "q" (queues).
func (b *batcher) Batches(target string) bool { return strings.HasPrefix(target, "q") }

func (b *batcher) DeliverBatch(_ context.Context, items []store.OutboxItem) []error {
	ids := make([]int64, len(items))
	errs := make([]error, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	b.mu.Lock()
	b.batches = append(b.batches, ids)
	b.mu.Unlock()
	for i, it := range items {
		errs[i] = outcomeOf(it)
	}
	if b.short {
		errs = errs[1:]
	}
	return errs
}

// TestDeliverBatch: the items of a kind with a BatchDeliverer go to it a
// target at a time, in the order claimed, for the targets it batches; a
// lone item, and the items of other targets, go one by one through
// Deliver (each under its own timeout); each item's outcome is its own.
func TestDeliverBatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := &batcher{}
	f.p.Register("k", b, Policy{MaxAttempts: 3})
	f.enqueue(
		store.OutboxItem{Kind: "k", Target: "q1", Payload: []byte("ok")},
		store.OutboxItem{Kind: "k", Target: "q2", Payload: []byte("ok")},
		store.OutboxItem{Kind: "k", Target: "q1", Payload: []byte("fail")},
		store.OutboxItem{Kind: "k", Target: "q1", Payload: []byte("dead")},
		store.OutboxItem{Kind: "k", Target: "q1", Payload: []byte("ok")},
		store.OutboxItem{Kind: "k", Target: "http", Payload: []byte("ok")},
		store.OutboxItem{Kind: "k", Target: "http", Payload: []byte("ok")},
	)
	f.step(f.p, t0)
	if len(b.batches) != 1 || len(b.batches[0]) != 4 {
		t.Fatalf("batches = %v; want the four items to q1 in one", b.batches)
	}
	for i := 1; i < 4; i++ {
		if b.batches[0][i] <= b.batches[0][i-1] {
			t.Errorf("batch %v is not in the order claimed", b.batches[0])
		}
	}
	if len(b.singles) != 3 {
		t.Errorf("Deliver calls = %v; want the one item to q2 and the two to http", b.singles)
	}
	h := f.kindHealth("k")
	if h.Pending != 1 || h.Dead != 1 {
		t.Errorf("health = %+v; want the failed item pending and the refused one dead, the rest delivered", h)
	}
}

// TestDeliverBatchBroken: a batch deliverer that panics, or answers the
// wrong number of outcomes, has its batch delivered again item by item:
// only the bad items fail, as dead letters naming why.
func TestDeliverBatchBroken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		payloads []string
		short    bool
		dead     int
	}{
		{"panic", []string{"ok", "panic", "ok"}, false, 1},
		{"short", []string{"ok", "ok"}, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			b := &batcher{short: tc.short}
			f.p.Register("k", b, Policy{MaxAttempts: 3})
			for _, p := range tc.payloads {
				f.enqueue(store.OutboxItem{Kind: "k", Target: "q", Payload: []byte(p)})
			}
			f.step(f.p, t0)
			dead := f.dead("k")
			if len(dead) != tc.dead || tc.dead > 0 && !strings.Contains(dead[0].LastError, "panic") {
				t.Errorf("dead letters = %+v; want %d, from the panic", dead, tc.dead)
			}
			if h := f.kindHealth("k"); h.Pending != 0 {
				t.Errorf("health = %+v; want the others delivered", h)
			}
			if len(b.batches) != 1 || len(b.singles) != len(tc.payloads) {
				t.Errorf("batches %v, singles %v; want one batch, then each item alone", b.batches, b.singles)
			}
		})
	}
}
