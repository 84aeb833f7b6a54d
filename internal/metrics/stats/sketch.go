package stats

import (
	"cmp"
	"iter"
	"math"
	"slices"
)

// ExactLimit is how many distinct values a Sketch keeps exactly before it
// switches to buckets: a 60-second roll-up of one-second data stays exact.
const ExactLimit = 64

// RelativeAccuracy bounds how far a value the sketch reports can be from
// the value it stands for: 1/129, about 0.78%. Each bucket spans a
// 1/64 step of the mantissa, [m, m+1/64) × 2^e with m in [1, 2), and is
// represented by the point whose relative distance to both ends is the
// same, (1/64)/(2m+1/64) at most.
const RelativeAccuracy = 1.0 / 129

// Bucket geometry: 2^subBits buckets per power of two.
const (
	subBits = 6
	minExp  = -1022 // smallest normal exponent
	maxExp  = 1023
	// minIndex and maxIndex bound bucket indexes: e<<subBits | j.
	minIndex = minExp << subBits
	maxIndex = maxExp<<subBits | (1<<subBits - 1)
)

// bucket is a sketch bucket and how many observations fell in it.
type bucket struct {
	idx int32
	n   float64
}

// Sketch is a mergeable summary of a distribution, for data that has been
// aggregated: it keeps the exact count, sum, minimum and maximum, the
// values themselves while there are at most ExactLimit distinct ones, and
// beyond that a histogram of log-linear buckets of relative width 1/64.
//
// Accuracy guarantee: every statistic Compute derives from a sketch is
// the exact statistic of a set of observations obtained from the real
// ones by moving each value by at most RelativeAccuracy (1/129, 0.78%) of
// its magnitude, towards its bucket's representative, without changing
// their order or count. Values of magnitude below 2^-1022 (subnormals,
// which CloudWatch refuses anyway) count as 0. Hence, after any number of
// merges (the 1 s → 60 s → 300 s → 3600 s roll-ups):
//
//   - SampleCount, Sum, Minimum, Maximum and Average are exact, and so are
//     p0 and p100;
//   - a percentile is within 0.78% relative error of the true value at
//     that rank, and between Minimum and Maximum;
//   - TC with percentage bounds is exact; TS, TM, WM and IQM with
//     percentage bounds are within 0.78% of the true value when all values
//     have the same sign (in general the error is at most 0.78% of the sum
//     of the magnitudes involved);
//   - with value bounds (TC(a:b), PR(a:b), TM(a:b), ...) only observations
//     within 0.78% of a bound can be counted on the wrong side of it.
//
// When the sketch holds at most ExactLimit distinct values, everything is
// exact. Observations added through statistic sets whose Min < Max have
// no known values; extended statistics are then unavailable, as in
// CloudWatch.
//
// Merge adds bucket counts, so it is commutative and associative: the
// buckets, count, minimum and maximum of a merged sketch do not depend on
// the order of the merges, and its sum only to float64 rounding.
//
// The zero Sketch is empty and ready to use. A Sketch is not safe for
// concurrent use.
type Sketch struct {
	sum      Summary
	unknownN float64
	// exact holds the distinct values ascending while !buckets.
	exact   []point
	buckets bool
	// zero counts values of magnitude below 2^-1022; pos and neg hold the
	// buckets of positive values and of the magnitudes of negative ones,
	// by ascending index.
	zero     float64
	pos, neg []bucket
}

var _ Distribution = (*Sketch)(nil)

// Add adds one observation of x.
func (s *Sketch) Add(x float64) { s.AddN(x, 1) }

// AddN adds n observations of x. x must be finite and n positive.
func (s *Sketch) AddN(x, n float64) {
	checkObservation(x, n)
	s.insert(x, n)
	s.sum = s.sum.Merge(Summary{Count: n, Sum: x * n, Min: x, Max: x})
}

// AddSummary adds a statistic set: Count observations of Min when Min
// equals Max, observations of unknown values otherwise.
func (s *Sketch) AddSummary(sum Summary) {
	checkSummary(sum)
	if sum.IsEmpty() {
		return
	}
	if sum.Uniform() {
		s.insert(sum.Min, sum.Count)
	} else {
		s.unknownN += sum.Count
	}
	s.sum = s.sum.Merge(sum)
}

