package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// slack absorbs float64 rounding on top of RelativeAccuracy.
const slack = 1e-12

func TestBucketRepresentative(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(x float64) {
		t.Helper()
		idx := bucketIndex(x)
		rep := bucketValue(idx)
		if err := math.Abs(rep-x) / x; err > RelativeAccuracy+slack {
			t.Fatalf("x=%v: bucket %d representative %v, relative error %v > %v", x, idx, rep, err, RelativeAccuracy)
		}
		if bucketIndex(rep) != idx {
			t.Fatalf("x=%v: representative %v lies in bucket %d, not %d", x, rep, bucketIndex(rep), idx)
		}
	}
	for _, x := range []float64{0x1p-1022, 1, 1.015625, 1.0156249999, 2 - 1e-16, 2, 3, 100, 1e300, math.MaxFloat64} {
		check(x)
	}
	for range 100000 {
		check(math.Ldexp(1+r.Float64(), r.IntN(2046)-1022))
	}
	// Indexes increase with the value, across powers of two.
	prev := bucketIndex(0x1p-1022)
	for x := 0x1p-1022; x < 1e300; x *= 1.01 {
		idx := bucketIndex(x)
		if idx < prev || idx < minIndex || idx > maxIndex {
			t.Fatalf("bucketIndex(%v) = %d after %d", x, idx, prev)
		}
		prev = idx
	}
}

// dataset draws n observations from a named distribution.
func dataset(name string, n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	xs := make([]float64, n)
	for i := range xs {
		switch name {
		case "uniform":
			xs[i] = 100 * r.Float64()
		case "lognormal":
			xs[i] = math.Exp(2 * r.NormFloat64())
		case "latency": // milliseconds, rounded to 0.1 like a real gauge
			xs[i] = math.Round(10*math.Exp(3+0.5*r.NormFloat64())) / 10
		case "signed": // zeros, negatives and positives over many decades
			switch u := r.Float64(); {
			case u < 0.1:
				xs[i] = 0
			case u < 0.4:
				xs[i] = -math.Exp(3 * r.NormFloat64())
			default:
				xs[i] = math.Exp(3 * r.NormFloat64())
			}
		case "integers":
			xs[i] = float64(r.IntN(1000))
		default:
			panic("unknown dataset " + name)
		}
	}
	return xs
}

var datasets = []string{"uniform", "lognormal", "latency", "signed", "integers"}

var accuracyStats = []string{
	"p0", "p1", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99", "p100",
	"tm90", "tm99", "TM(10%:90%)", "TM(1%:99%)", "IQM", "TM(:50%)", "TM(95%:)",
	"wm90", "WM(10%:90%)", "WM(5%:95%)",
	"tc90", "TC(10%:90%)", "TC(25%:75%)",
	"ts90", "TS(10%:90%)", "TS(80%:)",
}

func TestSketchAccuracy(t *testing.T) {
	for _, name := range datasets {
		for _, n := range []int{100, 5000} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				xs := dataset(name, n, uint64(n))
				var vs Values
				var sk Sketch
				for _, x := range xs {
					vs.Add(x)
					sk.Add(x)
				}
				if sk.Exact() {
					t.Fatalf("sketch of %d values is still exact", n)
				}
				checkAccuracy(t, xs, &vs, &sk)
			})
		}
	}
}

// checkAccuracy checks the documented guarantee of sk against the exact
// values.
func checkAccuracy(t *testing.T, xs []float64, vs *Values, sk *Sketch) {
	t.Helper()
	if vs.Summary().Count != sk.Summary().Count || vs.Summary().Min != sk.Summary().Min || vs.Summary().Max != sk.Summary().Max ||
		!close(vs.Summary().Sum, sk.Summary().Sum, 1e-9) {
		t.Fatalf("summary %+v, want %+v", sk.Summary(), vs.Summary())
	}
	sorted := slices.Sorted(slices.Values(xs))
	for _, s := range accuracyStats {
		st := MustParse(s)
		exact, ok1 := Compute(st, vs)
		approx, ok2 := Compute(st, sk)
		if ok1 != ok2 {
			t.Fatalf("%s: ok %v, exact %v", s, ok2, ok1)
		}
		if !ok1 {
			continue
		}
		var bound float64
		switch st.Kind() {
		case Percentile:
			bound = RelativeAccuracy * math.Abs(exact)
		case TrimmedCount:
			bound = 1e-9 * exact
		default:
			// Each observation moves by at most RelativeAccuracy of its
			// magnitude, so the error is at most that share of the
			// magnitudes involved.
			bound = RelativeAccuracy * absMass(st, sorted)
		}
		if diff := math.Abs(approx - exact); diff > bound+slack*math.Max(1, math.Abs(exact)) {
			t.Errorf("%s: sketch %v, exact %v: error %v > bound %v", s, approx, exact, diff, bound)
		}
	}
	// Value bounds: only observations within RelativeAccuracy of a bound
	// can land on the wrong side.
	for _, q := range []float64{0.05, 0.3, 0.5, 0.8, 0.97} {
		lo, hi := sorted[int(q*float64(len(sorted)-1))], sorted[len(sorted)-1]*0.9
		if lo >= hi {
			continue
		}
		st := MustParse(fmt.Sprintf("TC(%s:%s)", fmtBound(lo), fmtBound(hi)))
		got, _ := Compute(st, sk)
		e := 2 * RelativeAccuracy
		l, u := st.Lower().Value, st.Upper().Value
		inner := countIn(sorted, l+e*math.Abs(l), u-e*math.Abs(u))
		outer := countIn(sorted, l-e*math.Abs(l), u+e*math.Abs(u))
		if got < inner || got > outer {
			t.Errorf("%s: sketch counts %v, exact counts with bounds moved by 2α are %v..%v", st, got, inner, outer)
		}
	}
}

