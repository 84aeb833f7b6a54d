package alarms

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// now is the evaluation time of the tests: the range ends at 10:25.
var now = time.Date(2026, 7, 12, 10, 25, 7, 0, time.UTC)

// caseName is a corpus file's name: M, N, the treatment of missing data,
// the datapoints oldest first (0 fine, X breaching, _ missing) and the
// state expected from every state, or RETAIN for the state kept.
var caseName = regexp.MustCompile(`^m(\d+)-n(\d+)-(missing|ignore|breaching|notBreaching)-([0X_]+)-(OK|ALARM|INSUFFICIENT_DATA|RETAIN)\.txt$`)

// patternPoints returns the datapoints of a pattern for an alarm
// GreaterThanThreshold 10 of period p: X is 20, 0 is 5.
func patternPoints(t *testing.T, cfg Config, pattern string) []Datapoint {
	t.Helper()
	start, _ := Window(cfg, now)
	if len(pattern) != RangePeriods(cfg) {
		t.Fatalf("pattern %q has %d periods; the range has %d", pattern, len(pattern), RangePeriods(cfg))
	}
	var points []Datapoint
	for i, c := range pattern {
		ts := start.Add(time.Duration(i) * cfg.Period)
		switch c {
		case 'X':
			points = append(points, Datapoint{Timestamp: ts, Value: 20, SampleCount: 1})
		case '0':
			points = append(points, Datapoint{Timestamp: ts, Value: 5, SampleCount: 1})
		}
	}
	return points
}

func TestMissingDataCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/missing-data/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 52 {
		t.Fatalf("found %d cases; want both tables of the guide for every treatment", len(files))
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			m := caseName.FindStringSubmatch(name)
			if m == nil {
				t.Fatalf("name does not say the case: want %s", caseName)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// The body repeats the datapoints as the guide writes them.
			var body string
			for _, line := range strings.Split(string(b), "\n") {
				if line != "" && !strings.HasPrefix(line, "#") {
					body = strings.NewReplacer(" ", "", "-", "_").Replace(line)
				}
			}
			if body != m[4] {
				t.Fatalf("body says %q, name %q", body, m[4])
			}
			dta, _ := strconv.Atoi(m[1])
			n, _ := strconv.Atoi(m[2])
			cfg := Config{
				Period: 5 * time.Minute, EvaluationPeriods: n, DatapointsToAlarm: dta,
				Threshold: 10, Comparison: GreaterThanThreshold, TreatMissing: TreatMissingData(m[3]),
				Statistic: "Average",
			}
			points := patternPoints(t, cfg, m[4])
			for _, from := range []State{StateOK, StateAlarm, StateInsufficientData} {
				want := State(m[5])
				if m[5] == "RETAIN" {
					want = from
				}
				got := Evaluate(cfg, from, now, points)
				if got.State != want || got.Changed != (want != from) {
					t.Errorf("from %s: got %s (changed %v); want %s", from, got.State, got.Changed, want)
				}
				if m[5] == "RETAIN" && got.Reason != "" {
					t.Errorf("from %s: kept state with reason %q; want none", from, got.Reason)
				}
				if m[5] != "RETAIN" && got.Reason == "" {
					t.Errorf("from %s: no reason", from)
				}
			}
		})
	}
}

func TestWindow(t *testing.T) {
	tests := []struct {
		period     time.Duration
		n          int
		start, end string
	}{
		{time.Minute, 3, "10:20:00", "10:25:00"},
		{5 * time.Minute, 1, "10:10:00", "10:25:00"},
		{10 * time.Second, 2, "10:24:20", "10:25:00"},
		{30 * time.Second, 1, "10:23:30", "10:25:00"},
	}
	for _, tt := range tests {
		start, end := Window(Config{Period: tt.period, EvaluationPeriods: tt.n}, now)
		if got, want := start.Format(time.TimeOnly)+"-"+end.Format(time.TimeOnly), tt.start+"-"+tt.end; got != want {
			t.Errorf("Window(%v, %d) = %s; want %s", tt.period, tt.n, got, want)
		}
	}
}

