package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by writes after the store is closed.
var ErrClosed = errors.New("state store is closed")

// maxBatch bounds the writes sharing one commit.
const maxBatch = 256

// Tx is a write's view of the open transaction.
type Tx struct {
	w   *writer
	ctx context.Context
}

// Exec runs a statement.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	st, err := tx.w.prepare(tx.ctx, query)
	if st == nil && err == nil {
		return tx.w.conn.ExecContext(tx.ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return st.ExecContext(tx.ctx, args...)
}

// Query runs a query.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	st, err := tx.w.prepare(tx.ctx, query)
	if st == nil && err == nil {
		return tx.w.conn.QueryContext(tx.ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return st.QueryContext(tx.ctx, args...)
}

// QueryRow runs a query expected to return at most one row.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	st, _ := tx.w.prepare(tx.ctx, query)
	if st == nil {
		// Not cached, or a Row carrying the error: QueryRowContext of
		// a conn does that for a query that fails to prepare.
		return tx.w.conn.QueryRowContext(tx.ctx, query, args...)
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// prepare returns the writer connection's prepared statement of query,
// or nil (and no error) when the cache of statements is full: the
// caller runs such a query on the connection, which prepares and closes
// it. Only the writer goroutine calls it.
func (w *writer) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	if len(w.stmts) >= maxStatements {
		return nil, nil
	}
	st, err := w.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

// exec runs a statement of the writer's own (BEGIN, SAVEPOINT, …).
func (w *writer) exec(ctx context.Context, query string) error {
	_, err := (&Tx{w: w, ctx: ctx}).Exec(query)
	return err
}

type writeReq struct {
	fn   func(*Tx) error
	done chan error
}

type writer struct {
	db     *sql.DB
	conn   *sql.Conn
	stmts  map[string]*sql.Stmt
	queue  chan *writeReq
	exited chan struct{}
	mu     sync.RWMutex // held shared while enqueueing, exclusively to close
	closed bool

	commits, writes atomic.Int64
}

func newWriter(db *sql.DB, conn *sql.Conn) *writer {
	w := &writer{db: db, conn: conn, stmts: map[string]*sql.Stmt{}, queue: make(chan *writeReq, maxBatch), exited: make(chan struct{})}
	go w.run()
	return w
}

// write runs fn in a transaction shared with other writes and returns
// once that transaction is durable: fn's error, or the commit's. fn runs
// under a savepoint, so its failure undoes only its own changes; it must
// not keep tx.
func (s *Store) write(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{fn: fn, done: make(chan error, 1)}
	w := s.w
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
	// Once queued the write happens; wait for its outcome whatever ctx
	// does, so the caller never reports a write that then commits.
	return <-req.done
}

func (w *writer) run() {
	defer close(w.exited)
	batch := make([]*writeReq, 0, maxBatch)
	for first := range w.queue {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-w.queue:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		w.commit(batch)
	}
}

// commit runs a batch in one transaction, each write under a savepoint,
// and answers every write.
func (w *writer) commit(batch []*writeReq) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	err := w.exec(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		for i, r := range batch {
			if errs[i] = w.apply(ctx, r.fn); errs[i] != nil && isFatal(errs[i]) {
				err = errs[i]
				break
			}
		}
	}
	if err == nil {
		err = w.exec(ctx, "COMMIT")
	}
	if err != nil {
		_ = w.exec(ctx, "ROLLBACK")
		err = fmt.Errorf("cannot commit state: %w", err)
		for i := range errs {
			errs[i] = err
		}
	} else {
		w.commits.Add(1)
		w.writes.Add(int64(len(batch)))
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// fatal marks an error after which the transaction cannot go on (its
// savepoint could not be rolled back).
type fatal struct{ error }

func (f fatal) Unwrap() error { return f.error }

func isFatal(err error) bool {
	var f fatal
	return errors.As(err, &f)
}

// apply runs one write under a savepoint, undoing it alone when it fails
// or panics.
func (w *writer) apply(ctx context.Context, fn func(*Tx) error) (err error) {
	if err := w.exec(ctx, "SAVEPOINT w"); err != nil {
		return fatal{err}
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a state write: %v", p)
		}
		if err != nil {
			if rerr := w.exec(ctx, "ROLLBACK TO w"); rerr != nil {
				err = fatal{errors.Join(err, rerr)}
				return
			}
		}
		if rerr := w.exec(ctx, "RELEASE w"); rerr != nil && err == nil {
			err = fatal{rerr}
		}
	}()
	return fn(&Tx{w: w, ctx: ctx})
}

// close waits for the queued writes, then closes the connection.
func (w *writer) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.queue)
	w.mu.Unlock()
	<-w.exited
	for _, st := range w.stmts {
		st.Close()
	}
	return errors.Join(w.conn.Close(), w.db.Close())
}

// CommitStats counts the writer's work.
type CommitStats struct {
	// Commits is the number of transactions committed; Writes the writes
	// they made durable.
	Commits, Writes int64
}

// CommitStats returns the writer's counts.
func (s *Store) CommitStats() CommitStats {
	return CommitStats{Commits: s.w.commits.Load(), Writes: s.w.writes.Load()}
}
