package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

// watchedQueries is a query store that signals every record it stores:
// a query's outcome is stored when it ends.
type watchedQueries struct {
	store.LogQueries
	put chan struct{}
}

func watchQueries(q store.LogQueries) *watchedQueries {
	return &watchedQueries{LogQueries: q, put: make(chan struct{}, 1)}
}

func (w *watchedQueries) PutLogQuery(ctx context.Context, q store.LogQueryRecord) error {
	err := w.LogQueries.PutLogQuery(ctx, q)
	select {
	case w.put <- struct{}{}:
	default: // a signal is pending already
	}
	return err
}

// waitQuery waits until a query of e (whose store is watched) is no
// longer running, and returns its results.
func waitQuery(t *testing.T, e *Engine, id string) *QueryResults {
	t.Helper()
	put := e.opt.Queries.(*watchedQueries).put
	stuck := time.NewTimer(30 * time.Second) // a failure's bound, not a wait
	defer stuck.Stop()
	for {
		res, err := e.GetQueryResults(t.Context(), sc, id)
		must(t, err)
		if res.Status != QueryRunning {
			return res
		}
		select {
		case <-put:
		case <-stuck.C:
			t.Fatalf("query %s still running after 30 s", id)
		}
	}
}

func TestInsightsQueries(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "/app", "a", "b")
	f.stream(t, "/app", "a", 6, func(i int) string {
		return fmt.Sprintf(`{"level":"%s","latency":%d}`, []string{"INFO", "ERROR"}[i%2], 10*i)
	})
	f.stream(t, "/app", "b", 3, func(i int) string { return "plain ERROR line" })
	start, end := t0.Add(-time.Minute).Unix(), t0.Add(time.Hour).Unix()

	id, err := f.StartQuery(f.ctx, sc, QueryInput{Groups: []string{"/app"}, Start: start, End: end,
		Query: "filter @message like /ERROR/ | stats count(*) as n by level | sort level"})
	must(t, err)
	res := waitQuery(t, f.Engine, id)
	if res.Status != QueryComplete || len(res.Rows) != 2 {
		t.Fatalf("results = %+v", res)
	}
	row := func(r []ResultField) string {
		s := ""
		for _, f := range r {
			s += fmt.Sprintf("%s=%s;", f.Field, *f.Value)
		}
		return s
	}
	// Plain lines have no level: their group has no level field.
	if got := row(res.Rows[0]) + row(res.Rows[1]); got != "level=ERROR;n=3;n=3;" {
		t.Errorf("rows = %q", got)
	}
	if res.Statistics.RecordsScanned != 9 || res.Statistics.RecordsMatched != 6 || res.Statistics.LogGroupsScanned != 1 {
		t.Errorf("statistics = %+v", res.Statistics)
	}

	id, err = f.StartQuery(f.ctx, sc, QueryInput{GroupIdentifiers: []string{GroupARN(sc, "/app")}, Start: start, End: end,
		Query: "fields @timestamp, latency | filter latency >= 40 | sort @timestamp desc | limit 1"})
	must(t, err)
	res = waitQuery(t, f.Engine, id)
	if len(res.Rows) != 1 || res.Rows[0][1].Field != "latency" || *res.Rows[0][1].Value != "50" || res.Rows[0][2].Field != "@ptr" {
		t.Fatalf("rows = %+v", res.Rows)
	}
	rec, err := f.GetLogRecord(f.ctx, sc, *res.Rows[0][2].Value)
	must(t, err)
	if rec["latency"] != "50" || rec["@logStream"] != "a" || rec["@log"] != sc.Account+":/app" {
		t.Errorf("log record = %v", rec)
	}
	for _, other := range []Scope{{Account: "999999999999", Region: sc.Region}, {Account: sc.Account, Region: "eu-west-1"}} {
		_, err := f.GetLogRecord(f.ctx, other, *res.Rows[0][2].Value)
		wantCode(t, err, ResourceNotFound, "The specified log record does not exist.")
	}

	_, err = f.StartQuery(f.ctx, sc, QueryInput{Groups: []string{"/app"}, Start: start, End: end, Query: "fields @message\n| stats count(*) by"})
	var qe *QueryError
	if !errors.As(err, &qe) || qe.Start <= len("fields @message") {
		t.Errorf("malformed query error = %#v; want a QueryError located on line 2", err)
	}
	_, err = f.StartQuery(f.ctx, sc, QueryInput{Groups: []string{"/nope"}, Start: start, End: end, Query: "fields @message"})
	wantCode(t, err, ResourceNotFound, "")
	_, err = f.StartQuery(f.ctx, sc, QueryInput{Groups: []string{"/app"}, Start: start, End: end, Query: "fields @message", Language: "SQL"})
	wantCode(t, err, InvalidParameter, "")

	qs, _, err := f.DescribeQueries(f.ctx, sc, "/app", QueryComplete, 0, "")
	if err != nil || len(qs) != 2 {
		t.Errorf("DescribeQueries = %d, %v", len(qs), err)
	}
	fields, err := f.GetLogGroupFields(f.ctx, sc, "/app", "", nil)
	must(t, err)
	names := map[string]int{}
	for _, fl := range fields {
		names[fl.Name] = fl.Percent
	}
	if names["@message"] != 100 || names["level"] == 0 {
		t.Errorf("fields = %v", fields)
	}

	// Queries are kept seven days from their start.
	n, err := f.ExpireQueries(f.ctx, t0.Add(QueryRetention))
	if err != nil || n != 0 {
		t.Errorf("ExpireQueries at 7 days = %d, %v; want none expired", n, err)
	}
	if n, err := f.ExpireQueries(f.ctx, t0.Add(QueryRetention+time.Millisecond)); err != nil || n != 2 {
		t.Errorf("ExpireQueries past 7 days = %d, %v; want the 2 queries", n, err)
	}
	_, err = f.GetQueryResults(f.ctx, sc, id)
	wantCode(t, err, ResourceNotFound, "The specified query does not exist.")
}

