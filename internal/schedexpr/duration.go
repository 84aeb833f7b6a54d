package schedexpr

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Bounds of a mute rule's Duration: "Specify the duration using ISO 8601
// duration format with a minimum of 1 minute (PT1M) and maximum of 15
// days (P15D)."
const (
	MinMuteDuration = time.Minute
	MaxMuteDuration = 15 * 24 * time.Hour
)

// ParseISODuration parses an ISO 8601 duration of days, hours, minutes
// and seconds: P[nD][T[nH][nM][n[.f]S]], as in PT4H, P2DT12H, P7D and
// PT1M30S. A day is 24 hours. Only seconds take a fraction (to the
// nanosecond), with a point or a comma. Years, months and weeks are
// refused: AWS documents none for mute rules, and years and months have
// no fixed length. The designators are upper case, and there is no sign.
func ParseISODuration(s string) (time.Duration, error) {
	fail := func(format string, args ...any) (time.Duration, error) {
		reason := "Duration: " + fmt.Sprintf(format, args...)
		return 0, &Error{Input: s, Field: "Duration", Message: fmt.Sprintf("Invalid ISO 8601 duration %q: %s", s, fmt.Sprintf(format, args...)), Reason: reason}
	}
	rest, ok := strings.CutPrefix(s, "P")
	if !ok {
		return fail("it must start with P, as in PT4H or P2DT12H")
	}
	datePart, timePart, hasT := strings.Cut(rest, "T")
	if datePart == "" && timePart == "" {
		if hasT {
			return fail("T must be followed by hours, minutes or seconds")
		}
		return fail("it has no days, hours, minutes or seconds")
	}
	if hasT && timePart == "" {
		return fail("T must be followed by hours, minutes or seconds")
	}
	var total time.Duration
	parts := []struct {
		text    string
		units   string // designators in the order they may appear
		lengths []time.Duration
	}{
		{datePart, "D", []time.Duration{24 * time.Hour}},
		{timePart, "HMS", []time.Duration{time.Hour, time.Minute, time.Second}},
	}
	for _, part := range parts {
		next := 0 // the index in units of the next designator allowed
		text := part.text
		for text != "" {
			i := 0
			for i < len(text) && (text[i] >= '0' && text[i] <= '9' || text[i] == '.' || text[i] == ',') {
				i++
			}
			if i == len(text) {
				return fail("%q has no designator after it", text)
			}
			number, unit := text[:i], text[i]
			text = text[i+1:]
			if strings.IndexByte("YW", unit) >= 0 || unit == 'M' && part.units == "D" {
				return fail("years, months and weeks are not supported; write days and time, as in P7D or P2DT12H")
			}
			at := strings.IndexByte(part.units, unit)
			if at < 0 {
				return fail("%q is not a designator here; want %s", string(unit), designators(part.units))
			}
			if at < next {
				return fail("%q is repeated or out of order", string(unit))
			}
			next = at + 1
			whole, frac, hasFrac := strings.Cut(strings.ReplaceAll(number, ",", "."), ".")
			if !isDigits(whole) || hasFrac && !isDigits(frac) {
				return fail("%q is not a number", number)
			}
			if hasFrac && unit != 'S' {
				return fail("only seconds may have a fraction, not %s%c", number, unit)
			}
			if len(frac) > 9 {
				return fail("%s has more than 9 decimals", number)
			}
			n, err := strconv.ParseInt(whole, 10, 64)
			length := part.lengths[at]
			if err != nil || n > int64(math.MaxInt64/length) {
				return fail("%s%c is too long", number, unit)
			}
			d := time.Duration(n) * length
			if hasFrac {
				ns, _ := strconv.Atoi((frac + "000000000")[:9])
				d += time.Duration(ns)
			}
			if d > math.MaxInt64-total {
				return fail("the duration is too long")
			}
			total += d
		}
	}
	return total, nil
}

// designators describes the designators a part of a duration takes.
func designators(units string) string {
	if units == "D" {
		return "D (days) before T"
	}
	return "H, M or S after T"
}

// ParseMuteDuration parses the Duration of a mute rule's Schedule: an
// ISO 8601 duration (see ParseISODuration) from PT1M to P15D.
func ParseMuteDuration(s string) (time.Duration, error) {
	d, err := ParseISODuration(s)
	if err != nil {
		return 0, err
	}
	if d < MinMuteDuration || d > MaxMuteDuration {
		return 0, &Error{Input: s, Field: "Duration",
			Message: "Duration must be at least 1 minute (PT1M) and at most 15 days (P15D)",
			Reason:  fmt.Sprintf("Duration: %s is %v, outside PT1M to P15D", s, d)}
	}
	return d, nil
}

// FormatISODuration writes d as ParseISODuration reads it, in days,
// hours, minutes and seconds: P2DT12H, PT1M30S, PT0S. A negative
// duration gets a leading minus sign, which ParseISODuration refuses.
func FormatISODuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	n := uint64(d) // the magnitude, also of math.MinInt64
	if d < 0 {
		b.WriteString("-")
		n = -n
	}
	const (
		second = uint64(time.Second)
		minute = uint64(time.Minute)
		hour   = uint64(time.Hour)
		day    = 24 * hour
	)
	b.WriteString("P")
	if n >= day {
		fmt.Fprintf(&b, "%dD", n/day)
		n %= day
	}
	if n == 0 {
		return b.String()
	}
	b.WriteString("T")
	if n >= hour {
		fmt.Fprintf(&b, "%dH", n/hour)
		n %= hour
	}
	if n >= minute {
		fmt.Fprintf(&b, "%dM", n/minute)
		n %= minute
	}
	if n > 0 {
		b.WriteString(strconv.FormatUint(n/second, 10))
		if ns := n % second; ns > 0 {
			b.WriteString("." + strings.TrimRight(fmt.Sprintf("%09d", ns), "0"))
		}
		b.WriteString("S")
	}
	return b.String()
}
