package metrics

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

var (
	testScope = Scope{Account: "111111111111", Region: "us-east-1"}
	t0        = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
)

func newTestEngine(t *testing.T) (*Engine, *clock.Fake) {
	t.Helper()
	s, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clk := clock.NewFake(t0.Add(3 * time.Hour))
	return New(Options{Store: s.Metrics(), Clock: clk}), clk
}

func put(t *testing.T, e *Engine, data ...Datum) {
	t.Helper()
	if err := e.Ingest(context.Background(), testScope.Account, testScope.Region, data); err != nil {
		t.Fatal(err)
	}
}

func engineCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func TestIngestRefusesWhatCloudWatchRefuses(t *testing.T) {
	e, clk := newTestEngine(t)
	now := clk.Now()
	ok := Datum{Namespace: "App", Name: "M", Value: 1, Timestamp: now}
	for _, c := range []struct {
		name string
		edit func(*Datum)
		code Code
	}{
		{"AWS namespace", func(d *Datum) { d.Namespace = "AWS/EC2" }, InvalidParameterValue},
		{"NaN", func(d *Datum) { d.Value = math.NaN() }, InvalidParameterValue},
		{"infinite", func(d *Datum) { d.Value = math.Inf(1) }, InvalidParameterValue},
		{"too large", func(d *Datum) { d.Value = 0x1p361 }, InvalidParameterValue},
		{"too old", func(d *Datum) { d.Timestamp = now.Add(-15 * 24 * time.Hour) }, InvalidParameterValue},
		{"future", func(d *Datum) { d.Timestamp = now.Add(3 * time.Hour) }, InvalidParameterValue},
		{"unit", func(d *Datum) { d.Unit = "Parsecs" }, InvalidParameterValue},
		{"resolution", func(d *Datum) { d.StorageResolution = 10 }, InvalidParameterValue},
		{"values with bad stats", func(d *Datum) {
			d.Values = []float64{1}
			d.Stats = &StatisticSet{SampleCount: 0, Sum: 1, Minimum: 1, Maximum: 1}
		}, InvalidParameterValue},
		{"counts mismatch", func(d *Datum) { d.Values, d.Counts = []float64{1, 2}, []float64{1} }, InvalidParameterValue},
		{"duplicate dimension", func(d *Datum) { d.Dimensions = []Dimension{{"A", "1"}, {"A", "2"}} }, InvalidParameterValue},
	} {
		d := ok
		c.edit(&d)
		if err := e.Ingest(context.Background(), testScope.Account, testScope.Region, []Datum{ok, d}); engineCode(err) != c.code {
			t.Errorf("%s: Ingest = %v; want code %d", c.name, err, c.code)
		}
	}
	ids, _, err := e.ListMetrics(context.Background(), testScope, ListQuery{})
	if err != nil || len(ids) != 0 {
		t.Errorf("after refused puts, ListMetrics = %v, %v; want nothing stored", ids, err)
	}
}

