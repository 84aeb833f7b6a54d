package widget

import (
	"strconv"
	"strings"
)

// validStat reports whether s is a CloudWatch statistic the widget accepts:
// SampleCount, Average, Sum, Minimum, Maximum, IQM, pNN[.NN], the
// shorthands tmNN, wmNN, tcNN and tsNN, and the ranges TM(a:b), WM(a:b),
// TC(a:b), TS(a:b) and PR(a:b), whose bounds are values or percentages
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html).
func validStat(s string) bool {
	switch s {
	case "SampleCount", "Average", "Sum", "Minimum", "Maximum", "IQM":
		return true
	}
	if len(s) < 2 {
		return false
	}
	if s[0] == 'p' {
		return validPercent(s[1:])
	}
	if len(s) < 3 {
		return false
	}
	prefix := strings.ToUpper(s[:2])
	rest := s[2:]
	switch prefix {
	case "TM", "WM", "TC", "TS", "PR":
	default:
		return false
	}
	if rest[0] != '(' {
		// The shorthand tm99 means TM(0%:99%); PR has none.
		return prefix != "PR" && s[:2] == strings.ToLower(prefix) && validPercent(rest)
	}
	if rest[len(rest)-1] != ')' {
		return false
	}
	lo, hi, ok := strings.Cut(rest[1:len(rest)-1], ":")
	if !ok || (lo == "" && hi == "") {
		return false
	}
	pl, okl := parseBound(lo)
	ph, okh := parseBound(hi)
	if !okl || !okh {
		return false
	}
	// Both bounds of one kind must be ordered.
	if lo != "" && hi != "" && pl.percent == ph.percent && pl.v >= ph.v {
		return false
	}
	return true
}

// bound is one end of a statistic's range.
type bound struct {
	v       float64
	percent bool
}

// parseBound parses an empty, absolute or percentage bound.
func parseBound(s string) (bound, bool) {
	if s == "" {
		return bound{}, true
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		if !validPercent(p) {
			return bound{}, false
		}
		v, _ := strconv.ParseFloat(p, 64)
		return bound{v: v, percent: true}, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !isPlainNumber(s) {
		return bound{}, false
	}
	return bound{v: v}, true
}

// validPercent reports whether s is a percentile from 0 to 100 with at
// most two decimals, as in p99.99.
func validPercent(s string) bool {
	if !isPlainNumber(s) || strings.HasPrefix(s, "-") {
		return false
	}
	if _, frac, ok := strings.Cut(s, "."); ok && (len(frac) == 0 || len(frac) > 2) {
		return false
	}
	v, err := strconv.ParseFloat(s, 64)
	return err == nil && v >= 0 && v <= 100
}

// isPlainNumber reports whether s is digits with an optional sign and
// decimal point: no exponent, no hex, no Inf or NaN.
func isPlainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	digits := 0
	dots := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// validPeriod reports whether p is a period CloudWatch accepts: 1, 5, 10,
// 30 (high resolution) or a multiple of 60.
func validPeriod(p int) bool {
	switch p {
	case 1, 5, 10, 30:
		return true
	}
	return p > 0 && p%60 == 0
}
