package chunk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/vigilhq/vigil/internal/metrics/stats"
)

// version is the format version, the chunk's first byte.
const version = 1

// maxTime bounds timestamps so that their differences fit in an int64.
const maxTime = 1 << 61

// Prefix-code widths of the delta of delta of timestamps: 0, 7, 9 and 12
// bits, then a varint.
var timeWidths = []uint{0, 7, 9, 12}

// Stream indexes.
const (
	sCount = iota
	sSum
	sMin
	sMax
	numStreams
)

// ErrCorrupt is what every decoding error wraps.
var ErrCorrupt = errors.New("corrupt chunk")

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// Sample is one aggregated sample of a metric at one resolution: the
// observations of the period starting at T.
type Sample struct {
	// T is the start of the period, in Unix seconds.
	T int64
	// Count, Sum, Min and Max summarize the observations (SampleCount,
	// Sum, Minimum, Maximum).
	Count, Sum, Min, Max float64
	// Sketch is the distribution of the observations when they have more
	// than one distinct value (Min < Max). It is nil when Min == Max, as
	// the summary says it all, and when the values are unknown (the
	// sample aggregates statistic sets only). When set, its summary must
	// be the sample's.
	Sketch *stats.Sketch
}

// Summary returns the sample's count, sum, minimum and maximum.
func (s Sample) Summary() stats.Summary {
	return stats.Summary{Count: s.Count, Sum: s.Sum, Min: s.Min, Max: s.Max}
}

// Distribution returns the observations of the sample as a sketch of its
// own: a copy of Sketch; or, without one, Count observations of Min when
// Min == Max, observations of unknown values otherwise.
func (s Sample) Distribution() *stats.Sketch {
	if s.Sketch != nil && s.Min < s.Max {
		return s.Sketch.Clone()
	}
	sk := &stats.Sketch{}
	sk.AddSummary(s.Summary())
	return sk
}

