package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	ddb "github.com/duckdb/duckdb-go/v2"
)

// Every write goes through one writer goroutine that owns one connection.
// It takes the writes waiting in its queue, runs them in one transaction
// and commits once, so N concurrent writers pay for one fsync instead of N
// (group commit). A write whose function fails is answered with its error
// and the rest of the batch is retried without it: DuckDB aborts the whole
// transaction on an error and has no savepoints.

// maxBatch bounds the writes sharing one commit.
const maxBatch = 512

// ErrClosed is returned by writes after the store is closed.
var ErrClosed = errors.New("store is closed")

type writeReq struct {
	fn   func(*Tx) error
	done chan error
}

type writer struct {
	store     *Store
	conn      *sql.Conn
	appenders map[string]*ddb.Appender // owned by the run goroutine
	queue     chan *writeReq
	quit      chan struct{}
	exited    chan struct{}
	mu        sync.RWMutex // held shared while enqueueing, exclusively to close
	closed    bool

	commits, writes atomic.Int64
}

// CommitStats counts the writer's work.
type CommitStats struct {
	// Commits is the number of transactions committed.
	Commits int64
	// Writes is the number of writes committed.
	Writes int64
}

func newWriter(ctx context.Context, s *Store) (*writer, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot open the writer connection: %w", err)
	}
	w := &writer{store: s, conn: conn, queue: make(chan *writeReq, maxBatch), quit: make(chan struct{}), exited: make(chan struct{})}
	go w.run()
	return w, nil
}

func (w *writer) stats() CommitStats {
	return CommitStats{Commits: w.commits.Load(), Writes: w.writes.Load()}
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
// that transaction committed (nil) or fn's or the commit's error.
func (s *Store) write(ctx context.Context, fn func(*Tx) error) error {
	w := s.w
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
	defer w.conn.Close()
	defer w.closeAppenders()
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case req := <-w.queue:
			batch = append(batch[:0], req)
		case <-w.quit:
			w.drain()
			return
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
		w.commit(batch)
	}
}

// drain commits what was queued before close; nothing can be queued after.
func (w *writer) drain() {
	for {
		select {
		case req := <-w.queue:
			w.commit([]*writeReq{req})
		default:
			return
		}
	}
}

// commit runs a batch in one transaction, dropping writes that fail.
func (w *writer) commit(batch []*writeReq) {
	ctx := context.Background()
	for len(batch) > 0 {
		failed, err := w.try(ctx, batch)
		if failed < 0 {
			if err == nil {
				w.commits.Add(1)
				w.writes.Add(int64(len(batch)))
			}
			for _, req := range batch {
				req.done <- err
			}
			return
		}
		batch[failed].done <- err
		batch = append(batch[:failed], batch[failed+1:]...)
	}
}

// try runs the batch; it returns the index of a write whose function
// failed (and its error), or -1 and the outcome of the commit.
func (w *writer) try(ctx context.Context, batch []*writeReq) (int, error) {
	if _, err := w.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return -1, fmt.Errorf("cannot begin transaction: %w", err)
	}
	tx := &Tx{ctx: ctx, conn: w.conn, w: w}
	for i, req := range batch {
		err := runWrite(req.fn, tx)
		if err == nil {
			// Rows appended by the write join the transaction now, so that
			// a later failure rolls them back with everything else.
			err = w.flushAppenders()
		}
		if err != nil {
			// Pending appended rows go into the doomed transaction.
			w.closeAppenders()
			if _, rbErr := w.conn.ExecContext(ctx, "ROLLBACK"); rbErr != nil {
				return -1, fmt.Errorf("cannot roll back after %v: %w", err, rbErr)
			}
			return i, err
		}
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		w.closeAppenders()
		_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
		return -1, fmt.Errorf("cannot commit: %w", err)
	}
	return -1, nil
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

// flushAppenders moves appended rows into the current transaction.
func (w *writer) flushAppenders() error {
	for table, a := range w.appenders {
		if err := a.Flush(); err != nil {
			return fmt.Errorf("cannot append to %s: %w", table, err)
		}
	}
	return nil
}

// closeAppenders discards the appenders (after a failure).
func (w *writer) closeAppenders() {
	for table, a := range w.appenders {
		_ = a.Close()
		delete(w.appenders, table)
	}
}

// Tx is the transaction a write function runs in. It is valid only during
// the call.
type Tx struct {
	ctx  context.Context
	conn *sql.Conn
	w    *writer
}

// Exec runs a statement.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.conn.ExecContext(tx.ctx, query, args...)
}

// Query runs a query.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.conn.QueryContext(tx.ctx, query, args...)
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.conn.QueryRowContext(tx.ctx, query, args...)
}

// Append bulk-inserts rows into table through DuckDB's appender, in the
// transaction; each row lists the table's columns in order.
func (tx *Tx) Append(table string, rows [][]driver.Value) error {
	a, err := tx.w.appender(table)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := a.AppendRow(row...); err != nil {
			return fmt.Errorf("cannot append to %s: %w", table, err)
		}
	}
	return nil
}
