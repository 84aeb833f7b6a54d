package metrics

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/mathexpr"
	"github.com/vigilhq/vigil/internal/metrics/stats"
	"github.com/vigilhq/vigil/internal/store"
)

// DataQuery is a GetMetricData request.
type DataQuery struct {
	Queries    []Query
	Start, End time.Time
	NextToken  string
	// ScanBy is TimestampDescending (the default) or TimestampAscending.
	ScanBy        string
	MaxDatapoints int
	// Timezone is LabelOptions.Timezone ("+0130"; "" for UTC).
	Timezone string
}

// Query is one MetricDataQuery: a MetricStat or an Expression.
type Query struct {
	ID, Label  string
	Expression string
	Stat       *MetricStat
	// ReturnData nil means true.
	ReturnData *bool
	// Period is an expression's period (0: the request's default).
	Period    int64
	AccountID string
}

// MetricStat is a metric with the statistic, period and unit to retrieve.
type MetricStat struct {
	Metric MetricID
	Period int64
	Stat   string
	Unit   string
}

// DataResult is a GetMetricData response.
type DataResult struct {
	Results   []Result
	NextToken string
	Messages  []Message
}

// Result is one MetricDataResult.
type Result struct {
	ID, Label string
	// Dimensions are those of the metric the series is of: the values a
	// Metrics Insights query grouped it by, or the dimensions of a
	// metric read by MetricStat or SEARCH; nil for computed series.
	Dimensions map[string]string
	Timestamps []time.Time
	Values     []float64
	// StatusCode is Complete, or PartialData when more points follow on
	// the next page.
	StatusCode string
	Messages   []Message
}

// Message is a MessageData.
type Message struct {
	Code, Value string
}

// GetMetricData limits from the API reference.
const (
	maxDataQueries    = 500
	maxDataPoints     = 100_800
	maxSearchSeries   = 500
	searchLookback    = 14 * 24 * time.Hour
	defaultExprPeriod = 300
)

// GetMetricData retrieves metrics and evaluates metric math and Metrics
// Insights queries.
func (e *Engine) GetMetricData(ctx context.Context, sc Scope, q DataQuery) (*DataResult, error) {
	now := e.opt.Clock.Now()
	if err := validateDataQuery(sc, &q, "MetricDataQueries"); err != nil {
		return nil, err
	}
	loc, err := mathexpr.ParseTimezone(q.Timezone)
	if err != nil {
		return nil, mathError(err)
	}
	plan, err := planQueries(q.Queries)
	if err != nil {
		return nil, err
	}
	insights, err := parseInsights(q.Queries)
	if err != nil {
		return nil, err
	}
	fingerprint := requestFingerprint(&q)
	offset := 0
	if q.NextToken != "" {
		if offset, err = decodeDataToken(q.NextToken, fingerprint); err != nil {
			return nil, err
		}
	}

	env := &dataEnv{e: e, ctx: ctx, sc: sc, now: now, startTime: q.Start, end: q.End.Unix(), results: map[string]mathexpr.Value{}}
	env.defaultPeriod = defaultExprPeriod
	for _, dq := range q.Queries {
		if dq.Stat != nil {
			env.defaultPeriod = dq.Stat.Period
			break
		}
	}
	if err := env.metricStats(q.Queries); err != nil {
		return nil, err
	}
	out := &DataResult{}
	messages := map[string][]Message{}
	for i := range plan.Steps {
		step := &plan.Steps[i]
		dq := &q.Queries[step.Index]
		env.period = dq.Period
		switch step.Kind {
		case mathexpr.StepInsights:
			v, msgs, err := env.insightsQuery(insights[dq.ID], env.Period())
			if err != nil {
				return nil, err
			}
			env.results[dq.ID], messages[dq.ID] = v, msgs
		case mathexpr.StepMath:
			v, err := step.Eval(env)
			if err != nil {
				return nil, mathError(err)
			}
			env.results[dq.ID] = v
		}
	}

	opts := mathexpr.LabelOptions{Now: now, Location: loc, Region: sc.Region, AccountID: sc.Account}
	for _, dq := range q.Queries {
		if dq.ReturnData != nil && !*dq.ReturnData {
			continue
		}
		out.Results = append(out.Results, results(dq, env.results[dq.ID], messages[dq.ID], opts)...)
	}
	out.NextToken = paginate(out.Results, offset, q.MaxDatapoints, q.ScanBy != "TimestampAscending", fingerprint)
	return out, nil
}

