package logs

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/outbox"
)

// deliver runs an outbox step at the fixture's time and returns how many
// items it delivered.
func (f *fixture) deliver(t *testing.T) int {
	t.Helper()
	before := f.waiting(t)
	must(t, f.outbox.Step(f.ctx, f.clock.Now()))
	return int(before - f.waiting(t))
}

// waiting counts the outbox's items, pending or dead.
func (f *fixture) waiting(t *testing.T) int64 {
	t.Helper()
	stats, err := f.store.OutboxStats(f.ctx)
	must(t, err)
	var n int64
	for _, s := range stats {
		n += s.Pending + s.Dead
	}
	return n
}

func TestMetricFilters(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "s")
	zero := 0.0
	must(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "g", Name: "errors", Pattern: "ERROR",
		Transformation: Transformation{MetricName: "Errors", MetricNamespace: "App", MetricValue: "1", DefaultValue: &zero}}))
	must(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "g", Name: "latency", Pattern: `{ $.latency > 0 }`,
		Transformation: Transformation{MetricName: "Latency", MetricNamespace: "App", MetricValue: "$.latency", Unit: "Milliseconds",
			Dimensions: map[string]string{"Path": "$.path"}}}))
	wantCode(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "g", Name: "bad", Pattern: "x",
		Transformation: Transformation{MetricName: "M", MetricNamespace: "AWS/EC2", MetricValue: "1"}}), InvalidParameter, "")
	wantCode(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "g", Name: "bad", Pattern: "x",
		Transformation: Transformation{MetricName: "M", MetricNamespace: "N", MetricValue: "NaN"}}), InvalidParameter, "")
	wantCode(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "g", Name: "bad", Pattern: "x",
		Transformation: Transformation{MetricName: "M", MetricNamespace: "N", MetricValue: "1", DefaultValue: &zero,
			Dimensions: map[string]string{"a": "$.a"}}}), InvalidParameter, "")

	f.put(t, "g", "s", []int64{0, 1000, 2000},
		"ERROR disk full",
		`{"latency": 120, "path": "/a"}`,
		`{"latency": 30, "path": "/b", "level": "ERROR"}`)
	f.put(t, "g", "s", []int64{60_000}, "all good")
	if n := f.deliver(t); n != 2 {
		t.Fatalf("deliveries = %d; want one metric batch per PutLogEvents", n)
	}
	var got []string
	for _, d := range f.metrics.got() {
		dims := ""
		for _, dim := range d.Dimensions {
			dims += " " + dim.Name + "=" + dim.Value
		}
		got = append(got, fmt.Sprintf("%s/%s%s %v %s @%d", d.Namespace, d.Name, dims, d.Value, d.Unit, d.Timestamp.Sub(t0)/time.Second))
	}
	slices.Sort(got)
	want := []string{
		"App/Errors 0 None @60", // default value: events arrived, none matched
		"App/Errors 1 None @0",
		"App/Errors 1 None @2",
		"App/Latency Path=/a 120 Milliseconds @1",
		"App/Latency Path=/b 30 Milliseconds @2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("published:\n%v\nwant\n%v", got, want)
	}

	filters, _, err := f.DescribeMetricFilters(f.ctx, sc, MetricFilterQuery{Group: "g"})
	must(t, err)
	if len(filters) != 2 || filters[0].Name != "errors" || filters[1].Transformation.Dimensions["Path"] != "$.path" {
		t.Errorf("filters = %+v", filters)
	}
	byMetric, _, _ := f.DescribeMetricFilters(f.ctx, sc, MetricFilterQuery{MetricName: "Latency", Namespace: "App"})
	if len(byMetric) != 1 || byMetric[0].Group != "g" {
		t.Errorf("filters by metric = %+v", byMetric)
	}
	groups, _, _ := f.DescribeLogGroups(f.ctx, sc, GroupQuery{})
	if groups[0].MetricFilterCount != 2 {
		t.Errorf("metricFilterCount = %d", groups[0].MetricFilterCount)
	}
	must(t, f.DeleteMetricFilter(f.ctx, sc, "g", "errors"))
	wantCode(t, f.DeleteMetricFilter(f.ctx, sc, "g", "errors"), ResourceNotFound, "")

	matches, err := f.TestMetricFilter("[ip, user, status=5*]", []string{"1.2.3.4 bob 200", "1.2.3.4 amy 503"})
	must(t, err)
	if len(matches) != 1 || matches[0].EventNumber != 2 || matches[0].Extracted["$status"] != "503" {
		t.Errorf("TestMetricFilter = %+v", matches)
	}
}

