package embedded

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func ingest(t *testing.T, s *Store, g, st int64, msg string) error {
	t.Helper()
	ctx := context.Background()
	seq, err := s.Logs().ReserveSeqs(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	return s.Logs().Ingest(ctx, &store.IngestBatch{GroupID: g, StreamID: st, Ingestion: 1,
		Events: []store.LogEvent{{Timestamp: 1000, Seq: seq, Message: msg}}})
}

// TestPurgeAfterCrash: a group deleted from the state store whose events a
// crash kept from being deleted loses them at the next start.
func TestPurgeAfterCrash(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openTest(t, dir)
	g := &store.LogGroup{Account: "123456789012", Region: "us-east-1", Name: "g", Class: "STANDARD"}
	if err := s.Logs().CreateLogGroup(ctx, g, "arn", nil); err != nil {
		t.Fatal(err)
	}
	st := &store.LogStream{GroupID: g.ID, Name: "s"}
	if err := s.Logs().CreateLogStream(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := ingest(t, s, g.ID, st.ID, "m"); err != nil {
		t.Fatal(err)
	}
	// The state store's half of DeleteLogGroup only, as if the process
	// died before the telemetry store's.
	if err := s.state.Logs().DeleteLogGroup(ctx, g.ID, "arn"); err != nil {
		t.Fatal(err)
	}
	if events, _ := s.Logs().LogEvents(ctx, store.LogEventQuery{GroupID: g.ID}); len(events) != 1 {
		t.Fatalf("before the restart: %d events; want the one left behind", len(events))
	}
	s.Close()
	s = openTest(t, dir)
	defer s.Close()
	if events, err := s.Logs().LogEvents(ctx, store.LogEventQuery{GroupID: g.ID}); err != nil || len(events) != 0 {
		t.Errorf("after the restart: %v, %v; want the events purged", events, err)
	}
	if purges, err := s.state.Logs().Purges(ctx); err != nil || len(purges) != 0 {
		t.Errorf("purges left: %v, %v", purges, err)
	}
}

// TestIngestRacingDeletion: events for a stream deleted meanwhile (its
// writer resolved the stream just before) are refused, not stored where
// nobody sees them.
func TestIngestRacingDeletion(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	g := &store.LogGroup{Account: "123456789012", Region: "us-east-1", Name: "g", Class: "STANDARD"}
	if err := s.Logs().CreateLogGroup(ctx, g, "arn", nil); err != nil {
		t.Fatal(err)
	}
	a, b := &store.LogStream{GroupID: g.ID, Name: "a"}, &store.LogStream{GroupID: g.ID, Name: "b"}
	for _, st := range []*store.LogStream{a, b} {
		if err := s.Logs().CreateLogStream(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Logs().DeleteLogStream(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := ingest(t, s, g.ID, a.ID, "late"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ingest into a deleted stream = %v; want ErrNotFound", err)
	}
	if err := ingest(t, s, g.ID, b.ID, "fine"); err != nil {
		t.Errorf("Ingest into its sibling = %v", err)
	}
	if err := s.Logs().DeleteLogGroup(ctx, g.ID, "arn"); err != nil {
		t.Fatal(err)
	}
	if err := ingest(t, s, g.ID, b.ID, "late"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ingest into a deleted group = %v; want ErrNotFound", err)
	}
}
