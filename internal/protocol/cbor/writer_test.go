package cbor

import (
	"encoding/hex"
	"math"
	"strings"
	"testing"
)

func TestWriteInts(t *testing.T) {
	tests := []struct {
		v    int64
		want string
	}{
		{0, "00"},
		{23, "17"},
		{24, "1818"},
		{255, "18ff"},
		{256, "190100"},
		{65535, "19ffff"},
		{65536, "1a00010000"},
		{math.MaxUint32, "1affffffff"},
		{math.MaxUint32 + 1, "1b0000000100000000"},
		{math.MaxInt64, "1b7fffffffffffffff"},
		{-1, "20"},
		{-24, "37"},
		{-25, "3818"},
		{-256, "38ff"},
		{-257, "390100"},
		{-65537, "3a00010000"},
		{math.MinInt64, "3b7fffffffffffffff"},
	}
	for _, tt := range tests {
		var w Writer
		w.WriteInt(tt.v)
		if got := hex.EncodeToString(w.Bytes()); got != tt.want {
			t.Errorf("WriteInt(%d) = %s, want %s", tt.v, got, tt.want)
		}
		r := NewReader(w.Bytes())
		if got, err := r.ReadInt(); err != nil || got != tt.v || r.Finish() != nil {
			t.Errorf("ReadInt(WriteInt(%d)) = %d, %v", tt.v, got, err)
		}
		if tt.v >= 0 {
			w.Reset()
			w.WriteUint(uint64(tt.v))
			if got := hex.EncodeToString(w.Bytes()); got != tt.want {
				t.Errorf("WriteUint(%d) = %s, want %s", tt.v, got, tt.want)
			}
		}
	}
}

func TestWriteFloats(t *testing.T) {
	f64 := []struct {
		v    float64
		want string
	}{
		{0, "fb0000000000000000"},
		{math.Copysign(0, -1), "fb8000000000000000"},
		{1.5, "fb3ff8000000000000"},
		{math.SmallestNonzeroFloat64, "fb0000000000000001"},
		{math.MaxFloat64, "fb7fefffffffffffff"},
		{math.NaN(), "f97e00"},
		{math.Float64frombits(0xfff8000000000001), "f97e00"},
		{math.Inf(1), "f97c00"},
		{math.Inf(-1), "f9fc00"},
	}
	for _, tt := range f64 {
		var w Writer
		w.WriteFloat64(tt.v)
		if got := hex.EncodeToString(w.Bytes()); got != tt.want {
			t.Errorf("WriteFloat64(%v) = %s, want %s", tt.v, got, tt.want)
		}
		got, err := NewReader(w.Bytes()).ReadFloat64()
		if err != nil || !sameFloat(got, tt.v) {
			t.Errorf("ReadFloat64(WriteFloat64(%v)) = %v, %v", tt.v, got, err)
		}
	}
	f32 := []struct {
		v    float32
		want string
	}{
		{0, "fa00000000"},
		{1.5, "fa3fc00000"},
		{0.1, "fa3dcccccd"},
		{math.MaxFloat32, "fa7f7fffff"},
		{math.SmallestNonzeroFloat32, "fa00000001"},
		{float32(math.NaN()), "f97e00"},
		{float32(math.Inf(1)), "f97c00"},
		{float32(math.Inf(-1)), "f9fc00"},
	}
	for _, tt := range f32 {
		var w Writer
		w.WriteFloat32(tt.v)
		if got := hex.EncodeToString(w.Bytes()); got != tt.want {
			t.Errorf("WriteFloat32(%v) = %s, want %s", tt.v, got, tt.want)
		}
		got, err := NewReader(w.Bytes()).ReadFloat64()
		if err != nil || !sameFloat(got, float64(tt.v)) {
			t.Errorf("ReadFloat64(WriteFloat32(%v)) = %v, %v", tt.v, got, err)
		}
	}
}

// sameFloat reports whether a and b are equal, counting NaN as equal to
// itself and telling -0 from 0.
func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b && math.Signbit(a) == math.Signbit(b)
}

func TestWriteStrings(t *testing.T) {
	for _, n := range []int{0, 1, 23, 24, 255, 256, 65535, 65536} {
		s := strings.Repeat("é", n/2) + strings.Repeat("x", n%2)
		var w Writer
		w.WriteText(s)
		w.WriteTextBytes([]byte(s))
		w.WriteBytes([]byte(s))
		r := NewReader(w.Bytes())
		if got, err := r.ReadText(); err != nil || got != s {
			t.Errorf("text of %d bytes: got %d bytes, %v", n, len(got), err)
		}
		if got, err := r.ReadTextBytes(); err != nil || string(got) != s {
			t.Errorf("text bytes of %d bytes: got %d bytes, %v", n, len(got), err)
		}
		if got, err := r.ReadBytes(); err != nil || string(got) != s {
			t.Errorf("bytes of %d bytes: got %d bytes, %v", n, len(got), err)
		}
		if err := r.Finish(); err != nil {
			t.Error(err)
		}
	}

	// Invalid UTF-8 is replaced, so that the output stays well-formed.
	var w Writer
	w.WriteText("a\xffb\xc3")
	w.WriteTextBytes([]byte("\xed\xa0\x80"))
	want := "68" + hex.EncodeToString([]byte("a\uFFFDb\uFFFD")) + "63efbfbd"
	if got := hex.EncodeToString(w.Bytes()); got != want {
		t.Errorf("invalid UTF-8: got %s, want %s", got, want)
	}
}

