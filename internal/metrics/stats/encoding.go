package stats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/vigilhq/vigil/internal/binread"
	"github.com/vigilhq/vigil/internal/metrics/decfloat"
)

// Sketch encoding, version 1. Integers are varints (encoding/binary);
// floats are little-endian IEEE 754 binary64.
//
//	sketch  = version:byte(1) count:cnt [sum:f64 min:f64 max:f64 body]  (the rest only when count > 0)
//	body    = flags:byte [unknown:cnt] (exact | buckets)
//	flags   = bit 0: buckets; bit 1: unknown present; bit 2: zero present (buckets only)
//	exact   = k:uvarint (value cnt){k}                  values strictly ascending, k <= ExactLimit
//	buckets = [zero:cnt] npos:uvarint entries nneg:uvarint entries
//	entries = first:varint cnt (gap:uvarint cnt)*      index = previous + gap + 1
//	cnt     = uvarint 2n for a whole n < 2^52 | uvarint 1, f64
//	value   = uvarint 2(d-1)      same exponent as the previous value, mantissa + d
//	        | uvarint 1, e:varint, m:varint   value m × 10^e
//	        | uvarint 3, f64                  any other float
//
// Values with few significant digits (37.5, 0.25, 1200) cost a byte or two
// each; a bucket costs two bytes or so. A chunk (package chunk) stores the
// summary beside each sample and only the body of its sketch.
const sketchVersion = 1

const (
	flagBuckets = 1 << iota
	flagUnknown
	flagZero
	flagMask = flagBuckets | flagUnknown | flagZero
)

// ErrCorrupt is what every decoding error wraps.
var ErrCorrupt = errors.New("corrupt sketch")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// AppendBinary appends the encoding of the sketch to b. It never fails; the
// error is that of encoding.BinaryAppender.
func (s *Sketch) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, sketchVersion)
	b = appendCount(b, s.sum.Count)
	if s.sum.IsEmpty() {
		return b, nil
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.sum.Sum))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.sum.Min))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.sum.Max))
	return s.AppendBody(b), nil
}

// MarshalBinary returns the encoding of the sketch.
func (s *Sketch) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// UnmarshalBinary replaces s with the sketch encoded in b, which must hold
// exactly one encoding. Untrusted bytes are safe: anything malformed or
// inconsistent is an error wrapping ErrCorrupt.
func (s *Sketch) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != sketchVersion {
		return corrupt("unknown version")
	}
	r := newReader(b[1:])
	var sum Summary
	sum.Count = r.count(true)
	if r.Err == nil && sum.Count > 0 {
		sum.Sum, sum.Min, sum.Max = r.Float(), r.Float(), r.Float()
	}
	if r.Err != nil {
		return r.Err
	}
	if !sum.valid() {
		return corrupt("invalid summary")
	}
	if sum.IsEmpty() {
		if len(r.B) > 0 {
			return corrupt("trailing bytes")
		}
		*s = Sketch{}
		return nil
	}
	d, n, err := DecodeBody(r.B, sum)
	if err != nil {
		return err
	}
	if n != len(r.B) {
		return corrupt("trailing bytes")
	}
	*s = *d
	return nil
}

// AppendBody appends the encoding of the sketch's values, without its
// summary, to b.
func (s *Sketch) AppendBody(b []byte) []byte {
	flags := byte(0)
	if s.buckets {
		flags |= flagBuckets
		if s.zero > 0 {
			flags |= flagZero
		}
	}
	if s.unknownN > 0 {
		flags |= flagUnknown
	}
	b = append(b, flags)
	if s.unknownN > 0 {
		b = appendCount(b, s.unknownN)
	}
	if !s.buckets {
		b = binary.AppendUvarint(b, uint64(len(s.exact)))
		var vw valueWriter
		for _, p := range s.exact {
			b = vw.append(b, p.v)
			b = appendCount(b, p.n)
		}
		return b
	}
	if s.zero > 0 {
		b = appendCount(b, s.zero)
	}
	return appendBuckets(appendBuckets(b, s.pos), s.neg)
}

