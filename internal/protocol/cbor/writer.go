package cbor

import (
	"encoding/binary"
	"math"
	"strings"
	"unicode/utf8"
)

// Encodings of the non-finite floats, which Writer always sends in half
// precision, their shortest form. RFC 8949 section 4.2.2 suggests 0xf97e00
// as the one NaN of a protocol that does not carry NaN payloads.
const (
	float16NaN    = 0x7e00
	float16PosInf = 0x7c00
	float16NegInf = 0xfc00
)

// appendHead appends the head of major type major with argument v, in its
// shortest form.
func appendHead(b []byte, major byte, v uint64) []byte {
	switch {
	case v < info1Byte:
		return append(b, major|byte(v))
	case v <= math.MaxUint8:
		return append(b, major|info1Byte, byte(v))
	case v <= math.MaxUint16:
		return append(b, major|info2Bytes, byte(v>>8), byte(v))
	case v <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, major|info4Bytes), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(b, major|info8Bytes), v)
}

// AppendUint appends an unsigned integer.
func AppendUint(b []byte, v uint64) []byte {
	return appendHead(b, majorUint, v)
}

// AppendInt appends an integer, as an unsigned integer if v >= 0 and as a
// negative integer otherwise.
func AppendInt(b []byte, v int64) []byte {
	if v >= 0 {
		return appendHead(b, majorUint, uint64(v))
	}
	// The argument of a negative integer is -1 - v, which is ^v.
	return appendHead(b, majorNegInt, uint64(^v))
}

// AppendFloat32 appends a single-precision float, the encoding Smithy uses
// for float members. NaN and the infinities are appended in half
// precision.
func AppendFloat32(b []byte, f float32) []byte {
	if h, ok := nonFinite(float64(f)); ok {
		return append(b, byteFloat16, byte(h>>8), byte(h))
	}
	return binary.BigEndian.AppendUint32(append(b, byteFloat32), math.Float32bits(f))
}

// AppendFloat64 appends a double-precision float, the encoding Smithy uses
// for double members and timestamps. NaN and the infinities are appended
// in half precision.
func AppendFloat64(b []byte, f float64) []byte {
	if h, ok := nonFinite(f); ok {
		return append(b, byteFloat16, byte(h>>8), byte(h))
	}
	return binary.BigEndian.AppendUint64(append(b, byteFloat64), math.Float64bits(f))
}

// nonFinite returns the half-precision encoding of f if f is NaN or
// infinite.
func nonFinite(f float64) (uint16, bool) {
	switch {
	case f != f:
		return float16NaN, true
	case f > math.MaxFloat64:
		return float16PosInf, true
	case f < -math.MaxFloat64:
		return float16NegInf, true
	}
	return 0, false
}

// AppendBool appends true or false.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, byteTrue)
	}
	return append(b, byteFalse)
}

// AppendNull appends null.
func AppendNull(b []byte) []byte {
	return append(b, byteNull)
}

// AppendUndefined appends undefined.
func AppendUndefined(b []byte) []byte {
	return append(b, byteUndefined)
}

// AppendText appends s as a definite-length text string. CBOR text must be
// UTF-8, so every run of invalid bytes in s is replaced by U+FFFD, as
// strings.ToValidUTF8 does.
func AppendText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return append(appendHead(b, majorText, uint64(len(s))), s...)
}

// AppendTextBytes appends s as a definite-length text string, replacing
// invalid UTF-8 as AppendText does.
func AppendTextBytes(b, s []byte) []byte {
	if !utf8.Valid(s) {
		return AppendText(b, string(s))
	}
	return append(appendHead(b, majorText, uint64(len(s))), s...)
}

// AppendBytes appends p as a definite-length byte string.
func AppendBytes(b, p []byte) []byte {
	return append(appendHead(b, majorBytes, uint64(len(p))), p...)
}

// AppendTag appends the head of a tag with number tag; append the tagged
// item next. Smithy timestamps are TagEpochTime followed by AppendFloat64
// of the epoch seconds.
func AppendTag(b []byte, tag uint64) []byte {
	return appendHead(b, majorTag, tag)
}

// AppendArrayHeader appends the head of an array of n items; append the n
// items next. It panics if n is negative.
func AppendArrayHeader(b []byte, n int) []byte {
	if n < 0 {
		panic("BUG: cbor: negative array length")
	}
	return appendHead(b, majorArray, uint64(n))
}

