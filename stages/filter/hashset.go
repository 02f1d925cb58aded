package filter

import "sync"

// countTable is an open-addressing hash table from a 64-bit key hash to a
// count and the index of its first occurrence. The repetition rules insert
// every line, paragraph and 2- to 10-gram of a document; Go maps cost 3-4x
// more per insert there, and the table is reused across documents through
// a sync.Pool, so a document costs no allocation once warmed up. Key, count
// and first position share one 16-byte slot so a probe touches one cache
// line.
type countTable struct {
	slots []slot
	shift uint
	used  int
}

type slot struct {
	key   uint64 // 0 marks an empty slot; real key 0 is stored as 1
	count int32
	first int32
}

var tablePool = sync.Pool{New: func() any { return new(countTable) }}

func getTable(n int) *countTable {
	t := tablePool.Get().(*countTable)
	t.reset(n)
	return t
}

func putTable(t *countTable) {
	if len(t.slots) > 1<<22 {
		// Do not keep a huge table alive after one huge document.
		return
	}
	tablePool.Put(t)
}

// reset empties the table and sizes it for n keys at load ≤ 1/2.
func (t *countTable) reset(n int) {
	size, bits := 16, uint(4)
	for size < 2*n {
		size <<= 1
		bits++
	}
	if cap(t.slots) >= size {
		t.slots = t.slots[:size]
		clear(t.slots)
	} else {
		t.slots = make([]slot, size)
	}
	t.shift = 64 - bits
	t.used = 0
}

// grow doubles the table when it is half full, so a caller's size hint is
// only a hint (a text of many tiny lines has more lines than expected).
func (t *countTable) grow() {
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	t.shift--
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.key == 0 {
			continue
		}
		i := t.index(s.key)
		for t.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// index spreads a key over the table by Fibonacci hashing (the high bits of
// key × 2^64/φ), so keys that differ only in low bits still scatter.
func (t *countTable) index(key uint64) uint64 { return (key * 0x9e3779b97f4a7c15) >> t.shift }

// add counts one occurrence of key seen at position idx and returns the
// count after adding (1 means first sighting) and the key's first position.
func (t *countTable) add(key uint64, idx int32) (count, first int32) {
	if key == 0 {
		key = 1
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.index(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			s.count++
			return s.count, s.first
		}
		if s.key == 0 {
			*s = slot{key: key, count: 1, first: idx}
			if t.used++; 2*t.used > len(t.slots) {
				t.grow()
			}
			return 1, idx
		}
	}
}

// seen reports whether key was inserted before, inserting it if not.
func (t *countTable) seen(key uint64) bool {
	if key == 0 {
		key = 1
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.index(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			return true
		}
		if s.key == 0 {
			s.key = key
			if t.used++; 2*t.used > len(t.slots) {
				t.grow()
			}
			return false
		}
	}
}
