package logs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/store"
)

// Logs Insights limits, from the CloudWatch Logs quotas page.
const (
	// MaxConcurrentQueries bounds the queries an account runs at once.
	MaxConcurrentQueries = 100
	// QueryTimeout ends a query that runs longer.
	QueryTimeout    = 60 * time.Minute
	maxQueryGroups  = 50
	defaultRowLimit = 10_000
)

// A node tells the store every QueryHeartbeatEvery that its queries still
// run (HeartbeatQueries). A Running query whose node has not told so for
// QueryHeartbeatTimeout was left by a node that died: it is reported
// Failed and no longer counts against MaxConcurrentQueries.
const (
	QueryHeartbeatEvery   = 10 * time.Second
	QueryHeartbeatTimeout = 3 * QueryHeartbeatEvery
)

// The query statuses.
const (
	QueryScheduled = "Scheduled"
	QueryRunning   = "Running"
	QueryComplete  = "Complete"
	QueryFailed    = "Failed"
	QueryCancelled = "Cancelled"
	QueryTimedOut  = "Timeout"
)

// QueryError is a query string that does not parse or compile; the API
// answers MalformedQueryException with the location.
type QueryError struct {
	Message    string
	Start, End int // character offsets in the query string
}

func (e *QueryError) Error() string { return e.Message }

// queries holds the cancel functions of the queries this node runs; which
// queries run, on which node, is in the store, for every node to see.
type queries struct {
	mu      sync.Mutex
	running map[string]context.CancelFunc
	// runs counts the queries' goroutines, until their outcome is stored.
	runs sync.WaitGroup
}

// QueryInput is StartQuery's input.
type QueryInput struct {
	Groups, GroupIdentifiers []string
	Start, End               int64 // seconds
	Query, Language          string
	Limit                    int
	UserIdentity             string
}

// StartQuery compiles a query and runs it in the background; the id it
// returns is what GetQueryResults reads.
func (e *Engine) StartQuery(ctx context.Context, sc Scope, in QueryInput) (string, error) {
	if in.Language != "" && in.Language != "CWLI" {
		return "", errorf(InvalidParameter, "Vigil runs Logs Insights queries in queryLanguage CWLI only; %s is not supported yet.", in.Language)
	}
	if in.End < in.Start {
		return "", errorf(InvalidParameter, "End time cannot be less than start time.")
	}
	q, err := insights.Parse(in.Query)
	if err == nil {
		var plan *insights.Plan
		plan, err = insights.Compile(q, insights.Options{})
		if err == nil {
			return e.startQuery(ctx, sc, in, plan)
		}
	}
	return "", queryError(in.Query, err)
}

// queryError locates a parse or compile error in the query string.
func queryError(query string, err error) error {
	var ie *insights.Error
	if !errors.As(err, &ie) {
		return err
	}
	off, line := 0, 1
	for i, r := range query {
		if line == ie.Line {
			off = i
			break
		}
		if r == '\n' {
			line++
		}
	}
	start := utf8.RuneCountInString(query[:off]) + max(ie.Column-1, 0)
	return &QueryError{Message: ie.Error(), Start: start, End: start}
}

func (e *Engine) startQuery(ctx context.Context, sc Scope, in QueryInput, plan *insights.Plan) (string, error) {
	groups, err := e.queryGroups(ctx, sc, in, plan)
	if err != nil {
		return "", err
	}
	limit := in.Limit
	if limit == 0 {
		limit = defaultRowLimit
	}
	lq := store.LogQuery{Plan: plan, Start: in.Start * 1000, End: in.End*1000 + 999, Limit: limit, Now: e.now()}
	names := make([]string, len(groups))
	for i, g := range groups {
		lq.Groups = append(lq.Groups, store.LogGroupRef{ID: g.ID, Log: sc.Account + ":" + g.Name})
		names[i] = g.Name
	}
	now := e.now()
	rec := store.LogQueryRecord{ID: newQueryID(), Account: sc.Account, Region: sc.Region, Query: in.Query, Language: "CWLI", Groups: names,
		Status: QueryRunning, Created: now, UserIdentity: in.UserIdentity, Statistics: "{}", Owner: e.opt.Node, Heartbeat: now}
	started, err := e.opt.Queries.StartLogQuery(ctx, rec, MaxConcurrentQueries, aliveAfter(now))
	if err != nil {
		return "", err
	}
	if !started {
		return "", errorf(LimitExceeded, "Account maximum query concurrency limit of [%d] reached.", MaxConcurrentQueries)
	}
	runCtx, cancel := clock.WithTimeout(context.WithoutCancel(ctx), e.opt.Clock, QueryTimeout)
	e.q.mu.Lock()
	e.q.running[rec.ID] = cancel
	e.q.mu.Unlock()
	e.q.runs.Go(func() { e.runQuery(runCtx, rec, lq) })
	return rec.ID, nil
}

