package cbor

import (
	"encoding/hex"
	"testing"
)

// TestAppendixA decodes every example of RFC 8949 Appendix A. The expected
// text is the example's diagnostic notation as diag renders it: floats
// always show a point or exponent, strings are Go-quoted and shown
// concatenated, and "_ " marks indefinite-length arrays and maps.
func TestAppendixA(t *testing.T) {
	tests := []struct {
		hex, want string
	}{
		{"00", "0"},
		{"01", "1"},
		{"0a", "10"},
		{"17", "23"},
		{"1818", "24"},
		{"1819", "25"},
		{"1864", "100"},
		{"1903e8", "1000"},
		{"1a000f4240", "1000000"},
		{"1b000000e8d4a51000", "1000000000000"},
		{"1bffffffffffffffff", "18446744073709551615"},
		{"c249010000000000000000", "2(h'010000000000000000')"},
		{"c349010000000000000000", "3(h'010000000000000000')"},
		{"20", "-1"},
		{"29", "-10"},
		{"3863", "-100"},
		{"3903e7", "-1000"},
		{"f90000", "0.0"},
		{"f98000", "-0.0"},
		{"f93c00", "1.0"},
		{"fb3ff199999999999a", "1.1"},
		{"f93e00", "1.5"},
		{"f97bff", "65504.0"},
		{"fa47c35000", "100000.0"},
		{"fa7f7fffff", "3.4028234663852886e+38"},
		{"fb7e37e43c8800759c", "1e+300"},
		{"f90001", "5.960464477539063e-08"},
		{"f90400", "6.103515625e-05"},
		{"f9c400", "-4.0"},
		{"fbc010666666666666", "-4.1"},
		{"f97c00", "Infinity"},
		{"f97e00", "NaN"},
		{"f9fc00", "-Infinity"},
		{"fa7f800000", "Infinity"},
		{"fa7fc00000", "NaN"},
		{"faff800000", "-Infinity"},
		{"fb7ff0000000000000", "Infinity"},
		{"fb7ff8000000000000", "NaN"},
		{"fbfff0000000000000", "-Infinity"},
		{"f4", "false"},
		{"f5", "true"},
		{"f6", "null"},
		{"f7", "undefined"},
		{"f0", "simple(16)"},
		{"f8ff", "simple(255)"},
		{"c074323031332d30332d32315432303a30343a30305a", `0("2013-03-21T20:04:00Z")`},
		{"c11a514b67b0", "1(1363896240)"},
		{"c1fb41d452d9ec200000", "1(1.3638962405e+09)"},
		{"d74401020304", "23(h'01020304')"},
		{"d818456449455446", "24(h'6449455446')"},
		{"d82076687474703a2f2f7777772e6578616d706c652e636f6d", `32("http://www.example.com")`},
		{"40", "h''"},
		{"4401020304", "h'01020304'"},
		{"60", `""`},
		{"6161", `"a"`},
		{"6449455446", `"IETF"`},
		{"62225c", `"\"\\"`},
		{"62c3bc", `"ü"`},
		{"63e6b0b4", `"水"`},
		{"64f0908591", `"𐅑"`},
		{"80", "[]"},
		{"83010203", "[1, 2, 3]"},
		{"8301820203820405", "[1, [2, 3], [4, 5]]"},
		{"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
			"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]"},
		{"a0", "{}"},
		{"a201020304", "{1: 2, 3: 4}"},
		{"a26161016162820203", `{"a": 1, "b": [2, 3]}`},
		{"826161a161626163", `["a", {"b": "c"}]`},
		{"a56161614161626142616361436164614461656145", `{"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}`},
		{"5f42010243030405ff", "h'0102030405'"},
		{"7f657374726561646d696e67ff", `"streaming"`},
		{"9fff", "[_ ]"},
		{"9f018202039f0405ffff", "[_ 1, [2, 3], [_ 4, 5]]"},
		{"9f01820203820405ff", "[_ 1, [2, 3], [4, 5]]"},
		{"83018202039f0405ff", "[1, [2, 3], [_ 4, 5]]"},
		{"83019f0203ff820405", "[1, [_ 2, 3], [4, 5]]"},
		{"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
			"[_ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]"},
		{"bf61610161629f0203ffff", `{_ "a": 1, "b": [_ 2, 3]}`},
		{"826161bf61626163ff", `["a", {_ "b": "c"}]`},
		{"bf6346756ef563416d7421ff", `{_ "Fun": true, "Amt": -2}`},
	}
	for _, tt := range tests {
		data := unhex(t, tt.hex)
		r := NewReader(data)
		got, err := diag(r)
		if err == nil {
			err = r.Finish()
		}
		if err != nil || got != tt.want {
			t.Errorf("decode %s: got %s, %v; want %s", tt.hex, got, err, tt.want)
		}
		// Skip must agree that the example is one whole item.
		r.Reset(data)
		if err := r.Skip(); err != nil || r.Finish() != nil {
			t.Errorf("skip %s: %v, then %v", tt.hex, err, r.Finish())
		}
	}
}

