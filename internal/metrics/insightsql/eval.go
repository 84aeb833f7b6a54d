package insightsql

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
	"github.com/vigilhq/vigil/internal/metrics/stats"
)

// The quotas of "Metrics Insights quotas"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html).
const (
	// MaxMetrics is how many metrics a query processes: "if the SELECT,
	// FROM, and WHERE clauses match more than 10,000 metrics, the query
	// only processes the first 10,000 of these metrics that it finds".
	MaxMetrics = 10_000
	// Lookback is how far back, in seconds, GetMetricData reads for a
	// query: "Query up to two weeks of data for visualization in your
	// metrics, widgets, and alarm graphs". (It was three hours until
	// 2025; that is now the alarm quota, AlarmLookback.)
	Lookback = 14 * 24 * 3600
	// AlarmLookback is how far back, in seconds, an alarm's query reads:
	// "You can query the most recent three hours of data for alarm
	// condition evaluations."
	AlarmLookback = 3 * 3600
	// MinPeriod is the finest period of a query: "Metrics Insights does
	// not support high-resolution data … If you request high-resolution
	// data, the request does not fail, but the output is aggregated at
	// one-minute granularity."
	MinPeriod = 60
)

// The codes of the GetMetricData Messages that tell a query's result is
// partial, as AWS names them (and as clients such as Grafana's CloudWatch
// data source read them).
const (
	// MaxMatchingResultsExceeded: the query matched more than MaxMetrics
	// metrics and processed the first MaxMetrics.
	MaxMatchingResultsExceeded = "MaxMatchingResultsExceeded"
	// MaxQueryResultsExceeded: the query had more than MaxLimit time series
	// and returned MaxLimit of them.
	MaxQueryResultsExceeded = "MaxQueryResultsExceeded"
	// MaxQueryTimeRangeExceeded: the time range starts before the oldest
	// data a query may read, and only the rest was read.
	MaxQueryTimeRangeExceeded = "MaxQueryTimeRangeExceeded"
)

// Metric is a metric a query may read.
type Metric struct {
	Namespace, Name string
	// Dimensions maps dimension names to values; nil or empty for a metric
	// without dimensions.
	Dimensions map[string]string
}

// Env is where a query finds its metrics and their data. The caller
// supplies it, so the package knows nothing of storage.
type Env interface {
	// Horizon returns the oldest time, in Unix seconds, whose data the
	// query may read: the current time less Lookback for GetMetricData,
	// less AlarmLookback for an alarm.
	Horizon() int64
	// Metrics returns the metrics of namespace named metricName that match
	// reports true for, in a stable order: at most limit of them, or
	// limit+1 when more match, so that Eval can tell the query matched too
	// many.
	Metrics(namespace, metricName string, match func(Metric) bool, limit int) ([]Metric, error)
	// Series returns, for each metric in order, its series of the
	// statistic stat ("Sum", "SampleCount", "Minimum" or "Maximum") at
	// period seconds over [start, end): one point per period that has
	// data, timestamped at start + k×period.
	Series(metrics []Metric, stat string, period, start, end int64) ([]series.Series, error)
}

// Message is a GetMetricData message (MessageData) about a query's
// result.
type Message struct {
	Code, Value string
}

// Result is the result of a query.
type Result struct {
	// Series are the time series, in the order GetMetricData returns
	// them. Without GROUP BY there is exactly one, with no label (the
	// caller labels it as any expression's result, with the query's
	// Label or Id). With GROUP BY there is one per group that has data,
	// labeled with its GROUP BY values separated by spaces.
	Series []series.Series
	// Groups holds, for each series, the values of its GROUP BY keys;
	// a key the group lacks (labeled Other) is absent. Nil without
	// GROUP BY.
	Groups []map[string]string
	// Array reports whether the result is an array of time series (the
	// query has GROUP BY) rather than a single time series, for metric
	// math that reads it.
	Array bool
	// Messages say how the result is partial.
	Messages []Message
}

// OtherLabel is the label of a group whose metrics lack a GROUP BY key:
// "a null group named Other is returned".
const OtherLabel = "Other"

