package widget

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// linear maps values onto a pixel span.
type linear struct {
	min, max float64 // the value range
	p0, p1   float64 // the pixels of min and max
	ticks    []float64
	step     float64
}

// px returns the pixel of v.
func (s *linear) px(v float64) float64 {
	if s.max == s.min {
		return s.p0
	}
	return s.p0 + (v-s.min)/(s.max-s.min)*(s.p1-s.p0)
}

// extent is the range of values an axis must show.
type extent struct {
	lo, hi float64
	ok     bool
}

// add widens the extent to v, ignoring NaN and infinities.
func (e *extent) add(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if !e.ok {
		e.lo, e.hi, e.ok = v, v, true
		return
	}
	e.lo = min(e.lo, v)
	e.hi = max(e.hi, v)
}

// valueScale chooses the range and ticks of a value axis: the data's
// extent widened to round ticks, or the axis' fixed min and max, with
// about n ticks.
func valueScale(e extent, a YAxis, includeZero bool, n int) linear {
	lo, hi := 0.0, 1.0
	if e.ok {
		lo, hi = e.lo, e.hi
	}
	if includeZero {
		lo, hi = min(lo, 0), max(hi, 0)
	}
	if a.Min != nil {
		lo = *a.Min
	}
	if a.Max != nil {
		hi = *a.Max
	}
	if hi <= lo {
		switch {
		case a.Min != nil && a.Max == nil:
			hi = lo + max(math.Abs(lo), 1)
		case a.Max != nil && a.Min == nil:
			lo = hi - max(math.Abs(hi), 1)
		case lo > 0:
			lo, hi = 0, 2*lo
		case lo < 0:
			lo, hi = 2*lo, 0
		default:
			lo, hi = 0, 1
		}
	}
	span := hi - lo
	if math.IsInf(span, 0) {
		span = math.MaxFloat64
	}
	step := niceStep(span / float64(max(n, 1)))
	at := multiples(step)
	if a.Min == nil {
		if v := at(math.Floor(lo / step)); !math.IsInf(v, 0) {
			lo = v
		}
	}
	if a.Max == nil {
		if v := at(math.Ceil(hi / step)); !math.IsInf(v, 0) {
			hi = v
		}
	}
	s := linear{min: lo, max: hi, step: step}
	first := math.Ceil(lo/step - 1e-9)
	for k := 0; k <= 2*n+2; k++ {
		v := at(first + float64(k))
		if v > hi+step*1e-9 {
			break
		}
		if len(s.ticks) == 0 || v > s.ticks[len(s.ticks)-1] {
			s.ticks = append(s.ticks, v)
		}
	}
	return s
}

// multiples returns a function computing k times step without the
// rounding noise of a plain product (0.30000000000000004): a nice step is
// a small mantissa times a power of ten, and dividing an exact multiple of
// the mantissa by an exact power of ten rounds once.
func multiples(step float64) func(k float64) float64 {
	e := math.Floor(math.Log10(step))
	if math.IsInf(e, 0) || math.IsNaN(e) || e > 300 || e < -300 {
		return func(k float64) float64 { return k * step }
	}
	m := math.Round(step/math.Pow(10, e)*10) / 10
	if e >= 0 {
		p := math.Pow(10, e)
		return func(k float64) float64 { return k * m * p }
	}
	p := math.Pow(10, -e)
	return func(k float64) float64 {
		v := k * m / p
		if v == 0 {
			return 0 // not -0
		}
		return v
	}
}

