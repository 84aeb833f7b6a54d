package stats

import (
	"iter"
	"math"
	"math/bits"
)

// Summary is what CloudWatch keeps of any set of observations, and what a
// StatisticValues set carries: how many there are, their sum, the lowest
// and the highest. The zero Summary is the empty set.
type Summary struct {
	Count, Sum, Min, Max float64
}

// IsEmpty reports whether the summary holds no observation.
func (s Summary) IsEmpty() bool { return s.Count <= 0 }

// Merge returns the summary of both sets of observations.
func (s Summary) Merge(o Summary) Summary {
	switch {
	case o.IsEmpty():
		return s
	case s.IsEmpty():
		return o
	}
	return Summary{Count: s.Count + o.Count, Sum: s.Sum + o.Sum, Min: min(s.Min, o.Min), Max: max(s.Max, o.Max)}
}

// Uniform reports whether every observation has the same value (Min ==
// Max), in which case the summary is also the exact distribution: Count
// observations of Min. This is AWS's condition for computing percentiles
// from a statistic set; its second half, Sum == Min*SampleCount, only
// restates it up to rounding.
func (s Summary) Uniform() bool { return !s.IsEmpty() && s.Min == s.Max }

// valid reports whether the summary could describe real observations.
func (s Summary) valid() bool {
	if s.Count == 0 {
		return s == Summary{}
	}
	return s.Count > 0 && finite(s.Count) && finite(s.Sum) && finite(s.Min) && finite(s.Max) && s.Min <= s.Max
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Distribution is a set of observations a statistic is computed over:
// exact raw values (*Values) or a mergeable approximation of them
// (*Sketch). The set of implementations is closed.
type Distribution interface {
	// Summary returns the exact count, sum, minimum and maximum.
	Summary() Summary
	// points yields the known values in ascending order with their counts.
	points() iter.Seq2[float64, float64]
	// unknown returns how many observations have no known value: those of
	// statistic sets with Min < Max.
	unknown() float64
}

// Compute computes a statistic over a distribution, following "CloudWatch
// statistics definitions"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html).
// It reports false when there is no datapoint: the distribution is empty,
// a trimmed or winsorized mean has no value within its bounds, or the
// statistic is extended and some observations came from statistic sets
// whose values are unknown ("CloudWatch needs raw data points to calculate
// the following statistics").
//
// The definitions, with N the number of observations and values sorted
// ascending, each observation a unit of mass laid end to end on [0, N]:
//
//   - pP is the value at rank ceil(P/100 × N): "p99 is the maximum value of
//     the remaining 99%" once the 1% highest are ignored. p0 is the
//     minimum.
//   - Percentage bounds a% and b% cut the mass at a/100 × N and b/100 × N;
//     an observation cut in two counts for the fraction inside, which is
//     why "Trimmed count can return a decimal value rather than an
//     integer". TC = (b-a)/100 × N, TS is the sum of value × mass inside,
//     TM = TS/TC. WM gives the mass below the lower cut the lowest value
//     kept and the mass above the upper cut the highest value kept (p(b)).
//   - Value bounds keep the values v with lower < v <= upper ("includes
//     values equal to the higher boundary, but does not include values
//     equal to the lower boundary"); WM moves the others to the bound they
//     crossed. PR(a:b) is 100 × (count of a < v <= b) / N.
//   - An open bound is the end of the data: 0% or 100%, or no limit.
//
// Percentile statistics over negative values are computed as well;
// CloudWatch does not offer them ("not available for metrics when any of
// the metric values are negative numbers"), so a caller that mimics it
// checks Summary().Min first.
func Compute(st Statistic, d Distribution) (float64, bool) {
	s := d.Summary()
	if s.IsEmpty() {
		return 0, false
	}
	switch st.kind {
	case SampleCount:
		return s.Count, true
	case Average:
		return s.Sum / s.Count, true
	case Sum:
		return s.Sum, true
	case Minimum:
		return s.Min, true
	case Maximum:
		return s.Max, true
	}
	if !st.Extended() || d.unknown() > 0 {
		return 0, false
	}
	if st.kind == Percentile {
		return percentile(st.p, d, s), true
	}
	if st.lower.Percent || st.upper.Percent {
		return byRank(st, d, s)
	}
	return byValue(st, d, s)
}

// percentile returns the value at rank ceil(p/100 × N).
func percentile(p decimal, d Distribution, s Summary) float64 {
	t := position(p, s.Count)
	switch {
	case t.isZero():
		return s.Min
	case t.whole >= s.Count:
		return s.Max
	}
	c := 0.0
	for v, w := range d.points() {
		c += w
		if t.le(c) {
			return v
		}
	}
	return s.Max // only float rounding of fractional counts gets here
}

// byRank computes TM, WM, TC and TS with percentage bounds.
func byRank(st Statistic, d Distribution, s Summary) (float64, bool) {
	n := s.Count
	a := pos{}
	if st.lower.Set {
		a = position(st.lower.pct, n)
	}
	b := posOf(n)
	if st.upper.Set {
		b = position(st.upper.pct, n)
	}
	all := a.isZero() && b.whole >= n
	count := b.sub(a)
	if st.kind == TrimmedCount {
		return count, true
	}
	var sum, low, high float64
	lowSet, highSet := false, false
	c0 := 0.0
	for v, w := range d.points() {
		c1 := c0 + w
		if lo, hi := maxPos(posOf(c0), a), minPos(posOf(c1), b); lo.lt(hi) {
			sum += v * hi.sub(lo)
		}
		if !lowSet && a.lt(posOf(c1)) {
			low, lowSet = v, true
		}
		if !highSet && b.le(c1) {
			high, highSet = v, true
		}
		c0 = c1
		if highSet {
			break
		}
	}
	if all {
		sum = s.Sum // exact, where a sketch only approximates the values
	}
	switch st.kind {
	case TrimmedSum:
		return sum, true
	case TrimmedMean:
		if count <= 0 {
			return 0, false
		}
		return sum / count, true
	case WinsorizedMean:
		if all {
			return s.Sum / n, true
		}
		if !highSet {
			high = s.Max
		}
		total := sum
		if !a.isZero() {
			total += a.float() * low
		}
		if rest := posOf(n).sub(b); rest > 0 {
			total += rest * high
		}
		return total / n, true
	}
	return 0, false
}

// byValue computes TM, WM, TC, TS and PR with value bounds.
func byValue(st Statistic, d Distribution, s Summary) (float64, bool) {
	lo, hi := st.lower, st.upper
	in := func(v float64) bool {
		return (!lo.Set || v > lo.Value) && (!hi.Set || v <= hi.Value)
	}
	var count, sum, below, above float64
	for v, w := range d.points() {
		switch {
		case lo.Set && v <= lo.Value:
			below += w
		case hi.Set && v > hi.Value:
			above += w
		default:
			count += w
			sum += v * w
		}
	}
	if in(s.Min) && in(s.Max) {
		count, sum, below, above = s.Count, s.Sum, 0, 0
	}
	switch st.kind {
	case TrimmedCount:
		return count, true
	case TrimmedSum:
		return sum, true
	case PercentileRank:
		return 100 * count / s.Count, true
	case TrimmedMean:
		if count <= 0 {
			return 0, false
		}
		return sum / count, true
	case WinsorizedMean:
		total := sum
		if below > 0 {
			total += below * lo.Value
		}
		if above > 0 {
			total += above * hi.Value
		}
		return total / s.Count, true
	}
	return 0, false
}

// pos is a position in the mass of the sorted observations, split into a
// whole part and a fraction in [0, 1) so that cuts like 95% of 20 land on
// exactly 19 rather than 19.000000000000004.
type pos struct {
	whole, frac float64
}

func posOf(f float64) pos {
	w := math.Floor(f)
	return pos{whole: w, frac: f - w}
}

// position returns p percent of n. When n is a whole number (every count
// is, unless a client sends fractional Counts) it is exact: the quotient
// and remainder of p×n by 100 are computed in integers.
func position(p decimal, n float64) pos {
	if n != math.Trunc(n) || n >= 1<<53 || n < 0 {
		return posOf(p.float() / 100 * n)
	}
	den := 100 * pow10u[p.scale]
	if p.mant >= den {
		return pos{whole: n}
	}
	// p.mant < den, so p.mant×n/den < n < 2^53 and hi < den: Div64 is safe.
	hi, lo := bits.Mul64(p.mant, uint64(n))
	q, r := bits.Div64(hi, lo, den)
	return pos{whole: float64(q), frac: float64(r) / float64(den)}
}

func (p pos) isZero() bool { return p.whole == 0 && p.frac == 0 }

func (p pos) float() float64 { return p.whole + p.frac }

// sub returns p - o.
func (p pos) sub(o pos) float64 { return (p.whole - o.whole) + (p.frac - o.frac) }

// lt reports whether p < o.
func (p pos) lt(o pos) bool {
	return p.whole < o.whole || (p.whole == o.whole && p.frac < o.frac)
}

// le reports whether p <= c.
func (p pos) le(c float64) bool { return !posOf(c).lt(p) }

func maxPos(a, b pos) pos {
	if a.lt(b) {
		return b
	}
	return a
}

func minPos(a, b pos) pos {
	if a.lt(b) {
		return a
	}
	return b
}