func TestListMetricsFilters(t *testing.T) {
	e, clk := newTestEngine(t)
	now := clk.Now()
	put(t, e,
		Datum{Namespace: "App", Name: "Errors", Dimensions: []Dimension{{"Host", "a"}, {"Env", "prod"}}, Value: 1, Timestamp: now},
		Datum{Namespace: "App", Name: "Errors", Dimensions: []Dimension{{"Host", "b"}}, Value: 1, Timestamp: now},
		Datum{Namespace: "App", Name: "Latency", Value: 1, Timestamp: now},
		Datum{Namespace: "Other", Name: "Errors", Value: 1, Timestamp: now},
	)
	names := func(q ListQuery) []string {
		t.Helper()
		ids, next, err := e.ListMetrics(context.Background(), testScope, q)
		if err != nil || next != "" {
			t.Fatalf("ListMetrics(%+v) = %v, %q, %v", q, ids, next, err)
		}
		var out []string
		for _, id := range ids {
			s := id.Namespace + "/" + id.Name
			for _, d := range id.Dimensions {
				s += " " + d.Name + "=" + d.Value
			}
			out = append(out, s)
		}
		return out
	}
	b := "b"
	for _, c := range []struct {
		q    ListQuery
		want []string
	}{
		{ListQuery{}, []string{"App/Errors Env=prod Host=a", "App/Errors Host=b", "App/Latency", "Other/Errors"}},
		{ListQuery{Namespace: "App", Name: "Errors"}, []string{"App/Errors Env=prod Host=a", "App/Errors Host=b"}},
		{ListQuery{Dimensions: []DimensionFilter{{Name: "Host"}}}, []string{"App/Errors Env=prod Host=a", "App/Errors Host=b"}},
		{ListQuery{Dimensions: []DimensionFilter{{Name: "Host", Value: &b}}}, []string{"App/Errors Host=b"}},
		{ListQuery{Name: "Errors", Dimensions: []DimensionFilter{{Name: "Env"}, {Name: "Host"}}}, []string{"App/Errors Env=prod Host=a"}},
	} {
		if got := names(c.q); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ListMetrics(%+v) = %q; want %q", c.q, got, c.want)
		}
	}
	clk.Advance(4 * time.Hour)
	put(t, e, Datum{Namespace: "App", Name: "Latency", Value: 2, Timestamp: clk.Now()})
	if got := names(ListQuery{RecentlyActive: true}); !reflect.DeepEqual(got, []string{"App/Latency"}) {
		t.Errorf("ListMetrics(RecentlyActive) = %q; want App/Latency only", got)
	}
}

