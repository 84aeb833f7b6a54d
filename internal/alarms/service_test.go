package alarms

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/golden"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// The service tests run on a real embedded store and a fake clock that
// moves only when a test moves it; nothing sleeps.

// svcT0 is when the service tests start: 5 s into a minute, as a
// scheduler's run would be; whole milliseconds, as the store keeps them.
var svcT0 = time.Date(2026, 3, 2, 10, 0, 5, 0, time.UTC)

// svcScope is the account and region of the tests; svcTopic an SNS topic of
// theirs.
var svcScope = Scope{Account: "123456789012", Region: "us-east-1"}

const svcTopic = "arn:aws:sns:us-east-1:123456789012:ops"

func fptr(v float64) *float64 { return &v }
func bptr(v bool) *bool       { return &v }

// fakeSource returns, for an alarm on metric name, one datapoint per
// period of the window asked for, of the value set for name (none when
// none is set), and counts the calls.
type fakeSource struct {
	mu     sync.Mutex
	values map[string]float64
	calls  map[string]int
	last   map[string]sourceCall
	err    error
	// batches are the sizes of the calls.
	batches []int
	// hosts are the contributors of a multi-time-series alarm: one per
	// host, of its value.
	hosts map[string]float64
}

type sourceCall struct {
	sc         Scope
	start, end time.Time
}

func (f *fakeSource) Datapoints(_ context.Context, reqs []Request) []Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, len(reqs))
	out := make([]Response, len(reqs))
	for i, r := range reqs {
		d := r.Definition
		f.calls[d.MetricName]++
		f.last[d.MetricName] = sourceCall{r.Scope, r.Start, r.End}
		if f.err != nil {
			out[i].Err = f.err
			continue
		}
		if d.Grouped() {
			for host, v := range f.hosts {
				out[i].Contributors = append(out[i].Contributors, Contributor{Attributes: map[string]string{"Host": host},
					Points: []Datapoint{{Timestamp: r.End.Add(-d.EvaluationPeriod()), Value: v}}})
			}
			continue
		}
		v, ok := f.values[d.MetricName]
		if !ok {
			continue
		}
		for ts := r.Start; ts.Before(r.End); ts = ts.Add(d.EvaluationPeriod()) {
			out[i].Points = append(out[i].Points, Datapoint{Timestamp: ts, Value: v, SampleCount: 1})
		}
	}
	return out
}

func (f *fakeSource) set(metric string, v float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[metric] = v
}

func (f *fakeSource) count(metric string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[metric]
}

func (f *fakeSource) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// svcFixture is a Service with its store, outbox processor, dispatcher
// (with or without an SNS target) and event bus.
type svcFixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock.Fake
	store  *embedded.Store
	src    *fakeSource
	reg    *prometheus.Registry
	outbox *outbox.Processor
	svc    *Service

	mu        sync.Mutex
	published []dispatch.Message // every attempt of the SNS target
	snsErr    error
	events    []*svcevents.Event
	evaluates int
	notifies  int
}

func newSvcFixture(t *testing.T, withSNS bool) *svcFixture {
	t.Helper()
	st := embeddedtest.Open(t)
	f := &svcFixture{
		t: t, ctx: context.Background(), clock: clock.NewFake(svcT0), store: st, reg: prometheus.NewRegistry(),
		src: &fakeSource{values: map[string]float64{}, calls: map[string]int{}, last: map[string]sourceCall{}},
	}
	f.outbox = outbox.New(outbox.Options{Store: st.Outbox(), Clock: f.clock, Rand: func() float64 { return 0.5 }})
	d := dispatch.New(dispatch.Options{Clock: f.clock})
	if withSNS {
		d.Register(dispatch.Match{Service: "sns", Type: ""}, dispatch.NewTarget("sns:Publish",
			func(_ context.Context, _ dispatch.Address, m *dispatch.Message) error {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.published = append(f.published, *m)
				return f.snsErr
			}))
	}
	bus := svcevents.New(svcevents.Options{})
	bus.Subscribe("test", nil, func(_ context.Context, e *svcevents.Event) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.events = append(f.events, e)
	})
	f.svc = New(Options{
		Store: st.Alarms(), Tags: st.Tags(),
		Notify:     func() { f.mu.Lock(); f.notifies++; f.mu.Unlock() },
		Dispatcher: d, Source: f.src, Bus: bus, Clock: f.clock,
		Evaluate:   func() { f.mu.Lock(); f.evaluates++; f.mu.Unlock() },
		Registerer: f.reg,
	})
	f.svc.RegisterDeliveries(f.outbox)
	return f
}

// metricInput is a valid alarm on metric App/name, Host=web-1, Average
// over a minute above 75, with no actions.
func metricInput(name string) PutInput {
	return PutInput{Name: name, Definition: Definition{
		Namespace: "App", MetricName: name, Dimensions: []Dimension{{Name: "Host", Value: "web-1"}},
		Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: fptr(75),
		ComparisonOperator: string(GreaterThanThreshold),
	}}
}

func (f *svcFixture) put(in PutInput) {
	f.t.Helper()
	if err := f.svc.PutMetricAlarm(f.ctx, svcScope, in); err != nil {
		f.t.Fatalf("PutMetricAlarm %s: %v", in.Name, err)
	}
}

func (f *svcFixture) putComposite(name, rule string) {
	f.t.Helper()
	if err := f.svc.PutCompositeAlarm(f.ctx, svcScope, PutInput{Name: name, Definition: Definition{AlarmRule: rule}}); err != nil {
		f.t.Fatalf("PutCompositeAlarm %s: %v", name, err)
	}
}

// alarm returns the alarm name as the store has it.
func (f *svcFixture) alarm(name string) Alarm {
	f.t.Helper()
	a, err := f.svc.get(f.ctx, svcScope, name)
	if err != nil {
		f.t.Fatalf("alarm %s: %v", name, err)
	}
	return a
}

// exists reports whether the alarm name exists.
func (f *svcFixture) exists(name string) bool {
	f.t.Helper()
	_, err := f.store.Alarms().Alarm(f.ctx, svcScope.Account, svcScope.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return true
}

// run runs an evaluation at the clock's time.
func (f *svcFixture) run() {
	f.t.Helper()
	if err := f.svc.Run(f.ctx, f.clock.Now()); err != nil {
		f.t.Fatalf("Run at %v: %v", f.clock.Now(), err)
	}
}

// runAt sets the clock to t and runs an evaluation.
func (f *svcFixture) runAt(t time.Time) {
	f.t.Helper()
	f.clock.Set(t)
	f.run()
}

// step runs a step of the outbox at the clock's time.
func (f *svcFixture) step() {
	f.t.Helper()
	if err := f.outbox.Step(f.ctx, f.clock.Now()); err != nil {
		f.t.Fatalf("outbox step: %v", err)
	}
}

// history lists the items q selects, of every alarm type unless q says.
func (f *svcFixture) history(q HistoryQuery) []store.AlarmHistoryItem {
	f.t.Helper()
	if q.Types == nil {
		q.Types = []string{store.MetricAlarm, store.CompositeAlarm}
	}
	if q.MaxRecords == 0 {
		q.MaxRecords = 100
	}
	items, next, err := f.svc.DescribeAlarmHistory(f.ctx, svcScope, q)
	if err != nil {
		f.t.Fatalf("DescribeAlarmHistory: %v", err)
	}
	if next != "" {
		f.t.Fatalf("DescribeAlarmHistory: more than a page")
	}
	return items
}

// historyOf lists the items of one alarm and type, oldest first.
func (f *svcFixture) historyOf(name, typ string) []store.AlarmHistoryItem {
	f.t.Helper()
	return f.history(HistoryQuery{AlarmName: name, ItemType: typ, Ascending: true})
}

func (f *svcFixture) takeEvents() []*svcevents.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.events
	f.events = nil
	return out
}

func (f *svcFixture) takePublished() []dispatch.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.published
	f.published = nil
	return out
}

func (f *svcFixture) setSNSErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snsErr = err
}

func (f *svcFixture) counts() (evaluates, notifies int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.evaluates, f.notifies
}