// statistic names of the series Eval asks the Env for.
var (
	statSum         = stats.MustParse("Sum").String()
	statSampleCount = stats.MustParse("SampleCount").String()
	statMinimum     = stats.MustParse("Minimum").String()
	statMaximum     = stats.MustParse("Maximum").String()
)

// inputs returns the statistics whose series the function aggregates.
//
// Metrics Insights aggregates observations, not per-metric statistics:
// "each data point returned represents the average of all observations
// measured within a specific one-minute interval" ("SQL inference",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-inference.html).
// So AVG of a period is the sum of the matched metrics' Sums over the sum
// of their SampleCounts — an instance reporting twice a minute weighs
// twice — not the mean of their Averages; COUNT sums the SampleCounts;
// SUM, MIN and MAX reduce the metrics' Sum, Minimum and Maximum.
func (f Function) inputs() []string {
	switch f {
	case AVG:
		return []string{statSum, statSampleCount}
	case COUNT:
		return []string{statSampleCount}
	case MAX:
		return []string{statMaximum}
	case MIN:
		return []string{statMinimum}
	case SUM:
		return []string{statSum}
	}
	panic("BUG: insightsql: unknown function " + f.String())
}

// statistic returns the statistic that the function of ORDER BY computes
// over a returned series' values.
func (f Function) statistic() stats.Statistic {
	switch f {
	case AVG:
		return stats.MustParse("Average")
	case COUNT:
		return stats.MustParse("SampleCount")
	case MAX:
		return stats.MustParse("Maximum")
	case MIN:
		return stats.MustParse("Minimum")
	case SUM:
		return stats.MustParse("Sum")
	}
	panic("BUG: insightsql: unknown function " + f.String())
}

// Eval runs the query over [start, end) at period seconds, which the
// caller has validated as GetMetricData does. Errors are the Env's,
// wrapped.
//
// Its rules, from the Metrics Insights pages of the CloudWatch User Guide:
//
//   - A period under MinPeriod is raised to it.
//   - Data older than Env.Horizon is not read. When the range starts
//     before it, the range starts at the first period boundary at or after
//     the horizon and the result carries MaxQueryTimeRangeExceeded. (AWS
//     keeps the oldest period, computed from the observations after the
//     horizon only; Vigil drops that period rather than return a value
//     that does not cover it.)
//   - At most MaxMetrics metrics are processed, the first the Env finds,
//     with MaxMatchingResultsExceeded when there were more.
//   - With GROUP BY, metrics are grouped by the values of the keys, a
//     missing key making its own group labeled Other; a group exists only
//     where it has data, as rows of a SQL GROUP BY. Groups are ordered by
//     their values in GROUP BY order, byte-wise ascending, Other after
//     every value.
//   - ORDER BY FUNCTION() computes the function over the data points of
//     each returned series ("The FUNCTION is used to calculate a single
//     scalar value from each returned time series"): AVG() is their mean,
//     COUNT() their number. It sorts stably, so ties keep the GROUP BY
//     order.
//   - LIMIT n returns the first n series; without LIMIT at most MaxLimit
//     are returned, with MaxQueryResultsExceeded when there were more.
func (q *Query) Eval(env Env, period, start, end int64) (Result, error) {
	if period <= 0 || end <= start {
		return Result{}, fmt.Errorf("cannot evaluate %q: invalid period %d or time range [%d, %d)", q, period, start, end)
	}
	period = max(period, MinPeriod)
	res := Result{Array: len(q.GroupBy) > 0}
	if h := env.Horizon(); start < h {
		start += (h - start + period - 1) / period * period
		res.Messages = append(res.Messages, Message{MaxQueryTimeRangeExceeded,
			"Metrics Insights queries can read data from " + time.Unix(h, 0).UTC().Format(time.RFC3339) + " on; the time range before it was not read."})
	}
	var ms []Metric
	if start < end {
		var err error
		ms, err = env.Metrics(q.Namespace, q.MetricName, func(m Metric) bool { return q.Match(m.Namespace, m.Name, m.Dimensions) }, MaxMetrics)
		if err != nil {
			return Result{}, fmt.Errorf("cannot list the metrics of %q: %w", q, err)
		}
	}
	if len(ms) > MaxMetrics {
		ms = ms[:MaxMetrics]
		res.Messages = append(res.Messages, Message{MaxMatchingResultsExceeded,
			"The query matched more than " + strconv.Itoa(MaxMetrics) + " metrics; only the first " + strconv.Itoa(MaxMetrics) + " were processed."})
	}
	a, err := newAggregator(q.Function, env, ms, period, start, end)
	if err != nil {
		return Result{}, fmt.Errorf("cannot read the data of %q: %w", q, err)
	}
	groups := q.groups(ms)
	if len(q.GroupBy) == 0 {
		s := a.aggregate(groups[0].members)
		res.Series = []series.Series{s}
		return res, nil
	}
	n := q.Limit
	if n == 0 {
		n = MaxLimit
	}
	var out []*group
	for _, g := range groups {
		// Without ORDER BY the first n groups with data are the result;
		// one more tells whether the cap cut the result.
		if q.OrderBy.Function == 0 && len(out) > n {
			break
		}
		g.series = a.aggregate(g.members)
		if g.series.Len() > 0 {
			out = append(out, g)
		}
	}
	if q.OrderBy.Function != 0 {
		st := q.OrderBy.Function.statistic()
		var vs stats.Values
		for _, g := range out {
			vs.Reset()
			for _, v := range g.series.Values {
				vs.Add(v)
			}
			g.order, _ = stats.Compute(st, &vs)
		}
		slices.SortStableFunc(out, func(x, y *group) int {
			if q.OrderBy.Desc {
				return cmp.Compare(y.order, x.order)
			}
			return cmp.Compare(x.order, y.order)
		})
	}
	if len(out) > n {
		out = out[:n]
		if q.Limit == 0 {
			res.Messages = append(res.Messages, Message{MaxQueryResultsExceeded,
				"The query has more than " + strconv.Itoa(MaxLimit) + " time series; only " + strconv.Itoa(MaxLimit) + " are returned."})
		}
	}
	res.Series = make([]series.Series, len(out))
	res.Groups = make([]map[string]string, len(out))
	for i, g := range out {
		res.Series[i] = g.series
		res.Series[i].Label = g.label()
		res.Groups[i] = g.dims(q.GroupBy)
	}
	return res, nil
}

