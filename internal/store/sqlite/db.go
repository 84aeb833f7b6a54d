// Package sqlite is the embedded store of Vigil's resource state: log
// groups and streams, filters, destinations, tags, accounts and keys,
// saved and running queries, anomaly detectors, leases — the many small
// durable transactions of the control plane, kept apart from the
// telemetry (log events, metric points) that DuckDB stores, so that a
// CreateLogStream never queues behind an ingestion commit and a read of
// state never waits for one.
//
// It is one SQLite database (state.db in the data directory) in WAL mode:
// readers run concurrently on a pool of connections and see every
// committed write; every write goes through one writer goroutine, which
// runs the writes waiting in its queue in one transaction, each under a
// savepoint (a failing write is rolled back alone), and commits them with
// one fsync (group commit). A write is answered once its transaction is
// durable.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"
)

// FileName is the database inside the data directory.
const FileName = "state.db"

// Store is an open state database.
type Store struct {
	path  string
	db    *sql.DB // readers
	w     *writer
	stmts stmtCache
}

// Preparing a statement costs SQLite more than running a small one, so
// readers and the writer keep their prepared statements. Queries are
// constant strings with parameters (a LIMIT too), so the cache stays
// small; it is bounded all the same.
const maxStatements = 256

// stmtCache holds the readers' prepared statements (each prepares itself
// on every pooled connection as needed).
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// query runs a query on the readers through a prepared statement.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmts.get(ctx, s.db, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	if len(c.m) < maxStatements {
		c.m[query] = st
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// Open opens (creating if needed) the state database in dir and brings its
// schema up to date. A database written by a newer Vigil is refused.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	// synchronous=FULL: a commit is on disk when it returns, so that an
	// acknowledged write survives a crash of the machine, not only of the
	// process.
	params := "_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_foreign_keys=ON"
	wdb, err := sql.Open("sqlite3", "file:"+path+"?"+params+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	conn, err := wdb.Conn(ctx)
	if err != nil {
		wdb.Close()
		return nil, openError(path, err)
	}
	s := &Store{path: path}
	if err := migrate(ctx, conn); err != nil {
		conn.Close()
		wdb.Close()
		return nil, err
	}
	s.w = newWriter(wdb, conn)
	s.db, err = sql.Open("sqlite3", "file:"+path+"?"+params+"&_query_only=1")
	if err != nil {
		s.w.close()
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	s.db.SetMaxOpenConns(8)
	s.db.SetMaxIdleConns(8)
	return s, nil
}

func openError(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return fmt.Errorf("database %s is damaged or not a Vigil database; restore it from a backup or move it away: %w", path, err)
	}
	return fmt.Errorf("cannot open database %s: %w", path, err)
}

// Close stops the writer (waiting for the writes in its queue) and closes
// the database.
func (s *Store) Close() error {
	werr := s.w.close()
	s.stmts.close()
	return errors.Join(werr, s.db.Close())
}

// Path returns the database file.
func (s *Store) Path() string { return s.path }

// SizeBytes returns the bytes the database and its write-ahead log occupy.
func (s *Store) SizeBytes() int64 {
	var n int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(s.path + suffix); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// isUnique reports whether err is a uniqueness (or primary key) violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// isForeignKey reports whether err is a foreign key violation.
func isForeignKey(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint && se.ExtendedCode == sqlite3.ErrConstraintForeignKey
}

// isNoRows reports whether err says a query found no row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