// TestAppendixAOverflow checks the one Appendix A example that int64
// cannot hold: -18446744073709551616, the smallest CBOR integer.
func TestAppendixAOverflow(t *testing.T) {
	r := NewReader(unhex(t, "3bffffffffffffffff"))
	_, err := r.ReadInt()
	const want = "cbor: integer overflows int64 at offset 0, found -18446744073709551616"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	r.Reset(unhex(t, "3bffffffffffffffff"))
	if err := r.Skip(); err != nil {
		t.Errorf("skip: %v", err)
	}
}

// TestAppendixAEncode checks that Writer produces the Appendix A encodings
// of the examples it can produce: integers, preferred non-finite floats,
// strings, and definite and indefinite containers.
func TestAppendixAEncode(t *testing.T) {
	tests := []struct {
		hex   string
		write func(w *Writer)
	}{
		{"00", func(w *Writer) { w.WriteUint(0) }},
		{"17", func(w *Writer) { w.WriteUint(23) }},
		{"1818", func(w *Writer) { w.WriteUint(24) }},
		{"1903e8", func(w *Writer) { w.WriteInt(1000) }},
		{"1a000f4240", func(w *Writer) { w.WriteInt(1000000) }},
		{"1b000000e8d4a51000", func(w *Writer) { w.WriteInt(1000000000000) }},
		{"1bffffffffffffffff", func(w *Writer) { w.WriteUint(1<<64 - 1) }},
		{"20", func(w *Writer) { w.WriteInt(-1) }},
		{"3863", func(w *Writer) { w.WriteInt(-100) }},
		{"3903e7", func(w *Writer) { w.WriteInt(-1000) }},
		{"fb3ff199999999999a", func(w *Writer) { w.WriteFloat64(1.1) }},
		{"fa47c35000", func(w *Writer) { w.WriteFloat32(100000) }},
		{"fa7f7fffff", func(w *Writer) { w.WriteFloat32(3.4028234663852886e+38) }},
		{"fbc010666666666666", func(w *Writer) { w.WriteFloat64(-4.1) }},
		{"f4", func(w *Writer) { w.WriteBool(false) }},
		{"f5", func(w *Writer) { w.WriteBool(true) }},
		{"f6", func(w *Writer) { w.WriteNull() }},
		{"f7", func(w *Writer) { w.WriteUndefined() }},
		{"c11a514b67b0", func(w *Writer) { w.WriteTag(TagEpochTime); w.WriteUint(1363896240) }},
		{"c1fb41d452d9ec200000", func(w *Writer) { w.WriteTag(TagEpochTime); w.WriteFloat64(1363896240.5) }},
		{"d818456449455446", func(w *Writer) { w.WriteTag(24); w.WriteBytes([]byte("dIETF")) }},
		{"40", func(w *Writer) { w.WriteBytes(nil) }},
		{"60", func(w *Writer) { w.WriteText("") }},
		{"64f0908591", func(w *Writer) { w.WriteText("\U00010151") }},
		{"80", func(w *Writer) { w.WriteArrayHeader(0) }},
		{"a0", func(w *Writer) { w.WriteMapHeader(0) }},
		{"a26161016162820203", func(w *Writer) {
			w.WriteMapHeader(2)
			w.WriteText("a")
			w.WriteUint(1)
			w.WriteText("b")
			w.WriteArrayHeader(2)
			w.WriteUint(2)
			w.WriteUint(3)
		}},
		{"98190102030405060708090a0b0c0d0e0f101112131415161718181819", func(w *Writer) {
			w.WriteArrayHeader(25)
			for i := range 25 {
				w.WriteInt(int64(i + 1))
			}
		}},
		{"9f018202039f0405ffff", func(w *Writer) {
			w.WriteArrayStart()
			w.WriteUint(1)
			w.WriteArrayHeader(2)
			w.WriteUint(2)
			w.WriteUint(3)
			w.WriteArrayStart()
			w.WriteUint(4)
			w.WriteUint(5)
			w.WriteBreak()
			w.WriteBreak()
		}},
		{"bf6346756ef563416d7421ff", func(w *Writer) {
			w.WriteMapStart()
			w.WriteText("Fun")
			w.WriteBool(true)
			w.WriteTextBytes([]byte("Amt"))
			w.WriteInt(-2)
			w.WriteBreak()
		}},
	}
	for _, tt := range tests {
		var w Writer
		tt.write(&w)
		if got := hex.EncodeToString(w.Bytes()); got != tt.hex {
			t.Errorf("got %s, want %s", got, tt.hex)
		}
	}
}
