package mathexpr

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// evalFirstLast evaluates FIRST and LAST: the first or last series of an
// array. Of an empty array (a SEARCH that found nothing) the result is an
// empty time series, so that IF(FIRST(SORT(…)) > 100, 1, 0) still has a
// shape.
func evalFirstLast(first bool) func(*evaluator, *callNode) (val, error) {
	return func(e *evaluator, c *callNode) (val, error) {
		v, err := e.seriesArg(c, 0)
		if err != nil {
			return val{}, err
		}
		switch {
		case len(v.list) == 0:
			return seriesVal(Series{Period: e.env.Period()}), nil
		case first:
			return seriesVal(v.list[0]), nil
		}
		return seriesVal(v.list[len(v.list)-1]), nil
	}
}

// evalRemoveEmpty evaluates REMOVE_EMPTY(TS[]): the series that have at
// least one point.
func evalRemoveEmpty(e *evaluator, c *callNode) (val, error) {
	v, err := e.seriesArg(c, 0)
	if err != nil {
		return val{}, err
	}
	out := make([]Series, 0, len(v.list))
	for _, s := range v.list {
		if s.Len() > 0 {
			out = append(out, s)
		}
	}
	return arrayVal(out), nil
}

// evalSlice evaluates SLICE(TS[], start[, end]): the series from start
// (inclusive, from 0) to end (exclusive), or to the end of the array.
// Indexes are rounded down and clamped to the array.
func evalSlice(e *evaluator, c *callNode) (val, error) {
	v, err := e.seriesArg(c, 0)
	if err != nil {
		return val{}, err
	}
	n := len(v.list)
	index := func(i int) (int, error) {
		x, err := e.scalarArg(c, i)
		if err != nil {
			return 0, err
		}
		if isNonFinite(x) {
			return 0, invalid("Invalid argument %d for function 'SLICE': expected a finite number.", i+1)
		}
		return int(max(0, min(math.Floor(x), float64(n)))), nil
	}
	from, err := index(1)
	if err != nil {
		return val{}, err
	}
	to := n
	if len(c.args) == 3 {
		if to, err = index(2); err != nil {
			return val{}, err
		}
	}
	if to < from {
		to = from
	}
	return arrayVal(slices.Clone(v.list[from:to])), nil
}

// evalSort evaluates SORT(TS[], AVG|MIN|MAX|SUM, ASC|DESC[, limit]). The
// sort is stable, so series with equal keys keep their order; series with
// no points have no key and go last in either order.
func evalSort(e *evaluator, c *callNode) (val, error) {
	v, err := e.seriesArg(c, 0)
	if err != nil {
		return val{}, err
	}
	var r reduction
	switch c.args[1].(*kwNode).name {
	case "AVG":
		r = redAvg
	case "MIN":
		r = redMin
	case "MAX":
		r = redMax
	default:
		r = redSum
	}
	desc := c.args[2].(*kwNode).name == "DESC"
	limit := len(v.list)
	if len(c.args) == 4 {
		x, err := e.scalarArg(c, 3)
		if err != nil {
			return val{}, err
		}
		if isNonFinite(x) || x < 0 {
			return val{}, invalid("Invalid argument 4 for function 'SORT': expected a number of time series, not %v.", x)
		}
		limit = int(min(math.Floor(x), float64(limit)))
	}
	type keyed struct {
		s   Series
		key float64
		has bool
	}
	ks := make([]keyed, len(v.list))
	for i, s := range v.list {
		ks[i] = keyed{s: s, key: reduceValues(r, s.Values), has: s.Len() > 0}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		switch {
		case a.has != b.has:
			if a.has {
				return -1
			}
			return 1
		case a.key == b.key:
			return 0
		case (a.key < b.key) != desc:
			return -1
		}
		return 1
	})
	out := make([]Series, limit)
	for i := range out {
		out[i] = ks[i].s
	}
	return arrayVal(out), nil
}

// evalMetrics evaluates METRICS() and METRICS('filter'): the MetricStat
// queries of the request (Env.All), in request order, or those whose Id
// contains the filter (case-sensitive, as Ids are).
func evalMetrics(e *evaluator, c *callNode) (val, error) {
	filter := ""
	if len(c.args) == 1 {
		filter = c.args[0].(*strNode).s
	}
	var out []Series
	for _, nv := range e.env.All() {
		if !strings.Contains(nv.ID, filter) || nv.Value.Scalar != nil {
			continue
		}
		out = append(out, nv.Value.Series...)
	}
	return arrayVal(out), nil
}