// Merge adds the observations of o to s. o is not modified.
func (s *Sketch) Merge(o *Sketch) {
	if o == nil || o.sum.IsEmpty() {
		return
	}
	if o == s {
		o = s.Clone()
	}
	s.sum = s.sum.Merge(o.sum)
	s.unknownN += o.unknownN
	if !o.buckets {
		if !s.buckets && s.fitsExact(o.exact) {
			s.exact = mergePoints(s.exact, o.exact)
			return
		}
		s.toBuckets()
		s.addPoints(o.exact)
		return
	}
	s.toBuckets()
	s.zero += o.zero
	s.pos = mergeBuckets(s.pos, o.pos)
	s.neg = mergeBuckets(s.neg, o.neg)
}

// Summary returns the exact count, sum, minimum and maximum.
func (s *Sketch) Summary() Summary { return s.sum }

// Exact reports whether the sketch still holds its values exactly.
func (s *Sketch) Exact() bool { return !s.buckets }

// Unknown returns how many observations have no known value: those added
// by statistic sets whose Min < Max. Extended statistics need it to be 0.
func (s *Sketch) Unknown() float64 { return s.unknownN }

// Clone returns a deep copy of s.
func (s *Sketch) Clone() *Sketch {
	c := *s
	c.exact = slices.Clone(s.exact)
	c.pos = slices.Clone(s.pos)
	c.neg = slices.Clone(s.neg)
	return &c
}

// Reset empties the sketch, keeping its memory.
func (s *Sketch) Reset() {
	*s = Sketch{exact: s.exact[:0], pos: s.pos[:0], neg: s.neg[:0]}
}

// Equal reports whether two sketches hold the same observations in the
// same representation.
func (s *Sketch) Equal(o *Sketch) bool {
	return s.sum == o.sum && s.unknownN == o.unknownN && s.buckets == o.buckets && s.zero == o.zero &&
		slices.Equal(s.exact, o.exact) && slices.Equal(s.pos, o.pos) && slices.Equal(s.neg, o.neg)
}

func (s *Sketch) unknown() float64 { return s.unknownN }

// points yields the exact values, or the bucket representatives clamped
// to [Min, Max], in ascending order.
func (s *Sketch) points() iter.Seq2[float64, float64] {
	return func(yield func(float64, float64) bool) {
		if !s.buckets {
			for _, p := range s.exact {
				if !yield(p.v, p.n) {
					return
				}
			}
			return
		}
		clamp := func(v float64) float64 { return min(max(v, s.sum.Min), s.sum.Max) }
		for i := len(s.neg) - 1; i >= 0; i-- {
			if !yield(clamp(-bucketValue(s.neg[i].idx)), s.neg[i].n) {
				return
			}
		}
		if s.zero > 0 && !yield(clamp(0), s.zero) {
			return
		}
		for _, b := range s.pos {
			if !yield(clamp(bucketValue(b.idx)), b.n) {
				return
			}
		}
	}
}

// insert adds n observations of x to the values, not to the summary.
func (s *Sketch) insert(x, n float64) {
	if !s.buckets {
		i, found := slices.BinarySearchFunc(s.exact, x, func(p point, x float64) int { return cmp.Compare(p.v, x) })
		if found {
			s.exact[i].n += n
			return
		}
		if len(s.exact) < ExactLimit {
			s.exact = slices.Insert(s.exact, i, point{x, n})
			return
		}
		s.toBuckets()
	}
	s.insertBucket(x, n)
}

func (s *Sketch) insertBucket(x, n float64) {
	switch {
	case x >= 0x1p-1022:
		s.pos = addBucket(s.pos, bucketIndex(x), n)
	case x <= -0x1p-1022:
		s.neg = addBucket(s.neg, bucketIndex(-x), n)
	default:
		s.zero += n
	}
}

