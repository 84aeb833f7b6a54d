package anomaly

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// shapes are metrics of many kinds, well and badly behaved, for the
// property tests.
func shapes(period int64, seed uint64) map[string]series.Series {
	rng := rand.New(rand.NewPCG(seed, 21))
	n := int(14 * day / period)
	t0 := utc(2024, 3, 1).Unix()
	make := func(f func(i int) float64) series.Series {
		s := series.Series{Timestamps: make([]int64, 0, n), Values: make([]float64, 0, n)}
		for i := range n {
			s.Timestamps = append(s.Timestamps, t0+int64(i)*period)
			s.Values = append(s.Values, f(i))
		}
		return s
	}
	daily := synth{start: utc(2024, 3, 1), period: period, days: 14, level: 100, amp: 20, peakHour: 14, weekday: 30, trend: 2, noise: 2, seed: seed}
	walk := 0.0
	return map[string]series.Series{
		"daily":    daily.series(),
		"constant": make(func(int) float64 { return 3 }),
		"zero":     make(func(int) float64 { return 0 }),
		"walk":     make(func(int) float64 { walk += rng.NormFloat64(); return walk }),
		"cauchy":   make(func(int) float64 { return 10 + math.Tan(math.Pi*(rng.Float64()-0.5)) }),
		"counts":   make(func(i int) float64 { return float64(rng.IntN(3) * rng.IntN(2)) }),
		"rare":     make(func(int) float64 { return float64(rng.IntN(100) / 99) }),
		"step":     make(func(i int) float64 { return float64(i*5/n) * 100 }),
		"huge":     make(func(int) float64 { return (rng.Float64()*2 - 1) * math.MaxFloat64 }),
		"tiny":     make(func(int) float64 { return rng.Float64() * 5e-324 * 1e10 }),
		"extremes": make(func(i int) float64 { return float64(i%2*2-1) * math.MaxFloat64 }),
		"gappy": func() series.Series {
			s := daily.series()
			var g series.Series
			for i := range s.Timestamps {
				if rng.IntN(4) == 0 || (i/500)%3 == 1 {
					continue
				}
				g.Timestamps = append(g.Timestamps, s.Timestamps[i])
				g.Values = append(g.Values, s.Values[i])
			}
			return g
		}(),
	}
}

// probeTimes returns timestamps to evaluate a band at: the training ones,
// others before, between and after them, and the extremes of int64.
func probeTimes(h series.Series) []int64 {
	ts := append([]int64(nil), h.Timestamps...)
	first, last := h.Timestamps[0], h.Timestamps[len(h.Timestamps)-1]
	for _, d := range []int64{1, 17, hour, day, 3 * day, 365 * day, 1 << 40} {
		ts = append(ts, first-d, last+d, first+d)
	}
	return append(ts, 0, math.MinInt64, math.MaxInt64, math.MinInt64/2, math.MaxInt64/2)
}

// checkBand checks a model's band invariants at ts: no NaN, lower <=
// expected <= upper, and bounds that widen with stddevs, strictly unless
// clamped to the model's Min or Max.
func checkBand(t *testing.T, name string, m *Model, ts []int64) {
	t.Helper()
	ks := []float64{0, 0.5, 1, 2, 3, 10, 1e300, math.Inf(1)}
	var prevLo, prevHi []float64
	for _, k := range ks {
		e, lo, hi := m.Band(ts, k)
		if len(e) != len(ts) || len(lo) != len(ts) || len(hi) != len(ts) {
			t.Fatalf("%s: Band returned %d, %d, %d values for %d timestamps", name, len(e), len(lo), len(hi), len(ts))
		}
		for i := range ts {
			if math.IsNaN(e[i]) || math.IsNaN(lo[i]) || math.IsNaN(hi[i]) {
				t.Fatalf("%s, %v stddevs, t=%d: NaN in (%v, %v, %v)", name, k, ts[i], e[i], lo[i], hi[i])
			}
			if !(lo[i] <= e[i] && e[i] <= hi[i]) {
				t.Fatalf("%s, %v stddevs, t=%d: want lower %v <= expected %v <= upper %v", name, k, ts[i], lo[i], e[i], hi[i])
			}
			if k == 0 && (lo[i] != e[i] || hi[i] != e[i]) {
				t.Fatalf("%s, 0 stddevs, t=%d: band [%v, %v] around %v, want empty", name, ts[i], lo[i], hi[i], e[i])
			}
			if prevLo == nil {
				continue
			}
			if lo[i] > prevLo[i] || hi[i] < prevHi[i] {
				t.Fatalf("%s, t=%d: band [%v, %v] at %v stddevs is not wider than [%v, %v] below", name, ts[i], lo[i], hi[i], k, prevLo[i], prevHi[i])
			}
			// Unless clamping, rounding or overflow hides it, the band
			// grows.
			clamped := lo[i] == m.min || hi[i] == m.max
			w, pw := hi[i]-lo[i], prevHi[i]-prevLo[i]
			resolvable := w > 1e-300 && w > 1e-9*math.Abs(e[i]) && !math.IsInf(w, 0)
			if !clamped && resolvable && w <= pw {
				t.Fatalf("%s, t=%d: width %v at %v stddevs, %v below", name, ts[i], w, k, pw)
			}
		}
		prevLo, prevHi = lo, hi
	}
}

func TestBandProperties(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	zero, hundred := 0.0, 100.0
	configs := map[string]Config{
		"default":  {},
		"new york": {Location: ny, PeriodicSpikes: true},
		"clamped":  {Min: &zero, Max: &hundred},
	}
	for _, period := range []int64{60, 300, 3600} {
		for name, h := range shapes(period, uint64(period)) {
			for cname, cfg := range configs {
				label := name + "/" + cname
				m1, err := Train(h, period, cfg)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				if m1.State() != Trained {
					t.Fatalf("%s: State() = %s", label, m1.State())
				}
				ts := probeTimes(h)
				checkBand(t, label, m1, ts)

				// Training is deterministic.
				m2, _ := Train(h, period, cfg)
				if !reflect.DeepEqual(m1, m2) {
					t.Fatalf("%s: two trainings on the same data differ", label)
				}
				e1, l1, u1 := m1.Band(ts, 2)
				e2, l2, u2 := m2.Band(ts, 2)
				if !reflect.DeepEqual([][]float64{e1, l1, u1}, [][]float64{e2, l2, u2}) {
					t.Fatalf("%s: two bands of the same model differ", label)
				}
			}
		}
	}
}

func TestBandConcurrentUse(t *testing.T) {
	s := synth{start: utc(2024, 5, 6), period: 300, days: 14, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 22}
	m := train(t, s.series(), s.period, Config{})
	ts := s.after(1440)
	want, _, _ := m.Band(ts, 2)
	done := make(chan []float64)
	for range 4 {
		go func() {
			e, _, _ := m.Band(ts, 2)
			done <- e
		}()
	}
	for range 4 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Fatal("concurrent Band calls disagree")
		}
	}
}
