package widget

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func ptr(v float64) *float64 { return &v }

func TestValueScale(t *testing.T) {
	f := func(e extent, a YAxis, zero bool, wantMin, wantMax float64, wantTicks []float64) {
		t.Helper()
		s := valueScale(e, a, zero, 5)
		if s.min != wantMin || s.max != wantMax || !reflect.DeepEqual(s.ticks, wantTicks) {
			t.Fatalf("valueScale(%+v, zero %v) = [%v, %v] ticks %v; want [%v, %v] ticks %v",
				e, zero, s.min, s.max, s.ticks, wantMin, wantMax, wantTicks)
		}
	}
	f(extent{23, 87, true}, YAxis{}, false, 20, 100, []float64{20, 40, 60, 80, 100})
	f(extent{23, 87, true}, YAxis{}, true, 0, 100, []float64{0, 20, 40, 60, 80, 100})
	f(extent{23, 87, true}, YAxis{Min: ptr(0), Max: ptr(50)}, false, 0, 50, []float64{0, 10, 20, 30, 40, 50})
	f(extent{0.2, 0.7, true}, YAxis{}, false, 0.2, 0.7, []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.7})
	f(extent{-3, 4, true}, YAxis{}, false, -4, 4, []float64{-4, -2, 0, 2, 4})
	f(extent{}, YAxis{}, false, 0, 1, []float64{0, 0.2, 0.4, 0.6, 0.8, 1})
	f(extent{5, 5, true}, YAxis{}, false, 0, 10, []float64{0, 2, 4, 6, 8, 10})
	f(extent{5, 5, true}, YAxis{Min: ptr(10)}, false, 10, 20, []float64{10, 12, 14, 16, 18, 20})
	f(extent{1, 2, true}, YAxis{Max: ptr(-5)}, false, -10, -5, []float64{-10, -9, -8, -7, -6, -5})
	// Huge values neither hang nor overflow.
	s := valueScale(extent{-math.MaxFloat64, math.MaxFloat64, true}, YAxis{}, false, 5)
	if len(s.ticks) == 0 || math.IsInf(s.min, 0) || math.IsInf(s.max, 0) {
		t.Fatalf("huge extent: %+v", s)
	}
	s = valueScale(extent{1e20, 1e20 + 1e5, true}, YAxis{}, false, 5)
	if len(s.ticks) == 0 || len(s.ticks) > 12 {
		t.Fatalf("narrow extent of huge values: %d ticks", len(s.ticks))
	}
}

