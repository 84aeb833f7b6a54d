package mathexpr

// evalIf evaluates IF(condition, trueValue[, falseValue]) as "Using IF
// expressions" specifies
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#using-IF-expressions).
// A condition is true when it is not 0.
//
// With a scalar condition the result is the chosen argument whole, or an
// empty time series when the condition is false and falseValue is omitted.
// With a time series condition the result has a point for each point of
// the condition:
//
//   - true: trueValue's scalar, or trueValue's value at that timestamp, 0
//     when trueValue has none there;
//   - false: falseValue's scalar, or its value at that timestamp; no point
//     when falseValue has none there or is omitted.
//
// A timestamp where the condition has no point has no result. Arrays of
// time series are not among the documented forms and are refused.
func evalIf(e *evaluator, c *callNode) (val, error) {
	args := make([]val, len(c.args))
	for i := range c.args {
		v, err := e.arg(c, i)
		if err != nil {
			return val{}, err
		}
		if v.k == kindArray {
			return val{}, badArg(c, i, "a scalar or a time series", v.k)
		}
		args[i] = v
	}
	cond, yes := args[0], args[1]
	no, hasNo := val{}, len(args) == 3
	if hasNo {
		no = args[2]
	}
	if cond.k == kindScalar {
		switch {
		case cond.num != 0:
			return yes, nil
		case hasNo:
			return no, nil
		case yes.k == kindSeries:
			return seriesVal(derive(yes.one(), nil, nil)), nil
		}
		return seriesVal(Series{Period: e.env.Period()}), nil
	}
	cs := cond.one()
	ts := make([]int64, 0, len(cs.Timestamps))
	vs := make([]float64, 0, len(cs.Timestamps))
	yesAt := lookup(yes, true, true)
	noAt := lookup(no, hasNo, false)
	for i, t := range cs.Timestamps {
		var r float64
		var ok bool
		if cs.Values[i] != 0 {
			r, ok = yesAt(t)
		} else {
			r, ok = noAt(t)
		}
		if !ok || !e.finite(r) {
			continue
		}
		ts = append(ts, t)
		vs = append(vs, r)
	}
	base := cs
	switch {
	case yes.k == kindSeries:
		base = yes.one()
	case hasNo && no.k == kindSeries:
		base = no.one()
	}
	if base.Period <= 0 {
		base.Period = cs.Period
	}
	return seriesVal(derive(base, ts, vs)), nil
}

// lookup returns a function giving v's value at ascending timestamps: a
// scalar everywhere, or a series' value where it has one. Where the series
// has none the value is 0 if zeroWhenMissing is set (trueValue, per the
// documentation) and otherwise missing (ok false). An absent v (present
// false) is missing everywhere.
func lookup(v val, present, zeroWhenMissing bool) func(t int64) (float64, bool) {
	if !present {
		return func(int64) (float64, bool) { return 0, false }
	}
	if v.k == kindScalar {
		return func(int64) (float64, bool) { return v.num, true }
	}
	s := v.one()
	j := 0
	return func(t int64) (float64, bool) {
		for j < len(s.Timestamps) && s.Timestamps[j] < t {
			j++
		}
		if j < len(s.Timestamps) && s.Timestamps[j] == t {
			return s.Values[j], true
		}
		return 0, zeroWhenMissing
	}
}
