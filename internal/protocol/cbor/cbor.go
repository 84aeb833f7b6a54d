// Package cbor reads and writes CBOR (RFC 8949) one data item at a time.
//
// It is the low-level codec under Vigil's smithy-rpc-v2-cbor protocol: a
// higher layer walks Go structs and calls these primitives, so nothing here
// uses reflection. [Reader] decodes untrusted bytes held in memory: it never
// panics, checks every length against the remaining input before it
// allocates, limits nesting depth, and reports errors that name what was
// expected and the byte offset.
//
// The Append functions, such as [AppendText], encode one item, or the head
// of one, at the end of a byte slice and return the extended slice, as
// strconv's do; [Writer] wraps them around a buffer it keeps. Integers,
// lengths and tag numbers get the shortest head that holds them. The caller
// is responsible for the structure: encoding as many items as a
// definite-length head announced, and a break after the items of an
// indefinite-length one.
//
// Timestamps follow the Smithy RPC v2 CBOR protocol: tag 1 ([TagEpochTime])
// around the epoch seconds as a float64 or an integer.
//
// See https://www.rfc-editor.org/rfc/rfc8949.html and
// https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html.
package cbor

import (
	"strconv"
)

// Indefinite is the count that [Reader.ReadArrayHeader] and
// [Reader.ReadMapHeader] return for an indefinite-length container, whose
// items run until a break.
const Indefinite = -1

// DefaultMaxDepth is the nesting depth of arrays and maps a new [Reader]
// accepts.
const DefaultMaxDepth = 64

// TagEpochTime is the tag number of an epoch-based date/time (RFC 8949
// section 3.4.2); Smithy encodes timestamps as this tag around a float64 of
// seconds.
const TagEpochTime = 1

// Major types, shifted into the top three bits of an initial byte.
const (
	majorUint   = 0 << 5
	majorNegInt = 1 << 5
	majorBytes  = 2 << 5
	majorText   = 3 << 5
	majorArray  = 4 << 5
	majorMap    = 5 << 5
	majorTag    = 6 << 5
	majorSimple = 7 << 5

	majorMask = 7 << 5
	infoMask  = 0x1f
)

// Additional-information values with a special meaning.
const (
	info1Byte      = 24
	info2Bytes     = 25
	info4Bytes     = 26
	info8Bytes     = 27
	infoIndefinite = 31
)

// Initial bytes of simple values and floats (major type 7).
const (
	byteFalse     = 0xf4
	byteTrue      = 0xf5
	byteNull      = 0xf6
	byteUndefined = 0xf7
	byteSimple1   = 0xf8
	byteFloat16   = 0xf9
	byteFloat32   = 0xfa
	byteFloat64   = 0xfb
	byteBreak     = 0xff
)

// Kind is the kind of a CBOR data item, as [Reader.Peek] reports it. Major
// type 7 is split into floats, booleans, null, undefined, other simple
// values, and the break stop code.
type Kind uint8

// The kinds of CBOR data items.
const (
	// KindInvalid is the zero Kind; Peek returns it only with an error.
	KindInvalid Kind = iota
	// KindUint is an unsigned integer (major type 0).
	KindUint
	// KindNegInt is a negative integer (major type 1).
	KindNegInt
	// KindBytes is a byte string (major type 2).
	KindBytes
	// KindText is a UTF-8 text string (major type 3).
	KindText
	// KindArray is an array (major type 4).
	KindArray
	// KindMap is a map (major type 5).
	KindMap
	// KindTag is a tag number; the tagged item follows it (major type 6).
	KindTag
	// KindFloat is a half-, single- or double-precision float.
	KindFloat
	// KindBool is true or false.
	KindBool
	// KindNull is null.
	KindNull
	// KindUndefined is undefined.
	KindUndefined
	// KindSimple is a simple value other than false, true, null and
	// undefined.
	KindSimple
	// KindBreak is the stop code that ends an indefinite-length item.
	KindBreak
)

var kindNames = [...]string{
	KindInvalid:   "invalid item",
	KindUint:      "unsigned integer",
	KindNegInt:    "negative integer",
	KindBytes:     "byte string",
	KindText:      "text string",
	KindArray:     "array",
	KindMap:       "map",
	KindTag:       "tag",
	KindFloat:     "float",
	KindBool:      "boolean",
	KindNull:      "null",
	KindUndefined: "undefined",
	KindSimple:    "simple value",
	KindBreak:     "break",
}

// String returns the name of k as it appears in error messages, such as
// "text string".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// kindOf is a read-only table that maps every initial byte to the kind of item it starts, or to
// KindInvalid when the byte cannot start a well-formed item: reserved
// additional information 28 to 30 in any major type, and 31 (indefinite)
// for integers and tags.
var kindOf = func() (t [256]Kind) {
	major := [8]Kind{KindUint, KindNegInt, KindBytes, KindText, KindArray, KindMap, KindTag, KindSimple}
	for b := range 256 {
		info := b & infoMask
		k := major[b>>5]
		switch {
		case info >= 28 && info <= 30:
			k = KindInvalid
		case info == infoIndefinite && (k == KindUint || k == KindNegInt || k == KindTag):
			k = KindInvalid
		case k == KindSimple:
			switch b {
			case byteFalse, byteTrue:
				k = KindBool
			case byteNull:
				k = KindNull
			case byteUndefined:
				k = KindUndefined
			case byteFloat16, byteFloat32, byteFloat64:
				k = KindFloat
			case byteBreak:
				k = KindBreak
			}
		}
		t[b] = k
	}
	return t
}()

// Error reports malformed input, or input that does not match what the
// caller asked for. All errors from [Reader] have this type.
type Error struct {
	// Offset is the byte offset in the input of the item at fault.
	Offset int
	// Msg says what went wrong, such as "expected map".
	Msg string
	// Found, when not empty, says what was found instead, such as
	// "found text string".
	Found string
}

// Error formats e as "cbor: <Msg> at offset <Offset>[, <Found>]".
func (e *Error) Error() string {
	s := "cbor: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
	if e.Found != "" {
		s += ", " + e.Found
	}
	return s
}
