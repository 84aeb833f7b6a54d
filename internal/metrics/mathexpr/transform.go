package mathexpr

import (
	"math"
	"time"
)

// Point-wise mathematical functions.
func absf(x float64) float64   { return math.Abs(x) }
func ceilf(x float64) float64  { return math.Ceil(x) }
func floorf(x float64) float64 { return math.Floor(x) }
func logf(x float64) float64   { return math.Log(x) }
func log10f(x float64) float64 { return math.Log10(x) }

// mathFunc evaluates ABS, CEIL, FLOOR, LOG and LOG10: point by point on a
// time series or each series of an array. AWS documents them for TS and
// TS[]; a scalar argument gives a scalar, which is what m1/ABS(MIN(m1))
// needs.
func mathFunc(f func(float64) float64) func(*evaluator, *callNode) (val, error) {
	return func(e *evaluator, c *callNode) (val, error) {
		v, err := e.arg(c, 0)
		if err != nil {
			return val{}, err
		}
		return e.mapVal(v, f), nil
	}
}

// eachSeries applies f to the series of v, keeping v's kind.
func eachSeries(v val, f func(Series) Series) val {
	out := make([]Series, len(v.list))
	for i, s := range v.list {
		out[i] = f(s)
	}
	return val{k: v.k, list: out}
}

// step computes one point of DIFF, DIFF_TIME or RATE from a point and the
// one before it.
type step func(t0 int64, v0 float64, t1 int64, v1 float64) float64

func stepDiff(_ int64, v0 float64, _ int64, v1 float64) float64 { return v1 - v0 }
func stepDiffTime(t0 int64, _ float64, t1 int64, _ float64) float64 {
	return float64(t1 - t0)
}
func stepRate(t0 int64, v0 float64, t1 int64, v1 float64) float64 {
	return (v1 - v0) / float64(t1-t0)
}

// stepFunc evaluates DIFF, DIFF_TIME and RATE: each point against the
// preceding point that has data ("the preceding value from that time
// series"), so the first point has no result.
func stepFunc(f step) func(*evaluator, *callNode) (val, error) {
	return func(e *evaluator, c *callNode) (val, error) {
		v, err := e.seriesArg(c, 0)
		if err != nil {
			return val{}, err
		}
		return eachSeries(v, func(s Series) Series {
			n := max(len(s.Timestamps)-1, 0)
			ts := make([]int64, 0, n)
			vs := make([]float64, 0, n)
			for i := 1; i < len(s.Timestamps); i++ {
				r := f(s.Timestamps[i-1], s.Values[i-1], s.Timestamps[i], s.Values[i])
				if e.finite(r) {
					ts = append(ts, s.Timestamps[i])
					vs = append(vs, r)
				}
			}
			return derive(s, ts, vs)
		}), nil
	}
}

// evalRunningSum evaluates RUNNING_SUM: the sum of the points so far.
func evalRunningSum(e *evaluator, c *callNode) (val, error) {
	v, err := e.seriesArg(c, 0)
	if err != nil {
		return val{}, err
	}
	return eachSeries(v, func(s Series) Series {
		vs := make([]float64, len(s.Values))
		sum := 0.0
		for i, x := range s.Values {
			sum += x
			vs[i] = sum
		}
		return e.mapSeries(derive(s, s.Timestamps, vs), func(x float64) float64 { return x })
	}), nil
}

// maxGridPoints bounds the points a non-sparse series may have, so that a
// tiny period over a long range cannot exhaust memory. GetMetricData
// returns at most 100,800 points per call; ten times that leaves room.
const maxGridPoints = 1_008_000

// grid returns the timestamps of the request's range at the given period:
// StartTime, StartTime+period, … before EndTime.
func (e *evaluator) grid(period int64) ([]int64, error) {
	if period <= 0 {
		period = e.env.Period()
	}
	if g, ok := e.grids[period]; ok {
		return g, nil
	}
	if period <= 0 {
		return nil, invalid("The period of the expression is unknown; set Period on the query.")
	}
	start, end := e.env.Start(), e.env.End()
	if end <= start {
		return nil, nil
	}
	n := (end - start + period - 1) / period
	if n > maxGridPoints {
		return nil, invalid("The time range holds %d periods of %d seconds; at most %d are allowed.", n, period, maxGridPoints)
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = start + int64(i)*period
	}
	if e.grids == nil {
		e.grids = map[int64][]int64{}
	}
	e.grids[period] = out
	return out, nil
}