func TestEvaluatePoints(t *testing.T) {
	cfg := Config{Period: time.Minute, EvaluationPeriods: 1, Threshold: 10, Comparison: GreaterThanThreshold}
	start, end := Window(cfg, now)
	f := func(name string, points []Datapoint, want State) {
		t.Helper()
		if got := Evaluate(cfg, StateOK, now, points).State; got != want {
			t.Errorf("%s: got %s; want %s", name, got, want)
		}
	}
	f("before the range", []Datapoint{{Timestamp: start.Add(-time.Second), Value: 20}}, StateInsufficientData)
	f("the current period", []Datapoint{{Timestamp: end, Value: 20}}, StateInsufficientData)
	f("NaN", []Datapoint{{Timestamp: start, Value: math.NaN()}}, StateInsufficientData)
	f("inside a period", []Datapoint{{Timestamp: end.Add(-time.Second), Value: 20}}, StateAlarm)
	f("later point of a period wins", []Datapoint{{Timestamp: start, Value: 20}, {Timestamp: start, Value: 1}}, StateOK)
}

func TestLowSampleCount(t *testing.T) {
	cfg := Config{
		Period: time.Minute, EvaluationPeriods: 1, Threshold: 100, Comparison: GreaterThanThreshold,
		Statistic: "p99", EvaluateLowSampleCountPercentile: "ignore",
	}
	_, end := Window(cfg, now)
	at := end.Add(-time.Minute)
	f := func(cfg Config, samples float64, from, want State) {
		t.Helper()
		got := Evaluate(cfg, from, now, []Datapoint{{Timestamp: at, Value: 500, SampleCount: samples}})
		if got.State != want {
			t.Errorf("%s %s, %v samples, from %s: got %s; want %s", cfg.Statistic, cfg.EvaluateLowSampleCountPercentile, samples, from, got.State, want)
		}
	}
	f(cfg, 999, StateOK, StateOK) // p99 needs 10/(1-0.99) = 1000
	f(cfg, 1000, StateOK, StateAlarm)
	f(cfg, 0, StateOK, StateAlarm) // unknown
	p10 := cfg
	p10.Statistic = "p10" // 10/0.1 = 100
	f(p10, 99, StateInsufficientData, StateInsufficientData)
	f(p10, 100, StateInsufficientData, StateAlarm)
	eval := cfg
	eval.EvaluateLowSampleCountPercentile = "evaluate"
	f(eval, 1, StateOK, StateAlarm)
	avg := cfg
	avg.Statistic = "Average"
	f(avg, 1, StateOK, StateAlarm)
}

func TestLowSampleMinimum(t *testing.T) {
	for stat, want := range map[string]float64{"p99": 1000, "p50": 20, "p99.9": 10000, "p25": 40, "p1": 1000} {
		got, ok := lowSampleMinimum(stat)
		if !ok || math.Abs(got-want) > 1e-6*want {
			t.Errorf("lowSampleMinimum(%q) = %v, %v; want %v", stat, got, ok, want)
		}
	}
	for _, stat := range []string{"Average", "p100", "p0", "tm99", "p", "pNaN", "p1e1", "p-5"} {
		if _, ok := lowSampleMinimum(stat); ok {
			t.Errorf("lowSampleMinimum(%q) applies; want not", stat)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Period: time.Minute, EvaluationPeriods: 3, DatapointsToAlarm: 2, Comparison: LessThanThreshold}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*Config){
		"period":      func(c *Config) { c.Period = 0 },
		"subsecond":   func(c *Config) { c.Period = 1500 * time.Millisecond },
		"n":           func(c *Config) { c.EvaluationPeriods = 0 },
		"m > n":       func(c *Config) { c.DatapointsToAlarm = 4 },
		"operator":    func(c *Config) { c.Comparison = "Bigger" },
		"treatment":   func(c *Config) { c.TreatMissing = "Missing" },
		"low samples": func(c *Config) { c.EvaluateLowSampleCountPercentile = "skip" },
	} {
		c := ok
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("%s: Validate accepted %+v", name, c)
		}
	}
}

