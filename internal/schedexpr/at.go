package schedexpr

import (
	"fmt"
	"time"
)

// AtSchedule is a parsed at() expression: a single activation.
type AtSchedule struct {
	at time.Time
	// text is the canonical expression: the local time as written, which
	// differs from at's when it falls in a spring-forward gap.
	text string
}

// Time returns the activation.
func (s *AtSchedule) Time() time.Time { return s.at }

// String returns the expression in canonical form.
func (s *AtSchedule) String() string { return s.text }

// Next returns the activation if it is after t, else false.
func (s *AtSchedule) Next(t time.Time) (time.Time, bool) {
	if s.at.After(t) {
		return s.at, true
	}
	return time.Time{}, false
}

// parseAt parses body, the text between "at(" and ")": yyyy-MM-ddThh:mm
// for a mute rule, yyyy-mm-ddThh:mm:ss for EventBridge Scheduler.
func parseAt(d Dialect, input, body string, loc *time.Location) (*AtSchedule, *Error) {
	layout := "yyyy-mm-ddThh:mm:ss"
	if d == Mute {
		layout = "yyyy-MM-ddThh:mm"
	}
	fail := func(format string, args ...any) (*AtSchedule, *Error) {
		err := fieldError(d, input, "at", format, args...)
		if d == Mute {
			err.Message = muteAtMessage
		}
		return nil, err
	}
	if len(body) != len(layout) {
		return fail("want %s, got %q", layout, body)
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(body[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	var v [6]int
	for i, at := range [...]int{0, 5, 8, 11, 14, 17} {
		if at >= len(body) {
			break
		}
		n := 2
		if i == 0 {
			n = 4
		}
		var ok bool
		if v[i], ok = num(at, n); !ok {
			return fail("want %s, got %q", layout, body)
		}
	}
	for i, sep := range "--T::" {
		if at := [...]int{4, 7, 10, 13, 16}[i]; at < len(body) && body[at] != byte(sep) {
			return fail("want %s, got %q", layout, body)
		}
	}
	year, month, day, hour, minute, second := v[0], v[1], v[2], v[3], v[4], v[5]
	switch {
	case month < 1 || month > 12:
		return fail("month %02d is out of range 01-12", month)
	case day < 1 || day > daysIn(year, month):
		return fail("%04d-%02d-%02d is not a date", year, month, day)
	case hour > 23:
		return fail("hour %02d is out of range 00-23", hour)
	case minute > 59:
		return fail("minute %02d is out of range 00-59", minute)
	case second > 59:
		return fail("second %02d is out of range 00-59", second)
	}
	text := fmt.Sprintf("at(%04d-%02d-%02dT%02d:%02d", year, month, day, hour, minute)
	if d != Mute {
		text += fmt.Sprintf(":%02d", second)
	}
	text += ")"
	at, ok, after := resolve(civil{year, month, day, hour, minute}, loc)
	if !ok {
		return &AtSchedule{at: after, text: text}, nil
	}
	return &AtSchedule{at: at.Add(time.Duration(second) * time.Second), text: text}, nil
}
