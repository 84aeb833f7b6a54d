package stats

import (
	"cmp"
	"iter"
	"slices"
)

// point is a value and how many observations have it.
type point struct {
	v, n float64
}

// Values is an exact set of observations: the raw values of a period,
// from which Compute derives every statistic exactly. Use it whenever the
// raw values are at hand; a Sketch approximates them once they have been
// rolled up. The zero Values is empty and ready to use. Compute sorts the
// values in place, so a Values is not safe for concurrent use.
type Values struct {
	pts      []point
	sorted   bool
	sum      Summary
	unknownN float64
}

var _ Distribution = (*Values)(nil)

// Add adds one observation of x.
func (vs *Values) Add(x float64) { vs.AddN(x, 1) }

// AddN adds n observations of x, as a PutMetricData datum with Values and
// Counts does. x must be finite and n positive: the caller validates what
// clients send.
func (vs *Values) AddN(x, n float64) {
	checkObservation(x, n)
	vs.pts = append(vs.pts, point{x, n})
	vs.sorted = len(vs.pts) == 1 || (vs.sorted && vs.pts[len(vs.pts)-2].v <= x)
	vs.sum = vs.sum.Merge(Summary{Count: n, Sum: x * n, Min: x, Max: x})
}

// AddSummary adds a statistic set. When its Min equals its Max the values
// are known (Count observations of Min); otherwise they are not, and the
// extended statistics of the set become unavailable, as in CloudWatch. The
// summary's Sum is kept as given.
func (vs *Values) AddSummary(s Summary) {
	checkSummary(s)
	if s.IsEmpty() {
		return
	}
	if s.Uniform() {
		vs.pts = append(vs.pts, point{s.Min, s.Count})
		vs.sorted = len(vs.pts) == 1 || (vs.sorted && vs.pts[len(vs.pts)-2].v <= s.Min)
	} else {
		vs.unknownN += s.Count
	}
	vs.sum = vs.sum.Merge(s)
}

// Summary returns the count, sum, minimum and maximum of the observations.
func (vs *Values) Summary() Summary { return vs.sum }

// Len returns how many values (with their counts) were added.
func (vs *Values) Len() int { return len(vs.pts) }

// Reset empties the set, keeping its memory.
func (vs *Values) Reset() {
	vs.pts, vs.sorted, vs.sum, vs.unknownN = vs.pts[:0], false, Summary{}, 0
}

// Sketch returns a sketch of the observations, with the same summary.
func (vs *Values) Sketch() *Sketch {
	s := &Sketch{}
	for v, n := range vs.points() {
		s.insert(v, n)
	}
	s.sum, s.unknownN = vs.sum, vs.unknownN
	return s
}

func (vs *Values) points() iter.Seq2[float64, float64] {
	if !vs.sorted {
		slices.SortFunc(vs.pts, func(a, b point) int { return cmp.Compare(a.v, b.v) })
		vs.sorted = true
	}
	return func(yield func(float64, float64) bool) {
		for _, p := range vs.pts {
			if !yield(p.v, p.n) {
				return
			}
		}
	}
}

func (vs *Values) unknown() float64 { return vs.unknownN }

// checkObservation panics on what validation upstream must have refused.
func checkObservation(x, n float64) {
	if !finite(x) || !finite(n) || n <= 0 {
		panic("BUG: stats: observation must be finite with a positive count")
	}
}

func checkSummary(s Summary) {
	if !s.valid() {
		panic("BUG: stats: invalid summary")
	}
}
