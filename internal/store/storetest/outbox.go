package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Outbox checks the backend's store.Outbox. (That Ingest enqueues with
// its events is checked by the Logs suite.)
func Outbox(t *testing.T, open Open) {
	ctx := context.Background()
	outboxOf := func(t *testing.T, b Backend) store.Outbox {
		t.Helper()
		need(t, b.Outbox != nil, "Outbox")
		return b.Outbox
	}
	item := func(kind, target string, next int64) store.OutboxItem {
		return store.OutboxItem{Kind: kind, Account: "111111111111", Region: "us-east-1", Target: target, Payload: []byte(target), NextAttempt: next}
	}
	due := func(t *testing.T, s store.Outbox, kind string, now int64, limit int) []store.OutboxItem {
		t.Helper()
		items, err := s.DueOutbox(ctx, kind, now, limit)
		if err != nil {
			t.Fatalf("DueOutbox(%s, %d, %d): %v", kind, now, limit, err)
		}
		return items
	}
	targets := func(items []store.OutboxItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Target)
		}
		return out
	}
	ids := func(items []store.OutboxItem) []int64 {
		var out []int64
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}

	t.Run("due items", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		if got := due(t, s, "k", 1<<62, 10); len(got) != 0 {
			t.Fatalf("DueOutbox on an empty outbox = %+v; want none", got)
		}
		if err := s.EnqueueOutbox(ctx, nil); err != nil {
			t.Fatalf("EnqueueOutbox(none) = %v; want nil", err)
		}
		full := store.OutboxItem{Kind: "k", Account: "222222222222", Region: "eu-west-1", Target: "t0",
			Payload: []byte{0, 1, 2, 255, 0}, Attempts: 3, NextAttempt: 500, LastError: "earlier failure"}
		// Enqueued in two calls; the second's first item is due before
		// the first's: due items come oldest enqueued first all the same.
		if err := s.EnqueueOutbox(ctx, []store.OutboxItem{full, item("k", "t1", 1000), item("other", "o1", 0), item("k", "t2", 2000)}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueOutbox(ctx, []store.OutboxItem{item("k", "t3", 0), item("k", "t4", 1001)}); err != nil {
			t.Fatal(err)
		}
		got := due(t, s, "k", 1000, 10)
		if want := []string{"t0", "t1", "t3"}; !slices.Equal(targets(got), want) {
			t.Fatalf("DueOutbox(k, 1000) = %v; want %v (due at or before 1000, oldest first)", targets(got), want)
		}
		g := got[0]
		if g.ID == 0 || g.Kind != full.Kind || g.Account != full.Account || g.Region != full.Region || !bytes.Equal(g.Payload, full.Payload) ||
			g.Attempts != full.Attempts || g.NextAttempt != full.NextAttempt || g.LastError != full.LastError {
			t.Errorf("DueOutbox()[0] = %+v; want %+v with an id", g, full)
		}
		all := slices.Concat(due(t, s, "k", 1<<62, 10), due(t, s, "other", 1<<62, 10))
		seen := map[int64]bool{}
		for _, it := range all {
			if it.ID == 0 || seen[it.ID] {
				t.Errorf("outbox item ids %v are not distinct and non-zero", ids(all))
				break
			}
			seen[it.ID] = true
		}
		if got := due(t, s, "k", 1<<62, 2); !slices.Equal(targets(got), []string{"t0", "t1"}) {
			t.Errorf("DueOutbox(limit 2) = %v; want [t0 t1]", targets(got))
		}
		if got := due(t, s, "other", 0, 10); !slices.Equal(targets(got), []string{"o1"}) {
			t.Errorf("DueOutbox(other, 0) = %v; want [o1]", targets(got))
		}
		if got := due(t, s, "none", 1<<62, 10); len(got) != 0 {
			t.Errorf("DueOutbox(unknown kind) = %v; want none", targets(got))
		}
	})

	t.Run("retry and complete", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		if err := s.EnqueueOutbox(ctx, []store.OutboxItem{item("k", "a", 0), item("k", "b", 0), item("k", "c", 0)}); err != nil {
			t.Fatal(err)
		}
		items := due(t, s, "k", 0, 10)
		if len(items) != 3 {
			t.Fatalf("DueOutbox = %v; want 3 items", targets(items))
		}
		a, b, c := items[0], items[1], items[2]
		if err := s.RetryOutbox(ctx, a.ID, 5000, "connection refused"); err != nil {
			t.Fatal(err)
		}
		if err := s.RetryOutbox(ctx, a.ID, 6000, "timeout"); err != nil {
			t.Fatal(err)
		}
		if got := due(t, s, "k", 5999, 10); !slices.Equal(targets(got), []string{"b", "c"}) {
			t.Errorf("DueOutbox before the retry = %v; want [b c]", targets(got))
		}
		got := due(t, s, "k", 6000, 10)
		if !slices.Equal(targets(got), []string{"a", "b", "c"}) {
			t.Fatalf("DueOutbox at the retry = %v; want [a b c] (oldest enqueued first)", targets(got))
		}
		if r := got[0]; r.ID != a.ID || r.Attempts != 2 || r.NextAttempt != 6000 || r.LastError != "timeout" || string(r.Payload) != "a" {
			t.Errorf("retried item = %+v; want 2 attempts, next at 6000, the last error", r)
		}
		if err := s.CompleteOutbox(ctx, []int64{a.ID, c.ID}); err != nil {
			t.Fatal(err)
		}
		if got := due(t, s, "k", 1<<62, 10); !slices.Equal(ids(got), []int64{b.ID}) {
			t.Errorf("DueOutbox after completing a and c = %v; want [b]", targets(got))
		}
		// Delivered items may be reported twice (two workers, a retry
		// after a lost answer): completing or retrying an item that is
		// gone does nothing.
		if err := s.CompleteOutbox(ctx, []int64{a.ID, c.ID}); err != nil {
			t.Errorf("CompleteOutbox(completed) = %v; want nil", err)
		}
		if err := s.RetryOutbox(ctx, a.ID, 1, "late"); err != nil {
			t.Errorf("RetryOutbox(completed) = %v; want nil", err)
		}
		if err := s.CompleteOutbox(ctx, nil); err != nil {
			t.Errorf("CompleteOutbox(none) = %v; want nil", err)
		}
		if got := due(t, s, "k", 1<<62, 10); !slices.Equal(ids(got), []int64{b.ID}) {
			t.Errorf("DueOutbox after completing again = %v; want [b]", targets(got))
		}
	})

	t.Run("durable across reopening", func(t *testing.T) {
		var before []store.OutboxItem
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := outboxOf(t, b)
			var items []store.OutboxItem
			for i := range 5 {
				items = append(items, item("k", fmt.Sprint(i), 0))
			}
			if err := s.EnqueueOutbox(ctx, items); err != nil {
				t.Fatal(err)
			}
			before = due(t, s, "k", 0, 10)
			if len(before) != 5 {
				t.Fatalf("DueOutbox = %v; want 5 items", targets(before))
			}
			if err := s.RetryOutbox(ctx, before[1].ID, 100, "failed"); err != nil {
				t.Fatal(err)
			}
			if err := s.CompleteOutbox(ctx, []int64{before[0].ID, before[4].ID}); err != nil {
				t.Fatal(err)
			}
		})
		s := outboxOf(t, b)
		got := due(t, s, "k", 100, 10)
		if !slices.Equal(targets(got), []string{"1", "2", "3"}) || got[0].ID != before[1].ID || got[0].Attempts != 1 || got[0].LastError != "failed" {
			t.Fatalf("DueOutbox after reopening = %+v; want items 1 (retried once), 2 and 3", got)
		}
		// Items enqueued now are newer and have ids of their own.
		if err := s.EnqueueOutbox(ctx, []store.OutboxItem{item("k", "new", 0)}); err != nil {
			t.Fatal(err)
		}
		got = due(t, s, "k", 100, 10)
		if !slices.Equal(targets(got), []string{"1", "2", "3", "new"}) {
			t.Fatalf("DueOutbox after enqueueing again = %v; want [1 2 3 new]", targets(got))
		}
		for _, old := range before {
			if got[3].ID == old.ID {
				t.Errorf("the new item has id %d, which an item had before reopening", old.ID)
			}
		}
	})
}
