package cbor

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Stack frames of open indefinite-length containers. An indefinite map
// alternates between frameMapKey and frameMapValue, so that a break can
// only come after a whole key/value pair.
const (
	frameArray    = -1
	frameMapKey   = -2
	frameMapValue = -3
)

// Reader decodes CBOR data items from a byte slice held in memory, one item
// or container head at a time.
//
// The caller drives the decoding: it calls the Read method for the item it
// expects, gets an [*Error] when the input holds something else, and uses
// [Reader.Peek] where several kinds are acceptable. Reader never panics,
// whatever the input, and never allocates more than the input could
// describe.
//
// Reader tracks the arrays and maps that are open, so it can limit their
// nesting depth and reject a break that does not end an indefinite-length
// item. Errors are final: after a method returns an error, every method
// returns that same error.
//
// The zero Reader reads an empty input; call [Reader.Reset] to give it
// data. A Reader is not safe for concurrent use.
type Reader struct {
	data     []byte
	off      int
	maxDepth int
	// stack holds, for every open array and map, the number of items
	// (keys and values, for a map) still to be read, or for an
	// indefinite-length one, a frame* constant.
	stack []int
	// tagged is set after a tag head, until its item has been read.
	tagged bool
	err    error
}

// NewReader returns a Reader over data, with a maximum nesting depth of
// DefaultMaxDepth. The Reader does not copy data; the caller must not
// modify it while reading.
func NewReader(data []byte) *Reader {
	r := new(Reader)
	r.Reset(data)
	return r
}

// Reset makes r read data from the start, forgetting any previous input,
// open containers and error but keeping its maximum depth and buffers.
func (r *Reader) Reset(data []byte) {
	r.data = data
	r.off = 0
	if r.stack == nil {
		r.stack = make([]int, 0, 8)
	}
	r.stack = r.stack[:0]
	r.tagged = false
	r.err = nil
}

// SetMaxDepth sets how deeply arrays and maps may nest: reading a container
// head when n containers are already open fails. A value of n below 1
// restores DefaultMaxDepth.
func (r *Reader) SetMaxDepth(n int) {
	if n < 1 {
		n = 0
	}
	r.maxDepth = n
}

// Offset returns the offset in the input of the next byte to be read.
func (r *Reader) Offset() int {
	return r.off
}

// Remaining returns how many bytes of input are left to read.
func (r *Reader) Remaining() int {
	return len(r.data) - r.off
}

// Depth returns how many arrays and maps are open: their heads have been
// read but not all their items (or their break).
func (r *Reader) Depth() int {
	return len(r.stack)
}

// Err returns the error that stopped r, or nil.
func (r *Reader) Err() error {
	return r.err
}

// Finish checks that the input ended cleanly: no error, no open array or
// map, no tag waiting for its item, and no bytes left over.
func (r *Reader) Finish() error {
	if r.err != nil {
		return r.err
	}
	if len(r.stack) > 0 || r.tagged {
		if r.off == len(r.data) {
			return r.fail(r.off, "unexpected end of input", "inside an unfinished item")
		}
		return r.fail(r.off, "unfinished item", strconv.Itoa(len(r.stack))+" containers still open")
	}
	if r.off < len(r.data) {
		return r.fail(r.off, "unexpected data after the last item", strconv.Itoa(len(r.data)-r.off)+" bytes left")
	}
	return nil
}

// Peek returns the kind of the next item without consuming it. It fails,
// like every read, at the end of the input and on an initial byte that no
// well-formed item starts with; use Remaining to test for the end.
func (r *Reader) Peek() (Kind, error) {
	if r.err != nil {
		return KindInvalid, r.err
	}
	if r.off >= len(r.data) {
		return KindInvalid, r.fail(r.off, "unexpected end of input", "")
	}
	ib := r.data[r.off]
	if k := kindOf[ib]; k != KindInvalid {
		return k, nil
	}
	return KindInvalid, r.fail(r.off, "malformed initial byte "+hexByte(ib), "")
}

// ReadUint reads an unsigned integer (major type 0).
func (r *Reader) ReadUint() (uint64, error) {
	if r.err != nil {
		return 0, r.err
	}
	off := r.off
	if off >= len(r.data) || kindOf[r.data[off]] != KindUint {
		return 0, r.mismatch(off, "expected unsigned integer")
	}
	v, next, ok := argumentAt(r.data, off)
	if !ok {
		return 0, r.fail(off, "truncated unsigned integer", "")
	}
	r.off = next
	r.endItem()
	return v, nil
}

