package chunk

import (
	"github.com/vigilhq/vigil/internal/metrics/decfloat"
	"math"
	"math/bits"
)

// Residual widths of a float stream: zigzag residuals below 2^4, 2^8, ...
// take those bits after a prefix of 1 to 6 bits. Six one bits escape to a
// new decimal exponent or a raw float.
var valueWidths = []uint{0, 4, 8, 14, 24, 40}

// Predictors of a float stream.
const (
	predLast   = iota // the previous value
	predLinear        // the previous value plus the previous step
	predHint          // a value the caller derives from the sample (the mean)
	numPred
)

// stream encodes a series of float64 values. While they are decimals with
// few digits (37.5, 1200, 0.25) it works on their mantissas at a common
// decimal exponent and writes the residual of a prediction: the predictor
// that was closest on the previous value, so that constants, counters and
// noisy gauges each find theirs. Anything else is XORed with the previous
// value, Gorilla style. The encoder and the decoder run the same state
// machine, so none of these choices costs bits.
type stream struct {
	dec  bool     // exp and hist hold
	exp  int      // decimal exponent of the mantissas
	hist [2]int64 // the last two mantissas, latest first
	n    int      // how many of hist hold
	pred int      // predictor for the next value
	last uint64   // bits of the previous value
}

// mantissa returns v as a mantissa at the stream's exponent.
func (s *stream) mantissa(m int64, e int) (int64, bool) {
	if !s.dec {
		return 0, false
	}
	if m == 0 {
		return 0, true
	}
	if e < s.exp {
		return 0, false
	}
	return decfloat.Scale(m, e-s.exp)
}

// candidate returns the prediction of predictor k, if it has one.
func (s *stream) candidate(k int, hint float64) (int64, bool) {
	switch k {
	case predLast:
		return s.hist[0], s.n >= 1
	case predLinear:
		return s.linear()
	case predHint:
		return s.hinted(hint)
	}
	return 0, false
}

func (s *stream) linear() (int64, bool) {
	if s.n < 2 {
		return 0, false
	}
	p := 2*s.hist[0] - s.hist[1] // |hist| < 2^53: no overflow
	return p, p > -1<<53 && p < 1<<53
}

// hinted returns the hint as a mantissa at the stream's exponent.
func (s *stream) hinted(hint float64) (int64, bool) {
	if hint != hint || s.exp < -22 || s.exp > 22 { // NaN, or no exact power of ten
		return 0, false
	}
	var x float64
	if s.exp >= 0 {
		x = hint / decfloat.Pow10[s.exp]
	} else {
		x = hint * decfloat.Pow10[-s.exp]
	}
	x = math.Round(x)
	return int64(x), x > -1<<53 && x < 1<<53 // false for ±Inf too
}

func (s *stream) predict(hint float64) int64 {
	if p, ok := s.candidate(s.pred, hint); ok {
		return p
	}
	if s.n >= 1 {
		return s.hist[0]
	}
	return 0
}

// push records mantissa m and picks, for the next value, the predictor
// that was closest to it (the first of equals).
func (s *stream) push(m int64, hint float64) {
	best := uint64(math.MaxUint64)
	if s.n >= 1 {
		best, s.pred = absDiff(m, s.hist[0]), predLast
		if p, ok := s.linear(); ok {
			if d := absDiff(m, p); d < best {
				best, s.pred = d, predLinear
			}
		}
	}
	if p, ok := s.hinted(hint); ok && absDiff(m, p) < best {
		s.pred = predHint
	}
	s.hist[1], s.hist[0] = s.hist[0], m
	s.n = min(s.n+1, 2)
}

func absDiff(a, b int64) uint64 {
	if a < b {
		return uint64(b - a)
	}
	return uint64(a - b)
}

// rebase switches to exponent e, keeping the history when it can be
// written at e.
func (s *stream) rebase(e int) {
	keep := s.dec && e <= s.exp
	for i := 0; keep && i < s.n; i++ {
		s.hist[i], keep = decfloat.Scale(s.hist[i], s.exp-e)
	}
	if !keep {
		s.n = 0
	}
	s.dec, s.exp = true, e
}

