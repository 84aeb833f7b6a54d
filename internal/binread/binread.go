// Package binread decodes the compact binary encodings Vigil stores
// (statistic sketches, metric point batches): unsigned and zig-zag
// varints, bytes and little-endian float64s.
package binread

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Reader reads B from the front, keeping the first error; after an error
// every read returns a zero value, so a decoder checks Err once per
// record rather than after every field.
type Reader struct {
	B   []byte // the bytes not read yet
	Err error  // the first error
	// Corrupt turns what went wrong into Err (wrapping the caller's
	// sentinel error).
	Corrupt func(msg string) error
}

// Fail records an error (unless one is recorded already) and drops the
// rest of the input.
func (r *Reader) Fail(format string, args ...any) {
	if r.Err == nil {
		r.Err = r.Corrupt(fmt.Sprintf(format, args...))
	}
	r.B = nil
}

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.B) == 0 {
		r.Fail("truncated")
		return 0
	}
	c := r.B[0]
	r.B = r.B[1:]
	return c
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 { return readVarint(r, binary.Uvarint) }

// Varint reads a zig-zag varint.
func (r *Reader) Varint() int64 { return readVarint(r, binary.Varint) }

func readVarint[T uint64 | int64](r *Reader, decode func([]byte) (T, int)) T {
	v, n := decode(r.B)
	if n <= 0 {
		r.Fail("bad varint")
		return 0
	}
	r.B = r.B[n:]
	return v
}

// Float reads a little-endian float64.
func (r *Reader) Float() float64 {
	if len(r.B) < 8 {
		r.Fail("truncated")
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.B))
	r.B = r.B[8:]
	return f
}

// Bytes reads n bytes; the result shares the input's memory and cannot
// be appended to over it.
func (r *Reader) Bytes(n uint64) []byte {
	if uint64(len(r.B)) < n {
		r.Fail("truncated")
		return nil
	}
	v := r.B[:n:n]
	r.B = r.B[n:]
	return v
}