// ReadInt reads an unsigned or negative integer into an int64, failing if
// its value is outside the range of int64.
func (r *Reader) ReadInt() (int64, error) {
	if r.err != nil {
		return 0, r.err
	}
	off := r.off
	if off >= len(r.data) {
		return 0, r.mismatch(off, "expected integer")
	}
	k := kindOf[r.data[off]]
	if k != KindUint && k != KindNegInt {
		return 0, r.mismatch(off, "expected integer")
	}
	v, next, ok := argumentAt(r.data, off)
	if !ok {
		return 0, r.fail(off, "truncated "+k.String(), "")
	}
	if v > math.MaxInt64 {
		if k == KindUint {
			return 0, r.fail(off, "integer overflows int64", "found "+strconv.FormatUint(v, 10))
		}
		return 0, r.fail(off, "integer overflows int64", "found "+negString(v))
	}
	r.off = next
	r.endItem()
	if k == KindNegInt {
		return -1 - int64(v), nil
	}
	return int64(v), nil
}

// ReadFloat64 reads a half-, single- or double-precision float. Half and
// single precision values convert exactly, including infinities,
// subnormals and NaN.
func (r *Reader) ReadFloat64() (float64, error) {
	if r.err != nil {
		return 0, r.err
	}
	f, ok := r.float()
	if !ok {
		return 0, r.floatError("expected float")
	}
	return f, nil
}

// ReadNumber reads a float, as ReadFloat64 does, or an integer converted to
// the nearest float64. Smithy clients may send a whole-number double or
// timestamp as an integer.
func (r *Reader) ReadNumber() (float64, error) {
	if r.err != nil {
		return 0, r.err
	}
	if f, ok := r.float(); ok {
		return f, nil
	}
	off := r.off
	if off < len(r.data) {
		k := kindOf[r.data[off]]
		if k == KindUint || k == KindNegInt {
			v, next, ok := argumentAt(r.data, off)
			if !ok {
				return 0, r.fail(off, "truncated "+k.String(), "")
			}
			r.off = next
			r.endItem()
			if k == KindNegInt {
				return -1 - float64(v), nil
			}
			return float64(v), nil
		}
	}
	return 0, r.floatError("expected number")
}

// float reads a float item if there is a complete one at r.off.
func (r *Reader) float() (float64, bool) {
	off, d := r.off, r.data
	if off >= len(d) {
		return 0, false
	}
	var f float64
	switch d[off] {
	case byteFloat64:
		if len(d)-off < 9 {
			return 0, false
		}
		f = math.Float64frombits(binary.BigEndian.Uint64(d[off+1:]))
		r.off = off + 9
	case byteFloat32:
		if len(d)-off < 5 {
			return 0, false
		}
		f = float64(math.Float32frombits(binary.BigEndian.Uint32(d[off+1:])))
		r.off = off + 5
	case byteFloat16:
		if len(d)-off < 3 {
			return 0, false
		}
		f = float16to64(binary.BigEndian.Uint16(d[off+1:]))
		r.off = off + 3
	default:
		return 0, false
	}
	r.endItem()
	return f, true
}

// floatError reports why r.float found no float at r.off.
func (r *Reader) floatError(msg string) error {
	off := r.off
	if off < len(r.data) && kindOf[r.data[off]] == KindFloat {
		return r.fail(off, "truncated float", "")
	}
	return r.mismatch(off, msg)
}

// ReadBool reads true or false.
func (r *Reader) ReadBool() (bool, error) {
	if r.err != nil {
		return false, r.err
	}
	off := r.off
	if off >= len(r.data) || kindOf[r.data[off]] != KindBool {
		return false, r.mismatch(off, "expected boolean")
	}
	r.off = off + 1
	r.endItem()
	return r.data[off] == byteTrue, nil
}

// ReadNull reads null.
func (r *Reader) ReadNull() error {
	return r.readByte(byteNull, "expected null")
}

// ReadUndefined reads undefined.
func (r *Reader) ReadUndefined() error {
	return r.readByte(byteUndefined, "expected undefined")
}