// pending returns the outbox's pending and dead alarm actions.
func (f *svcFixture) pending() (pending, dead int64) {
	f.t.Helper()
	stats, err := f.store.Outbox().OutboxStats(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range stats {
		if s.Kind == KindAction {
			return s.Pending, s.Dead
		}
	}
	return 0, 0
}

// evaluations returns the value of the evaluations counter of outcome.
func (f *svcFixture) evaluations(outcome string) float64 {
	f.t.Helper()
	mfs, err := f.reg.Gather()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "vigil_alarm_evaluations_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// wantError fails t unless err is an *Error of code and message.
func wantError(t *testing.T, err error, code Code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T); want code %d %q", err, err, code, msg)
	}
	if e.Code != code || e.Message != msg {
		t.Errorf("error code %d %q;\nwant code %d %q", e.Code, e.Message, code, msg)
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
	return m
}

// jsonAt reads a member of decoded JSON by its keys and indexes.
func jsonAt(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// --- PutMetricAlarm ---

func TestPutMetricAlarmValidation(t *testing.T) {
	metrics := func(d *Definition, qs ...MetricQuery) {
		d.Namespace, d.MetricName, d.Statistic, d.Period, d.Dimensions = "", "", "", 0, nil
		d.Metrics = qs
	}
	stat := &MetricStat{Namespace: "App", MetricName: "cpu", Period: 60, Stat: "Average"}
	band := func(d *Definition) {
		metrics(d, MetricQuery{ID: "m1", MetricStat: stat}, MetricQuery{ID: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)"})
		d.ComparisonOperator, d.ThresholdMetricID, d.Threshold = string(LessThanLowerOrGreaterThanUpperThreshold), "ad1", nil
	}
	tags := map[string]string{}
	for i := range 51 {
		tags[fmt.Sprint("k", i)] = "v"
	}
	tests := []struct {
		name   string
		change func(in *PutInput)
		code   Code
		msg    string
	}{
		{"MetricName and Metrics", func(in *PutInput) { in.Definition.Metrics = []MetricQuery{{ID: "m1", MetricStat: stat}} },
			InvalidParameterCombination, "The parameters MetricName and Metrics are mutually exclusive and you have specified both."},
		{"neither MetricName nor Metrics", func(in *PutInput) { metrics(&in.Definition) },
			ValidationError, "One of the parameters MetricName and Metrics must be specified."},
		{"no EvaluationPeriods", func(in *PutInput) { in.Definition.EvaluationPeriods = 0 },
			MissingParameter, "The parameter EvaluationPeriods is required."},
		{"no ComparisonOperator", func(in *PutInput) { in.Definition.ComparisonOperator = "" },
			MissingParameter, "The parameter ComparisonOperator is required."},
		{"unknown ComparisonOperator", func(in *PutInput) { in.Definition.ComparisonOperator = "GreaterThan" },
			ValidationError, "The value GreaterThan for parameter ComparisonOperator is invalid."},
		{"no MetricName", func(in *PutInput) { in.Definition.MetricName = "" },
			MissingParameter, "The parameter MetricName is required."},
		{"no Namespace", func(in *PutInput) { in.Definition.Namespace = "" },
			MissingParameter, "The parameter Namespace is required."},
		{"Statistic and ExtendedStatistic", func(in *PutInput) { in.Definition.ExtendedStatistic = "p99" },
			InvalidParameterCombination, "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both."},
		{"no statistic", func(in *PutInput) { in.Definition.Statistic = "" },
			MissingParameter, "One of the parameters Statistic and ExtendedStatistic must be specified."},
		{"no Period", func(in *PutInput) { in.Definition.Period = 0 },
			MissingParameter, "The parameter Period is required."},
		{"band operator on MetricName", func(in *PutInput) {
			in.Definition.ComparisonOperator = string(LessThanLowerOrGreaterThanUpperThreshold)
		}, ValidationError, "An alarm on an anomaly detection band gives its metric and the band in Metrics, not MetricName."},
		{"Period with Metrics", func(in *PutInput) {
			metrics(&in.Definition, MetricQuery{ID: "m1", MetricStat: stat})
			in.Definition.Period = 60
		}, InvalidParameterCombination, "The parameters Period and Unit are for alarms on MetricName; each query of Metrics gives its own."},
		{"Unit with Metrics", func(in *PutInput) {
			metrics(&in.Definition, MetricQuery{ID: "m1", MetricStat: stat})
			in.Definition.Unit = "Percent"
		}, InvalidParameterCombination, "The parameters Period and Unit are for alarms on MetricName; each query of Metrics gives its own."},
		{"11 queries", func(in *PutInput) {
			var qs []MetricQuery
			for i := range 11 {
				qs = append(qs, MetricQuery{ID: fmt.Sprint("m", i), MetricStat: stat, ReturnData: bptr(i == 0)})
			}
			metrics(&in.Definition, qs...)
		}, ValidationError, "The collection Metrics must not have a size greater than 10."},
		{"duplicate ids", func(in *PutInput) {
			metrics(&in.Definition, MetricQuery{ID: "m1", MetricStat: stat, ReturnData: bptr(false)}, MetricQuery{ID: "m1", Expression: "m1*2"})
		}, ValidationError, "The value m1 for parameter Metrics.Id is not unique."},
		{"no query returns data", func(in *PutInput) {
			metrics(&in.Definition, MetricQuery{ID: "m1", MetricStat: stat, ReturnData: bptr(false)})
		}, ValidationError, "Exactly one element of the metrics list should return data."},
		{"two queries return data", func(in *PutInput) {
			metrics(&in.Definition, MetricQuery{ID: "m1", MetricStat: stat}, MetricQuery{ID: "e1", Expression: "m1*2"})
		}, ValidationError, "Exactly one element of the metrics list should return data."},
		{"ThresholdMetricId not a band", func(in *PutInput) {
			band(&in.Definition)
			in.Definition.ThresholdMetricID = "m1"
		}, ValidationError, "ThresholdMetricId m1 must name a query of Metrics whose expression is ANOMALY_DETECTION_BAND."},
		{"band returned alone", func(in *PutInput) {
			band(&in.Definition)
			in.Definition.Metrics[0].ReturnData = bptr(false)
		}, ValidationError, "An alarm on an anomaly detection band must return exactly two queries: the metric and the band."},
		{"band and Threshold", func(in *PutInput) {
			band(&in.Definition)
			in.Definition.Threshold = fptr(1)
		}, InvalidParameterCombination, "The parameters Threshold and ThresholdMetricId are mutually exclusive and you have specified both."},
		{"ThresholdMetricId with a static operator", func(in *PutInput) {
			metrics(&in.Definition, MetricQuery{ID: "m1", MetricStat: stat})
			in.Definition.ThresholdMetricID = "m1"
		}, ValidationError, "ThresholdMetricId is only for the anomaly detection ComparisonOperators (LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold)."},
		{"no Threshold", func(in *PutInput) { in.Definition.Threshold = nil },
			MissingParameter, "The parameter Threshold is required."},
		{"NaN Threshold", func(in *PutInput) { in.Definition.Threshold = fptr(math.NaN()) },
			InvalidParameterValue, "The value NaN for parameter Threshold is invalid."},
		{"infinite Threshold", func(in *PutInput) { in.Definition.Threshold = fptr(math.Inf(1)) },
			InvalidParameterValue, "The value +Inf for parameter Threshold is invalid."},
		{"no period to find", func(in *PutInput) {
			metrics(&in.Definition, MetricQuery{ID: "q1", Expression: "SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\")"})
		}, ValidationError, "The alarm's period cannot be determined: give the query that returns data, or the metrics it reads, a Period."},
		{"Period 45", func(in *PutInput) { in.Definition.Period = 45 },
			ValidationError, "The value 45 for parameter Period is invalid: it must be 10, 20, 30 or a multiple of 60."},
		{"query Period 90", func(in *PutInput) {
			s := *stat
			s.Period = 90
			metrics(&in.Definition, MetricQuery{ID: "m1", MetricStat: &s})
		}, ValidationError, "The value 90 for parameter Period is invalid: it must be 10, 20, 30 or a multiple of 60."},
		{"more than a day", func(in *PutInput) { in.Definition.EvaluationPeriods = 1441 },
			ValidationError, "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400) for alarms using period < 3600"},
		{"more than a week", func(in *PutInput) { in.Definition.Period, in.Definition.EvaluationPeriods = 3600, 169 },
			ValidationError, "Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800) for alarms using period >= 3600"},
		{"DatapointsToAlarm above EvaluationPeriods", func(in *PutInput) {
			in.Definition.EvaluationPeriods, in.Definition.DatapointsToAlarm = 2, 3
		}, ValidationError, "DatapointsToAlarm (3) must be less than or equal to EvaluationPeriods (2)."},
		{"TreatMissingData", func(in *PutInput) { in.Definition.TreatMissingData = "sometimes" },
			ValidationError, "The value sometimes for parameter TreatMissingData is invalid: it must be one of breaching, notBreaching, ignore, missing."},
		{"EvaluateLowSampleCountPercentile without a percentile", func(in *PutInput) {
			in.Definition.EvaluateLowSampleCountPercentile = "ignore"
		}, ValidationError, "EvaluateLowSampleCountPercentile is only for alarms on a percentile ExtendedStatistic (p0.0 to p100)."},
		{"EvaluateLowSampleCountPercentile unknown", func(in *PutInput) {
			in.Definition.Statistic, in.Definition.ExtendedStatistic = "", "p99"
			in.Definition.EvaluateLowSampleCountPercentile = "skip"
		}, ValidationError, "The value skip for parameter EvaluateLowSampleCountPercentile is invalid: it must be evaluate or ignore."},
		{"action of another service", func(in *PutInput) { in.Definition.AlarmActions = []string{svcTopic, "arn:aws:s3:::bucket"} },
			ValidationError, "Invalid arn syntax: arn:aws:s3:::bucket (parameter AlarmActions)"},
		{"action not an ARN", func(in *PutInput) { in.Definition.OKActions = []string{"ops"} },
			ValidationError, "Invalid arn syntax: ops (parameter OKActions)"},
		{"action in another region", func(in *PutInput) {
			in.Definition.InsufficientDataActions = []string{"arn:aws:sns:eu-west-1:123456789012:ops"}
		}, ValidationError, "The action arn:aws:sns:eu-west-1:123456789012:ops of parameter InsufficientDataActions is in region eu-west-1; an alarm's actions must be in its region, us-east-1."},
		{"51 tags", func(in *PutInput) { in.Tags = tags },
			LimitExceeded, "The maximum number of tags for a resource is 50."},
	}
	f := newSvcFixture(t, true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := metricInput("v")
			tt.change(&in)
			err := f.svc.PutMetricAlarm(f.ctx, svcScope, in)
			wantError(t, err, tt.code, tt.msg)
			if f.exists("v") {
				t.Fatal("the refused alarm was written")
			}
			if items := f.history(HistoryQuery{}); len(items) > 0 {
				t.Errorf("history written: %+v", items)
			}
			if ev := f.takeEvents(); len(ev) > 0 {
				t.Errorf("events published: %d", len(ev))
			}
			if tags, err := f.store.Tags().ResourceTags(f.ctx, ARN(svcScope, "v")); err != nil || len(tags) > 0 {
				t.Errorf("tags %v, %v", tags, err)
			}
			if ev, _ := f.counts(); ev > 0 {
				t.Errorf("evaluation asked for")
			}
		})
	}
	// The base input is valid: the cases fail by their change alone.
	f.put(metricInput("v"))
}

// The valid forms of the metric alarms the table refuses.
func TestPutMetricAlarmValidForms(t *testing.T) {
	f := newSvcFixture(t, true)
	stat := &MetricStat{Namespace: "App", MetricName: "cpu", Period: 60, Stat: "Average"}
	for name, change := range map[string]func(d *Definition){
		"percentile with low sample counts ignored": func(d *Definition) {
			d.Statistic, d.ExtendedStatistic, d.EvaluateLowSampleCountPercentile = "", "p99", "ignore"
		},
		"period 10": func(d *Definition) { d.Period, d.EvaluationPeriods = 10, 8640 },
		"a week of hours": func(d *Definition) {
			d.Period, d.EvaluationPeriods, d.DatapointsToAlarm, d.TreatMissingData = 3600, 168, 168, "notBreaching"
		},
		"math": func(d *Definition) {
			d.Namespace, d.MetricName, d.Statistic, d.Period, d.Dimensions = "", "", "", 0, nil
			d.Metrics = []MetricQuery{{ID: "m1", MetricStat: stat, ReturnData: bptr(false)}, {ID: "e1", Expression: "m1*2"}}
		},
		"band": func(d *Definition) {
			d.Namespace, d.MetricName, d.Statistic, d.Period, d.Dimensions = "", "", "", 0, nil
			d.Metrics = []MetricQuery{{ID: "m1", MetricStat: stat}, {ID: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)"}}
			d.ComparisonOperator, d.ThresholdMetricID, d.Threshold = string(GreaterThanUpperThreshold), "ad1", nil
		},
		"insights": func(d *Definition) {
			d.Namespace, d.MetricName, d.Statistic, d.Period, d.Dimensions = "", "", "", 0, nil
			d.Metrics = []MetricQuery{{ID: "q1", Expression: "SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\")", Period: 300}}
		},
		"actions of every kind": func(d *Definition) {
			d.AlarmActions = []string{svcTopic, "arn:aws:automate:us-east-1:ec2:stop", "arn:aws:lambda:us-east-1:123456789012:function:fix"}
			d.OKActions = []string{"arn:aws:ssm:us-east-1:123456789012:opsitem:3"}
		},
	} {
		in := metricInput(strings.ReplaceAll(name, " ", "-"))
		change(&in.Definition)
		if err := f.svc.PutMetricAlarm(f.ctx, svcScope, in); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The dedicated message of a band operator without ThresholdMetricId is
// never given: validateMetrics refuses first, naming an empty id.
func TestPutMetricAlarmBandWithoutThresholdMetricID(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("band")
	d := &in.Definition
	d.Namespace, d.MetricName, d.Statistic, d.Period, d.Dimensions = "", "", "", 0, nil
	d.Metrics = []MetricQuery{
		{ID: "m1", MetricStat: &MetricStat{Namespace: "App", MetricName: "cpu", Period: 60, Stat: "Average"}},
		{ID: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)"},
	}
	d.ComparisonOperator, d.Threshold = string(LessThanLowerOrGreaterThanUpperThreshold), nil
	err := f.svc.PutMetricAlarm(f.ctx, svcScope, in)
	wantError(t, err, ValidationError, "ComparisonOperator LessThanLowerOrGreaterThanUpperThreshold compares with an anomaly detection band: ThresholdMetricId must name the band's expression in Metrics.")
}

func TestPutMetricAlarmOnCompositeName(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("child"))
	f.putComposite("both", "ALARM(child)")
	before := f.alarm("both")
	f.takeEvents()
	err := f.svc.PutMetricAlarm(f.ctx, svcScope, metricInput("both"))
	wantError(t, err, InvalidParameterValue, "The alarm both is a CompositeAlarm; it cannot be replaced by a MetricAlarm.")
	if after := f.alarm("both"); after.Type != store.CompositeAlarm || !reflect.DeepEqual(after.Alarm, before.Alarm) {
		t.Errorf("composite changed: %+v", after.Alarm)
	}
	if items := f.historyOf("both", store.HistoryConfigurationUpdate); len(items) != 1 {
		t.Errorf("history of both: %+v", items)
	}
	if ev := f.takeEvents(); len(ev) > 0 {
		t.Errorf("events published: %d", len(ev))
	}
}

func TestPutMetricAlarmCreate(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("x")
	in.Definition.Description = "CPU too high"
	in.Definition.AlarmActions = []string{svcTopic}
	in.Tags = map[string]string{"team": "ops"}
	f.put(in)

	a := f.alarm("x")
	want := store.Alarm{
		Account: svcScope.Account, Region: svcScope.Region, Name: "x", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:x",
		Type: store.MetricAlarm, Definition: in.Definition.Encode(), ActionsEnabled: true,
		State: "INSUFFICIENT_DATA", StateReason: "Unchecked: Initial alarm creation",
		StateUpdated: svcT0.UnixMilli(), StateTransitioned: svcT0.UnixMilli(), ConfigUpdated: svcT0.UnixMilli(),
	}
	if !reflect.DeepEqual(a.Alarm, want) {
		t.Errorf("alarm\n%+v\nwant\n%+v", a.Alarm, want)
	}
	wantDef := in.Definition
	wantDef.Version = definitionVersion
	if !reflect.DeepEqual(*a.Definition, wantDef) {
		t.Errorf("definition %+v, want %+v", *a.Definition, wantDef)
	}

	items := f.history(HistoryQuery{AlarmName: "x"})
	if len(items) != 1 {
		t.Fatalf("history: %+v", items)
	}
	h := items[0]
	if h.Type != store.HistoryConfigurationUpdate || h.Summary != `Alarm "x" created` || h.AlarmType != store.MetricAlarm ||
		h.Timestamp != svcT0.UnixMilli() || h.AlarmName != "x" {
		t.Errorf("history item %+v", h)
	}
	data := decodeJSON(t, h.Data)
	if data["version"] != "1.0" || data["type"] != "Create" || jsonAt(data, "createdAlarm", "alarmName") != "x" ||
		jsonAt(data, "createdAlarm", "alarmArn") != want.ARN || jsonAt(data, "createdAlarm", "actionsEnabled") != true ||
		data["updatedAlarm"] != nil {
		t.Errorf("history data %s", h.Data)
	}
	if jsonAt(data, "createdAlarm", "v") != nil {
		t.Errorf("the definition's version is in the history data: %s", h.Data)
	}

	tags, err := f.svc.Tags(f.ctx, svcScope, ARN(svcScope, "x"))
	if err != nil || !reflect.DeepEqual(tags, map[string]string{"team": "ops"}) {
		t.Errorf("tags %v, %v", tags, err)
	}
	if ev, notifies := f.counts(); ev != 1 || notifies != 0 {
		t.Errorf("evaluations asked %d, outbox kicked %d; want 1, 0", ev, notifies)
	}
	if pending, _ := f.pending(); pending != 0 {
		t.Errorf("%d actions enqueued on creation", pending)
	}

	// ActionsEnabled false is kept.
	off := metricInput("off")
	off.ActionsEnabled = bptr(false)
	f.put(off)
	if f.alarm("off").ActionsEnabled {
		t.Error("ActionsEnabled false was not kept")
	}
}

func TestPutMetricAlarmUpdate(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("x")
	in.Tags = map[string]string{"team": "ops"}
	f.put(in)
	f.src.set("x", 90)
	f.run()
	alarmed := f.alarm("x")
	if alarmed.State != "ALARM" {
		t.Fatalf("state %s", alarmed.State)
	}

	f.clock.Set(svcT0.Add(42 * time.Second))
	up := metricInput("x")
	up.Definition.Threshold = fptr(95)
	up.ActionsEnabled = bptr(false)
	up.Tags = map[string]string{"team": "dev", "extra": "1"}
	f.put(up)

	a := f.alarm("x")
	if a.State != alarmed.State || a.StateReason != alarmed.StateReason || a.StateReasonData != alarmed.StateReasonData ||
		a.StateUpdated != alarmed.StateUpdated || a.StateTransitioned != alarmed.StateTransitioned {
		t.Errorf("the update changed the state: %+v\nwas %+v", a.Alarm, alarmed.Alarm)
	}
	if a.ConfigUpdated != svcT0.Add(42*time.Second).UnixMilli() || a.ActionsEnabled || *a.Definition.Threshold != 95 {
		t.Errorf("the update was not written: %+v %+v", a.Alarm, *a.Definition)
	}
	items := f.historyOf("x", store.HistoryConfigurationUpdate)
	if len(items) != 2 || items[0].Summary != `Alarm "x" created` || items[1].Summary != `Alarm "x" updated` {
		t.Fatalf("history %+v", items)
	}
	data := decodeJSON(t, items[1].Data)
	if data["type"] != "Update" || jsonAt(data, "updatedAlarm", "threshold") != 95.0 || data["createdAlarm"] != nil ||
		jsonAt(data, "updatedAlarm", "actionsEnabled") != false {
		t.Errorf("update data %s", items[1].Data)
	}
	tags, err := f.svc.Tags(f.ctx, svcScope, ARN(svcScope, "x"))
	if err != nil || !reflect.DeepEqual(tags, map[string]string{"team": "ops"}) {
		t.Errorf("tags after an update %v, %v; want those of the creation", tags, err)
	}
}

// --- Run ---

func TestRunEvaluates(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("cpu"))
	f.src.set("cpu", 90)
	f.run()

	call := f.src.last["cpu"]
	if call.sc != svcScope || !call.start.Equal(time.Date(2026, 3, 2, 9, 57, 0, 0, time.UTC)) || !call.end.Equal(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("source asked %+v", call)
	}
	a := f.alarm("cpu")
	reason := "Threshold Crossed: 1 datapoint [90.0 (02/03/26 09:59:00)] was greater than the threshold (75.0)."
	reasonData := `{"version":"1.0","queryDate":"2026-03-02T10:00:05.000+0000","startDate":"2026-03-02T09:59:00.000+0000","statistic":"Average","period":60,"recentDatapoints":[90.0],"threshold":75.0,"evaluatedDatapoints":[{"timestamp":"2026-03-02T09:59:00.000+0000","sampleCount":1.0,"value":90.0}]}`
	if a.State != "ALARM" || a.StateReason != reason || a.StateReasonData != reasonData ||
		a.StateUpdated != svcT0.UnixMilli() || a.StateTransitioned != svcT0.UnixMilli() || a.Evaluation != nil {
		t.Errorf("alarm %+v", a.Alarm)
	}
	items := f.historyOf("cpu", store.HistoryStateUpdate)
	if len(items) != 1 {
		t.Fatalf("history %+v", items)
	}
	h := items[0]
	wantData := `{"version":"1.0","oldState":{"stateValue":"INSUFFICIENT_DATA","stateReason":"Unchecked: Initial alarm creation"},` +
		`"newState":{"stateValue":"ALARM","stateReason":"` + reason + `","stateReasonData":` + reasonData + `}}`
	if h.Summary != "Alarm updated from INSUFFICIENT_DATA to ALARM" || h.Data != wantData || h.Timestamp != svcT0.UnixMilli() ||
		h.AlarmType != store.MetricAlarm {
		t.Errorf("history item %+v\nwant data %s", h, wantData)
	}

	// The same state the next minute: nothing written.
	f.runAt(svcT0.Add(time.Minute))
	if b := f.alarm("cpu"); !reflect.DeepEqual(b.Alarm, a.Alarm) {
		t.Errorf("an unchanged state was written: %+v", b.Alarm)
	}
	// Back to OK.
	f.src.set("cpu", 10)
	t2 := svcT0.Add(2 * time.Minute)
	f.runAt(t2)
	b := f.alarm("cpu")
	if b.State != "OK" || b.StateReason != "Threshold Crossed: 1 datapoint [10.0 (02/03/26 10:01:00)] was not greater than the threshold (75.0)." ||
		b.StateTransitioned != t2.UnixMilli() {
		t.Errorf("alarm %+v", b.Alarm)
	}
	items = f.historyOf("cpu", store.HistoryStateUpdate)
	if len(items) != 2 || items[1].Summary != "Alarm updated from ALARM to OK" {
		t.Errorf("history %+v", items)
	}
	if got := decodeJSON(t, items[1].Data); jsonAt(got, "oldState", "stateReason") != reason || jsonAt(got, "oldState", "stateReasonData", "threshold") != 75.0 {
		t.Errorf("old state of %s", items[1].Data)
	}
	if c, u := f.evaluations("changed"), f.evaluations("unchanged"); c != 2 || u != 1 {
		t.Errorf("evaluations changed %v, unchanged %v; want 2, 1", c, u)
	}

	// No data: INSUFFICIENT_DATA.
	delete(f.src.values, "cpu")
	f.runAt(svcT0.Add(3 * time.Minute))
	if c := f.alarm("cpu"); c.State != "INSUFFICIENT_DATA" || c.StateReason != "Insufficient Data: 1 datapoint was unknown." {
		t.Errorf("alarm %+v", c.Alarm)
	}

	// A failed query changes nothing and is counted.
	f.src.setErr(errors.New("engine down"))
	f.src.set("cpu", 90)
	f.runAt(svcT0.Add(4 * time.Minute))
	if c := f.alarm("cpu"); c.State != "INSUFFICIENT_DATA" {
		t.Errorf("state %s after a failed query", c.State)
	}
	if n := f.evaluations("failed"); n != 1 {
		t.Errorf("failed evaluations %v", n)
	}
}

func TestRunDue(t *testing.T) {
	f := newSvcFixture(t, true)
	// Created before the first run (TestRunDueAfterPutAtRunTime puts
	// them at its time).
	f.clock.Set(svcT0.Add(-5 * time.Second))
	for _, p := range []int64{10, 20, 60, 300} {
		in := metricInput(fmt.Sprint("p", p))
		in.Definition.Period = p
		f.put(in)
	}
	// Runs every 10 s from 10:00:05 to 10:01:05.
	for i := range 7 {
		f.runAt(svcT0.Add(time.Duration(i) * 10 * time.Second))
	}
	want := map[string]int{"p10": 7, "p20": 4, "p60": 2, "p300": 2}
	for m, n := range want {
		if got := f.src.count(m); got != n {
			t.Errorf("%s evaluated %d times in 7 runs over a minute; want %d", m, got, n)
		}
	}
	// The alarms due are read together, one call a run.
	if want := []int{4, 1, 2, 1, 2, 1, 4}; !slices.Equal(f.src.batches, want) {
		t.Errorf("source calls of %v alarms; want %v", f.src.batches, want)
	}
	// A changed configuration is evaluated by the next run, once.
	f.clock.Set(time.Date(2026, 3, 2, 10, 1, 12, 0, time.UTC))
	up := metricInput("p60")
	up.Definition.Threshold = fptr(80)
	f.put(up)
	f.runAt(time.Date(2026, 3, 2, 10, 1, 15, 0, time.UTC))
	f.runAt(time.Date(2026, 3, 2, 10, 1, 25, 0, time.UTC))
	want = map[string]int{"p10": 9, "p20": 5, "p60": 3, "p300": 2}
	for m, n := range want {
		if got := f.src.count(m); got != n {
			t.Errorf("after an update, %s evaluated %d times; want %d", m, got, n)
		}
	}
	// A new service (another node, or a restart) evaluates everything at
	// its first run.
	g := New(Options{Store: f.store.Alarms(), Tags: f.store.Tags(), Source: f.src, Clock: f.clock})
	if err := g.Run(f.ctx, time.Date(2026, 3, 2, 10, 1, 35, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if got := f.src.count("p300"); got != 3 {
		t.Errorf("first run of a new service evaluated p300 %d times in all; want 3", got)
	}
}

// A put at the time of a run (the run its Evaluate asks for, on a clock
// that has not moved: the fake clock of the tests, --dev's clock between
// moves, or the same millisecond) is evaluated by that run, and again by
// the next: due compares ConfigUpdated >= the previous run, so an alarm
// of a minute is evaluated twice in its minute, and a state
// SetAlarmState set is undone 10 s later instead of at the next period.
func TestRunDueAfterPutAtRunTime(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("cpu"))
	f.src.set("cpu", 10)
	f.run() // at the put's time, as Evaluate asks
	if n := f.src.count("cpu"); n != 1 {
		t.Fatalf("evaluated %d times", n)
	}
	if err := f.svc.SetAlarmState(f.ctx, svcScope, "cpu", StateAlarm, "testing", ""); err != nil {
		t.Fatal(err)
	}
	f.runAt(svcT0.Add(10 * time.Second))
	if n := f.src.count("cpu"); n != 1 {
		t.Errorf("an alarm of a minute evaluated %d times in its first minute; want 1", n)
	}
	if a := f.alarm("cpu"); a.State != "ALARM" {
		t.Errorf("the state set by SetAlarmState was undone at %v, within the minute", f.clock.Now())
	}
}

// --- Actions ---

func TestActionsOnChangeWhenEnabled(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("cpu")
	in.Definition.AlarmActions = []string{svcTopic}
	in.Definition.OKActions = []string{svcTopic}
	f.put(in)

	f.src.set("cpu", 90)
	f.run()
	if pending, _ := f.pending(); pending != 1 {
		t.Fatalf("%d actions pending; want 1", pending)
	}
	if _, notifies := f.counts(); notifies != 1 {
		t.Errorf("outbox kicked %d times", notifies)
	}
	f.step()
	if got := f.takePublished(); len(got) != 1 {
		t.Fatalf("%d notifications", len(got))
	}

	// No change: no action.
	f.runAt(svcT0.Add(time.Minute))
	f.step()
	if got := f.takePublished(); len(got) != 0 {
		t.Errorf("%d notifications for an unchanged state", len(got))
	}
	// INSUFFICIENT_DATA has no actions.
	delete(f.src.values, "cpu")
	f.runAt(svcT0.Add(2 * time.Minute))
	if pending, _ := f.pending(); pending != 0 {
		t.Errorf("%d actions pending for a state without actions", pending)
	}

	// Disabled: the state changes, no action runs.
	if err := f.svc.SetActionsEnabled(f.ctx, svcScope, []string{"cpu", "nope"}, false); err != nil {
		t.Fatal(err)
	}
	f.src.set("cpu", 10)
	f.runAt(svcT0.Add(3 * time.Minute))
	if a := f.alarm("cpu"); a.State != "OK" || a.ActionsEnabled {
		t.Fatalf("alarm %+v", a.Alarm)
	}
	f.step()
	if pending, _ := f.pending(); pending != 0 {
		t.Errorf("%d actions pending while disabled", pending)
	}
	if got := f.takePublished(); len(got) != 0 {
		t.Errorf("%d notifications while disabled", len(got))
	}
	if _, notifies := f.counts(); notifies != 1 {
		t.Errorf("outbox kicked %d times in all; want 1", notifies)
	}

	// Enabled again.
	if err := f.svc.SetActionsEnabled(f.ctx, svcScope, []string{"cpu"}, true); err != nil {
		t.Fatal(err)
	}
	f.src.set("cpu", 90)
	f.runAt(svcT0.Add(4 * time.Minute))
	f.step()
	got := f.takePublished()
	if len(got) != 1 {
		t.Fatalf("%d notifications after enabling", len(got))
	}
	if m := decodeJSON(t, string(got[0].Payload)); m["OldStateValue"] != "OK" || m["NewStateValue"] != "ALARM" {
		t.Errorf("notification %s", got[0].Payload)
	}
	if items := f.historyOf("cpu", store.HistoryAction); len(items) != 2 {
		t.Errorf("%d action items; want 2", len(items))
	}
}

func TestSNSNotification(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("cpu")
	in.Definition.Description = "CPU too high"
	in.Definition.AlarmActions = []string{svcTopic}
	f.put(in)
	f.src.set("cpu", 90)
	f.run()
	delivered := svcT0.Add(time.Second)
	f.clock.Set(delivered)
	f.step()

	got := f.takePublished()
	if len(got) != 1 {
		t.Fatalf("%d notifications", len(got))
	}
	m := got[0]
	if m.Kind != NotificationKind || m.Version != 1 || m.Target != svcTopic || m.ID == "" || m.Subject != `ALARM: "cpu" in US East (N. Virginia)` ||
		m.Source != (dispatch.Source{Service: "cloudwatch", Account: svcScope.Account, Region: svcScope.Region}) {
		t.Errorf("message %+v", m)
	}
	text := string(m.Payload)
	n := decodeJSON(t, text)
	a := f.alarm("cpu")
	for k, v := range map[string]any{
		"AlarmName": "cpu", "AlarmDescription": "CPU too high", "AWSAccountId": "123456789012",
		"AlarmConfigurationUpdatedTimestamp": "2026-03-02T10:00:05.000+0000",
		"NewStateValue":                      "ALARM", "NewStateReason": a.StateReason, "StateChangeTime": "2026-03-02T10:00:05.000+0000",
		"Region": "US East (N. Virginia)", "AlarmArn": a.ARN, "OldStateValue": "INSUFFICIENT_DATA",
	} {
		if n[k] != v {
			t.Errorf("%s: %v, want %v", k, n[k], v)
		}
	}
	for k, v := range map[string]any{
		"MetricName": "cpu", "Namespace": "App", "StatisticType": "Statistic", "Statistic": "AVERAGE", "Unit": nil,
		"Period": 60.0, "EvaluationPeriods": 1.0, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 75.0,
	} {
		if got := jsonAt(n, "Trigger", k); got != v {
			t.Errorf("Trigger.%s: %v, want %v", k, got, v)
		}
	}
	for _, s := range []string{`"Threshold":75.0`, `"OKActions":[]`, `"AlarmActions":["` + svcTopic + `"]`, `"InsufficientDataActions":[]`,
		`"Dimensions":[{"value":"web-1","name":"Host"}]`, `"Unit":null`} {
		if !strings.Contains(text, s) {
			t.Errorf("notification lacks %s: %s", s, text)
		}
	}
	if _, ok := n["AlarmRule"]; ok {
		t.Errorf("metric alarm notification with an AlarmRule: %s", text)
	}
	// Members in AWS's order.
	var order []string
	dec := json.NewDecoder(strings.NewReader(text))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		order = append(order, k.(string))
		var skip json.RawMessage
		dec.Decode(&skip)
	}
	wantOrder := []string{"AlarmName", "AlarmDescription", "AWSAccountId", "AlarmConfigurationUpdatedTimestamp", "NewStateValue",
		"NewStateReason", "StateChangeTime", "Region", "AlarmArn", "OldStateValue", "OKActions", "AlarmActions",
		"InsufficientDataActions", "Trigger"}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("members %v\nwant %v", order, wantOrder)
	}

	items := f.historyOf("cpu", store.HistoryAction)
	if len(items) != 1 {
		t.Fatalf("action items %+v", items)
	}
	h := items[0]
	if h.Summary != "Successfully executed action "+svcTopic || h.Timestamp != delivered.UnixMilli() || h.AlarmType != store.MetricAlarm {
		t.Errorf("action item %+v", h)
	}
	data := decodeJSON(t, h.Data)
	if data["actionState"] != "Succeeded" || data["notificationResource"] != svcTopic || data["publishedMessage"] != text ||
		data["stateUpdateTimestamp"] != float64(svcT0.UnixMilli()) || data["error"] != nil {
		t.Errorf("action data %s", h.Data)
	}
	if pending, dead := f.pending(); pending != 0 || dead != 0 {
		t.Errorf("outbox pending %d, dead %d", pending, dead)
	}

	// Without a description, AlarmDescription is null.
	plain := metricInput("plain")
	plain.Definition.AlarmActions = []string{svcTopic}
	f.put(plain)
	f.src.set("plain", 90)
	f.runAt(svcT0.Add(time.Minute))
	f.step()
	got = f.takePublished()
	if len(got) != 1 || !strings.Contains(string(got[0].Payload), `"AlarmDescription":null`) {
		t.Errorf("notifications %v", got)
	}
}

func TestSNSNotificationRetried(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("cpu")
	in.Definition.AlarmActions = []string{svcTopic}
	f.put(in)
	f.src.set("cpu", 90)
	f.run()
	f.setSNSErr(errors.New("topic throttled"))
	f.step()
	if got := f.takePublished(); len(got) != 1 {
		t.Fatalf("%d attempts", len(got))
	}
	if items := f.historyOf("cpu", store.HistoryAction); len(items) != 0 {
		t.Errorf("a failure that is retried was recorded: %+v", items)
	}
	if pending, _ := f.pending(); pending != 1 {
		t.Errorf("pending %d; want the action kept for a retry", pending)
	}
	f.setSNSErr(nil)
	f.clock.Advance(time.Minute)
	f.step()
	if got := f.takePublished(); len(got) != 1 {
		t.Fatalf("%d attempts after the backoff", len(got))
	}
	items := f.historyOf("cpu", store.HistoryAction)
	if len(items) != 1 || !strings.HasPrefix(items[0].Summary, "Successfully executed action") {
		t.Errorf("action items %+v", items)
	}
}

func TestActionsNotRun(t *testing.T) {
	tests := []struct {
		name, action string
		sns          bool
		err          string
	}{
		{"EC2", "arn:aws:automate:us-east-1:ec2:stop", true, "Vigil does not run EC2 (stop) actions; it executes SNS topic actions only"},
		{"Lambda", "arn:aws:lambda:us-east-1:123456789012:function:fix", true, "Vigil does not run Lambda actions; it executes SNS topic actions only"},
		{"Auto Scaling", "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:autoScalingGroupName/web:policyName/up", true,
			"Vigil does not run Auto Scaling actions; it executes SNS topic actions only"},
		{"no SNS target", svcTopic, false, "Vigil does not serve SNS topics yet, so the notification to " + svcTopic + " was not published"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSvcFixture(t, tt.sns)
			in := metricInput("cpu")
			in.Definition.AlarmActions = []string{tt.action}
			f.put(in)
			f.src.set("cpu", 90)
			f.run()
			f.step()
			items := f.historyOf("cpu", store.HistoryAction)
			if len(items) != 1 {
				t.Fatalf("action items %+v", items)
			}
			h := items[0]
			if want := "Failed to execute action " + tt.action + `. Received error: "` + tt.err + `"`; h.Summary != want {
				t.Errorf("summary %q\nwant %q", h.Summary, want)
			}
			data := decodeJSON(t, h.Data)
			if data["actionState"] != "Failed" || data["error"] != tt.err || data["publishedMessage"] != nil ||
				data["stateUpdateTimestamp"] != float64(svcT0.UnixMilli()) {
				t.Errorf("data %s", h.Data)
			}
			if got := f.takePublished(); len(got) != 0 {
				t.Errorf("%d notifications", len(got))
			}
			// Recorded, not kept as a dead letter nor retried.
			if pending, dead := f.pending(); pending != 0 || dead != 0 {
				t.Errorf("outbox pending %d, dead %d", pending, dead)
			}
			f.clock.Advance(time.Hour)
			f.step()
			if items := f.historyOf("cpu", store.HistoryAction); len(items) != 1 {
				t.Errorf("%d action items after another step", len(items))
			}
		})
	}
}

