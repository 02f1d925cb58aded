package langid

import "math/bits"

// hashIndex is an open-addressing hash map from uint64 keys to nonzero
// uint64 values, built once and then only read. Key and value sit side by
// side in one slot, so a lookup in a table of millions of n-grams costs
// about one cache miss (a Go map's control word and slot cost more), which is
// most of the cost of scoring a short text. Slots are sized to the key count
// (load factor 0.8: 0.5 measured no faster and cost ~100 MB more) and
// addressed by multiply-shift, not by a power of two.
type hashIndex struct {
	slots []hashSlot
}

type hashSlot struct {
	key, val uint64 // val 0: empty
}

// newHashIndexSorted builds a hashIndex of distinct keys with their values
// (all 0 when vals is nil). A value may be 0 while the caller goes on
// filling values in through slot, but every value must be nonzero before get
// is used.
func newHashIndexSorted(keys, vals []uint64) hashIndex {
	h := hashIndex{slots: make([]hashSlot, len(keys)*5/4+1)}
	used := make([]bool, len(h.slots))
	for j, k := range keys {
		i := h.home(k)
		for used[i] {
			if i++; i == len(h.slots) {
				i = 0
			}
		}
		used[i] = true
		h.slots[i].key = k
		if vals != nil {
			h.slots[i].val = vals[j]
		}
	}
	return h
}

// slot returns the slot of k, which must be present (for building).
func (h *hashIndex) slot(k uint64) *hashSlot {
	i := h.home(k)
	for h.slots[i].key != k {
		if i++; i == len(h.slots) {
			i = 0
		}
	}
	return &h.slots[i]
}

func (h *hashIndex) home(k uint64) int {
	hi, _ := bits.Mul64(k*0x9e3779b97f4a7c15, uint64(len(h.slots)))
	return int(hi)
}

// get returns the value of k, or 0 when k is absent.
func (h *hashIndex) get(k uint64) uint64 {
	if len(h.slots) == 0 {
		return 0
	}
	i := h.home(k)
	for {
		s := &h.slots[i]
		if s.key == k || s.val == 0 {
			return s.val
		}
		if i++; i == len(h.slots) {
			i = 0
		}
	}
}

// compactIndex is a hashIndex in half the memory, for the 4- and 5-gram
// tables (millions of keys): a slot is one uint64 holding a 32-bit
// fingerprint of the key and a 32-bit value. An absent key is taken for a
// present one only when its fingerprint equals one in its probe run, about
// once in a billion lookups, and always the same way (it is no source of
// nondeterminism).
type compactIndex struct {
	slots []uint64 // fingerprint<<32 | value; 0: empty
}

// compactOf copies h into a compactIndex, or reports false when a value
// does not fit in 32 bits.
func compactOf(h *hashIndex) (compactIndex, bool) {
	n := 0
	for _, s := range h.slots {
		if s.val > 0xffffffff {
			return compactIndex{}, false
		}
		if s.val != 0 {
			n++
		}
	}
	c := compactIndex{slots: make([]uint64, n*5/4+1)}
	for _, s := range h.slots {
		if s.val == 0 {
			continue
		}
		i := c.home(s.key)
		for c.slots[i] != 0 {
			if i++; i == len(c.slots) {
				i = 0
			}
		}
		c.slots[i] = uint64(fingerprint(s.key))<<32 | s.val
	}
	return c, true
}

func (c *compactIndex) home(k uint64) int {
	hi, _ := bits.Mul64(k*0x9e3779b97f4a7c15, uint64(len(c.slots)))
	return int(hi)
}

// fingerprint is 32 bits of k independent of the bits home uses.
func fingerprint(k uint64) uint32 {
	return uint32((k * 0xc2b2ae3d27d4eb4f) >> 32)
}

// get returns the value of k, or 0 when k is absent.
func (c *compactIndex) get(k uint64) uint64 {
	if len(c.slots) == 0 {
		return 0
	}
	fp := fingerprint(k)
	for i := c.home(k); ; {
		s := c.slots[i]
		if s == 0 {
			return 0
		}
		if uint32(s>>32) == fp {
			return s & 0xffffffff
		}
		if i++; i == len(c.slots) {
			i = 0
		}
	}
}
