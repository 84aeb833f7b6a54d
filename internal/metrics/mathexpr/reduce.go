package mathexpr

import (
	"math"
)

// reduction is one of SUM, AVG, MIN, MAX, STDDEV and DATAPOINT_COUNT.
type reduction uint8

const (
	redSum reduction = iota
	redAvg
	redMin
	redMax
	redStddev
	redCount
)

// reduceFunc evaluates SUM, AVG, MIN, MAX, STDDEV and DATAPOINT_COUNT. Of
// a single time series they return a scalar over the points that have
// data; of an array they return a time series, point by point across the
// array (reduceArray).
func reduceFunc(r reduction) func(*evaluator, *callNode) (val, error) {
	return func(e *evaluator, c *callNode) (val, error) {
		v, err := e.seriesArg(c, 0)
		if err != nil {
			return val{}, err
		}
		if v.k == kindSeries {
			return scalarVal(reduceValues(r, v.one().Values)), nil
		}
		return seriesVal(e.reduceArray(r, v.list)), nil
	}
}

// reduceValues reduces the values of one series. The average, minimum and
// maximum of no values are NaN, so that an expression using them drops its
// points (and reports it) rather than invent a number. STDDEV is the
// sample standard deviation (n-1), 0 for a single value: AWS does not say
// which; this is what common statistics libraries return by default.
func reduceValues(r reduction, vs []float64) float64 {
	n := float64(len(vs))
	switch r {
	case redCount:
		return n
	case redSum:
		return sum(vs)
	case redAvg:
		if len(vs) == 0 {
			return math.NaN()
		}
		return sum(vs) / n
	case redMin, redMax:
		if len(vs) == 0 {
			return math.NaN()
		}
		m := vs[0]
		for _, x := range vs[1:] {
			if (r == redMin && x < m) || (r == redMax && x > m) {
				m = x
			}
		}
		return m
	case redStddev:
		switch len(vs) {
		case 0:
			return math.NaN()
		case 1:
			return 0
		}
		mean := sum(vs) / n
		ss := 0.0
		for _, x := range vs {
			ss += (x - mean) * (x - mean)
		}
		return math.Sqrt(ss / (n - 1))
	}
	panic("BUG: mathexpr: unknown reduction")
}

// sum adds values.
func sum(vs []float64) float64 {
	s := 0.0
	for _, x := range vs {
		s += x
	}
	return s
}

// reduceArray reduces an array of series point by point over the union of
// their timestamps. SUM, AVG and STDDEV count a missing value as 0, so the
// average is over every series of the array ("Missing values are treated
// as 0", and DATAPOINT_COUNT exists for averages over the series that have
// data); MIN and MAX consider only the series that have a value, since a
// missing point is not a measured 0; DATAPOINT_COUNT counts them.
func (e *evaluator) reduceArray(r reduction, list []Series) Series {
	var out Series
	if len(list) == 0 {
		return out
	}
	out.Period = list[0].Period
	union := unionTimestamps(list)
	acc := make([]float64, len(union))
	cnt := make([]int32, len(union))
	for _, s := range list {
		forEachAligned(union, s, func(j int, x float64) {
			switch {
			case r == redMin && (cnt[j] == 0 || x < acc[j]):
				acc[j] = x
			case r == redMax && (cnt[j] == 0 || x > acc[j]):
				acc[j] = x
			case r != redMin && r != redMax:
				acc[j] += x
			}
			cnt[j]++
		})
	}
	k := float64(len(list))
	switch r {
	case redAvg:
		for j := range acc {
			acc[j] /= k
		}
	case redCount:
		for j := range acc {
			acc[j] = float64(cnt[j])
		}
	case redStddev:
		acc = stddevAligned(union, list, acc)
	}
	out.Timestamps = union
	out.Values = acc
	return e.mapSeries(out, func(x float64) float64 { return x })
}

// unionTimestamps returns the sorted union of the timestamps of the
// series, merging into two alternating buffers; it shares the first
// series' timestamps when the others add nothing.
func unionTimestamps(list []Series) []int64 {
	union := list[0].Timestamps
	var bufs [2][]int64
	next := 0
	for _, s := range list[1:] {
		if equalTimestamps(union, s.Timestamps) || len(s.Timestamps) == 0 {
			continue
		}
		bufs[next] = mergeInto(bufs[next][:0], union, s.Timestamps)
		union = bufs[next]
		next ^= 1
	}
	return union
}

// stddevAligned turns per-timestamp sums into the sample standard
// deviation across the array, missing values counting as 0.
func stddevAligned(union []int64, list []Series, sums []float64) []float64 {
	k := float64(len(list))
	mean := make([]float64, len(sums))
	for j := range sums {
		mean[j] = sums[j] / k
	}
	ss := make([]float64, len(sums))
	present := make([]int32, len(sums))
	for _, s := range list {
		forEachAligned(union, s, func(j int, x float64) {
			ss[j] += (x - mean[j]) * (x - mean[j])
			present[j]++
		})
	}
	if len(list) == 1 {
		clear(ss)
		return ss
	}
	for j := range ss {
		missing := k - float64(present[j])
		ss[j] = math.Sqrt((ss[j] + missing*mean[j]*mean[j]) / (k - 1))
	}
	return ss
}

// forEachAligned calls f with the index in union of each point of s; every
// timestamp of s must be in union.
func forEachAligned(union []int64, s Series, f func(j int, x float64)) {
	if equalTimestamps(union, s.Timestamps) {
		for j, x := range s.Values {
			f(j, x)
		}
		return
	}
	j := 0
	for i, t := range s.Timestamps {
		for union[j] < t {
			j++
		}
		f(j, s.Values[i])
	}
}

// evalMetricCount evaluates METRIC_COUNT(TS[]): the number of series.
func evalMetricCount(e *evaluator, c *callNode) (val, error) {
	v, err := e.seriesArg(c, 0)
	if err != nil {
		return val{}, err
	}
	return scalarVal(float64(len(v.list))), nil
}