func (r *Reader) readByte(b byte, msg string) error {
	if r.err != nil {
		return r.err
	}
	if r.off >= len(r.data) || r.data[r.off] != b {
		return r.mismatch(r.off, msg)
	}
	r.off++
	r.endItem()
	return nil
}

// TryNull reads the next item and returns true if it is null or undefined;
// otherwise it consumes nothing and returns false. It suits optional
// members, which a client may send as null.
func (r *Reader) TryNull() bool {
	if r.err != nil || r.off >= len(r.data) {
		return false
	}
	if b := r.data[r.off]; b != byteNull && b != byteUndefined {
		return false
	}
	r.off++
	r.endItem()
	return true
}

// ReadTag reads a tag head and returns its tag number. The tagged item
// follows; read it next.
func (r *Reader) ReadTag() (uint64, error) {
	if r.err != nil {
		return 0, r.err
	}
	off := r.off
	if off >= len(r.data) || kindOf[r.data[off]] != KindTag {
		return 0, r.mismatch(off, "expected tag")
	}
	v, next, ok := argumentAt(r.data, off)
	if !ok {
		return 0, r.fail(off, "truncated tag", "")
	}
	r.off = next
	r.tagged = true
	return v, nil
}

// ReadArrayHeader reads the head of an array and returns its number of
// items, or Indefinite if the items run until a break. The count is never
// more than the bytes left in the input. Read the items next; [Reader.More]
// suits both kinds of array:
//
//	n, err := r.ReadArrayHeader()
//	for i := 0; r.More(n, i); i++ { ... }
func (r *Reader) ReadArrayHeader() (int, error) {
	return r.readContainer(KindArray)
}

// ReadMapHeader reads the head of a map and returns its number of key/value
// pairs, or Indefinite if the pairs run until a break. The count is never
// more than half the bytes left in the input. Read a key and its value for
// every pair; [Reader.More] suits both kinds of map.
func (r *Reader) ReadMapHeader() (int, error) {
	return r.readContainer(KindMap)
}

func (r *Reader) readContainer(k Kind) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	off := r.off
	if off >= len(r.data) || kindOf[r.data[off]] != k {
		return 0, r.mismatch(off, "expected "+k.String())
	}
	if len(r.stack) >= r.depthLimit() {
		return 0, r.fail(off, "nesting depth exceeds "+strconv.Itoa(r.depthLimit()), "")
	}
	if r.data[off]&infoMask == infoIndefinite {
		r.off = off + 1
		r.tagged = false
		frame := frameArray
		if k == KindMap {
			frame = frameMapKey
		}
		r.stack = append(r.stack, frame)
		return Indefinite, nil
	}
	n, next, ok := argumentAt(r.data, off)
	if !ok {
		return 0, r.fail(off, "truncated "+k.String(), "")
	}
	left := uint64(len(r.data) - next)
	items := n
	if k == KindMap {
		if n > left/2 {
			return 0, r.tooLong(off, k, n, "pairs", left)
		}
		items = 2 * n
	} else if n > left {
		return 0, r.tooLong(off, k, n, "items", left)
	}
	r.off = next
	if items == 0 {
		r.endItem()
		return 0, nil
	}
	r.tagged = false
	r.stack = append(r.stack, int(items))
	return int(n), nil
}

// More reports whether the array or map whose head returned n has another
// item (a key/value pair, for a map) after the first i. For an indefinite
// container it looks for the break and, at the break, reads it and returns
// false. On malformed input it returns true, so that the next read in the
// loop reports the error.
func (r *Reader) More(n, i int) bool {
	if n != Indefinite {
		return i < n
	}
	if r.err != nil || r.off >= len(r.data) || r.data[r.off] != byteBreak {
		return true
	}
	return r.ReadBreak() != nil
}

// AtBreak reports whether the next byte is a break, without reading it.
func (r *Reader) AtBreak() bool {
	return r.err == nil && r.off < len(r.data) && r.data[r.off] == byteBreak
}

// ReadBreak reads the break that ends the innermost open container, which
// must have indefinite length.
func (r *Reader) ReadBreak() error {
	if r.err != nil {
		return r.err
	}
	off := r.off
	if off >= len(r.data) || r.data[off] != byteBreak {
		return r.mismatch(off, "expected break")
	}
	n := len(r.stack)
	switch {
	case r.tagged:
		return r.fail(off, "unexpected break", "tag has no item")
	case n == 0 || r.stack[n-1] >= 0:
		return r.fail(off, "unexpected break", "outside an indefinite-length array or map")
	case r.stack[n-1] == frameMapValue:
		return r.fail(off, "unexpected break", "map key has no value")
	}
	r.off = off + 1
	r.stack = r.stack[:n-1]
	r.endItem()
	return nil
}

