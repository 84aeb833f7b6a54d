package stats

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind is the family a statistic belongs to.
type Kind uint8

// The statistic kinds of "CloudWatch statistics definitions"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html).
const (
	// SampleCount is the number of data points.
	SampleCount Kind = iota + 1
	// Average is Sum/SampleCount.
	Average
	// Sum is the sum of the values.
	Sum
	// Minimum is the lowest value.
	Minimum
	// Maximum is the highest value.
	Maximum
	// Percentile is pNN: the value below which NN percent of the data lie.
	Percentile
	// TrimmedMean is TM (tmNN, TM(a:b)) and IQM: the mean of the values
	// within the bounds.
	TrimmedMean
	// WinsorizedMean is WM (wmNN, WM(a:b)): the mean after the values
	// outside the bounds have been moved to the bounds.
	WinsorizedMean
	// TrimmedCount is TC (tcNN, TC(a:b)): the number of data points within
	// the bounds.
	TrimmedCount
	// TrimmedSum is TS (tsNN, TS(a:b)): the sum of the values within the
	// bounds.
	TrimmedSum
	// PercentileRank is PR(a:b): the percentage of data points whose value
	// lies within the bounds.
	PercentileRank
)

var kindNames = [...]string{
	SampleCount: "SampleCount", Average: "Average", Sum: "Sum", Minimum: "Minimum", Maximum: "Maximum",
	Percentile: "Percentile", TrimmedMean: "TrimmedMean", WinsorizedMean: "WinsorizedMean",
	TrimmedCount: "TrimmedCount", TrimmedSum: "TrimmedSum", PercentileRank: "PercentileRank",
}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// maxDecimals is how many decimal places a percentile or a bound may have:
// "up to 10 decimal places" (Statistics definitions, and "You can specify
// the percentile with up to ten decimal places" in the Percentiles
// section of CloudWatch concepts).
const maxDecimals = 10

// maxStatisticLen caps the text Parse looks at; a longer statistic cannot
// be valid (two bounds of at most 110 digits each).
const maxStatisticLen = 256

// Bound is one end of the range of a trimmed, winsorized or rank
// statistic.
type Bound struct {
	// Set reports whether the bound was given: TM(:95%) has no lower
	// bound, which means the lowest value (or 0%).
	Set bool
	// Percent reports whether Value is a percentage of the data points,
	// rather than a value of the metric.
	Percent bool
	// Value is the bound: a percentage from 0 to 100, or a metric value.
	Value float64
	// pct is Value as an exact decimal, for percentage bounds.
	pct decimal
}

// Statistic is a parsed CloudWatch statistic. Only Parse makes one; the
// zero Statistic is no statistic.
type Statistic struct {
	kind         Kind
	p            decimal // of a Percentile
	lower, upper Bound
	text         string
}

// Kind returns the statistic's family.
func (s Statistic) Kind() Kind { return s.kind }

// P returns a Percentile's percentage, from 0 to 100.
func (s Statistic) P() float64 { return s.p.float() }

// Lower returns the lower bound of the range of TrimmedMean,
// WinsorizedMean, TrimmedCount, TrimmedSum and PercentileRank. Both bounds
// are percentages or both are metric values; at least one is set.
func (s Statistic) Lower() Bound { return s.lower }

// Upper returns the upper bound of the range; see Lower.
func (s Statistic) Upper() Bound { return s.upper }

// String returns the statistic as it was written, which is how
// CloudWatch names it in responses (ExtendedStatistics keys, labels).
func (s Statistic) String() string { return s.text }

// Extended reports whether the statistic is an extended one, computed from
// the distribution of the values rather than from SampleCount, Sum,
// Minimum and Maximum. CloudWatch computes extended statistics only when
// it has the raw values (or a distribution of them).
func (s Statistic) Extended() bool { return s.kind >= Percentile }

