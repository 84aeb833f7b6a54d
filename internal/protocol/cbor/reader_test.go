package cbor

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestPeek(t *testing.T) {
	tests := []struct {
		hex  string
		want Kind
	}{
		{"00", KindUint},
		{"3bffffffffffffffff", KindNegInt},
		{"40", KindBytes},
		{"5f", KindBytes},
		{"60", KindText},
		{"7f", KindText},
		{"80", KindArray},
		{"9f", KindArray},
		{"a0", KindMap},
		{"bf", KindMap},
		{"c1", KindTag},
		{"f90000", KindFloat},
		{"fa00000000", KindFloat},
		{"fb0000000000000000", KindFloat},
		{"f4", KindBool},
		{"f5", KindBool},
		{"f6", KindNull},
		{"f7", KindUndefined},
		{"e0", KindSimple},
		{"f8ff", KindSimple},
		{"ff", KindBreak},
	}
	for _, tt := range tests {
		r := NewReader(unhex(t, tt.hex))
		got, err := r.Peek()
		if err != nil || got != tt.want {
			t.Errorf("Peek(%s) = %v, %v; want %v", tt.hex, got, err, tt.want)
		}
		if r.Offset() != 0 {
			t.Errorf("Peek(%s) consumed %d bytes", tt.hex, r.Offset())
		}
	}
	for _, h := range []string{"", "1c", "1f", "3f", "dd", "df", "fc", "fe"} {
		if k, err := NewReader(unhex(t, h)).Peek(); err == nil {
			t.Errorf("Peek(%s) = %v, want an error", h, k)
		}
	}
}

func TestReadInts(t *testing.T) {
	tests := []struct {
		hex  string
		want int64
	}{
		{"00", 0},
		{"17", 23},
		{"1818", 24},
		{"18ff", 255},
		{"190100", 256},
		{"1a00010000", 65536},
		{"1b7fffffffffffffff", math.MaxInt64},
		{"1800", 0}, // not the shortest form, but well-formed
		{"20", -1},
		{"37", -24},
		{"3818", -25},
		{"39ffff", -65536},
		{"3b7fffffffffffffff", math.MinInt64},
	}
	for _, tt := range tests {
		r := NewReader(unhex(t, tt.hex))
		got, err := r.ReadInt()
		if err != nil || got != tt.want || r.Finish() != nil {
			t.Errorf("ReadInt(%s) = %d, %v; want %d", tt.hex, got, err, tt.want)
		}
	}
	overflows := map[string]string{
		"1b8000000000000000": "found 9223372036854775808",
		"1bffffffffffffffff": "found 18446744073709551615",
		"3b8000000000000000": "found -9223372036854775809",
	}
	for h, found := range overflows {
		_, err := NewReader(unhex(t, h)).ReadInt()
		if err == nil || !strings.HasSuffix(err.Error(), found) {
			t.Errorf("ReadInt(%s) = %v, want an overflow error ending in %q", h, err, found)
		}
	}

	r := NewReader(unhex(t, "1bffffffffffffffff"))
	if v, err := r.ReadUint(); err != nil || v != math.MaxUint64 {
		t.Errorf("ReadUint = %d, %v; want MaxUint64", v, err)
	}
	r.Reset(unhex(t, "20"))
	if _, err := r.ReadUint(); err == nil || err.Error() != "cbor: expected unsigned integer at offset 0, found negative integer" {
		t.Errorf("ReadUint of -1: %v", err)
	}
}

