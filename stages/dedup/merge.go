package dedup

import (
	"container/heap"
	"io"
)

// Refs name documents across parts and runs in one uint64: this run's part
// index and row, or, with the top bit set, an earlier run's ("against")
// number, part index and row.
const (
	externalBit = 1 << 63
	maxParts    = 1 << 24
	maxAgainst  = 1 << 7
)

// Ref is a document of this run: part (plan order) and row.
func Ref(part int, row uint32) uint64 { return uint64(part)<<32 | uint64(row) }

// ExternalRef is a document of earlier run `run`.
func ExternalRef(run, part int, row uint32) uint64 {
	return externalBit | uint64(run)<<56 | uint64(part)<<32 | uint64(row)
}

// IsExternal reports a ref to an earlier run's document.
func IsExternal(ref uint64) bool { return ref&externalBit != 0 }

// SplitRef undoes Ref and ExternalRef.
func SplitRef(ref uint64) (run, part int, row uint32) {
	if IsExternal(ref) {
		return int(ref>>56) & (maxAgainst - 1), int(ref>>32) & (maxParts - 1), uint32(ref)
	}
	return -1, int(ref >> 32), uint32(ref)
}

// MaxParts and MaxAgainst bound what refs can name.
const (
	MaxParts   = maxParts
	MaxAgainst = maxAgainst
)

// Source is one part's entries of one (section, range), with the ref of
// the part's row 0.
type Source struct {
	Entries *EntryReader
	Base    uint64
	// Skip, when set, drops rows an earlier run removed: only what it
	// kept takes part.
	Skip func(row uint32) bool
	// Closer is closed by whoever opened the source; Merge ignores it.
	Closer io.Closer
}

type mergeItem struct {
	e   Entry
	ref uint64
	src int
}

type mergeHeap []mergeItem

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].e.Key != h[j].e.Key {
		return h[i].e.Key.Less(h[j].e.Key)
	}
	return h[i].ref < h[j].ref
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeItem)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// MergeStats counts what a merge saw.
type MergeStats struct {
	Entries, Pairs int64
}

// Merge reads every source in key order and, for each run of equal keys,
// emits (first, other) for every other document of the run: a star that
// union–find turns into the same cluster as all pairs would, with one edge
// per document instead of n². Pairs of two earlier-run documents are not
// emitted: earlier runs are never changed. Memory is one entry per source.
func Merge(srcs []Source, emit func(a, b uint64) error) (MergeStats, error) {
	var st MergeStats
	h := make(mergeHeap, 0, len(srcs))
	next := func(i int) error {
		for {
			e, err := srcs[i].Entries.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if srcs[i].Skip != nil && srcs[i].Skip(e.Row) {
				continue
			}
			st.Entries++
			heap.Push(&h, mergeItem{e: e, ref: srcs[i].Base | uint64(e.Row), src: i})
			return nil
		}
	}
	for i := range srcs {
		if srcs[i].Entries == nil || srcs[i].Entries.r == nil {
			continue
		}
		if err := next(i); err != nil {
			return st, err
		}
	}
	var cur Key
	var first uint64
	have := false
	for h.Len() > 0 {
		it := heap.Pop(&h).(mergeItem)
		if err := next(it.src); err != nil {
			return st, err
		}
		if !have || it.e.Key != cur {
			cur, first, have = it.e.Key, it.ref, true
			continue
		}
		if it.ref == first || (IsExternal(first) && IsExternal(it.ref)) {
			continue
		}
		st.Pairs++
		if err := emit(first, it.ref); err != nil {
			return st, err
		}
	}
	return st, nil
}
