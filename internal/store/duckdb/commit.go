package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	ddb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilhq/vigil/internal/clock"
)

// Every write goes through one writer goroutine that owns one connection.
// It takes the writes waiting in its queue, runs them in one transaction
// and makes them durable at once, so N concurrent writers pay for one
// fsync instead of N (group commit): by committing, or, when every write
// of the batch only appended rows, through the journal (journal.go),
// leaving the transaction open for more. A write whose function fails is
// answered with its error and the rest of the batch is retried without
// it: DuckDB aborts the whole transaction on an error and has no
// savepoints, so the journaled rows it held are appended again.

// maxBatch bounds the writes sharing one commit.
const maxBatch = 512

// ErrClosed is returned by writes after the store is closed.
var ErrClosed = errors.New("store is closed")

// A writeReq without a function is a reader's request to commit what
// the journal holds (sync).
type writeReq struct {
	fn   func(*Tx) error
	done chan error
}

type writer struct {
	store     *Store
	conn      *sql.Conn
	appenders map[string]*ddb.Appender // owned by the run goroutine
	shapes    map[string]*tableShape
	unflushed []string // tables appended to since the last flush
	queue     chan *writeReq
	quit      chan struct{}
	exited    chan struct{}
	mu        sync.RWMutex // held shared while enqueueing, exclusively to close
	closed    bool

	journal *journal
	open    bool     // a transaction is open on conn
	pending [][]byte // journaled payloads the open transaction holds
	// pendingBytes sizes pending; openSince is when pending got its
	// first payload.
	pendingBytes int
	openSince    time.Time
	// unsynced counts the journaled writes not committed yet; readers
	// sync only when it is not zero.
	unsynced atomic.Int64
	// broken is set when journaled rows could not be appended again
	// after a rollback: they are safe in the journal but the writer can
	// no longer commit them, so it refuses every write until a restart
	// replays the journal.
	broken error

	commits, writes, journaled atomic.Int64
}

// CommitStats counts the writer's work.
type CommitStats struct {
	// Commits is the number of transactions committed.
	Commits int64
	// Writes is the number of writes made durable.
	Writes int64
	// Journaled is the number of writes made durable by the journal
	// (and committed later).
	Journaled int64
}

// newWriter starts the writer, which journals to j (and closes it).
func newWriter(ctx context.Context, s *Store, j *journal) (*writer, error) {
	conn, err := s.db.DB.Conn(ctx)
	if err != nil {
		j.close()
		return nil, fmt.Errorf("cannot open the writer connection: %w", err)
	}
	w := &writer{store: s, conn: conn, journal: j, queue: make(chan *writeReq, maxBatch), quit: make(chan struct{}), exited: make(chan struct{})}
	go w.run()
	return w, nil
}

func (w *writer) stats() CommitStats {
	return CommitStats{Commits: w.commits.Load(), Writes: w.writes.Load(), Journaled: w.journaled.Load()}
}

// close stops accepting writes, commits the queued ones and releases the
// connection.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.quit)
	}
	w.mu.Unlock()
	<-w.exited
}

// write runs fn in a transaction shared with other writes and returns once
// its effects are durable (nil) or with fn's or the commit's error.
func (s *Store) write(ctx context.Context, fn func(*Tx) error) error {
	return s.w.enqueue(ctx, fn)
}

// sync commits the writes the journal holds, so that other connections
// see every acknowledged write. It does nothing when there are none, and
// gives up (reads see what is committed) when the writer is closed.
func (w *writer) sync(ctx context.Context) {
	if w.unsynced.Load() > 0 {
		_ = w.enqueue(ctx, nil)
	}
}

