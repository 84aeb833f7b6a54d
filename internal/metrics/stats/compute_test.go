package stats

import (
	"math"
	"testing"
)

// The expected values below are computed by hand from "CloudWatch
// statistics definitions"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html),
// read as Compute documents: sorted values, one unit of mass per
// observation, percentage bounds cutting the mass, value bounds
// (lower, upper].

type want struct {
	stat string
	v    float64
	ok   bool
}

func yes(stat string, v float64) want { return want{stat, v, true} }
func no(stat string) want             { return want{stat: stat} }

func checkAll(t *testing.T, name string, d Distribution, wants []want) {
	t.Helper()
	for _, w := range wants {
		got, ok := Compute(MustParse(w.stat), d)
		if ok != w.ok || (ok && !close(got, w.v, 1e-12)) {
			t.Errorf("%s: %s = %v, %v; want %v, %v", name, w.stat, got, ok, w.v, w.ok)
		}
	}
}

func close(a, b, rel float64) bool {
	return a == b || math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// both checks the statistics over exact Values and over an exact Sketch
// built from the same observations.
func both(t *testing.T, name string, add func(func(x, n float64)), wants []want) {
	t.Helper()
	var vs Values
	var sk Sketch
	add(func(x, n float64) { vs.AddN(x, n); sk.AddN(x, n) })
	checkAll(t, name+"/Values", &vs, wants)
	checkAll(t, name+"/Sketch", &sk, wants)
}

func TestComputeOneToTen(t *testing.T) {
	both(t, "1..10", func(add func(float64, float64)) {
		for _, x := range []float64{7, 3, 10, 1, 5, 9, 2, 8, 6, 4} {
			add(x, 1)
		}
	}, []want{
		yes("SampleCount", 10), yes("Sum", 55), yes("Average", 5.5), yes("Minimum", 1), yes("Maximum", 10),
		// pP is the value at rank ceil(P/100 × 10).
		yes("p0", 1), yes("p10", 1), yes("p10.5", 2), yes("p50", 5), yes("p55", 6),
		yes("p90", 9), yes("p95", 10), yes("p99", 10), yes("p100", 10),
		// tm90 drops the highest 10%: mean of 1..9.
		yes("tm90", 5), yes("tc90", 9), yes("ts90", 45),
		// tm95 keeps half of the 10: (45 + 0.5×10) / 9.5.
		yes("tm95", 50/9.5), yes("tc95", 9.5), yes("ts95", 50), yes("TM(:95%)", 50/9.5),
		// IQM keeps mass 2.5..7.5: half of 3, 4..7, half of 8.
		yes("IQM", 5.5), yes("TC(25%:75%)", 5), yes("TS(25%:75%)", 27.5),
		yes("TM(10%:90%)", 5.5), yes("TC(10%:90%)", 8), yes("TS(10%:90%)", 44),
		// TM(2%:98%): 0.8 of 1, 2..9, 0.8 of 10.
		yes("TM(2%:98%)", 52.8/9.6), yes("TC(2%:98%)", 9.6),
		yes("TS(80%:)", 19), yes("TC(80%:)", 2), yes("TM(80%:)", 9.5),
		yes("TM(0%:100%)", 5.5), yes("TS(0%:100%)", 55),
		// wm90: the top 10% (10) counts as the 90% boundary value, 9.
		yes("wm90", 5.4), yes("wm100", 5.5),
		// WM(10%:90%): 1 counts as 2, 10 as 9.
		yes("WM(10%:90%)", 5.5),
		// WM(20%:70%): 1, 2 count as 3; 8, 9, 10 count as 7.
		yes("WM(20%:70%)", 5.2),
		// Value bounds: (3, 7] holds 4, 5, 6, 7.
		yes("TM(3:7)", 5.5), yes("TC(3:7)", 4), yes("TS(3:7)", 22), yes("PR(3:7)", 40),
		yes("PR(:3)", 30), yes("PR(7:)", 30), yes("PR(:300)", 100), yes("PR(10:)", 0),
		yes("TC(:0.5)", 0), no("TM(:0.5)"), yes("TS(:0.5)", 0),
		// WM(3:7): 1, 2, 3 count as 3; 8, 9, 10 as 7.
		yes("WM(3:7)", 5.2),
		yes("TM(0:100)", 5.5), yes("WM(0:100)", 5.5),
	})
}

func TestComputeRankIsExact(t *testing.T) {
	// 95% of 20 is 19 exactly; in float64 0.95*20 is 19.000000000000004.
	both(t, "1..20", func(add func(float64, float64)) {
		for i := 1; i <= 20; i++ {
			add(float64(i), 1)
		}
	}, []want{
		yes("p95", 19), yes("tc95", 19), yes("ts95", 190), yes("tm95", 10),
		yes("p5", 1), yes("TC(5%:95%)", 18), yes("p99.9999999999", 20), yes("p0.0000000001", 1),
	})
}

func TestComputeCounts(t *testing.T) {
	// 10 twice, 20 three times, 30 five times: mass 10 on [0,2], 20 on
	// [2,5], 30 on [5,10].
	both(t, "counts", func(add func(float64, float64)) {
		add(30, 5)
		add(10, 2)
		add(20, 3)
	}, []want{
		yes("SampleCount", 10), yes("Sum", 230), yes("Average", 23),
		yes("p20", 10), yes("p21", 20), yes("p50", 20), yes("p51", 30),
		yes("IQM", 25),
		yes("tm90", 200.0/9), yes("ts90", 200), yes("tc90", 9),
		yes("PR(10:20)", 30), yes("TC(10:20)", 3),
		// wm50: 2×10 + 3×20, and the mass above 5 counts as the value at 50%,
		// 20: (20 + 60 + 5×20) / 10.
		yes("wm50", 18),
	})
}

func TestComputeSingleValue(t *testing.T) {
	both(t, "one value", func(add func(float64, float64)) { add(42, 1) }, []want{
		yes("SampleCount", 1), yes("Sum", 42), yes("Average", 42), yes("Minimum", 42), yes("Maximum", 42),
		yes("p0", 42), yes("p50", 42), yes("p100", 42),
		yes("tm90", 42), yes("IQM", 42), yes("wm90", 42),
		// Trimmed count interpolates: 90% of one data point.
		yes("tc90", 0.9), yes("ts90", 37.8),
		yes("PR(:42)", 100), yes("PR(42:)", 0), yes("TC(41:42)", 1), no("TM(42:50)"),
		no("tm0"), yes("tc0", 0), yes("ts0", 0),
	})
}

func TestComputeNegativeAndZero(t *testing.T) {
	both(t, "signed", func(add func(float64, float64)) {
		for _, x := range []float64{8, -1, 0, 2, -5} {
			add(x, 1)
		}
	}, []want{
		yes("Sum", 4), yes("Average", 0.8), yes("Minimum", -5),
		yes("p20", -5), yes("p40", -1), yes("p50", 0), yes("p100", 8),
		yes("TM(:0)", -2), yes("PR(-1:2)", 40), yes("TC(-5:)", 4),
		yes("WM(-1:2)", (-1-1+0+2+2)/5.0),
	})
}

func TestComputeFractionalCounts(t *testing.T) {
	both(t, "fractional", func(add func(float64, float64)) {
		add(1, 0.5)
		add(2, 1.5)
	}, []want{
		yes("SampleCount", 2), yes("Average", 1.75), yes("p25", 1), yes("p26", 2), yes("p50", 2),
		yes("tc50", 1), yes("ts50", 1.5),
	})
}

func TestComputeEmpty(t *testing.T) {
	for _, d := range []Distribution{&Values{}, &Sketch{}} {
		for _, s := range []string{"SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "tc90", "PR(:1)", "IQM"} {
			if v, ok := Compute(MustParse(s), d); ok {
				t.Errorf("%T: %s over nothing = %v, want no datapoint", d, s, v)
			}
		}
	}
}

func TestComputeStatisticSets(t *testing.T) {
	// A set with Min < Max: its values are unknown, so only the simple
	// statistics exist.
	for _, d := range []interface {
		Distribution
		AddSummary(Summary)
		AddN(float64, float64)
	}{&Values{}, &Sketch{}} {
		d.AddSummary(Summary{Count: 3, Sum: 6, Min: 1, Max: 3})
		checkAll(t, "set", d, []want{
			yes("SampleCount", 3), yes("Sum", 6), yes("Average", 2), yes("Minimum", 1), yes("Maximum", 3),
			no("p50"), no("tm90"), no("tc90"), no("PR(:2)"),
		})
		d.AddN(10, 1)
		checkAll(t, "set and value", d, []want{yes("SampleCount", 4), yes("Maximum", 10), no("p50")})
	}
	// A set with Min == Max is Count observations of that value; its Sum
	// is kept as published.
	for _, d := range []interface {
		Distribution
		AddSummary(Summary)
	}{&Values{}, &Sketch{}} {
		d.AddSummary(Summary{Count: 4, Sum: 20, Min: 5, Max: 5})
		d.AddSummary(Summary{Count: 1, Sum: 7, Min: 7, Max: 7})
		checkAll(t, "uniform sets", d, []want{
			yes("SampleCount", 5), yes("Sum", 27), yes("p80", 5), yes("p81", 7), yes("tm80", 5), yes("PR(5:)", 20),
		})
	}
}

func TestPosition(t *testing.T) {
	tests := []struct {
		p     string
		n     float64
		whole float64
		frac  float64
	}{
		{"95", 20, 19, 0},
		{"95", 10, 9, 0.5},
		{"99.9", 1000, 999, 0},
		{"33.3333333333", 3, 0, 0.999999999999},
		{"100", 7, 7, 0},
		{"0", 7, 0, 0},
		{"50", 9007199254740991, 4503599627370495, 0.5},
		{"50", 2.5, 1, 0.25}, // fractional total: float path
	}
	for _, tt := range tests {
		d, err := parsePercent(tt.p)
		if err != "" {
			t.Fatal(err)
		}
		got := position(d, tt.n)
		if got.whole != tt.whole || !close(got.frac, tt.frac, 1e-15) {
			t.Errorf("position(%s%%, %v) = %+v, want {%v %v}", tt.p, tt.n, got, tt.whole, tt.frac)
		}
	}
}
