package eventpattern

import (
	"math"
	"strconv"
)

// Numbers are compared as EventBridge documents: "Numeric matching works
// with values that are JSON numbers. It is limited to values between
// -5.0e9 and +5.0e9 inclusive, with 15 digits of precision, or six digits
// to the right of the decimal point." A number in that range has a key,
// the number of millionths it holds, and two numbers are equal when their
// keys are. A number outside it, in an event, matches no numeric
// condition; in a pattern's list of values it matches the same literal
// text only (as an account ID written as a number would); in a numeric or
// anything-but match it is refused (reasonNumberRange).
const (
	numberLimit = 5e9
	numberScale = 1e6
)

// The keys of an unbounded side of a numRange.
const (
	minKey = math.MinInt64
	maxKey = math.MaxInt64
)

// numberKey returns the key of the JSON number lit, and whether it has
// one.
func numberKey(lit string) (int64, bool) {
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || !(f >= -numberLimit && f <= numberLimit) {
		return 0, false
	}
	return int64(math.Round(f * numberScale)), true
}

// numRange is a range of keys; an unbounded side is math.MinInt64 or
// math.MaxInt64, closed.
type numRange struct {
	lo, hi         int64
	loOpen, hiOpen bool
}

// contains reports whether key k is in the range.
func (r numRange) contains(k int64) bool {
	return (k > r.lo || k == r.lo && !r.loOpen) && (k < r.hi || k == r.hi && !r.hiOpen)
}

// empty reports whether no key is in the range, which happens when its
// bounds are closer than a millionth.
func (r numRange) empty() bool {
	return r.lo > r.hi || r.lo == r.hi && (r.loOpen || r.hiOpen)
}
