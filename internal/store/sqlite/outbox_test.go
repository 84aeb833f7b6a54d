package sqlite

import (
	"context"
	"strconv"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/storetest"
)

// TestOutboxConformance runs the outbox suite on the state store alone
// (the embedded store's suite runs it on both databases together).
func TestOutboxConformance(t *testing.T) {
	storetest.Outbox(t, func(t *testing.T, dir string) storetest.Backend {
		return storetest.Backend{Outbox: open(t, dir).Outbox()}
	})
}

// TestOutboxIDs: the state store's outbox ids start at FirstOutboxID and
// are never given again, even after the newest item is gone.
func TestOutboxIDs(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	item := store.OutboxItem{Kind: "k", Version: 1, Account: "111111111111", Region: "us-east-1", Target: "t", NextAttempt: 1}
	s := open(t, dir)
	items := []store.OutboxItem{item, item}
	if err := s.Outbox().EnqueueOutbox(ctx, items); err != nil {
		t.Fatal(err)
	}
	if items[0].ID != FirstOutboxID || items[1].ID != FirstOutboxID+1 {
		t.Fatalf("ids %d, %d; want %d, %d", items[0].ID, items[1].ID, int64(FirstOutboxID), int64(FirstOutboxID+1))
	}
	if err := s.Outbox().SettleOutbox(ctx, []store.OutboxResult{{ID: items[1].ID, Outcome: store.Delivered}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	again := []store.OutboxItem{item}
	if err := open(t, dir).Outbox().EnqueueOutbox(ctx, again); err != nil {
		t.Fatal(err)
	}
	if again[0].ID != FirstOutboxID+2 {
		t.Errorf("id after the newest was delivered and the store reopened: %d; want %d", again[0].ID, int64(FirstOutboxID+2))
	}
}

// TestOutboxEnqueueMany: items enqueued together, in several INSERTs of
// many rows, get the ids of their own rows, in order.
func TestOutboxEnqueueMany(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	items := make([]store.OutboxItem, 64+32+4+1)
	for i := range items {
		items[i] = store.OutboxItem{Kind: "k", Version: 1, Account: "111111111111", Region: "us-east-1", Target: "t",
			Payload: []byte(strconv.Itoa(i)), NextAttempt: 1}
	}
	if err := s.Outbox().EnqueueOutbox(ctx, items[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.Outbox().EnqueueOutbox(ctx, items[1:]); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.Outbox().ClaimOutbox(ctx, "k", 1, 100, len(items)+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(claimed) != len(items) {
		t.Fatalf("claimed %d items; want %d", len(claimed), len(items))
	}
	for i, it := range claimed {
		if it.ID != items[i].ID || string(it.Payload) != strconv.Itoa(i) || i > 0 && it.ID != claimed[i-1].ID+1 {
			t.Fatalf("item %d: stored as id %d with payload %q; enqueue said id %d", i, it.ID, it.Payload, items[i].ID)
		}
	}
}
