package logs

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// waitQuery polls a query until it is no longer running.
func (f *fixture) waitQuery(t *testing.T, id string) *QueryResults {
	t.Helper()
	for range 500 {
		res, err := f.GetQueryResults(f.ctx, sc, id)
		must(t, err)
		if res.Status != QueryRunning && res.Status != QueryScheduled {
			return res
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("query %s still running", id)
	return nil
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
	res := f.waitQuery(t, id)
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
	res = f.waitQuery(t, id)
	if len(res.Rows) != 1 || res.Rows[0][1].Field != "latency" || *res.Rows[0][1].Value != "50" || res.Rows[0][2].Field != "@ptr" {
		t.Fatalf("rows = %+v", res.Rows)
	}
	rec, err := f.GetLogRecord(f.ctx, sc, *res.Rows[0][2].Value)
	must(t, err)
	if rec["latency"] != "50" || rec["@logStream"] != "a" || rec["@log"] != sc.Account+":/app" {
		t.Errorf("log record = %v", rec)
	}
	if _, err := f.GetLogRecord(f.ctx, Scope{Account: "999999999999", Region: sc.Region}, *res.Rows[0][2].Value); err == nil {
		t.Error("another account read the log record")
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