func TestTickFormatter(t *testing.T) {
	f := func(lo, hi float64, want ...string) {
		t.Helper()
		s := valueScale(extent{lo, hi, true}, YAxis{}, false, 5)
		format := tickFormatter(s)
		var got []string
		for _, v := range s.ticks {
			got = append(got, format(v))
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ticks of [%v, %v]: got %q, want %q", lo, hi, got, want)
		}
	}
	f(0, 100, "0", "20", "40", "60", "80", "100")
	f(0, 1, "0", "0.2", "0.4", "0.6", "0.8", "1.0")
	f(0, 2500, "0", "500", "1.0k", "1.5k", "2.0k", "2.5k")
	f(0, 10e6, "0", "2M", "4M", "6M", "8M", "10M")
	f(0, 12e6, "0", "2.5M", "5.0M", "7.5M", "10.0M", "12.5M")
	f(0, 0.01, "0", "0.002", "0.004", "0.006", "0.008", "0.010")
	f(0, 10, "0", "2", "4", "6", "8", "10")
	f(0, 12, "0", "2.5", "5.0", "7.5", "10.0", "12.5")
}

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    float64
		full bool
		unit string
		want string
	}{
		{42.5, false, "", "42.5"},
		{42.567, false, "Percent", "42.6%"},
		{1234.5, false, "", "1.23k"},
		{1234.5, true, "", "1234.5"},
		{2.5e6, false, "Bytes", "2.5 MB"},
		{999, false, "Bytes", "999 B"},
		{0.00012345, false, "", "0.000123"},
		{1.5e-7, false, "", "1.5e-07"},
		{-3, false, "Milliseconds", "-3 ms"},
		{7, false, "Count", "7"},
		{7, false, "Count/Second", "7/s"},
		{3e9, false, "Bits/Second", "3 Gb/s"},
		{math.NaN(), false, "", "--"},
	} {
		if got := formatWithUnit(c.v, c.full, c.unit); got != c.want {
			t.Errorf("formatWithUnit(%v, %v, %q) = %q, want %q", c.v, c.full, c.unit, got, c.want)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	start := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	labels := func(start, end time.Time, loc *time.Location, n int) []string {
		var out []string
		for _, tk := range timeTicks(start, end, loc, n) {
			out = append(out, tk.label)
		}
		return out
	}
	got := labels(start, start.Add(3*time.Hour), time.UTC, 8)
	if want := []string{"09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("3 hours UTC: %q, want %q", got, want)
	}
	ist := time.FixedZone("UTC+05:30", 5*3600+1800)
	got = labels(start, start.Add(3*time.Hour), ist, 4)
	if want := []string{"15:00", "16:00", "17:00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("3 hours at +05:30: %q, want %q", got, want)
	}
	// Days are aligned to local midnight.
	got = labels(start, start.Add(7*24*time.Hour), ist, 8)
	if want := []string{"05/02", "05/03", "05/04", "05/05", "05/06", "05/07", "05/08"}; !reflect.DeepEqual(got, want) {
		t.Errorf("a week at +05:30: %q, want %q", got, want)
	}
	for _, tk := range timeTicks(start, start.Add(7*24*time.Hour), ist, 8) {
		if h, m, _ := tk.t.In(ist).Clock(); h != 0 || m != 0 {
			t.Errorf("tick %v is not at local midnight", tk.t.In(ist))
		}
	}
	got = labels(start, start.Add(2*time.Minute), time.UTC, 5)
	if want := []string{"09:00:00", "09:00:30", "09:01:00", "09:01:30", "09:02:00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("2 minutes: %q, want %q", got, want)
	}
	if n := len(timeTicks(start, start.Add(100*365*24*time.Hour), time.UTC, 6)); n == 0 || n > 7 {
		t.Errorf("a century: %d ticks", n)
	}
}

func TestClip(t *testing.T) {
	r := rect{0, 0, 10, 10}
	runs := clipPolyline([]pt{{-5, 5}, {5, 5}, {15, 5}, {15, 8}, {5, 8}}, r)
	want := [][]pt{{{0, 5}, {5, 5}, {10, 5}}, {{10, 8}, {5, 8}}}
	if !reflect.DeepEqual(runs, want) {
		t.Errorf("clipPolyline: %v, want %v", runs, want)
	}
	poly := clipPolygon([]pt{{-5, -5}, {5, -5}, {5, 5}, {-5, 5}}, r)
	area := 0.0
	for i := range poly {
		a, b := poly[i], poly[(i+1)%len(poly)]
		area += a.x*b.y - b.x*a.y
	}
	if math.Abs(math.Abs(area/2)-25) > 1e-9 {
		t.Errorf("clipPolygon: %v has area %v, want 25", poly, area/2)
	}
	if got := clipPolygon([]pt{{20, 20}, {30, 20}, {30, 30}}, r); len(got) != 0 {
		t.Errorf("clipPolygon outside: %v", got)
	}
}

func TestDecimate(t *testing.T) {
	var pts []pt
	for i := range 10000 {
		pts = append(pts, pt{float64(i) / 100, math.Sin(float64(i))})
	}
	out := decimate(pts)
	if len(out) > 4*100+8 {
		t.Fatalf("decimate kept %d of %d points", len(out), len(pts))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, q := range out {
		lo, hi = min(lo, q.y), max(hi, q.y)
	}
	if lo > -0.999 || hi < 0.999 || out[0] != pts[0] || out[len(out)-1] != pts[len(pts)-1] {
		t.Fatalf("decimate lost the envelope or the ends: [%v, %v]", lo, hi)
	}
}

func TestStack(t *testing.T) {
	w, req := prepare(t, `{"stacked": true, "metrics": [["N", "A"], ["N", "B"]]}`)
	s := req.Start.Unix()
	a := &line{ts: []int64{s, s + 60, s + 120}, vs: []float64{1, 2, 3}}
	b := &line{ts: []int64{s + 60, s + 180, s - 60}, vs: []float64{10, 20, 99}}
	b.ts, b.vs = b.ts[:2], b.vs[:2] // the point before the range is dropped below
	layers := w.stack([]*line{a, b})
	wantTS := []int64{s, s + 60, s + 120, s + 180}
	if !reflect.DeepEqual(layers[1].ts, wantTS) ||
		!reflect.DeepEqual(layers[0].upper, []float64{1, 2, 3, 0}) ||
		!reflect.DeepEqual(layers[1].lower, []float64{1, 2, 3, 0}) ||
		!reflect.DeepEqual(layers[1].upper, []float64{1, 12, 3, 20}) {
		t.Fatalf("stack: %+v", layers)
	}
}
