package filter

import "sync"

// countTable is an open-addressing hash table from a 64-bit key hash to a
// count and the index of its first occurrence. The repetition rules insert
// every line, paragraph and 2- to 10-gram of a document; Go maps cost 3-4x
// more per insert there, and the table is reused across documents through
// a sync.Pool, so a document costs no allocation once warmed up.
type countTable struct {
	keys  []uint64 // 0 marks an empty slot; real key 0 is stored as 1
	count []int32
	first []int32
	mask  uint64
	used  int
}

var tablePool = sync.Pool{New: func() any { return new(countTable) }}

func getTable(n int) *countTable {
	t := tablePool.Get().(*countTable)
	t.reset(n)
	return t
}

func putTable(t *countTable) {
	if len(t.keys) > 1<<22 {
		// Do not keep a huge table alive after one huge document.
		return
	}
	tablePool.Put(t)
}

// reset empties the table and sizes it for n keys at load ≤ 1/2.
func (t *countTable) reset(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(t.keys) >= size {
		t.keys = t.keys[:size]
		t.count = t.count[:size]
		t.first = t.first[:size]
		clear(t.keys)
	} else {
		t.keys = make([]uint64, size)
		t.count = make([]int32, size)
		t.first = make([]int32, size)
	}
	t.mask = uint64(size - 1)
	t.used = 0
}

// add counts one occurrence of key seen at position idx and returns the
// count after adding (1 means first sighting) and the key's first position.
func (t *countTable) add(key uint64, idx int32) (count, first int32) {
	if key == 0 {
		key = 1
	}
	i := key & t.mask
	for {
		k := t.keys[i]
		if k == key {
			t.count[i]++
			return t.count[i], t.first[i]
		}
		if k == 0 {
			t.keys[i] = key
			t.count[i] = 1
			t.first[i] = idx
			t.used++
			return 1, idx
		}
		i = (i + 1) & t.mask
	}
}

// has reports whether key is present.
func (t *countTable) has(key uint64) bool {
	if key == 0 {
		key = 1
	}
	i := key & t.mask
	for {
		k := t.keys[i]
		if k == key {
			return true
		}
		if k == 0 {
			return false
		}
		i = (i + 1) & t.mask
	}
}