func TestQueryDefinitions(t *testing.T) {
	f := newFixture(t)
	id, err := f.PutQueryDefinition(f.ctx, sc, QueryDefinition{Name: "errors", Query: "filter @message like /ERROR/", Groups: []string{"/app"}})
	must(t, err)
	if _, err := f.PutQueryDefinition(f.ctx, sc, QueryDefinition{ID: id, Name: "errors v2", Query: "filter level = 'ERROR'"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.PutQueryDefinition(f.ctx, sc, QueryDefinition{ID: "unknown", Name: "x", Query: "fields @message"})
	wantCode(t, err, ResourceNotFound, "")
	defs, _, err := f.DescribeQueryDefinitions(f.ctx, sc, "errors", 0, "")
	if err != nil || len(defs) != 1 || defs[0].Name != "errors v2" {
		t.Fatalf("definitions = %+v, %v", defs, err)
	}
	must(t, f.DeleteQueryDefinition(f.ctx, sc, id))
	wantCode(t, f.DeleteQueryDefinition(f.ctx, sc, id), ResourceNotFound, "")
}

// blockingQuerier holds the queries it runs until they are cancelled:
// they stay Running as long as a test needs.
type blockingQuerier struct{ store.LogQuerier }

func (q blockingQuerier) RunLogQuery(ctx context.Context, _ store.LogQuery) (*store.LogQueryResult, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// cluster is the engines of nodes sharing one store and one clock, with
// a log group /app; their queries run until the test ends.
type cluster struct {
	clock *clock.Fake
	nodes map[string]*Engine
}

func newCluster(t *testing.T, names ...string) *cluster {
	t.Helper()
	st, err := embedded.Open(t.Context(), t.TempDir(), embedded.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	querier := blockingQuerier{LogQuerier: st.Querier()}
	// One watched store: a node waits for the outcome another stores.
	queries := watchQueries(st.LogQueries())
	c := &cluster{clock: clock.NewFake(t0), nodes: map[string]*Engine{}}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	for _, name := range names {
		c.nodes[name] = New(Options{Store: st.Logs(), Tags: st.Tags(), Queries: queries, Querier: querier,
			Node: name, Clock: c.clock, Logger: logger.With("node", name)})
	}
	must(t, c.nodes[names[0]].CreateLogGroup(t.Context(), sc, NewGroup{Name: "/app"}))
	// The queries end, and store their outcome, before the store closes.
	t.Cleanup(func() {
		for _, e := range c.nodes {
			if err := e.StopQueries(context.Background()); err != nil {
				t.Error(err)
			}
		}
	})
	return c
}

// start starts a query of /app on node.
func (c *cluster) start(t *testing.T, node string) (string, error) {
	t.Helper()
	return c.nodes[node].StartQuery(t.Context(), sc, QueryInput{Groups: []string{"/app"}, Start: t0.Unix() - 60, End: t0.Unix(), Query: "fields @message"})
}

// fill starts n queries at once, on nodes in turn.
func (c *cluster) fill(t *testing.T, n int, nodes ...string) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := c.start(t, nodes[i%len(nodes)]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// status returns a query's status as node reports it.
func (c *cluster) status(t *testing.T, node, id string) string {
	t.Helper()
	res, err := c.nodes[node].GetQueryResults(t.Context(), sc, id)
	must(t, err)
	return res.Status
}

// heartbeat runs node's heartbeat step at the clock's time.
func (c *cluster) heartbeat(t *testing.T, node string) {
	t.Helper()
	must(t, c.nodes[node].HeartbeatQueries(t.Context(), c.clock.Now()))
}

func TestQueryLimitCountsEveryNode(t *testing.T) {
	c := newCluster(t, "a", "b")
	c.fill(t, MaxConcurrentQueries, "a", "b")
	limit := fmt.Sprintf("Account maximum query concurrency limit of [%d] reached.", MaxConcurrentQueries)
	for _, node := range []string{"a", "b"} {
		_, err := c.start(t, node)
		wantCode(t, err, LimitExceeded, limit)
	}
	// A query that ends frees its place, for any node.
	running, _, err := c.nodes["b"].DescribeQueries(t.Context(), sc, "", QueryRunning, 0, "")
	must(t, err)
	if len(running) != MaxConcurrentQueries {
		t.Fatalf("DescribeQueries(Running) on b = %d queries; want %d, of both nodes", len(running), MaxConcurrentQueries)
	}
	id := running[0].ID
	if ok, err := c.nodes[running[0].Owner].StopQuery(t.Context(), sc, id); err != nil || !ok {
		t.Fatalf("StopQuery on the query's node = %v, %v; want true", ok, err)
	}
	if res := waitQuery(t, c.nodes["a"], id); res.Status != QueryCancelled {
		t.Fatalf("stopped query = %s; want Cancelled", res.Status)
	}
	other := map[string]string{"a": "b", "b": "a"}[running[0].Owner]
	_, err = c.start(t, other)
	must(t, err)
	_, err = c.start(t, other)
	wantCode(t, err, LimitExceeded, limit)
}

func TestStopQueryOnAnotherNode(t *testing.T) {
	c := newCluster(t, "a", "b")
	id, err := c.start(t, "a")
	must(t, err)
	wantCode(t, func() error {
		_, err := c.nodes["b"].StopQuery(t.Context(), Scope{Account: "999999999999", Region: sc.Region}, id)
		return err
	}(),
		ResourceNotFound, "The specified query does not exist.")
	if ok, err := c.nodes["b"].StopQuery(t.Context(), sc, id); err != nil || !ok {
		t.Fatalf("StopQuery on b = %v, %v; want true", ok, err)
	}
	// a stops the query at its next heartbeat.
	c.clock.Advance(QueryHeartbeatEvery)
	if got := c.status(t, "b", id); got != QueryRunning {
		t.Fatalf("query before a's heartbeat = %s; want Running", got)
	}
	c.heartbeat(t, "b") // runs none of the queries
	if got := c.status(t, "a", id); got != QueryRunning {
		t.Fatalf("query after b's heartbeat = %s; want Running", got)
	}
	c.heartbeat(t, "a")
	if res := waitQuery(t, c.nodes["b"], id); res.Status != QueryCancelled {
		t.Fatalf("query after a's heartbeat = %s; want Cancelled", res.Status)
	}
	for _, node := range []string{"a", "b"} {
		_, err := c.nodes[node].StopQuery(t.Context(), sc, id)
		wantCode(t, err, InvalidParameter, "Query "+id+" is not running.")
		_, err = c.nodes[node].StopQuery(t.Context(), sc, "unknown")
		wantCode(t, err, ResourceNotFound, "The specified query does not exist.")
	}
}

func TestQueryOfDeadNodeFails(t *testing.T) {
	c := newCluster(t, "a", "b")
	dead, err := c.start(t, "a")
	must(t, err)
	alive, err := c.start(t, "b")
	must(t, err)
	// b heartbeats; a has died, though its engine, which still runs the
	// query, is here to tell it never reports it Failed.
	for _, d := range []time.Duration{QueryHeartbeatEvery, QueryHeartbeatEvery, QueryHeartbeatTimeout - 2*QueryHeartbeatEvery - time.Millisecond} {
		c.clock.Advance(d)
		c.heartbeat(t, "b")
		if got := c.status(t, "b", dead); got != QueryRunning {
			t.Fatalf("a's query %v after its heartbeat = %s; want Running", c.clock.Now().Sub(t0), got)
		}
	}
	c.clock.Advance(time.Millisecond)
	if got := c.status(t, "b", dead); got != QueryFailed {
		t.Errorf("a's query past the heartbeat timeout = %s; want Failed", got)
	}
	if got := c.status(t, "a", dead); got != QueryRunning {
		t.Errorf("a's query on a = %s; want Running", got)
	}
	if got := c.status(t, "a", alive); got != QueryRunning {
		t.Errorf("b's query on a = %s; want Running", got)
	}
	ids := func(status string) []string {
		recs, _, err := c.nodes["b"].DescribeQueries(t.Context(), sc, "", status, 0, "")
		must(t, err)
		var out []string
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return out
	}
	if failed, running := ids(QueryFailed), ids(QueryRunning); !slices.Equal(failed, []string{dead}) || !slices.Equal(running, []string{alive}) {
		t.Errorf("DescribeQueries on b: Failed %v, Running %v; want [%s], [%s]", failed, running, dead, alive)
	}
	_, err = c.nodes["b"].StopQuery(t.Context(), sc, dead)
	wantCode(t, err, InvalidParameter, "Query "+dead+" is not running.")
	// It no longer counts against the limit.
	c.fill(t, MaxConcurrentQueries-1, "b")
	_, err = c.start(t, "b")
	wantCode(t, err, LimitExceeded, "")
}