// TestMetricFilterNonFinite: values that are not finite numbers (which
// strconv reads) publish nothing and fail no ingestion.
func TestMetricFilterNonFinite(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "s")
	must(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "g", Name: "bytes", Pattern: "[ip, user, bytes]",
		Transformation: Transformation{MetricName: "Bytes", MetricNamespace: "App", MetricValue: "$bytes"}}))
	f.put(t, "g", "s", []int64{0, 1, 2, 3}, "1.2.3.4 bob NaN", "1.2.3.4 bob +Inf", "1.2.3.4 bob -infinity", "1.2.3.4 amy 512")
	if n := f.deliver(t); n != 1 {
		t.Fatalf("deliveries = %d; want 1", n)
	}
	if got := f.metrics.got(); len(got) != 1 || got[0].Value != 512 {
		t.Errorf("published %+v; want amy's 512 bytes only", got)
	}
}

func TestDeliveryRetries(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "s")
	must(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "g", Name: "all", Pattern: "",
		Transformation: Transformation{MetricName: "Events", MetricNamespace: "App", MetricValue: "1"}}))
	f.metrics.fail = errors.New("metrics down")
	f.put(t, "g", "s", []int64{0}, "x")
	if n := f.deliver(t); n != 0 {
		t.Fatalf("delivered %d while the target fails", n)
	}
	f.metrics.fail = nil
	if n := f.deliver(t); n != 0 {
		t.Fatalf("delivered %d before the backoff passed", n)
	}
	f.clock.Advance(2 * time.Second)
	if n := f.deliver(t); n != 1 || len(f.metrics.got()) != 1 {
		t.Fatalf("after backoff delivered %d, got %d data points; want the retried batch", n, len(f.metrics.got()))
	}
	f.metrics.fail = outbox.Permanent(errors.New("refused"))
	f.put(t, "g", "s", []int64{1000}, "y")
	if n := f.deliver(t); n != 0 {
		t.Fatalf("delivered %d refused data points", n)
	}
	dead, err := f.outbox.Dead(f.ctx, KindMetric, 0, 0)
	must(t, err)
	if len(dead) != 1 || dead[0].Attempts != 1 || dead[0].LastError != "refused" {
		t.Fatalf("dead letters = %+v; want the refused item, kept after one attempt", dead)
	}
}

func TestEMF(t *testing.T) {
	valid := `{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"lambda-function-metrics",` +
		`"Dimensions":[["functionVersion"],[]],"Metrics":[{"Name":"time","Unit":"Milliseconds","StorageResolution":1},{"Name":"sizes"}]}]},` +
		`"functionVersion":"$LATEST","time":100,"sizes":[1,2,3],"requestId":"989ffbf8"}`
	data := emfData(valid)
	if len(data) != 4 {
		t.Fatalf("EMF data = %+v; want 2 metrics × 2 dimension sets", data)
	}
	d := data[0]
	if d.Namespace != "lambda-function-metrics" || d.Name != "time" || d.Value != 100 || d.Unit != "Milliseconds" ||
		d.StorageResolution != 1 || d.Timestamp.UnixMilli() != 1574109732004 || len(d.Dimensions) != 1 || d.Dimensions[0].Value != "$LATEST" {
		t.Errorf("first datum = %+v", d)
	}
	if data[1].Name != "time" || len(data[1].Dimensions) != 0 || !slices.Equal(data[3].Values, []float64{1, 2, 3}) {
		t.Errorf("data = %+v", data)
	}
	for name, msg := range map[string]string{
		"no _aws":          `{"time":1}`,
		"not json":         `_aws broken {`,
		"no timestamp":     `{"_aws":{"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":1}`,
		"missing value":    `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]}}`,
		"string value":     `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":"1"}`,
		"missing dim":      `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["d"]],"Metrics":[{"Name":"m"}]}]},"m":1}`,
		"bad unit":         `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m","Unit":"Parsecs"}]}]},"m":1}`,
		"bad resolution":   `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m","StorageResolution":5}]}]},"m":1}`,
		"no namespace":     `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":1}`,
		"no dimensions":    `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Metrics":[{"Name":"m"}]}]},"m":1}`,
		"too many values":  `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":[` + repeatNumbers(101) + `]}`,
		"negative time":    `{"_aws":{"Timestamp":-1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":1}`,
		"year 10000":       `{"_aws":{"Timestamp":253402300800000,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":1}`,
		"dimension number": `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["d"]],"Metrics":[{"Name":"m"}]}]},"m":1,"d":5}`,
	} {
		if got := emfData(msg); got != nil {
			t.Errorf("%s: EMF data = %+v; want none (invalid EMF is a plain event)", name, got)
		}
	}
}

func repeatNumbers(n int) string {
	s := "1"
	for range n - 1 {
		s += ",1"
	}
	return s
}

func TestEMFIngestion(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "s")
	ts := t0.UnixMilli() - 1000
	f.put(t, "g", "s", []int64{0}, fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"App","Dimensions":[["svc"]],"Metrics":[{"Name":"hits"}]}]},"svc":"web","hits":3}`, ts))
	f.deliver(t)
	got := f.metrics.got()
	if len(got) != 1 || got[0].Value != 3 || got[0].Timestamp.UnixMilli() != ts {
		t.Errorf("EMF published %+v", got)
	}
}
