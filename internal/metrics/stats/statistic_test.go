package stats

import (
	"errors"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	pct := func(v float64) Bound { return Bound{Set: true, Percent: true, Value: v} }
	val := func(v float64) Bound { return Bound{Set: true, Value: v} }
	tests := []struct {
		in           string
		kind         Kind
		p            float64
		lower, upper Bound
	}{
		{in: "SampleCount", kind: SampleCount},
		{in: "Average", kind: Average},
		{in: "Sum", kind: Sum},
		{in: "Minimum", kind: Minimum},
		{in: "Maximum", kind: Maximum},
		{in: "p0", kind: Percentile, p: 0},
		{in: "p50", kind: Percentile, p: 50},
		{in: "p99.9", kind: Percentile, p: 99.9},
		{in: "p95.45", kind: Percentile, p: 95.45},
		{in: "p95.0123456789", kind: Percentile, p: 95.0123456789}, // "up to ten decimal places"
		{in: "p100", kind: Percentile, p: 100},
		{in: "p100.0", kind: Percentile, p: 100},
		{in: "tm90", kind: TrimmedMean, upper: pct(90)},
		{in: "tm99.5", kind: TrimmedMean, upper: pct(99.5)},
		{in: "wm98", kind: WinsorizedMean, upper: pct(98)},
		{in: "tc90", kind: TrimmedCount, upper: pct(90)},
		{in: "ts90", kind: TrimmedSum, upper: pct(90)},
		{in: "tm0", kind: TrimmedMean, upper: pct(0)},
		{in: "IQM", kind: TrimmedMean, lower: pct(25), upper: pct(75)},
		{in: "TM(2%:98%)", kind: TrimmedMean, lower: pct(2), upper: pct(98)},
		{in: "TM(:95%)", kind: TrimmedMean, upper: pct(95)},
		{in: "TM(10%:)", kind: TrimmedMean, lower: pct(10)},
		{in: "TM(150:1000)", kind: TrimmedMean, lower: val(150), upper: val(1000)},
		{in: "WM(10%:90%)", kind: WinsorizedMean, lower: pct(10), upper: pct(90)},
		{in: "TC(0.005:0.030)", kind: TrimmedCount, lower: val(0.005), upper: val(0.030)},
		{in: "TC(80:500)", kind: TrimmedCount, lower: val(80), upper: val(500)},
		{in: "TC(:0.5)", kind: TrimmedCount, upper: val(0.5)},
		{in: "TS(80%:)", kind: TrimmedSum, lower: pct(80)},
		{in: "PR(:300)", kind: PercentileRank, upper: val(300)},
		{in: "PR(100:2000)", kind: PercentileRank, lower: val(100), upper: val(2000)},
		{in: "PR(10:)", kind: PercentileRank, lower: val(10)},
		{in: "PR(-5:5)", kind: PercentileRank, lower: val(-5), upper: val(5)},
		{in: "TM(0%:100%)", kind: TrimmedMean, lower: pct(0), upper: pct(100)},
		{in: "TM(0.0000000001%:99.9999999999%)", kind: TrimmedMean, lower: pct(1e-10), upper: pct(99.9999999999)},
	}
	for _, tt := range tests {
		st, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) = %v", tt.in, err)
			continue
		}
		if st.Kind() != tt.kind || st.P() != tt.p || !sameBound(st.Lower(), tt.lower) || !sameBound(st.Upper(), tt.upper) {
			t.Errorf("Parse(%q) = %v p=%v lower=%+v upper=%+v, want %v p=%v lower=%+v upper=%+v",
				tt.in, st.Kind(), st.P(), st.Lower(), st.Upper(), tt.kind, tt.p, tt.lower, tt.upper)
		}
		if st.String() != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, st.String())
		}
		if want := tt.kind >= Percentile; st.Extended() != want {
			t.Errorf("Parse(%q).Extended() = %v, want %v", tt.in, st.Extended(), want)
		}
	}
}

func sameBound(a, b Bound) bool {
	return a.Set == b.Set && a.Percent == b.Percent && a.Value == b.Value
}

