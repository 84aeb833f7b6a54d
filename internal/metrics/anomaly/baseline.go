package anomaly

import (
	"math"
	"slices"
)

// baseline is the non-seasonal part of the model: a linear trend and at
// most one level shift. Its level is zero at the middle of the training
// data before the shift; the seasonal part carries the level.
type baseline struct {
	tc    int64   // reference time, where the trend is zero
	slope float64 // change per day
	// step is added from tau on: a lasting change of level found in
	// the training data.
	step float64
	tau  int64
	// The trend is not extrapolated beyond [tmin, tmax]: a line fitted
	// to two weeks says little about next month.
	tmin, tmax int64
}

// extrapolate is how far beyond the training data the trend goes on.
const extrapolate = day

const (
	// slopeZ is how many standard errors a trend must stand from zero
	// to be kept.
	slopeZ = 3
	// minShiftSpan is how long a new level must have lasted, and the
	// old one before it, to count as a level shift rather than an
	// anomaly: an incident that has gone on for a day becomes the new
	// normal, as CloudWatch's model "adjusts if the metric values
	// evolve over time or have sudden changes".
	minShiftSpan = day
	// shiftGain is how much of the robust cost a level shift must
	// remove, and shiftZ how many block standard deviations it must
	// measure, to be kept.
	shiftGain = 0.5
	shiftZ    = 5
)

// at returns the baseline at time t.
func (b *baseline) at(t int64) float64 {
	tt := min(max(t, b.tmin), b.tmax)
	v := b.slope * float64(tt-b.tc) / day
	if b.step != 0 && t >= b.tau {
		v += b.step
	}
	return v
}

// blockSeries is a series of block medians: the median of z over the
// training points in each block of time, at the blocks' mean time in days
// from tc.
type blockSeries struct {
	x, m  []float64
	start []int64 // each block's start time
}

func (ts *trainSet) blocks(z []float64, width, tc int64) blockSeries {
	var bs blockSeries
	var vals []float64
	var sumX float64
	cur := int64(-1)
	flush := func() {
		if len(vals) == 0 {
			return
		}
		bs.x = append(bs.x, sumX/float64(len(vals)))
		bs.m = append(bs.m, median(vals))
		bs.start = append(bs.start, ts.first+cur*width)
		vals, sumX = vals[:0], 0
	}
	for i, t := range ts.t {
		if j := (t - ts.first) / width; j != cur {
			flush()
			cur = j
		}
		vals = append(vals, z[i])
		sumX += float64(t-tc) / day
	}
	flush()
	return bs
}

// fitBaseline fits the baseline to z (the values less their seasonal
// part, or the raw values on the first pass) from block medians of the
// given width: a Theil–Sen line, kept only when its slope is significant,
// and, when allowShift, the single level shift that best explains the
// blocks if it is large and lasting. Block medians make both blind to
// spikes shorter than half a block.
func (ts *trainSet) fitBaseline(z []float64, width int64, allowShift bool) baseline {
	tc := ts.first + (ts.last-ts.first)/2
	b := baseline{tc: tc, tmin: ts.first - extrapolate, tmax: ts.last + extrapolate}
	bs := ts.blocks(z, width, tc)
	if len(bs.m) < 3 {
		return b
	}
	minDX := float64(width) / day / 2
	b.slope = significantSlope(bs.x, bs.m, minDX)
	if !allowShift {
		return b
	}
	u := make([]float64, len(bs.m))
	for j := range u {
		u[j] = bs.m[j] - b.slope*bs.x[j]
	}
	k, step, ok := ts.levelShift(bs, u)
	if !ok {
		return b
	}
	// Refit the trend without the shift, then the shift on the new
	// trend.
	adj := slices.Clone(bs.m)
	for j := k; j < len(adj); j++ {
		adj[j] -= step
	}
	b.slope = significantSlope(bs.x, adj, minDX)
	for j := range u {
		u[j] = bs.m[j] - b.slope*bs.x[j]
	}
	pre, post := slices.Clone(u[:k]), slices.Clone(u[k:])
	b.step = median(post) - median(pre)
	b.tau = bs.start[k]
	// The seasonal part carries the level from before the shift, and
	// the line through it is zero at tc.
	return b
}

// significantSlope returns the Theil–Sen slope of the blocks, or 0 when it
// is within slopeZ standard errors of zero.
func significantSlope(x, m []float64, minDX float64) float64 {
	slope, ok := theilSen(x, m, minDX)
	if !ok || slope == 0 {
		return 0
	}
	r := make([]float64, len(m))
	var mx float64
	for j := range m {
		r[j] = m[j] - slope*x[j]
		mx += x[j]
	}
	mx /= float64(len(x))
	c := median(slices.Clone(r))
	for j := range r {
		r[j] -= c
	}
	sigma := absScale(r, make([]float64, 0, len(r)))
	var sxx float64
	for _, xj := range x {
		sxx += (xj - mx) * (xj - mx)
	}
	// The Theil–Sen estimator is about as efficient as least squares
	// on normal errors, whose slope has standard error sigma/sqrt(Sxx).
	if se := sigma / math.Sqrt(sxx); math.Abs(slope) < slopeZ*se {
		return 0
	}
	return slope
}

// levelShift looks for the block k where the level of u (block medians
// less trend) changes for good: the split into two runs, each at least
// minShiftSpan long, whose medians leave the smallest sum of absolute
// deviations. It reports the shift when that sum is at most shiftGain of
// the unsplit one and the shift is shiftZ robust standard deviations of
// the blocks.
func (ts *trainSet) levelShift(bs blockSeries, u []float64) (k int, step float64, ok bool) {
	end := ts.last + ts.period
	cost := func(xs []float64) (float64, float64) {
		med := median(slices.Clone(xs))
		var c float64
		for _, x := range xs {
			c += math.Abs(x - med)
		}
		return c, med
	}
	total, _ := cost(u)
	best, bestK := math.Inf(1), -1
	for j := 1; j < len(u); j++ {
		if bs.start[j]-ts.first < minShiftSpan || end-bs.start[j] < minShiftSpan {
			continue
		}
		c1, _ := cost(u[:j])
		c2, _ := cost(u[j:])
		if c1+c2 < best {
			best, bestK = c1+c2, j
		}
	}
	if bestK < 0 || best > shiftGain*total {
		return 0, 0, false
	}
	_, m1 := cost(u[:bestK])
	_, m2 := cost(u[bestK:])
	dev := make([]float64, len(u))
	for j := range u {
		if j < bestK {
			dev[j] = u[j] - m1
		} else {
			dev[j] = u[j] - m2
		}
	}
	sigma := absScale(dev, make([]float64, 0, len(dev)))
	step = m2 - m1
	if math.Abs(step) < shiftZ*sigma || step == 0 {
		return 0, 0, false
	}
	return bestK, step, true
}
