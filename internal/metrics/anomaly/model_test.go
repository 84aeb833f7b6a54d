package anomaly

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// train trains a model and fails the test unless it is Trained.
func train(t *testing.T, h series.Series, period int64, cfg Config) *Model {
	t.Helper()
	m, err := Train(h, period, cfg)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if got := m.State(); got != Trained {
		t.Fatalf("State() = %s, want %s", got, Trained)
	}
	return m
}

// injectSpikes adds n spikes of magnitude between lo and hi, alternately
// up and down, at random points of h, and returns their indices.
func injectSpikes(h series.Series, n int, lo, hi float64, seed uint64) map[int]bool {
	rng := rand.New(rand.NewPCG(seed, 7))
	at := map[int]bool{}
	for len(at) < n {
		i := rng.IntN(len(h.Values))
		if at[i] || at[i-1] || at[i+1] {
			continue
		}
		at[i] = true
		mag := lo + (hi-lo)*rng.Float64()
		if len(at)%2 == 0 {
			mag = -mag
		}
		h.Values[i] += mag
	}
	return at
}

func meanWidth(m *Model, ts []int64) float64 {
	_, lo, hi := m.Band(ts, 2)
	var w float64
	for i := range lo {
		w += hi[i] - lo[i]
	}
	return w / float64(len(lo))
}

func TestSpikesFallOutsideTheBand(t *testing.T) {
	s := synth{start: utc(2024, 5, 6), period: 300, days: 14, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 1}
	clean := s.series()
	spiky := s.series()
	spikes := injectSpikes(spiky, 40, 20, 40, 1) // 10 to 20 noise deviations
	m := train(t, spiky, s.period, Config{})

	_, lo, hi := m.Band(spiky.Timestamps, 2)
	for i := range spikes {
		if v := spiky.Values[i]; v >= lo[i] && v <= hi[i] {
			t.Errorf("spike %v at %d is within the band [%v, %v]", v, i, lo[i], hi[i])
		}
	}
	if got := coverage(m, spiky, 2, spikes); got < 0.95 {
		t.Errorf("%.4f of the normal training points are within the band, want >= 0.95", got)
	}
	next := s.fresh(7*288, 99)
	if got := coverage(m, next, 2, nil); got < 0.95 {
		t.Errorf("%.4f of the next week's points are within the band, want >= 0.95", got)
	}
	// The spikes do not widen the band.
	ref := train(t, clean, s.period, Config{})
	wSpiky, wClean := meanWidth(m, next.Timestamps), meanWidth(ref, next.Timestamps)
	if wSpiky > wClean*1.05 {
		t.Errorf("band width with spikes %.3f, without %.3f: spikes widened it by more than 5%%", wSpiky, wClean)
	}
	// The expected value is the noiseless pattern, within a noise
	// deviation.
	exp, _, _ := m.Band(next.Timestamps, 2)
	for i, ts := range next.Timestamps {
		if d := math.Abs(exp[i] - s.truth(ts)); d > s.noise {
			t.Fatalf("expected value at %s is %.2f, truth %.2f", time.Unix(ts, 0).UTC(), exp[i], s.truth(ts))
		}
	}
}

func TestWeeklyPatternIsLearned(t *testing.T) {
	// Busy weekdays between 08:00 and 18:00, quiet weekends.
	s := synth{start: utc(2024, 5, 6), period: 300, days: 14, level: 50, amp: 5, peakHour: 14, weekday: 40, noise: 2, seed: 2}
	m := train(t, s.series(), s.period, Config{})
	if m.seas.kind != weekly {
		t.Errorf("seasonality %v, want weekly", m.seas.kind)
	}
	week3 := s.fresh(7*288, 3)
	if got := coverage(m, week3, 2, nil); got < 0.95 {
		t.Errorf("%.4f of the next week's points are within the band, want >= 0.95", got)
	}
	// At 13:00 a weekday value is normal on Tuesday and an anomaly on
	// Saturday, and a weekend value the other way around.
	tue := utc(2024, 5, 21).Add(13 * time.Hour).Unix()
	sat := utc(2024, 5, 25).Add(13 * time.Hour).Unix()
	busy, quiet := s.truth(tue), s.truth(sat)
	_, lo, hi := m.Band([]int64{tue, sat}, 2)
	if busy < lo[0] || busy > hi[0] || quiet >= lo[0] {
		t.Errorf("Tuesday 13:00 band [%.1f, %.1f]: want %.1f in and %.1f below", lo[0], hi[0], busy, quiet)
	}
	if quiet < lo[1] || quiet > hi[1] || busy <= hi[1] {
		t.Errorf("Saturday 13:00 band [%.1f, %.1f]: want %.1f in and %.1f above", lo[1], hi[1], quiet, busy)
	}
}