// niceStep rounds a raw tick step up to 1, 2, 2.5 or 5 times a power of
// ten.
func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	if p == 0 || math.IsInf(p, 0) {
		return raw
	}
	f := raw / p
	switch {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 2.5:
		return 2.5 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

// siPrefixes abbreviate large tick values.
var siPrefixes = []struct {
	v      float64
	suffix string
}{{1e18, "E"}, {1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}}

// tickFormatter formats the ticks of a scale: each with the SI prefix of
// its size and as many decimals as the step needs at that prefix (500,
// 1.0k, 1.5k).
func tickFormatter(s linear) func(float64) string {
	big := max(math.Abs(s.min), math.Abs(s.max))
	if big >= 1e21 || (big < 1e-6 && big > 0) {
		return func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
	}
	return func(v float64) string {
		div, suffix := 1.0, ""
		for _, p := range siPrefixes {
			if math.Abs(v) >= p.v {
				div, suffix = p.v, p.suffix
				break
			}
		}
		dec := 0
		if st := s.step / div; st > 0 && st < 1 {
			dec = min(int(math.Ceil(-math.Log10(st)-1e-9)), 12)
			// Steps of 2.5 and 0.25 need one more digit.
			if r := st * math.Pow(10, float64(dec)); math.Abs(r-math.Round(r)) > 1e-6 {
				dec++
			}
		} else if math.Abs(st-math.Round(st)) > 1e-9 {
			dec = 1
		}
		out := strconv.FormatFloat(v/div, 'f', dec, 64)
		if strings.Trim(out, "-0.") == "" {
			return "0"
		}
		return out + suffix
	}
}

// timeSteps are the spacings the time axis' ticks may have.
var timeSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour,
	30 * 24 * time.Hour, 60 * 24 * time.Hour, 91 * 24 * time.Hour, 182 * 24 * time.Hour, 365 * 24 * time.Hour,
}

// timeTick is one tick of the time axis.
type timeTick struct {
	t     time.Time
	label string
}

// timeTicks chooses ticks for [start, end] shown in loc: the smallest step
// whose labels, at most maxTicks of them, fit, aligned to whole steps of
// local time.
func timeTicks(start, end time.Time, loc *time.Location, maxTicks int) []timeTick {
	span := end.Sub(start)
	if span <= 0 || maxTicks < 1 {
		return nil
	}
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if int64(span/s) < int64(maxTicks) {
			step = s
			break
		}
	}
	for step < span/time.Duration(maxTicks) {
		step *= 2
	}
	layout := "15:04"
	switch {
	case step < time.Minute:
		layout = "15:04:05"
	case step >= 24*time.Hour:
		layout = "01/02"
		if span > 365*24*time.Hour {
			layout = "2006-01"
		}
	case span > 24*time.Hour:
		layout = "01/02 15:04"
	}
	_, off := start.In(loc).Zone()
	offset := time.Duration(off) * time.Second
	// Align to whole steps of local time: local = UTC + offset.
	local := start.Add(offset).UnixNano()
	first := (local + int64(step) - 1) / int64(step) * int64(step)
	if local < 0 && local%int64(step) != 0 {
		first = local / int64(step) * int64(step)
	}
	var ticks []timeTick
	for k := int64(0); k <= int64(maxTicks)+1; k++ {
		t := time.Unix(0, first+k*int64(step)).Add(-offset)
		if t.After(end) {
			break
		}
		if t.Before(start) {
			continue
		}
		ticks = append(ticks, timeTick{t: t, label: t.In(loc).Format(layout)})
	}
	return ticks
}

// formatValue formats a single value: three significant digits with an SI
// prefix, or all its digits when full is set.
func formatValue(v float64, full bool) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "--"
	case full:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	a := math.Abs(v)
	if a >= 1e21 || (a < 1e-4 && a > 0) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	for _, p := range siPrefixes {
		if a >= p.v {
			return trimFloat(v/p.v) + p.suffix
		}
	}
	return trimFloat(v)
}

// trimFloat formats v with three significant digits and no trailing zeros.
func trimFloat(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// unitSymbols abbreviate CloudWatch units after single values; Count and
// None show nothing.
var unitSymbols = map[string]string{
	"Seconds": "s", "Microseconds": "µs", "Milliseconds": "ms",
	"Bytes": "B", "Kilobytes": "KB", "Megabytes": "MB", "Gigabytes": "GB", "Terabytes": "TB",
	"Bits": "b", "Kilobits": "Kb", "Megabits": "Mb", "Gigabits": "Gb", "Terabits": "Tb",
	"Percent": "%", "Count": "", "None": "",
	"Bytes/Second": "B/s", "Kilobytes/Second": "KB/s", "Megabytes/Second": "MB/s",
	"Gigabytes/Second": "GB/s", "Terabytes/Second": "TB/s",
	"Bits/Second": "b/s", "Kilobits/Second": "Kb/s", "Megabits/Second": "Mb/s",
	"Gigabits/Second": "Gb/s", "Terabits/Second": "Tb/s", "Count/Second": "/s",
}

// unitSymbol returns the symbol of a unit; unknown units show as they are.
func unitSymbol(unit string) string {
	if s, ok := unitSymbols[unit]; ok {
		return s
	}
	return unit
}