// AppendMapHeader appends the head of a map of n key/value pairs; append
// the n keys and values next. It panics if n is negative.
func AppendMapHeader(b []byte, n int) []byte {
	if n < 0 {
		panic("BUG: cbor: negative map length")
	}
	return appendHead(b, majorMap, uint64(n))
}

// AppendArrayStart appends the head of an indefinite-length array; append
// its items, then AppendBreak.
func AppendArrayStart(b []byte) []byte {
	return append(b, majorArray|infoIndefinite)
}

// AppendMapStart appends the head of an indefinite-length map; append its
// keys and values, then AppendBreak.
func AppendMapStart(b []byte) []byte {
	return append(b, majorMap|infoIndefinite)
}

// AppendBreak appends the break that ends an indefinite-length array or
// map.
func AppendBreak(b []byte) []byte {
	return append(b, byteBreak)
}

// Writer encodes CBOR data items by appending them to a byte slice, with
// the Append functions. Its methods never fail.
//
// The zero Writer is ready to use. A Writer is not safe for concurrent use.
type Writer struct {
	buf []byte
}

// NewWriter returns a Writer that appends to buf, which may be nil or a
// reused buffer truncated to length zero.
func NewWriter(buf []byte) *Writer {
	return &Writer{buf: buf}
}

// Bytes returns the encoded items. The slice aliases w's buffer: it is
// valid until the next call that writes to w or resets it.
func (w *Writer) Bytes() []byte {
	return w.buf
}

// Len returns the number of bytes written.
func (w *Writer) Len() int {
	return len(w.buf)
}

// Reset discards everything written, keeping the buffer for reuse.
func (w *Writer) Reset() {
	w.buf = w.buf[:0]
}

// WriteUint writes an unsigned integer, as AppendUint does.
func (w *Writer) WriteUint(v uint64) { w.buf = AppendUint(w.buf, v) }

// WriteInt writes an integer, as AppendInt does.
func (w *Writer) WriteInt(v int64) { w.buf = AppendInt(w.buf, v) }

// WriteFloat32 writes a single-precision float, as AppendFloat32 does.
func (w *Writer) WriteFloat32(f float32) { w.buf = AppendFloat32(w.buf, f) }

// WriteFloat64 writes a double-precision float, as AppendFloat64 does.
func (w *Writer) WriteFloat64(f float64) { w.buf = AppendFloat64(w.buf, f) }

// WriteBool writes true or false.
func (w *Writer) WriteBool(v bool) { w.buf = AppendBool(w.buf, v) }

// WriteNull writes null.
func (w *Writer) WriteNull() { w.buf = AppendNull(w.buf) }

// WriteUndefined writes undefined.
func (w *Writer) WriteUndefined() { w.buf = AppendUndefined(w.buf) }

// WriteText writes a text string, as AppendText does.
func (w *Writer) WriteText(s string) { w.buf = AppendText(w.buf, s) }

// WriteTextBytes writes a text string, as AppendTextBytes does.
func (w *Writer) WriteTextBytes(s []byte) { w.buf = AppendTextBytes(w.buf, s) }

// WriteBytes writes a byte string.
func (w *Writer) WriteBytes(p []byte) { w.buf = AppendBytes(w.buf, p) }

// WriteTag writes the head of a tag, as AppendTag does.
func (w *Writer) WriteTag(tag uint64) { w.buf = AppendTag(w.buf, tag) }

// WriteArrayHeader writes the head of an array of n items. It panics if n
// is negative.
func (w *Writer) WriteArrayHeader(n int) { w.buf = AppendArrayHeader(w.buf, n) }

// WriteMapHeader writes the head of a map of n key/value pairs. It panics
// if n is negative.
func (w *Writer) WriteMapHeader(n int) { w.buf = AppendMapHeader(w.buf, n) }

// WriteArrayStart writes the head of an indefinite-length array.
func (w *Writer) WriteArrayStart() { w.buf = AppendArrayStart(w.buf) }

// WriteMapStart writes the head of an indefinite-length map.
func (w *Writer) WriteMapStart() { w.buf = AppendMapStart(w.buf) }

// WriteBreak writes the break that ends an indefinite-length array or map.
func (w *Writer) WriteBreak() { w.buf = AppendBreak(w.buf) }

// WriteRaw appends b, which must be the encoding of whole items, such as
// one that [Reader.ReadRaw] returned.
func (w *Writer) WriteRaw(b []byte) { w.buf = append(w.buf, b...) }
