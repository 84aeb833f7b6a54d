package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/store"
)

// Event is a log event for LoadEvents.
type Event struct {
	// Group and Stream name the log group and stream it goes to.
	Group, Stream string
	// Timestamp is in milliseconds since the epoch.
	Timestamp int64
	Message   string
}

// LoadEvents stores events through l, in the order given, in the groups
// and streams they name (creating them, of class STANDARD, in the account
// and region), each event with its timestamp plus a second as its
// ingestion time; it returns the groups in the order they first appear,
// as queries name them.
func LoadEvents(tb testing.TB, l store.Logs, account, region string, events []Event) []store.LogGroupRef {
	tb.Helper()
	ctx := context.Background()
	groups := map[string]int64{}
	streams := map[[2]string]int64{}
	var refs []store.LogGroupRef
	for _, e := range events {
		gid, ok := groups[e.Group]
		if !ok {
			g := &store.LogGroup{Account: account, Region: region, Name: e.Group, Class: "STANDARD"}
			if err := l.CreateLogGroup(ctx, g, "arn:aws:logs:"+region+":"+account+":log-group:"+e.Group, nil); err != nil {
				tb.Fatalf("CreateLogGroup(%s): %v", e.Group, err)
			}
			gid, groups[e.Group] = g.ID, g.ID
			refs = append(refs, store.LogGroupRef{ID: g.ID, Log: account + ":" + e.Group})
		}
		key := [2]string{e.Group, e.Stream}
		sid, ok := streams[key]
		if !ok {
			st := &store.LogStream{GroupID: gid, Name: e.Stream}
			if err := l.CreateLogStream(ctx, st); err != nil {
				tb.Fatalf("CreateLogStream(%s): %v", e.Stream, err)
			}
			sid, streams[key] = st.ID, st.ID
		}
		seq, err := l.ReserveSeqs(ctx, 1)
		if err != nil {
			tb.Fatal(err)
		}
		b := &store.IngestBatch{GroupID: gid, StreamID: sid, Ingestion: e.Timestamp + 1000,
			Events: []store.LogEvent{{StreamID: sid, Stream: e.Stream, Timestamp: e.Timestamp, Ingestion: e.Timestamp + 1000, Seq: seq, Message: e.Message}}}
		if err := l.Ingest(ctx, b); err != nil {
			tb.Fatalf("Ingest: %v", err)
		}
	}
	return refs
}

// plan compiles a Logs Insights query.
func plan(tb testing.TB, query string) *insights.Plan {
	tb.Helper()
	q, err := insights.Parse(query)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", query, err)
	}
	p, err := insights.Compile(q, insights.Options{})
	if err != nil {
		tb.Fatalf("Compile(%q): %v", query, err)
	}
	return p
}

func querierOf(t *testing.T, b Backend) (store.Logs, store.LogQuerier) {
	t.Helper()
	need(t, b.Logs != nil, "Logs")
	need(t, b.LogQuerier != nil, "LogQuerier")
	return b.Logs, b.LogQuerier
}

// column returns the values of a result column ("<nil>" for absent ones).
func column(t *testing.T, res *store.LogQueryResult, field string) []string {
	t.Helper()
	i := slices.Index(res.Fields, field)
	if i < 0 {
		t.Fatalf("result fields %v lack %s", res.Fields, field)
	}
	var out []string
	for _, row := range res.Rows {
		if row[i] == nil {
			out = append(out, "<nil>")
		} else {
			out = append(out, *row[i])
		}
	}
	return out
}

