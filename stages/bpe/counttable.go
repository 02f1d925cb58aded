package bpe

import "encoding/binary"

// countTable counts pre-tokens. Keys of up to 16 bytes (nearly all
// pre-tokens) live inline in the slots of an open-addressing table, so
// counting a pre-token is one hash and usually one cache line, with no
// allocation for a new key; longer keys go to a map. It replaces
// map[string]uint64, whose per-key allocations and pointer chasing were most
// of the counting time.
type countTable struct {
	slots []countSlot
	used  int
	long  map[string]uint64
}

type countSlot struct {
	k0, k1 uint64
	count  uint64
	n      uint32 // key length; 0 marks an empty slot (pieces are never empty)
}

func newCountTable(capacity int) *countTable {
	size := 1024
	for size < capacity*2 {
		size <<= 1
	}
	return &countTable{slots: make([]countSlot, size), long: map[string]uint64{}}
}

// len returns the number of distinct keys.
func (t *countTable) len() int { return t.used + len(t.long) }

// add adds c to the count of s (non-empty). A long s is cloned when it is
// new, so s may point into a buffer that is reused.
func (t *countTable) add(s string, c uint64) {
	if len(s) > 16 {
		if v, ok := t.long[s]; ok {
			t.long[s] = v + c
		} else {
			t.long[string([]byte(s))] = c
		}
		return
	}
	k0, k1 := packKey(s)
	t.addPacked(k0, k1, uint32(len(s)), c)
}

func (t *countTable) addPacked(k0, k1 uint64, n uint32, c uint64) {
	mask := uint64(len(t.slots) - 1)
	for i := hashKey(k0, k1, int(n)) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.n == n && sl.k0 == k0 && sl.k1 == k1 {
			sl.count += c
			return
		}
		if sl.n == 0 {
			*sl = countSlot{k0: k0, k1: k1, count: c, n: n}
			t.used++
			if t.used*2 > len(t.slots) {
				t.grow()
			}
			return
		}
	}
}

func (t *countTable) grow() {
	old := t.slots
	t.slots = make([]countSlot, len(old)*2)
	t.used = 0
	for _, sl := range old {
		if sl.n != 0 {
			t.addPacked(sl.k0, sl.k1, sl.n, sl.count)
		}
	}
}

// merge adds every count of o to t.
func (t *countTable) merge(o *countTable) {
	for _, sl := range o.slots {
		if sl.n != 0 {
			t.addPacked(sl.k0, sl.k1, sl.n, sl.count)
		}
	}
	for s, c := range o.long {
		t.add(s, c)
	}
}

// each calls f with every key (as bytes valid during the call) and count.
func (t *countTable) each(f func(key []byte, count uint64)) {
	var buf [16]byte
	for _, sl := range t.slots {
		if sl.n != 0 {
			binary.LittleEndian.PutUint64(buf[:8], sl.k0)
			binary.LittleEndian.PutUint64(buf[8:], sl.k1)
			f(buf[:sl.n], sl.count)
		}
	}
	for s, c := range t.long {
		f([]byte(s), c)
	}
}

// keepAbove returns a table holding the entries with count > thr.
func (t *countTable) keepAbove(thr uint64) *countTable {
	out := newCountTable(t.len())
	for _, sl := range t.slots {
		if sl.n != 0 && sl.count > thr {
			out.addPacked(sl.k0, sl.k1, sl.n, sl.count)
		}
	}
	for s, c := range t.long {
		if c > thr {
			out.long[s] = c
		}
	}
	return out
}

// reset empties t, keeping its memory for the next batch.
func (t *countTable) reset() {
	clear(t.slots)
	t.used = 0
	clear(t.long)
}
