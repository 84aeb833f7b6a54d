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
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	ddb "github.com/duckdb/duckdb-go/v2"
	"time"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
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

	// Names resolves the ids of log groups and streams, which another
	// store keeps (Logs Insights shows their names).
	Names Names

	// Clock times the journal's commit delay (clock.System{} when nil):
	// how long journaled writes may wait for their DuckDB commit, a
	// matter of I/O, so Vigil passes the real clock even in --dev mode.
	Clock clock.Clock

	// migrations replaces the schema's migrations (nil: the package's),
	// so that a test can open a database as a later build would.
	migrations []migration
}

// Names resolves the ids of log groups and streams.
type Names interface {
	// StreamNames returns the names of the streams of groups by id.
	StreamNames(ctx context.Context, groupIDs []int64) (map[int64]string, error)
	// LogRef returns the @log of a group ("account:name") and the name of
	// one of its streams, or ErrNotFound.
	LogRef(ctx context.Context, groupID, streamID int64) (log, stream string, err error)
}

// noNames resolves no id.
type noNames struct{}

func (noNames) StreamNames(context.Context, []int64) (map[int64]string, error) { return nil, nil }
func (noNames) LogRef(context.Context, int64, int64) (string, string, error) {
	return "", "", store.ErrNotFound
}

// Store is an open DuckDB database.
type Store struct {
	dir        string
	migrations []migration // the schema this build knows
	names      Names
	clock      clock.Clock
	connector  *ddb.Connector
	db         readDB
	w          *writer
	seq        atomic.Int64 // the last log event sequence number used
	purged     purgedSet    // groups and streams purged lately (writer only)
	outboxID   atomic.Int64 // the last outbox item id used
	metricSeq  atomic.Int64 // the last metric point sequence number used

	// metrics are those committed, by key (ids never change: the cache
	// is bounded, not invalidated); activity holds the metrics whose
	// activity was recorded within activityEvery (store's clock).
	metrics  *cache.TTL[store.MetricKey, store.Metric]
	activity *cache.TTL[int64, struct{}]
}

// Bounds of the metric caches: past them, the least recently used
// metrics are read from the database again.
const (
	metricCacheSize = 256 << 10
	metricCacheTTL  = time.Hour
)

// Open opens (creating if needed) the database in dir and brings its schema
// up to date. A database written by a newer Vigil, or a damaged one, is
// refused with an explanation and left untouched; so is a journal of
// acknowledged writes that cannot be applied.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	migs := opt.migrations
	if migs == nil {
		migs = migrations
	}
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err == nil {
		// Inspect an existing database read-only before anything may
		// write to it.
		if err := checkExisting(ctx, path, len(migs)); err != nil {
			return nil, err
		}
	}
	connector, err := ddb.NewConnector(path+dsnOptions(opt), nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	s := &Store{dir: dir, migrations: migs, connector: connector, names: opt.Names}
	if s.names == nil {
		s.names = noNames{}
	}
	s.metrics = cache.NewTTL[store.MetricKey, store.Metric](metricCacheSize, metricCacheTTL)
	s.activity = cache.NewTTL[int64, struct{}](metricCacheSize, time.Duration(activityEvery)*time.Millisecond)
	if s.clock = opt.Clock; s.clock == nil {
		s.clock = clock.System{}
	}
	s.db = readDB{db, s}
	if err := s.start(ctx); err != nil {
		if s.w != nil {
			s.w.close()
		}
		db.Close()
		connector.Close()
		return nil, err
	}
	return s, nil
}

