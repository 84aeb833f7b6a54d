// Package decfloat converts float64 values to and from a decimal
// mantissa and exponent, the form in which metric values compress well:
// most measurements have a few significant decimal digits.
package decfloat

import (
	"math"
	"strconv"
)

// Split returns v as m × 10^e with the fewest digits that read back as
// v, if |m| < 2^53. Values with up to ten decimals are found by scaling;
// others go through strconv's shortest formatting.
func Split(v float64) (m int64, e int, ok bool) {
	switch {
	case v == 0:
		return 0, 0, !math.Signbit(v)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, 0, false
	}
	for k := 0; k <= 10; k++ {
		// v·10^k is within a few units in the last place of the decimal
		// mantissa, if there is one with k decimals: rounding finds it.
		x := math.Round(v * pow10f[k])
		if x >= 1<<53 || x <= -1<<53 {
			break
		}
		m, e = int64(x), -k
		if m == 0 {
			continue
		}
		for m%10 == 0 { // the same number, with fewer digits
			m, e = m/10, e+1
		}
		if Join(m, e) == v {
			return m, e, true
		}
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], v, 'e', -1, 64) // -d.ddde±xx
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	m = 0
	digits, i := 0, 0
	for ; i < len(s) && s[i] != 'e'; i++ {
		if s[i] != '.' {
			m = m*10 + int64(s[i]-'0')
			digits++
		}
	}
	x, err := strconv.Atoi(string(s[i+1:]))
	if err != nil || m >= 1<<53 {
		return 0, 0, false
	}
	if neg {
		m = -m
	}
	e = x - (digits - 1)
	return m, e, Join(m, e) == v
}

var pow10f = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// Join returns the float64 nearest to m × 10^e.
func Join(m int64, e int) float64 {
	if m > -1<<53 && m < 1<<53 && e >= -22 && e <= 22 {
		// Both operands are exact, so one rounding gives the nearest.
		if e >= 0 {
			return float64(m) * pow10f[e]
		}
		return float64(m) / pow10f[-e]
	}
	f, err := strconv.ParseFloat(strconv.FormatInt(m, 10)+"e"+strconv.Itoa(e), 64)
	if err != nil && !math.IsInf(f, 0) {
		return math.NaN()
	}
	return f
}

// Pow10 holds the exactly representable powers of ten, 10^0 to 10^22.
var Pow10 = pow10f

var pow10u = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// Scale returns m × 10^k if its magnitude stays below 2^53.
func Scale(m int64, k int) (int64, bool) {
	if k < 0 || k > 15 {
		return 0, m == 0 && k >= 0
	}
	p := int64(pow10u[k])
	r := m * p
	if r/p != m || r >= 1<<53 || r <= -1<<53 {
		return 0, false
	}
	return r, true
}
