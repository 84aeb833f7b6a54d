package cbor

import (
	"strings"
	"unicode/utf8"
)

// ReadText reads a text string, definite or indefinite-length, checking
// that it is valid UTF-8. It copies the text once, into the returned
// string, so the string does not keep the input alive.
func (r *Reader) ReadText() (string, error) {
	if r.err != nil {
		return "", r.err
	}
	off := r.off
	start, end, total, err := r.stringSpan(off, KindText)
	if err != nil {
		return "", err
	}
	r.off = end
	r.endItem()
	if total < 0 {
		return string(r.data[start:end]), nil
	}
	var sb strings.Builder
	sb.Grow(total)
	for p := start; r.data[p] != byteBreak; {
		var c []byte
		c, p = r.nextChunk(p)
		sb.Write(c)
	}
	return sb.String(), nil
}

// ReadTextBytes reads a text string, as ReadText does, but returns its
// bytes. For a definite-length string they are a subslice of the input,
// with no allocation: the caller must not modify them, and they are only
// valid while the input is. For an indefinite-length string they are a new
// concatenation of its chunks. ReadTextBytes suits map keys, which the
// caller compares against field names.
func (r *Reader) ReadTextBytes() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	off := r.off
	// Fast path: a short definite-length string, as most map keys are.
	if off < len(r.data) {
		if ib := r.data[off]; ib&majorMask == majorText && ib&infoMask < info1Byte {
			end := off + 1 + int(ib&infoMask)
			if end <= len(r.data) {
				if b := r.data[off+1 : end : end]; utf8.Valid(b) {
					r.off = end
					r.endItem()
					return b, nil
				}
			}
		}
	}
	b, _, err := r.readString(KindText)
	return b, err
}

// ReadBytes reads a byte string, definite or indefinite-length, into a new
// slice that the caller owns. An empty byte string gives an empty, non-nil
// slice.
func (r *Reader) ReadBytes() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	b, fresh, err := r.readString(KindBytes)
	if err != nil || fresh {
		return b, err
	}
	out := make([]byte, len(b))
	copy(out, b)
	return out, nil
}

// readString reads a string of kind k, returning a subslice of the input
// for a definite-length string and a new slice, with fresh set, for an
// indefinite one.
func (r *Reader) readString(k Kind) (b []byte, fresh bool, err error) {
	start, end, total, err := r.stringSpan(r.off, k)
	if err != nil {
		return nil, false, err
	}
	r.off = end
	r.endItem()
	if total < 0 {
		return r.data[start:end:end], false, nil
	}
	b = make([]byte, 0, total)
	for p := start; r.data[p] != byteBreak; {
		var c []byte
		c, p = r.nextChunk(p)
		b = append(b, c...)
	}
	return b, true, nil
}

// stringSpan checks the string of kind k at off. For a definite-length
// string it returns the bounds of its content and a total of -1. For an
// indefinite-length one it returns the offset of its first chunk, the
// offset after its break, and the total length of its chunks.
func (r *Reader) stringSpan(off int, k Kind) (start, end, total int, err error) {
	if off >= len(r.data) || kindOf[r.data[off]] != k {
		return 0, 0, 0, r.mismatch(off, "expected "+k.String())
	}
	if r.data[off]&infoMask != infoIndefinite {
		start, end, err = r.chunk(off, k)
		return start, end, -1, err
	}
	for p := off + 1; ; {
		if p >= len(r.data) {
			return 0, 0, 0, r.fail(off, "truncated "+k.String(), "no break")
		}
		ib := r.data[p]
		if ib == byteBreak {
			return off + 1, p + 1, total, nil
		}
		if kindOf[ib] != k || ib&infoMask == infoIndefinite {
			return 0, 0, 0, r.mismatch(p, "expected definite-length "+k.String()+" chunk")
		}
		cs, ce, err := r.chunk(p, k)
		if err != nil {
			return 0, 0, 0, err
		}
		total += ce - cs
		p = ce
	}
}

// chunk checks the definite-length string of kind k at off and returns the
// bounds of its content. Text must be valid UTF-8; RFC 8949 section 3.2.3
// requires each chunk of an indefinite-length text string to be valid on
// its own.
func (r *Reader) chunk(off int, k Kind) (start, end int, err error) {
	n, next, ok := argumentAt(r.data, off)
	if !ok {
		return 0, 0, r.fail(off, "truncated "+k.String(), "")
	}
	if left := uint64(len(r.data) - next); n > left {
		return 0, 0, r.tooLong(off, k, n, "bytes", left)
	}
	end = next + int(n)
	if k == KindText && !utf8.Valid(r.data[next:end]) {
		return 0, 0, r.fail(off, "invalid UTF-8 in text string", "")
	}
	return next, end, nil
}

