package qr

// Reed-Solomon error correction over GF(2^8) with QR's primitive
// polynomial x^8+x^4+x^3+x^2+1, and the penalty rules that choose a
// mask.

// gfExp and gfLog are the field's exponentials of α (2) and their
// logarithms.
var gfExp, gfLog = func() (exp [512]byte, log [256]byte) {
	x := 1
	for i := range 255 {
		exp[i] = byte(x)
		log[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11D
		}
	}
	for i := 255; i < 512; i++ {
		exp[i] = exp[i-255]
	}
	return exp, log
}()

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

// rsRemainder returns the n error correction codewords of data: the
// remainder of data·x^n divided by the generator (x-α^0)…(x-α^(n-1)).
func rsRemainder(data []byte, n int) []byte {
	gen := []byte{1}
	for i := range n {
		next := make([]byte, len(gen)+1)
		for j, g := range gen {
			next[j] ^= g
			next[j+1] ^= gfMul(g, gfExp[i])
		}
		gen = next
	}
	rem := make([]byte, n)
	for _, d := range data {
		factor := d ^ rem[0]
		copy(rem, rem[1:])
		rem[n-1] = 0
		for i := range n {
			rem[i] ^= gfMul(gen[i+1], factor)
		}
	}
	return rem
}

// penalty scores the code's modules by the four rules of ISO/IEC 18004
// (7.8.3): runs of a colour, 2×2 blocks, finder-like patterns, and the
// balance of dark and light.
func (m *matrix) penalty() int {
	at := func(x, y int, transpose bool) bool {
		if transpose {
			x, y = y, x
		}
		return m.dark[y*m.size+x]
	}
	score := 0
	finder := []bool{true, false, true, true, true, false, true}
	for _, transpose := range []bool{false, true} {
		for y := range m.size {
			run := 1
			for x := 1; x <= m.size; x++ {
				if x < m.size && at(x, y, transpose) == at(x-1, y, transpose) {
					run++
					continue
				}
				if run >= 5 {
					score += 3 + run - 5
				}
				run = 1
			}
			for x := 0; x+7 <= m.size; x++ {
				match := true
				for k, f := range finder {
					match = match && at(x+k, y, transpose) == f
				}
				if match && (lightRun(m, x-4, x, y, transpose, at) || lightRun(m, x+7, x+11, y, transpose, at)) {
					score += 40
				}
			}
		}
	}
	dark := 0
	for y := range m.size {
		for x := range m.size {
			if m.dark[y*m.size+x] {
				dark++
			}
			if x+1 < m.size && y+1 < m.size {
				c := m.dark[y*m.size+x]
				if m.dark[y*m.size+x+1] == c && m.dark[(y+1)*m.size+x] == c && m.dark[(y+1)*m.size+x+1] == c {
					score += 3
				}
			}
		}
	}
	total := m.size * m.size
	deviation := abs(dark*100/total - 50)
	return score + 10*(deviation/5)
}

// lightRun says whether the modules from x to end (excluded) of a row
// (a column when transposed) are light; those outside the symbol are.
func lightRun(m *matrix, x, end, y int, transpose bool, at func(x, y int, transpose bool) bool) bool {
	for ; x < end; x++ {
		if x >= 0 && x < m.size && at(x, y, transpose) {
			return false
		}
	}
	return true
}
