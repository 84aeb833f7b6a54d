package widget

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeRef is the start or end of a widget's time range: an absolute time
// (2018-04-25T12:00:00.000Z) or an ISO 8601 duration before now (-PT3H,
// -P1D, -P2W, -P1M).
type TimeRef struct {
	raw      string
	absolute time.Time
	relative bool
	// years, months and days are calendar units; clock is the rest.
	years, months, days int
	clock               time.Duration
}

// String returns the reference as it was written.
func (r TimeRef) String() string { return r.raw }

// Relative reports whether the reference is a duration before now.
func (r TimeRef) Relative() bool { return r.relative }

// At returns the time the reference names when it is now.
func (r TimeRef) At(now time.Time) time.Time {
	if !r.relative {
		return r.absolute
	}
	return now.AddDate(-r.years, -r.months, -r.days).Add(-r.clock)
}

// maxRelative bounds relative references: CloudWatch keeps data for 15
// months, and larger durations would overflow time.Duration.
const maxRelative = 100 * 366 * 24 * time.Hour

// parseTimeRef parses the start or end field.
func parseTimeRef(path, s string) (TimeRef, error) {
	bad := func(why string) error {
		return invalid("The value %q for parameter %s is not valid: %s. Use an ISO 8601 time such as 2018-04-25T12:00:00.000Z or a duration before now such as -PT3H.", s, path, why)
	}
	if s == "" {
		return TimeRef{}, bad("it is empty")
	}
	if s[0] == '-' {
		r, err := parseISODuration(s[1:])
		if err != nil {
			return TimeRef{}, bad(err.Error())
		}
		r.raw = s
		return r, nil
	}
	if s[0] == 'P' || s[0] == 'p' {
		return TimeRef{}, bad("a relative time must start with a minus sign")
	}
	t, err := parseTimestamp(s)
	if err != nil {
		return TimeRef{}, bad("it is neither a timestamp nor a relative time")
	}
	return TimeRef{raw: s, absolute: t}, nil
}

// parseTimestamp parses an ISO 8601 timestamp with a zone, with or without
// fractional seconds.
func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// ISO 8601 also allows minute precision: 2018-04-25T12:00Z.
		t, err = time.Parse("2006-01-02T15:04Z07:00", s)
	}
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// parseISODuration parses an ISO 8601 duration without its sign: P, then
// years, months, weeks and days, then T and hours, minutes and seconds.
func parseISODuration(s string) (TimeRef, error) {
	var r TimeRef
	r.relative = true
	if len(s) < 2 || (s[0] != 'P' && s[0] != 'p') {
		return r, fmt.Errorf("a relative time is a minus sign and an ISO 8601 duration")
	}
	s = strings.ToUpper(s[1:])
	inTime, seen := false, false
	// total approximates the duration in seconds (a year as 366 days, a
	// month as 31) to refuse ones that would overflow.
	var total, clock float64
	for len(s) > 0 {
		if s[0] == 'T' {
			if inTime {
				return r, fmt.Errorf("the duration has two T designators")
			}
			inTime = true
			s = s[1:]
			if s == "" {
				return r, fmt.Errorf("the duration ends after its T designator")
			}
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return r, fmt.Errorf("the duration is malformed")
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return r, fmt.Errorf("the duration is malformed")
		}
		unit := s[i]
		s = s[i+1:]
		whole := n == float64(int64(n))
		const day = 24 * 3600
		switch {
		case !inTime && unit == 'Y' && whole:
			total += n * 366 * day
			r.years += int(min(n, 1e6))
		case !inTime && unit == 'M' && whole:
			total += n * 31 * day
			r.months += int(min(n, 1e6))
		case !inTime && unit == 'W' && whole:
			total += n * 7 * day
			r.days += 7 * int(min(n, 1e6))
		case !inTime && unit == 'D' && whole:
			total += n * day
			r.days += int(min(n, 1e6))
		case inTime && unit == 'H':
			clock += n * 3600
		case inTime && unit == 'M':
			clock += n * 60
		case inTime && unit == 'S':
			clock += n
		default:
			return r, fmt.Errorf("the duration is malformed")
		}
		seen = true
		if total+clock > maxRelative.Seconds() {
			return r, fmt.Errorf("the duration is too long")
		}
	}
	r.clock = time.Duration(clock * float64(time.Second))
	if !seen {
		return r, fmt.Errorf("the duration is empty")
	}
	return r, nil
}

// parseTimezone parses the timezone field: + or - and four digits, hours
// then minutes.
func parseTimezone(path, s string) (*time.Location, error) {
	bad := invalid("The value %q for parameter %s is not valid. Use + or - followed by four digits, such as +0130.", s, path)
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return nil, bad
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return nil, bad
		}
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	if h > 23 || m > 59 {
		return nil, bad
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return time.FixedZone(zoneName(off), off), nil
}

// zoneName names a fixed offset the way the time axis shows it: UTC,
// UTC+01:30.
func zoneName(off int) string {
	if off == 0 {
		return "UTC"
	}
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
}