func TestComparisonOperators(t *testing.T) {
	p := func(v float64) Datapoint { return Datapoint{Value: v, Lower: 5, Upper: 15} }
	tests := []struct {
		op               ComparisonOperator
		below, at, above bool // value 9, 10, 11 against threshold 10
		band             [3]bool
	}{
		// band: values 4, 10, 16 against [5, 15]
		{GreaterThanOrEqualToThreshold, false, true, true, [3]bool{false, true, true}},
		{GreaterThanThreshold, false, false, true, [3]bool{false, false, true}},
		{LessThanThreshold, true, false, false, [3]bool{true, false, false}},
		{LessThanOrEqualToThreshold, true, true, false, [3]bool{true, true, false}},
	}
	for _, tt := range tests {
		for v, want := range map[float64]bool{9: tt.below, 10: tt.at, 11: tt.above} {
			if got := tt.op.Breaching(p(v), 10); got != want {
				t.Errorf("%s: %v against 10 breaching %v; want %v", tt.op, v, got, want)
			}
		}
		if tt.op.Band() || !tt.op.Valid() {
			t.Errorf("%s: band %v, valid %v", tt.op, tt.op.Band(), tt.op.Valid())
		}
	}
	bands := []struct {
		op                  ComparisonOperator
		low, in, edge, high bool // 4, 10, 15, 16 against [5, 15]
	}{
		{LessThanLowerOrGreaterThanUpperThreshold, true, false, false, true},
		{LessThanLowerThreshold, true, false, false, false},
		{GreaterThanUpperThreshold, false, false, false, true},
	}
	for _, tt := range bands {
		for v, want := range map[float64]bool{4: tt.low, 10: tt.in, 15: tt.edge, 16: tt.high} {
			// The static threshold is not used.
			if got := tt.op.Breaching(p(v), -1e9); got != want {
				t.Errorf("%s: %v against [5, 15] breaching %v; want %v", tt.op, v, got, want)
			}
		}
		if !tt.op.Band() || !tt.op.Valid() {
			t.Errorf("%s: band %v, valid %v", tt.op, tt.op.Band(), tt.op.Valid())
		}
	}
	if ComparisonOperator("GreaterThan").Valid() {
		t.Error("GreaterThan is valid")
	}
}

// FuzzEvaluate checks Evaluate's invariants on any valid alarm and any
// datapoints: it does not panic, keeps the state only with no reason, and
// writes reason data that is JSON.
func FuzzEvaluate(f *testing.F) {
	f.Add(uint8(3), uint8(3), uint8(0), uint8(1), 10.0, []byte{0, 1, 2, 1, 0})
	f.Add(uint8(3), uint8(2), uint8(1), uint8(5), -1.0, []byte{2, 2, 2, 2, 2})
	f.Add(uint8(1), uint8(0), uint8(3), uint8(6), 0.5, []byte{1})
	f.Add(uint8(2), uint8(0), uint8(2), uint8(4), math.Inf(1), []byte{1, 0})
	ops := []ComparisonOperator{GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold,
		LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold}
	treats := []TreatMissingData{"", TreatMissing, TreatBreaching, TreatNotBreaching, TreatIgnore}
	f.Fuzz(func(t *testing.T, n, m, treat, op uint8, threshold float64, pattern []byte) {
		cfg := Config{
			Period: time.Minute, EvaluationPeriods: int(n%10) + 1, Threshold: threshold,
			Comparison: ops[int(op)%len(ops)], TreatMissing: treats[int(treat)%len(treats)],
			Statistic: "p90", EvaluateLowSampleCountPercentile: "ignore",
		}
		cfg.DatapointsToAlarm = int(m) % (cfg.EvaluationPeriods + 1)
		if cfg.Validate() != nil {
			return // a NaN or infinite threshold
		}
		start, _ := Window(cfg, now)
		var points []Datapoint
		for i, c := range pattern {
			if c%3 == 2 {
				continue
			}
			points = append(points, Datapoint{Timestamp: start.Add(time.Duration(i) * time.Minute),
				Value: float64(c%3) * threshold * 2, SampleCount: float64(c), Lower: -float64(c), Upper: float64(c)})
		}
		for _, from := range []State{StateOK, StateAlarm, StateInsufficientData} {
			got := Evaluate(cfg, from, now, points)
			if got.Changed != (got.State != from) {
				t.Fatalf("changed %v from %s to %s", got.Changed, from, got.State)
			}
			if got.Reason == "" {
				if got.State != from || got.ReasonData != nil {
					t.Fatalf("no reason for %s from %s", got.State, from)
				}
				continue
			}
			if !json.Valid(got.ReasonData) {
				t.Fatalf("reason data is not JSON: %s", got.ReasonData)
			}
		}
	})
}