// check validates a sample before encoding.
func (s Sample) check() error {
	switch {
	case s.T < -maxTime || s.T > maxTime:
		return fmt.Errorf("cannot encode sample at %d: timestamp out of range", s.T)
	case !(s.Count > 0) || math.IsInf(s.Count, 0):
		return fmt.Errorf("cannot encode sample at %d: count %v is not positive and finite", s.T, s.Count)
	case !finite(s.Sum) || !finite(s.Min) || !finite(s.Max) || s.Min > s.Max:
		return fmt.Errorf("cannot encode sample at %d: sum %v, min %v, max %v are not finite with min <= max", s.T, s.Sum, s.Min, s.Max)
	case s.Sketch != nil && s.Min < s.Max && s.Sketch.Summary() != s.Summary():
		return fmt.Errorf("cannot encode sample at %d: sketch summary %+v differs from the sample's %+v", s.T, s.Sketch.Summary(), s.Summary())
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// same reports whether two floats are the same bits: -0 is not 0.
func same(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

// Encoder builds a chunk from samples appended in time order. The zero
// Encoder is empty and ready to use.
type Encoder struct {
	w        bitWriter
	sketches []byte
	n        int
	t0, t    int64
	delta    int64
	count    float64 // of the previous sample; 1 before the first
	mean     float64 // Sum/Count of the previous sample
	st       [numStreams]stream
	dc       decimals
}

// Append adds a sample, which must come strictly after the previous one.
// A sketch is stored only when the sample has Min < Max and some known
// values.
func (e *Encoder) Append(s Sample) error {
	if err := s.check(); err != nil {
		return err
	}
	if e.n > 0 && s.T <= e.t {
		return fmt.Errorf("cannot append sample at %d after %d: samples must be in strictly increasing time order", s.T, e.t)
	}
	if e.n == 0 {
		e.t0, e.count = s.T, 1
	} else {
		d := s.T - e.t
		if u := zigzag(d - e.delta); !writeCode(&e.w, timeWidths, u) {
			writeEscape(&e.w, timeWidths)
			e.w.writeVar(u)
		}
		e.delta = d
	}
	e.t = s.T

	if s.Count == e.count {
		e.w.bit(false)
		e.st[sCount].observe(s.Count, math.NaN(), &e.dc)
	} else {
		e.w.bit(true)
		e.st[sCount].encode(&e.w, s.Count, math.NaN(), &e.dc)
	}
	e.count = s.Count

	e.st[sSum].encode(&e.w, s.Sum, e.sumHint(s.Count), &e.dc)
	mean := s.Sum / s.Count
	if same(s.Min, s.Max) && same(mean, s.Min) {
		// One value, which Sum/Count gives back: Min and Max cost a bit.
		e.w.bit(false)
		e.st[sMin].observe(s.Min, mean, &e.dc)
		e.st[sMax].observe(s.Max, mean, &e.dc)
	} else {
		e.w.bit(true)
		e.st[sMin].encode(&e.w, s.Min, mean, &e.dc)
		e.st[sMax].encode(&e.w, s.Max, mean, &e.dc)
		if s.Min < s.Max {
			known := s.Sketch != nil && s.Sketch.Unknown() < s.Count
			e.w.bit(known)
			if known {
				e.sketches = s.Sketch.AppendBody(e.sketches)
			}
		}
	}
	e.mean = mean
	e.n++
	return nil
}

// sumHint guesses the sum of a sample: its count times the previous mean.
func (e *Encoder) sumHint(count float64) float64 {
	if e.n == 0 {
		return math.NaN()
	}
	return count * e.mean
}

// Len returns the number of samples appended.
func (e *Encoder) Len() int { return e.n }

// Bytes returns the chunk: the samples appended so far.
func (e *Encoder) Bytes() []byte {
	b := make([]byte, 0, 2+2*binary.MaxVarintLen64+len(e.w.b)+len(e.sketches))
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(e.n))
	if e.n == 0 {
		return b
	}
	b = binary.AppendVarint(b, e.t0)
	b = binary.AppendUvarint(b, uint64(len(e.w.b)))
	b = append(b, e.w.b...)
	return append(b, e.sketches...)
}

// Reset empties the encoder, keeping its memory.
func (e *Encoder) Reset() {
	*e = Encoder{w: bitWriter{b: e.w.b[:0]}, sketches: e.sketches[:0]}
}

// Iterator decodes a chunk sample by sample. Untrusted bytes are safe:
// anything malformed stops the iteration with an error wrapping
// ErrCorrupt.
type Iterator struct {
	r        bitReader
	sketches []byte
	n, i     int
	t, delta int64
	count    float64
	mean     float64
	st       [numStreams]stream
	dc       decimals
	cur      Sample
	err      error
}

// NewIterator returns an iterator over the samples of chunk b.
func NewIterator(b []byte) *Iterator {
	it := &Iterator{count: 1}
	if len(b) == 0 || b[0] != version {
		it.err = corrupt("unknown version")
		return it
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b))*8 {
		it.err = corrupt("bad sample count")
		return it
	}
	b = b[k:]
	if n == 0 {
		if len(b) > 0 {
			it.err = corrupt("trailing bytes")
		}
		return it
	}
	t0, k := binary.Varint(b)
	if k <= 0 || t0 < -maxTime || t0 > maxTime {
		it.err = corrupt("bad first timestamp")
		return it
	}
	b = b[k:]
	nbytes, k := binary.Uvarint(b)
	if k <= 0 || nbytes > uint64(len(b)-k) {
		it.err = corrupt("bad stream length")
		return it
	}
	b = b[k:]
	// Every sample takes three bits at least.
	if n > (nbytes*8+2)/3 {
		it.err = corrupt("more samples than bits")
		return it
	}
	it.n, it.t = int(n), t0
	it.r = bitReader{b: b[:nbytes]}
	it.sketches = b[nbytes:]
	return it
}

// Next decodes the next sample, reporting false at the end or on error.
func (it *Iterator) Next() bool {
	if it.err != nil {
		return false
	}
	if it.i == it.n {
		it.finish()
		return false
	}
	if err := it.decode(); err != nil {
		it.err = err
		return false
	}
	it.i++
	return true
}

// At returns the current sample. Its sketch belongs to the caller.
func (it *Iterator) At() Sample { return it.cur }

// Err returns the error that stopped the iteration, if any.
func (it *Iterator) Err() error { return it.err }

// Len returns the number of samples in the chunk.
func (it *Iterator) Len() int { return it.n }

func (it *Iterator) decode() error {
	r := &it.r
	if it.i > 0 {
		u, escaped := readCode(r, timeWidths)
		if escaped {
			u = r.readVar()
		}
		dod := unzigzag(u)
		if r.err || dod > 2*maxTime || dod < -2*maxTime {
			return corrupt("bad timestamp")
		}
		d := it.delta + dod
		if d <= 0 || it.t > maxTime-d {
			return corrupt("timestamps not increasing")
		}
		it.t, it.delta = it.t+d, d
	}
	s := Sample{T: it.t}
	if r.bit() {
		v, ok := it.st[sCount].decode(r, math.NaN())
		if !ok {
			return corrupt("bad count at %d", s.T)
		}
		it.count = v
	} else {
		it.st[sCount].observe(it.count, math.NaN(), &it.dc)
	}
	s.Count = it.count
	if !(s.Count > 0) {
		return corrupt("count %v at %d", s.Count, s.T)
	}
	hint := math.NaN()
	if it.i > 0 {
		hint = s.Count * it.mean
	}
	var ok bool
	if s.Sum, ok = it.st[sSum].decode(r, hint); !ok {
		return corrupt("bad sum at %d", s.T)
	}
	mean := s.Sum / s.Count
	if !finite(mean) {
		return corrupt("bad mean at %d", s.T)
	}
	if !r.bit() {
		s.Min, s.Max = mean, mean
		it.st[sMin].observe(mean, mean, &it.dc)
		it.st[sMax].observe(mean, mean, &it.dc)
	} else {
		okMin, okMax := false, false
		s.Min, okMin = it.st[sMin].decode(r, mean)
		s.Max, okMax = it.st[sMax].decode(r, mean)
		if !okMin || !okMax || s.Min > s.Max {
			return corrupt("bad minimum and maximum at %d", s.T)
		}
		if s.Min < s.Max && r.bit() {
			sk, n, err := stats.DecodeBody(it.sketches, s.Summary())
			if err != nil {
				return fmt.Errorf("%w: sketch at %d: %w", ErrCorrupt, s.T, err)
			}
			if sk.Unknown() == s.Count {
				return corrupt("sketch without values at %d", s.T)
			}
			it.sketches = it.sketches[n:]
			s.Sketch = sk
		}
	}
	if r.err {
		return corrupt("truncated at %d", s.T)
	}
	it.mean = mean
	it.cur = s
	return nil
}

// finish checks that the chunk holds nothing after its last sample.
func (it *Iterator) finish() {
	r := &it.r
	if rest := uint64(len(r.b))*8 - r.pos; rest >= 8 || r.read(uint(rest)) != 0 {
		it.err = corrupt("trailing bits")
	} else if len(it.sketches) > 0 {
		it.err = corrupt("trailing sketch bytes")
	}
}

// Decode returns all the samples of chunk b.
func Decode(b []byte) ([]Sample, error) {
	it := NewIterator(b)
	out := make([]Sample, 0, min(it.Len(), 1<<12)) // Len is not trusted yet
	for it.Next() {
		out = append(out, it.At())
	}
	return out, it.Err()
}