// CheckQueries checks queries as GetMetricData would run them — their
// statistics, periods, expressions and Metrics Insights queries —
// without running them: PutMetricAlarm's check of an alarm's Metrics.
// Messages name the queries as members of list ("Metrics").
func (e *Engine) CheckQueries(sc Scope, list string, qs []Query) error {
	q := DataQuery{Queries: qs, Start: time.Unix(0, 0), End: time.Unix(1, 0)}
	if err := validateDataQuery(sc, &q, list); err != nil {
		return err
	}
	if _, err := planQueries(qs); err != nil {
		return err
	}
	_, err := parseInsights(qs)
	return err
}

// planQueries orders the evaluation of queries' expressions.
func planQueries(qs []Query) (*mathexpr.Plan, error) {
	planned := make([]mathexpr.Query, len(qs))
	for i, dq := range qs {
		planned[i] = mathexpr.Query{ID: dq.ID, Expression: dq.Expression}
	}
	plan, err := mathexpr.PlanQueries(planned)
	if err != nil {
		return nil, mathError(err)
	}
	return plan, nil
}

// validateDataQuery checks a request as CloudWatch does before it runs
// anything, filling in defaults; list names its queries in messages.
func validateDataQuery(sc Scope, q *DataQuery, list string) error {
	if len(q.Queries) > maxDataQueries {
		return errorf(ValidationError, "The collection %s must not have a size greater than %d.", list, maxDataQueries)
	}
	if !q.Start.Before(q.End) {
		return errorf(ValidationError, "The parameter StartTime must be less than the parameter EndTime.")
	}
	switch q.ScanBy {
	case "", "TimestampDescending", "TimestampAscending":
	default:
		return errorf(ValidationError, "The value %s for parameter ScanBy is invalid.", q.ScanBy)
	}
	if q.MaxDatapoints < 0 {
		return errorf(ValidationError, "The parameter MaxDatapoints must be greater than 0.")
	}
	if q.MaxDatapoints == 0 || q.MaxDatapoints > maxDataPoints {
		q.MaxDatapoints = maxDataPoints
	}
	var msgs []string
	for i, dq := range q.Queries {
		param := func(name string) string { return fmt.Sprintf("%s.member.%d.%s", list, i+1, name) }
		switch {
		case dq.Stat == nil && dq.Expression == "":
			msgs = append(msgs, fmt.Sprintf("The parameter %s is required.", param("MetricStat")))
			continue
		case dq.Stat != nil && dq.Expression != "":
			msgs = append(msgs, fmt.Sprintf("The parameters %s and %s are mutually exclusive and you have specified both.", param("MetricStat"), param("Expression")))
			continue
		}
		if dq.AccountID != "" && dq.AccountID != sc.Account {
			msgs = append(msgs, fmt.Sprintf("The value %s for parameter %s is invalid: Vigil has no cross-account observability, so queries read the caller's account only.", dq.AccountID, param("AccountId")))
		}
		if dq.Period != 0 && !validPeriod(dq.Period) {
			msgs = append(msgs, fmt.Sprintf("The parameter %s must be 1, 5, 10, 20, 30, or a multiple of 60.", param("Period")))
		}
		if s := dq.Stat; s != nil {
			if _, err := stats.ParseStat(s.Stat, param("MetricStat.Stat")); err != nil {
				msgs = append(msgs, statsError(err).Error())
			}
			if !validPeriod(s.Period) {
				msgs = append(msgs, fmt.Sprintf("The parameter %s must be 1, 5, 10, 20, 30, or a multiple of 60.", param("MetricStat.Period")))
			}
			if s.Unit != "" && !validUnit(s.Unit) {
				msgs = append(msgs, fmt.Sprintf("The value %s for parameter %s is invalid.", s.Unit, param("MetricStat.Unit")))
			}
			if _, err := canonicalDimensions(s.Metric.Dimensions, paramPath{prefix: param("MetricStat.Metric.")}); err != nil {
				msgs = append(msgs, err.Error())
			}
		}
	}
	if len(msgs) > 0 {
		return errorf(ValidationError, "%s", strings.Join(msgs, "\n"))
	}
	return nil
}