// StopQueries cancels the queries this node runs and waits, until ctx
// ends, for their outcome (Cancelled) to be stored: Vigil's shutdown,
// before the store closes.
func (e *Engine) StopQueries(ctx context.Context) error {
	e.q.mu.Lock()
	for _, cancel := range e.q.running {
		cancel()
	}
	e.q.mu.Unlock()
	done := make(chan struct{})
	go func() {
		e.q.runs.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cannot stop the running Logs Insights queries: %w", ctx.Err())
	}
}

// QueryRetention is how long a query's record and results are kept, as
// in CloudWatch Logs, where results are retrievable for 7 days.
const QueryRetention = 7 * 24 * time.Hour

// ExpireQueries is a scheduler step: it deletes the queries created more
// than QueryRetention before now (of every account), and returns how
// many.
func (e *Engine) ExpireQueries(ctx context.Context, now time.Time) (int64, error) {
	return e.opt.Queries.DeleteLogQueriesBefore(ctx, now.Add(-QueryRetention).UnixMilli())
}

// aliveAfter is the heartbeat (ms) a running query must be newer than at
// now (ms) to count as running: older, its node died.
func aliveAfter(now int64) int64 { return now - QueryHeartbeatTimeout.Milliseconds() }

// queryGroups resolves the log groups of a query: the request's names or
// identifiers, or the query's SOURCE command.
func (e *Engine) queryGroups(ctx context.Context, sc Scope, in QueryInput, plan *insights.Plan) ([]*store.LogGroup, error) {
	given := len(in.Groups) + len(in.GroupIdentifiers)
	switch {
	case len(in.Groups) > 0 && len(in.GroupIdentifiers) > 0:
		return nil, errorf(InvalidParameter, "LogGroup names and LogGroup identifiers are mutually exclusive parameters.")
	case given > maxQueryGroups:
		return nil, errorf(InvalidParameter, "A query can search at most %d log groups.", maxQueryGroups)
	case given == 0 && plan.Source == nil:
		return nil, errorf(InvalidParameter, "Specify logGroupName, logGroupNames, logGroupIdentifiers or a SOURCE command in the query.")
	case given > 0 && plan.Source != nil:
		return nil, errorf(InvalidParameter, "A query with a SOURCE command cannot also name log groups.")
	}
	var out []*store.LogGroup
	if plan.Source != nil {
		if len(plan.Source.AccountIDs) > 0 && !slices.Equal(plan.Source.AccountIDs, []string{sc.Account}) {
			return nil, errorf(InvalidParameter, "Vigil has no linked accounts: SOURCE can select log groups of this account only.")
		}
		all, err := e.opt.Store.LogGroups(ctx, store.LogGroupQuery{Account: sc.Account, Region: sc.Region, Class: plan.Source.Class})
		if err != nil {
			return nil, err
		}
		for _, g := range all {
			if len(plan.Source.NamePrefixes) == 0 || slices.ContainsFunc(plan.Source.NamePrefixes, func(p string) bool { return strings.HasPrefix(g.Name, p) }) {
				out = append(out, &g)
			}
		}
		if len(out) > maxQueryGroups {
			return nil, errorf(InvalidParameter, "The SOURCE command selects %d log groups; a query can search at most %d.", len(out), maxQueryGroups)
		}
		return out, nil
	}
	for _, name := range in.Groups {
		g, err := e.group(ctx, sc, name, "")
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	for _, id := range in.GroupIdentifiers {
		g, err := e.group(ctx, sc, "", id)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func newQueryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// QueryStatistics are GetQueryResults' statistics.
type QueryStatistics struct {
	RecordsMatched   float64 `json:"recordsMatched"`
	RecordsScanned   float64 `json:"recordsScanned"`
	BytesScanned     float64 `json:"bytesScanned"`
	LogGroupsScanned float64 `json:"logGroupsScanned"`
}

// ResultField is one field of a result row.
type ResultField struct {
	Field string  `json:"field"`
	Value *string `json:"value,omitempty"`
}

func (e *Engine) runQuery(ctx context.Context, rec store.LogQueryRecord, lq store.LogQuery) {
	defer e.finishQuery(rec.ID)
	started := e.opt.Clock.Now()
	res, err := e.opt.Querier.RunLogQuery(ctx, lq)
	rec.Duration = e.opt.Clock.Now().Sub(started).Milliseconds()
	switch {
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		rec.Status = QueryTimedOut
	case ctx.Err() != nil:
		rec.Status = QueryCancelled
	case err != nil:
		rec.Status = QueryFailed
		e.opt.Logger.Warn("log query failed", "query", rec.ID, "error", err)
	default:
		rec.Status = QueryComplete
		rows := make([][]ResultField, len(res.Rows))
		for i, row := range res.Rows {
			for j, v := range row {
				if v != nil {
					rows[i] = append(rows[i], ResultField{Field: res.Fields[j], Value: v})
				}
			}
		}
		rec.Results, _ = json.Marshal(rows)
		st, _ := json.Marshal(QueryStatistics{RecordsMatched: res.RecordsMatched, RecordsScanned: res.RecordsScanned,
			BytesScanned: res.BytesScanned, LogGroupsScanned: float64(len(lq.Groups))})
		rec.Statistics = string(st)
	}
	if err := e.opt.Queries.PutLogQuery(context.WithoutCancel(ctx), rec); err != nil {
		e.opt.Logger.Error("cannot record the outcome of a log query", "query", rec.ID, "error", err)
	}
}

func (e *Engine) finishQuery(id string) {
	e.q.mu.Lock()
	defer e.q.mu.Unlock()
	e.q.running[id]()
	delete(e.q.running, id)
}

// runningHere returns the ids of the queries this node runs.
func (e *Engine) runningHere() []string {
	e.q.mu.Lock()
	defer e.q.mu.Unlock()
	return slices.Collect(maps.Keys(e.q.running))
}

// HeartbeatQueries is a scheduler step, every QueryHeartbeatEvery on every
// node: it tells the store that the queries this node runs still run, and
// cancels those another node asked to stop (StopQuery).
func (e *Engine) HeartbeatQueries(ctx context.Context, now time.Time) error {
	stop, err := e.opt.Queries.HeartbeatLogQueries(ctx, e.opt.Node, e.runningHere(), now.UnixMilli())
	if err != nil {
		return err
	}
	e.q.mu.Lock()
	defer e.q.mu.Unlock()
	for _, id := range stop {
		// A query that ended meanwhile has left the map.
		if cancel, ok := e.q.running[id]; ok {
			cancel()
		}
	}
	return nil
}

// QueryResults is GetQueryResults' output.
type QueryResults struct {
	Status     string
	Rows       [][]ResultField
	Statistics QueryStatistics
}

// query returns a query record of the scope; a record left Running by a
// node that died is reported Failed.
func (e *Engine) query(ctx context.Context, sc Scope, id string) (*store.LogQueryRecord, error) {
	here := e.runningHere()
	rec, err := e.opt.Queries.LogQueryRecord(ctx, sc.Account, sc.Region, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(ResourceNotFound, "The specified query does not exist.")
	}
	if err != nil {
		return nil, err
	}
	markDead(rec, here, aliveAfter(e.now()))
	return rec, nil
}

// markDead reports Failed a record left Running by a node that stopped
// heartbeating, but never one of here, the queries this node runs, whose
// heartbeat may only be late. A query leaves this node's running set only
// after its outcome is stored: here must be taken before rec is read, so
// that a query finishing meanwhile is not taken for a dead one.
func markDead(rec *store.LogQueryRecord, here []string, aliveAfter int64) {
	if rec.Status == QueryRunning && rec.Heartbeat <= aliveAfter && !slices.Contains(here, rec.ID) {
		rec.Status = QueryFailed
	}
}

// GetQueryResults returns a query's status and, once complete, its rows.
func (e *Engine) GetQueryResults(ctx context.Context, sc Scope, id string) (*QueryResults, error) {
	rec, err := e.query(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	out := &QueryResults{Status: rec.Status, Rows: [][]ResultField{}}
	if rec.Results != nil {
		if err := json.Unmarshal(rec.Results, &out.Rows); err != nil {
			return nil, fmt.Errorf("query %s has damaged results: %w", id, err)
		}
	}
	if err := json.Unmarshal([]byte(rec.Statistics), &out.Statistics); err != nil {
		return nil, fmt.Errorf("query %s has damaged statistics: %w", id, err)
	}
	return out, nil
}

// StopQuery cancels a running query: at once when this node runs it, at
// its node's next heartbeat (HeartbeatQueries) when another node does. It
// reports whether one was running.
func (e *Engine) StopQuery(ctx context.Context, sc Scope, id string) (bool, error) {
	rec, err := e.query(ctx, sc, id)
	if err != nil {
		return false, err
	}
	if rec.Status == QueryRunning {
		e.q.mu.Lock()
		cancel, here := e.q.running[id]
		e.q.mu.Unlock()
		if here {
			cancel()
			return true, nil
		}
		stopping, err := e.opt.Queries.RequestStopLogQuery(ctx, sc.Account, sc.Region, id, aliveAfter(e.now()))
		if err != nil || stopping {
			return stopping, err
		}
	}
	return false, errorf(InvalidParameter, "Query %s is not running.", id)
}

// DescribeQueries lists recent queries, newest first.
func (e *Engine) DescribeQueries(ctx context.Context, sc Scope, group, status string, max int, token string) ([]store.LogQueryRecord, string, error) {
	here := e.runningHere()
	all, err := e.opt.Queries.LogQueryRecords(ctx, sc.Account, sc.Region)
	if err != nil {
		return nil, "", err
	}
	after := aliveAfter(e.now())
	var keep []store.LogQueryRecord
	for _, rec := range all {
		markDead(&rec, here, after)
		if (status == "" || rec.Status == status) && (group == "" || slices.Contains(rec.Groups, group)) {
			keep = append(keep, rec)
		}
	}
	return paginate(keep, max, 1000, token, "queries", func(r store.LogQueryRecord) string {
		return fmt.Sprintf("%020d%s", 1<<62-r.Created, r.ID)
	})
}

// GetLogRecord returns every field of the event a @ptr value points to.
func (e *Engine) GetLogRecord(ctx context.Context, sc Scope, ptr string) (map[string]string, error) {
	notFound := errorf(ResourceNotFound, "The specified log record does not exist.")
	rec, err := e.opt.Querier.LogRecord(ctx, ptr)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	// The record must be of a group of the caller's account and region.
	name, ok := strings.CutPrefix(rec["@log"], sc.Account+":")
	if !ok {
		return nil, notFound
	}
	if _, err := e.group(ctx, sc, name, ""); err != nil {
		if isCode(err, ResourceNotFound) {
			return nil, notFound
		}
		return nil, err
	}
	return rec, nil
}

// GetLogGroupFields discovers the fields of a group's events: the 15
// minutes up to now, or the 8 minutes on either side of at (seconds).
func (e *Engine) GetLogGroupFields(ctx context.Context, sc Scope, name, identifier string, at *int64) ([]store.LogField, error) {
	g, err := e.group(ctx, sc, name, identifier)
	if err != nil {
		return nil, err
	}
	start, end := e.now()-15*60*1000, e.now()
	if at != nil {
		start, end = (*at-8*60)*1000, (*at+8*60)*1000
	}
	return e.opt.Querier.LogGroupFields(ctx, store.LogGroupRef{ID: g.ID, Log: sc.Account + ":" + g.Name}, start, end)
}

// QueryDefinition is a saved query.
type QueryDefinition struct {
	ID, Name, Query string
	Groups          []string
	LastModified    int64
}

// PutQueryDefinition saves a query, creating it (new id) or updating id.
func (e *Engine) PutQueryDefinition(ctx context.Context, sc Scope, d QueryDefinition) (string, error) {
	if d.ID == "" {
		d.ID = newQueryID()
	} else {
		defs, err := e.opt.Queries.LogQueryDefinitions(ctx, sc.Account, sc.Region)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(defs, func(x store.LogQueryDefinition) bool { return x.ID == d.ID }) {
			return "", errorf(ResourceNotFound, "The specified query definition does not exist.")
		}
	}
	err := e.opt.Queries.PutLogQueryDefinition(ctx, store.LogQueryDefinition{ID: d.ID, Account: sc.Account, Region: sc.Region,
		Name: d.Name, Query: d.Query, Language: "CWLI", Groups: d.Groups, LastModified: e.now()})
	return d.ID, err
}

// DescribeQueryDefinitions lists saved queries by name.
func (e *Engine) DescribeQueryDefinitions(ctx context.Context, sc Scope, prefix string, max int, token string) ([]QueryDefinition, string, error) {
	defs, err := e.opt.Queries.LogQueryDefinitions(ctx, sc.Account, sc.Region)
	if err != nil {
		return nil, "", err
	}
	var out []QueryDefinition
	for _, d := range defs {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, QueryDefinition{ID: d.ID, Name: d.Name, Query: d.Query, Groups: d.Groups, LastModified: d.LastModified})
		}
	}
	return paginate(out, max, 1000, token, "querydefinitions", func(d QueryDefinition) string { return d.Name + "\x00" + d.ID })
}

// DeleteQueryDefinition deletes a saved query.
func (e *Engine) DeleteQueryDefinition(ctx context.Context, sc Scope, id string) error {
	err := e.opt.Queries.DeleteLogQueryDefinition(ctx, sc.Account, sc.Region, id)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "The specified query definition does not exist.")
	}
	return err
}