// IsZero reports whether s is the zero Statistic (no statistic).
func (s Statistic) IsZero() bool { return s.kind == 0 }

// Simple statistics by name: the Statistic enum of the API, which is case
// sensitive.
var simple = map[string]Kind{
	"SampleCount": SampleCount, "Average": Average, "Sum": Sum, "Minimum": Minimum, "Maximum": Maximum,
}

// SyntaxError explains why Parse refused a statistic. Its message is for
// logs and tests; the API answers with the wording of the operation (see
// ValidateGetMetricStatistics and its siblings).
type SyntaxError struct {
	// Statistic is the text that was refused.
	Statistic string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns the statistic and the reason.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid statistic %q: %s", e.Statistic, e.Reason)
}

// ErrSyntax is what every error of Parse wraps.
var ErrSyntax = errors.New("invalid statistic")

// Unwrap makes a SyntaxError match ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Parse parses a statistic as the CloudWatch API accepts it: SampleCount,
// Average, Sum, Minimum and Maximum; pNN (percentile, p0 to p100, up to
// ten decimal places: p99, p99.9, p99.9999); the lower-case shorthands
// tmNN, wmNN, tcNN and tsNN, which mean TM(:NN%) and so on; the
// upper-case ranges TM(a:b), WM(a:b), TC(a:b), TS(a:b) and PR(a:b), whose
// bounds are both percentages (TM(10%:90%), TM(:95%), TS(80%:)) or both
// metric values (TM(150:1000), TC(:0.5)); and IQM, which is TM(25%:75%).
//
// It follows the Syntax section of "CloudWatch statistics definitions"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html):
// the shorthands are lower case and take one percentage, the ranges are
// upper case with parentheses, so P99, TM99 and tm(10%:90%) are refused.
// PR takes metric values only, as percentile rank is the share of values
// under a threshold. A range with both bounds must have Lower < Upper.
func Parse(s string) (Statistic, error) {
	fail := func(reason string) (Statistic, error) {
		return Statistic{}, &SyntaxError{Statistic: s, Reason: reason}
	}
	if k, ok := simple[s]; ok {
		return Statistic{kind: k, text: s}, nil
	}
	if s == "IQM" {
		return Statistic{kind: TrimmedMean, lower: percentBound(decimal{mant: 25}), upper: percentBound(decimal{mant: 75}), text: s}, nil
	}
	if len(s) > maxStatisticLen {
		return fail("too long")
	}
	if len(s) < 2 {
		return fail("unknown statistic")
	}
	if s[0] == 'p' {
		d, err := parsePercent(s[1:])
		if err != "" {
			return fail(err)
		}
		return Statistic{kind: Percentile, p: d, text: s}, nil
	}
	kind, short, ok := prefixKind(s[:2])
	if !ok {
		return fail("unknown statistic")
	}
	rest := s[2:]
	if short {
		// tm99 is TM(:99%).
		if kind == PercentileRank {
			return fail("PR takes a range in parentheses")
		}
		if strings.HasPrefix(rest, "(") {
			return fail("a range is written in upper case, as " + strings.ToUpper(s[:2]) + "(a:b)")
		}
		d, err := parsePercent(rest)
		if err != "" {
			return fail(err)
		}
		return Statistic{kind: kind, upper: percentBound(d), text: s}, nil
	}
	inner, ok := strings.CutPrefix(rest, "(")
	if !ok {
		return fail("a single percentage is written in lower case, as " + strings.ToLower(s[:2]) + "NN")
	}
	inner, ok = strings.CutSuffix(inner, ")")
	if !ok {
		return fail("missing closing parenthesis")
	}
	lo, hi, ok := strings.Cut(inner, ":")
	if !ok {
		return fail("a range needs a colon between its bounds")
	}
	if lo == "" && hi == "" {
		return fail("a range needs at least one bound")
	}
	st := Statistic{kind: kind, text: s}
	var err string
	if st.lower, err = parseBound(lo); err != "" {
		return fail(err)
	}
	if st.upper, err = parseBound(hi); err != "" {
		return fail(err)
	}
	if st.lower.Set && st.upper.Set {
		if st.lower.Percent != st.upper.Percent {
			return fail("both bounds must be percentages or both values")
		}
		if st.lower.Value >= st.upper.Value {
			return fail("the lower bound must be less than the upper bound")
		}
	}
	if kind == PercentileRank && (st.lower.Percent || st.upper.Percent) {
		return fail("PR bounds are values, not percentages")
	}
	return st, nil
}

