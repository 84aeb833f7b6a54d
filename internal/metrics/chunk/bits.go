package chunk

// bitWriter appends bits, most significant first.
type bitWriter struct {
	b     []byte
	nbits uint64
}

// write appends the n low bits of v (n <= 64).
func (w *bitWriter) write(v uint64, n uint) {
	for n > 0 {
		used := uint(w.nbits % 8)
		if used == 0 {
			w.b = append(w.b, 0)
		}
		take := min(8-used, n)
		part := v >> (n - take) & (1<<take - 1)
		w.b[len(w.b)-1] |= byte(part << (8 - used - take))
		n -= take
		w.nbits += uint64(take)
	}
}

func (w *bitWriter) bit(b bool) {
	if b {
		w.write(1, 1)
	} else {
		w.write(0, 1)
	}
}

// writeVar appends v in groups of 7 bits, low group first, each preceded
// by a bit that says whether another group follows.
func (w *bitWriter) writeVar(v uint64) {
	for v >= 0x80 {
		w.write(1<<7|v&0x7f, 8)
		v >>= 7
	}
	w.write(v, 8)
}

// bitReader reads what bitWriter wrote. Reading past the end sets err
// and returns zeros.
type bitReader struct {
	b   []byte
	pos uint64
	err bool
}

func (r *bitReader) read(n uint) uint64 {
	if r.err || uint64(len(r.b))*8-r.pos < uint64(n) {
		r.err = true
		return 0
	}
	var v uint64
	for n > 0 {
		used := uint(r.pos % 8)
		take := min(8-used, n)
		part := uint64(r.b[r.pos/8]>>(8-used-take)) & (1<<take - 1)
		v = v<<take | part
		n -= take
		r.pos += uint64(take)
	}
	return v
}

func (r *bitReader) bit() bool { return r.read(1) == 1 }

// readVar reads what writeVar wrote; more than ten groups, or bits beyond
// 64, are an error.
func (r *bitReader) readVar() uint64 {
	var v uint64
	for shift := uint(0); shift < 70; shift += 7 {
		g := r.read(8)
		part := g & 0x7f
		if shift == 63 && part > 1 {
			r.err = true
			return 0
		}
		v |= part << shift
		if g&0x80 == 0 {
			return v
		}
	}
	r.err = true
	return 0
}

// writeCode writes u with a prefix code: k one bits and a zero select
// widths[k] bits of payload, the smallest width that holds u. It reports
// false, writing nothing, when u needs more than the widest.
func writeCode(w *bitWriter, widths []uint, u uint64) bool {
	for k, width := range widths {
		if width == 64 || u < 1<<width {
			w.write((1<<k-1)<<1, uint(k)+1)
			w.write(u, width)
			return true
		}
	}
	return false
}

// writeEscape writes the prefix of len(widths) one bits that no payload
// uses.
func writeEscape(w *bitWriter, widths []uint) {
	w.write(1<<len(widths)-1, uint(len(widths)))
}

// readCode reads what writeCode or writeEscape wrote.
func readCode(r *bitReader, widths []uint) (u uint64, escaped bool) {
	k := 0
	for k < len(widths) && r.bit() {
		k++
	}
	if k == len(widths) {
		return 0, true
	}
	return r.read(widths[k]), false
}

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