// encode writes v; hint is the caller's guess (NaN for none).
func (s *stream) encode(w *bitWriter, v, hint float64, dc *decimals) {
	b := math.Float64bits(v)
	defer func() { s.last = b }()
	m, e, isDec := dc.of(v)
	if isDec {
		if mm, ok := s.mantissa(m, e); ok && writeCode(w, valueWidths, zigzag(mm-s.predict(hint))) {
			s.push(mm, hint)
			return
		}
	}
	writeEscape(w, valueWidths)
	if isDec {
		w.bit(false)
		w.write(zigzag(int64(e)), 10)
		w.writeVar(zigzag(m))
		s.rebase(e)
		s.push(m, hint)
		return
	}
	w.bit(true)
	writeXOR(w, b^s.last)
	s.dec, s.n = false, 0
}

// observe records v as if it had been encoded, without writing it: for
// values the decoder derives otherwise (Min and Max of a sample whose
// values are all the same).
func (s *stream) observe(v, hint float64, dc *decimals) {
	b := math.Float64bits(v)
	if b == s.last && s.dec && s.n >= 1 { // the same value again
		s.push(s.hist[0], hint)
		return
	}
	s.last = b
	m, e, isDec := dc.of(v)
	switch {
	case !isDec:
		s.dec, s.n = false, 0
		return
	case s.dec:
		if mm, ok := s.mantissa(m, e); ok {
			s.push(mm, hint)
			return
		}
	}
	s.rebase(e)
	s.push(m, hint)
}

// decode reads a value written by encode; ok is false on malformed input.
func (s *stream) decode(r *bitReader, hint float64) (v float64, ok bool) {
	u, escaped := readCode(r, valueWidths)
	switch {
	case r.err:
		return 0, false
	case !escaped:
		if !s.dec {
			return 0, false
		}
		m := s.predict(hint) + unzigzag(u)
		if m <= -1<<53 || m >= 1<<53 {
			return 0, false
		}
		v = decfloat.Join(m, s.exp)
		s.push(m, hint)
	case !r.bit():
		e, m := unzigzag(r.read(10)), unzigzag(r.readVar())
		if r.err || e < -400 || e > 400 || m <= -1<<53 || m >= 1<<53 {
			return 0, false
		}
		v = decfloat.Join(m, int(e))
		s.rebase(int(e))
		s.push(m, hint)
	default:
		v = math.Float64frombits(s.last ^ readXOR(r))
		s.dec, s.n = false, 0
	}
	if r.err || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	s.last = math.Float64bits(v)
	return v, true
}

// decimals remembers the last toDecimal: the Sum, Min and Max of a
// sample, and the count of consecutive samples, are often the same value.
type decimals struct {
	bits     uint64
	m        int64
	e        int
	ok, used bool
}

func (d *decimals) of(v float64) (int64, int, bool) {
	if b := math.Float64bits(v); !d.used || b != d.bits {
		d.m, d.e, d.ok = decfloat.Split(v)
		d.bits, d.used = b, true
	}
	return d.m, d.e, d.ok
}

// writeXOR writes x: a zero bit when it is 0, else a one bit, the number
// of leading zero bits (6 bits), the number of significant bits less one
// (6 bits) and those bits.
func writeXOR(w *bitWriter, x uint64) {
	if x == 0 {
		w.bit(false)
		return
	}
	lead, trail := uint(bits.LeadingZeros64(x)), uint(bits.TrailingZeros64(x))
	sig := 64 - lead - trail
	w.bit(true)
	w.write(uint64(lead), 6)
	w.write(uint64(sig-1), 6)
	w.write(x>>trail, sig)
}

func readXOR(r *bitReader) uint64 {
	if !r.bit() {
		return 0
	}
	lead := uint(r.read(6))
	sig := uint(r.read(6)) + 1
	if lead+sig > 64 {
		r.err = true
		return 0
	}
	return r.read(sig) << (64 - lead - sig)
}
