package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

var (
	t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sc = Scope{Account: "111111111111", Region: "us-east-1"}
)

// recorder is a MetricSink that keeps what it receives.
type recorder struct {
	mu   sync.Mutex
	data []Datum
	fail error
}

func (r *recorder) PutMetrics(_ context.Context, account, region string, data []Datum) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.data = append(r.data, data...)
	return nil
}

func (r *recorder) got() []Datum {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.data)
}

type fixture struct {
	*Engine
	clock   *clock.Fake
	metrics *recorder
	outbox  *outbox.Processor
	store   store.Outbox
	ctx     context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{clock: clock.NewFake(t0), metrics: &recorder{}, ctx: context.Background()}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	d := dispatch.New(dispatch.Options{Clock: f.clock, Logger: logger})
	f.store = st.Outbox()
	f.outbox = outbox.New(outbox.Options{Store: f.store, Clock: f.clock, Logger: logger, Rand: func() float64 { return 0 }})
	f.Engine = New(Options{Store: st.Logs(), Tags: st.Tags(), Metrics: f.metrics, Dispatcher: d, Clock: f.clock,
		Queries: watchQueries(st.LogQueries()), Querier: st.Querier(), Logger: logger})
	f.RegisterDeliveries(f.outbox, d)
	return f
}

// must fails the test on an error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode asserts err is an engine error with code and message.
func wantCode(t *testing.T, err error, code Code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("error = %v; want code %d %q", err, code, msg)
	}
}

// put ingests messages at the given millisecond offsets from t0.
func (f *fixture) put(t *testing.T, group, stream string, offsets []int64, msgs ...string) *Rejected {
	t.Helper()
	events := make([]InputEvent, len(msgs))
	for i, m := range msgs {
		events[i] = InputEvent{Timestamp: t0.UnixMilli() + offsets[i], Message: m}
	}
	p, err := f.PutLogEvents(f.ctx, sc, group, "", stream, events)
	if err != nil {
		t.Fatal(err)
	}
	return p.Rejected
}

func (f *fixture) setup(t *testing.T, group string, streams ...string) {
	t.Helper()
	must(t, f.CreateLogGroup(f.ctx, sc, NewGroup{Name: group}))
	for _, s := range streams {
		must(t, f.CreateLogStream(f.ctx, sc, group, s))
	}
}

func TestLogGroups(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"/app/web", "/app/api", "/sys/Kernel", "other"} {
		must(t, f.CreateLogGroup(f.ctx, sc, NewGroup{Name: name, Tags: map[string]string{"team": "a"}}))
	}
	wantCode(t, f.CreateLogGroup(f.ctx, sc, NewGroup{Name: "/app/web"}), ResourceAlreadyExists, "The specified log group already exists")
	wantCode(t, f.CreateLogGroup(f.ctx, sc, NewGroup{Name: "aws/reserved"}), InvalidParameter, "")
	// The same name in another account or region is another group.
	must(t, f.CreateLogGroup(f.ctx, Scope{Account: sc.Account, Region: "eu-west-1"}, NewGroup{Name: "/app/web"}))

	names := func(q GroupQuery) ([]string, string) {
		t.Helper()
		groups, next, err := f.DescribeLogGroups(f.ctx, sc, q)
		must(t, err)
		var out []string
		for _, g := range groups {
			out = append(out, g.Name)
		}
		return out, next
	}
	if got, _ := names(GroupQuery{}); !slices.Equal(got, []string{"/app/api", "/app/web", "/sys/Kernel", "other"}) {
		t.Errorf("all groups = %v; want sorted by name", got)
	}
	if got, _ := names(GroupQuery{Prefix: "/app/"}); !slices.Equal(got, []string{"/app/api", "/app/web"}) {
		t.Errorf("prefix /app/ = %v", got)
	}
	if got, _ := names(GroupQuery{Pattern: "kern"}); !slices.Equal(got, []string{"/sys/Kernel"}) {
		t.Errorf("pattern kern (case-insensitive) = %v", got)
	}
	if got, _ := names(GroupQuery{Identifiers: []string{"other", GroupARN(sc, "/app/web"), "missing"}}); !slices.Equal(got, []string{"/app/web", "other"}) {
		t.Errorf("identifiers = %v", got)
	}
	page1, next := names(GroupQuery{Limit: 3})
	page2, last := names(GroupQuery{Limit: 3, NextToken: next})
	if len(page1) != 3 || next == "" || !slices.Equal(page2, []string{"other"}) || last != "" {
		t.Errorf("pages = %v (%q), %v (%q)", page1, next, page2, last)
	}
	_, _, err := f.DescribeLogGroups(f.ctx, sc, GroupQuery{Prefix: "a", Pattern: "b"})
	wantCode(t, err, InvalidParameter, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	_, _, err = f.DescribeLogGroups(f.ctx, sc, GroupQuery{NextToken: "garbage"})
	wantCode(t, err, InvalidParameter, "The specified nextToken is invalid.")

	wantCode(t, f.PutRetentionPolicy(f.ctx, sc, "other", 2), InvalidParameter, "")
	must(t, f.PutRetentionPolicy(f.ctx, sc, "other", 30))
	groups, _, _ := f.DescribeLogGroups(f.ctx, sc, GroupQuery{Prefix: "other"})
	if groups[0].RetentionDays != 30 || groups[0].Class != "STANDARD" || groups[0].Created != t0.UnixMilli() {
		t.Errorf("group = %+v", groups[0])
	}
	must(t, f.DeleteRetentionPolicy(f.ctx, sc, "other"))

	tags, err := f.ListTagsForResource(f.ctx, sc, GroupARN(sc, "other"))
	if err != nil || tags["team"] != "a" {
		t.Errorf("tags = %v, %v", tags, err)
	}
	must(t, f.TagLogGroup(f.ctx, sc, "other", map[string]string{"env": "prod"}))
	must(t, f.UntagResource(f.ctx, sc, GroupARN(sc, "other")+":*", []string{"team"}))
	if tags, _ := f.ListTagsLogGroup(f.ctx, sc, "other"); len(tags) != 1 || tags["env"] != "prod" {
		t.Errorf("tags after tag/untag = %v", tags)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprint("k", i)] = "v"
	}
	wantCode(t, f.TagResource(f.ctx, sc, GroupARN(sc, "other"), many), TooManyTags, "")

	must(t, f.DeleteLogGroup(f.ctx, sc, "other"))
	wantCode(t, f.DeleteLogGroup(f.ctx, sc, "other"), ResourceNotFound, "The specified log group does not exist.")
	if _, err := f.ListTagsForResource(f.ctx, sc, GroupARN(sc, "other")); err == nil {
		t.Error("tags of a deleted group are still listed")
	}
}

