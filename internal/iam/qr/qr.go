// Package qr encodes bytes as a QR code (ISO/IEC 18004) in byte mode at
// error correction level M, versions 1 to 10 (up to 213 bytes), and
// draws it as a PNG: what an authenticator app scans to learn a virtual
// MFA device's secret (an otpauth:// URI of about 120 bytes).
package qr

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
)

// Code is a QR code: a square of Size modules, each dark or light.
type Code struct {
	Size int
	dark []bool
}

// Dark says whether the module at column x and row y is dark.
func (c *Code) Dark(x, y int) bool { return c.dark[y*c.Size+x] }

// version describes a version at level M: the error correction
// codewords of each block, the groups of blocks (how many, and the data
// codewords of each), and the centres of its alignment patterns.
type version struct {
	ecPerBlock int
	groups     [][2]int
	align      []int
}

// versions are ISO/IEC 18004's tables 9 and E.1 for level M.
var versions = [...]version{
	1:  {10, [][2]int{{1, 16}}, nil},
	2:  {16, [][2]int{{1, 28}}, []int{6, 18}},
	3:  {26, [][2]int{{1, 44}}, []int{6, 22}},
	4:  {18, [][2]int{{2, 32}}, []int{6, 26}},
	5:  {24, [][2]int{{2, 43}}, []int{6, 30}},
	6:  {16, [][2]int{{4, 27}}, []int{6, 34}},
	7:  {18, [][2]int{{4, 31}}, []int{6, 22, 38}},
	8:  {22, [][2]int{{2, 38}, {2, 39}}, []int{6, 24, 42}},
	9:  {22, [][2]int{{3, 36}, {2, 37}}, []int{6, 26, 46}},
	10: {26, [][2]int{{4, 43}, {1, 44}}, []int{6, 28, 50}},
}

func (v version) dataCodewords() int {
	n := 0
	for _, g := range v.groups {
		n += g[0] * g[1]
	}
	return n
}

// ErrTooLong is returned for data that a version 10 code cannot hold.
var ErrTooLong = errors.New("qr: data too long for a version 10 code")

// Encode returns the QR code of data: the smallest version that holds
// it, with the mask of least penalty.
func Encode(data []byte) (*Code, error) {
	for v := 1; v < len(versions); v++ {
		countBits := 8
		if v >= 10 {
			countBits = 16
		}
		capacity := versions[v].dataCodewords()
		if 4+countBits+8*len(data) > 8*capacity {
			continue
		}
		var b bitWriter
		b.write(0b0100, 4) // byte mode
		b.write(uint(len(data)), countBits)
		for _, d := range data {
			b.write(uint(d), 8)
		}
		b.write(0, min(4, 8*capacity-b.n))
		b.write(0, (8-b.n%8)%8)
		for pad := 0; b.n < 8*capacity; pad++ {
			b.write([]uint{0xEC, 0x11}[pad%2], 8)
		}
		return build(v, codewords(versions[v], b.bytes)), nil
	}
	return nil, ErrTooLong
}

// bitWriter appends bits, most significant first.
type bitWriter struct {
	bytes []byte
	n     int
}

func (b *bitWriter) write(v uint, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if b.n%8 == 0 {
			b.bytes = append(b.bytes, 0)
		}
		if v>>i&1 == 1 {
			b.bytes[b.n/8] |= 0x80 >> (b.n % 8)
		}
		b.n++
	}
}

// codewords splits data into the version's blocks, adds each block's
// error correction and interleaves them as the symbol holds them.
func codewords(v version, data []byte) []byte {
	var blocks, ecs [][]byte
	for _, g := range v.groups {
		for range g[0] {
			blocks = append(blocks, data[:g[1]])
			ecs = append(ecs, rsRemainder(data[:g[1]], v.ecPerBlock))
			data = data[g[1]:]
		}
	}
	var out []byte
	for i := range blocks[len(blocks)-1] {
		for _, bl := range blocks {
			if i < len(bl) {
				out = append(out, bl[i])
			}
		}
	}
	for i := range v.ecPerBlock {
		for _, ec := range ecs {
			out = append(out, ec[i])
		}
	}
	return out
}

// matrix is a code being built: its modules, and which of them belong
// to function patterns (data and masks leave those alone).
type matrix struct {
	size           int
	dark, reserved []bool
}

func (m *matrix) set(x, y int, dark bool) {
	if x >= 0 && y >= 0 && x < m.size && y < m.size {
		m.dark[y*m.size+x], m.reserved[y*m.size+x] = dark, true
	}
}

