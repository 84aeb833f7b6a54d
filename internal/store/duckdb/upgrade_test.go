package duckdb

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	ddb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilhq/vigil/internal/store"
)

// upgraded is the schema of a later build: one migration more, which adds
// a column to a table whose rows the journal carries.
func upgraded() []migration {
	return append(slices.Clip(migrations), migration{name: "test: log event attributes", sql: `ALTER TABLE log_events ADD COLUMN attributes VARCHAR`})
}

// inspect reads a closed database's schema version and committed journal
// position without writing to it.
func inspect(t testing.TB, dir string) (schema int, lsn uint64) {
	t.Helper()
	connector, err := ddb.NewConnector(filepath.Join(dir, FileName)+"?access_mode=READ_ONLY", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer connector.Close()
	db := sql.OpenDB(connector)
	defer db.Close()
	if schema, err = schemaVersion(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := db.QueryRow(`SELECT coalesce(max(value), '0') FROM vigil_meta WHERE key = 'journal_lsn'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if lsn, err = strconv.ParseUint(v, 10, 64); err != nil {
		t.Fatal(err)
	}
	return schema, lsn
}

// committedFixture makes a closed database with a log group, a stream and
// two committed events (journal position 2).
func committedFixture(t *testing.T) (dir string, g *store.LogGroup, st *store.LogStream) {
	t.Helper()
	dir = t.TempDir()
	s := openTest(t, dir)
	g, st = logFixture(t, s)
	ingestN(t, s, g, st, "committed", 2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, lsn := inspect(t, dir); lsn != 2 {
		t.Fatalf("fixture journal position = %d; want 2", lsn)
	}
	return dir, g, st
}

// TestReplayBeforeMigrating: writes journaled by a build are committed by
// the next build, whose schema has a migration more that changes their
// table, whether the journal has a header or not.
func TestReplayBeforeMigrating(t *testing.T) {
	ctx := context.Background()
	for _, schema := range []int{len(migrations), -1} {
		dir, g, st := committedFixture(t)
		data := journalFile(schema, 3, eventRow(t, g, st, 100, "journaled-3"), eventRow(t, g, st, 101, "journaled-4"))
		if err := os.WriteFile(filepath.Join(dir, JournalName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(ctx, dir, Options{migrations: upgraded()})
		if err != nil {
			t.Fatalf("journal of schema %d: Open with a migration more: %v", schema, err)
		}
		got := storedMessages(t, s, g)
		for _, m := range []string{"committed-0", "committed-1", "journaled-3", "journaled-4"} {
			if !got[m] {
				t.Errorf("journal of schema %d: %s missing after the upgrade", schema, m)
			}
		}
		var version, nulls int
		if version, err = schemaVersion(ctx, s.db); err != nil || version != len(migrations)+1 {
			t.Errorf("journal of schema %d: schema version %d, %v; want %d", schema, version, err, len(migrations)+1)
		}
		if err := s.db.QueryRow(`SELECT count(*) FROM log_events WHERE attributes IS NULL`).Scan(&nulls); err != nil || nulls != 4 {
			t.Errorf("journal of schema %d: %d events with the new column, %v; want 4", schema, nulls, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		after, err := os.ReadFile(filepath.Join(dir, JournalName))
		if want := appendHeader(nil, len(migrations)+1); err != nil || !bytes.Equal(after, want) {
			t.Errorf("journal of schema %d: after the upgrade %x, %v; want the new schema's header %x", schema, after, err, want)
		}
	}
}

// TestRefusesJournalItCannotApply: a journal whose acknowledged writes do
// not belong to the database's schema, or cannot be read or appended, is
// refused with an explanation; the journal keeps every byte and the
// database is neither migrated nor half-replayed (moving the journal away
// opens it with its committed events only).
func TestRefusesJournalItCannotApply(t *testing.T) {
	v := len(migrations)
	newerHeader := append([]byte(journalMagic), 2, 0, 0, 0, byte(v), 0, 0, 0)
	for _, tc := range []struct {
		name string
		file func(g *store.LogGroup, st *store.LogStream) []byte
		want string
	}{
		{"newer schema", func(g *store.LogGroup, st *store.LogStream) []byte {
			return journalFile(v+1, 3, eventRow(t, g, st, 100, "x"))
		}, "rows of schema version " + strconv.Itoa(v+1) + ", but the database is at version " + strconv.Itoa(v)},
		{"older schema", func(g *store.LogGroup, st *store.LogStream) []byte {
			return journalFile(v-1, 3, eventRow(t, g, st, 100, "x"))
		}, "rows of schema version " + strconv.Itoa(v-1)},
		{"newer format", func(g *store.LogGroup, st *store.LogStream) []byte {
			return appendRecord(appendRecord(nil, 0, newerHeader), 3, eventRow(t, g, st, 100, "x"))
		}, "newer Vigil (journal format 2"},
		{"damaged header", func(g *store.LogGroup, st *store.LogStream) []byte {
			return appendRecord(appendRecord(nil, 0, []byte("not a header")), 3, eventRow(t, g, st, 100, "x"))
		}, "not a journal header"},
		{"gap", func(g *store.LogGroup, st *store.LogStream) []byte {
			return journalFile(v, 4, eventRow(t, g, st, 100, "x"))
		}, "record 4 follows 2"},
		// A journal without a header that a build from before Open
		// replayed first left behind when it had migrated already: its
		// rows lack the new column.
		{"rows of another shape", func(g *store.LogGroup, st *store.LogStream) []byte {
			p, _ := encodeAppends(nil, []tableRows{{"log_events", [][]driver.Value{{g.ID, st.ID, int64(5), int64(5), int64(100)}}}})
			return journalFile(-1, 3, eventRow(t, g, st, 99, "fits"), p)
		}, "cannot replay the 2 acknowledged writes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, g, st := committedFixture(t)
			path := filepath.Join(dir, JournalName)
			data := tc.file(g, st)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(context.Background(), dir, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v; want an error saying %q", err, tc.want)
			}
			t.Logf("error: %v", err)
			if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
				t.Errorf("refused journal changed:\n got %x\nwant %x", after, data)
			}
			if schema, lsn := inspect(t, dir); schema != v || lsn != 2 {
				t.Errorf("database after the refusal: schema %d, journal position %d; want %d, 2", schema, lsn, v)
			}
			if err := os.Rename(path, path+".kept"); err != nil {
				t.Fatal(err)
			}
			s := openTest(t, dir)
			defer s.Close()
			if got := storedMessages(t, s, g); len(got) != 2 {
				t.Errorf("events without the journal: %v; want the 2 committed", got)
			}
		})
	}
}

// TestRefusesJournalWithoutDatabase: acknowledged writes whose database
// is missing are not replayed into a new one.
func TestRefusesJournalWithoutDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, JournalName)
	data := journalFile(len(migrations), 1, []byte{1, 1, 't', 0, 0})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "is new") {
		t.Fatalf("Open = %v; want an error saying the database is new", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
		t.Errorf("refused journal changed:\n got %x\nwant %x", after, data)
	}
}

// TestOpensJournalWithHeaderOnly: a journal that holds nothing to replay
// opens whatever schema or format its header names, and is replaced by
// one of this build's.
func TestOpensJournalWithHeaderOnly(t *testing.T) {
	v := len(migrations)
	for _, hdr := range [][]byte{
		appendHeader(nil, v-1),
		appendHeader(nil, v+5),
		appendRecord(nil, 0, append([]byte(journalMagic), 2, 0, 0, 0)),
		appendRecord(appendHeader(nil, v+5), 2, []byte("committed already")),
		{},
	} {
		dir, g, _ := committedFixture(t)
		path := filepath.Join(dir, JournalName)
		if err := os.WriteFile(path, hdr, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(context.Background(), dir, Options{})
		if err != nil {
			t.Fatalf("journal %x: Open = %v", hdr, err)
		}
		if got := storedMessages(t, s, g); len(got) != 2 {
			t.Errorf("journal %x: events %v; want the 2 committed", hdr, got)
		}
		s.Close()
		if after, _ := os.ReadFile(path); !bytes.Equal(after, appendHeader(nil, v)) {
			t.Errorf("journal %x: after open %x; want this build's header", hdr, after)
		}
	}
}