// mathError turns a refused expression into an engine error.
func mathError(err error) error {
	var me *mathexpr.Error
	if errors.As(err, &me) {
		return &Error{Code: ValidationError, Message: me.Error()}
	}
	return statsError(err)
}

// dataEnv evaluates the queries of a GetMetricData request: it is the
// mathexpr.Env of its expressions.
type dataEnv struct {
	e         *Engine
	ctx       context.Context
	sc        Scope
	now       time.Time
	startTime time.Time
	end       int64
	// defaultPeriod is the period of the first MetricStat, or 300 s;
	// period is the Period of the expression being evaluated.
	defaultPeriod, period int64
	results               map[string]mathexpr.Value
	all                   []mathexpr.NamedValue
	raws                  []rawSeries
}

// rawSeries is a MetricStat query's series as retrieved, which
// ANOMALY_DETECTION_BAND recognizes to learn from the metric's history.
type rawSeries struct {
	MetricStat
	id     int64
	metric *mathexpr.Metric
	first  *float64
	n      int
}

// rawMetric finds the MetricStat query whose series s is: the same
// metric, and the same points (not a series computed from them).
func (v *dataEnv) rawMetric(s mathexpr.Series) (rawSeries, bool) {
	for _, r := range v.raws {
		if s.Metric == r.metric && len(s.Values) == r.n && (r.n == 0 || &s.Values[0] == r.first) {
			return r, true
		}
	}
	return rawSeries{}, false
}

func (v *dataEnv) Query(id string) (mathexpr.Value, bool) {
	r, ok := v.results[id]
	return r, ok
}

func (v *dataEnv) All() []mathexpr.NamedValue { return v.all }

func (v *dataEnv) Start() int64 { return roundStart(v.startTime, v.now, v.Period()) }

func (v *dataEnv) End() int64 { return v.end }

func (v *dataEnv) Period() int64 {
	if v.period > 0 {
		return v.period
	}
	return v.defaultPeriod
}

// Search finds the metrics of a SEARCH query that received data in the
// past two weeks, at most 500, and retrieves them.
func (v *dataEnv) Search(q *mathexpr.SearchQuery, stat string, period int64) ([]mathexpr.Series, error) {
	st, err := stats.ParseStat(stat, "stat")
	if err != nil {
		return nil, err
	}
	sq := store.MetricQuery{Account: v.sc.Account, Region: v.sc.Region, SeenSince: v.now.Add(-searchLookback).UnixMilli(), Limit: listPage}
	if q.Schema != nil {
		sq.Namespace = q.Schema.Namespace
	}
	var found []store.Metric
	for len(found) < maxSearchSeries {
		page, err := v.e.opt.Store.ListMetrics(v.ctx, sq)
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			if q.Match(m.Key.Namespace, m.Key.Name, dimensionMap(DecodeDimensions(m.Key.Dimensions))) && len(found) < maxSearchSeries {
				found = append(found, m)
			}
		}
		if len(page) < sq.Limit {
			break
		}
		sq.AfterKey = &page[len(page)-1].Key
	}
	ms := make([]*MetricStat, len(found))
	for i, m := range found {
		ms[i] = &MetricStat{Metric: MetricID{Namespace: m.Key.Namespace, Name: m.Key.Name, Dimensions: DecodeDimensions(m.Key.Dimensions)}, Period: period, Stat: st.String()}
	}
	series, err := v.retrieve(ms, found)
	for i := range series {
		series[i].Label = searchLabel(ms[i].Metric)
	}
	return series, err
}