// fitsExact reports whether adding the values of o keeps at most
// ExactLimit distinct values.
func (s *Sketch) fitsExact(o []point) bool {
	if len(s.exact)+len(o) <= ExactLimit {
		return true
	}
	distinct, i, j := 0, 0, 0
	for i < len(s.exact) || j < len(o) {
		switch {
		case j == len(o) || (i < len(s.exact) && s.exact[i].v < o[j].v):
			i++
		case i == len(s.exact) || o[j].v < s.exact[i].v:
			j++
		default:
			i++
			j++
		}
		if distinct++; distinct > ExactLimit {
			return false
		}
	}
	return true
}

// toBuckets moves the exact values into buckets.
func (s *Sketch) toBuckets() {
	if s.buckets {
		return
	}
	s.buckets = true
	s.addPoints(s.exact)
	s.exact = s.exact[:0]
}

// addPoints adds ascending exact values to the buckets in linear time.
func (s *Sketch) addPoints(pts []point) {
	pos := make([]bucket, 0, len(pts))
	var neg []bucket
	for _, p := range pts {
		switch {
		case p.v >= 0x1p-1022:
			pos = appendBucket(pos, bucketIndex(p.v), p.n)
		case p.v <= -0x1p-1022:
			neg = appendBucket(neg, bucketIndex(-p.v), p.n) // descending
		default:
			s.zero += p.n
		}
	}
	slices.Reverse(neg)
	s.pos = mergeBuckets(s.pos, pos)
	s.neg = mergeBuckets(s.neg, neg)
}

// appendBucket adds n to the last bucket when it is idx, or appends one.
func appendBucket(bs []bucket, idx int32, n float64) []bucket {
	if len(bs) > 0 && bs[len(bs)-1].idx == idx {
		bs[len(bs)-1].n += n
		return bs
	}
	return append(bs, bucket{idx, n})
}

// bucketIndex returns the bucket of a positive normal float64: its
// exponent and the top subBits bits of its mantissa.
func bucketIndex(x float64) int32 {
	b := math.Float64bits(x)
	e := int32(b>>52&0x7ff) - 1023
	return e<<subBits | int32(b>>(52-subBits)&(1<<subBits-1))
}

// bucketValue returns the representative of a bucket: for [lo, hi) the
// value 2·lo·hi/(lo+hi), equally far from both ends in relative terms.
func bucketValue(idx int32) float64 {
	e := int(idx >> subBits)
	j := float64(idx & (1<<subBits - 1))
	lo := 1 + j/(1<<subBits)
	hi := 1 + (j+1)/(1<<subBits)
	return math.Ldexp(2*lo*hi/(lo+hi), e)
}

func addBucket(bs []bucket, idx int32, n float64) []bucket {
	i, found := slices.BinarySearchFunc(bs, idx, func(b bucket, idx int32) int { return cmp.Compare(b.idx, idx) })
	if found {
		bs[i].n += n
		return bs
	}
	return slices.Insert(bs, i, bucket{idx, n})
}

// mergeBuckets adds the ascending bucket list b to the ascending list a,
// in place when a has room.
func mergeBuckets(a, b []bucket) []bucket {
	if len(b) == 0 {
		return a
	}
	extra := 0
	for i, j := 0, 0; j < len(b); {
		switch {
		case i < len(a) && a[i].idx < b[j].idx:
			i++
		case i < len(a) && a[i].idx == b[j].idx:
			i, j = i+1, j+1
		default:
			extra, j = extra+1, j+1
		}
	}
	n := len(a)
	a = slices.Grow(a, extra)[:n+extra]
	// Merge from the end so that nothing of a is overwritten before use.
	for i, j, k := n-1, len(b)-1, n+extra-1; j >= 0; k-- {
		switch {
		case i >= 0 && a[i].idx > b[j].idx:
			a[k], i = a[i], i-1
		case i >= 0 && a[i].idx == b[j].idx:
			a[k], i, j = bucket{a[i].idx, a[i].n + b[j].n}, i-1, j-1
		default:
			a[k], j = b[j], j-1
		}
	}
	return a
}

// mergePoints returns the union of two ascending point lists.
func mergePoints(a, b []point) []point {
	out := make([]point, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].v < b[j].v:
			out = append(out, a[i])
			i++
		case b[j].v < a[i].v:
			out = append(out, b[j])
			j++
		default:
			out = append(out, point{a[i].v, a[i].n + b[j].n})
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
