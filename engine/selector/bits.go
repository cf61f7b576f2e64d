package selector

import "math/bits"

// bitset is a set of DAG vertex indexes. Selection combines many sets of up to
// every node; words make union, intersection and difference cheap.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) add(i int)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) has(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

func (b bitset) clone() bitset { return append(bitset(nil), b...) }

func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// or, and and andNot return new sets.
func (b bitset) or(c bitset) bitset {
	out := b.clone()
	for i := range out {
		out[i] |= c[i]
	}
	return out
}

func (b bitset) and(c bitset) bitset {
	out := b.clone()
	for i := range out {
		out[i] &= c[i]
	}
	return out
}

func (b bitset) andNot(c bitset) bitset {
	out := b.clone()
	for i := range out {
		out[i] &^= c[i]
	}
	return out
}

// indexes lists the members in ascending order.
func (b bitset) indexes() []int32 {
	var out []int32
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			out = append(out, int32(wi*64+t))
			w &= w - 1
		}
	}
	return out
}