// build draws a version's code of codewords.
func build(v int, words []byte) *Code {
	size := 17 + 4*v
	m := &matrix{size: size, dark: make([]bool, size*size), reserved: make([]bool, size*size)}
	for i := range size {
		m.set(6, i, i%2 == 0)
		m.set(i, 6, i%2 == 0)
	}
	for _, c := range [][2]int{{3, 3}, {size - 4, 3}, {3, size - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				d := max(abs(dx), abs(dy))
				m.set(c[0]+dx, c[1]+dy, d != 2 && d != 4)
			}
		}
	}
	align := versions[v].align
	for i, ax := range align {
		for j, ay := range align {
			last := len(align) - 1
			if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) {
				continue // a finder is there
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					m.set(ax+dx, ay+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	m.drawFormat(0)
	if v >= 7 {
		m.drawVersion(v)
	}
	m.placeData(words)
	best, bestPenalty := 0, -1
	for mask := range 8 {
		m.applyMask(mask)
		m.drawFormat(mask)
		if p := m.penalty(); bestPenalty < 0 || p < bestPenalty {
			best, bestPenalty = mask, p
		}
		m.applyMask(mask) // XOR again: undone
	}
	m.applyMask(best)
	m.drawFormat(best)
	return &Code{Size: size, dark: m.dark}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// drawFormat draws the format information of level M and a mask: its
// 15 bits (BCH code, masked with 101010000010010) twice, and the dark
// module.
func (m *matrix) drawFormat(mask int) {
	data := uint(0b00<<3 | mask) // level M is 00
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem&0x3FF) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 == 1 }
	for i := range 6 {
		m.set(8, i, bit(i))
	}
	m.set(8, 7, bit(6))
	m.set(8, 8, bit(7))
	m.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		m.set(14-i, 8, bit(i))
	}
	for i := range 8 {
		m.set(m.size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		m.set(8, m.size-15+i, bit(i))
	}
	m.set(8, m.size-8, true)
}

// drawVersion draws the version information (versions 7 and up): 18
// bits, a BCH code of the version, twice.
func (m *matrix) drawVersion(v int) {
	rem := uint(v)
	for range 12 {
		rem = rem<<1 ^ (rem>>11)*0x1F25
	}
	bits := uint(v)<<12 | rem&0xFFF
	for i := range 18 {
		a, b := m.size-11+i%3, i/3
		m.set(a, b, bits>>i&1 == 1)
		m.set(b, a, bits>>i&1 == 1)
	}
}

// placeData fills the modules that are not function patterns with the
// codewords' bits, in two-module columns zigzagging up and down from the
// bottom right, skipping the vertical timing pattern.
func (m *matrix) placeData(words []byte) {
	i := 0
	for right := m.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for vert := range m.size {
			for j := range 2 {
				x, y := right-j, vert
				if (right+1)&2 == 0 {
					y = m.size - 1 - vert
				}
				if m.reserved[y*m.size+x] || i >= 8*len(words) {
					continue
				}
				m.dark[y*m.size+x] = words[i/8]>>(7-i%8)&1 == 1
				i++
			}
		}
	}
}

// masks are the eight data masks: a module (x, y) is inverted when its
// mask says so.
var masks = [8]func(x, y int) bool{
	func(x, y int) bool { return (x+y)%2 == 0 },
	func(x, y int) bool { return y%2 == 0 },
	func(x, y int) bool { return x%3 == 0 },
	func(x, y int) bool { return (x+y)%3 == 0 },
	func(x, y int) bool { return (y/2+x/3)%2 == 0 },
	func(x, y int) bool { return x*y%2+x*y%3 == 0 },
	func(x, y int) bool { return (x*y%2+x*y%3)%2 == 0 },
	func(x, y int) bool { return ((x+y)%2+x*y%3)%2 == 0 },
}

func (m *matrix) applyMask(mask int) {
	for y := range m.size {
		for x := range m.size {
			if !m.reserved[y*m.size+x] && masks[mask](x, y) {
				m.dark[y*m.size+x] = !m.dark[y*m.size+x]
			}
		}
	}
}

// PNG draws the code with a quiet zone of four modules, scale pixels a
// module, black on white.
func (c *Code) PNG(scale int) []byte {
	const quiet = 4
	side := (c.Size + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range c.Size {
		for x := range c.Size {
			if !c.Dark(x, y) {
				continue
			}
			for py := range scale {
				for px := range scale {
					img.SetColorIndex((x+quiet)*scale+px, (y+quiet)*scale+py, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("BUG: qr: cannot encode a PNG in memory: " + err.Error())
	}
	return buf.Bytes()
}