func fmtBound(x float64) string { return fmt.Sprintf("%.10f", x) }

func countIn(sorted []float64, lo, hi float64) float64 {
	n := 0.0
	for _, x := range sorted {
		if x > lo && x <= hi {
			n++
		}
	}
	return n
}

// absMass returns the sum of the magnitudes a percentage-bound statistic
// weighs: those of the mass kept, and for WM those of the two boundary
// values standing for the mass cut, divided by the count for means.
func absMass(st Statistic, sorted []float64) float64 {
	n := float64(len(sorted))
	a, b := 0.0, n
	if lo := st.Lower(); lo.Set {
		a = lo.Value / 100 * n
	}
	if hi := st.Upper(); hi.Set {
		b = hi.Value / 100 * n
	}
	sum := 0.0
	for i, x := range sorted {
		lo, hi := math.Max(float64(i), a), math.Min(float64(i+1), b)
		if hi > lo {
			sum += (hi - lo) * math.Abs(x)
		}
	}
	switch st.Kind() {
	case TrimmedMean:
		return sum / (b - a)
	case WinsorizedMean:
		low := sorted[min(int(a), len(sorted)-1)]
		high := sorted[max(int(math.Ceil(b))-1, 0)]
		return (sum + a*math.Abs(low) + (n-b)*math.Abs(high)) / n
	}
	return sum
}

func TestSketchExactUpToLimit(t *testing.T) {
	var sk Sketch
	var vs Values
	for i := range ExactLimit {
		x := float64(i)*1.37 - 20
		sk.AddN(x, float64(i%3+1))
		vs.AddN(x, float64(i%3+1))
		sk.Add(x) // a repeated value is not a new one
		vs.Add(x)
	}
	if !sk.Exact() {
		t.Fatal("sketch of ExactLimit distinct values is not exact")
	}
	for _, s := range accuracyStats {
		// Equal up to the order of float additions.
		want, _ := Compute(MustParse(s), &vs)
		if got, _ := Compute(MustParse(s), &sk); !close(got, want, 1e-14) {
			t.Errorf("%s = %v, exact %v", s, got, want)
		}
	}
	sk.Add(1000)
	if sk.Exact() {
		t.Fatal("sketch of ExactLimit+1 distinct values is still exact")
	}
}

// randomSketch builds a sketch of n draws (exact when few distinct values)
// with, sometimes, a statistic set of unknown values.
func randomSketch(r *rand.Rand, n int, unknown bool) *Sketch {
	var s Sketch
	for range n {
		x := math.Round(r.NormFloat64()*1000) / 10
		if r.IntN(10) == 0 {
			x = 0
		}
		s.AddN(x, float64(1+r.IntN(3)))
	}
	if unknown {
		s.AddSummary(Summary{Count: 5, Sum: 10, Min: -1, Max: 6})
	}
	return &s
}

func mergeAll(ss ...*Sketch) *Sketch {
	out := &Sketch{}
	for _, s := range ss {
		out.Merge(s)
	}
	return out
}

// sameSketch compares two sketches, their sums up to rounding.
func sameSketch(a, b *Sketch) bool {
	if !close(a.sum.Sum, b.sum.Sum, 1e-12) {
		return false
	}
	c := *b
	c.sum.Sum = a.sum.Sum
	return a.Equal(&c)
}