// nextChunk returns the content of the chunk at p, in an indefinite-length
// string that stringSpan has checked, and the offset after it.
func (r *Reader) nextChunk(p int) ([]byte, int) {
	n, next, _ := argumentAt(r.data, p)
	end := next + int(n)
	return r.data[next:end], end
}

// Skip reads and discards the next whole item: a scalar, a string, or an
// array or map with everything nested in it, along with any tags before
// it. It checks that the item is well-formed but, for speed, not that text
// is valid UTF-8.
func (r *Reader) Skip() error {
	if r.err != nil {
		return r.err
	}
	base := len(r.stack)
	for {
		off := r.off
		if off >= len(r.data) {
			return r.fail(off, "unexpected end of input", "")
		}
		ib := r.data[off]
		switch k := kindOf[ib]; k {
		case KindInvalid:
			return r.fail(off, "malformed initial byte "+hexByte(ib), "")
		case KindUint, KindNegInt:
			_, next, ok := argumentAt(r.data, off)
			if !ok {
				return r.fail(off, "truncated "+k.String(), "")
			}
			r.off = next
			r.endItem()
		case KindFloat:
			if _, ok := r.float(); !ok {
				return r.fail(off, "truncated float", "")
			}
		case KindBool, KindNull, KindUndefined:
			r.off = off + 1
			r.endItem()
		case KindSimple:
			if err := r.skipSimple(off); err != nil {
				return err
			}
		case KindBytes, KindText:
			if err := r.skipString(off, k); err != nil {
				return err
			}
		case KindArray, KindMap:
			if _, err := r.readContainer(k); err != nil {
				return err
			}
		case KindTag:
			if _, err := r.ReadTag(); err != nil {
				return err
			}
			continue
		case KindBreak:
			if len(r.stack) <= base {
				return r.fail(off, "unexpected break", "expected an item")
			}
			if err := r.ReadBreak(); err != nil {
				return err
			}
		}
		if len(r.stack) <= base {
			return nil
		}
	}
}

// ReadRaw skips the next whole item, as Skip does, and returns its
// encoding: a subslice of the input, with any tags before the item.
func (r *Reader) ReadRaw() ([]byte, error) {
	start := r.off
	if err := r.Skip(); err != nil {
		return nil, err
	}
	return r.data[start:r.off:r.off], nil
}

// skipSimple skips a simple value other than false, true, null and
// undefined. RFC 8949 section 3.3 makes a two-byte simple value below 32
// malformed.
func (r *Reader) skipSimple(off int) error {
	if r.data[off] != byteSimple1 {
		r.off = off + 1
		r.endItem()
		return nil
	}
	if off+1 >= len(r.data) {
		return r.fail(off, "truncated simple value", "")
	}
	if v := r.data[off+1]; v < 32 {
		return r.fail(off, "malformed two-byte simple value", "found "+hexByte(v))
	}
	r.off = off + 2
	r.endItem()
	return nil
}

// skipString skips a byte or text string without checking UTF-8.
func (r *Reader) skipString(off int, k Kind) error {
	p := off
	if r.data[off]&infoMask == infoIndefinite {
		p++
		for {
			if p >= len(r.data) {
				return r.fail(off, "truncated "+k.String(), "no break")
			}
			ib := r.data[p]
			if ib == byteBreak {
				r.off = p + 1
				r.endItem()
				return nil
			}
			if kindOf[ib] != k || ib&infoMask == infoIndefinite {
				return r.mismatch(p, "expected definite-length "+k.String()+" chunk")
			}
			n, next, ok := argumentAt(r.data, p)
			if !ok {
				return r.fail(p, "truncated "+k.String(), "")
			}
			if left := uint64(len(r.data) - next); n > left {
				return r.tooLong(p, k, n, "bytes", left)
			}
			p = next + int(n)
		}
	}
	n, next, ok := argumentAt(r.data, p)
	if !ok {
		return r.fail(off, "truncated "+k.String(), "")
	}
	if left := uint64(len(r.data) - next); n > left {
		return r.tooLong(off, k, n, "bytes", left)
	}
	r.off = next + int(n)
	r.endItem()
	return nil
}