func TestReadFloats(t *testing.T) {
	tests := []struct {
		hex  string
		want float64
	}{
		{"f93c00", 1},
		{"fa3fc00000", 1.5},
		{"fb3ff199999999999a", 1.1},
		{"fa3dcccccd", float64(float32(0.1))},
		{"fb0000000000000001", 5e-324},
	}
	for _, tt := range tests {
		r := NewReader(unhex(t, tt.hex))
		got, err := r.ReadFloat64()
		if err != nil || got != tt.want {
			t.Errorf("ReadFloat64(%s) = %v, %v; want %v", tt.hex, got, err, tt.want)
		}
	}
	if _, err := NewReader(unhex(t, "01")).ReadFloat64(); err == nil ||
		err.Error() != "cbor: expected float at offset 0, found unsigned integer" {
		t.Errorf("ReadFloat64 of an integer: %v", err)
	}

	numbers := []struct {
		hex  string
		want float64
	}{
		{"1a6553f100", 1700000000},
		{"3903e7", -1000},
		{"1bffffffffffffffff", 18446744073709551615},
		{"3bffffffffffffffff", -18446744073709551616},
		{"fb41d954fc40000000", 1700000000},
		{"f93e00", 1.5},
	}
	for _, tt := range numbers {
		r := NewReader(unhex(t, tt.hex))
		got, err := r.ReadNumber()
		if err != nil || got != tt.want || r.Finish() != nil {
			t.Errorf("ReadNumber(%s) = %v, %v; want %v", tt.hex, got, err, tt.want)
		}
	}
	if _, err := NewReader(unhex(t, "6131")).ReadNumber(); err == nil ||
		err.Error() != "cbor: expected number at offset 0, found text string" {
		t.Errorf("ReadNumber of text: %v", err)
	}
}

// TestFloat16 checks half-precision decoding at its edges.
func TestFloat16(t *testing.T) {
	tests := []struct {
		bits uint16
		want float64
	}{
		{0x0000, 0},
		{0x0001, 0x1p-24},        // smallest subnormal
		{0x03ff, 1023 * 0x1p-24}, // largest subnormal
		{0x0400, 0x1p-14},        // smallest normal
		{0x3555, 0.333251953125},
		{0x3bff, 0.99951171875},
		{0x3c00, 1},
		{0x3c01, 1.0009765625},
		{0x7bff, 65504}, // largest normal
		{0xc400, -4},
		{0x8001, -0x1p-24},
		{0x7c00, math.Inf(1)},
		{0xfc00, math.Inf(-1)},
	}
	for _, tt := range tests {
		if got := float16to64(tt.bits); got != tt.want {
			t.Errorf("float16 %#04x = %v, want %v", tt.bits, got, tt.want)
		}
	}
	if got := float16to64(0x8000); got != 0 || !math.Signbit(got) {
		t.Errorf("float16 0x8000 = %v, want -0", got)
	}
	nans := map[uint16]uint64{
		0x7e00: 0x7ff8000000000000, // quiet NaN
		0xfe00: 0xfff8000000000000, // with the sign bit
		0x7c01: 0x7ff0040000000000, // signaling NaN with payload 1
		0x7fff: 0x7ffffc0000000000,
	}
	for h, want := range nans {
		if got := math.Float64bits(float16to64(h)); got != want {
			t.Errorf("float16 %#04x = %#016x, want %#016x", h, got, want)
		}
	}
	// Every half-precision value against the definition in IEEE 754.
	for h := range 1 << 16 {
		sign, exp, mant := h>>15, h>>10&0x1f, float64(h&0x3ff)
		var want float64
		switch exp {
		case 0:
			want = math.Ldexp(mant, -24)
		case 0x1f:
			want = math.Inf(1)
			if mant != 0 {
				want = math.NaN()
			}
		default:
			want = math.Ldexp(1024+mant, exp-25)
		}
		if sign == 1 {
			want = -want
		}
		got := float16to64(uint16(h))
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("float16 %#04x = %v, want %v", h, got, want)
		}
	}
}

