package anomaly

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// synth describes a synthetic metric: a level, a daily cosine peaking at
// a wall-clock hour, an optional weekday business-hours hump, a linear
// trend and Gaussian noise, sampled every period seconds.
type synth struct {
	start  time.Time
	period int64
	days   float64
	loc    *time.Location // wall clock of the daily pattern; UTC if nil

	level, amp float64 // daily cosine: level + amp*cos(...)
	peakHour   float64
	weekday    float64 // hump added on weekdays between 08:00 and 18:00
	trend      float64 // per day
	noise      float64 // standard deviation
	seed       uint64
}

// truth returns the noiseless value at t.
func (s synth) truth(t int64) float64 {
	loc := s.loc
	if loc == nil {
		loc = time.UTC
	}
	tm := time.Unix(t, 0).In(loc)
	h := float64(tm.Hour()) + float64(tm.Minute())/60 + float64(tm.Second())/3600
	v := s.level + s.amp*math.Cos(2*math.Pi*(h-s.peakHour)/24)
	if wd := tm.Weekday(); s.weekday != 0 && wd != time.Saturday && wd != time.Sunday && h > 8 && h < 18 {
		v += s.weekday * math.Sin(math.Pi*(h-8)/10)
	}
	v += s.trend * float64(t-s.start.Unix()) / day
	return v
}

// series samples the metric with noise.
func (s synth) series() series.Series {
	rng := rand.New(rand.NewPCG(s.seed, 0x5eed))
	n := int(s.days * day / float64(s.period))
	out := series.Series{Timestamps: make([]int64, n), Values: make([]float64, n)}
	t0 := s.start.Unix()
	for i := range n {
		t := t0 + int64(i)*s.period
		out.Timestamps[i] = t
		out.Values[i] = s.truth(t) + s.noise*rng.NormFloat64()
	}
	return out
}

// after returns the timestamps of the next n periods after the series.
func (s synth) after(n int) []int64 {
	t0 := s.start.Unix() + int64(s.days*day)
	ts := make([]int64, n)
	for i := range ts {
		ts[i] = t0 + int64(i)*s.period
	}
	return ts
}

// fresh returns the metric over the next n periods with new noise.
func (s synth) fresh(n int, seed uint64) series.Series {
	rng := rand.New(rand.NewPCG(seed, 0xf7e5))
	ts := s.after(n)
	vs := make([]float64, n)
	for i, t := range ts {
		vs[i] = s.truth(t) + s.noise*rng.NormFloat64()
	}
	return series.Series{Timestamps: ts, Values: vs}
}

// coverage returns the fraction of the points of s within the band of m
// at stddevs, skipping the indices in skip.
func coverage(m *Model, s series.Series, stddevs float64, skip map[int]bool) float64 {
	_, lo, hi := m.Band(s.Timestamps, stddevs)
	in, n := 0, 0
	for i, v := range s.Values {
		if skip[i] {
			continue
		}
		n++
		if v >= lo[i] && v <= hi[i] {
			in++
		}
	}
	return float64(in) / float64(n)
}

// utc returns the time at the given date in UTC.
func utc(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
