package schedexpr

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// RateSchedule is a parsed rate() expression: activations a fixed
// interval apart, counted from an anchor.
type RateSchedule struct {
	value    int64
	unit     string // as written: minute, minutes, hour, hours, day, days
	interval time.Duration
	// anchor is an activation; the others are whole intervals from it.
	anchor time.Time
	loc    *time.Location
}

// epoch anchors a rate until it is given a start.
var epoch = time.Unix(0, 0).UTC()

// Interval returns the time between activations.
func (s *RateSchedule) Interval() time.Duration { return s.interval }

// Start returns the activation the others are counted from: the Unix
// epoch unless Anchored set another.
func (s *RateSchedule) Start() time.Time { return s.anchor }

// Anchored returns the same rate counted from start, which is itself an
// activation: the creation time of an EventBridge rule, or the StartDate
// of an EventBridge Scheduler schedule (or its creation without one).
func (s *RateSchedule) Anchored(start time.Time) *RateSchedule {
	r := *s
	r.anchor = start
	return &r
}

// String returns the expression in canonical form; the anchor is not
// part of it.
func (s *RateSchedule) String() string {
	return "rate(" + strconv.FormatInt(s.value, 10) + " " + s.unit + ")"
}

// Next returns the first activation strictly after t: the anchor when t
// is before it, else the anchor plus the least whole number of intervals
// that passes t. It is false only when that time cannot be represented.
func (s *RateSchedule) Next(t time.Time) (time.Time, bool) {
	if t.Before(s.anchor) {
		return s.anchor.In(s.loc), true
	}
	// Count in whole seconds: the interval is a whole number of minutes,
	// so the nanoseconds of t and the anchor cannot carry t past a
	// multiple of it.
	sec := int64(s.interval / time.Second)
	as, ts := s.anchor.Unix(), t.Unix()
	ds := ts - as
	if as < 0 && ds < ts { // overflow, for times hundreds of billions of years apart
		return time.Time{}, false
	}
	if t.Nanosecond() < s.anchor.Nanosecond() {
		ds--
	}
	k := ds/sec + 1
	if k > math.MaxInt64/sec || (as > 0 && k*sec > math.MaxInt64-as) {
		return time.Time{}, false
	}
	return time.Unix(as+k*sec, int64(s.anchor.Nanosecond())).In(s.loc), true
}

// rateUnits are the units of a rate and their lengths.
var rateUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute,
	"hour": time.Hour, "hours": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour,
}

// parseRate parses body, the text between "rate(" and ")".
func parseRate(d Dialect, input, body string, loc *time.Location) (*RateSchedule, *Error) {
	fields := strings.Fields(body)
	if len(fields) != 2 {
		return nil, fieldError(d, input, "", "a rate is rate(value unit), as in rate(5 minutes)")
	}
	text, unit := fields[0], fields[1]
	length, ok := rateUnits[unit]
	if !ok {
		return nil, fieldError(d, input, "rate unit", "%q is not minute, minutes, hour, hours, day or days", unit)
	}
	if !isDigits(text) {
		return nil, fieldError(d, input, "rate value", "%q is not a positive whole number", text)
	}
	value, err := strconv.ParseInt(text, 10, 64)
	if err != nil || value > int64(math.MaxInt64/length) {
		return nil, fieldError(d, input, "rate value", "%s %s is longer than this implementation can count (about 292 years)", text, unit)
	}
	if value < 1 {
		return nil, fieldError(d, input, "rate value", "the value must be positive")
	}
	singular := !strings.HasSuffix(unit, "s")
	switch {
	case value == 1 && !singular:
		return nil, fieldError(d, input, "rate unit", "for a value of 1 the unit is singular: rate(1 %s)", strings.TrimSuffix(unit, "s"))
	case value > 1 && singular:
		return nil, fieldError(d, input, "rate unit", "for a value above 1 the unit is plural: rate(%d %ss)", value, unit)
	}
	return &RateSchedule{value: value, unit: unit, interval: time.Duration(value) * length, anchor: epoch, loc: loc}, nil
}
