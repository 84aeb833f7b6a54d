package anomaly

import (
	"math"
	"slices"
)

const (
	// shrinkWeight is how many residuals' worth of weight the broader
	// scale gets when an hour's scale is estimated: an hour with few
	// residuals takes the scale of the day (or of the hour of day).
	shrinkWeight = 60
	// relFloor is the least standard deviation, relative to the
	// metric's typical magnitude: a constant metric gets a narrow band,
	// never an empty one.
	relFloor = 1e-4
	// spikeQuantile is the quantile of the spikes seen in training
	// that a model with periodic spikes keeps within two standard
	// deviations above the expected value.
	spikeQuantile = 0.95
	// smallSample widens the band of a model trained on few points by
	// 1 + smallSample/(n-1): the expected value and the scale are then
	// uncertain themselves, as Student's t widens a normal interval.
	// The constant is calibrated on simulated normal noise so that a
	// model of 14 points (two weeks of a daily period) keeps about 95%
	// of new points within two standard deviations; with 300 points and
	// more it widens the band by 1% or less.
	smallSample = 3
	// minSpikes is how many spikes an hour (with its neighbours) needs
	// to have its own spike height.
	minSpikes = 3
)

// scaleModel is the band's standard deviation by hour of the day, or hour
// of the week for a weekly model (metrics are often noisier when busy):
// down below the expected value and up above it.
type scaleModel struct {
	down, up *profile
}

// at returns the standard deviations below and above the expected value
// at wall-clock seconds ls.
func (s *scaleModel) at(ls int64) (down, up float64) {
	ph := phaseDay(ls)
	if s.down.cycle == week {
		ph = phaseWeek(ls)
	}
	return s.down.at(ph), s.up.at(ph)
}

// fitScale estimates the scale from the out-of-fold residuals r: a robust
// standard deviation for each hour of the day, shrunk toward the overall
// one in proportion to how few residuals the hour has, and for a weekly
// model each hour of the week, shrunk toward its hour of the day.
// Residuals are measured around zero, so that a bias of the model at some
// hour widens the band there. With periodicSpikes, the upper scale is
// raised so that the spikes seen in training (up to spikeQuantile) fall
// within two standard deviations.
func (ts *trainSet) fitScale(r []float64, weeklyScale, periodicSpikes bool, floor float64) scaleModel {
	all := make([]int32, len(ts.t))
	for i := range all {
		all[i] = int32(i)
	}
	buf := make([]float64, 0, len(r))
	overall := absScale(r, buf)
	sc := &scratch{a: make([]float64, 0, len(r)), b: make([]float64, 0, len(r))}

	byDay := group(day, hour, ts.period, ts.pd, r, all)
	sd := make([]float64, len(byDay.anchor))
	for b := range sd {
		sd[b] = shrink(byDay, b, overall, sc)
	}
	g, sigma := byDay, sd
	if weeklyScale {
		g = group(week, hour, ts.period, ts.pw, r, all)
		sigma = make([]float64, len(g.anchor))
		for b := range sigma {
			sigma[b] = shrink(g, b, sd[b%24], sc)
		}
	}
	widen := 1 + smallSample/float64(max(len(r)-1, 1))
	for b := range sigma {
		sigma[b] = max(sigma[b]*widen, floor)
	}
	down := &profile{cycle: g.cycle, width: hour, v: sigma, anchor: g.anchor}
	if !periodicSpikes {
		return scaleModel{down: down, up: down}
	}
	return scaleModel{down: down, up: ts.spikeScale(g, down)}
}

// spikeScale returns the upper scale of a metric with periodic spikes:
// the spikes are the residuals above rejectC standard deviations, which
// the scale ignored, and in each hour with at least minSpikes of them
// (with its neighbours) the upper scale is raised to half their
// spikeQuantile height, so that the band at the default two standard
// deviations holds such spikes. Hours without spikes of their own take
// the overall spike height if spikes were seen in at least half the
// hours (they come at any time), else keep their scale (the spikes come
// at set times, elsewhere).
func (ts *trainSet) spikeScale(g *buckets, down *profile) *profile {
	nb := len(g.anchor)
	spikes := make([][]float64, nb)
	var all []float64
	hours := 0
	for b := range nb {
		for _, r := range g.vals[g.off[b]:g.off[b+1]] {
			if r > rejectC*down.v[b] {
				spikes[b] = append(spikes[b], r)
				all = append(all, r)
			}
		}
		if len(spikes[b]) > 0 {
			hours++
		}
	}
	up := &profile{cycle: down.cycle, width: down.width, v: slices.Clone(down.v), anchor: down.anchor}
	overall := 0.0
	if len(all) >= minSpikes && 2*hours >= nb {
		overall = quantile(all, spikeQuantile)
	}
	var win []float64
	for b := range nb {
		win = win[:0]
		for j := b - 1; j <= b+1; j++ {
			win = append(win, spikes[mod(int64(j), int64(nb))]...)
		}
		h := overall
		if len(win) >= minSpikes {
			h = quantile(win, spikeQuantile)
		}
		up.v[b] = max(up.v[b], h/2)
	}
	return up
}

// shrink returns the robust scale of the residuals of bucket b and its two
// neighbours (noise changes gradually through the day), shrunk toward
// prior: the variances are averaged, the prior weighing as shrinkWeight
// residuals.
func shrink(g *buckets, b int, prior float64, buf *scratch) float64 {
	nb := len(g.anchor)
	vals := buf.a[:0]
	if nb < 3 {
		vals = append(vals, g.vals...)
	} else {
		for j := b - 1; j <= b+1; j++ {
			k := int(mod(int64(j), int64(nb)))
			vals = append(vals, g.vals[g.off[k]:g.off[k+1]]...)
		}
	}
	if len(vals) == 0 {
		return prior
	}
	s := absScale(vals, buf.b)
	n := float64(len(vals))
	return math.Sqrt((n*s*s + shrinkWeight*prior*prior) / (n + shrinkWeight))
}

// scratch is two buffers, each with room for all the residuals.
type scratch struct{ a, b []float64 }