func TestParseInvalid(t *testing.T) {
	for _, in := range []string{
		"", "p", "average", "AVERAGE", "Avg", "Count", " Sum", "Sum ",
		"P99",             // percentiles are lower case
		"p101", "p100.01", // beyond 100
		"p-1", "p+5", "p1e2", "p.5", "p5.", "p99.99999999999", // sign, exponent, bare point, 11 decimals
		"pNaN", "pInf", "p 99",
		"iqm", "Iqm",
		"TM99", "Tm99", "tM99", // a single percentage is lower case
		"tm(10%:90%)", // a range is upper case
		"tm", "tm%", "tm90%", "tm101",
		"TM", "TM()", "TM(:)", "TM(10%)", "TM(10%:90%", "TM10%:90%)", "TM[10%:90%]",
		"TM(90%:10%)", "TM(50%:50%)", "TM(1000:150)", "TM(5:5)", // lower must be below upper
		"TM(10%:500)", "TM(10:90%)", // mixed kinds
		"TM(10%%:90%)", "TM(1e3:2e3)", "TM(0x10:20)", "TM( 10%:90%)", "TM(10%:90%:95%)",
		"TM(10%:101%)", "TM(-10%:90%)",
		"TM(0.12345678901:1)", // 11 decimals
		"PR(10%:90%)", "PR(:90%)", "pr(:300)", "pr90", "PR90",
		"XX(1:2)", "tx90", "wm", "WM(:)",
		strings.Repeat("9", 300),
		"TM(:" + strings.Repeat("9", 300) + ")",
	} {
		st, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %v %+v, want an error", in, st.Kind(), st)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) || se.Statistic != in {
			t.Errorf("Parse(%q) error %v is not a *SyntaxError for it", in, err)
		}
	}
}

func TestParseLargeValueBound(t *testing.T) {
	// Value bounds are metric values: any magnitude CloudWatch stores.
	st, err := Parse("TC(100000000000000000000:)")
	if err != nil || st.Lower().Value != 1e20 {
		t.Fatalf("Parse = %+v, %v", st, err)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "BUG: ") {
			t.Errorf("recover() = %v, want a BUG panic", r)
		}
	}()
	MustParse("p101")
}

func TestKindString(t *testing.T) {
	if got := TrimmedMean.String(); got != "TrimmedMean" {
		t.Errorf("TrimmedMean.String() = %q", got)
	}
	if got := Kind(99).String(); got != "Kind(99)" {
		t.Errorf("Kind(99).String() = %q", got)
	}
}

func FuzzParseStatistic(f *testing.F) {
	for _, s := range []string{
		"SampleCount", "p99", "p99.99", "tm90", "TM(10%:90%)", "TM(:95%)", "TS(80%:)",
		"TC(0.005:0.030)", "PR(:300)", "PR(100:2000)", "IQM", "wm98", "p100.5", "TM(-1:1)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := Parse(s)
		if err != nil {
			return
		}
		if st.String() != s {
			t.Fatalf("String() = %q, want %q", st.String(), s)
		}
		again, err := Parse(st.String())
		if err != nil || again.Kind() != st.Kind() || again.P() != st.P() ||
			!sameBound(again.Lower(), st.Lower()) || !sameBound(again.Upper(), st.Upper()) {
			t.Fatalf("Parse(String()) = %+v, %v; want %+v", again, err, st)
		}
		lo, hi := st.Lower(), st.Upper()
		switch {
		case st.Kind() == Percentile && (st.P() < 0 || st.P() > 100):
			t.Fatalf("percentile %v out of range", st.P())
		case lo.Set && hi.Set && lo.Value >= hi.Value:
			t.Fatalf("bounds %v >= %v", lo.Value, hi.Value)
		case lo.Set && hi.Set && lo.Percent != hi.Percent:
			t.Fatalf("mixed bounds")
		}
		// Any valid statistic computes without panicking.
		var vs Values
		for _, x := range []float64{3, 1, 4, 1, 5, 9, 2, 6} {
			vs.Add(x)
		}
		Compute(st, &vs)
		Compute(st, vs.Sketch())
	})
}