func TestWriterBuffer(t *testing.T) {
	buf := make([]byte, 0, 64)
	w := NewWriter(buf)
	w.WriteArrayHeader(1)
	w.WriteRaw([]byte{0xf6})
	if w.Len() != 2 || &w.Bytes()[0] != &buf[:1][0] {
		t.Errorf("Writer did not append to the given buffer")
	}
	w.Reset()
	if w.Len() != 0 {
		t.Errorf("Reset left %d bytes", w.Len())
	}
	allocs := testing.AllocsPerRun(100, func() {
		w.Reset()
		w.WriteMapHeader(2)
		w.WriteText("Timestamp")
		w.WriteTag(TagEpochTime)
		w.WriteFloat64(1.7e9)
		w.WriteText("Value")
		w.WriteFloat32(1.5)
	})
	if allocs != 0 {
		t.Errorf("writing into a large enough buffer made %v allocations", allocs)
	}

	defer func() {
		if recover() == nil {
			t.Errorf("WriteArrayHeader(-1) did not panic")
		}
	}()
	w.WriteArrayHeader(-1)
}

// TestRoundTrip writes a tree holding every kind of item, reads it back,
// and checks the reader's view of indefinite-length containers.
func TestRoundTrip(t *testing.T) {
	tree := map[string]any{
		"uint":    uint64(math.MaxUint64),
		"neg":     int64(math.MinInt64),
		"small":   int64(-24),
		"f64":     1.0 / 3,
		"f32":     float64(float32(0.1)),
		"true":    true,
		"false":   false,
		"null":    nil,
		"undef":   undef{},
		"bytes":   []byte{0, 1, 0xff},
		"empty":   []byte{},
		"text":    "Ünïcödé ✓",
		"time":    tagged{TagEpochTime, 1.7e9},
		"bignum":  tagged{2, []byte{1, 0}},
		"list":    []any{uint64(1), []any{}, map[string]any{}, []any{"x"}},
		"nested":  map[string]any{"a": map[string]any{"b": []any{int64(-1)}}},
		"longkey": strings.Repeat("k", 300),
	}
	var w Writer
	tree["f32"] = float32(0.1)
	writeAny(&w, tree)
	tree["f32"] = float64(float32(0.1))
	r := NewReader(w.Bytes())
	got, err := readAny(r)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, got, tree)
	if err := r.Finish(); err != nil {
		t.Error(err)
	}

	// Indefinite-length containers written by Writer read back the same.
	w.Reset()
	w.WriteMapStart()
	w.WriteText("l")
	w.WriteArrayStart()
	w.WriteInt(-5)
	w.WriteArrayStart()
	w.WriteBreak()
	w.WriteBreak()
	w.WriteText("m")
	w.WriteMapStart()
	w.WriteBreak()
	w.WriteBreak()
	r.Reset(w.Bytes())
	got, err = readAny(r)
	if err != nil {
		t.Fatal(err)
	}
	checkTree(t, got, map[string]any{"l": []any{int64(-5), []any{}}, "m": map[string]any{}})
	if err := r.Finish(); err != nil {
		t.Error(err)
	}
}

// TestAppend checks that the Append functions extend the slice they are
// given, as Writer's methods do.
func TestAppend(t *testing.T) {
	b := []byte{0xaa}
	b = AppendMapHeader(b, 1)
	b = AppendText(b, "t")
	b = AppendTag(b, TagEpochTime)
	b = AppendFloat64(b, 1.5)
	b = AppendArrayStart(b)
	b = AppendInt(b, -2)
	b = AppendFloat32(b, float32(math.Inf(-1)))
	b = AppendBytes(b, []byte{7})
	b = AppendTextBytes(b, []byte("\xff"))
	b = AppendBool(b, true)
	b = AppendNull(b)
	b = AppendUndefined(b)
	b = AppendMapStart(b)
	b = AppendBreak(b)
	b = AppendArrayHeader(b, 0)
	b = AppendUint(b, 500)
	b = AppendBreak(b)
	const want = "aa a1 6174 c1 fb3ff8000000000000 9f 21 f9fc00 4107 63efbfbd f5 f6 f7 bf ff 80 1901f4 ff"
	if got := hex.EncodeToString(b); got != strings.ReplaceAll(want, " ", "") {
		t.Errorf("got %s, want %s", got, want)
	}
	// Two items: the map, and the indefinite-length array.
	r := NewReader(b[1:])
	for range 2 {
		if _, err := readAny(r); err != nil {
			t.Fatalf("reading back: %v", err)
		}
	}
	if err := r.Finish(); err != nil {
		t.Error(err)
	}
}