func TestHourlyPatternIsLearned(t *testing.T) {
	// A job at the top of every hour lifts the metric for five minutes.
	cron := func(h series.Series) {
		for i, ts := range h.Timestamps {
			if ts/60%60 < 5 {
				h.Values[i] += 20
			}
		}
	}
	s := synth{start: utc(2024, 5, 6), period: 60, days: 14, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 23}
	h := s.series()
	cron(h)
	m := train(t, h, s.period, Config{})
	if !m.seas.kind.hasHourly() {
		t.Errorf("seasonality %v, want an hourly pattern", m.seas.kind)
	}
	next := s.fresh(7*1440, 24)
	cron(next)
	if got := coverage(m, next, 2, nil); got < 0.95 {
		t.Errorf("%.4f of the next week's points are within the band, want >= 0.95", got)
	}
}

func TestTrendIsFollowed(t *testing.T) {
	for _, trend := range []float64{5, -3} {
		s := synth{start: utc(2024, 5, 6), period: 300, days: 14, level: 200, amp: 20, peakHour: 14, trend: trend, noise: 2, seed: 3}
		h := s.series()
		m := train(t, h, s.period, Config{})
		if got := coverage(m, h, 2, nil); got < 0.95 {
			t.Errorf("trend %v: %.4f of the training points are within the band, want >= 0.95", trend, got)
		}
		// The trend is extrapolated for a day: check that day. With
		// 288 points, coverage has a sampling error of about 1.2%.
		next := s.fresh(288, 4)
		if got := coverage(m, next, 2, nil); got < 0.93 {
			t.Errorf("trend %v: %.4f of the next day's points are within the band, want >= 0.93", trend, got)
		}
		exp, _, _ := m.Band(next.Timestamps, 2)
		for i, ts := range next.Timestamps {
			if d := math.Abs(exp[i] - s.truth(ts)); d > s.noise {
				t.Fatalf("trend %v: expected value at %s is %.2f, truth %.2f", trend, time.Unix(ts, 0).UTC(), exp[i], s.truth(ts))
			}
		}
	}
}

func TestConstantSeriesGivesNarrowBand(t *testing.T) {
	for _, c := range []float64{42, 0, -7.5, 1e-300, 1.5e308} {
		s := synth{start: utc(2024, 5, 6), period: 60, days: 14, level: c}
		m := train(t, s.series(), s.period, Config{})
		exp, lo, hi := m.Band(s.after(60), 2)
		for i := range exp {
			if exp[i] != c {
				t.Fatalf("constant %v: expected %v", c, exp[i])
			}
			w := hi[i] - lo[i]
			if c == 1.5e308 {
				w = hi[i]/2 - lo[i]/2 // keep clear of overflow
			}
			if !(w > 0) || w > 1e-3*math.Max(math.Abs(c), 1) {
				t.Fatalf("constant %v: band [%v, %v], want narrow but not empty", c, lo[i], hi[i])
			}
		}
	}
}

func TestExcludedRangesDoNotAffectTheModel(t *testing.T) {
	s := synth{start: utc(2024, 5, 6), period: 300, days: 14, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 5}
	end := s.start.Add(14 * 24 * time.Hour)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		// showing: whether the incident, not excluded, visibly moves
		// the band. In mid-window the medians and the robust scale
		// see past it; in the last 36 hours it looks like a new level.
		showing bool
	}{
		{"two days mid-window", utc(2024, 5, 12).Add(6 * time.Hour), utc(2024, 5, 14).Add(6 * time.Hour), false},
		{"last 36 hours", end.Add(-36 * time.Hour), end, true},
	} {
		// A deployment incident: the metric triples.
		incident := s.series()
		var without series.Series
		for i, ts := range incident.Timestamps {
			if ts >= tc.from.Unix() && ts < tc.to.Unix() {
				incident.Values[i] *= 3
				continue
			}
			without.Timestamps = append(without.Timestamps, ts)
			without.Values = append(without.Values, incident.Values[i])
		}
		// The model cannot tell an excluded range from missing data:
		// the training window still ends at the last point.
		if last := incident.Timestamps[len(incident.Timestamps)-1]; without.Timestamps[len(without.Timestamps)-1] != last {
			without.Timestamps = append(without.Timestamps, last)
			without.Values = append(without.Values, math.NaN())
		}

		excluded := train(t, incident, s.period, Config{Excluded: []TimeRange{{tc.from, tc.to}}})
		removed := train(t, without, s.period, Config{})
		polluted := train(t, incident, s.period, Config{})
		next := s.after(288)
		e1, l1, u1 := excluded.Band(next, 2)
		e2, l2, u2 := removed.Band(next, 2)
		if !slices.Equal(e1, e2) || !slices.Equal(l1, l2) || !slices.Equal(u1, u2) {
			t.Errorf("%s: the band with the incident excluded differs from the band without the incident's points", tc.name)
		}
		e3, _, _ := polluted.Band(next, 2)
		var errEx, errPol float64
		for i, ts := range next {
			errEx = max(errEx, math.Abs(e1[i]-s.truth(ts)))
			errPol = max(errPol, math.Abs(e3[i]-s.truth(ts)))
		}
		if errEx > s.noise {
			t.Errorf("%s, excluded: expected value up to %.2f from the truth", tc.name, errEx)
		}
		if showing := errPol > 10*s.noise; showing != tc.showing {
			t.Errorf("%s, not excluded: expected value up to %.2f from the truth", tc.name, errPol)
		}
	}
}