// group is a GROUP BY group: the values of its keys and the indexes of
// its metrics.
type group struct {
	values  []string
	has     []bool // has[i] reports whether the group has the key i
	members []int
	series  series.Series
	order   float64
}

// label returns the group's label: its values separated by spaces, Other
// for a missing key.
func (g *group) label() string {
	parts := make([]string, len(g.values))
	for i, v := range g.values {
		if g.has[i] {
			parts[i] = v
		} else {
			parts[i] = OtherLabel
		}
	}
	return strings.Join(parts, " ")
}

// dims returns the group's keys and values.
func (g *group) dims(keys []string) map[string]string {
	m := make(map[string]string, len(keys))
	for i, k := range keys {
		if g.has[i] {
			m[k] = g.values[i]
		}
	}
	return m
}

// compare orders groups by their values in GROUP BY order, a missing
// value after any value.
func (g *group) compare(o *group) int {
	for i := range g.values {
		switch {
		case g.has[i] != o.has[i]:
			if g.has[i] {
				return -1
			}
			return 1
		case g.values[i] != o.values[i]:
			return strings.Compare(g.values[i], o.values[i])
		}
	}
	return 0
}

// groups splits the metrics into groups, in default order; without
// GROUP BY there is one group of all the metrics.
func (q *Query) groups(ms []Metric) []*group {
	if len(q.GroupBy) == 0 {
		g := &group{members: make([]int, len(ms))}
		for i := range ms {
			g.members[i] = i
		}
		return []*group{g}
	}
	byKey := map[string]*group{}
	var out []*group
	var key strings.Builder
	for i, m := range ms {
		key.Reset()
		for _, k := range q.GroupBy {
			if v, ok := m.Dimensions[k]; ok {
				key.WriteString(strconv.Itoa(len(v)))
				key.WriteByte(':')
				key.WriteString(v)
			} else {
				key.WriteByte('-')
			}
		}
		g := byKey[key.String()]
		if g == nil {
			g = &group{values: make([]string, len(q.GroupBy)), has: make([]bool, len(q.GroupBy))}
			for j, k := range q.GroupBy {
				g.values[j], g.has[j] = m.Dimensions[k]
			}
			byKey[key.String()] = g
			out = append(out, g)
		}
		g.members = append(g.members, i)
	}
	slices.SortFunc(out, (*group).compare)
	return out
}

