package insightsql

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// manyEnv returns an Env with n metrics of MyApp/Requests, dimension Host
// = hNNNNN, each with one observation of value i+1 at time 0.
func manyEnv(n int) *fakeEnv {
	env := newFakeEnv()
	for i := range n {
		env.add(Metric{Namespace: "MyApp", Name: "Requests", Dimensions: map[string]string{"Host": fmt.Sprintf("h%05d", i)}},
			map[int64][]float64{0: {float64(i + 1)}})
	}
	return env
}

func mustEval(t *testing.T, env Env, query string) Result {
	t.Helper()
	q, err := Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	res, err := q.Eval(env, 60, 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func codes(r Result) []string {
	var out []string
	for _, m := range r.Messages {
		out = append(out, m.Code)
	}
	return out
}

func TestMaxMetrics(t *testing.T) {
	f := func(n int, wantSum float64, wantCodes []string) {
		t.Helper()
		res := mustEval(t, manyEnv(n), "SELECT SUM(Requests) FROM MyApp")
		if got := res.Series[0].Values; len(got) != 1 || got[0] != wantSum {
			t.Errorf("%d metrics: got %v, want [%v]", n, got, wantSum)
		}
		if got := codes(res); !slices.Equal(got, wantCodes) {
			t.Errorf("%d metrics: got messages %v, want %v", n, got, wantCodes)
		}
	}
	// The first 10,000 metrics found: values 1 … 10,000.
	f(MaxMetrics, MaxMetrics*(MaxMetrics+1)/2, nil)
	f(MaxMetrics+5, MaxMetrics*(MaxMetrics+1)/2, []string{MaxMatchingResultsExceeded})
}

func TestMaxSeries(t *testing.T) {
	f := func(n int, query string, wantFirst, wantLast string, wantLen int, wantCodes []string) {
		t.Helper()
		res := mustEval(t, manyEnv(n), query)
		if len(res.Series) != wantLen {
			t.Fatalf("%d metrics, %s: got %d series, want %d", n, query, len(res.Series), wantLen)
		}
		if res.Series[0].Label != wantFirst || res.Series[len(res.Series)-1].Label != wantLast {
			t.Errorf("%d metrics, %s: got %s … %s, want %s … %s", n, query,
				res.Series[0].Label, res.Series[len(res.Series)-1].Label, wantFirst, wantLast)
		}
		if got := codes(res); !slices.Equal(got, wantCodes) {
			t.Errorf("%d metrics, %s: got messages %v, want %v", n, query, got, wantCodes)
		}
	}
	const groupBy = "SELECT SUM(Requests) FROM MyApp GROUP BY Host"
	f(MaxLimit, groupBy, "h00000", "h00499", MaxLimit, nil)
	f(MaxLimit+1, groupBy, "h00000", "h00499", MaxLimit, []string{MaxQueryResultsExceeded})
	// ORDER BY sorts every group, then keeps the first 500.
	f(MaxLimit+100, groupBy+" ORDER BY SUM() DESC", "h00599", "h00100", MaxLimit, []string{MaxQueryResultsExceeded})
	// A LIMIT of 500 is what the query asked for: no message.
	f(MaxLimit+1, groupBy+" LIMIT 500", "h00000", "h00499", MaxLimit, nil)
	f(MaxLimit+1, groupBy+" LIMIT 3", "h00000", "h00002", 3, nil)

	// A group without data is no series, and does not count.
	env := manyEnv(MaxLimit)
	env.add(Metric{Namespace: "MyApp", Name: "Requests", Dimensions: map[string]string{"Host": "a-idle"}}, nil)
	res := mustEval(t, env, groupBy)
	if len(res.Series) != MaxLimit || res.Series[0].Label != "h00000" || len(res.Messages) != 0 {
		t.Errorf("with an idle group: got %d series from %s, messages %v", len(res.Series), res.Series[0].Label, res.Messages)
	}
}

func TestEvalResultShape(t *testing.T) {
	env := newFakeEnv()
	env.add(Metric{Namespace: "ns", Name: "m", Dimensions: map[string]string{"a": "1", "b": "x"}}, map[int64][]float64{0: {1}})
	env.add(Metric{Namespace: "ns", Name: "m", Dimensions: map[string]string{"a": "2"}}, map[int64][]float64{0: {2}})

	res := mustEval(t, env, "SELECT SUM(m) FROM ns GROUP BY a, b")
	if !res.Array || len(res.Series) != 2 || len(res.Groups) != 2 {
		t.Fatalf("got %+v", res)
	}
	if !maps.Equal(res.Groups[0], map[string]string{"a": "1", "b": "x"}) || !maps.Equal(res.Groups[1], map[string]string{"a": "2"}) {
		t.Errorf("groups %v", res.Groups)
	}
	if res.Series[1].Label != "2 Other" {
		t.Errorf("label %q, want %q", res.Series[1].Label, "2 Other")
	}

	res = mustEval(t, env, "SELECT SUM(m) FROM ns")
	if res.Array || len(res.Series) != 1 || res.Groups != nil || res.Series[0].Label != "" {
		t.Errorf("got %+v", res)
	}
}

func TestEvalReadsOnlyWhatItNeeds(t *testing.T) {
	f := func(query string, wantSeriesCalls int) {
		t.Helper()
		env := manyEnv(3)
		mustEval(t, env, query)
		if env.listCalls != 1 || env.seriesCalls != wantSeriesCalls {
			t.Errorf("%s: %d Metrics and %d Series calls, want 1 and %d", query, env.listCalls, env.seriesCalls, wantSeriesCalls)
		}
	}
	f("SELECT AVG(Requests) FROM MyApp", 2) // Sum and SampleCount
	f("SELECT SUM(Requests) FROM MyApp", 1)
	f("SELECT COUNT(Requests) FROM MyApp GROUP BY Host", 1)
	f("SELECT SUM(Nothing) FROM MyApp", 0)
}

func TestEvalMultiLineError(t *testing.T) {
	_, err := Parse("SELECT AVG(CPUUtilization)\nFROM \"AWS/EC2\"\nWHERE InstanceType = c3")
	want := "Syntax error at line 3, column 22: label values must be in single quotation marks, as in 'c3'."
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Offset != 63 {
		t.Errorf("got offset %+v, want 63", e)
	}
}

// badEnv returns what a broken Env would.
type badEnv struct {
	fakeEnv
	listErr, seriesErr error
	mangle             func([]series.Series) []series.Series
}

func (b *badEnv) Metrics(ns, name string, match func(Metric) bool, limit int) ([]Metric, error) {
	if b.listErr != nil {
		return nil, b.listErr
	}
	return b.fakeEnv.Metrics(ns, name, match, limit)
}

func (b *badEnv) Series(ms []Metric, stat string, period, start, end int64) ([]series.Series, error) {
	if b.seriesErr != nil {
		return nil, b.seriesErr
	}
	ss, err := b.fakeEnv.Series(ms, stat, period, start, end)
	return b.mangle(ss), err
}

func TestEvalEnvErrors(t *testing.T) {
	boom := errors.New("boom")
	f := func(env *badEnv, want string) {
		t.Helper()
		q, _ := Parse("SELECT SUM(Requests) FROM MyApp")
		_, err := q.Eval(env, 60, 0, 120)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error with %q", err, want)
		}
		if (env.listErr != nil || env.seriesErr != nil) && !errors.Is(err, boom) {
			t.Errorf("%v does not wrap the Env's error", err)
		}
	}
	id := func(ss []series.Series) []series.Series { return ss }
	f(&badEnv{fakeEnv: *manyEnv(2), listErr: boom, mangle: id}, "cannot list the metrics")
	f(&badEnv{fakeEnv: *manyEnv(2), seriesErr: boom, mangle: id}, "cannot read the data")
	f(&badEnv{fakeEnv: *manyEnv(2), mangle: func(ss []series.Series) []series.Series { return ss[:1] }}, "returned 1 series of Sum for 2 metrics")
	f(&badEnv{fakeEnv: *manyEnv(2), mangle: func(ss []series.Series) []series.Series {
		ss[0].Timestamps = []int64{30}
		return ss
	}}, "timestamp 30")
	f(&badEnv{fakeEnv: *manyEnv(2), mangle: func(ss []series.Series) []series.Series {
		ss[0].Timestamps = []int64{120}
		return ss
	}}, "timestamp 120")
	f(&badEnv{fakeEnv: *manyEnv(2), mangle: func(ss []series.Series) []series.Series {
		ss[0].Values = nil
		return ss
	}}, "1 timestamps and 0 values")

	q, _ := Parse("SELECT SUM(Requests) FROM MyApp")
	for _, r := range [][3]int64{{0, 0, 60}, {60, 60, 60}, {60, 120, 60}} {
		if _, err := q.Eval(manyEnv(1), r[0], r[1], r[2]); err == nil {
			t.Errorf("Eval(period %d, [%d, %d)): no error", r[0], r[1], r[2])
		}
	}
}