func TestReadSimpleValues(t *testing.T) {
	r := NewReader(unhex(t, "f4 f5 f6 f7 f6 f7 01"))
	if b, err := r.ReadBool(); err != nil || b {
		t.Errorf("ReadBool = %v, %v; want false", b, err)
	}
	if b, err := r.ReadBool(); err != nil || !b {
		t.Errorf("ReadBool = %v, %v; want true", b, err)
	}
	if err := r.ReadNull(); err != nil {
		t.Errorf("ReadNull: %v", err)
	}
	if err := r.ReadUndefined(); err != nil {
		t.Errorf("ReadUndefined: %v", err)
	}
	if !r.TryNull() || !r.TryNull() {
		t.Errorf("TryNull did not take null and undefined")
	}
	if r.TryNull() || r.Offset() != 6 {
		t.Errorf("TryNull took an integer")
	}
	if err := r.ReadNull(); err == nil || err.Error() != "cbor: expected null at offset 6, found unsigned integer" {
		t.Errorf("ReadNull of an integer: %v", err)
	}
}

func TestReadStrings(t *testing.T) {
	r := NewReader(unhex(t, "6449455446 7f657374726561646d696e67ff 7fff 4401020304 5f42010243030405ff 40 5fff"))
	if s, err := r.ReadText(); err != nil || s != "IETF" {
		t.Errorf("ReadText = %q, %v", s, err)
	}
	if s, err := r.ReadText(); err != nil || s != "streaming" {
		t.Errorf("ReadText of chunks = %q, %v", s, err)
	}
	if s, err := r.ReadText(); err != nil || s != "" {
		t.Errorf("ReadText of no chunks = %q, %v", s, err)
	}
	if b, err := r.ReadBytes(); err != nil || string(b) != "\x01\x02\x03\x04" {
		t.Errorf("ReadBytes = %x, %v", b, err)
	}
	if b, err := r.ReadBytes(); err != nil || string(b) != "\x01\x02\x03\x04\x05" {
		t.Errorf("ReadBytes of chunks = %x, %v", b, err)
	}
	for range 2 {
		if b, err := r.ReadBytes(); err != nil || b == nil || len(b) != 0 {
			t.Errorf("ReadBytes of empty = %#v, %v; want empty and non-nil", b, err)
		}
	}

	// ReadBytes copies; ReadTextBytes aliases a definite string.
	data := unhex(t, "4161 6162 7f61636164ff")
	r.Reset(data)
	b, _ := r.ReadBytes()
	b[0] = 'x'
	tb, _ := r.ReadTextBytes()
	if data[1] != 'a' || &tb[0] != &data[3] {
		t.Errorf("ReadBytes does not copy, or ReadTextBytes copies")
	}
	if tb, err := r.ReadTextBytes(); err != nil || string(tb) != "cd" {
		t.Errorf("ReadTextBytes of chunks = %q, %v", tb, err)
	}
	if err := r.Finish(); err != nil {
		t.Error(err)
	}
}

// TestTextBytesAllocs checks that map keys and numbers read with no
// allocation.
func TestTextBytesAllocs(t *testing.T) {
	data := unhex(t, "a3 6a4d65747269634e616d65 636d6531 6556616c7565 fb3ff8000000000000 6954696d657374616d70 c11a6553f100")
	r := NewReader(data)
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(data)
		n, _ := r.ReadMapHeader()
		for i := 0; r.More(n, i); i++ {
			key, _ := r.ReadTextBytes()
			switch string(key) {
			case "MetricName":
				_, _ = r.ReadTextBytes()
			case "Value":
				_, _ = r.ReadFloat64()
			case "Timestamp":
				_, _ = r.ReadTag()
				_, _ = r.ReadNumber()
			}
		}
		if err := r.Finish(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("got %v allocations, want 0", allocs)
	}
}

