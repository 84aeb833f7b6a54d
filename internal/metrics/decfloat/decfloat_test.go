package decfloat

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

var tenth = 0.1 // a variable, so that tenth+0.2 is computed in float64

func TestSplitKnownValues(t *testing.T) {
	tests := []struct {
		v  float64
		m  int64
		e  int
		ok bool
	}{
		{0, 0, 0, true},
		{math.Copysign(0, -1), 0, 0, false},
		{37.5, 375, -1, true},
		{-0.25, -25, -2, true},
		{1200, 12, 2, true},
		{1e300, 1, 300, true},
		{1.0 / 3, 3333333333333333, -16, true},
		{tenth + 0.2, 0, 0, false}, // 30000000000000004e-17 has 17 digits, beyond 2^53
		{math.MaxFloat64, 17976931348623157, 292, false},
		{5e-324, 5, -324, true},
	}
	for _, tt := range tests {
		m, e, ok := Split(tt.v)
		if ok != tt.ok || (ok && (m != tt.m || e != tt.e)) {
			t.Errorf("Split(%v) = %d, %d, %v; want %d, %d, %v", tt.v, m, e, ok, tt.m, tt.e, tt.ok)
		}
		if ok && Join(m, e) != tt.v {
			t.Errorf("Join(%d, %d) = %v, want %v", m, e, Join(m, e), tt.v)
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 100000 {
		for _, v := range []float64{math.Float64frombits(r.Uint64()), math.Round(r.NormFloat64()*1e6) / 1e3} {
			m, e, ok := Split(v)
			if ok && (Join(m, e) != v || (m != 0 && m%10 == 0)) {
				t.Fatalf("Split(%v) = %d, %d", v, m, e)
			}
		}
	}
}

func TestSplitShortest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(v float64) {
		t.Helper()
		m, e, ok := Split(v)
		if !ok {
			return
		}
		if Join(m, e) != v {
			t.Fatalf("Split(%v) = %d, %d, which reads back as %v", v, m, e, Join(m, e))
		}
		if m != 0 && m%10 == 0 {
			t.Fatalf("Split(%v) = %d, %d: trailing zero", v, m, e)
		}
		// As few digits as the shortest formatting.
		s := strconv.FormatFloat(math.Abs(v), 'e', -1, 64)
		digits := len(strings.Replace(s[:strings.IndexByte(s, 'e')], ".", "", 1))
		if got := len(strconv.FormatInt(max(m, -m), 10)); got > digits {
			t.Fatalf("Split(%v) = %d, %d: %d digits, shortest has %d", v, m, e, got, digits)
		}
	}
	for _, v := range []float64{0.1, 0.2, 0.3, 37.5, 1200, 1e22, 1e23, 123.456, 5e-324, 1e-11, 99.99, 2e9 + 4096} {
		check(v)
		check(-v)
	}
	for range 100000 {
		decimals := r.IntN(12)
		v := math.Round(r.NormFloat64()*math.Pow10(r.IntN(8))*math.Pow10(decimals)) / math.Pow10(decimals)
		check(v)
		check(math.Float64frombits(r.Uint64()))
	}
}
