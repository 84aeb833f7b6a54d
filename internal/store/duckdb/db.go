// Package duckdb is Vigil's embedded storage backend: one DuckDB database
// file in the data directory. DuckDB writes a write-ahead log and fsyncs it
// at every commit, so a committed write survives a crash; writes from many
// goroutines share commits through a group-commit writer (commit.go).
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	ddb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilhq/vigil/internal/store"
)

// FileName is the database file inside the data directory.
const FileName = "vigil.duckdb"

// Options configure the store.
type Options struct {
	// Threads bounds DuckDB's worker threads (0: DuckDB's default).
	Threads int
	// MemoryLimit bounds DuckDB's memory, e.g. "1GB" ("": DuckDB's default).
	MemoryLimit string
}

// Store is an open DuckDB database.
type Store struct {
	dir       string
	connector *ddb.Connector
	db        readDB
	w         *writer
	seq       atomic.Int64 // the last log event sequence number used
	outboxID  atomic.Int64 // the last outbox item id used
	metricSeq atomic.Int64 // the last metric point sequence number used

	stopMaintain, maintainDone chan struct{}
	metrics                    cache[store.MetricKey, store.Metric] // those committed
	activity                   cache[int64, int64]                  // metric id → when its activity was last recorded (ms)
}

// Open opens (creating if needed) the database in dir and brings its schema
// up to date. A database written by a newer Vigil, or a damaged one, is
// refused with an explanation and left untouched.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err == nil {
		// Inspect an existing database read-only before anything may
		// write to it.
		if err := checkExisting(ctx, path); err != nil {
			return nil, err
		}
	}
	connector, err := ddb.NewConnector(path+dsnOptions(opt), nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{dir: dir, connector: connector}
	s.db = readDB{db, s}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		connector.Close()
		return nil, err
	}
	w, err := newWriter(ctx, s, filepath.Join(dir, JournalName))
	if err != nil {
		db.Close()
		connector.Close()
		return nil, err
	}
	s.w = w
	if err := s.replayJournal(ctx); err != nil {
		w.close()
		db.Close()
		connector.Close()
		return nil, err
	}
	if err := s.loadCounters(ctx); err != nil {
		w.close()
		db.Close()
		connector.Close()
		return nil, err
	}
	s.stopMaintain, s.maintainDone = make(chan struct{}), make(chan struct{})
	go s.maintainLoop()
	return s, nil
}

func dsnOptions(opt Options) string {
	// New databases use DuckDB's newest storage format, which compresses
	// strings with zstd (log messages take a quarter of their raw size).
	params := []string{"storage_compatibility_version=latest"}
	if opt.Threads > 0 {
		params = append(params, "threads="+strconv.Itoa(opt.Threads))
	}
	if opt.MemoryLimit != "" {
		params = append(params, "memory_limit="+opt.MemoryLimit)
	}
	return "?" + strings.Join(params, "&")
}

// checkExisting opens an existing database read-only and refuses it when
// it is damaged or newer than this build.
func checkExisting(ctx context.Context, path string) error {
	connector, err := ddb.NewConnector(path+"?access_mode=READ_ONLY", nil)
	if err != nil {
		return openError(path, err)
	}
	defer connector.Close()
	db := sql.OpenDB(connector)
	defer db.Close()
	version, err := schemaVersion(ctx, db)
	if err != nil {
		return fmt.Errorf("cannot read the schema of %s (is it a Vigil database?): %w", path, err)
	}
	if version > len(migrations) {
		return fmt.Errorf("data directory %s was written by a newer Vigil (schema version %d, this build knows up to %d); refusing to open it",
			filepath.Dir(path), version, len(migrations))
	}
	return nil
}

// openError explains why DuckDB refused a database file.
func openError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock"), strings.Contains(msg, "Conflicting lock"):
		return fmt.Errorf("data directory %s is in use by another process: %w", filepath.Dir(path), err)
	case strings.Contains(msg, "not a valid DuckDB database"), strings.Contains(msg, "Corrupt"), strings.Contains(msg, "corrupt"),
		strings.Contains(msg, "checksum"), strings.Contains(msg, "magic"):
		return fmt.Errorf("database %s is damaged or not a Vigil database; restore it from a backup or move it away: %w", path, err)
	case strings.Contains(msg, "newer version"), strings.Contains(msg, "storage version"):
		return fmt.Errorf("database %s was written by a newer Vigil (its DuckDB storage format is newer): %w", path, err)
	}
	return fmt.Errorf("cannot open database %s: %w", path, err)
}

// cache is a map safe for concurrent use. Its typed keys hash faster than
// sync.Map's interface keys, which matters at a lookup per data point.
type cache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func (c *cache[K, V]) load(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *cache[K, V]) store(k K, v V) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	c.m[k] = v
	c.mu.Unlock()
}

// readDB is the database as readers use it: a query first syncs the
// writer, so that it sees every acknowledged write.
type readDB struct {
	*sql.DB
	s *Store
}

func (r readDB) sync(ctx context.Context) {
	if r.s.w != nil {
		r.s.w.sync(ctx)
	}
}

// QueryContext runs a query.
func (r readDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	r.sync(ctx)
	return r.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (r readDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	r.sync(ctx)
	return r.DB.QueryRowContext(ctx, query, args...)
}

// Conn returns a connection for queries that must share one.
func (r readDB) Conn(ctx context.Context) (*sql.Conn, error) {
	r.sync(ctx)
	return r.DB.Conn(ctx)
}

// replayJournal commits the journaled writes a crash left uncommitted.
func (s *Store) replayJournal(ctx context.Context) error {
	var committed uint64
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM vigil_meta WHERE key = 'journal_lsn'`).Scan(&v)
	if err == nil {
		committed, err = strconv.ParseUint(v, 10, 64)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cannot read the journal position: %w", err)
	}
	var payloads [][]byte
	if err := s.w.journal.readRecords(committed, func(_ uint64, p []byte) error {
		payloads = append(payloads, p)
		return nil
	}); err != nil {
		return err
	}
	if len(payloads) == 0 {
		return s.w.journal.reset()
	}
	err = s.write(ctx, func(tx *Tx) error {
		for _, p := range payloads {
			if err := tx.w.appendPayload(p); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT OR REPLACE INTO vigil_meta VALUES ('journal_lsn', ?)`, strconv.FormatUint(s.w.journal.lsn, 10))
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot replay %d journaled writes: %w", len(payloads), err)
	}
	slog.Info("replayed journaled writes", "writes", len(payloads))
	return s.w.journal.reset()
}

// Close stops the writer, checkpoints and closes the database.
func (s *Store) Close() error {
	close(s.stopMaintain)
	<-s.maintainDone
	mErr := s.Maintain(context.Background())
	s.w.close()
	_, cpErr := s.db.Exec("CHECKPOINT")
	err := errors.Join(mErr, cpErr, s.db.Close(), s.connector.Close())
	if err != nil {
		return fmt.Errorf("cannot close database in %s: %w", s.dir, err)
	}
	return nil
}

// SizeBytes returns the bytes the database occupies on disk.
func (s *Store) SizeBytes() int64 {
	var total int64
	for _, name := range []string{FileName, FileName + ".wal"} {
		if fi, err := os.Stat(filepath.Join(s.dir, name)); err == nil {
			total += fi.Size()
		}
	}
	return total
}

// CommitStats reports the group-commit writer's counters.
func (s *Store) CommitStats() CommitStats { return s.w.stats() }