func TestContainers(t *testing.T) {
	// {"a": [1, [_ 2]], _ "b": {_ "c": null}} with the outer map indefinite.
	data := unhex(t, "bf 6161 82 01 9f 02 ff 6162 bf 6163 f6 ff ff")
	r := NewReader(data)
	got, err := readAny(r)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, got, map[string]any{
		"a": []any{uint64(1), []any{uint64(2)}},
		"b": map[string]any{"c": nil},
	})
	if err := r.Finish(); err != nil {
		t.Error(err)
	}

	// Depth follows the heads and breaks the caller reads.
	r.Reset(data)
	steps := []struct {
		read  func() error
		depth int
	}{
		{func() error { _, err := r.ReadMapHeader(); return err }, 1},
		{func() error { return r.Skip() }, 1}, // "a"
		{func() error { _, err := r.ReadArrayHeader(); return err }, 2},
		{func() error { return r.Skip() }, 2}, // 1
		{func() error { _, err := r.ReadArrayHeader(); return err }, 3},
		{func() error { return r.Skip() }, 3},      // 2
		{func() error { return r.ReadBreak() }, 1}, // closes [_ 2] and [1, ...]
		{func() error { return r.Skip() }, 1},      // "b"
		{func() error { return r.Skip() }, 1},      // {_ "c": null}
		{func() error { return r.ReadBreak() }, 0},
	}
	for i, s := range steps {
		if err := s.read(); err != nil || r.Depth() != s.depth {
			t.Fatalf("step %d: depth %d, %v; want depth %d", i, r.Depth(), err, s.depth)
		}
	}

	// Empty containers close at once, and so may their parent.
	r.Reset(unhex(t, "82 80 a0"))
	if n, err := r.ReadArrayHeader(); err != nil || n != 2 || r.Depth() != 1 {
		t.Fatalf("ReadArrayHeader = %d, %v at depth %d", n, err, r.Depth())
	}
	if n, err := r.ReadArrayHeader(); err != nil || n != 0 || r.Depth() != 1 {
		t.Fatalf("ReadArrayHeader = %d, %v at depth %d", n, err, r.Depth())
	}
	if n, err := r.ReadMapHeader(); err != nil || n != 0 || r.Depth() != 0 {
		t.Fatalf("ReadMapHeader = %d, %v at depth %d", n, err, r.Depth())
	}
	if err := r.Finish(); err != nil {
		t.Error(err)
	}
}

func TestSkipAndRaw(t *testing.T) {
	data := unhex(t, "83 c1 9f a1 6161 5f 4101 ff ff f8 20 fb 3ff0000000000000 07")
	r := NewReader(data)
	n, err := r.ReadArrayHeader()
	if err != nil || n != 3 {
		t.Fatalf("ReadArrayHeader = %d, %v", n, err)
	}
	raw, err := r.ReadRaw()
	if err != nil || string(raw) != string(data[1:11]) {
		t.Errorf("ReadRaw = %x, %v; want %x", raw, err, data[1:11])
	}
	if err := r.Skip(); err != nil || r.Offset() != 13 {
		t.Errorf("Skip of simple(32) = %v at %d", err, r.Offset())
	}
	if err := r.Skip(); err != nil || r.Depth() != 0 {
		t.Errorf("Skip of the last item = %v, depth %d", err, r.Depth())
	}
	if v, err := r.ReadUint(); err != nil || v != 7 || r.Finish() != nil {
		t.Errorf("ReadUint after the array = %d, %v", v, err)
	}

	// Skip must not step over a break; it is not an item.
	r.Reset(unhex(t, "9f ff"))
	_, _ = r.ReadArrayHeader()
	if err := r.Skip(); err == nil {
		t.Errorf("Skip over a break succeeded")
	}
}

