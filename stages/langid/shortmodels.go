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
// record names its languages by a 64-bit mask, an index value one language
// in 6 bits. (Latin has 49 of lingua's 75; TestShortGroupsFit guards a
// lingua upgrade.)
const maxGroup = 63

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
// Most keys (two thirds of the Latin 5-grams) are known by one language:
// their index value names it and the record is the probability alone.
type shortModels struct {
	langs []lingua.Language
	cols  []uint8 // dense column of each language: cols[0]+i, the script's languages are contiguous
	once  sync.Once
	index [2]compactIndex // 4-grams, 5-grams: key -> offset<<valueBits | what the record holds (see record)
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

// load builds both tables (get runs it once).
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
	words := 0 // sized exactly: the records are most of the tables' memory
	for _, s := range tab.index.slots {
		if s.val != 0 {
			_, cs := tab.entriesOf(s.val)
			if n := bits.OnesCount64(maskOf(cs)); n == 1 {
				words++
			} else {
				words += 2 + n
			}
		}
	}
	recs := make([]uint32, 0, words)
	var lps [maxGroup]float32
	for j := range tab.index.slots {
		s := &tab.index.slots[j]
		if s.val == 0 {
			continue
		}
		lp, cs := tab.entriesOf(s.val)
		mask := maskOf(cs)
		for k, c := range cs {
			lps[c] = lp[k]
		}
		off := len(recs)
		if off >= 1<<(32-valueBits) {
			return compactIndex{}, nil, fmt.Errorf("%d record words do not fit a 32-bit index value", len(recs))
		}
		n := bits.OnesCount64(mask)
		if n == 1 {
			b := bits.TrailingZeros64(mask)
			recs = append(recs, math.Float32bits(lps[b]))
			s.val = uint64(off)<<valueBits | oneLanguage | uint64(b)
			continue
		}
		s.val = uint64(off)<<valueBits | uint64(n)
		recs = append(recs, uint32(mask), uint32(mask>>32))
		for m := mask; m != 0; m &= m - 1 {
			recs = append(recs, math.Float32bits(lps[bits.TrailingZeros64(m)]))
		}
	}
	tab.logp, tab.cols = nil, nil
	c, ok := compactOf(&tab.index)
	if !ok {
		return compactIndex{}, nil, fmt.Errorf("too large for its compact index")
	}
	tab.index = hashIndex{}
	return c, recs, nil
}

// valueBits is the low bits of an index value that say what its record
// holds: oneLanguage plus the language's index (the record is its
// probability), or the number of entries, 2..maxGroup (the record is the
// mask and the probabilities). A value is never 0. The offset of the record
// is above them. The index value says how long the record is, so its cache
// lines can be fetched before it is read.
const (
	valueBits   = 7
	oneLanguage = 1 << (valueBits - 1)
)

// recordSpan returns the first and last word of the record an index value
// (not 0) points at.
func recordSpan(v uint64) (first, last uint64) {
	off, low := v>>valueBits, v&(1<<valueBits-1)
	if low&oneLanguage != 0 {
		return off, off
	}
	return off, off + 1 + low
}

// maskOf returns the set of languages cs names.
func maskOf(cs []uint8) uint64 {
	var m uint64
	for _, c := range cs {
		m |= 1 << c
	}
	return m
}

// record returns the mask and log probabilities (float32 bits) of the
// record an index value of order o+4 points at (none for 0).
func (sm *shortModels) record(o int, v uint64) (uint64, []uint32) {
	if v == 0 {
		return 0, nil
	}
	off, low := v>>valueBits, v&(1<<valueBits-1)
	if low&oneLanguage != 0 {
		return 1 << (low &^ oneLanguage), sm.recs[o][off : off+1]
	}
	r := sm.recs[o][off : off+2+low]
	return uint64(r[0]) | uint64(r[1])<<32, r[2:]
}
