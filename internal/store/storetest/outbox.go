package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
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
		return store.OutboxItem{Kind: kind, Version: 1, Account: "111111111111", Region: "us-east-1", Target: target, Payload: []byte(target), NextAttempt: next}
	}
	enqueue := func(t *testing.T, s store.Outbox, items ...store.OutboxItem) {
		t.Helper()
		if err := s.EnqueueOutbox(ctx, items); err != nil {
			t.Fatalf("EnqueueOutbox: %v", err)
		}
	}
	claim := func(t *testing.T, s store.Outbox, kind string, now, until int64, limit int) []store.OutboxItem {
		t.Helper()
		items, err := s.ClaimOutbox(ctx, kind, now, until, limit)
		if err != nil {
			t.Fatalf("ClaimOutbox(%s, %d, %d, %d): %v", kind, now, until, limit, err)
		}
		return items
	}
	settle := func(t *testing.T, s store.Outbox, results ...store.OutboxResult) {
		t.Helper()
		if err := s.SettleOutbox(ctx, results); err != nil {
			t.Fatalf("SettleOutbox(%+v): %v", results, err)
		}
	}
	dead := func(t *testing.T, s store.Outbox, q store.DeadOutboxQuery) []store.OutboxItem {
		t.Helper()
		items, err := s.DeadOutbox(ctx, q)
		if err != nil {
			t.Fatalf("DeadOutbox(%+v): %v", q, err)
		}
		return items
	}
	stats := func(t *testing.T, s store.Outbox) []store.OutboxStats {
		t.Helper()
		st, err := s.OutboxStats(ctx)
		if err != nil {
			t.Fatalf("OutboxStats: %v", err)
		}
		return st
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
	// result settles a claimed item.
	result := func(it store.OutboxItem, o store.Outcome, when int64, msg string) store.OutboxResult {
		return store.OutboxResult{ID: it.ID, Claim: it.Claim, Outcome: o, Next: when, At: when, Error: msg}
	}
	const forever = int64(1) << 62

	t.Run("claims due items oldest first", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		if got := claim(t, s, "k", forever, forever, 10); len(got) != 0 {
			t.Fatalf("ClaimOutbox on an empty outbox = %+v; want none", got)
		}
		enqueue(t, s)
		full := store.OutboxItem{Kind: "k", Version: 3, Account: "222222222222", Region: "eu-west-1", Target: "t0",
			Payload: []byte{0, 1, 2, 255, 0}, Created: 400, Attempts: 3, NextAttempt: 500, LastError: "earlier failure"}
		// Enqueued in two calls; the second's first item is due before
		// the first's: claims take the oldest enqueued first all the same.
		enqueue(t, s, full, item("k", "t1", 1000), item("other", "o1", 0), item("k", "t2", 2000))
		enqueue(t, s, item("k", "t3", 0), item("k", "t4", 1001))
		got := claim(t, s, "k", 1000, 5000, 10)
		if want := []string{"t0", "t1", "t3"}; !slices.Equal(targets(got), want) {
			t.Fatalf("ClaimOutbox(k, 1000) = %v; want %v (due at or before 1000, oldest first)", targets(got), want)
		}
		g := got[0]
		if g.ID == 0 || g.Kind != full.Kind || g.Version != 3 || g.Account != full.Account || g.Region != full.Region || !bytes.Equal(g.Payload, full.Payload) ||
			g.Created != 400 || g.Attempts != full.Attempts || g.NextAttempt != full.NextAttempt || g.LastError != full.LastError || g.DeadAt != 0 {
			t.Errorf("ClaimOutbox()[0] = %+v; want %+v with an id", g, full)
		}
		for _, it := range got {
			if it.Claim == 0 || it.ClaimedUntil != 5000 {
				t.Errorf("claimed item %s: claim %d until %d; want a claim token until 5000", it.Target, it.Claim, it.ClaimedUntil)
			}
		}
		if got[1].Created != 1000 {
			t.Errorf("Created of an item enqueued without one = %d; want its NextAttempt, 1000", got[1].Created)
		}
		// The claimed items are not claimed again before their lease ends.
		rest := claim(t, s, "k", 4999, forever, 10)
		if want := []string{"t2", "t4"}; !slices.Equal(targets(rest), want) {
			t.Errorf("ClaimOutbox after a claim = %v; want %v (the unclaimed ones)", targets(rest), want)
		}
		all := slices.Concat(got, rest, claim(t, s, "other", forever, forever, 10))
		seen := map[int64]bool{}
		for _, it := range all {
			if it.ID == 0 || seen[it.ID] {
				t.Errorf("outbox item ids %v are not distinct and non-zero", ids(all))
				break
			}
			seen[it.ID] = true
		}
		if got := claim(t, s, "none", forever, forever, 10); len(got) != 0 {
			t.Errorf("ClaimOutbox(unknown kind) = %v; want none", targets(got))
		}
	})

	t.Run("limit", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		enqueue(t, s, item("k", "a", 0), item("k", "b", 0), item("k", "c", 0))
		if got := claim(t, s, "k", 0, 10, 2); !slices.Equal(targets(got), []string{"a", "b"}) {
			t.Errorf("ClaimOutbox(limit 2) = %v; want [a b]", targets(got))
		}
		if got := claim(t, s, "k", 0, 10, 2); !slices.Equal(targets(got), []string{"c"}) {
			t.Errorf("ClaimOutbox(limit 2) again = %v; want [c]", targets(got))
		}
	})

	t.Run("payload versions are required", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		bad := item("k", "a", 0)
		bad.Version = 0
		if err := s.EnqueueOutbox(ctx, []store.OutboxItem{bad}); err == nil {
			t.Errorf("EnqueueOutbox(an item without a version) = nil; want an error")
		}
		if got := claim(t, s, "k", forever, forever, 10); len(got) != 0 {
			t.Errorf("ClaimOutbox after a refused enqueue = %v; want none", targets(got))
		}
	})

	t.Run("leases end", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		enqueue(t, s, item("k", "a", 0))
		first := claim(t, s, "k", 0, 100, 10)
		if len(first) != 1 {
			t.Fatalf("ClaimOutbox = %v; want [a]", targets(first))
		}
		if got := claim(t, s, "k", 99, 200, 10); len(got) != 0 {
			t.Fatalf("ClaimOutbox during the lease = %v; want none", targets(got))
		}
		second := claim(t, s, "k", 100, 200, 10)
		if len(second) != 1 || second[0].Claim == first[0].Claim || second[0].ClaimedUntil != 200 {
			t.Fatalf("ClaimOutbox as the lease ends = %+v; want [a] under a new claim until 200", second)
		}
		// The first claimer comes back late: its failure, release or
		// death changes nothing, since the item is claimed again.
		settle(t, s, result(first[0], store.Retry, 150, "late"))
		settle(t, s, result(first[0], store.Release, 0, ""))
		settle(t, s, result(first[0], store.Dead, 150, "late"))
		if got := claim(t, s, "k", 199, 300, 10); len(got) != 0 {
			t.Fatalf("ClaimOutbox after stale settlements = %+v; want none (the second claim holds)", got)
		}
		if d := dead(t, s, store.DeadOutboxQuery{}); len(d) != 0 {
			t.Fatalf("dead letters after a stale Dead = %v; want none", targets(d))
		}
		// Whoever delivered, the item is delivered.
		settle(t, s, result(first[0], store.Delivered, 0, ""))
		if got := claim(t, s, "k", forever, forever, 10); len(got) != 0 {
			t.Errorf("ClaimOutbox after a late delivery = %v; want none", targets(got))
		}
		settle(t, s, result(second[0], store.Delivered, 0, ""), result(second[0], store.Retry, 1, "gone"))
		settle(t, s)
	})

	t.Run("retry, release and delivery", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		enqueue(t, s, item("k", "a", 1), item("k", "b", 1), item("k", "c", 1))
		items := claim(t, s, "k", 1, 10_000, 10)
		if len(items) != 3 {
			t.Fatalf("ClaimOutbox = %v; want 3 items", targets(items))
		}
		a, b, c := items[0], items[1], items[2]
		settle(t, s, result(a, store.Retry, 5000, "connection refused"), result(b, store.Release, 0, ""), result(c, store.Delivered, 0, ""))
		// A retried item is due again at its time, though the lease it
		// was claimed under runs longer; a released one at once.
		if got := claim(t, s, "k", 4999, 9000, 10); !slices.Equal(targets(got), []string{"b"}) || got[0].Attempts != 0 || got[0].LastError != "" {
			t.Errorf("ClaimOutbox before the retry = %+v; want [b] with no attempt counted", got)
		}
		got := claim(t, s, "k", 5000, 7000, 10)
		if !slices.Equal(targets(got), []string{"a"}) {
			t.Fatalf("ClaimOutbox at the retry = %v; want [a]", targets(got))
		}
		if r := got[0]; r.Attempts != 1 || r.NextAttempt != 5000 || r.LastError != "connection refused" || string(r.Payload) != "a" {
			t.Errorf("retried item = %+v; want 1 attempt, next at 5000, the last error", r)
		}
		settle(t, s, result(got[0], store.Retry, 6000, "timeout"))
		got = claim(t, s, "k", 6000, 7000, 10)
		if len(got) != 1 || got[0].Attempts != 2 || got[0].LastError != "timeout" {
			t.Fatalf("item retried twice = %+v; want 2 attempts and the last error", got)
		}
		if st := stats(t, s); len(st) != 1 || st[0] != (store.OutboxStats{Kind: "k", Pending: 2, Retrying: 1, OldestPending: 1}) {
			t.Errorf("OutboxStats = %+v; want k: 2 pending, 1 retrying", st)
		}
	})

	t.Run("dead letters", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		enqueue(t, s, item("k", "a", 10), item("k", "b", 20), item("j", "c", 30), item("k", "d", 40))
		var claimed []store.OutboxItem
		for _, kind := range []string{"k", "j"} {
			claimed = append(claimed, claim(t, s, kind, 100, 1000, 10)...)
		}
		if len(claimed) != 4 {
			t.Fatalf("claimed %v; want 4 items", targets(claimed))
		}
		settle(t, s, result(claimed[0], store.Dead, 200, "refused"), result(claimed[1], store.Dead, 210, "refused"),
			result(claimed[3], store.Dead, 220, "gone"), result(claimed[2], store.Retry, 300, "down"))
		if got := claim(t, s, "k", 299, 1000, 10); len(got) != 0 {
			t.Errorf("ClaimOutbox with only dead letters and a retry not due = %v; want none", targets(got))
		}
		all := dead(t, s, store.DeadOutboxQuery{})
		if !slices.Equal(targets(all), []string{"a", "b", "c"}) {
			t.Fatalf("DeadOutbox = %v; want [a b c] in id order", targets(all))
		}
		if d := all[0]; d.DeadAt != 200 || d.Attempts != 1 || d.LastError != "refused" || d.Kind != "k" {
			t.Errorf("dead letter = %+v; want dead at 200 after 1 attempt, its error", d)
		}
		if got := dead(t, s, store.DeadOutboxQuery{Kind: "k"}); !slices.Equal(targets(got), []string{"a", "b"}) {
			t.Errorf("DeadOutbox(k) = %v; want [a b]", targets(got))
		}
		if got := dead(t, s, store.DeadOutboxQuery{After: all[0].ID, Limit: 1}); !slices.Equal(targets(got), []string{"b"}) {
			t.Errorf("DeadOutbox(after a, limit 1) = %v; want [b]", targets(got))
		}
		want := []store.OutboxStats{{Kind: "j", Dead: 1}, {Kind: "k", Pending: 1, Retrying: 1, Dead: 2, OldestPending: 40}}
		if st := stats(t, s); !slices.Equal(st, want) {
			t.Errorf("OutboxStats = %+v; want %+v", st, want)
		}

		// Revived by id: pending again at once, with no attempts, aged
		// from the revival.
		if n, err := s.ReviveOutbox(ctx, "", []int64{all[1].ID, 99999}, 500); err != nil || n != 1 {
			t.Fatalf("ReviveOutbox(b) = %d, %v; want 1", n, err)
		}
		got := claim(t, s, "k", 500, 600, 10)
		if !slices.Equal(targets(got), []string{"b", "d"}) || got[0].Attempts != 0 || got[0].Created != 500 || got[0].DeadAt != 0 {
			t.Fatalf("ClaimOutbox after reviving b = %+v; want b (no attempts, created 500) and d", got)
		}
		if n, err := s.ReviveOutbox(ctx, "j", nil, 700); err != nil || n != 1 {
			t.Errorf("ReviveOutbox(kind j) = %d, %v; want 1", n, err)
		}
		if got := dead(t, s, store.DeadOutboxQuery{}); !slices.Equal(targets(got), []string{"a"}) {
			t.Errorf("DeadOutbox after revivals = %v; want [a]", targets(got))
		}
		if n, err := s.ReviveOutbox(ctx, "", nil, 800); err != nil || n != 1 {
			t.Errorf("ReviveOutbox(all) = %d, %v; want 1", n, err)
		}
		if n, err := s.ReviveOutbox(ctx, "", nil, 800); err != nil || n != 0 {
			t.Errorf("ReviveOutbox(all) with no dead letters = %d, %v; want 0", n, err)
		}
	})

	t.Run("concurrent claims are exclusive", func(t *testing.T) {
		s := outboxOf(t, fresh(t, open))
		var items []store.OutboxItem
		for i := range 40 {
			items = append(items, item("k", fmt.Sprint(i), 0))
		}
		enqueue(t, s, items...)
		var mu sync.Mutex
		var wg sync.WaitGroup
		seen := map[string]int{}
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.ClaimOutbox(ctx, "k", 0, 1000, 3)
					if err != nil {
						t.Errorf("ClaimOutbox: %v", err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, it := range got {
						seen[it.Target]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for i := range 40 {
			if n := seen[fmt.Sprint(i)]; n != 1 {
				t.Errorf("item %d claimed %d times by concurrent claimers; want once", i, n)
			}
		}
	})

	t.Run("durable across reopening", func(t *testing.T) {
		var before []store.OutboxItem
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := outboxOf(t, b)
			var items []store.OutboxItem
			for i := range 6 {
				items = append(items, item("k", fmt.Sprint(i), 0))
			}
			enqueue(t, s, items...)
			before = claim(t, s, "k", 0, 50, 10)
			if len(before) != 6 {
				t.Fatalf("ClaimOutbox = %v; want 6 items", targets(before))
			}
			settle(t, s, result(before[1], store.Retry, 100, "failed"), result(before[0], store.Delivered, 0, ""),
				result(before[4], store.Delivered, 0, ""), result(before[5], store.Dead, 40, "refused"), result(before[3], store.Release, 0, ""))
		})
		s := outboxOf(t, b)
		// Item 2 is still claimed until 50; 3 was released; 1 is due at 100.
		if got := claim(t, s, "k", 49, 150, 10); !slices.Equal(targets(got), []string{"3"}) {
			t.Fatalf("ClaimOutbox during the lease after reopening = %v; want [3]", targets(got))
		}
		got := claim(t, s, "k", 100, 200, 10)
		if !slices.Equal(targets(got), []string{"1", "2"}) || got[0].ID != before[1].ID || got[0].Attempts != 1 || got[0].LastError != "failed" {
			t.Fatalf("ClaimOutbox after reopening = %+v; want items 1 (retried once) and 2", got)
		}
		if d := dead(t, s, store.DeadOutboxQuery{}); len(d) != 1 || d[0].ID != before[5].ID || d[0].DeadAt != 40 {
			t.Errorf("DeadOutbox after reopening = %+v; want item 5", d)
		}
		// Items enqueued now are newer and have ids of their own.
		enqueue(t, s, item("k", "new", 0))
		got = claim(t, s, "k", 59, 70, 10)
		if !slices.Equal(targets(got), []string{"new"}) {
			t.Fatalf("ClaimOutbox after enqueueing again = %v; want [new]", targets(got))
		}
		for _, old := range before {
			if got[0].ID == old.ID {
				t.Errorf("the new item has id %d, which an item had before reopening", old.ID)
			}
		}
	})
}