// metricStats retrieves the MetricStat queries of the request.
func (v *dataEnv) metricStats(qs []Query) error {
	var ms []*MetricStat
	var keys []store.MetricKey
	for _, q := range qs {
		if q.Stat != nil {
			k, err := v.sc.key(q.Stat.Metric, paramPath{})
			if err != nil {
				return err
			}
			ms, keys = append(ms, q.Stat), append(keys, k)
		}
	}
	found, err := v.e.opt.Store.LookupMetrics(v.ctx, keys)
	if err != nil {
		return err
	}
	byKey := make(map[store.MetricKey]store.Metric, len(found))
	for _, m := range found {
		byKey[m.Key] = m
	}
	metrics := make([]store.Metric, len(keys))
	for i, k := range keys {
		metrics[i] = byKey[k] // ID 0 when the metric does not exist
	}
	series, err := v.retrieve(ms, metrics)
	if err != nil {
		return err
	}
	i := 0
	for _, q := range qs {
		if q.Stat != nil {
			s := series[i]
			if metrics[i].ID != 0 {
				r := rawSeries{MetricStat: *q.Stat, id: metrics[i].ID, metric: s.Metric, n: len(s.Values)}
				if r.n > 0 {
					r.first = &s.Values[0]
				}
				v.raws = append(v.raws, r)
			}
			val := mathexpr.SeriesValue(s)
			v.results[q.ID] = val
			v.all = append(v.all, mathexpr.NamedValue{ID: q.ID, Value: val})
			i++
		}
	}
	return nil
}

// retrieve computes the series of metric stats; metrics[i] is the stored
// metric of ms[i] (ID 0 for none). Metrics sharing a period and unit are
// read together.
func (v *dataEnv) retrieve(ms []*MetricStat, metrics []store.Metric) ([]mathexpr.Series, error) {
	type group struct {
		period int64
		unit   string
	}
	ids := map[group][]int64{}
	dist := map[group]bool{}
	parsed := make([]stats.Statistic, len(ms))
	for i, m := range ms {
		st, err := stats.Parse(m.Stat)
		if err != nil {
			return nil, err
		}
		parsed[i] = st
		g := group{m.Period, m.Unit}
		if metrics[i].ID != 0 && !slices.Contains(ids[g], metrics[i].ID) {
			ids[g] = append(ids[g], metrics[i].ID)
		}
		dist[g] = dist[g] || st.Extended()
	}
	data := map[group]map[int64]*periods{}
	for g, list := range ids {
		if !periodAvailable(v.startTime, v.now, g.period) {
			continue
		}
		d, err := v.e.fetch(v.ctx, fetchQuery{ids: list, start: roundStart(v.startTime, v.now, g.period), end: v.end, period: g.period, unit: g.unit, dist: dist[g]})
		if err != nil {
			return nil, err
		}
		data[g] = d
	}
	out := make([]mathexpr.Series, len(ms))
	for i, m := range ms {
		s := mathexpr.Series{Period: m.Period, Metric: &mathexpr.Metric{
			Namespace: m.Metric.Namespace, Name: m.Metric.Name, Dimensions: dimensionMap(m.Metric.Dimensions), Stat: m.Stat,
		}}
		if metrics[i].ID != 0 {
			s.Series = data[group{m.Period, m.Unit}][metrics[i].ID].series(parsed[i])
		}
		s.Label = m.Metric.Name
		out[i] = s
	}
	return out, nil
}

// searchLabel is the label of a series SEARCH found: its dimension values
// and its metric name.
func searchLabel(m MetricID) string {
	parts := make([]string, 0, len(m.Dimensions)+1)
	for _, d := range m.Dimensions {
		parts = append(parts, d.Value)
	}
	return strings.Join(append(parts, m.Name), " ")
}

func dimensionMap(dims []Dimension) map[string]string {
	m := make(map[string]string, len(dims))
	for _, d := range dims {
		m[d.Name] = d.Value
	}
	return m
}