// DecodeBody reads a body written by AppendBody for a sketch with summary
// sum, and returns the sketch and how many bytes it read. It checks the
// body against the summary: same number of observations, values within
// Min and Max, lowest and highest values matching them.
func DecodeBody(b []byte, sum Summary) (*Sketch, int, error) {
	if !sum.valid() || sum.IsEmpty() {
		return nil, 0, corrupt("invalid summary")
	}
	r := newReader(b)
	flags := r.Byte()
	if flags&^flagMask != 0 || (flags&flagZero != 0 && flags&flagBuckets == 0) {
		return nil, 0, corrupt("unknown flags %#x", flags)
	}
	s := &Sketch{sum: sum, buckets: flags&flagBuckets != 0}
	if flags&flagUnknown != 0 {
		s.unknownN = r.count(false)
	}
	if !s.buckets {
		s.exact = r.points(s.unknownN > 0)
	} else {
		if flags&flagZero != 0 {
			s.zero = r.count(false)
		}
		s.pos = r.buckets()
		s.neg = r.buckets()
	}
	if r.Err != nil {
		return nil, 0, r.Err
	}
	if err := s.check(); err != nil {
		return nil, 0, err
	}
	return s, len(b) - len(r.B), nil
}

// check verifies that the values agree with the summary.
func (s *Sketch) check() error {
	known := s.zero
	for _, p := range s.exact {
		known += p.n
	}
	for _, bs := range [][]bucket{s.pos, s.neg} {
		for _, b := range bs {
			known += b.n
		}
	}
	total := known + s.unknownN
	if math.Abs(total-s.sum.Count) > 1e-9*s.sum.Count {
		return corrupt("holds %v observations, summary says %v", total, s.sum.Count)
	}
	if known == 0 {
		return nil // a statistic set of unknown values only
	}
	lo, hi, minKey, maxKey := 0.0, 0.0, s.sum.Min, s.sum.Max
	if !s.buckets {
		lo, hi = s.exact[0].v, s.exact[len(s.exact)-1].v
	} else {
		lo, hi = s.firstBucketKey(), s.lastBucketKey()
		minKey, maxKey = orderKey(s.sum.Min), orderKey(s.sum.Max)
	}
	if s.unknownN > 0 {
		if lo < minKey || hi > maxKey {
			return corrupt("values outside [Min, Max]")
		}
	} else if lo != minKey || hi != maxKey {
		return corrupt("lowest and highest values disagree with Min and Max")
	}
	return nil
}

// orderKey maps a value to the position of its bucket among all buckets,
// negative ones first.
func orderKey(x float64) float64 {
	switch {
	case x >= 0x1p-1022:
		return float64(1<<40 + int64(bucketIndex(x)))
	case x <= -0x1p-1022:
		return -float64(1<<40 + int64(bucketIndex(-x)))
	}
	return 0
}

func (s *Sketch) firstBucketKey() float64 {
	switch {
	case len(s.neg) > 0:
		return -float64(1<<40 + int64(s.neg[len(s.neg)-1].idx))
	case s.zero > 0:
		return 0
	}
	return float64(1<<40 + int64(s.pos[0].idx))
}

func (s *Sketch) lastBucketKey() float64 {
	switch {
	case len(s.pos) > 0:
		return float64(1<<40 + int64(s.pos[len(s.pos)-1].idx))
	case s.zero > 0:
		return 0
	}
	return -float64(1<<40 + int64(s.neg[0].idx))
}

func appendCount(b []byte, n float64) []byte {
	if n >= 0 && n < 1<<52 && n == math.Trunc(n) {
		return binary.AppendUvarint(b, uint64(n)<<1)
	}
	b = binary.AppendUvarint(b, 1)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(n))
}

func appendBuckets(b []byte, bs []bucket) []byte {
	b = binary.AppendUvarint(b, uint64(len(bs)))
	for i, bk := range bs {
		if i == 0 {
			b = binary.AppendVarint(b, int64(bk.idx))
		} else {
			b = binary.AppendUvarint(b, uint64(bk.idx-bs[i-1].idx-1))
		}
		b = appendCount(b, bk.n)
	}
	return b
}

// valueWriter encodes ascending values, each as a mantissa step at the
// previous value's decimal exponent when it can.
type valueWriter struct {
	ok   bool
	exp  int
	mant int64
}