// The day the querier's events are on, 2024-01-01, in milliseconds.
var day = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// LogQuerier checks the backend's store.LogQuerier over events stored
// through its Logs. (The query language is checked by InsightsCorpus.)
func LogQuerier(t *testing.T, open Open) {
	ctx := context.Background()
	appEvents := []Event{
		{Group: "/app", Stream: "s1", Timestamp: day + 1000, Message: `{"level":"ERROR","req":{"id":7},"@x":"y"}`},
		{Group: "/app", Stream: "s1", Timestamp: day + 2000, Message: `{"level":"INFO"}`},
		{Group: "/app", Stream: "s2", Timestamp: day + 3000, Message: "plain"},
		{Group: "/app", Stream: "s2", Timestamp: day + 4000, Message: `{"level":"INFO","extra":true}`},
		{Group: "/other", Stream: "o", Timestamp: day + 2500, Message: `{"level":"ERROR","other":1}`},
	}
	appBytes := 0
	for _, e := range appEvents[:4] {
		appBytes += len(e.Message)
	}
	run := func(t *testing.T, q store.LogQuerier, lq store.LogQuery) *store.LogQueryResult {
		t.Helper()
		res, err := q.RunLogQuery(ctx, lq)
		if err != nil {
			t.Fatalf("RunLogQuery(%q): %v", lq.Plan.Query, err)
		}
		for _, row := range res.Rows {
			if len(row) != len(res.Fields) {
				t.Fatalf("RunLogQuery(%q): a row of %d values for fields %v", lq.Plan.Query, len(row), res.Fields)
			}
		}
		return res
	}

	t.Run("results, statistics and records", func(t *testing.T) {
		l, q := querierOf(t, fresh(t, open))
		groups := LoadEvents(t, l, acct, region, appEvents)
		LoadEvents(t, l, otherAcct, region, []Event{{Group: "/app", Stream: "s1", Timestamp: day + 1000, Message: `{"level":"ERROR"}`}})
		res := run(t, q, store.LogQuery{Plan: plan(t, `filter level = "ERROR"`), Groups: groups[:1], Start: day, End: day + 10_000})
		if !slices.Equal(res.Fields, []string{"@timestamp", "@message", "@ptr"}) || len(res.Rows) != 1 {
			t.Fatalf("RunLogQuery(filter) = fields %v, %d rows; want @timestamp, @message and @ptr, 1 row", res.Fields, len(res.Rows))
		}
		if res.RecordsScanned != 4 || res.RecordsMatched != 1 || res.BytesScanned != float64(appBytes) {
			t.Errorf("statistics: scanned %v, matched %v, bytes %v; want 4, 1, %d", res.RecordsScanned, res.RecordsMatched, res.BytesScanned, appBytes)
		}
		ptr := res.Rows[0][2]
		if ptr == nil {
			t.Fatal("a row without @ptr")
		}
		rec, err := q.LogRecord(ctx, *ptr)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"@timestamp": fmt.Sprint(day + 1000), "@ingestionTime": fmt.Sprint(day + 2000), "@logStream": "s1", "@log": acct + ":/app",
			"@message": appEvents[0].Message, "level": "ERROR", "req.id": "7", "@@x": "y",
		}
		if !maps.Equal(rec, want) {
			t.Errorf("LogRecord = %v; want %v", rec, want)
		}

		// Every row of an event query has a pointer of its own to its
		// event; statistics rows have none.
		res = run(t, q, store.LogQuery{Plan: plan(t, "fields @logStream, @log, @message"), Groups: groups, Start: day, End: day + 10_000})
		if got, want := column(t, res, "@message"), []string{appEvents[3].Message, appEvents[2].Message, appEvents[4].Message, appEvents[1].Message, appEvents[0].Message}; !slices.Equal(got, want) {
			t.Errorf("@message of both groups, newest first = %q; want %q", got, want)
		}
		if got := column(t, res, "@log"); !slices.Equal(got, []string{acct + ":/app", acct + ":/app", acct + ":/other", acct + ":/app", acct + ":/app"}) {
			t.Errorf("@log = %v; want the groups' Log", got)
		}
		seen := map[string]bool{}
		for i, p := range column(t, res, "@ptr") {
			rec, err := q.LogRecord(ctx, p)
			if err != nil || seen[p] || rec["@message"] != *res.Rows[i][2] || rec["@logStream"] != *res.Rows[i][0] || rec["@log"] != *res.Rows[i][1] {
				t.Errorf("LogRecord(row %d's @ptr) = %v, %v (seen before: %v); want the row's event", i, rec, err, seen[p])
			}
			seen[p] = true
		}
		res = run(t, q, store.LogQuery{Plan: plan(t, "stats count(*) as n by @logStream"), Groups: groups, Start: day, End: day + 10_000})
		if !slices.Equal(res.Fields, []string{"@logStream", "n"}) || !slices.Equal(column(t, res, "n"), []string{"1", "2", "2"}) {
			t.Errorf("RunLogQuery(stats) = fields %v, rows %v; want @logStream and n without @ptr, counts 1 (o), 2, 2", res.Fields, column(t, res, "n"))
		}
	})

	t.Run("time range, groups and limits", func(t *testing.T) {
		l, q := querierOf(t, fresh(t, open))
		groups := LoadEvents(t, l, acct, region, appEvents)
		messagesOf := func(lq store.LogQuery) []string {
			t.Helper()
			return column(t, run(t, q, lq), "@message")
		}
		p := plan(t, "fields @message | sort @timestamp asc")
		// Start and End are both inclusive.
		if got := messagesOf(store.LogQuery{Plan: p, Groups: groups[:1], Start: day + 2000, End: day + 3000}); !slices.Equal(got, []string{appEvents[1].Message, "plain"}) {
			t.Errorf("events in [2000, 3000] = %q; want the events at 2000 and 3000", got)
		}
		if got := messagesOf(store.LogQuery{Plan: p, Groups: groups[1:], Start: day, End: day + 10_000}); !slices.Equal(got, []string{appEvents[4].Message}) {
			t.Errorf("events of /other = %q; want its event only", got)
		}
		res := run(t, q, store.LogQuery{Plan: p, Groups: groups, Start: day + 3000, End: day + 2000})
		if len(res.Rows) != 0 || !slices.Equal(res.Fields, []string{"@message", "@ptr"}) {
			t.Errorf("RunLogQuery(end before start) = fields %v, rows %v; want the fields and no rows", res.Fields, res.Rows)
		}
		if res := run(t, q, store.LogQuery{Plan: p, Start: day, End: day + 10_000}); len(res.Rows) != 0 {
			t.Errorf("RunLogQuery(no groups) = %v; want no rows", res.Rows)
		}
		// The request's limit and the query's: the smaller wins.
		for _, c := range []struct {
			query string
			limit int
			want  int
		}{{"fields @message", 2, 2}, {"fields @message | limit 3", 2, 2}, {"fields @message | limit 1", 2, 1}, {"fields @message | limit 3", 0, 3}} {
			if got := messagesOf(store.LogQuery{Plan: plan(t, c.query), Groups: groups, Start: day, End: day + 10_000, Limit: c.limit}); len(got) != c.want {
				t.Errorf("RunLogQuery(%q, limit %d) = %d rows; want %d", c.query, c.limit, len(got), c.want)
			}
		}
		// Without a limit, 10,000 rows.
		g := readGroup(t, l, acct, region, "/app")
		st := readStream(t, l, g.ID, "s1")
		many := make([]store.LogEvent, 10_001)
		for i := range many {
			many[i] = ev(day+5000+int64(i), "m")
		}
		ingest(t, l, st, day+20_000, many)
		res = run(t, q, store.LogQuery{Plan: plan(t, "fields @message"), Groups: groups[:1], Start: day, End: day + 20_000})
		if len(res.Rows) != 10_000 || res.RecordsScanned != 10_005 {
			t.Errorf("RunLogQuery without a limit = %d rows of %v scanned; want 10000 of 10005", len(res.Rows), res.RecordsScanned)
		}
	})

	t.Run("canceled and concurrent queries", func(t *testing.T) {
		l, q := querierOf(t, fresh(t, open))
		groups := LoadEvents(t, l, acct, region, appEvents)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		_, err := q.RunLogQuery(canceled, store.LogQuery{Plan: plan(t, "stats count(*)"), Groups: groups, Start: day, End: day + 10_000})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("RunLogQuery(canceled) = %v; want context.Canceled", err)
		}
		p := plan(t, "fields level | sort level")
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				res, err := q.RunLogQuery(ctx, store.LogQuery{Plan: p, Groups: groups, Start: day, End: day + 10_000})
				if err != nil || len(res.Rows) != 5 {
					t.Errorf("concurrent RunLogQuery = %v, %v; want 5 rows", res, err)
				}
			})
		}
		wg.Wait()
	})

	t.Run("records that are gone", func(t *testing.T) {
		l, q := querierOf(t, fresh(t, open))
		groups := LoadEvents(t, l, acct, region, slices.Concat(appEvents, []Event{{Group: "/gone", Stream: "g", Timestamp: day, Message: "x"}}))
		res := run(t, q, store.LogQuery{Plan: plan(t, "fields @message, @logStream, @log | sort @timestamp asc"), Groups: groups, Start: day, End: day + 10_000})
		ptrs := map[string]string{} // by message
		for i, p := range column(t, res, "@ptr") {
			ptrs[*res.Rows[i][0]] = p
		}
		for _, bad := range []string{"", "garbage", "AAAA", strings.Repeat("x", 200)} {
			if _, err := q.LogRecord(ctx, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("LogRecord(%q) = %v; want ErrNotFound", bad, err)
			}
		}
		// An expired event, one of a deleted stream, one of a deleted
		// group.
		app := readGroup(t, l, acct, region, "/app")
		if _, err := l.DeleteEventsBefore(ctx, app.ID, day+1500); err != nil {
			t.Fatal(err)
		}
		if err := l.DeleteLogStream(ctx, readStream(t, l, app.ID, "s2").ID); err != nil {
			t.Fatal(err)
		}
		gone := readGroup(t, l, acct, region, "/gone")
		if err := l.DeleteLogGroup(ctx, gone.ID, groupARN(acct, region, "/gone")); err != nil {
			t.Fatal(err)
		}
		for _, msg := range []string{appEvents[0].Message, "plain", "x"} {
			if rec, err := q.LogRecord(ctx, ptrs[msg]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("LogRecord(@ptr of deleted %q) = %v, %v; want ErrNotFound", msg, rec, err)
			}
		}
		if rec, err := q.LogRecord(ctx, ptrs[appEvents[1].Message]); err != nil || rec["@message"] != appEvents[1].Message {
			t.Errorf("LogRecord(@ptr of a kept event) = %v, %v; want the event", rec, err)
		}
	})

	t.Run("group fields", func(t *testing.T) {
		l, q := querierOf(t, fresh(t, open))
		groups := LoadEvents(t, l, acct, region, appEvents)
		fields := func(g store.LogGroupRef, start, end int64) string {
			t.Helper()
			fs, err := q.LogGroupFields(ctx, g, start, end)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, f := range fs {
				out = append(out, fmt.Sprint(f.Name, "=", f.Percent))
			}
			return strings.Join(out, " ")
		}
		// The system fields first, then the others by share, then name.
		want := "@timestamp=100 @message=100 @logStream=100 @log=100 @ingestionTime=100 level=75 @@x=25 extra=25 req.id=25"
		if got := fields(groups[0], day, day+10_000); got != want {
			t.Errorf("LogGroupFields:\n got %s\nwant %s", got, want)
		}
		// Both ends of the range are inclusive.
		want = "@timestamp=100 @message=100 @logStream=100 @log=100 @ingestionTime=100 level=67 extra=33"
		if got := fields(groups[0], day+2000, day+4000); got != want {
			t.Errorf("LogGroupFields(2000..4000):\n got %s\nwant %s", got, want)
		}
		if got := fields(groups[0], day+20_000, day+30_000); got != "" {
			t.Errorf("LogGroupFields(empty range) = %s; want none", got)
		}
		if got := fields(groups[1], day, day+10_000); got != "@timestamp=100 @message=100 @logStream=100 @log=100 @ingestionTime=100 level=100 other=100" {
			t.Errorf("LogGroupFields(/other) = %s; want its own fields", got)
		}
	})

	t.Run("durable across reopening", func(t *testing.T) {
		var ptrs []string
		var groups []store.LogGroupRef
		p := plan(t, "fields @message | sort @timestamp asc")
		b := reopen(t, open, func(t *testing.T, b Backend) {
			l, q := querierOf(t, b)
			groups = LoadEvents(t, l, acct, region, appEvents)
			ptrs = column(t, run(t, q, store.LogQuery{Plan: p, Groups: groups, Start: day, End: day + 10_000}), "@ptr")
		})
		_, q := querierOf(t, b)
		res := run(t, q, store.LogQuery{Plan: p, Groups: groups, Start: day, End: day + 10_000})
		if got := column(t, res, "@ptr"); !slices.Equal(got, ptrs) {
			t.Errorf("@ptr after reopening = %v; want the same as before, %v", got, ptrs)
		}
		for i, ptr := range ptrs {
			if rec, err := q.LogRecord(ctx, ptr); err != nil || rec["@message"] != *res.Rows[i][0] {
				t.Errorf("LogRecord(@ptr from before reopening) = %v, %v; want the event %q", rec, err, *res.Rows[i][0])
			}
		}
	})
}