// results turns a query's value into its MetricDataResults: one per time
// series, in ascending time order, with the query's messages.
func results(dq Query, v mathexpr.Value, msgs []Message, opts mathexpr.LabelOptions) []Result {
	if len(v.Series) == 0 {
		label := dq.Label
		if label == "" {
			label = dq.ID
		}
		return []Result{{ID: dq.ID, Label: label, StatusCode: "Complete", Messages: msgs}}
	}
	var labels []string
	if dq.Stat != nil {
		label := dq.Label
		if label == "" {
			label = dq.Stat.Metric.Name
		}
		labels = []string{mathexpr.ExpandLabel(label, v.Series[0], opts)}
	} else {
		labels = mathexpr.ResultLabels(dq.ID, dq.Label, v, opts)
	}
	out := make([]Result, len(v.Series))
	for i, s := range v.Series {
		r := Result{ID: dq.ID, Label: labels[i], StatusCode: "Complete", Values: s.Values, Timestamps: make([]time.Time, len(s.Timestamps))}
		if s.Metric != nil {
			r.Dimensions = s.Metric.Dimensions
		}
		for j, t := range s.Timestamps {
			r.Timestamps[j] = time.Unix(t, 0).UTC()
		}
		r.Messages = msgs
		if v.ArithmeticError {
			r.Messages = append(slices.Clone(msgs), Message{Code: mathexpr.ArithmeticError, Value: mathexpr.ArithmeticErrorMessage})
		}
		out[i] = r
	}
	return out
}

// paginate keeps the points of the page that starts offset points into the
// results, at most limit, in the order asked (descending time by default),
// and returns the token of the next page ("" on the last). A result with
// points left for later pages is PartialData.
func paginate(rs []Result, offset, limit int, descending bool, fingerprint uint64) string {
	pos, end := 0, offset+limit
	for i := range rs {
		r := &rs[i]
		if descending {
			slices.Reverse(r.Timestamps)
			r.Values = slices.Clone(r.Values)
			slices.Reverse(r.Values)
		}
		n := len(r.Values)
		lo, hi := min(max(offset-pos, 0), n), min(max(end-pos, 0), n)
		if hi < n {
			r.StatusCode = "PartialData"
		}
		r.Timestamps, r.Values = r.Timestamps[lo:hi], r.Values[lo:hi]
		pos += n
	}
	if pos <= end {
		return ""
	}
	return encodeDataToken(end, fingerprint)
}

// requestFingerprint identifies a request's queries and time range, so
// that a NextToken is refused on another request.
func requestFingerprint(q *DataQuery) uint64 {
	h := sha256.New()
	fmt.Fprintf(h, "%d %d %s %d %s\n", q.Start.UnixNano(), q.End.UnixNano(), q.ScanBy, q.MaxDatapoints, q.Timezone)
	for _, dq := range q.Queries {
		fmt.Fprintf(h, "%q %q %q %v %d\n", dq.ID, dq.Label, dq.Expression, dq.ReturnData, dq.Period)
		if s := dq.Stat; s != nil {
			fmt.Fprintf(h, "%q %q %v %d %q %q\n", s.Metric.Namespace, s.Metric.Name, s.Metric.Dimensions, s.Period, s.Stat, s.Unit)
		}
	}
	return binary.BigEndian.Uint64(h.Sum(nil))
}

func encodeDataToken(offset int, fingerprint uint64) string {
	b := binary.BigEndian.AppendUint64(nil, fingerprint)
	b = binary.AppendUvarint(b, uint64(offset))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeDataToken(s string, fingerprint uint64) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && len(b) > 8 && binary.BigEndian.Uint64(b) == fingerprint {
		if off, n := binary.Uvarint(b[8:]); n == len(b)-8 && off <= 1<<31 {
			return int(off), nil
		}
	}
	return 0, errorf(InvalidNextToken, "The service cannot complete the request because the NextToken is invalid.")
}