// endItem records that a whole item was read: it counts the item against
// the innermost open container, and closes every container that this
// completes.
func (r *Reader) endItem() {
	r.tagged = false
	n := len(r.stack)
	for n > 0 {
		left := r.stack[n-1]
		if left < 0 {
			if left != frameArray {
				// Swap frameMapKey and frameMapValue.
				r.stack[n-1] = frameMapKey + frameMapValue - left
			}
			break
		}
		if left > 1 {
			r.stack[n-1] = left - 1
			break
		}
		n--
	}
	r.stack = r.stack[:n]
}

func (r *Reader) depthLimit() int {
	if r.maxDepth == 0 {
		return DefaultMaxDepth
	}
	return r.maxDepth
}

// argumentAt decodes the argument of the head at d[off], whose additional
// information must be below 28. It returns the offset after the head, and
// ok false if the input ends inside the head.
func argumentAt(d []byte, off int) (arg uint64, next int, ok bool) {
	switch info := d[off] & infoMask; {
	case info < info1Byte:
		return uint64(info), off + 1, true
	case info == info1Byte:
		if len(d)-off >= 2 {
			return uint64(d[off+1]), off + 2, true
		}
	case info == info2Bytes:
		if len(d)-off >= 3 {
			return uint64(binary.BigEndian.Uint16(d[off+1:])), off + 3, true
		}
	case info == info4Bytes:
		if len(d)-off >= 5 {
			return uint64(binary.BigEndian.Uint32(d[off+1:])), off + 5, true
		}
	case info == info8Bytes:
		if len(d)-off >= 9 {
			return binary.BigEndian.Uint64(d[off+1:]), off + 9, true
		}
	}
	return 0, 0, false
}

// fail records and returns an error about the item at off.
func (r *Reader) fail(off int, msg, found string) error {
	r.err = &Error{Offset: off, Msg: msg, Found: found}
	return r.err
}

// mismatch records and returns an error saying that the item at off is not
// what msg expected.
func (r *Reader) mismatch(off int, msg string) error {
	return r.fail(off, msg, "found "+r.describe(off))
}

// describe names the item at off for an error message.
func (r *Reader) describe(off int) string {
	if off >= len(r.data) {
		return "end of input"
	}
	ib := r.data[off]
	k := kindOf[ib]
	switch {
	case k == KindInvalid:
		return "malformed initial byte " + hexByte(ib)
	case ib&infoMask == infoIndefinite && k != KindBreak:
		return "indefinite-length " + k.String()
	}
	return k.String()
}

func (r *Reader) tooLong(off int, k Kind, n uint64, unit string, left uint64) error {
	return r.fail(off, k.String()+" of "+strconv.FormatUint(n, 10)+" "+unit+" exceeds the input",
		"found "+strconv.FormatUint(left, 10)+" bytes left")
}

func hexByte(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{'0', 'x', digits[b>>4], digits[b&0xf]})
}

// negString formats the negative integer whose CBOR argument is v.
func negString(v uint64) string {
	if v == math.MaxUint64 {
		return "-18446744073709551616"
	}
	return "-" + strconv.FormatUint(v+1, 10)
}

// float16to64 converts an IEEE 754 half-precision float to float64,
// exactly: every half-precision value, NaN payloads included, has a
// float64 equal to it.
func float16to64(h uint16) float64 {
	sign := uint64(h>>15) << 63
	exp := uint64(h>>10) & 0x1f
	mant := uint64(h & 0x3ff)
	switch exp {
	case 0:
		// Zero or subnormal: mant × 2^-24.
		return math.Float64frombits(math.Float64bits(float64(mant)*0x1p-24) | sign)
	case 0x1f:
		// Infinity (mant 0) or NaN, keeping the payload and quiet bit.
		return math.Float64frombits(sign | 0x7ff<<52 | mant<<42)
	}
	return math.Float64frombits(sign | (exp-15+1023)<<52 | mant<<42)
}