// evalTimeSeries evaluates TIME_SERIES(S): "a non-sparse time series where
// every value is set to a scalar argument", over the request's range at
// its period.
func evalTimeSeries(e *evaluator, c *callNode) (val, error) {
	x, err := e.scalarArg(c, 0)
	if err != nil {
		return val{}, err
	}
	g, err := e.grid(0)
	if err != nil {
		return val{}, err
	}
	vs := make([]float64, len(g))
	for i := range vs {
		vs[i] = x
	}
	s := Series{Period: e.env.Period()}
	return seriesVal(e.mapSeries(derive(s, g, vs), func(x float64) float64 { return x })), nil
}

// evalPeriod evaluates PERIOD(TS): the series' period in seconds.
func evalPeriod(e *evaluator, c *callNode) (val, error) {
	v, err := e.arg(c, 0)
	if err != nil {
		return val{}, err
	}
	if v.k != kindSeries {
		return val{}, badArg(c, 0, "a time series", v.k)
	}
	p := v.one().Period
	if p <= 0 {
		p = e.env.Period()
	}
	return scalarVal(float64(p)), nil
}

// clock computes MINUTE, HOUR, … from a timestamp.
type clock func(t time.Time) float64

func clockMinute(t time.Time) float64 { return float64(t.Minute()) }
func clockHour(t time.Time) float64   { return float64(t.Hour()) }

// clockDay is the day of the week, 1 for Monday to 7 for Sunday.
func clockDay(t time.Time) float64 {
	d := int(t.Weekday())
	if d == 0 {
		d = 7
	}
	return float64(d)
}
func clockDate(t time.Time) float64  { return float64(t.Day()) }
func clockMonth(t time.Time) float64 { return float64(t.Month()) }
func clockYear(t time.Time) float64  { return float64(t.Year()) }
func clockEpoch(t time.Time) float64 { return float64(t.Unix()) }

// clockFunc evaluates MINUTE, HOUR, DAY, DATE, MONTH, YEAR and EPOCH:
// "These functions take the period and range of the time series and
// return a new non-sparse time series where each value is based on its
// timestamp." Timestamps are read in UTC; the series' own timestamps are
// kept besides the grid's, should one fall between grid points.
func clockFunc(f clock) func(*evaluator, *callNode) (val, error) {
	return func(e *evaluator, c *callNode) (val, error) {
		v, err := e.seriesArg(c, 0)
		if err != nil {
			return val{}, err
		}
		out := make([]Series, len(v.list))
		for i, s := range v.list {
			g, err := e.grid(s.Period)
			if err != nil {
				return val{}, err
			}
			ts := mergeTimestamps(g, s.Timestamps)
			vs := make([]float64, len(ts))
			for k, t := range ts {
				vs[k] = f(time.Unix(t, 0).UTC())
			}
			out[i] = derive(s, ts, vs)
		}
		return val{k: v.k, list: out}, nil
	}
}

// mergeTimestamps returns the sorted union of two ascending timestamp
// lists, sharing a when b adds nothing.
func mergeTimestamps(a, b []int64) []int64 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	if equalTimestamps(a, b) || subset(b, a) {
		return a
	}
	return mergeInto(make([]int64, 0, len(a)+len(b)), a, b)
}

// subset reports whether every timestamp of b is in a.
func subset(b, a []int64) bool {
	i := 0
	for _, t := range b {
		for i < len(a) && a[i] < t {
			i++
		}
		if i == len(a) || a[i] != t {
			return false
		}
	}
	return true
}

// mergeInto appends the sorted union of a and b to out.
func mergeInto(out, a, b []int64) []int64 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// equalTimestamps reports whether two timestamp lists are the same.
func equalTimestamps(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
