package qr

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/golden"
)

// text draws a code as lines of # (dark) and . (light).
func text(c *Code) []byte {
	var b bytes.Buffer
	for y := range c.Size {
		for x := range c.Size {
			if c.Dark(x, y) {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestGolden pins the codes of an otpauth URI (version 7, with version
// information) and of a short text (version 2): zbarimg read both when
// they were written.
func TestGolden(t *testing.T) {
	for name, data := range map[string]string{
		"otpauth.txt": "otpauth://totp/Vigil:alice@123456789012?secret=" + strings.Repeat("ABCDEFGH", 8) + "&issuer=Vigil",
		"hello.txt":   "hello world 123",
	} {
		c, err := Encode([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, name, text(c))
	}
}

// TestFormatInformation reads the format information back from both of
// its copies: level M and the mask chosen, with a correct BCH code.
func TestFormatInformation(t *testing.T) {
	c, err := Encode([]byte("format"))
	if err != nil {
		t.Fatal(err)
	}
	var first, second uint
	for i := range 15 {
		var x1, y1, x2, y2 int
		switch {
		case i < 6:
			x1, y1 = 8, i
		case i < 8:
			x1, y1 = 8, i+1
		case i == 8:
			x1, y1 = 7, 8
		default:
			x1, y1 = 14-i, 8
		}
		if i < 8 {
			x2, y2 = c.Size-1-i, 8
		} else {
			x2, y2 = 8, c.Size-15+i
		}
		if c.Dark(x1, y1) {
			first |= 1 << i
		}
		if c.Dark(x2, y2) {
			second |= 1 << i
		}
	}
	if first != second {
		t.Fatalf("the two copies differ: %015b and %015b", first, second)
	}
	bits := first ^ 0x5412
	if level := bits >> 13; level != 0 {
		t.Errorf("level bits %02b; want 00 (M)", level)
	}
	rem := bits >> 10
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	if rem&0x3FF != bits&0x3FF {
		t.Errorf("format information %015b has a wrong BCH code", first)
	}
	if !c.Dark(8, c.Size-8) {
		t.Error("the dark module is light")
	}
}

func TestVersions(t *testing.T) {
	for n, size := range map[int]int{1: 21, 14: 21, 15: 25, 100: 41, 120: 45, 213: 57} {
		c, err := Encode(bytes.Repeat([]byte("x"), n))
		if err != nil || c.Size != size {
			t.Errorf("Encode(%d bytes) = %v; want a square of %d", n, err, size)
			continue
		}
	}
	if _, err := Encode(make([]byte, 214)); err != ErrTooLong {
		t.Errorf("Encode(214 bytes) = %v; want ErrTooLong", err)
	}
}

func TestPNG(t *testing.T) {
	c, err := Encode([]byte("png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(c.PNG(4)))
	if err != nil {
		t.Fatal(err)
	}
	if side := (c.Size + 8) * 4; img.Bounds().Dx() != side || img.Bounds().Dy() != side {
		t.Errorf("PNG is %v; want %d pixels a side", img.Bounds(), side)
	}
	// The top-left finder's corner is dark, after 4 modules of quiet zone.
	if r, _, _, _ := img.At(16, 16).RGBA(); r != 0 {
		t.Error("the finder's corner is not black")
	}
	if r, _, _, _ := img.At(15, 15).RGBA(); r == 0 {
		t.Error("the quiet zone is not white")
	}
}

// FuzzEncode checks that any data up to the limit encodes into a square
// of a version's size.
func FuzzEncode(f *testing.F) {
	f.Add([]byte("otpauth://totp/x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Encode(data)
		if len(data) > 213 {
			return
		}
		if err != nil || (c.Size-17)%4 != 0 || len(c.dark) != c.Size*c.Size {
			t.Fatalf("Encode(%d bytes) = %v", len(data), err)
		}
	})
}
