package langid

import (
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"

	"github.com/pemistahl/lingua-go"
)

// maxGroup is the most languages one script's short-text tables hold: a
// record names its languages by a 64-bit mask. (Latin has 49 of lingua's
// 75; TestShortGroupsFit guards a lingua upgrade.)
const maxGroup = 64

// shortModels holds the 4- and 5-gram tables of the languages of one
// script, for texts under 120 letters. They are most of lingua's model
// bytes, and a run may never see a short text in a given script, so each
// script's pair is loaded on first use: once, whoever asks first, while
// other goroutines asking wait.
//
// A table is a compact index from the n-gram's key to its record in recs:
// a 64-bit mask of the languages that know the n-gram (bit i: langs[i]),
// then their log probabilities in that order, as float32 bits. The mask and
// the probabilities share a cache line, and a lookup learns which
// candidates know the n-gram without reading a per-entry language column.
type shortModels struct {
	langs []lingua.Language
	cols  []uint8 // dense column of each language: cols[0]+i, the script's languages are contiguous
	once  sync.Once
	index [2]compactIndex // 4-grams, 5-grams: key -> offset<<countBits | entries of its record
	recs  [2][]uint32
	count int // entries (language, n-gram)
	err   error
}

// get loads the tables on first use.
func (sm *shortModels) get() error {
	sm.once.Do(func() {
		if err := sm.load(); err != nil {
			sm.err, sm.index, sm.recs = err, [2]compactIndex{}, [2][]uint32{}
		}
	})
	return sm.err
}

func (sm *shortModels) load() error {
	if len(sm.langs) > maxGroup {
		return fmt.Errorf("langid: %d languages share a script, the short-text tables hold at most %d", len(sm.langs), maxGroup)
	}
	for i, c := range sm.cols {
		if int(c) != int(sm.cols[0])+i {
			return fmt.Errorf("langid: the dense columns of %v are not contiguous", sm.langs)
		}
	}
	local := make([]uint8, len(sm.langs)) // entries name languages by index
	for i := range local {
		local[i] = uint8(i)
	}
	for o := range 2 {
		var tab table
		n, err := loadTable(&tab, sm.langs, local, 4+o)
		if err != nil {
			return err
		}
		if sm.index[o], sm.recs[o], err = records(&tab); err != nil {
			return fmt.Errorf("langid: %d-gram table: %w", 4+o, err)
		}
		sm.count += n
		hugePages(sm.index[o].slots)
		hugePages(sm.recs[o])
		runtime.GC() // the merged table's garbage before the next order's peak
	}
	return nil
}

// records turns a merged table whose entries name languages by index into
// a compact index and records. A language listed twice for a key (no
// lingua model does that) keeps its last probability, as a lookup of the
// merged table would.
func records(tab *table) (compactIndex, []uint32, error) {
	keys := 0
	for _, s := range tab.index.slots {
		if s.val != 0 {
			keys++
		}
	}
	recs := make([]uint32, 0, 2*keys+len(tab.logp))
	var lps [maxGroup]float32
	for j := range tab.index.slots {
		s := &tab.index.slots[j]
		if s.val == 0 {
			continue
		}
		lp, cs := tab.entriesOf(s.val)
		var mask uint64
		for k, c := range cs {
			mask |= 1 << c
			lps[c] = lp[k]
		}
		off := len(recs)
		recs = append(recs, uint32(mask), uint32(mask>>32))
		for m := mask; m != 0; m &= m - 1 {
			recs = append(recs, math.Float32bits(lps[bits.TrailingZeros64(m)]))
		}
		if off >= 1<<(32-countBits) {
			return compactIndex{}, nil, fmt.Errorf("%d record words do not fit a 32-bit index value", len(recs))
		}
		s.val = uint64(off)<<countBits | uint64(bits.OnesCount64(mask))
	}
	tab.logp, tab.cols = nil, nil
	c, ok := compactOf(&tab.index)
	if !ok {
		return compactIndex{}, nil, fmt.Errorf("too large for its compact index")
	}
	tab.index = hashIndex{}
	return c, recs, nil
}

// countBits is the low bits of an index value that hold the record's
// entry count (1..maxGroup, so a value is never 0); the offset is above.
// The count is there so that the record's cache lines can be fetched
// before the record is read.
const countBits = 7

// record returns the mask and log probabilities (float32 bits) of the
// record an index value of order o+4 points at (none for 0).
func (sm *shortModels) record(o int, v uint64) (uint64, []uint32) {
	if v == 0 {
		return 0, nil
	}
	off, n := v>>countBits, v&(1<<countBits-1)
	r := sm.recs[o][off : off+2+n]
	return uint64(r[0]) | uint64(r[1])<<32, r[2:]
}