// maxSearchQueryLen is the longest SEARCH query AWS accepts: "The maximum
// search expression query size is 1024 characters."
const maxSearchQueryLen = 1024

// checkSearch parses the query and checks the statistic of a SEARCH call
// at parse time, so that a bad one is refused before any data is read.
func checkSearch(c *callNode) error {
	q := c.args[0].(*strNode).s
	if len(q) > maxSearchQueryLen {
		return invalid("The SEARCH query is %d characters long; the maximum is %d.", len(q), maxSearchQueryLen)
	}
	sq, err := ParseSearch(q)
	if err != nil {
		return err
	}
	stat := c.args[1].(*strNode).s
	if !ValidStatistic(stat) {
		return invalid("The value %s for the statistic of SEARCH is not a valid statistic.", stat)
	}
	c.search, c.stat = sq, stat
	return nil
}

// evalSearch evaluates SEARCH(query, statistic[, period]). Without a period
// the expression's period (Env.Period) applies.
func evalSearch(e *evaluator, c *callNode) (val, error) {
	period := e.env.Period()
	if len(c.args) == 3 {
		x, err := e.scalarArg(c, 2)
		if err != nil {
			return val{}, err
		}
		if !validPeriod(x) {
			return val{}, invalid("The period %v of SEARCH is not valid: it must be 1, 5, 10, 30 or a multiple of 60 seconds.", x)
		}
		period = int64(x)
	}
	found, err := e.env.Search(c.search, c.stat, period)
	if err != nil {
		return val{}, err
	}
	return arrayVal(found), nil
}

// validPeriod reports whether x is a period GetMetricData accepts: 1, 5,
// 10, 30 or a multiple of 60 seconds.
func validPeriod(x float64) bool {
	if isNonFinite(x) || x != math.Trunc(x) || x <= 0 || x > math.MaxInt32 {
		return false
	}
	p := int64(x)
	return p == 1 || p == 5 || p == 10 || p == 30 || p%60 == 0
}

// statPattern matches CloudWatch's statistics: the five standard ones,
// IQM, and the extended statistics pNN, tmNN, tcNN, tsNN, wmNN and their
// range forms tm(10%:90%), TM(100:2000), PR(:300).
var statPattern = regexp.MustCompile(`^(?:SampleCount|Average|Sum|Minimum|Maximum|IQM|` +
	`(?:p|tm|tc|ts|wm)\d{1,3}(?:\.\d+)?|` +
	`(?:tm|tc|ts|wm)\((?:\d{1,3}(?:\.\d+)?%)?:(?:\d{1,3}(?:\.\d+)?%)?\)|` +
	`(?:TM|TC|TS|WM|PR)\((?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)?:(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)?\))$`)

// ValidStatistic reports whether stat names a CloudWatch statistic, as
// SEARCH's second argument must.
func ValidStatistic(stat string) bool {
	if !statPattern.MatchString(stat) {
		return false
	}
	// Percentile-style numbers go up to 100.
	for _, p := range []string{"p", "tm", "tc", "ts", "wm"} {
		if rest, ok := strings.CutPrefix(stat, p); ok && rest != "" && isDigit(rest[0]) {
			x, err := strconv.ParseFloat(rest, 64)
			return err == nil && x <= 100
		}
	}
	return true
}

// evalAnomalyBand evaluates ANOMALY_DETECTION_BAND(TS[, stddevs]), 2
// standard deviations by default. The result is the array [upper, lower]:
// FIRST gives the upper bound and "LAST(ANOMALY_DETECTION_BAND(m1)) returns
// the lower bound".
func evalAnomalyBand(e *evaluator, c *callNode) (val, error) {
	v, err := e.arg(c, 0)
	if err != nil {
		return val{}, err
	}
	if v.k != kindSeries {
		return val{}, badArg(c, 0, "a time series", v.k)
	}
	n := 2.0
	if len(c.args) == 2 {
		if n, err = e.scalarArg(c, 1); err != nil {
			return val{}, err
		}
		if isNonFinite(n) || n < 0 {
			return val{}, invalid("Invalid argument 2 for function 'ANOMALY_DETECTION_BAND': expected a number of standard deviations, not %v.", n)
		}
	}
	lower, upper, err := e.env.AnomalyBand(v.one(), n)
	if err != nil {
		return val{}, err
	}
	return arrayVal([]Series{upper, lower}), nil
}
