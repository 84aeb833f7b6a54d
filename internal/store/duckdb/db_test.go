package duckdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

func TestGroupCommitSharesCommits(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	const writers = 200
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := putMeta(s, fmt.Sprintf("t-%03d", i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st := s.CommitStats()
	if st.Writes != writers {
		t.Fatalf("writes committed = %d; want %d", st.Writes, writers)
	}
	if st.Commits >= writers {
		t.Errorf("commits = %d for %d concurrent writes; want fewer commits than writes", st.Commits, writers)
	}
}

// putMeta writes a row of vigil_meta, a small SQL write.
func putMeta(s *Store, key string) error {
	return s.write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO vigil_meta VALUES (?, 'x')`, key)
		return err
	})
}

// testKeys lists the vigil_meta keys putMeta wrote.
func testKeys(t *testing.T, s *Store) map[string]bool {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT key FROM vigil_meta WHERE starts_with(key, 't-')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out[k] = true
	}
	return out
}

func TestFailedWriteDoesNotSinkItsBatch(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	results := make([]error, 50)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.write(ctx, func(tx *Tx) error {
				if _, err := tx.Exec(`INSERT INTO vigil_meta VALUES (?, 'x')`, fmt.Sprintf("t-%03d", i)); err != nil {
					return err
				}
				if i%7 == 0 {
					return boom
				}
				if i%11 == 0 {
					panic("bad write")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	want := 0
	for i, err := range results {
		switch {
		case i%7 == 0:
			if !errors.Is(err, boom) {
				t.Errorf("write %d = %v; want boom", i, err)
			}
		case i%11 == 0:
			if err == nil || !strings.Contains(err.Error(), "panic") {
				t.Errorf("write %d = %v; want the panic as an error", i, err)
			}
		default:
			want++
			if err != nil {
				t.Errorf("write %d = %v; want nil", i, err)
			}
		}
	}
	if got := testKeys(t, s); len(got) != want {
		t.Fatalf("rows stored = %d; want %d (only the successful writes)", len(got), want)
	}
}

func TestWriteAfterCloseFails(t *testing.T) {
	s := openTest(t, t.TempDir())
	s.Close()
	err := putMeta(s, "t-1")
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("write after Close = %v; want ErrClosed", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := putMeta(s, "t-1"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir)
	defer s.Close()
	if got := testKeys(t, s); !got["t-1"] {
		t.Fatalf("after reopen: %v; want the row", got)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, err := s.db.Exec(`UPDATE vigil_meta SET value = '999' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(filepath.Join(dir, FileName))
	_, err := Open(context.Background(), dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer Vigil") {
		t.Fatalf("Open(newer schema) = %v; want a newer-Vigil error", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(before) != string(after) {
		t.Errorf("Open of a newer database changed its file")
	}
}

func TestRefusesCorruptDatabase(t *testing.T) {
	dir := t.TempDir()
	junk := []byte(strings.Repeat("not a database ", 1000))
	if err := os.WriteFile(filepath.Join(dir, FileName), junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, Options{})
	if err == nil {
		t.Fatal("Open(corrupt) succeeded; want an error")
	}
	t.Logf("error: %v", err)
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if string(after) != string(junk) {
		t.Errorf("Open of a corrupt database changed its file")
	}
}

// TestKill9KeepsAcknowledgedWrites runs writers in a child process, kills it
// with SIGKILL mid-stream and checks that every write it acknowledged is in
// the database: writes that commit (accounts) and writes the journal makes
// durable (log events), the latter also when the database is opened next
// by a build whose schema has a migration more, which changes the table
// the journal's rows belong to (events-upgrade).
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	if dir := os.Getenv("VIGIL_KILL9_CHILD"); dir != "" {
		kill9Child(dir, os.Getenv("VIGIL_KILL9_KIND"))
		return
	}
	if testing.Short() {
		t.Skip("spawns a process")
	}
	for _, kind := range []string{"sql", "events", "events-upgrade"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestKill9KeepsAcknowledgedWrites$")
			cmd.Env = append(os.Environ(), "VIGIL_KILL9_CHILD="+dir, "VIGIL_KILL9_KIND="+kind)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[string]bool{}
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if id, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
					acked[id] = true
					if len(acked) == 300 {
						cmd.Process.Signal(syscall.SIGKILL)
						break
					}
				} else {
					t.Log(sc.Text())
				}
			}
			cmd.Wait()
			if len(acked) < 300 {
				t.Fatalf("child acknowledged only %d writes", len(acked))
			}
			var opt Options
			if kind == "events-upgrade" {
				opt.migrations = upgraded()
				// The upgrade is tested only if the crash left
				// acknowledged writes in the journal alone.
				_, committed := inspect(t, dir)
				data, err := os.ReadFile(filepath.Join(dir, JournalName))
				if err != nil {
					t.Fatal(err)
				}
				var pending int
				if _, _, err := readJournal(data, committed, func(uint64, []byte) error { pending++; return nil }); err != nil || pending == 0 {
					t.Fatalf("journal after kill -9: %d writes to replay, %v; want some", pending, err)
				}
				t.Logf("%d journaled writes to replay", pending)
			}
			s, err := Open(context.Background(), dir, opt)
			if err != nil {
				t.Fatalf("Open after kill -9: %v", err)
			}
			defer s.Close()
			stored := map[string]bool{}
			if kind == "sql" {
				stored = testKeys(t, s)
			} else {
				events, err := s.Logs().LogEvents(context.Background(), store.LogEventQuery{GroupID: 1})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range events {
					stored[e.Message] = true
				}
			}
			for id := range acked {
				if !stored[id] {
					t.Errorf("acknowledged write %s lost after kill -9", id)
				}
			}
			t.Logf("%d acknowledged, %d stored", len(acked), len(stored))
		})
	}
}