func TestSketchMergeAssociativeCommutative(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200 {
		sizes := []int{r.IntN(40), r.IntN(40), r.IntN(400)}
		if i%2 == 0 {
			sizes = []int{r.IntN(20), r.IntN(20), r.IntN(20)} // stays exact or crosses the limit
		}
		a, b, c := randomSketch(r, sizes[0], i%5 == 0), randomSketch(r, sizes[1], false), randomSketch(r, sizes[2], false)
		ab := mergeAll(a, b)
		ab.Merge(c)
		bc := mergeAll(b, c)
		a2 := a.Clone()
		a2.Merge(bc)
		cba := mergeAll(c, b, a)
		if !sameSketch(ab, a2) || !sameSketch(ab, cba) {
			t.Fatalf("merge order matters:\n(a+b)+c %+v\na+(b+c) %+v\nc+b+a   %+v", ab, a2, cba)
		}
		// Merging did not touch its arguments.
		if !sameSketch(a, a.Clone()) || a.Summary().Count != sumCounts(a) {
			t.Fatal("Merge modified its argument")
		}
	}
}

func sumCounts(s *Sketch) float64 {
	n := s.zero + s.unknownN
	for _, p := range s.exact {
		n += p.n
	}
	for _, b := range append(slices.Clone(s.pos), s.neg...) {
		n += b.n
	}
	return n
}

func TestSketchRollUp(t *testing.T) {
	// One day of one-second latencies rolled up 1 s → 60 s → 300 s →
	// 3600 s equals the sketch of all values at once, so it keeps the
	// guarantee.
	xs := dataset("latency", 86400, 9)
	var all Sketch
	var vs Values
	for _, x := range xs {
		all.Add(x)
		vs.Add(x)
	}
	minutes := make([]*Sketch, 0, 1440)
	for m := range 1440 {
		var s Sketch
		for _, x := range xs[m*60 : (m+1)*60] {
			s.Add(x)
		}
		minutes = append(minutes, &s)
	}
	var fives []*Sketch
	for i := 0; i < len(minutes); i += 5 {
		fives = append(fives, mergeAll(minutes[i:i+5]...))
	}
	var hours []*Sketch
	for i := 0; i < len(fives); i += 12 {
		hours = append(hours, mergeAll(fives[i:i+12]...))
	}
	day := mergeAll(hours...)
	if !sameSketch(day, &all) {
		t.Fatal("rolled-up sketch differs from the sketch of all values")
	}
	checkAccuracy(t, xs, &vs, day)
}

func TestSketchSelfMerge(t *testing.T) {
	var s Sketch
	for i := range 100 {
		s.Add(float64(i))
	}
	s.Merge(&s)
	if s.Summary().Count != 200 || sumCounts(&s) != 200 {
		t.Fatalf("self merge count %v/%v, want 200", s.Summary().Count, sumCounts(&s))
	}
}

func TestValuesSketch(t *testing.T) {
	var vs Values
	var sk Sketch
	for _, x := range dataset("signed", 1000, 5) {
		vs.Add(x)
		sk.Add(x)
	}
	vs.AddSummary(Summary{Count: 2, Sum: 3, Min: 1, Max: 2})
	sk.AddSummary(Summary{Count: 2, Sum: 3, Min: 1, Max: 2})
	if got := vs.Sketch(); !sameSketch(got, &sk) {
		t.Fatal("Values.Sketch differs from the sketch of the same observations")
	}
	vs.Reset()
	if vs.Len() != 0 || !vs.Summary().IsEmpty() {
		t.Fatal("Reset left observations")
	}
}

func TestSketchPanicsOnInvalidInput(t *testing.T) {
	for name, f := range map[string]func(){
		"NaN":         func() { new(Sketch).Add(math.NaN()) },
		"Inf":         func() { new(Values).Add(math.Inf(1)) },
		"zero count":  func() { new(Sketch).AddN(1, 0) },
		"min > max":   func() { new(Sketch).AddSummary(Summary{Count: 1, Sum: 1, Min: 2, Max: 1}) },
		"neg count":   func() { new(Values).AddSummary(Summary{Count: -1, Sum: 1, Min: 1, Max: 1}) },
		"NaN summary": func() { new(Values).AddSummary(Summary{Count: 1, Sum: math.NaN(), Min: 1, Max: 1}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSummaryMerge(t *testing.T) {
	a := Summary{Count: 2, Sum: 3, Min: 1, Max: 2}
	b := Summary{Count: 1, Sum: -4, Min: -4, Max: -4}
	if got, want := a.Merge(b), (Summary{Count: 3, Sum: -1, Min: -4, Max: 2}); got != want {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
	if got := a.Merge(Summary{}); got != a {
		t.Errorf("Merge(empty) = %+v", got)
	}
	if got := (Summary{}).Merge(a); got != a {
		t.Errorf("empty.Merge = %+v", got)
	}
}