func TestTimezoneShiftsTheDailyProfile(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	// Peak at 09:00 New York time; daylight saving time starts on
	// 2024-03-10, in the middle of the training data.
	s := synth{start: utc(2024, 3, 1), period: 300, days: 14, loc: ny, level: 100, amp: 30, peakHour: 9, noise: 2, seed: 6}
	h := s.series()
	peak := func(m *Model, day time.Time) time.Time {
		t.Helper()
		ts := make([]int64, 288)
		for i := range ts {
			ts[i] = day.Unix() + int64(i)*300
		}
		exp, _, _ := m.Band(ts, 2)
		best := 0
		for i := range exp {
			if exp[i] > exp[best] {
				best = i
			}
		}
		return time.Unix(ts[best], 0).UTC()
	}
	near := func(got time.Time, want time.Time) bool { return got.Sub(want).Abs() <= 30*time.Minute }

	local := train(t, h, s.period, Config{Location: ny})
	for _, tc := range []struct {
		day  time.Time
		peak time.Time
	}{
		{utc(2024, 3, 5), utc(2024, 3, 5).Add(14 * time.Hour)},   // EST: 09:00 is 14:00 UTC
		{utc(2024, 3, 15), utc(2024, 3, 15).Add(13 * time.Hour)}, // EDT: 09:00 is 13:00 UTC
	} {
		if got := peak(local, tc.day); !near(got, tc.peak) {
			t.Errorf("New York model: peak on %s at %s, want %s", tc.day.Format(time.DateOnly), got.Format(time.TimeOnly), tc.peak.Format(time.TimeOnly))
		}
	}
	next := s.fresh(7*288, 7)
	if got := coverage(local, next, 2, nil); got < 0.95 {
		t.Errorf("New York model: %.4f of the next week's points within the band, want >= 0.95", got)
	}
	// In UTC the peak cannot move with daylight saving time, and the
	// band fits worse.
	inUTC := train(t, h, s.period, Config{})
	if p1, p2 := peak(inUTC, utc(2024, 3, 5)), peak(inUTC, utc(2024, 3, 15)); p1.Hour() != p2.Hour() {
		t.Errorf("UTC model: peaks at %s and %s, want the same hour", p1.Format(time.TimeOnly), p2.Format(time.TimeOnly))
	}
	if cl, cu := meanWidth(local, next.Timestamps), meanWidth(inUTC, next.Timestamps); cl >= cu {
		t.Errorf("band width in New York time %.3f, in UTC %.3f: want the local model tighter", cl, cu)
	}
}