// kill9Child writes until it is killed, printing "ack ID" for each write
// acknowledged: SQL writes, or batches of log events (one ID per event).
func kill9Child(dir, kind string) {
	fail := func(err error) {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	l := s.Logs()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				var ids []string
				if kind == "sql" {
					id := fmt.Sprintf("t-%02d-%010d", w, i)
					if err := putMeta(s, id); err != nil {
						fail(err)
					}
					ids = append(ids, id)
				} else {
					events := make([]store.LogEvent, 10)
					first, err := l.ReserveSeqs(ctx, len(events))
					if err != nil {
						fail(err)
					}
					for k := range events {
						id := fmt.Sprintf("%02d-%08d-%02d", w, i, k)
						events[k] = store.LogEvent{Timestamp: time.Now().UnixMilli(), Seq: first + int64(k), Message: id}
						ids = append(ids, id)
					}
					if err := l.Ingest(ctx, &store.IngestBatch{GroupID: 1, StreamID: int64(10 + w), Ingestion: 1, Events: events}); err != nil {
						fail(err)
					}
				}
				mu.Lock()
				for _, id := range ids {
					fmt.Println("ack", id)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestMigratesPendingPoints: a database whose pending metric points are
// in metric_points (a row per point, before metric_batches) keeps them,
// a write per batch; one that has metric_batches already opens as is.
func TestMigratesPendingPoints(t *testing.T) {
	ctx := context.Background()
	for _, old := range []bool{true, false} {
		dir := t.TempDir()
		s := openTest(t, dir)
		if old {
			for _, q := range []string{
				`DROP TABLE metric_batches`,
				`CREATE TABLE metric_points (seq BIGINT NOT NULL, metric_id BIGINT NOT NULL, ts BIGINT NOT NULL, resolution SMALLINT NOT NULL,
					unit VARCHAR NOT NULL, count DOUBLE NOT NULL, sum DOUBLE NOT NULL, min DOUBLE NOT NULL, max DOUBLE NOT NULL, dist BLOB)`,
				`INSERT INTO metric_points VALUES (1, 7, 60000, 60, 'Count', 1, 5, 5, 5, NULL), (1, 3, 61000, 1, 'None', 2, 3, 1, 2, '\x01\x02'::BLOB),
					(2, 7, 120000, 60, 'Count', 1, 9, 9, 9, NULL)`,
			} {
				if _, err := s.db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The database is set back to before the metric batches migration
		// (the migrations after it run again; they take tables as they
		// were).
		before := slices.IndexFunc(migrations, func(m migration) bool { return m.name == "metric batches" })
		if _, err := s.db.Exec(`UPDATE vigil_meta SET value = ? WHERE key = 'schema_version'`, strconv.Itoa(before)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = openTest(t, dir)
		var got []store.StoredPoint
		through, err := s.Metrics().PendingPoints(ctx, 0, 1000, func(p *store.StoredPoint) { got = append(got, *p) })
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !old {
			if len(got) != 0 {
				t.Errorf("new schema: pending = %+v; want none", got)
			}
			continue
		}
		want := []store.StoredPoint{
			{MetricID: 7, PointValue: store.PointValue{Timestamp: 60000, Resolution: 60, Unit: "Count", Count: 1, Sum: 5, Min: 5, Max: 5}},
			{MetricID: 3, PointValue: store.PointValue{Timestamp: 61000, Resolution: 1, Unit: "None", Count: 2, Sum: 3, Min: 1, Max: 2, Dist: []byte{1, 2}}},
			{MetricID: 7, PointValue: store.PointValue{Timestamp: 120000, Resolution: 60, Unit: "Count", Count: 1, Sum: 9, Min: 9, Max: 9}},
		}
		if through != 2 || !reflect.DeepEqual(got, want) {
			t.Errorf("migrated pending points = %+v through %d; want %+v through 2", got, through, want)
		}
	}
}