func TestLogStreams(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "b", "a", "c")
	wantCode(t, f.CreateLogStream(f.ctx, sc, "g", "a"), ResourceAlreadyExists, "The specified log stream already exists")
	wantCode(t, f.CreateLogStream(f.ctx, sc, "nope", "a"), ResourceNotFound, "The specified log group does not exist.")
	f.put(t, "g", "c", []int64{1000}, "old")
	f.put(t, "g", "a", []int64{5000}, "new")

	list := func(q StreamQuery) []string {
		t.Helper()
		q.Group = "g"
		_, streams, _, err := f.DescribeLogStreams(f.ctx, sc, q)
		must(t, err)
		var out []string
		for _, s := range streams {
			out = append(out, s.Name)
		}
		return out
	}
	if got := list(StreamQuery{}); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("by name = %v", got)
	}
	if got := list(StreamQuery{OrderByLastEventTime: true, Descending: true}); !slices.Equal(got, []string{"a", "c", "b"}) {
		t.Errorf("by last event, descending = %v", got)
	}
	_, _, _, err := f.DescribeLogStreams(f.ctx, sc, StreamQuery{Group: "g", Prefix: "a", OrderByLastEventTime: true})
	wantCode(t, err, InvalidParameter, "Cannot order by LastEventTime with a logStreamNamePrefix.")
	_, streams, next, _ := f.DescribeLogStreams(f.ctx, sc, StreamQuery{Group: "g", Limit: 2})
	_, rest, last, _ := f.DescribeLogStreams(f.ctx, sc, StreamQuery{Group: "g", Limit: 2, NextToken: next})
	if len(streams) != 2 || len(rest) != 1 || rest[0].Name != "c" || last != "" {
		t.Errorf("paging: %v %q %v %q", streams, next, rest, last)
	}
	_, withStats, _, _ := f.DescribeLogStreams(f.ctx, sc, StreamQuery{Group: "g", Prefix: "a"})
	if s := withStats[0]; s.FirstEvent == nil || *s.FirstEvent != t0.UnixMilli()+5000 || s.LastIngestion == nil {
		t.Errorf("stream stats = %+v", s)
	}
	must(t, f.DeleteLogStream(f.ctx, sc, "g", "a"))
	wantCode(t, f.DeleteLogStream(f.ctx, sc, "g", "a"), ResourceNotFound, "The specified log stream does not exist.")
}

// testWriter sends the engine's logs to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
