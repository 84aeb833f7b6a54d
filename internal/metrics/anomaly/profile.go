package anomaly

// A profile is a seasonal shape: one value per bucket of a cycle (an hour,
// a day or a week of wall-clock time), read between buckets by linear
// interpolation so that the expected value has no steps at bucket edges.
type profile struct {
	cycle, width int64
	// v is the value of each bucket, at the phase anchor (the mean phase
	// of the bucket's training points).
	v, anchor []float64
}

// at returns the profile's value at a phase within its cycle.
func (p *profile) at(phase int64) float64 {
	if p == nil {
		return 0
	}
	nb := len(p.v)
	if nb == 1 {
		return p.v[0]
	}
	b := int(phase / p.width)
	x := float64(phase)
	// Interpolate between the anchors either side of x, wrapping around
	// the cycle.
	lo, hi := b, b
	if x >= p.anchor[b] {
		hi = b + 1
	} else {
		lo = b - 1
	}
	xl, xh := 0.0, 0.0
	switch {
	case lo < 0:
		lo = nb - 1
		xl, xh = p.anchor[lo]-float64(p.cycle), p.anchor[hi]
	case hi == nb:
		hi = 0
		xl, xh = p.anchor[lo], p.anchor[hi]+float64(p.cycle)
	default:
		xl, xh = p.anchor[lo], p.anchor[hi]
	}
	if xh <= xl {
		return p.v[b]
	}
	f := (x - xl) / (xh - xl)
	return p.v[lo] + f*(p.v[hi]-p.v[lo])
}

// buckets groups training points by bucket of a cycle: the values of
// bucket b are vals[off[b]:off[b+1]].
type buckets struct {
	cycle, width int64
	off          []int
	vals         []float64
	anchor       []float64
}

// group buckets the points idx by phase, taking the value val[i] of each.
// A bucket without points gets the anchor its points would have if data
// were aligned on the period.
func group(cycle, width, period int64, phase []int64, val []float64, idx []int32) *buckets {
	nb := int((cycle + width - 1) / width)
	g := &buckets{cycle: cycle, width: width, off: make([]int, nb+1), vals: make([]float64, len(idx)), anchor: make([]float64, nb)}
	for _, i := range idx {
		b := phase[i] / width
		g.off[b+1]++
		g.anchor[b] += float64(phase[i])
	}
	for b := range nb {
		if n := g.off[b+1]; n > 0 {
			g.anchor[b] /= float64(n)
		} else {
			g.anchor[b] = float64(int64(b)*width) + float64(max(0, width-period))/2
		}
		g.off[b+1] += g.off[b]
	}
	pos := make([]int, nb)
	copy(pos, g.off[:nb])
	for _, i := range idx {
		b := phase[i] / width
		g.vals[pos[b]] = val[i]
		pos[b]++
	}
	return g
}

// count returns the number of points in bucket b.
func (g *buckets) count(b int) int { return g.off[b+1] - g.off[b] }

// medianProfile returns the profile whose value in each bucket is the
// median of the points in a window of buckets around it: at least
// minHalf buckets either side, widened until it holds minSamples points
// (or the whole cycle). Medians rather than means keep spikes in the
// training data from moving the expected value.
func (g *buckets) medianProfile(minSamples, minHalf int) *profile {
	nb := len(g.anchor)
	p := &profile{cycle: g.cycle, width: g.width, v: make([]float64, nb), anchor: g.anchor}
	scratch := make([]float64, 0, 4*minSamples)
	for b := range nb {
		h := minHalf
		for 2*h+1 < nb && g.window(b, h) < minSamples {
			h++
		}
		scratch = scratch[:0]
		if 2*h+1 >= nb {
			scratch = append(scratch, g.vals...)
		} else {
			for j := b - h; j <= b+h; j++ {
				k := int(mod(int64(j), int64(nb)))
				scratch = append(scratch, g.vals[g.off[k]:g.off[k+1]]...)
			}
		}
		p.v[b] = median(scratch)
	}
	return p
}

// window returns the number of points in buckets b-h..b+h.
func (g *buckets) window(b, h int) int {
	nb := len(g.anchor)
	if 2*h+1 >= nb {
		return len(g.vals)
	}
	n := 0
	for j := b - h; j <= b+h; j++ {
		n += g.count(int(mod(int64(j), int64(nb))))
	}
	return n
}