func TestStateFollowsHistory(t *testing.T) {
	hours := func(n int, period int64) series.Series {
		s := synth{start: utc(2024, 5, 6), period: period, days: float64(n) / 24, level: 10, amp: 2, noise: 1, seed: 8}
		return s.series()
	}
	everything := []TimeRange{{utc(2000, 1, 1), utc(2100, 1, 1)}}
	nan := hours(48, 300)
	for i := range nan.Values {
		nan.Values[i] = math.NaN()
	}
	var sparse series.Series
	for i := range 11 {
		sparse.Timestamps = append(sparse.Timestamps, utc(2024, 5, 6).Unix()+int64(i)*4*hour)
		sparse.Values = append(sparse.Values, 1)
	}
	for _, tc := range []struct {
		name   string
		h      series.Series
		period int64
		cfg    Config
		want   string
	}{
		{"no data", series.Series{}, 300, Config{}, PendingTraining},
		{"all excluded", hours(48, 300), 300, Config{Excluded: everything}, PendingTraining},
		{"all NaN", nan, 300, Config{}, PendingTraining},
		{"23 hours", hours(23, 300), 300, Config{}, TrainedInsufficientData},
		{"11 points over two days", sparse, 300, Config{}, TrainedInsufficientData},
		{"12 points over two days", hours(48, 4*3600), 4 * 3600, Config{}, Trained},
		{"24 hours", hours(24, 300), 300, Config{}, Trained},
		{"24 hourly points", hours(24, 3600), 3600, Config{}, Trained},
		{"two weeks", hours(14*24, 60), 60, Config{}, Trained},
	} {
		m, err := Train(tc.h, tc.period, tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := m.State(); got != tc.want {
			t.Errorf("%s: State() = %s, want %s", tc.name, got, tc.want)
		}
		e, l, u := m.Band([]int64{utc(2024, 5, 7).Unix()}, 2)
		if drew := e != nil; drew != (tc.want == Trained) {
			t.Errorf("%s: Band returned %v, %v, %v", tc.name, e, l, u)
		}
	}
	if got := (*Model)(nil).State(); got != PendingTraining {
		t.Errorf("nil model: State() = %s", got)
	}
}

func TestLevelShift(t *testing.T) {
	s := synth{start: utc(2024, 5, 6), period: 300, days: 14, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 9}
	end := s.start.Unix() + 14*day
	for _, tc := range []struct {
		name    string
		before  int64 // the shift, this long before the end of the history
		adopted bool
	}{
		// A change that has lasted three days is the new normal ...
		{"three days ago", 3 * day, true},
		// ... one that started six hours ago is still an anomaly.
		{"six hours ago", 6 * hour, false},
	} {
		h := s.series()
		for i, ts := range h.Timestamps {
			if ts >= end-tc.before {
				h.Values[i] += 30
			}
		}
		m := train(t, h, s.period, Config{})
		shifted := s.fresh(288, 10)
		for i := range shifted.Values {
			shifted.Values[i] += 30
		}
		got := coverage(m, shifted, 2, nil)
		if adopted := got > 0.9; adopted != tc.adopted {
			t.Errorf("shift %s: %.4f of the next day's shifted points are within the band", tc.name, got)
		}
		// Before the shift, the band is where the metric was.
		before := s.series()
		before.Timestamps, before.Values = before.Timestamps[:2016], before.Values[:2016]
		if got := coverage(m, before, 2, nil); got < 0.95 {
			t.Errorf("shift %s: %.4f of the first week's points are within the band", tc.name, got)
		}
	}
}

func TestPeriodicSpikes(t *testing.T) {
	// A metric with irregular spikes, 2% of the points: garbage
	// collections, say.
	s := synth{start: utc(2024, 5, 6), period: 60, days: 14, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 11}
	h := s.series()
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range h.Values {
		if rng.IntN(50) == 0 {
			h.Values[i] += 15 + 5*rng.Float64()
		}
	}
	next := s.fresh(7*1440, 13)
	spikes := map[int]bool{}
	for i := range next.Values {
		if rng.IntN(50) == 0 {
			next.Values[i] += 15 + 5*rng.Float64()
			spikes[i] = true
		}
	}
	inside := func(m *Model) float64 {
		_, lo, hi := m.Band(next.Timestamps, 2)
		n := 0
		for i := range spikes {
			if next.Values[i] >= lo[i] && next.Values[i] <= hi[i] {
				n++
			}
		}
		return float64(n) / float64(len(spikes))
	}
	plain := train(t, h, s.period, Config{})
	if got := inside(plain); got > 0.05 {
		t.Errorf("without PeriodicSpikes, %.3f of the spikes are within the band, want almost none", got)
	}
	periodic := train(t, h, s.period, Config{PeriodicSpikes: true})
	if got := inside(periodic); got < 0.95 {
		t.Errorf("with PeriodicSpikes, %.3f of the spikes are within the band, want >= 0.95", got)
	}
	// Only the upper bound moves.
	_, lo1, _ := plain.Band(next.Timestamps, 2)
	_, lo2, _ := periodic.Band(next.Timestamps, 2)
	if !slices.Equal(lo1, lo2) {
		t.Error("PeriodicSpikes moved the lower bound")
	}
}

func TestBandIsClampedToLogicalRange(t *testing.T) {
	// A count near zero: a band of ±2 noise deviations would go below
	// zero at night.
	s := synth{start: utc(2024, 5, 6), period: 300, days: 14, level: 5, amp: 5, peakHour: 14, noise: 1, seed: 14}
	h := s.series()
	for i, v := range h.Values {
		h.Values[i] = max(v, 0)
	}
	zero, hundred := 0.0, 8.0
	m := train(t, h, s.period, Config{Min: &zero, Max: &hundred})
	exp, lo, hi := m.Band(s.after(288), 3)
	for i := range exp {
		if lo[i] < 0 || hi[i] > 8 || exp[i] < lo[i] || exp[i] > hi[i] {
			t.Fatalf("band [%v, %v] around %v outside [0, 8]", lo[i], hi[i], exp[i])
		}
	}
	if slices.Min(lo) != 0 || slices.Max(hi) != 8 {
		t.Errorf("band from %v to %v, want it clamped at 0 and 8", slices.Min(lo), slices.Max(hi))
	}
}

func TestPeriods(t *testing.T) {
	// Mean coverage of 2,000 new points over several noise draws: with
	// 14 training points (a daily period), one draw's coverage varies by
	// several percent.
	for _, tc := range []struct {
		period int64
		days   float64
		seeds  int
	}{
		{1, 2, 2}, // two days of high-resolution data
		{60, 14, 3},
		{300, 14, 3},
		{3600, 14, 10},
		{86400, 14, 100},
	} {
		var sum float64
		for seed := range uint64(tc.seeds) {
			s := synth{start: utc(2024, 5, 6), period: tc.period, days: tc.days, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 15 + seed}
			m := train(t, s.series(), tc.period, Config{})
			sum += coverage(m, s.fresh(2000, 100+seed), 2, nil)
		}
		if got := sum / float64(tc.seeds); got < 0.95 {
			t.Errorf("period %d: %.4f of the next points within the band, want >= 0.95", tc.period, got)
		}
	}
}

func TestSparseMetric(t *testing.T) {
	// A 60-second metric reported once every 10 minutes or so, with
	// gaps: the model learns from the points there are.
	s := synth{start: utc(2024, 5, 6), period: 60, days: 14, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 17}
	full := s.series()
	rng := rand.New(rand.NewPCG(17, 18))
	var h series.Series
	for i, ts := range full.Timestamps {
		if rng.IntN(10) == 0 {
			h.Timestamps = append(h.Timestamps, ts)
			h.Values = append(h.Values, full.Values[i])
		}
	}
	m := train(t, h, s.period, Config{})
	if m.seas.kind < daily {
		t.Errorf("seasonality %v, want the daily pattern", m.seas.kind)
	}
	if got := coverage(m, s.fresh(7*1440, 19), 2, nil); got < 0.95 {
		t.Errorf("%.4f of the next week's points within the band, want >= 0.95", got)
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	one, two, nan := 1.0, 2.0, math.NaN()
	ok := series.Series{Timestamps: []int64{0, 60}, Values: []float64{1, 2}}
	for _, tc := range []struct {
		name   string
		h      series.Series
		period int64
		cfg    Config
	}{
		{"zero period", ok, 0, Config{}},
		{"negative period", ok, -60, Config{}},
		{"length mismatch", series.Series{Timestamps: []int64{0, 60}, Values: []float64{1}}, 60, Config{}},
		{"unsorted", series.Series{Timestamps: []int64{60, 0}, Values: []float64{1, 2}}, 60, Config{}},
		{"duplicate", series.Series{Timestamps: []int64{0, 0}, Values: []float64{1, 2}}, 60, Config{}},
		{"inverted range", ok, 60, Config{Excluded: []TimeRange{{utc(2024, 5, 2), utc(2024, 5, 1)}}}},
		{"min above max", ok, 60, Config{Min: &two, Max: &one}},
		{"NaN min", ok, 60, Config{Min: &nan}},
	} {
		if m, err := Train(tc.h, tc.period, tc.cfg); err == nil {
			t.Errorf("%s: Train returned a model in state %s, want an error", tc.name, m.State())
		}
	}
}

func TestOnlyTheLastTwoWeeksCount(t *testing.T) {
	s := synth{start: utc(2024, 5, 1), period: 300, days: 20, level: 100, amp: 20, peakHour: 14, noise: 2, seed: 25}
	h := s.series()
	cut := len(h.Timestamps) - 14*288
	for i := range cut {
		h.Values[i] *= 10 // long ago, the metric was different
	}
	recent := series.Series{Timestamps: h.Timestamps[cut:], Values: h.Values[cut:]}
	all := train(t, h, s.period, Config{})
	last := train(t, recent, s.period, Config{})
	if !reflect.DeepEqual(all, last) {
		t.Error("the model of twenty days differs from the model of their last fourteen")
	}
}
