package schemaregistry

import (
	"hash/maphash"
	"slices"
	"sync"
)

// A fingerprint identifies the shape of an event on the path of
// PutEvents, cheaply: events whose fingerprints a discoverer has seen
// cannot change its schemas, and are not inferred again. It hashes the
// source, the detail type, whether the resources are empty, and the set
// of (path, type) pairs of the detail — with, for every object, the set
// of its keys, so that which properties are always present counts too.
// It reads the detail's bytes once, with no decoding and no allocation.
// Two shapes with one fingerprint (a 64-bit collision) would leave the
// second uninferred; distinct fingerprints of shapes inference merges
// alike ({} and null) only cost an inference.

// seed keys the fingerprints' hashes: they are compared within a process.
var seed = maphash.MakeSeed()

// The kinds of values a fingerprint tells apart.
const (
	fpObject uint64 = iota + 1
	fpArray
	fpString
	fpDateTime
	fpInteger
	fpNumber
	fpBoolean
	fpNull
	fpKeys
	fpItems
)

// mix combines two hashes (the finalizer of SplitMix64, over their sum
// after a multiply, so that mix(a, b) != mix(b, a)).
func mix(a, b uint64) uint64 {
	x := a*0x9e3779b97f4a7c15 + b
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// walker reads a JSON value's shape into the hashes of its (path, type)
// pairs.
type walker struct {
	b      []byte
	i      int
	hashes []uint64
}

var walkers = sync.Pool{New: func() any { return &walker{hashes: make([]uint64, 0, 64)} }}

// fingerprint returns the fingerprint of an event's shape; false when its
// detail is not a JSON object or is nested deeper than discovery infers.
func fingerprint(source, detailType string, resources int, detail []byte) (uint64, bool) {
	w := walkers.Get().(*walker)
	defer walkers.Put(w)
	w.b, w.i, w.hashes = detail, 0, w.hashes[:0]
	w.space()
	if w.i >= len(w.b) || w.b[w.i] != '{' || !w.value(0, 1) {
		return 0, false
	}
	if w.space(); w.i != len(w.b) {
		return 0, false
	}
	slices.Sort(w.hashes)
	h := mix(maphash.String(seed, source), maphash.String(seed, detailType))
	h = mix(h, uint64(min(resources, 1)))
	prev := uint64(0)
	for i, x := range w.hashes {
		if i == 0 || x != prev {
			h = mix(h, x)
		}
		prev = x
	}
	return h, true
}

func (w *walker) space() {
	for w.i < len(w.b) && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\n' || w.b[w.i] == '\r') {
		w.i++
	}
}

// add records a (path, type) pair.
func (w *walker) add(path, kind uint64) { w.hashes = append(w.hashes, mix(path, kind)) }

// value reads the value at w.i, whose path hashes to path, at a depth.
func (w *walker) value(path uint64, depth int) bool {
	if depth > maxDepth || w.i >= len(w.b) {
		return false
	}
	switch c := w.b[w.i]; {
	case c == '{':
		return w.object(path, depth)
	case c == '[':
		return w.array(path, depth)
	case c == '"':
		start := w.i + 1
		escaped, ok := w.str()
		kind := fpString
		if ok && !escaped && isDateTime(w.b[start:w.i-1]) {
			kind = fpDateTime
		}
		w.add(path, kind)
		return ok
	case c == '-' || '0' <= c && c <= '9':
		kind := fpInteger
		for w.i < len(w.b) && (w.b[w.i] == '-' || w.b[w.i] == '+' || w.b[w.i] == '.' || w.b[w.i] == 'e' || w.b[w.i] == 'E' ||
			'0' <= w.b[w.i] && w.b[w.i] <= '9') {
			if w.b[w.i] == '.' || w.b[w.i] == 'e' || w.b[w.i] == 'E' {
				kind = fpNumber
			}
			w.i++
		}
		w.add(path, kind)
		return true
	}
	for _, lit := range [...]struct {
		text string
		kind uint64
	}{{"true", fpBoolean}, {"false", fpBoolean}, {"null", fpNull}} {
		if len(w.b)-w.i >= len(lit.text) && string(w.b[w.i:w.i+len(lit.text)]) == lit.text {
			w.i += len(lit.text)
			w.add(path, lit.kind)
			return true
		}
	}
	return false
}

// str skips a string, reporting whether it had escapes.
func (w *walker) str() (escaped, ok bool) {
	for w.i++; w.i < len(w.b); w.i++ {
		switch w.b[w.i] {
		case '\\':
			escaped = true
			w.i++
		case '"':
			w.i++
			return escaped, true
		}
	}
	return escaped, false
}

func (w *walker) object(path uint64, depth int) bool {
	w.i++
	keys := uint64(0)
	for first := true; ; first = false {
		w.space()
		if w.i >= len(w.b) {
			return false
		}
		if w.b[w.i] == '}' && first {
			w.i++
			break
		}
		if w.b[w.i] != '"' {
			return false
		}
		start := w.i
		if _, ok := w.str(); !ok {
			return false
		}
		k := maphash.Bytes(seed, w.b[start:w.i])
		keys += k
		if w.space(); w.i >= len(w.b) || w.b[w.i] != ':' {
			return false
		}
		w.i++
		w.space()
		if !w.value(mix(path, k), depth+1) {
			return false
		}
		if w.space(); w.i < len(w.b) && w.b[w.i] == ',' {
			w.i++
			continue
		}
		if w.i >= len(w.b) || w.b[w.i] != '}' {
			return false
		}
		w.i++
		break
	}
	w.add(path, fpObject)
	w.add(mix(path, fpKeys), keys)
	return true
}

func (w *walker) array(path uint64, depth int) bool {
	w.i++
	items := mix(path, fpItems)
	for first := true; ; first = false {
		w.space()
		if w.i >= len(w.b) {
			return false
		}
		if w.b[w.i] == ']' && first {
			w.i++
			break
		}
		if !w.value(items, depth+1) {
			return false
		}
		if w.space(); w.i < len(w.b) && w.b[w.i] == ',' {
			w.i++
			continue
		}
		if w.i >= len(w.b) || w.b[w.i] != ']' {
			return false
		}
		w.i++
		break
	}
	w.add(path, fpArray)
	return true
}
