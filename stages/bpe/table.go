package bpe

import (
	"encoding/binary"
	"math/bits"
)

// tokTable maps token bytes to ids for the encoder's lookups. Tokens of up to
// 16 bytes (nearly all) are stored inline in the slot, so a lookup touches
// one cache line: Go's map of strings touches the control word, the slot and
// the key's separate allocation, and this lookup is most of encoding's time.
// Longer tokens fall back to a map. Built once, read-only after.
type tokTable struct {
	slots []tokSlot
	mask  uint64
	long  map[string]uint32
}

type tokSlot struct {
	k0, k1 uint64
	id     uint32
	n      uint32 // key length; 0 marks an empty slot
}

// packKey loads up to 16 bytes of s into two words, zero padded.
func packKey(s string) (uint64, uint64) {
	var k0, k1 uint64
	n := len(s)
	switch {
	case n >= 16:
		k0 = binary.LittleEndian.Uint64([]byte(s[:8]))
		k1 = binary.LittleEndian.Uint64([]byte(s[8:16]))
	case n >= 8:
		k0 = binary.LittleEndian.Uint64([]byte(s[:8]))
		for i := n - 1; i >= 8; i-- {
			k1 = k1<<8 | uint64(s[i])
		}
	default:
		for i := n - 1; i >= 0; i-- {
			k0 = k0<<8 | uint64(s[i])
		}
	}
	return k0, k1
}

func hashKey(k0, k1 uint64, n int) uint64 {
	hi, lo := bits.Mul64(k0^0x9E3779B97F4A7C15, k1^0xC2B2AE3D27D4EB4F^uint64(n))
	return hi ^ lo
}

func newTokTable(tokens map[string]uint32) *tokTable {
	size := uint64(1)
	for size < uint64(len(tokens))*2 {
		size <<= 1
	}
	t := &tokTable{slots: make([]tokSlot, size), mask: size - 1, long: map[string]uint32{}}
	for s, id := range tokens {
		if len(s) > 16 {
			t.long[s] = id
			continue
		}
		k0, k1 := packKey(s)
		for i := hashKey(k0, k1, len(s)) & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i].n == 0 {
				t.slots[i] = tokSlot{k0: k0, k1: k1, id: id, n: uint32(len(s))}
				break
			}
		}
	}
	return t
}

// get returns the id of s, or noRank.
func (t *tokTable) get(s string) uint32 {
	if len(s) > 16 {
		if id, ok := t.long[s]; ok {
			return id
		}
		return noRank
	}
	k0, k1 := packKey(s)
	n := uint32(len(s))
	for i := hashKey(k0, k1, len(s)) & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.n == n && sl.k0 == k0 && sl.k1 == k1 {
			return sl.id
		}
		if sl.n == 0 {
			return noRank
		}
	}
}
