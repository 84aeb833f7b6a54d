package schedexpr

import "math/bits"

// bitset is a set of small integers, 0-255.
type bitset [4]uint64

func (b *bitset) add(i int) { b[i>>6] |= 1 << (uint(i) & 63) }

func (b *bitset) has(i int) bool {
	return i >= 0 && i < 256 && b[i>>6]&(1<<(uint(i)&63)) != 0
}

// next returns the least member of b that is at least i and at most max.
func (b *bitset) next(i, max int) (int, bool) {
	for i <= max && i < 256 {
		w := b[i>>6] >> (uint(i) & 63)
		if w != 0 {
			i += bits.TrailingZeros64(w)
			return i, i <= max
		}
		i = (i | 63) + 1
	}
	return 0, false
}