func (w *writer) enqueue(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{fn: fn, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.queue <- req:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	// Once queued, the write may commit: wait for its outcome even if ctx
	// ends, so that success is never reported for a lost write nor failure
	// for a committed one.
	return <-req.done
}

func (w *writer) run() {
	defer close(w.exited)
	defer w.journal.close()
	defer w.conn.Close()
	defer w.closeAppenders()
	batch := make([]*writeReq, 0, maxBatch)
	for {
		// The open transaction commits at the latest journalMaxDelay
		// after it took its first journaled write.
		batch = batch[:0]
		var due <-chan time.Time
		var timer clock.Timer
		if len(w.pending) > 0 {
			timer = w.store.clock.NewTimer(w.openSince.Add(journalMaxDelay).Sub(w.store.clock.Now()))
			due = timer.C()
		}
		select {
		case req := <-w.queue:
			batch = append(batch, req)
		case <-due:
		case <-w.quit:
			w.drain()
			w.commitOpen()
			return
		}
		if timer != nil {
			timer.Stop()
		}
		if len(batch) == 0 {
			w.commitOpen()
			continue
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case req := <-w.queue:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		w.process(batch)
	}
}

// drain processes what was queued before close; nothing can be queued
// after.
func (w *writer) drain() {
	for {
		select {
		case req := <-w.queue:
			w.process([]*writeReq{req})
		default:
			return
		}
	}
}

// process runs a batch in the open transaction, dropping writes that fail,
// and makes it durable: through the journal when every write only
// appended rows, else by committing.
func (w *writer) process(batch []*writeReq) {
	perWrite := false
	for len(batch) > 0 {
		if w.broken != nil {
			answer(batch, w.broken)
			return
		}
		failed, payloads, err := w.try(batch, perWrite)
		if failed == retryPerWrite {
			w.reopen()
			perWrite = true
			continue
		}
		if failed >= 0 {
			batch[failed].done <- err
			batch = append(batch[:failed], batch[failed+1:]...)
			w.reopen()
			continue
		}
		if err != nil {
			answer(batch, err)
			return
		}
		if payloads != nil {
			err := w.journalWrites(payloads)
			if err == nil {
				w.journaled.Add(int64(len(batch)))
				answer(batch, nil)
				if w.pendingBytes >= journalMaxBytes {
					w.commitOpen()
				}
				return
			}
			// The rows are in the transaction but not durable: take them
			// out again and fail the writes.
			w.rollback()
			w.reopen()
			answer(batch, err)
			return
		}
		err = w.commitOpen()
		if err == nil {
			for _, req := range batch {
				if req.fn != nil {
					w.writes.Add(1)
				}
			}
		}
		answer(batch, err)
		return
	}
}

func answer(batch []*writeReq, err error) {
	for _, req := range batch {
		req.done <- err
	}
}

// retryPerWrite is try's answer when moving appended rows into the
// transaction failed for rows of more than one write: the batch runs
// again, flushing after each write to find the culprit.
const retryPerWrite = -2

// try runs the batch in the open transaction (beginning one if needed).
// It returns the index of a write that failed and its error, after
// rolling back; or retryPerWrite; or -1 and, when every write only
// appended rows and the journal can hold them, their encoded payloads
// (nil otherwise).
//
// Appended rows move into the transaction (an appender flush, which
// costs a DuckDB append call however few rows it moves) once for the
// batch, before a write runs SQL (which must see them), or, when
// perWrite, after each write.
func (w *writer) try(batch []*writeReq, perWrite bool) (failed int, payloads [][]byte, err error) {
	if err := w.begin(); err != nil {
		return -1, nil, err
	}
	journal := w.pendingBytes < journalMaxBytes
	for i, req := range batch {
		if req.fn == nil {
			journal = false // a reader waits for a commit
			continue
		}
		tx := &Tx{ctx: context.Background(), conn: w.conn, w: w}
		err := runWrite(req.fn, tx)
		if tx.flushErr != nil {
			err = tx.flushErr
		} else if err == nil && perWrite {
			err = w.flushAppenders(true)
		}
		if err != nil {
			w.rollback()
			if tx.flushErr != nil && !perWrite {
				return retryPerWrite, nil, nil
			}
			return i, nil, err
		}
		if journal = journal && !tx.sql; journal {
			p, ok := encodeAppends(nil, tx.appends)
			journal = ok
			payloads = append(payloads, p)
		}
	}
	if err := w.flushAppenders(false); err != nil {
		w.rollback()
		return retryPerWrite, nil, nil
	}
	if !journal {
		payloads = nil
	}
	return -1, payloads, nil
}

// journalWrites makes a batch's payloads durable in the journal.
func (w *writer) journalWrites(payloads [][]byte) error {
	for _, p := range payloads {
		w.journal.add(p)
	}
	if fatal, err := w.journal.write(); err != nil {
		if fatal {
			w.broken = fmt.Errorf("store writer stopped: %w", err)
		}
		return err
	}
	if len(w.pending) == 0 {
		w.openSince = w.store.clock.Now()
	}
	for _, p := range payloads {
		w.pending = append(w.pending, p)
		w.pendingBytes += len(p)
	}
	w.writes.Add(int64(len(payloads)))
	w.unsynced.Add(int64(len(payloads)))
	return nil
}

func (w *writer) begin() error {
	if w.open {
		return nil
	}
	if _, err := w.conn.ExecContext(context.Background(), "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("cannot begin transaction: %w", err)
	}
	w.open = true
	return nil
}

func (w *writer) rollback() {
	// Pending appended rows go into the doomed transaction.
	w.closeAppenders()
	if w.open {
		_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
		w.open = false
	}
}

// reopen begins a transaction after a rollback and appends the journaled
// rows the rolled-back one held.
func (w *writer) reopen() {
	if len(w.pending) == 0 {
		return
	}
	err := w.begin()
	for _, p := range w.pending {
		if err != nil {
			break
		}
		err = w.appendPayload(p)
	}
	if err == nil {
		err = w.flushAppenders(true)
	}
	if err != nil {
		w.rollback()
		w.broken = fmt.Errorf("store writer stopped: cannot restore journaled writes (they are safe in the journal; restart Vigil): %w", err)
	}
}

// appendPayload appends a journaled write's rows to the transaction.
func (w *writer) appendPayload(p []byte) error {
	appends, err := decodeAppends(p)
	if err != nil {
		return err
	}
	tx := &Tx{ctx: context.Background(), conn: w.conn, w: w}
	for _, a := range appends {
		if err := tx.Append(a.table, a.rows); err != nil {
			return err
		}
	}
	return nil
}

// commitOpen commits the open transaction, recording the last journal
// record it includes, and empties the journal but for its header. When
// the commit fails, the journaled rows are appended to a new transaction
// to commit later.
func (w *writer) commitOpen() error {
	if !w.open {
		return nil
	}
	ctx := context.Background()
	err := w.flushAppenders(true)
	if err == nil && len(w.pending) > 0 {
		_, err = w.conn.ExecContext(ctx, `INSERT OR REPLACE INTO vigil_meta VALUES ('journal_lsn', ?)`, strconv.FormatUint(w.journal.lsn, 10))
	}
	if err == nil {
		_, err = w.conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		w.rollback()
		w.reopen()
		return fmt.Errorf("cannot commit: %w", err)
	}
	w.open = false
	w.commits.Add(1)
	if len(w.pending) > 0 {
		w.unsynced.Add(-int64(len(w.pending)))
		w.pending, w.pendingBytes = w.pending[:0], 0
		if err := w.journal.reset(); err != nil {
			w.broken = err
		}
	}
	return nil
}

// runWrite runs one write function, turning a panic into an error so that
// one bad write cannot stop the writer.
func runWrite(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("BUG: panic in a store write: %v", r)
		}
	}()
	return fn(tx)
}

