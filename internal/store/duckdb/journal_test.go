package duckdb

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// ingestN stores n one-event batches in stream st, messages prefix-0….
func ingestN(t *testing.T, s *Store, g *store.LogGroup, st *store.LogStream, prefix string, n int) {
	t.Helper()
	l := s.Logs()
	for i := range n {
		seq, err := l.ReserveSeqs(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		ev := []store.LogEvent{{Timestamp: time.Now().UnixMilli(), Seq: seq, Message: fmt.Sprintf("%s-%d", prefix, i)}}
		if err := l.Ingest(context.Background(), &store.IngestBatch{GroupID: g.ID, StreamID: st.ID, Ingestion: 1, Events: ev}); err != nil {
			t.Fatal(err)
		}
	}
}

// logFixture names group 1 and its stream 2: the telemetry store knows
// groups and streams by id only.
func logFixture(testing.TB, *Store) (*store.LogGroup, *store.LogStream) {
	return &store.LogGroup{ID: 1, Account: "a", Region: "r", Name: "g"}, &store.LogStream{ID: 2, GroupID: 1, Name: "s"}
}

func storedMessages(t *testing.T, s *Store, g *store.LogGroup) map[string]bool {
	t.Helper()
	events, err := s.Logs().LogEvents(context.Background(), store.LogEventQuery{GroupID: g.ID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range events {
		out[e.Message] = true
	}
	return out
}

// TestJournaledWritesSurviveFailures checks that writes acknowledged
// through the journal outlive a failing write and a panicking one (which
// roll back the transaction holding them), are visible to readers at
// once, and are committed by the delay without any reader.
func TestJournaledWritesSurviveFailures(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	g, st := logFixture(t, s)
	before := s.CommitStats()
	ingestN(t, s, g, st, "a", 20)
	if got := s.CommitStats().Journaled - before.Journaled; got != 20 {
		t.Fatalf("journaled writes = %d; want 20 (appends only)", got)
	}
	boom := errors.New("boom")
	if err := s.write(context.Background(), func(tx *Tx) error {
		if err := tx.Append("log_events", [][]driver.Value{{g.ID, st.ID, int64(1), int64(1), int64(999_999), "doomed"}}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failing write = %v; want boom", err)
	}
	ingestN(t, s, g, st, "b", 5)
	if err := s.write(context.Background(), func(tx *Tx) error { panic("bad write") }); err == nil {
		t.Fatal("panicking write succeeded")
	}
	got := storedMessages(t, s, g)
	for _, prefix := range []string{"a", "b"} {
		n := map[string]int{"a": 20, "b": 5}[prefix]
		for i := range n {
			if m := fmt.Sprintf("%s-%d", prefix, i); !got[m] {
				t.Errorf("acknowledged event %s lost", m)
			}
		}
	}
	if got["doomed"] {
		t.Error("the failed write's row was stored")
	}

	// Without readers, the open transaction commits after the delay.
	ingestN(t, s, g, st, "c", 3)
	commits := s.CommitStats().Commits
	deadline := time.Now().Add(10 * journalMaxDelay)
	for s.CommitStats().Commits == commits && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.CommitStats().Commits == commits {
		t.Errorf("journaled writes not committed %s after they were acknowledged", 10*journalMaxDelay)
	}
	if n := s.w.unsynced.Load(); n != 0 {
		t.Errorf("unsynced writes after the commit = %d; want 0", n)
	}
}

// journalFile returns a journal file's contents: a header for schema
// version schema (none when schema is -1: format 0) and records numbered
// from first.
func journalFile(schema int, first uint64, payloads ...[]byte) []byte {
	var b []byte
	if schema >= 0 {
		b = appendHeader(b, schema)
	}
	for i, p := range payloads {
		b = appendRecord(b, first+uint64(i), p)
	}
	return b
}

// eventRow encodes a write that appended one log event.
func eventRow(t testing.TB, g *store.LogGroup, st *store.LogStream, seq int64, msg string) []byte {
	t.Helper()
	p, ok := encodeAppends(nil, []tableRows{{"log_events", [][]driver.Value{{g.ID, st.ID, int64(5), int64(5), seq, msg}}}})
	if !ok {
		t.Fatal("cannot encode")
	}
	return p
}

// TestReplayJournal writes journal files by hand, with a header and
// without (as builds before the header wrote them), for a closed store
// and checks that opening it appends the records past the committed
// position only once, and leaves the journal with only a header.
func TestReplayJournal(t *testing.T) {
	for _, schema := range []int{len(migrations), -1} {
		dir := t.TempDir()
		s := openTest(t, dir)
		g, st := logFixture(t, s)
		ingestN(t, s, g, st, "committed", 3)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// The store's close committed the journal at lsn 3.
		var payloads [][]byte
		for i, msg := range []string{"old-1", "old-2", "old-3", "new-4", "new-5"} {
			payloads = append(payloads, eventRow(t, g, st, int64(100+i), msg))
		}
		data := append(journalFile(schema, 1, payloads...), 1, 2, 3) // and a torn record
		if err := os.WriteFile(filepath.Join(dir, JournalName), data, 0o600); err != nil {
			t.Fatal(err)
		}

		for range 2 { // the second open finds nothing left to replay
			s = openTest(t, dir)
			got := storedMessages(t, s, g)
			for _, m := range []string{"committed-0", "committed-2", "new-4", "new-5"} {
				if !got[m] {
					t.Errorf("schema %d: %s missing after replay", schema, m)
				}
			}
			if got["old-1"] || got["old-3"] {
				t.Errorf("schema %d: records the database already included were replayed: %v", schema, got)
			}
			if n := len(got); n != 5 {
				t.Errorf("schema %d: stored %d events; want 5 (no record replayed twice)", schema, n)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
		after, err := os.ReadFile(filepath.Join(dir, JournalName))
		if want := appendHeader(nil, len(migrations)); err != nil || !bytes.Equal(after, want) {
			t.Errorf("schema %d: journal after replay = %x, %v; want only the header %x", schema, after, err, want)
		}
	}
}

func TestAppendsRoundTrip(t *testing.T) {
	in := []tableRows{
		{"t1", [][]driver.Value{{int64(-5), int32(7), 1.5, "héllo", []byte{0, 1}, nil, true, false}, {int64(math.MaxInt64), int32(math.MinInt32), math.Inf(-1), "", []byte{}, nil, false, true}}},
		{"t2", [][]driver.Value{{"x"}}},
	}
	p, ok := encodeAppends(nil, in)
	if !ok {
		t.Fatal("encodeAppends refused supported types")
	}
	out, err := decodeAppends(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n got %#v\nwant %#v", out, in)
	}
	if _, ok := encodeAppends(nil, []tableRows{{"t", [][]driver.Value{{time.Now()}}}}); ok {
		t.Error("encodeAppends accepted a time.Time; such writes must commit instead")
	}
}

// FuzzDecodeAppends: a damaged journal must never crash the store or make
// it allocate what the input cannot hold, and what decodes must encode to
// the same rows.
func FuzzDecodeAppends(f *testing.F) {
	p, _ := encodeAppends(nil, []tableRows{{"log_events", [][]driver.Value{{int64(1), "m", nil, 2.5, []byte("b"), int32(3), true}}}})
	f.Add(p)
	f.Add([]byte{1, 1, 't', 0xff, 0xff, 0xff, 0xff, 0x0f, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := decodeAppends(b)
		if err != nil {
			return
		}
		again, ok := encodeAppends(nil, rows)
		if !ok {
			t.Fatalf("decoded rows do not encode: %#v", rows)
		}
		rows2, err := decodeAppends(again)
		if err != nil || !reflect.DeepEqual(rows, rows2) {
			t.Fatalf("re-encoded rows decode to %#v, %v; want %#v", rows2, err, rows)
		}
	})
}

// FuzzJournalRecords: reading a damaged journal file stops at the damage
// without crashing, and reports records in order.
func FuzzJournalRecords(f *testing.F) {
	f.Add(journalFile(7, 1, []byte("one"), []byte("two")), uint64(0))
	f.Add(journalFile(-1, 1, []byte("one"), []byte("two")), uint64(0))
	f.Add(journalFile(-1, 1, []byte("one"), []byte("two"))[:20], uint64(1))
	f.Add(journalFile(7, 4, []byte("four")), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, after uint64) {
		last := after
		_, got, _ := readJournal(data, after, func(lsn uint64, _ []byte) error {
			if lsn != last+1 {
				t.Fatalf("record %d after %d", lsn, last)
			}
			last = lsn
			return nil
		})
		if got != last {
			t.Fatalf("readJournal returned lsn %d after reading up to %d", got, last)
		}
	})
}

// TestBadRowsFailOnlyTheirWrite sends writes whose rows DuckDB would
// refuse among good ones: a missing value (the writer refuses it when it
// is appended) and a duplicate key (DuckDB reports it only when the rows
// of a whole batch move into the transaction). Only the bad writes may
// fail.
func TestBadRowsFailOnlyTheirWrite(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	g, st := logFixture(t, s)
	results := make([]error, 60)
	bad := func(i int) bool { return i%10 == 3 }
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var msg driver.Value = fmt.Sprintf("m-%d", i)
			if i%10 == 3 {
				msg = nil
			}
			// Writes 7, 17, … take the outbox id of the write before them.
			id := int64(i)
			if i%10 == 7 {
				id = int64(i - 1)
			}
			results[i] = s.write(context.Background(), func(tx *Tx) error {
				if err := tx.Append("log_events", [][]driver.Value{{g.ID, st.ID, int64(i), int64(1), int64(i + 1), msg}}); err != nil {
					return err
				}
				return tx.Append("outbox", [][]driver.Value{{id, "k", "a", "r", "t", []byte{}, int32(0), int64(0), "", int32(1), int64(0), int64(0), int64(0), int64(0)}})
			})
		}()
	}
	wg.Wait()
	got := storedMessages(t, s, g)
	for i, err := range results {
		switch i % 10 {
		case 6: // of two writes with the same key, either is refused
			if (err == nil) == (results[i+1] == nil) {
				t.Errorf("writes %d and %d with one key = %v, %v; want one refused", i, i+1, err, results[i+1])
			}
		case 7:
		default:
			if bad(i) != (err != nil) {
				t.Errorf("write %d (bad %v) = %v", i, bad(i), err)
			}
		}
		if err == nil && !got[fmt.Sprintf("m-%d", i)] {
			t.Errorf("acknowledged write %d not stored", i)
		}
	}
	if len(got) != 48 {
		t.Errorf("stored %d events; want 48", len(got))
	}
}

// TestJournalWriteFailure: records whose write failed are taken out of
// the journal's numbering, and a journal that cannot even be cut back is
// reported fatal.
func TestJournalWriteFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), JournalName)
	j, err := createJournal(path, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	j.add([]byte("one"))
	if fatal, err := j.write(); err != nil || fatal {
		t.Fatalf("write = %v, %v", fatal, err)
	}
	j.close()
	ro, err := os.Open(path) // writes and truncation fail on it
	if err != nil {
		t.Fatal(err)
	}
	j.f = ro
	defer ro.Close()
	j.add([]byte("two"))
	j.add([]byte("three"))
	fatal, err := j.write()
	if err == nil || !fatal {
		t.Fatalf("write to a read-only file = %v, %v; want a fatal error", fatal, err)
	}
	if j.lsn != 1 {
		t.Errorf("lsn after the failed write = %d; want 1", j.lsn)
	}
}
