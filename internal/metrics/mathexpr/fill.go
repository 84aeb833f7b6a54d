package mathexpr

// evalFill evaluates FILL(TS|TS[], S|TS|REPEAT|LINEAR): the missing points
// of each series, over the request's range at the series' period, take
// the filler:
//
//   - a scalar fills every missing point;
//   - a time series fills a missing point with its value at that
//     timestamp, where it has one;
//   - REPEAT fills with the most recent value before the gap, so a gap at
//     the start of the range stays empty;
//   - LINEAR fills with the straight line between the values on either side
//     of the gap, by time, so gaps at either end stay empty.
func evalFill(e *evaluator, c *callNode) (val, error) {
	v, err := e.seriesArg(c, 0)
	if err != nil {
		return val{}, err
	}
	var fill func(ts []int64, vs []float64, have []bool)
	if kw, ok := c.args[1].(*kwNode); ok {
		if kw.name == "REPEAT" {
			fill = fillRepeat
		} else {
			fill = fillLinear
		}
	} else {
		w, err := e.arg(c, 1)
		if err != nil {
			return val{}, err
		}
		switch w.k {
		case kindScalar:
			fill = func(_ []int64, vs []float64, have []bool) {
				for i := range vs {
					if !have[i] {
						vs[i], have[i] = w.num, true
					}
				}
			}
		case kindSeries:
			fill = func(ts []int64, vs []float64, have []bool) { fillFrom(ts, vs, have, w.one()) }
		default:
			return val{}, badArg(c, 1, "a scalar, a time series, REPEAT or LINEAR", w.k)
		}
	}
	out := make([]Series, len(v.list))
	for i, s := range v.list {
		g, err := e.grid(s.Period)
		if err != nil {
			return val{}, err
		}
		ts := mergeTimestamps(g, s.Timestamps)
		vs := make([]float64, len(ts))
		have := make([]bool, len(ts))
		forEachAligned(ts, s, func(j int, x float64) { vs[j], have[j] = x, true })
		fill(ts, vs, have)
		out[i] = e.compact(s, ts, vs, have)
	}
	return val{k: v.k, list: out}, nil
}

// fillFrom fills missing points from the points of f at the same
// timestamps.
func fillFrom(ts []int64, vs []float64, have []bool, f Series) {
	j := 0
	for i, t := range ts {
		for j < len(f.Timestamps) && f.Timestamps[j] < t {
			j++
		}
		if !have[i] && j < len(f.Timestamps) && f.Timestamps[j] == t {
			vs[i], have[i] = f.Values[j], true
		}
	}
}

// fillRepeat carries the last value forward.
func fillRepeat(_ []int64, vs []float64, have []bool) {
	last, seen := 0.0, false
	for i := range vs {
		switch {
		case have[i]:
			last, seen = vs[i], true
		case seen:
			vs[i], have[i] = last, true
		}
	}
}

// fillLinear interpolates over gaps that have a value on both sides.
func fillLinear(ts []int64, vs []float64, have []bool) {
	prev := -1
	for i := range vs {
		if !have[i] {
			continue
		}
		if prev >= 0 && i-prev > 1 {
			t0, t1 := float64(ts[prev]), float64(ts[i])
			v0, v1 := vs[prev], vs[i]
			for k := prev + 1; k < i; k++ {
				vs[k] = v0 + (v1-v0)*(float64(ts[k])-t0)/(t1-t0)
				have[k] = true
			}
		}
		prev = i
	}
}

// compact returns the points that have a finite value as a series derived
// from s.
func (e *evaluator) compact(s Series, ts []int64, vs []float64, have []bool) Series {
	n := 0
	for i := range ts {
		if have[i] && e.finite(vs[i]) {
			n++
		}
	}
	ots := make([]int64, 0, n)
	ovs := make([]float64, 0, n)
	for i := range ts {
		if have[i] && !isNonFinite(vs[i]) {
			ots = append(ots, ts[i])
			ovs = append(ovs, vs[i])
		}
	}
	return derive(s, ots, ovs)
}