// MustParse is Parse for statistics known to be valid; it panics
// otherwise.
func MustParse(s string) Statistic {
	st, err := Parse(s)
	if err != nil {
		panic("BUG: stats: " + err.Error())
	}
	return st
}

// prefixKind maps the two-letter prefix of a shorthand (lower case) or a
// range (upper case).
func prefixKind(p string) (k Kind, short, ok bool) {
	switch p {
	case "tm", "TM":
		k = TrimmedMean
	case "wm", "WM":
		k = WinsorizedMean
	case "tc", "TC":
		k = TrimmedCount
	case "ts", "TS":
		k = TrimmedSum
	case "pr", "PR":
		k = PercentileRank
	default:
		return 0, false, false
	}
	return k, p[0] >= 'a', true
}

func percentBound(d decimal) Bound {
	return Bound{Set: true, Percent: true, Value: d.float(), pct: d}
}

// parseBound parses one side of a range: empty (open), a percentage
// (95%) or a metric value (150, 0.005, -3).
func parseBound(s string) (Bound, string) {
	if s == "" {
		return Bound{}, ""
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		d, err := parsePercent(p)
		if err != "" {
			return Bound{}, err
		}
		return percentBound(d), ""
	}
	digits := strings.TrimPrefix(s, "-")
	if _, err := parseDecimal(digits); err != "" {
		return Bound{}, err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Bound{}, "bound out of range"
	}
	return Bound{Set: true, Value: v}, ""
}

// parsePercent parses a percentage from 0 to 100 with up to ten decimal
// places.
func parsePercent(s string) (decimal, string) {
	d, err := parseDecimal(s)
	if err != "" {
		return d, err
	}
	if d.cmp100() > 0 {
		return d, "a percentage must be between 0 and 100"
	}
	return d, ""
}

// decimal is a non-negative number with up to maxDecimals decimal places,
// exactly: mant / 10^scale.
type decimal struct {
	mant  uint64
	scale uint8
}

var pow10u = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12}

// parseDecimal parses digits with an optional fraction: 95, 99.9, 0.005.
// It refuses signs, exponents, a missing integer part, an empty or too
// long fraction. The mantissa of a value too large for a percentage is
// not kept exactly; callers check the range.
func parseDecimal(s string) (decimal, string) {
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" {
		return decimal{}, "a number must start with a digit"
	}
	if hasDot && frac == "" {
		return decimal{}, "a decimal point must be followed by digits"
	}
	if len(frac) > maxDecimals {
		return decimal{}, "at most 10 decimal places are allowed"
	}
	var d decimal
	saturated := false
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return decimal{}, "not a number"
			}
			if d.mant > (1<<63)/10 {
				saturated = true
				continue
			}
			d.mant = d.mant*10 + uint64(c-'0')
		}
	}
	d.scale = uint8(len(frac))
	if saturated {
		d.mant = 1 << 63 // larger than any percentage; exactness is moot
	}
	return d, ""
}

// cmp100 compares d with 100.
func (d decimal) cmp100() int {
	hundred := 100 * pow10u[d.scale]
	switch {
	case d.mant < hundred:
		return -1
	case d.mant > hundred:
		return 1
	}
	return 0
}

// float returns d as the nearest float64.
func (d decimal) float() float64 {
	return float64(d.mant) / float64(pow10u[d.scale])
}