// aggregator combines the series of the metrics of a group, period by
// period.
type aggregator struct {
	f             Function
	start, period int64
	// data[i][m] is the series of the i-th input statistic of metric m.
	data [][]series.Series
	// acc holds the running aggregate of each period from lo on.
	acc []acc
	lo  int64
}

// acc is the aggregate of a period: a (the sum, minimum or maximum, or
// for AVG the sum of Sums) and b (for AVG the sum of SampleCounts).
type acc struct {
	a, b float64
	set  bool
}

// newAggregator reads the series the function needs and checks that they
// are on the period grid.
func newAggregator(f Function, env Env, ms []Metric, period, start, end int64) (*aggregator, error) {
	a := &aggregator{f: f, start: start, period: period}
	if len(ms) == 0 {
		return a, nil
	}
	lo, hi := int64(math.MaxInt64), int64(-1)
	for _, st := range f.inputs() {
		ss, err := env.Series(ms, st, period, start, end)
		if err != nil {
			return nil, err
		}
		if len(ss) != len(ms) {
			return nil, fmt.Errorf("the Env returned %d series of %s for %d metrics", len(ss), st, len(ms))
		}
		for i, s := range ss {
			if len(s.Values) != len(s.Timestamps) {
				return nil, fmt.Errorf("series %d of %s has %d timestamps and %d values", i, st, len(s.Timestamps), len(s.Values))
			}
			prev := start - period
			for _, t := range s.Timestamps {
				// Consecutive periods, the common case, need no division.
				if t <= prev || t >= end || (t-prev != period && (t-start)%period != 0) {
					return nil, fmt.Errorf("series %d of %s has timestamp %d, which is not start + k×%d in [%d, %d) after %d", i, st, t, period, start, end, prev)
				}
				prev = t
			}
			if n := len(s.Timestamps); n > 0 {
				lo = min(lo, (s.Timestamps[0]-start)/period)
				hi = max(hi, (s.Timestamps[n-1]-start)/period)
			}
		}
		a.data = append(a.data, ss)
	}
	if hi >= lo {
		a.lo = lo
		a.acc = make([]acc, hi-lo+1)
	}
	return a, nil
}

// aggregate returns the series of the function over the metrics of a
// group: a point for each period where one of them has data. A value that
// is not finite (sums that overflow) is left out.
func (a *aggregator) aggregate(members []int) series.Series {
	var out series.Series
	if len(a.acc) == 0 {
		return out
	}
	first, last := len(a.acc), -1
	for k, ss := range a.data {
		for _, m := range members {
			s := &ss[m]
			if len(s.Timestamps) == 0 {
				continue
			}
			i, prev := -1, int64(0)
			for j, t := range s.Timestamps {
				if i >= 0 && t-prev == a.period {
					i++
				} else {
					i = int((t-a.start)/a.period - a.lo)
				}
				prev = t
				a.add(&a.acc[i], k, s.Values[j])
			}
			first = min(first, int((s.Timestamps[0]-a.start)/a.period-a.lo))
			last = max(last, i)
		}
	}
	if last >= first {
		out.Timestamps = make([]int64, 0, last-first+1)
		out.Values = make([]float64, 0, last-first+1)
	}
	for i := first; i <= last; i++ {
		c := &a.acc[i]
		if !c.set {
			continue
		}
		v := c.a
		if a.f == AVG {
			v = c.a / c.b
		}
		if c.b > 0 || a.f != AVG {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				out.Timestamps = append(out.Timestamps, a.start+(int64(i)+a.lo)*a.period)
				out.Values = append(out.Values, v)
			}
		}
		*c = acc{}
	}
	return out
}

// add adds the value v of the k-th input statistic to a period.
func (a *aggregator) add(c *acc, k int, v float64) {
	switch {
	case a.f == AVG && k == 1:
		c.b += v
	case a.f == MIN:
		if !c.set || v < c.a {
			c.a = v
		}
	case a.f == MAX:
		if !c.set || v > c.a {
			c.a = v
		}
	default:
		c.a += v
	}
	c.set = true
}