// appender returns the writer connection's appender for a table, creating
// it once: creating one costs milliseconds, appending microseconds.
func (w *writer) appender(table string) (*ddb.Appender, error) {
	if a, ok := w.appenders[table]; ok {
		return a, nil
	}
	var a *ddb.Appender
	err := w.conn.Raw(func(dc any) error {
		var err error
		a, err = ddb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot append to %s: %w", table, err)
	}
	if w.appenders == nil {
		w.appenders = map[string]*ddb.Appender{}
	}
	w.appenders[table] = a
	return a, nil
}

// tableShape is what the writer checks itself before appending to a
// table: its columns, which refuse NULL, and whether it has keys.
type tableShape struct {
	columns []string
	notNull []bool
	// keyed tables have a primary key or unique constraint, which DuckDB
	// checks only when appended rows move into the transaction.
	keyed bool
}

func (w *writer) shape(table string) (*tableShape, error) {
	if sh, ok := w.shapes[table]; ok {
		return sh, nil
	}
	ctx := context.Background()
	sh := &tableShape{}
	rows, err := w.conn.QueryContext(ctx, `SELECT column_name, is_nullable = 'NO' FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, fmt.Errorf("cannot read the columns of %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var notNull bool
		if err := rows.Scan(&name, &notNull); err != nil {
			return nil, fmt.Errorf("cannot read the columns of %s: %w", table, err)
		}
		sh.columns, sh.notNull = append(sh.columns, name), append(sh.notNull, notNull)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cannot read the columns of %s: %w", table, err)
	}
	if err := w.conn.QueryRowContext(ctx, `SELECT count(*) > 0 FROM duckdb_constraints()
		WHERE schema_name = 'main' AND table_name = ? AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')`, table).Scan(&sh.keyed); err != nil {
		return nil, fmt.Errorf("cannot read the constraints of %s: %w", table, err)
	}
	if w.shapes == nil {
		w.shapes = map[string]*tableShape{}
	}
	w.shapes[table] = sh
	return sh, nil
}

// check refuses a row DuckDB would refuse only when it moves into the
// transaction, for want of a value.
func (sh *tableShape) check(table string, row []driver.Value) error {
	if len(row) != len(sh.columns) {
		return fmt.Errorf("cannot append to %s: %d values for %d columns", table, len(row), len(sh.columns))
	}
	for i, v := range row {
		if v == nil && sh.notNull[i] {
			return fmt.Errorf("cannot append to %s: column %s is NOT NULL", table, sh.columns[i])
		}
	}
	return nil
}

// flushAppenders moves appended rows into the current transaction; a
// flush costs a DuckDB append call however few rows it moves. all
// flushes every appender used since the last flush; otherwise only those
// of keyed tables, whose rows DuckDB has yet to check: rows of the others
// stay in their appenders until a statement or the commit needs them.
func (w *writer) flushAppenders(all bool) error {
	kept := w.unflushed[:0]
	var err error
	for _, table := range w.unflushed {
		if err != nil || !all && !w.shapes[table].keyed {
			kept = append(kept, table)
			continue
		}
		if ferr := w.appenders[table].Flush(); ferr != nil {
			err = fmt.Errorf("cannot append to %s: %w", table, ferr)
		}
	}
	w.unflushed = kept
	return err
}

// closeAppenders discards the appenders (after a failure).
func (w *writer) closeAppenders() {
	for table, a := range w.appenders {
		_ = a.Close()
		delete(w.appenders, table)
	}
	w.unflushed = w.unflushed[:0]
}

// Tx is the transaction a write function runs in. It is valid only during
// the call.
type Tx struct {
	ctx  context.Context
	conn *sql.Conn
	w    *writer
	// sql is set once the write runs a statement; appends are the rows
	// it appended, which the journal records when it ran none.
	sql     bool
	appends []tableRows
	// flushErr is the error of moving appended rows into the transaction
	// before a statement: it may come from an earlier write's rows.
	flushErr error
}

// beforeSQL makes the rows appended so far visible to a statement.
func (tx *Tx) beforeSQL() {
	tx.sql = true
	if err := tx.w.flushAppenders(true); err != nil && tx.flushErr == nil {
		tx.flushErr = err
	}
}

// Exec runs a statement.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	tx.beforeSQL()
	return tx.conn.ExecContext(tx.ctx, query, args...)
}

// Query runs a query.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	tx.beforeSQL()
	return tx.conn.QueryContext(tx.ctx, query, args...)
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	tx.beforeSQL()
	return tx.conn.QueryRowContext(tx.ctx, query, args...)
}

// Append bulk-inserts rows into table through DuckDB's appender, in the
// transaction; each row lists the table's columns in order.
func (tx *Tx) Append(table string, rows [][]driver.Value) error {
	sh, err := tx.w.shape(table)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := sh.check(table, row); err != nil {
			return err
		}
	}
	a, err := tx.w.appender(table)
	if err != nil {
		return err
	}
	if !slices.Contains(tx.w.unflushed, table) {
		tx.w.unflushed = append(tx.w.unflushed, table)
	}
	for _, row := range rows {
		if err := a.AppendRow(row...); err != nil {
			return fmt.Errorf("cannot append to %s: %w", table, err)
		}
	}
	if len(rows) > 0 {
		tx.appends = append(tx.appends, tableRows{table, rows})
	}
	return nil
}