func TestErrorMessages(t *testing.T) {
	// {"Namespace": "AWS/EC2", "M": "x"}: offset 12 holds a text string.
	data := unhex(t, "a2 694e616d657370616365 6741 57532f454332 614d 6178")
	r := NewReader(data)
	_, _ = r.ReadMapHeader()
	_ = r.Skip()
	_, err := r.ReadMapHeader()
	const want = "cbor: expected map at offset 11, found text string"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	var cerr *Error
	if !errors.As(err, &cerr) || cerr.Offset != 11 {
		t.Errorf("error %#v is not an *Error at offset 11", err)
	}
	// Errors are final.
	if _, err2 := r.ReadText(); err2 != err {
		t.Errorf("after an error, ReadText = %v, want the first error", err2)
	}
	if r.Finish() != err || r.Err() != err || r.TryNull() || r.AtBreak() {
		t.Errorf("after an error, the Reader did not stay stopped")
	}
	if !r.More(Indefinite, 0) {
		t.Errorf("More returned false on a stopped Reader")
	}
	r.Reset(data)
	if r.Err() != nil {
		t.Errorf("Reset kept the error")
	}

	tests := []struct{ hex, want string }{
		{"", "cbor: expected map at offset 0, found end of input"},
		{"1c", "cbor: expected map at offset 0, found malformed initial byte 0x1c"},
		{"bf", "cbor: expected map at offset 0, found indefinite-length map"},
	}
	for _, tt := range tests {
		r := NewReader(unhex(t, tt.hex))
		if tt.hex == "bf" {
			_, err = r.ReadText()
			if err == nil || err.Error() != "cbor: expected text string at offset 0, found indefinite-length map" {
				t.Errorf("ReadText(bf) = %v", err)
			}
			continue
		}
		if _, err := r.ReadMapHeader(); err == nil || err.Error() != tt.want {
			t.Errorf("ReadMapHeader(%s) = %v, want %s", tt.hex, err, tt.want)
		}
	}
}

func TestMaxDepth(t *testing.T) {
	nest := func(n int, head string) []byte {
		return unhex(t, strings.Repeat(head, n)+"00")
	}
	f := func(data []byte, depth int, wantErr bool) {
		t.Helper()
		r := NewReader(data)
		if depth != 0 {
			r.SetMaxDepth(depth)
		}
		err := r.Skip()
		if (err != nil) != wantErr {
			t.Errorf("Skip at depth limit %d: %v, want error %v", depth, err, wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "nesting depth exceeds") {
			t.Errorf("got %v, want a nesting error", err)
		}
		r.Reset(data)
		if _, err := readAny(r); (err != nil) != wantErr {
			t.Errorf("readAny at depth limit %d: %v, want error %v", depth, err, wantErr)
		}
	}
	f(nest(64, "81"), 0, false)
	f(nest(65, "81"), 0, true)
	f(nest(65, "9f"), 0, true)
	f(nest(65, "a16161"), 0, true)
	f(nest(10, "81"), 10, false)
	f(nest(11, "81"), 10, true)
	f(nest(100000, "81"), 0, true)
	f(unhex(t, strings.Repeat("81", 63)+"80"), 0, false)
	f(unhex(t, strings.Repeat("81", 64)+"80"), 0, true)
	// Tags do not nest containers, and Skip walks them without recursion.
	f(unhex(t, strings.Repeat("c1", 100000)+"00"), 0, false)
}

func TestFinish(t *testing.T) {
	tests := []struct {
		hex, read, want string
	}{
		{"0001", "uint", "cbor: unexpected data after the last item at offset 1, 1 bytes left"},
		{"9f01", "header+uint", "cbor: unexpected end of input at offset 2, inside an unfinished item"},
		{"c1", "tag", "cbor: unexpected end of input at offset 1, inside an unfinished item"},
		{"820102", "header+uint", "cbor: unfinished item at offset 2, 1 containers still open"},
	}
	for _, tt := range tests {
		r := NewReader(unhex(t, tt.hex))
		switch tt.read {
		case "uint":
			_, _ = r.ReadUint()
		case "header+uint":
			_, _ = r.ReadArrayHeader()
			_, _ = r.ReadUint()
		case "tag":
			_, _ = r.ReadTag()
		}
		if err := r.Finish(); err == nil || err.Error() != tt.want {
			t.Errorf("Finish(%s) = %v, want %s", tt.hex, err, tt.want)
		}
	}
}
