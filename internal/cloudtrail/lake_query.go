package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Query statuses.
const (
	QueryQueued    = "QUEUED"
	QueryRunning   = "RUNNING"
	QueryFinished  = "FINISHED"
	QueryFailed    = "FAILED"
	QueryCancelled = "CANCELLED"
)

// Bounds of Lake queries. Queries and their results are kept in memory,
// on the node that ran them, for LakeQueryKeep (as AWS keeps them), and
// are lost when Vigil restarts.
const (
	// LakeQueryKeep is how long a query and its results are kept.
	LakeQueryKeep = 7 * 24 * time.Hour
	// MaxLakeQueryRows bounds a query's result: a query with more rows
	// fails, saying so.
	MaxLakeQueryRows = 100_000
	// maxLakeResultBytes bounds the results kept, all queries together:
	// past it the oldest finished queries are forgotten.
	maxLakeResultBytes = 256 << 20
	// maxLakeQueries bounds the queries kept.
	maxLakeQueries = 10_000
	// MaxConcurrentLakeQueries bounds the queries of an account queued or
	// running at once.
	MaxConcurrentLakeQueries = 10
)

// LakeQuery is a query and, once it finished, its result.
type LakeQuery struct {
	ID, Account, Region, StoreARN, Statement string
	Status                                   string
	Created                                  time.Time
	ExecutionTime                            time.Duration
	Error                                    string
	// Result is set when Status is FINISHED.
	Result *store.LakeResult
}

// lakeQueries are the queries, in memory.
type lakeQueries struct {
	l       *Lake
	workers chan struct{}
	mu      sync.Mutex
	byID    map[string]*lakeQueryState
	order   []string // ids, oldest first
	bytes   int      // of the results kept
}

type lakeQueryState struct {
	q      LakeQuery
	bytes  int
	cancel context.CancelFunc
	done   chan struct{}
}

func newLakeQueries(l *Lake) *lakeQueries {
	return &lakeQueries{l: l, workers: make(chan struct{}, l.opt.QueryWorkers), byID: map[string]*lakeQueryState{}}
}