func (w *valueWriter) append(b []byte, v float64) []byte {
	m, e, ok := decfloat.Split(v)
	if ok && w.ok && e >= w.exp {
		if scaled, fits := decfloat.Scale(m, e-w.exp); fits && scaled > w.mant {
			b = binary.AppendUvarint(b, uint64(scaled-w.mant-1)<<1)
			w.mant = scaled
			return b
		}
	}
	if ok {
		b = binary.AppendUvarint(b, 1)
		b = binary.AppendVarint(b, int64(e))
		b = binary.AppendVarint(b, m)
		*w = valueWriter{ok: true, exp: e, mant: m}
		return b
	}
	b = binary.AppendUvarint(b, 3)
	w.ok = false
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

// reader decodes a sketch; its errors wrap ErrCorrupt.
type reader struct{ binread.Reader }

func newReader(b []byte) *reader {
	return &reader{binread.Reader{B: b, Corrupt: func(msg string) error { return corrupt("%s", msg) }}}
}

// count reads a count: positive and finite, or zero when zeroOK.
func (r *reader) count(zeroOK bool) float64 {
	x := r.Uvarint()
	var n float64
	switch {
	case x&1 == 0:
		if x>>1 >= 1<<52 {
			r.Fail("count not canonical")
		}
		n = float64(x >> 1)
	case x == 1:
		n = r.Float()
		if n >= 0 && n < 1<<52 && n == math.Trunc(n) {
			r.Fail("count not canonical")
		}
	default:
		r.Fail("bad count")
	}
	if r.Err == nil && (!finite(n) || n < 0 || n == 0 && !zeroOK) {
		r.Fail("invalid count %v", n)
	}
	return n
}

// length reads a list length, which cannot exceed limit nor the bytes left
// (every entry takes two bytes at least).
func (r *reader) length(limit int) int {
	n := r.Uvarint()
	if r.Err == nil && (n > uint64(limit) || n > uint64(len(r.B)/2)) {
		r.Fail("list too long")
		return 0
	}
	return int(n)
}

// points reads the exact values; there may be none when emptyOK.
func (r *reader) points(emptyOK bool) []point {
	k := r.length(ExactLimit)
	if r.Err == nil && k == 0 && !emptyOK {
		r.Fail("no values")
	}
	pts := make([]point, 0, k)
	var ok bool
	var exp int
	var mant int64
	for i := 0; i < k && r.Err == nil; i++ {
		var v float64
		switch h := r.Uvarint(); {
		case h&1 == 0:
			d := int64(h>>1) + 1
			if !ok || d <= 0 || mant+d >= 1<<53 || mant+d < mant {
				r.Fail("bad value step")
				return nil
			}
			mant += d
			v = decfloat.Join(mant, exp)
		case h == 1:
			e, m := r.Varint(), r.Varint()
			if e < -400 || e > 400 || m <= -1<<53 || m >= 1<<53 {
				r.Fail("bad decimal")
				return nil
			}
			ok, exp, mant = true, int(e), m
			v = decfloat.Join(m, exp)
		case h == 3:
			ok = false
			v = r.Float()
		default:
			r.Fail("bad value tag")
			return nil
		}
		n := r.count(false)
		if r.Err != nil {
			return nil
		}
		if !finite(v) || len(pts) > 0 && v <= pts[len(pts)-1].v {
			r.Fail("values not finite and ascending")
			return nil
		}
		pts = append(pts, point{v, n})
	}
	return pts
}

func (r *reader) buckets() []bucket {
	k := r.length(maxIndex - minIndex + 1)
	bs := make([]bucket, 0, k)
	idx := int64(0)
	for i := 0; i < k && r.Err == nil; i++ {
		if i == 0 {
			idx = r.Varint()
		} else {
			gap := r.Uvarint()
			if gap > maxIndex-minIndex {
				r.Fail("bad bucket gap")
				return nil
			}
			idx += int64(gap) + 1
		}
		n := r.count(false)
		if r.Err != nil {
			return nil
		}
		if idx < minIndex || idx > maxIndex {
			r.Fail("bucket index %d out of range", idx)
			return nil
		}
		bs = append(bs, bucket{int32(idx), n})
	}
	return bs
}
