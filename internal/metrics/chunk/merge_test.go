package chunk

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/stats"
)

func TestMerge(t *testing.T) {
	var sk stats.Sketch
	sk.Add(1)
	sk.Add(5)
	a := encode(t, []Sample{
		single(start, 10),
		single(start+60, 20),
		{T: start + 120, Count: 2, Sum: 6, Min: 1, Max: 5, Sketch: &sk},
		single(start+240, 7),
	})
	b := encode(t, []Sample{
		single(start+60, 30), // same period: a distribution of 20 and 30
		{T: start + 120, Count: 3, Sum: 9, Min: 3, Max: 3}, // three 3s
		single(start+180, 1),
		{T: start + 240, Count: 2, Sum: 4, Min: 0, Max: 4}, // unknown values
	})
	got, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		t                    int64
		count, sum, min, max float64
		p50                  float64 // NaN: no p50
	}
	want := []row{
		{start, 1, 10, 10, 10, 10},
		{start + 60, 2, 50, 20, 30, 20},
		{start + 120, 5, 15, 1, 5, 3},
		{start + 180, 1, 1, 1, 1, 1},
		{start + 240, 3, 11, 0, 7, math.NaN()},
	}
	if len(samples) != len(want) {
		t.Fatalf("merged %d samples, want %d", len(samples), len(want))
	}
	for i, w := range want {
		s := samples[i]
		if s.T != w.t || s.Count != w.count || s.Sum != w.sum || s.Min != w.min || s.Max != w.max {
			t.Errorf("sample %d = %+v, want %+v", i, s, w)
		}
		p50, ok := stats.Compute(stats.MustParse("p50"), s.Distribution())
		if ok != !math.IsNaN(w.p50) || (ok && p50 != w.p50) {
			t.Errorf("sample %d: p50 = %v, %v; want %v", i, p50, ok, w.p50)
		}
	}
	// The inputs' sketch is untouched.
	if sk.Summary().Count != 2 {
		t.Error("Merge modified an input sketch")
	}
}

func TestMergeEmptyAndOrder(t *testing.T) {
	a := encode(t, shapes[3].samples(100))
	var e Encoder
	empty := e.Bytes()
	for _, pair := range [][2][]byte{{a, empty}, {empty, a}} {
		got, err := Merge(pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(a) {
			t.Error("merging with an empty chunk changed the chunk")
		}
	}
	if _, err := Merge(a, []byte{9}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Merge with a corrupt chunk: %v", err)
	}
}

func TestMergeAssociativeCommutative(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	chunk := func() []byte {
		var samples []Sample
		ts := int64(start)
		for range 60 {
			ts += 60 * int64(1+r.IntN(3))
			var sk stats.Sketch
			for range 1 + r.IntN(100) {
				sk.Add(math.Round(r.ExpFloat64()*100) / 10)
			}
			sum := sk.Summary()
			s := Sample{T: ts, Count: sum.Count, Sum: sum.Sum, Min: sum.Min, Max: sum.Max, Sketch: &sk}
			if s.Min == s.Max {
				s.Sketch = nil
			}
			samples = append(samples, s)
		}
		return encode(t, samples)
	}
	a, b, c := chunk(), chunk(), chunk()
	merge := func(x, y []byte) []byte {
		t.Helper()
		m, err := Merge(x, y)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	abc := mustDecode(t, merge(merge(a, b), c))
	aBC := mustDecode(t, merge(a, merge(b, c)))
	cba := mustDecode(t, merge(c, merge(b, a)))
	for _, other := range [][]Sample{aBC, cba} {
		if len(other) != len(abc) {
			t.Fatalf("%d samples, then %d", len(abc), len(other))
		}
		for i := range abc {
			x, y := abc[i], other[i]
			// Sums differ by rounding at most; the rest is identical.
			if math.Abs(x.Sum-y.Sum) > 1e-12*math.Abs(x.Sum) {
				t.Fatalf("sample %d: sums %v and %v", i, x.Sum, y.Sum)
			}
			if x.T != y.T || x.Count != y.Count || x.Min != y.Min || x.Max != y.Max || (x.Sketch == nil) != (y.Sketch == nil) {
				t.Fatalf("sample %d: %+v, then %+v", i, x, y)
			}
			if x.Sketch != nil {
				for _, st := range []string{"p10", "p50", "p99", "tm90", "TC(1:5)"} {
					vx, _ := stats.Compute(stats.MustParse(st), x.Sketch)
					vy, _ := stats.Compute(stats.MustParse(st), y.Sketch)
					if math.Abs(vx-vy) > 1e-9*math.Abs(vx) {
						t.Fatalf("sample %d: %s %v, then %v", i, st, vx, vy)
					}
				}
			}
		}
	}
}

func mustDecode(t *testing.T, b []byte) []Sample {
	t.Helper()
	s, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