// StartQuery checks a statement and starts running it; the query runs
// in the background.
func (l *Lake) StartQuery(ctx context.Context, account, region, statement string) (string, error) {
	st, err := ParseLakeQuery(statement)
	if err != nil {
		return "", err
	}
	d, err := l.EventDataStore(ctx, account, region, st.Store)
	var e *Error
	if errors.As(err, &e) && e.Code == EDSARNInvalid {
		return "", queryError("FROM names no event data store: %s is neither an event data store's ID nor its ARN.", st.Store)
	}
	if err != nil {
		return "", err
	}
	if d.Status == EDSPendingDeletion {
		return "", errorf(InactiveEDS, "The event data store %s is pending deletion.", d.ARN)
	}
	qs := l.queries
	qs.mu.Lock()
	active := 0
	for _, s := range qs.byID {
		if s.q.Account == account && (s.q.Status == QueryQueued || s.q.Status == QueryRunning) {
			active++
		}
	}
	if active >= MaxConcurrentLakeQueries {
		qs.mu.Unlock()
		return "", errorf(MaxConcurrentQueries, "You already have %d queries running; wait for one to finish or cancel one.", active)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &lakeQueryState{q: LakeQuery{ID: request.NewUUID(), Account: account, Region: region, StoreARN: d.ARN,
		Statement: statement, Status: QueryQueued, Created: l.opt.Clock.Now().UTC()}, cancel: cancel, done: make(chan struct{})}
	qs.byID[s.q.ID] = s
	qs.order = append(qs.order, s.q.ID)
	qs.trim()
	qs.mu.Unlock()
	q := store.LakeQuery{Store: d.ID, Statement: st.Tokens, Matched: st.Matched, MaxRows: MaxLakeQueryRows}
	go qs.run(runCtx, s, q)
	return s.q.ID, nil
}

// run waits for a worker, runs the query and records how it ended.
func (qs *lakeQueries) run(ctx context.Context, s *lakeQueryState, q store.LakeQuery) {
	defer close(s.done)
	defer s.cancel()
	select {
	case qs.workers <- struct{}{}:
		defer func() { <-qs.workers }()
	case <-ctx.Done():
		qs.finish(s, nil, ctx.Err(), 0)
		return
	}
	qs.mu.Lock()
	if s.q.Status != QueryQueued {
		qs.mu.Unlock()
		return
	}
	s.q.Status = QueryRunning
	qs.mu.Unlock()
	start := qs.l.opt.Clock.Now()
	q.Now = ms(start)
	res, err := qs.l.opt.Events.QueryLake(ctx, q)
	qs.finish(s, res, err, qs.l.opt.Clock.Now().Sub(start))
}

func (qs *lakeQueries) finish(s *lakeQueryState, res *store.LakeResult, err error, took time.Duration) {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	s.q.ExecutionTime = took
	var qe *store.LakeQueryError
	switch {
	case s.q.Status == QueryCancelled:
	case errors.Is(err, context.Canceled):
		s.q.Status = QueryCancelled
	case errors.As(err, &qe):
		s.q.Status, s.q.Error = QueryFailed, qe.Message
	case errors.Is(err, store.ErrLimit):
		s.q.Status, s.q.Error = QueryFailed, fmt.Sprintf("The query returned more than %d rows, the most Vigil keeps: aggregate, or add a LIMIT.", MaxLakeQueryRows)
	case err != nil:
		qs.l.opt.Logger.Error("cannot run a CloudTrail Lake query", "query", s.q.ID, "err", err)
		s.q.Status, s.q.Error = QueryFailed, "The query failed: an internal error occurred."
	default:
		s.q.Status, s.q.Result = QueryFinished, res
		for _, r := range res.Rows {
			for _, c := range r {
				s.bytes += len(c) + 16
			}
		}
		qs.bytes += s.bytes
		qs.trim()
	}
}

// trim forgets the oldest finished queries while the kept results or
// queries are over their bounds. qs.mu is held.
func (qs *lakeQueries) trim() {
	for i := 0; i < len(qs.order) && (qs.bytes > maxLakeResultBytes || len(qs.order) > maxLakeQueries); {
		s := qs.byID[qs.order[i]]
		if s.q.Status == QueryQueued || s.q.Status == QueryRunning {
			i++
			continue
		}
		qs.forget(i)
	}
}

// forget drops the query at order[i]. qs.mu is held.
func (qs *lakeQueries) forget(i int) {
	s := qs.byID[qs.order[i]]
	qs.bytes -= s.bytes
	delete(qs.byID, s.q.ID)
	qs.order = slices.Delete(qs.order, i, i+1)
}

// expire forgets the queries created LakeQueryKeep before now.
func (qs *lakeQueries) expire(now time.Time) {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	for i := 0; i < len(qs.order); {
		s := qs.byID[qs.order[i]]
		if now.Sub(s.q.Created) < LakeQueryKeep {
			break
		}
		if s.q.Status == QueryQueued || s.q.Status == QueryRunning {
			i++
			continue
		}
		qs.forget(i)
	}
}

// Query returns a query of the account's region; storeRef, when not "",
// must name the store it ran on.
func (l *Lake) Query(ctx context.Context, account, region, storeRef, id string) (*LakeQuery, error) {
	qs := l.queries
	qs.mu.Lock()
	s, ok := qs.byID[id]
	var q LakeQuery
	if ok {
		q = s.q
	}
	qs.mu.Unlock()
	if !ok || q.Account != account || q.Region != region {
		return nil, errorf(QueryIDNotFound, "The query ID %s does not exist or does not map to a query.", id)
	}
	if storeRef != "" {
		d, err := l.EventDataStore(ctx, account, region, storeRef)
		if err != nil {
			return nil, err
		}
		if d.ARN != q.StoreARN {
			return nil, errorf(QueryIDNotFound, "The query ID %s does not exist or does not map to a query of %s.", id, storeRef)
		}
	}
	return &q, nil
}

// WaitQuery waits until a query has ended, or ctx ends.
func (l *Lake) WaitQuery(ctx context.Context, id string) error {
	l.queries.mu.Lock()
	s, ok := l.queries.byID[id]
	l.queries.mu.Unlock()
	if !ok {
		return errorf(QueryIDNotFound, "The query ID %s does not exist or does not map to a query.", id)
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Queries lists the queries of an event data store created in [from,
// to) (zero: unbounded) with the status ("": any), newest first.
func (l *Lake) Queries(ctx context.Context, account, region, storeRef string, from, to time.Time, status string) ([]LakeQuery, error) {
	d, err := l.EventDataStore(ctx, account, region, storeRef)
	if err != nil {
		return nil, err
	}
	qs := l.queries
	qs.mu.Lock()
	defer qs.mu.Unlock()
	var out []LakeQuery
	for i := len(qs.order) - 1; i >= 0; i-- {
		q := qs.byID[qs.order[i]].q
		if q.StoreARN != d.ARN || (status != "" && q.Status != status) ||
			(!from.IsZero() && q.Created.Before(from)) || (!to.IsZero() && !q.Created.Before(to)) {
			continue
		}
		q.Result = nil
		out = append(out, q)
	}
	return out, nil
}

// CancelQuery cancels a query queued or running.
func (l *Lake) CancelQuery(ctx context.Context, account, region, storeRef, id string) error {
	q, err := l.Query(ctx, account, region, storeRef, id)
	if err != nil {
		return err
	}
	qs := l.queries
	qs.mu.Lock()
	s := qs.byID[q.ID]
	if s == nil || (s.q.Status != QueryQueued && s.q.Status != QueryRunning) {
		qs.mu.Unlock()
		return errorf(InactiveQuery, "The query %s cannot be cancelled: it is %s.", id, q.Status)
	}
	s.q.Status = QueryCancelled
	qs.mu.Unlock()
	s.cancel()
	return nil
}

// Close cancels the queries still running and waits for them, or until
// ctx ends.
func (l *Lake) Close(ctx context.Context) error {
	qs := l.queries
	qs.mu.Lock()
	for _, s := range qs.byID {
		s.cancel()
	}
	qs.mu.Unlock()
	return l.WaitQueries(ctx)
}

// WaitQueries waits until the queries started so far have ended, or until
// ctx ends: in --dev, a move of the clock answers once they have.
func (l *Lake) WaitQueries(ctx context.Context) error {
	qs := l.queries
	qs.mu.Lock()
	var pending []chan struct{}
	for _, s := range qs.byID {
		pending = append(pending, s.done)
	}
	qs.mu.Unlock()
	for _, done := range pending {
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("CloudTrail Lake queries: %w", ctx.Err())
		}
	}
	return nil
}