// --- SetAlarmState ---

func TestSetAlarmState(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("cpu")
	in.Definition.AlarmActions = []string{svcTopic}
	f.clock.Set(svcT0.Add(-5 * time.Second))
	f.put(in)
	f.src.set("cpu", 10)
	f.runAt(svcT0)
	if a := f.alarm("cpu"); a.State != "OK" {
		t.Fatalf("state %s", a.State)
	}
	evaluates, _ := f.counts()

	wantError(t, f.svc.SetAlarmState(f.ctx, svcScope, "cpu", "BROKEN", "r", ""),
		ValidationError, "The value BROKEN for parameter StateValue is invalid: it must be one of OK, ALARM, INSUFFICIENT_DATA.")
	wantError(t, f.svc.SetAlarmState(f.ctx, svcScope, "cpu", StateAlarm, "r", "{not json"),
		InvalidFormat, "The StateReasonData is not valid JSON.")
	wantError(t, f.svc.SetAlarmState(f.ctx, svcScope, "nope", StateAlarm, "r", ""),
		ResourceNotFound, "Alarm nope not found")
	if a := f.alarm("cpu"); a.State != "OK" {
		t.Fatalf("a refused SetAlarmState changed the state to %s", a.State)
	}

	set := svcT0.Add(20 * time.Second)
	f.clock.Set(set)
	if err := f.svc.SetAlarmState(f.ctx, svcScope, "cpu", StateAlarm, "testing", `{"by":"test"}`); err != nil {
		t.Fatal(err)
	}
	a := f.alarm("cpu")
	if a.State != "ALARM" || a.StateReason != "testing" || a.StateReasonData != `{"by":"test"}` || a.StateUpdated != set.UnixMilli() {
		t.Errorf("alarm %+v", a.Alarm)
	}
	if ev, _ := f.counts(); ev != evaluates+1 {
		t.Errorf("SetAlarmState did not ask for an evaluation")
	}
	items := f.historyOf("cpu", store.HistoryStateUpdate)
	if len(items) != 2 || items[1].Summary != "Alarm updated from OK to ALARM" ||
		!strings.Contains(items[1].Data, `"newState":{"stateValue":"ALARM","stateReason":"testing","stateReasonData":{"by":"test"}}`) {
		t.Errorf("history %+v", items)
	}
	f.step()
	got := f.takePublished()
	if len(got) != 1 {
		t.Fatalf("%d notifications", len(got))
	}
	if n := decodeJSON(t, string(got[0].Payload)); n["NewStateReason"] != "testing" || n["OldStateValue"] != "OK" {
		t.Errorf("notification %s", got[0].Payload)
	}

	// The same minute: not evaluated again, the set state stays.
	f.runAt(svcT0.Add(30 * time.Second))
	if a := f.alarm("cpu"); a.State != "ALARM" {
		t.Errorf("state %s before the next period", a.State)
	}
	// The next period restores the evaluated state.
	f.runAt(svcT0.Add(time.Minute))
	a = f.alarm("cpu")
	if a.State != "OK" || !strings.HasPrefix(a.StateReason, "Threshold Crossed: ") {
		t.Errorf("alarm %+v", a.Alarm)
	}
	items = f.historyOf("cpu", store.HistoryStateUpdate)
	if len(items) != 3 || items[2].Summary != "Alarm updated from ALARM to OK" {
		t.Errorf("history %+v", items)
	}
}