func TestListMetricsPages(t *testing.T) {
	e, clk := newTestEngine(t)
	var data []Datum
	for i := range 1200 {
		data = append(data, Datum{Namespace: "App", Name: "M", Dimensions: []Dimension{{"I", string(rune('a'+i/100)) + string(rune('a'+i%100/10)) + string(rune('a'+i%10))}}, Value: 1, Timestamp: clk.Now()})
		if len(data) == 1000 {
			put(t, e, data...)
			data = nil
		}
	}
	put(t, e, data...)
	seen := map[string]bool{}
	token, pages := "", 0
	for {
		ids, next, err := e.ListMetrics(context.Background(), testScope, ListQuery{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, id := range ids {
			if seen[id.Dimensions[0].Value] {
				t.Fatalf("metric %v listed twice", id)
			}
			seen[id.Dimensions[0].Value] = true
		}
		if next == "" {
			break
		}
		if len(ids) != 500 {
			t.Fatalf("a page before the last has %d metrics; want 500", len(ids))
		}
		token = next
	}
	if len(seen) != 1200 || pages != 3 {
		t.Errorf("listed %d metrics in %d pages; want 1200 in 3", len(seen), pages)
	}
	if _, _, err := e.ListMetrics(context.Background(), testScope, ListQuery{NextToken: "!!"}); engineCode(err) != InvalidParameterValue {
		t.Errorf("ListMetrics(bad token) = %v; want InvalidParameterValue", err)
	}
}

// statistics runs GetMetricStatistics for one metric named M.
// TestValuesWithStatisticValues: the CloudWatch agent sends distributions
// as approximate Values and Counts with exact StatisticValues; the
// statistic set gives count, sum, minimum and maximum, the values the
// percentiles.
func TestValuesWithStatisticValues(t *testing.T) {
	e, clk := newTestEngine(t)
	ts := clk.Now().Truncate(time.Minute).Add(-time.Minute)
	put(t, e, Datum{Namespace: "App", Name: "M", Timestamp: ts, Unit: "Milliseconds",
		Values: []float64{0.5, 10, 1002.235}, Counts: []float64{2, 3, 1},
		Stats: &StatisticSet{SampleCount: 6, Sum: 1031.5, Minimum: 0.5, Maximum: 1000}})
	dps := statistics(t, e, ts, ts.Add(time.Minute), 60, "", "SampleCount", "Sum", "Minimum", "Maximum")
	pct := statistics(t, e, ts, ts.Add(time.Minute), 60, "", "p50")
	want := map[string]float64{"SampleCount": 6, "Sum": 1031.5, "Minimum": 0.5, "Maximum": 1000}
	if len(dps) != 1 || len(pct) != 1 {
		t.Fatalf("datapoints = %+v, %+v; want one each", dps, pct)
	}
	for k, v := range want {
		if dps[0].Values[k] != v {
			t.Errorf("%s = %v; want %v (from StatisticValues)", k, dps[0].Values[k], v)
		}
	}
	if p50 := pct[0].Values["p50"]; math.Abs(p50-10) > 0.5 {
		t.Errorf("p50 = %v; want about 10 (from Values)", p50)
	}
}

func statistics(t *testing.T, e *Engine, start, end time.Time, period int64, unit string, sts ...string) []Datapoint {
	t.Helper()
	q := StatisticsQuery{Metric: MetricID{Namespace: "App", Name: "M"}, Start: start, End: end, Period: period, Unit: unit}
	for _, s := range sts {
		if s[0] == 'p' || s[0] == 't' || s[0] == 'I' {
			q.Extended = append(q.Extended, s)
		} else {
			q.Statistics = append(q.Statistics, s)
		}
	}
	label, dps, err := e.GetMetricStatistics(context.Background(), testScope, q)
	if err != nil {
		t.Fatalf("GetMetricStatistics(%v): %v", sts, err)
	}
	if label != "M" {
		t.Errorf("label = %q; want M", label)
	}
	return dps
}

func TestStatisticsAcrossRollUps(t *testing.T) {
	e, clk := newTestEngine(t)
	// Minute m holds the values 1..10 + m, one at a time, then a
	// distribution and a statistic set.
	for m := range 10 {
		ts := t0.Add(time.Duration(m) * time.Minute)
		var data []Datum
		for v := 1; v <= 10; v++ {
			data = append(data, Datum{Namespace: "App", Name: "M", Value: float64(v + m), Timestamp: ts.Add(time.Duration(v) * time.Second), Unit: "Milliseconds"})
		}
		data = append(data,
			Datum{Namespace: "App", Name: "M", Values: []float64{100, 200}, Counts: []float64{2, 1}, Timestamp: ts, Unit: "Milliseconds"},
			Datum{Namespace: "App", Name: "M", Stats: &StatisticSet{SampleCount: 2, Sum: 10, Minimum: 5, Maximum: 5}, Timestamp: ts, Unit: "Milliseconds"},
		)
		put(t, e, data...)
	}
	query := func() []Datapoint {
		return statistics(t, e, t0, t0.Add(10*time.Minute), 300, "", "SampleCount", "Sum", "Minimum", "Maximum", "Average")
	}
	ext := func() []Datapoint {
		return statistics(t, e, t0, t0.Add(10*time.Minute), 300, "", "p50", "p99", "tm90", "IQM")
	}
	before, beforeExt := query(), ext()
	if len(before) != 2 {
		t.Fatalf("datapoints = %+v; want 2 five-minute periods", before)
	}
	// Period 0: minutes 0..4 → values 1..14, each minute 10 values +
	// 100,100,200 + 5,5.
	first := before[0]
	want := map[string]float64{"SampleCount": 5 * 15, "Minimum": 1, "Maximum": 200}
	sum := 0.0
	for m := range 5 {
		for v := 1; v <= 10; v++ {
			sum += float64(v + m)
		}
		sum += 400 + 10
	}
	want["Sum"], want["Average"] = sum, sum/75
	if !first.Timestamp.Equal(t0) || first.Unit != "Milliseconds" || !reflect.DeepEqual(first.Values, want) {
		t.Errorf("first period = %+v; want %v at %v in Milliseconds", first, want, t0)
	}
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	if after := query(); !reflect.DeepEqual(after, before) {
		t.Errorf("after roll-up = %+v; want %+v", after, before)
	}
	// Fewer than 64 distinct values in each period: the sketches are
	// exact.
	if after := ext(); !reflect.DeepEqual(after, beforeExt) {
		t.Errorf("extended statistics after roll-up = %+v; want %+v", after, beforeExt)
	}
	if got := beforeExt[0].Values["p50"]; got != 8 {
		t.Errorf("p50 = %v; want 8", got)
	}

	// A late point joins the stored chunk.
	put(t, e, Datum{Namespace: "App", Name: "M", Value: 1000, Timestamp: t0.Add(30 * time.Second), Unit: "Milliseconds"})
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	late := query()
	if late[0].Values["Maximum"] != 1000 || late[0].Values["SampleCount"] != 76 {
		t.Errorf("after a late point = %+v; want it counted", late[0])
	}

	// Unit filter.
	if dps := statistics(t, e, t0, t0.Add(10*time.Minute), 300, "Seconds", "Sum"); len(dps) != 0 {
		t.Errorf("Unit=Seconds = %+v; want nothing", dps)
	}

	// 16 days later the minutes have become a five-minute sample; a
	// 60-second period finds nothing, a 300-second one the same values.
	clk.Set(t0.Add(17 * 24 * time.Hour))
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	if dps := statistics(t, e, t0, t0.Add(10*time.Minute), 60, "", "Sum"); len(dps) != 0 {
		t.Errorf("60-second period after 16 days = %+v; want nothing", dps)
	}
	if got := query(); !reflect.DeepEqual(got, late) {
		t.Errorf("after downsampling = %+v; want %+v", got, late)
	}
	clk.Set(t0.Add(64 * 24 * time.Hour))
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	hourly := statistics(t, e, t0, t0.Add(time.Hour), 3600, "", "SampleCount", "Maximum")
	if len(hourly) != 1 || hourly[0].Values["SampleCount"] != 151 || hourly[0].Values["Maximum"] != 1000 {
		t.Errorf("hourly after 64 days = %+v; want 151 samples, maximum 1000", hourly)
	}
	clk.Set(t0.Add(470 * 24 * time.Hour))
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tr := range tiers {
		d, err := e.opt.Store.Rollups(context.Background(), store.RollupQuery{Resolution: tr.res, StartBefore: 1 << 62, MaxMetrics: 10})
		if err != nil || len(d) != 0 {
			t.Errorf("after 455 days, %d-second chunks = %+v, %v; want none", tr.res, d, err)
		}
	}
}

func TestHighResolution(t *testing.T) {
	e, clk := newTestEngine(t)
	start := clk.Now().Add(-10 * time.Minute).Truncate(time.Minute)
	for s := range 120 {
		put(t, e, Datum{Namespace: "App", Name: "M", Value: float64(s), Timestamp: start.Add(time.Duration(s) * time.Second), StorageResolution: 1})
	}
	checkMinutes := func(stage string) {
		t.Helper()
		dps := statistics(t, e, start, start.Add(2*time.Minute), 60, "", "SampleCount")
		ext := statistics(t, e, start, start.Add(2*time.Minute), 60, "", "p50")
		if len(dps) != 2 || dps[0].Values["SampleCount"] != 60 || len(ext) != 2 || ext[0].Values["p50"] != 29 {
			t.Errorf("%s: 60-second periods = %+v, %+v; want 2 of 60 samples, p50 29", stage, dps, ext)
		}
	}
	check := func(stage string) {
		t.Helper()
		dps := statistics(t, e, start, start.Add(2*time.Minute), 10, "", "SampleCount", "Minimum")
		if len(dps) != 12 || dps[1].Values["Minimum"] != 10 || dps[1].Values["SampleCount"] != 10 {
			t.Errorf("%s: 10-second periods = %+v; want 12 of 10 samples", stage, dps)
		}
		checkMinutes(stage)
	}
	check("pending")
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	check("kept as put")
	// Past three hours only one-minute data remains.
	clk.Advance(3 * time.Hour)
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	if dps := statistics(t, e, start, start.Add(2*time.Minute), 10, "", "SampleCount"); len(dps) != 0 {
		t.Errorf("10-second periods after three hours = %+v; want none", dps)
	}
	checkMinutes("after three hours")
}

func TestStatisticsErrors(t *testing.T) {
	e, clk := newTestEngine(t)
	now := clk.Now()
	for _, c := range []struct {
		q    StatisticsQuery
		code Code
		msg  string
	}{
		{StatisticsQuery{Start: now, End: now.Add(time.Hour), Period: 60}, InvalidParameterCombination, "Must specify either Statistics or ExtendedStatistics"},
		{StatisticsQuery{Start: now, End: now, Period: 60, Statistics: []string{"Sum"}}, InvalidParameterValue, "The parameter StartTime must be less than the parameter EndTime."},
		{StatisticsQuery{Start: now, End: now.Add(time.Hour), Period: 7, Statistics: []string{"Sum"}}, InvalidParameterValue, ""},
		{StatisticsQuery{Start: now.Add(-25 * time.Hour), End: now, Period: 60, Statistics: []string{"Sum"}}, InvalidParameterCombination,
			"You have requested up to 1500 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range."},
		{StatisticsQuery{Start: now, End: now.Add(time.Hour), Period: 60, Extended: []string{"p101"}}, InvalidParameterValue, ""},
	} {
		c.q.Metric = MetricID{Namespace: "App", Name: "M"}
		_, _, err := e.GetMetricStatistics(context.Background(), testScope, c.q)
		if engineCode(err) != c.code || c.msg != "" && err.Error() != c.msg {
			t.Errorf("GetMetricStatistics(%+v) = %v; want code %d %q", c.q, err, c.code, c.msg)
		}
	}
}

func TestGetMetricData(t *testing.T) {
	e, _ := newTestEngine(t)
	// Two hosts, ten minutes: Requests = minute index, Errors = 1.
	var data []Datum
	for m := range 10 {
		ts := t0.Add(time.Duration(m) * time.Minute)
		for _, h := range []string{"a", "b"} {
			dims := []Dimension{{"Host", h}}
			data = append(data,
				Datum{Namespace: "App", Name: "Requests", Dimensions: dims, Value: float64(m + 1), Timestamp: ts, Unit: "Count"},
				Datum{Namespace: "App", Name: "Errors", Dimensions: dims, Value: 1, Timestamp: ts, Unit: "Count"})
		}
	}
	put(t, e, data...)
	stat := func(name, host, st string) *MetricStat {
		return &MetricStat{Metric: MetricID{Namespace: "App", Name: name, Dimensions: []Dimension{{"Host", host}}}, Period: 60, Stat: st}
	}
	no := false
	q := DataQuery{Start: t0, End: t0.Add(10 * time.Minute), ScanBy: "TimestampAscending", Queries: []Query{
		{ID: "r", Stat: stat("Requests", "a", "Sum"), ReturnData: &no},
		{ID: "err", Stat: stat("Errors", "a", "Sum"), Label: "errors max ${MAX}"},
		{ID: "rate", Expression: "100 * err / r", Label: "Error rate"},
		{ID: "all", Expression: `SEARCH('{App,Host} MetricName="Requests"', 'Sum', 300)`},
	}}
	res, err := e.GetMetricData(context.Background(), testScope, q)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Results {
		got = append(got, r.ID+"|"+r.Label+"|"+r.StatusCode)
	}
	want := []string{"err|errors max 1|Complete", "rate|Error rate|Complete", "all|a Requests|Complete", "all|b Requests|Complete"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("results = %q; want %q", got, want)
	}
	if rate := res.Results[1].Values; len(rate) != 10 || rate[0] != 100 || rate[9] != 10 {
		t.Errorf("rate = %v; want 100/(m+1)%%", rate)
	}
	if all := res.Results[2]; len(all.Values) != 2 || all.Values[0] != 15 || all.Values[1] != 40 || !all.Timestamps[1].Equal(t0.Add(5*time.Minute)) {
		t.Errorf("SEARCH result = %+v; want sums 15 and 40 at 5-minute periods", all)
	}

	// Pages of 7 points, newest first.
	q.ScanBy, q.MaxDatapoints = "", 7
	var pages [][]string
	counts := map[string]int{}
	for {
		res, err := e.GetMetricData(context.Background(), testScope, q)
		if err != nil {
			t.Fatal(err)
		}
		var page []string
		for _, r := range res.Results {
			counts[r.ID+r.Label] += len(r.Values)
			page = append(page, r.StatusCode)
			for i := 1; i < len(r.Timestamps); i++ {
				if !r.Timestamps[i].Before(r.Timestamps[i-1]) {
					t.Fatalf("result %s is not in descending time order: %v", r.ID, r.Timestamps)
				}
			}
		}
		pages = append(pages, page)
		if res.NextToken == "" {
			break
		}
		q.NextToken = res.NextToken
	}
	if len(pages) != 4 || counts["errerrors max 1"] != 10 || counts["rateError rate"] != 10 || counts["alla Requests"] != 2 {
		t.Errorf("pages = %v, points = %v; want 24 points in 4 pages", pages, counts)
	}
	q.Queries[1].Label = "changed"
	if _, err := e.GetMetricData(context.Background(), testScope, q); engineCode(err) != InvalidNextToken {
		t.Errorf("a token on another request = %v; want InvalidNextToken", err)
	}
}

func TestGetMetricDataErrors(t *testing.T) {
	e, _ := newTestEngine(t)
	ms := &MetricStat{Metric: MetricID{Namespace: "App", Name: "M"}, Period: 60, Stat: "Average"}
	for _, c := range []struct {
		qs   []Query
		want string
	}{
		{[]Query{{ID: "m1"}}, "The parameter MetricDataQueries.member.1.MetricStat is required."},
		{[]Query{{ID: "m1", Stat: &MetricStat{Metric: ms.Metric, Period: 60, Stat: "Avg"}}}, "The value Avg for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic."},
		{[]Query{{ID: "m1", Stat: ms}, {ID: "e1", Expression: "m1 +"}}, "Error in expression 'e1': Invalid syntax"},
		{[]Query{{ID: "m1", Stat: ms}, {ID: "e1", Expression: "m2 * 2"}}, ""},
		{[]Query{{ID: "M1", Stat: ms}}, ""},
	} {
		_, err := e.GetMetricData(context.Background(), testScope, DataQuery{Queries: c.qs, Start: t0, End: t0.Add(time.Hour)})
		if engineCode(err) != ValidationError || c.want != "" && err.Error() != c.want {
			t.Errorf("GetMetricData(%+v) = %v; want ValidationError %q", c.qs, err, c.want)
		}
	}
}

func TestMetricsInsightsAndAnomalyBand(t *testing.T) {
	e, clk := newTestEngine(t)
	now := clk.Now().Truncate(time.Hour)
	clk.Set(now)
	// Thirteen days of a daily cycle at 5 minutes on host a, with spikes
	// in the last day; host b is flat.
	start := now.Add(-13 * 24 * time.Hour)
	spikes := map[int64]bool{}
	var data []Datum
	flush := func() {
		put(t, e, data...)
		data = data[:0]
	}
	for ts := start; ts.Before(now); ts = ts.Add(5 * time.Minute) {
		h := float64(ts.Hour()) + float64(ts.Minute())/60
		v := 100 + 50*math.Sin(2*math.Pi*h/24) + 3*math.Sin(float64(ts.Unix()%977))
		if now.Sub(ts) < 24*time.Hour && ts.Unix()/300%37 == 0 {
			v += 400
			spikes[ts.Unix()] = true
		}
		data = append(data,
			Datum{Namespace: "App", Name: "Requests", Dimensions: []Dimension{{"Host", "a"}}, Value: v, Timestamp: ts},
			Datum{Namespace: "App", Name: "Requests", Dimensions: []Dimension{{"Host", "b"}}, Value: 5, Timestamp: ts})
		if len(data) >= 998 {
			flush()
		}
	}
	flush()
	if err := e.RollUp(context.Background(), clk.Now()); err != nil {
		t.Fatal(err)
	}
	stat := &MetricStat{Metric: MetricID{Namespace: "App", Name: "Requests", Dimensions: []Dimension{{"Host", "a"}}}, Period: 300, Stat: "Average"}
	res, err := e.GetMetricData(context.Background(), testScope, DataQuery{
		Start: now.Add(-24 * time.Hour), End: now, ScanBy: "TimestampAscending",
		Queries: []Query{
			{ID: "m1", Stat: stat},
			{ID: "band", Expression: "ANOMALY_DETECTION_BAND(m1, 3)"},
			{ID: "q", Expression: `SELECT AVG(Requests) FROM SCHEMA("App", Host) GROUP BY Host ORDER BY AVG() DESC`, Period: 3600},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 5 {
		t.Fatalf("results = %d; want m1, the band's upper and lower bounds and two Insights series", len(res.Results))
	}
	m, upper, lower := res.Results[0], res.Results[1], res.Results[2]
	if len(upper.Values) != len(m.Values) || len(lower.Values) != len(m.Values) {
		t.Fatalf("band of %d and %d points for %d", len(upper.Values), len(lower.Values), len(m.Values))
	}
	inside, caught := 0, 0
	for i, ts := range m.Timestamps {
		out := m.Values[i] > upper.Values[i] || m.Values[i] < lower.Values[i]
		if spikes[ts.Unix()] {
			if out {
				caught++
			}
		} else if !out {
			inside++
		}
	}
	normal := len(m.Values) - len(spikes)
	if caught != len(spikes) || float64(inside) < 0.95*float64(normal) {
		t.Errorf("%d of %d spikes outside the band, %d of %d normal points inside", caught, len(spikes), inside, normal)
	}
	if a, b := res.Results[3], res.Results[4]; a.Label != "a" || b.Label != "b" || len(a.Values) != 24 || b.Values[0] != 5 {
		t.Errorf("Insights results = %+v, %+v; want hosts a then b, hourly", a, b)
	}

	// A detector's configuration applies; describing it trains the model.
	d := AnomalyDetector{Metric: &stat.Metric, Stat: "Average", Timezone: "Europe/Paris"}
	if err := e.PutAnomalyDetector(context.Background(), testScope, d); err != nil {
		t.Fatal(err)
	}
	ds, next, err := e.DescribeAnomalyDetectors(context.Background(), testScope, DetectorQuery{Dimensions: []Dimension{{"Host", "a"}}})
	if err != nil || next != "" || len(ds) != 1 || ds[0].State != "TRAINED" || ds[0].Timezone != "Europe/Paris" {
		t.Fatalf("DescribeAnomalyDetectors = %+v, %q, %v", ds, next, err)
	}
	if err := e.DeleteAnomalyDetector(context.Background(), testScope, d); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteAnomalyDetector(context.Background(), testScope, d); engineCode(err) != ResourceNotFound {
		t.Errorf("deleting a missing detector = %v; want ResourceNotFound", err)
	}
}

// TestIngestAWS: Vigil's own services store metrics in the AWS/
// namespaces that PutMetricData refuses, and only there.
func TestIngestAWS(t *testing.T) {
	e, clk := newTestEngine(t)
	ctx := context.Background()
	d := Datum{Namespace: "AWS/Events", Name: "Invocations", Dimensions: []Dimension{{Name: "RuleName", Value: "r"}},
		Value: 2, Unit: "Count", Timestamp: clk.Now()}
	if err := e.Ingest(ctx, testScope.Account, testScope.Region, []Datum{d}); engineCode(err) != InvalidParameterValue {
		t.Fatalf("Ingest of AWS/Events: %v; want InvalidParameterValue", err)
	}
	if err := e.IngestAWS(ctx, testScope.Account, testScope.Region, []Datum{d}); err != nil {
		t.Fatal(err)
	}
	ids, _, err := e.ListMetrics(ctx, testScope, ListQuery{Namespace: "AWS/Events"})
	if err != nil || len(ids) != 1 || ids[0].Name != "Invocations" {
		t.Fatalf("ListMetrics(AWS/Events) = %+v, %v", ids, err)
	}
	app := d
	app.Namespace = "App"
	if err := e.IngestAWS(ctx, testScope.Account, testScope.Region, []Datum{app}); err == nil {
		t.Fatal("IngestAWS took a metric outside AWS/")
	}
}
