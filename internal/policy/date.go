package policy

import (
	"strconv"
	"strings"
	"time"
)

// parseDate reads a value of a date condition operator: seconds since
// the epoch (digits, more of them than a year has), or a date in the W3C
// profile of ISO 8601 (https://www.w3.org/TR/NOTE-datetime) as AWS reads
// it: YEAR[-MM[-DD]][Thh[:mm[:ss[.fraction]]][Z|±hh[:mm]]], the T and Z
// in either case, hours of one digit or two, a time without a zone in
// UTC. A value IAM cannot read makes it refuse the policy ("The policy
// failed legacy parsing").
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) && len(s) > 4 {
		n, err := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0), err == nil
	}
	day, clock, hasClock := strings.Cut(s, "T")
	if !hasClock {
		day, clock, hasClock = strings.Cut(s, "t")
	}
	year, month, dom, ok := parseDay(day)
	if !ok {
		return time.Time{}, false
	}
	var hour, minute, sec, nsec int
	loc := time.UTC
	if hasClock && clock != "" {
		clock, loc, ok = cutZone(clock)
		if !ok {
			return time.Time{}, false
		}
		hour, minute, sec, nsec, ok = parseClock(clock)
		if !ok {
			return time.Time{}, false
		}
	}
	return time.Date(year, time.Month(month), dom, hour, minute, sec, nsec, loc), true
}

// parseDay reads YEAR[-MM[-DD]]; a year may be negative.
func parseDay(s string) (year, month, day int, ok bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	fields := strings.Split(s, "-")
	if len(fields) > 3 {
		return 0, 0, 0, false
	}
	month, day = 1, 1
	year, ok = number(fields[0], 1, 9, 0, 292278993)
	if neg {
		year = -year
	}
	if ok && len(fields) > 1 {
		month, ok = number(fields[1], 1, 2, 1, 12)
	}
	if ok && len(fields) > 2 {
		day, ok = number(fields[2], 1, 2, 1, 31)
	}
	return year, month, day, ok
}

// cutZone cuts a zone off a time: Z, or ±hh[:mm] or ±hhmm.
func cutZone(s string) (string, *time.Location, bool) {
	if rest, ok := strings.CutSuffix(s, "Z"); ok {
		return rest, time.UTC, true
	}
	if rest, ok := strings.CutSuffix(s, "z"); ok {
		return rest, time.UTC, true
	}
	i := strings.LastIndexAny(s, "+-")
	if i < 0 {
		return s, time.UTC, true
	}
	zone := strings.ReplaceAll(s[i+1:], ":", "")
	if len(zone) != 2 && len(zone) != 4 {
		return "", nil, false
	}
	h, ok := number(zone[:2], 2, 2, 0, 23)
	m := 0
	if ok && len(zone) == 4 {
		m, ok = number(zone[2:], 2, 2, 0, 59)
	}
	if !ok {
		return "", nil, false
	}
	offset := h*3600 + m*60
	if s[i] == '-' {
		offset = -offset
	}
	return s[:i], time.FixedZone("", offset), true
}

// parseClock reads hh[:mm[:ss[.fraction]]].
func parseClock(s string) (hour, minute, sec, nsec int, ok bool) {
	fields := strings.Split(s, ":")
	if len(fields) > 3 {
		return 0, 0, 0, 0, false
	}
	hour, ok = number(fields[0], 1, 2, 0, 23)
	if ok && len(fields) > 1 {
		minute, ok = number(fields[1], 1, 2, 0, 59)
	}
	if ok && len(fields) > 2 {
		whole, fraction, hasFraction := strings.Cut(fields[2], ".")
		sec, ok = number(whole, 1, 2, 0, 59)
		if ok && hasFraction {
			var f int
			f, ok = number(fraction, 1, 9, 0, 999999999)
			for range 9 - len(fraction) {
				f *= 10
			}
			nsec = f
		}
	}
	return hour, minute, sec, nsec, ok
}

// number reads a decimal of minDigits to maxDigits digits, within
// [lo, hi].
func number(s string, minDigits, maxDigits, lo, hi int) (int, bool) {
	if len(s) < minDigits || len(s) > maxDigits || !isDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && lo <= n && n <= hi
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
