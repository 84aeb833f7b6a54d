package cbor

import (
	"strings"
	"testing"
)

// TestMalformed reads malformed input two ways, with the typed readers
// (through diag) and with Skip, and checks that both fail with the
// expected message. Cases marked skipOK are well-formed but invalid (bad
// UTF-8 in text): Skip, which does not check UTF-8, accepts them.
func TestMalformed(t *testing.T) {
	tests := []struct {
		name, hex, want string
		skipOK          bool
	}{
		{"empty input", "", "unexpected end of input at offset 0", false},

		// Truncated heads.
		{"uint missing 1 byte", "18", "truncated unsigned integer at offset 0", false},
		{"uint missing 2 bytes", "1901", "truncated unsigned integer", false},
		{"uint missing 4 bytes", "1a000000", "truncated unsigned integer", false},
		{"uint missing 8 bytes", "1b00000000000000", "truncated unsigned integer", false},
		{"negint missing byte", "38", "truncated negative integer", false},
		{"float16 truncated", "f900", "truncated float", false},
		{"float32 truncated", "fa000000", "truncated float", false},
		{"float64 truncated", "fb00000000000000", "truncated float", false},
		{"simple truncated", "f8", "truncated simple value", false},
		{"tag truncated", "d9 01", "truncated tag", false},
		{"string length truncated", "79 00", "truncated text string", false},
		{"array length truncated", "9a 0000", "truncated array", false},
		{"nested truncated head", "82 01 19", "truncated unsigned integer at offset 2", false},

		// Lengths larger than the input.
		{"bytes longer than input", "5a 00000010 00", "byte string of 16 bytes exceeds the input at offset 0, found 1 bytes left", false},
		{"text longer than input", "7b ffffffffffffffff 61", "text string of 18446744073709551615 bytes exceeds the input", false},
		{"text one byte short", "63 6161", "text string of 3 bytes exceeds the input", false},
		{"chunk longer than input", "5f 44 0102", "byte string of 4 bytes exceeds the input at offset 1", false},
		{"array longer than input", "9a ffffffff 00", "array of 4294967295 items exceeds the input", false},
		{"map longer than input", "bb ffffffffffffffff", "map of 18446744073709551615 pairs exceeds the input", false},
		{"map pairs need two bytes", "a2 01 02 03", "map of 2 pairs exceeds the input", false},
		{"array missing item", "82 01", "array of 2 items exceeds the input", false},
		{"nested array missing item", "82 81 01", "unexpected end of input at offset 3", false},
		{"map missing value", "a1 61 61", "unexpected end of input at offset 3", false},
		{"nested map missing value", "a2 6161 01 6162", "unexpected end of input at offset 6", false},

		// Reserved additional information 28 to 30, in every major type.
		{"reserved 28 uint", "1c", "malformed initial byte 0x1c", false},
		{"reserved 29 negint", "3d", "malformed initial byte 0x3d", false},
		{"reserved 30 bytes", "5e", "malformed initial byte 0x5e", false},
		{"reserved 28 text", "7c", "malformed initial byte 0x7c", false},
		{"reserved 29 array", "9d", "malformed initial byte 0x9d", false},
		{"reserved 30 map", "be", "malformed initial byte 0xbe", false},
		{"reserved 28 tag", "dc 00", "malformed initial byte 0xdc", false},
		{"reserved 28 simple", "fc", "malformed initial byte 0xfc", false},
		{"reserved 29 simple", "fd", "malformed initial byte 0xfd", false},
		{"reserved 30 simple", "fe", "malformed initial byte 0xfe", false},
		{"reserved inside array", "82 00 1e", "malformed initial byte 0x1e at offset 2", false},
		{"indefinite uint", "1f", "malformed initial byte 0x1f", false},
		{"indefinite negint", "3f", "malformed initial byte 0x3f", false},
		{"indefinite tag", "df 00", "malformed initial byte 0xdf", false},
		{"two-byte simple below 32", "f8 1f", "malformed two-byte simple value at offset 0, found 0x1f", false},

		// Breaks outside indefinite-length containers.
		{"break alone", "ff", "unexpected break at offset 0", false},
		{"break in definite array", "82 01 ff", "unexpected break at offset 2", false},
		{"break in definite map", "a1 ff 00", "unexpected break at offset 1", false},
		{"break after item", "01 ff", "offset 1", false},
		{"break after tag", "9f c1 ff", "unexpected break at offset 2, tag has no item", false},
		{"break after map key", "bf 61 61 ff", "unexpected break at offset 3, map key has no value", false},
		{"break in definite inside indefinite", "9f 81 ff ff", "unexpected break at offset 2", false},
		{"unterminated indefinite array", "9f 01 02", "unexpected end of input at offset 3", false},
		{"unterminated indefinite map", "bf 61 61 01", "unexpected end of input at offset 4", false},
		{"unterminated indefinite bytes", "5f 41 00", "truncated byte string at offset 0, no break", false},
		{"tag without item", "c1", "unexpected end of input at offset 1", false},

		// Indefinite-length strings with bad chunks.
		{"text chunk in bytes", "5f 61 61 ff", "expected definite-length byte string chunk at offset 1, found text string", false},
		{"bytes chunk in text", "7f 41 61 ff", "expected definite-length text string chunk at offset 1, found byte string", false},
		{"nested indefinite chunk", "7f 7f ff ff", "found indefinite-length text string", false},
		{"uint chunk", "5f 01 ff", "found unsigned integer", false},
		{"array chunk", "7f 80 ff", "found array", false},
		{"reserved chunk", "5f 5c ff", "found malformed initial byte 0x5c", false},

		// Invalid UTF-8: well-formed, but not valid text.
		{"invalid UTF-8", "62 c3 28", "invalid UTF-8 in text string at offset 0", true},
		{"lone continuation byte", "61 80", "invalid UTF-8", true},
		{"surrogate", "63 eda080", "invalid UTF-8", true},
		{"overlong", "62 c0af", "invalid UTF-8", true},
		{"invalid UTF-8 chunk", "7f 61 61 61 ff ff", "invalid UTF-8 in text string at offset 3", true},
		{"character split across chunks", "7f 61 c3 61 bc ff", "invalid UTF-8 in text string at offset 1", true},
		{"invalid UTF-8 map key", "a1 61 ff 00", "invalid UTF-8 in text string at offset 1", true},

		// Nesting deeper than the limit.
		{"deep arrays", strings.Repeat("81", 65) + "00", "nesting depth exceeds 64 at offset 64", false},
		{"deep indefinite arrays", strings.Repeat("9f", 65) + strings.Repeat("ff", 65), "nesting depth exceeds 64", false},
		{"deep maps", strings.Repeat("a1 6161", 65) + "00", "nesting depth exceeds 64", false},
		{"deep mixed", strings.Repeat("81 bf 6161", 40) + "00", "nesting depth exceeds 64", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := unhex(t, tt.hex)
			r := NewReader(data)
			_, err := diag(r)
			if err == nil {
				err = r.Finish()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("typed read: got %v, want an error containing %q", err, tt.want)
			}

			r.Reset(data)
			err = r.Skip()
			if err == nil {
				err = r.Finish()
			}
			switch {
			case tt.skipOK && err != nil:
				t.Errorf("Skip: %v, want success", err)
			case !tt.skipOK && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Skip: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestMalformedTyped covers errors that only the typed readers report.
func TestMalformedTyped(t *testing.T) {
	tests := []struct {
		name, hex string
		read      func(r *Reader) error
		want      string
	}{
		{"int overflow", "1b 8000000000000000", func(r *Reader) error { _, err := r.ReadInt(); return err },
			"integer overflows int64 at offset 0"},
		{"break where an item is due", "9f ff", func(r *Reader) error {
			_, _ = r.ReadArrayHeader()
			_, err := r.ReadText()
			return err
		}, "expected text string at offset 1, found break"},
		{"break read outside", "9f 00", func(r *Reader) error { _, _ = r.ReadArrayHeader(); return r.ReadBreak() },
			"expected break at offset 1, found unsigned integer"},
		{"number truncated", "fa 0000", func(r *Reader) error { _, err := r.ReadNumber(); return err },
			"truncated float at offset 0"},
		{"number from truncated int", "19 00", func(r *Reader) error { _, err := r.ReadNumber(); return err },
			"truncated unsigned integer at offset 0"},
		{"text bytes truncated", "65 6161", func(r *Reader) error { _, err := r.ReadTextBytes(); return err },
			"text string of 5 bytes exceeds the input"},
		{"text bytes invalid", "61 ff", func(r *Reader) error { _, err := r.ReadTextBytes(); return err },
			"invalid UTF-8"},
		{"text bytes wrong type", "41 61", func(r *Reader) error { _, err := r.ReadTextBytes(); return err },
			"expected text string at offset 0, found byte string"},
		{"bytes wrong type", "61 61", func(r *Reader) error { _, err := r.ReadBytes(); return err },
			"expected byte string at offset 0, found text string"},
		{"tag wrong type", "01", func(r *Reader) error { _, err := r.ReadTag(); return err },
			"expected tag at offset 0, found unsigned integer"},
		{"bool wrong type", "f6", func(r *Reader) error { _, err := r.ReadBool(); return err },
			"expected boolean at offset 0, found null"},
		{"undefined wrong type", "f6", func(r *Reader) error { return r.ReadUndefined() },
			"expected undefined at offset 0, found null"},
	}
	for _, tt := range tests {
		r := NewReader(unhex(t, tt.hex))
		if err := tt.read(r); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