// --- Describing ---

func TestDescribeAlarmsPaging(t *testing.T) {
	f := newSvcFixture(t, true)
	for i := 1; i <= 5; i++ {
		in := metricInput(fmt.Sprint("a", i))
		if i%2 == 0 {
			in.Definition.AlarmActions = []string{svcTopic}
		}
		f.put(in)
	}
	f.putComposite("c1", "ALARM(a1)")
	f.src.set("a3", 90)
	f.run()

	names := func(as []Alarm) []string {
		out := []string{}
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	pages := func(q DescribeQuery) [][]string {
		t.Helper()
		var out [][]string
		for {
			as, next, err := f.svc.DescribeAlarms(f.ctx, svcScope, q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, names(as))
			if next == "" {
				return out
			}
			if len(out) > 10 {
				t.Fatal("no end of pages")
			}
			q.NextToken = next
		}
	}
	for _, tt := range []struct {
		name string
		q    DescribeQuery
		want [][]string
	}{
		{"default: metric alarms", DescribeQuery{}, [][]string{{"a1", "a2", "a3", "a4", "a5"}}},
		{"pages of 2", DescribeQuery{MaxRecords: 2}, [][]string{{"a1", "a2"}, {"a3", "a4"}, {"a5"}}},
		{"pages of 5", DescribeQuery{MaxRecords: 5}, [][]string{{"a1", "a2", "a3", "a4", "a5"}}},
		{"composite", DescribeQuery{Types: []string{store.CompositeAlarm}}, [][]string{{"c1"}}},
		{"both types", DescribeQuery{Types: []string{store.CompositeAlarm, store.MetricAlarm}, MaxRecords: 4},
			[][]string{{"a1", "a2", "a3", "a4"}, {"a5", "c1"}}},
		{"action prefix", DescribeQuery{ActionPrefix: "arn:aws:sns:us-east-1:123456789012:o"}, [][]string{{"a2", "a4"}}},
		{"action prefix, pages of 1", DescribeQuery{ActionPrefix: svcTopic, MaxRecords: 1}, [][]string{{"a2"}, {"a4"}}},
		{"action prefix of nothing", DescribeQuery{ActionPrefix: "arn:aws:lambda"}, [][]string{{}}},
		{"names", DescribeQuery{Names: []string{"a4", "a1", "c1", "nope"}}, [][]string{{"a1", "a4"}}},
		{"name prefix", DescribeQuery{NamePrefix: "a", MaxRecords: 3}, [][]string{{"a1", "a2", "a3"}, {"a4", "a5"}}},
		{"state", DescribeQuery{State: "ALARM"}, [][]string{{"a3"}}},
	} {
		if got := pages(tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: pages %v, want %v", tt.name, got, tt.want)
		}
	}

	as, _, err := f.svc.DescribeAlarms(f.ctx, svcScope, DescribeQuery{Names: []string{"a3"}})
	if err != nil || len(as) != 1 || as[0].State != "ALARM" || as[0].Definition.MetricName != "a3" {
		t.Errorf("a3: %+v, %v", as, err)
	}

	_, _, err = f.svc.DescribeAlarms(f.ctx, svcScope, DescribeQuery{MaxRecords: 101})
	wantError(t, err, ValidationError, "The value 101 for parameter MaxRecords is invalid: it must be between 1 and 100.")
	_, _, err = f.svc.DescribeAlarms(f.ctx, svcScope, DescribeQuery{NextToken: "garbage!"})
	wantError(t, err, InvalidNextToken, `The service cannot decode the next token "garbage!".`)
	foreign := base64.RawURLEncoding.EncodeToString([]byte("logs1:a2"))
	_, _, err = f.svc.DescribeAlarms(f.ctx, svcScope, DescribeQuery{NextToken: foreign})
	wantError(t, err, InvalidNextToken, fmt.Sprintf("The service cannot decode the next token %q.", foreign))
	_, _, err = f.svc.DescribeAlarms(f.ctx, svcScope, DescribeQuery{Names: []string{"a1"}, NamePrefix: "a"})
	wantError(t, err, InvalidParameterCombination, "The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.")

	// Another account or region sees none of them.
	as, _, err = f.svc.DescribeAlarms(f.ctx, Scope{Account: "999999999999", Region: "us-east-1"}, DescribeQuery{})
	if err != nil || len(as) != 0 {
		t.Errorf("another account: %v, %v", names(as), err)
	}
}

func TestDescribeAlarmsForMetric(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("cpu"))
	p99 := metricInput("cpu-p99")
	p99.Definition.MetricName, p99.Definition.Statistic, p99.Definition.ExtendedStatistic = "cpu", "", "p99"
	f.put(p99)
	other := metricInput("mem")
	f.put(other)
	dims := []Dimension{{Name: "Host", Value: "web-1"}}
	for _, tt := range []struct {
		q    ForMetricQuery
		want []string
	}{
		{ForMetricQuery{Namespace: "App", MetricName: "cpu", Dimensions: dims}, []string{"cpu", "cpu-p99"}},
		{ForMetricQuery{Namespace: "App", MetricName: "cpu", Dimensions: dims, Statistic: "Average"}, []string{"cpu"}},
		{ForMetricQuery{Namespace: "App", MetricName: "cpu", Dimensions: dims, ExtendedStatistic: "p99"}, []string{"cpu-p99"}},
		{ForMetricQuery{Namespace: "App", MetricName: "cpu", Dimensions: dims, Period: 300}, nil},
		{ForMetricQuery{Namespace: "App", MetricName: "cpu"}, nil},
		{ForMetricQuery{Namespace: "App", MetricName: "cpu", Dimensions: []Dimension{{Name: "Host", Value: "web-2"}}}, nil},
	} {
		as, err := f.svc.DescribeAlarmsForMetric(f.ctx, svcScope, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range as {
			got = append(got, a.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestDeleteAlarms(t *testing.T) {
	f := newSvcFixture(t, true)
	a := metricInput("a")
	a.Tags = map[string]string{"team": "ops"}
	f.put(a)
	f.put(metricInput("b"))
	f.put(metricInput("child"))
	f.putComposite("parent", "ALARM(child)")
	f.takeEvents()

	wantError(t, f.svc.DeleteAlarms(f.ctx, svcScope, []string{"a", "missing", "b", "gone"}),
		ResourceNotFound, "The following alarms do not exist: missing, gone")
	wantError(t, f.svc.DeleteAlarms(f.ctx, svcScope, []string{"a", "child"}),
		ValidationError, "The alarm child cannot be deleted: it is in the rule of the composite alarm parent.")
	for _, n := range []string{"a", "b", "child"} {
		if !f.exists(n) {
			t.Errorf("%s deleted by a refused call", n)
		}
	}
	if ev := f.takeEvents(); len(ev) != 0 {
		t.Errorf("%d events for refused calls", len(ev))
	}

	f.clock.Set(svcT0.Add(time.Minute))
	if err := f.svc.DeleteAlarms(f.ctx, svcScope, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if f.exists("a") || f.exists("b") {
		t.Error("not deleted")
	}
	_, err := f.svc.Tags(f.ctx, svcScope, ARN(svcScope, "a"))
	wantError(t, err, ResourceNotFound, "Alarm a not found")
	if tags, err := f.store.Tags().ResourceTags(f.ctx, ARN(svcScope, "a")); err != nil || len(tags) != 0 {
		t.Errorf("tags of a deleted alarm: %v, %v", tags, err)
	}
	// The history is kept.
	if items := f.historyOf("a", ""); len(items) != 1 || items[0].Summary != `Alarm "a" created` {
		t.Errorf("history of a deleted alarm: %+v", items)
	}
	ev := f.takeEvents()
	if len(ev) != 2 {
		t.Fatalf("%d events", len(ev))
	}
	for i, name := range []string{"a", "b"} {
		d := decodeJSON(t, string(ev[i].Detail))
		if ev[i].DetailType != svcevents.DetailTypeAlarmConfigChange || d["operation"] != "delete" || d["alarmName"] != name ||
			d["configuration"] != nil || !ev[i].Time.Equal(svcT0.Add(time.Minute)) {
			t.Errorf("event %d: %+v %s", i, ev[i], ev[i].Detail)
		}
	}
	// A parent goes with its child.
	if err := f.svc.DeleteAlarms(f.ctx, svcScope, []string{"child", "parent"}); err != nil {
		t.Fatal(err)
	}
	// Created again: a new alarm, without the old tags.
	f.put(metricInput("a"))
	if tags, err := f.svc.Tags(f.ctx, svcScope, ARN(svcScope, "a")); err != nil || len(tags) != 0 {
		t.Errorf("tags of a created again: %v, %v", tags, err)
	}
	if items := f.historyOf("a", store.HistoryConfigurationUpdate); len(items) != 2 || items[1].Summary != `Alarm "a" created` {
		t.Errorf("history %+v", items)
	}
}

// DeleteAlarms of no names deletes nothing and touches nothing. The
// service lists the alarms of the names with a store query whose empty
// Names means every name: the protocol lets an empty AlarmNames through
// (a JSON [] is present), and the service then removes the tags of every
// alarm of the account and publishes a delete event for each, deleting
// none.
func TestDeleteAlarmsNoNames(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("x")
	in.Tags = map[string]string{"team": "ops"}
	f.put(in)
	f.takeEvents()
	err := f.svc.DeleteAlarms(f.ctx, svcScope, []string{})
	var e *Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("DeleteAlarms of no names: %v", err)
	}
	if !f.exists("x") {
		t.Error("x deleted")
	}
	if tags, _ := f.svc.Tags(f.ctx, svcScope, ARN(svcScope, "x")); !reflect.DeepEqual(tags, map[string]string{"team": "ops"}) {
		t.Errorf("tags of x after deleting no alarm: %v", tags)
	}
	if ev := f.takeEvents(); len(ev) != 0 {
		t.Errorf("%d events after deleting no alarm: %s", len(ev), ev[0].Detail)
	}
}

// ChildrenOfAlarmName lists a composite alarm's children; a metric
// alarm, or an alarm that does not exist, has none. The service asks the
// store for the alarms of the children's names, and an empty list of
// names means every alarm.
func TestDescribeAlarmsFamily(t *testing.T) {
	f := newSvcFixture(t, true)
	for _, n := range []string{"a", "b", "c"} {
		f.put(metricInput(n))
	}
	f.putComposite("p1", "ALARM(a) OR ALARM(b)")
	f.putComposite("p2", "ALARM(b) AND OK(p1)")
	names := func(q DescribeQuery) []string {
		t.Helper()
		as, next, err := f.svc.DescribeAlarms(f.ctx, svcScope, q)
		var e *Error
		if errors.As(err, &e) && e.Code == ResourceNotFound {
			return nil
		}
		if err != nil || next != "" {
			t.Fatalf("%+v: %v %q", q, err, next)
		}
		var out []string
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	for _, tt := range []struct {
		q    DescribeQuery
		want []string
	}{
		{DescribeQuery{ChildrenOf: "p1"}, []string{"a", "b"}},
		{DescribeQuery{ChildrenOf: "p2"}, []string{"b", "p1"}},
		{DescribeQuery{ParentsOf: "b"}, []string{"p1", "p2"}},
		{DescribeQuery{ParentsOf: "p1"}, []string{"p2"}},
		{DescribeQuery{ParentsOf: "c"}, nil},
		{DescribeQuery{ChildrenOf: "c"}, nil},
		{DescribeQuery{ChildrenOf: "nope"}, nil},
	} {
		if got := names(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.q, got, tt.want)
		}
	}
	_, _, err := f.svc.DescribeAlarms(f.ctx, svcScope, DescribeQuery{ChildrenOf: "p1", State: "OK"})
	wantError(t, err, InvalidParameterCombination, "With ChildrenOfAlarmName or ParentsOfAlarmName, no other parameter may be given but MaxRecords and NextToken.")
}

// The previousConfiguration of an update event is the configuration
// before it: publishConfigChange describes the previous definition with
// the alarm as it now is, so the ActionsEnabled it reports is the new one.
func TestConfigChangeEventPreviousActionsEnabled(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("x"))
	up := metricInput("x")
	up.ActionsEnabled = bptr(false)
	f.takeEvents()
	f.put(up)
	ev := f.takeEvents()
	if len(ev) != 1 {
		t.Fatalf("%d events", len(ev))
	}
	d := decodeJSON(t, string(ev[0].Detail))
	if got := jsonAt(d, "configuration", "actionsEnabled"); got != false {
		t.Errorf("configuration.actionsEnabled %v, want false", got)
	}
	if got := jsonAt(d, "previousConfiguration", "actionsEnabled"); got != true {
		t.Errorf("previousConfiguration.actionsEnabled %v, want true (before the update)", got)
	}
}

func TestTags(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("x"))
	if err := f.svc.Tag(f.ctx, svcScope, ARN(svcScope, "x"), map[string]string{"a": "1", "b": "2"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Tag(f.ctx, svcScope, ARN(svcScope, "x"), map[string]string{"c": "3"}, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	tags, err := f.svc.Tags(f.ctx, svcScope, ARN(svcScope, "x"))
	if err != nil || !reflect.DeepEqual(tags, map[string]string{"b": "2", "c": "3"}) {
		t.Errorf("tags %v, %v", tags, err)
	}
	wantError(t, f.svc.Tag(f.ctx, svcScope, ARN(svcScope, "nope"), map[string]string{"a": "1"}, nil), ResourceNotFound, "Alarm nope not found")
}

// Tagging beyond 50 tags is LimitExceeded, as creating with them is; the
// store's ErrLimit comes wrapped, which Tag compares with ==.
func TestTagLimit(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("x"))
	many := map[string]string{}
	for i := range 51 {
		many[fmt.Sprint("k", i)] = "v"
	}
	err := f.svc.Tag(f.ctx, svcScope, ARN(svcScope, "x"), many, nil)
	wantError(t, err, LimitExceeded, "The maximum number of tags for a resource is 50.")
	if tags, _ := f.svc.Tags(f.ctx, svcScope, ARN(svcScope, "x")); len(tags) != 0 {
		t.Errorf("%d tags written", len(tags))
	}
}

// --- History ---

func TestDescribeAlarmHistory(t *testing.T) {
	f := newSvcFixture(t, true)
	base := svcT0.UnixMilli()
	item := func(name, typ string, ms int64, kind string) store.AlarmHistoryItem {
		return store.AlarmHistoryItem{Account: svcScope.Account, Region: svcScope.Region, AlarmName: name, AlarmType: typ,
			Timestamp: base + ms, Type: kind, Summary: fmt.Sprintf("%s %s %d", name, kind, ms), Data: "{}"}
	}
	m, c := store.MetricAlarm, store.CompositeAlarm
	items := []store.AlarmHistoryItem{
		item("h1", m, 0, store.HistoryConfigurationUpdate),
		item("h1", m, 1000, store.HistoryStateUpdate),
		item("c1", c, 1000, store.HistoryStateUpdate),
		item("h2", m, 1500, store.HistoryStateUpdate),
		item("h1", m, 2000, store.HistoryAction),
		item("h1", m, 2000, store.HistoryStateUpdate),
		item("h1", m, 3000, store.HistoryStateUpdate),
	}
	if err := f.store.Alarms().AddAlarmHistory(f.ctx, items...); err != nil {
		t.Fatal(err)
	}
	other := item("h1", m, 1000, store.HistoryStateUpdate)
	other.Account = "999999999999"
	if err := f.store.Alarms().AddAlarmHistory(f.ctx, other); err != nil {
		t.Fatal(err)
	}
	summaries := func(hs []store.AlarmHistoryItem) []string {
		out := []string{}
		for _, h := range hs {
			out = append(out, h.Summary)
		}
		return out
	}
	all := func(q HistoryQuery) ([]string, int) {
		t.Helper()
		var out []string
		pages := 0
		for {
			hs, next, err := f.svc.DescribeAlarmHistory(f.ctx, svcScope, q)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			out = append(out, summaries(hs)...)
			if next == "" {
				return out, pages
			}
			if pages > 20 {
				t.Fatal("no end of pages")
			}
			q.NextToken = next
		}
	}
	at := func(ms int64) *time.Time { t := time.UnixMilli(base + ms); return &t }
	desc := []string{"h1 StateUpdate 3000", "h1 StateUpdate 2000", "h1 Action 2000", "h2 StateUpdate 1500", "h1 StateUpdate 1000", "h1 ConfigurationUpdate 0"}
	asc := slices.Clone(desc)
	slices.Reverse(asc)
	for _, tt := range []struct {
		name  string
		q     HistoryQuery
		want  []string
		pages int
	}{
		{"default: metric alarms, newest first", HistoryQuery{}, desc, 1},
		{"ascending", HistoryQuery{Ascending: true}, asc, 1},
		{"pages of 2", HistoryQuery{MaxRecords: 2}, desc, 3},
		{"ascending pages of 4", HistoryQuery{MaxRecords: 4, Ascending: true}, asc, 2},
		{"pages of 1", HistoryQuery{MaxRecords: 1}, desc, 6},
		{"alarm", HistoryQuery{AlarmName: "h2"}, []string{"h2 StateUpdate 1500"}, 1},
		{"composite alarms", HistoryQuery{Types: []string{c}}, []string{"c1 StateUpdate 1000"}, 1},
		{"composite alarm by name, default types", HistoryQuery{AlarmName: "c1"}, nil, 1},
		{"both types", HistoryQuery{Types: []string{m, c}, Ascending: true, MaxRecords: 3},
			[]string{"h1 ConfigurationUpdate 0", "h1 StateUpdate 1000", "c1 StateUpdate 1000", "h2 StateUpdate 1500", "h1 Action 2000", "h1 StateUpdate 2000", "h1 StateUpdate 3000"}, 3},
		{"item type", HistoryQuery{ItemType: store.HistoryStateUpdate},
			[]string{"h1 StateUpdate 3000", "h1 StateUpdate 2000", "h2 StateUpdate 1500", "h1 StateUpdate 1000"}, 1},
		{"alarm and item type", HistoryQuery{AlarmName: "h1", ItemType: store.HistoryAction}, []string{"h1 Action 2000"}, 1},
		{"end inclusive", HistoryQuery{Start: at(1000), End: at(2000)},
			[]string{"h1 StateUpdate 2000", "h1 Action 2000", "h2 StateUpdate 1500", "h1 StateUpdate 1000"}, 1},
		{"end a millisecond before", HistoryQuery{Start: at(1000), End: at(1999)},
			[]string{"h2 StateUpdate 1500", "h1 StateUpdate 1000"}, 1},
		{"start", HistoryQuery{Start: at(2000), Ascending: true}, []string{"h1 Action 2000", "h1 StateUpdate 2000", "h1 StateUpdate 3000"}, 1},
		{"end", HistoryQuery{End: at(0)}, []string{"h1 ConfigurationUpdate 0"}, 1},
		{"range paged", HistoryQuery{Start: at(1000), End: at(2000), MaxRecords: 3},
			[]string{"h1 StateUpdate 2000", "h1 Action 2000", "h2 StateUpdate 1500", "h1 StateUpdate 1000"}, 2},
	} {
		got, pages := all(tt.q)
		if !slices.Equal(got, tt.want) || pages != tt.pages {
			t.Errorf("%s: %d pages %q\nwant %d pages %q", tt.name, pages, got, tt.pages, tt.want)
		}
	}

	_, _, err := f.svc.DescribeAlarmHistory(f.ctx, svcScope, HistoryQuery{NextToken: "x!"})
	wantError(t, err, InvalidNextToken, `The service cannot decode the next token "x!".`)
	alarmsToken := encodeToken("h1")
	_, _, err = f.svc.DescribeAlarmHistory(f.ctx, svcScope, HistoryQuery{NextToken: alarmsToken})
	wantError(t, err, InvalidNextToken, fmt.Sprintf("The service cannot decode the next token %q.", alarmsToken))
	_, _, err = f.svc.DescribeAlarmHistory(f.ctx, svcScope, HistoryQuery{MaxRecords: -1})
	wantError(t, err, ValidationError, "The value -1 for parameter MaxRecords is invalid: it must be between 1 and 100.")
}

// The history a service writes, through the API: the Action item of a
// delivery comes after the StateUpdate that enqueued it.
func TestHistoryOfAnAlarm(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("cpu")
	in.Definition.AlarmActions = []string{svcTopic}
	f.put(in)
	f.src.set("cpu", 90)
	f.run()
	f.step()
	items, next, err := f.svc.DescribeAlarmHistory(f.ctx, svcScope, HistoryQuery{AlarmName: "cpu"})
	if err != nil || next != "" {
		t.Fatal(err, next)
	}
	var got []string
	for _, h := range items {
		got = append(got, h.Type)
	}
	want := []string{store.HistoryAction, store.HistoryStateUpdate, store.HistoryConfigurationUpdate}
	if !slices.Equal(got, want) {
		t.Errorf("items newest first %v, want %v", got, want)
	}
}

func TestExpireHistory(t *testing.T) {
	f := newSvcFixture(t, true)
	now := svcT0.Add(40 * 24 * time.Hour)
	f.clock.Set(now)
	cut := now.Add(-30 * 24 * time.Hour).UnixMilli()
	var items []store.AlarmHistoryItem
	for _, ts := range []int64{cut - 24*3600*1000, cut - 1, cut, cut + 1, now.UnixMilli()} {
		items = append(items, store.AlarmHistoryItem{Account: svcScope.Account, Region: svcScope.Region, AlarmName: "x",
			AlarmType: store.MetricAlarm, Timestamp: ts, Type: store.HistoryStateUpdate, Summary: strconv.FormatInt(ts-cut, 10), Data: "{}"})
	}
	if err := f.store.Alarms().AddAlarmHistory(f.ctx, items...); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ExpireHistory(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range f.history(HistoryQuery{Ascending: true}) {
		got = append(got, h.Summary)
	}
	want := []string{"0", "1", strconv.FormatInt(now.UnixMilli()-cut, 10)}
	if !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}

// --- Events ---

func TestEvents(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("cpu")
	in.Definition.Description = "CPU too high"
	f.put(in)
	arn := ARN(svcScope, "cpu")

	check := func(e *svcevents.Event, detailType string, at time.Time) map[string]any {
		t.Helper()
		if e.DetailType != detailType || e.Source != "aws.cloudwatch" || e.Account != svcScope.Account || e.Region != svcScope.Region ||
			!slices.Equal(e.Resources, []string{arn}) || !e.Time.Equal(at) {
			t.Errorf("event %+v", e)
		}
		return decodeJSON(t, string(e.Detail))
	}

	ev := f.takeEvents()
	if len(ev) != 1 {
		t.Fatalf("%d events on creation", len(ev))
	}
	d := check(ev[0], "CloudWatch Alarm Configuration Change", svcT0)
	if d["operation"] != "create" || d["alarmName"] != "cpu" || jsonAt(d, "state", "value") != "INSUFFICIENT_DATA" ||
		jsonAt(d, "state", "timestamp") != "2026-03-02T10:00:05.000+0000" || jsonAt(d, "configuration", "alarmName") != "cpu" ||
		jsonAt(d, "configuration", "threshold") != 75.0 || d["previousConfiguration"] != nil {
		t.Errorf("create detail %s", ev[0].Detail)
	}

	f.src.set("cpu", 90)
	f.run()
	ev = f.takeEvents()
	if len(ev) != 1 {
		t.Fatalf("%d events on a state change", len(ev))
	}
	d = check(ev[0], "CloudWatch Alarm State Change", svcT0)
	a := f.alarm("cpu")
	if d["alarmName"] != "cpu" || jsonAt(d, "state", "value") != "ALARM" || jsonAt(d, "state", "reason") != a.StateReason ||
		jsonAt(d, "state", "reasonData") != a.StateReasonData || jsonAt(d, "state", "timestamp") != "2026-03-02T10:00:05.000+0000" ||
		jsonAt(d, "previousState", "value") != "INSUFFICIENT_DATA" || jsonAt(d, "previousState", "reason") != "Unchecked: Initial alarm creation" ||
		jsonAt(d, "configuration", "description") != "CPU too high" {
		t.Errorf("state change detail %s", ev[0].Detail)
	}
	metric := jsonAt(d, "configuration", "metrics", 0)
	want := map[string]any{"id": "m1", "returnData": true, "metricStat": map[string]any{
		"metric": map[string]any{"namespace": "App", "name": "cpu", "dimensions": map[string]any{"Host": "web-1"}},
		"period": 60.0, "stat": "Average"}}
	if !reflect.DeepEqual(metric, want) || jsonAt(d, "configuration", "metrics", 1) != nil {
		t.Errorf("configuration.metrics %s", ev[0].Detail)
	}

	// No change, no event.
	f.runAt(svcT0.Add(time.Minute))
	if ev := f.takeEvents(); len(ev) != 0 {
		t.Errorf("%d events without a change", len(ev))
	}

	upAt := svcT0.Add(90 * time.Second)
	f.clock.Set(upAt)
	up := metricInput("cpu")
	up.Definition.Threshold = fptr(80)
	f.put(up)
	ev = f.takeEvents()
	if len(ev) != 1 {
		t.Fatalf("%d events on an update", len(ev))
	}
	d = check(ev[0], "CloudWatch Alarm Configuration Change", upAt)
	if d["operation"] != "update" || jsonAt(d, "state", "value") != "ALARM" || jsonAt(d, "configuration", "threshold") != 80.0 ||
		jsonAt(d, "previousConfiguration", "threshold") != 75.0 || jsonAt(d, "previousConfiguration", "alarmDescription") != "CPU too high" {
		t.Errorf("update detail %s", ev[0].Detail)
	}

	if err := f.svc.SetAlarmState(f.ctx, svcScope, "cpu", StateOK, "by hand", ""); err != nil {
		t.Fatal(err)
	}
	ev = f.takeEvents()
	if len(ev) != 1 {
		t.Fatalf("%d events on SetAlarmState", len(ev))
	}
	d = check(ev[0], "CloudWatch Alarm State Change", upAt)
	if jsonAt(d, "state", "value") != "OK" || jsonAt(d, "state", "reason") != "by hand" || jsonAt(d, "previousState", "value") != "ALARM" {
		t.Errorf("SetAlarmState detail %s", ev[0].Detail)
	}

	if err := f.svc.DeleteAlarms(f.ctx, svcScope, []string{"cpu"}); err != nil {
		t.Fatal(err)
	}
	ev = f.takeEvents()
	if len(ev) != 1 {
		t.Fatalf("%d events on deletion", len(ev))
	}
	d = check(ev[0], "CloudWatch Alarm Configuration Change", upAt)
	if d["operation"] != "delete" || jsonAt(d, "state", "value") != "OK" {
		t.Errorf("delete detail %s", ev[0].Detail)
	}
}

// The ConfigurationUpdate history data of a creation, as AWS writes it
// (DescribeAlarmHistory output of a PutMetricAlarm, 2022):
//
//	{"version":"1.0","type":"Create","createdAlarm":{"alarmName":"...","alarmDescription":"API Alarm cretion Test",
//	"alarmArn":"...","alarmConfigurationUpdatedTimestamp":"2022-11-02T15:55:30.959+0000","namespace":"AWS/DynamoDB",
//	"metricName":"WriteThrottleEvents","statistic":"Sum","period":60,"dimensions":[{"value":"PutItem","name":"Operation"},...],
//	"threshold":1.0,"comparisonOperator":"GreaterThanOrEqualToThreshold","evaluationPeriods":1,
//	"stateValue":"INSUFFICIENT_DATA","stateUpdatedTimestamp":"2022-11-02T15:55:30.959+0000","actionsEnabled":true,
//	"alarmActions":["arn:aws:sns:..."],"insufficientDataActions":[],"okactions":[]}}
//
// Vigil writes the Definition's storage names instead (description,
// okActions, threshold 75), omits the state and the timestamps, and the
// empty action lists.
func TestConfigurationHistoryDataAsAWS(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("x")
	in.Definition.Description = "CPU too high"
	in.Definition.AlarmActions = []string{svcTopic}
	f.put(in)
	items := f.historyOf("x", store.HistoryConfigurationUpdate)
	if len(items) != 1 {
		t.Fatalf("history %+v", items)
	}
	text := items[0].Data
	created := jsonAt(decodeJSON(t, text), "createdAlarm")
	for k, v := range map[string]any{
		"alarmDescription":                   "CPU too high",
		"alarmConfigurationUpdatedTimestamp": "2026-03-02T10:00:05.000+0000",
		"stateValue":                         "INSUFFICIENT_DATA",
		"stateUpdatedTimestamp":              "2026-03-02T10:00:05.000+0000",
		"dimensions":                         []any{map[string]any{"value": "web-1", "name": "Host"}},
	} {
		if got := jsonAt(created, k); !reflect.DeepEqual(got, v) {
			t.Errorf("createdAlarm.%s: %v, want %v", k, got, v)
		}
	}
	for _, s := range []string{`"threshold":75.0`, `"insufficientDataActions":[]`, `"okactions":[]`} {
		if !strings.Contains(text, s) {
			t.Errorf("history data lacks %s", s)
		}
	}
	if t.Failed() {
		t.Logf("data: %s", text)
	}
}

// --- Definition ---

// fullDefinition sets every field of a Definition (a metric and a
// composite alarm's at once, and each query with both a metric and an
// expression: the encoding does not check).
func fullDefinition() Definition {
	dims := []Dimension{{Name: "InstanceId", Value: "i-0123456789abcdef0"}, {Name: "AutoScalingGroupName", Value: "web"}}
	return Definition{
		Description:             "CPU above 75% on web \"prod\" <1>",
		OKActions:               []string{"arn:aws:sns:us-east-1:123456789012:ok"},
		AlarmActions:            []string{"arn:aws:sns:us-east-1:123456789012:alarm", "arn:aws:automate:us-east-1:ec2:stop"},
		InsufficientDataActions: []string{"arn:aws:sns:us-east-1:123456789012:nodata"},
		Namespace:               "AWS/EC2", MetricName: "CPUUtilization", Dimensions: dims,
		Statistic: "Average", ExtendedStatistic: "p99", Period: 60, Unit: "Percent",
		Metrics: []MetricQuery{
			{ID: "m1", Expression: "SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'Average')", Label: "CPU", ReturnData: bptr(false), Period: 60, AccountID: "123456789012",
				MetricStat: &MetricStat{Namespace: "AWS/EC2", MetricName: "CPUUtilization", Dimensions: dims, Period: 60, Stat: "Average", Unit: "Percent"}},
			{ID: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)", Label: "Band", ReturnData: bptr(true), Period: 300, AccountID: "123456789012",
				MetricStat: &MetricStat{Namespace: "App", MetricName: "m", Dimensions: dims[:1], Period: 300, Stat: "p90", Unit: "Count"}},
		},
		ThresholdMetricID: "ad1",
		EvaluationPeriods: 5, DatapointsToAlarm: 3, Threshold: fptr(75.5), ComparisonOperator: string(GreaterThanUpperThreshold),
		TreatMissingData: string(TreatBreaching), EvaluateLowSampleCountPercentile: "ignore",
		AlarmRule:         `ALARM("cpu high") AND NOT OK(disk)`,
		ActionsSuppressor: "maintenance", ActionsSuppressorWaitPeriod: 120, ActionsSuppressorExtensionPeriod: 300,
	}
}

// zeroFields lists the fields of v (a struct, through pointers and the
// elements of slices) that are zero, but skip.
func zeroFields(v reflect.Value, prefix string, skip map[string]bool) []string {
	var out []string
	for i := range v.NumField() {
		name := prefix + v.Type().Field(i).Name
		fv := v.Field(i)
		if skip[name] {
			continue
		}
		if fv.IsZero() {
			out = append(out, name)
			continue
		}
		switch fv.Kind() {
		case reflect.Pointer:
			if fv.Elem().Kind() == reflect.Struct {
				out = append(out, zeroFields(fv.Elem(), name+".", skip)...)
			}
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.Struct {
				for j := range fv.Len() {
					out = append(out, zeroFields(fv.Index(j), name+".", skip)...)
				}
			}
		}
	}
	return out
}

func TestDefinitionEncodingGolden(t *testing.T) {
	d := fullDefinition()
	// Every field is set, so that a new field shows in the golden file.
	if zero := zeroFields(reflect.ValueOf(d), "", map[string]bool{"Version": true}); len(zero) > 0 {
		t.Fatalf("fields left zero: %v", zero)
	}
	d.Version = 7 // Encode writes its own version
	b := d.Encode()
	golden.Check(t, "golden/definition-v1.json", append(slices.Clone(b), '\n'))

	got, err := DecodeDefinition(b)
	if err != nil {
		t.Fatal(err)
	}
	want := fullDefinition()
	want.Version = 1
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", *got, want)
	}
	// The golden bytes themselves decode (what an older store holds).
	file, err := os.ReadFile("testdata/golden/definition-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	old, err := DecodeDefinition(file)
	if err != nil || !reflect.DeepEqual(*old, want) {
		t.Errorf("golden file decodes to %+v, %v", old, err)
	}
}

func TestDecodeDefinitionRefuses(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
	}{
		{`{"v":2,"namespace":"App"}`, "cannot read an alarm definition of version 2 (this Vigil reads version 1)"},
		{`{"namespace":"App"}`, "cannot read an alarm definition of version 0 (this Vigil reads version 1)"},
		{`{"v":1,`, "cannot read an alarm definition: unexpected end of JSON input"},
		{``, "cannot read an alarm definition: unexpected end of JSON input"},
	} {
		d, err := DecodeDefinition([]byte(tt.in))
		if err == nil || err.Error() != tt.want || d != nil {
			t.Errorf("DecodeDefinition(%q) = %v, %v; want %q", tt.in, d, err, tt.want)
		}
	}
	// A stored alarm of another version is refused where it is read.
	f := newSvcFixture(t, true)
	a := store.Alarm{Account: svcScope.Account, Region: svcScope.Region, Name: "future", ARN: ARN(svcScope, "future"),
		Type: store.MetricAlarm, Definition: []byte(`{"v":2}`), State: "OK"}
	if _, err := f.store.Alarms().PutAlarm(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.get(f.ctx, svcScope, "future"); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("get: %v", err)
	}
	if err := f.svc.Run(f.ctx, f.clock.Now()); err == nil || !strings.Contains(err.Error(), "alarm future") {
		t.Errorf("Run: %v; want the alarm's error", err)
	}
}
