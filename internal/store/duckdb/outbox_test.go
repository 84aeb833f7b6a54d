package duckdb

import (
	"context"
	"database/sql/driver"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// TestOutboxUpgrade: items of schema version 7 (before payload versions,
// claims and dead letters), committed or only journaled, become pending
// items of payload version 1 aged from their next attempt.
func TestOutboxUpgrade(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{migrations: migrations[:7]})
	if err != nil {
		t.Fatal(err)
	}
	row := func(id int64, target string, attempts int32, next int64) []driver.Value {
		return []driver.Value{id, "logs.metric", "111111111111", "us-east-1", target, []byte(target), attempts, next, "earlier"}
	}
	if err := s.write(ctx, func(tx *Tx) error { return tx.Append("outbox", [][]driver.Value{row(1, "committed", 2, 5000)}) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	schema, lsn := inspect(t, dir)
	if schema != 7 {
		t.Fatalf("fixture schema = %d; want 7", schema)
	}
	p, ok := encodeAppends(nil, []tableRows{{"outbox", [][]driver.Value{row(2, "journaled", 0, 7000)}}})
	if !ok {
		t.Fatal("cannot encode")
	}
	if err := os.WriteFile(filepath.Join(dir, JournalName), journalFile(7, lsn+1, p), 0o600); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, dir)
	defer s.Close()
	got, err := s.Outbox().ClaimOutbox(ctx, "logs.metric", 7000, 8000, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.OutboxItem{
		{ID: 1, Kind: "logs.metric", Version: 1, Account: "111111111111", Region: "us-east-1", Target: "committed", Payload: []byte("committed"),
			Created: 5000, Attempts: 2, NextAttempt: 5000, LastError: "earlier", Claim: 1, ClaimedUntil: 8000},
		{ID: 2, Kind: "logs.metric", Version: 1, Account: "111111111111", Region: "us-east-1", Target: "journaled", Payload: []byte("journaled"),
			Created: 7000, Attempts: 0, NextAttempt: 7000, LastError: "earlier", Claim: 1, ClaimedUntil: 8000},
	}
	if len(got) != len(want) {
		t.Fatalf("items after the upgrade = %+v; want %+v", got, want)
	}
	for i := range want {
		if g, w := got[i], want[i]; g.ID != w.ID || g.Kind != w.Kind || g.Version != w.Version || g.Target != w.Target || !slices.Equal(g.Payload, w.Payload) ||
			g.Created != w.Created || g.Attempts != w.Attempts || g.NextAttempt != w.NextAttempt || g.LastError != w.LastError ||
			g.Claim != w.Claim || g.ClaimedUntil != w.ClaimedUntil || g.DeadAt != 0 {
			t.Errorf("item %d after the upgrade = %+v; want %+v", i, g, w)
		}
	}
	// New items are numbered after the old ones.
	if err := s.Outbox().EnqueueOutbox(ctx, []store.OutboxItem{{Kind: "k", Version: 1, NextAttempt: 1}}); err != nil {
		t.Fatal(err)
	}
	if items, err := s.Outbox().ClaimOutbox(ctx, "k", 1, 2, 10); err != nil || len(items) != 1 || items[0].ID != 3 {
		t.Errorf("new item = %+v, %v; want id 3", items, err)
	}
}