// start commits what the journal holds, migrates, and starts the writer.
// The journal's rows list the columns of the schema that wrote them, so
// they are appended again before any migration changes that schema; a new
// journal then begins at the new schema version.
func (s *Store) start(ctx context.Context) error {
	if err := s.ensureMeta(ctx); err != nil {
		return err
	}
	version, err := schemaVersion(ctx, s.db)
	if err != nil {
		return fmt.Errorf("cannot read the schema version: %w", err)
	}
	if version > len(s.migrations) {
		return fmt.Errorf("database schema version %d is newer than this build's %d", version, len(s.migrations))
	}
	lsn, err := s.replayJournal(ctx, version)
	if err != nil {
		return err
	}
	if err := s.migrate(ctx, version); err != nil {
		return err
	}
	j, err := createJournal(filepath.Join(s.dir, JournalName), len(s.migrations), lsn)
	if err != nil {
		return err
	}
	if s.w, err = newWriter(ctx, s, j); err != nil {
		return err
	}
	return s.loadCounters(ctx)
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
func checkExisting(ctx context.Context, path string, known int) error {
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
	if version > known {
		return fmt.Errorf("data directory %s was written by a newer Vigil (schema version %d, this build knows up to %d); refusing to open it",
			filepath.Dir(path), version, known)
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

// replayJournal commits the journaled writes a crash left uncommitted to
// the database, which is at schema version version, and returns the last
// journal position the database includes. The journal's rows must be of
// that version: a journal it cannot apply is refused, and it and the
// database are left as they are.
func (s *Store) replayJournal(ctx context.Context, version int) (uint64, error) {
	path := filepath.Join(s.dir, JournalName)
	committed, err := s.journalLSN(ctx)
	if err != nil {
		return 0, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return committed, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cannot read the journal %s: %w", path, err)
	}
	var payloads [][]byte
	h, last, err := readJournal(data, committed, func(_ uint64, p []byte) error {
		payloads = append(payloads, p)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cannot replay the journal %s (left untouched): %w", path, err)
	}
	if len(payloads) == 0 {
		return committed, nil
	}
	// A journal without a header was written by a build that had
	// migrated the database before writing, and no migration has run
	// since: its rows are of the database's version.
	schema := version
	if h.format > 0 {
		schema = h.schema
	}
	switch {
	case version == 0:
		return 0, fmt.Errorf("cannot replay the journal %s: it holds %d acknowledged writes, but the database %s is new; restore the database they belong to, or move the journal away to discard them",
			path, len(payloads), filepath.Join(s.dir, FileName))
	case schema != version:
		return 0, fmt.Errorf("cannot replay the journal %s: its %d acknowledged writes are rows of schema version %d, but the database is at version %d (this build knows up to %d); "+
			"open the data directory with the Vigil release of schema version %d to commit them, or move the journal away to discard them; the journal is left untouched",
			path, len(payloads), schema, version, len(s.migrations), schema)
	}
	if err := s.commitReplay(ctx, payloads, last); err != nil {
		return 0, fmt.Errorf("cannot replay the %d acknowledged writes of the journal %s at schema version %d (the journal is left untouched): %w",
			len(payloads), path, version, err)
	}
	slog.Info("replayed journaled writes", "writes", len(payloads), "schema_version", version)
	return last, nil
}

// journalLSN reads the last journal position the database includes.
func (s *Store) journalLSN(ctx context.Context) (uint64, error) {
	var lsn uint64
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM vigil_meta WHERE key = 'journal_lsn'`).Scan(&v)
	if err == nil {
		lsn, err = strconv.ParseUint(v, 10, 64)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("cannot read the journal position: %w", err)
	}
	return lsn, nil
}

// commitReplay appends journaled writes in one transaction, with the
// writer's checks, and commits them with the journal position they reach.
// It runs before the writer starts, on a connection of its own, so that
// the writer's appenders and table shapes all belong to the schema the
// migrations leave.
func (s *Store) commitReplay(ctx context.Context, payloads [][]byte, lsn uint64) error {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	w := &writer{store: s, conn: conn}
	defer w.closeAppenders()
	err = w.begin()
	for _, p := range payloads {
		if err != nil {
			break
		}
		err = w.appendPayload(p)
	}
	if err == nil {
		err = w.flushAppenders(true)
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, `INSERT OR REPLACE INTO vigil_meta VALUES ('journal_lsn', ?)`, strconv.FormatUint(lsn, 10))
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		w.rollback()
	}
	return err
}

// Close stops the writer, checkpoints and closes the database.
func (s *Store) Close() error {
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
