package langid

import (
	"math"
	"math/bits"
	"slices"

	"github.com/pemistahl/lingua-go"
)

// shortScratch is scoreShort's working memory, by n-gram order and by the
// position (index into scratch.runes) where an n-gram starts. Only
// positions where an n-gram of that order fits in its word are written and
// read, so nothing needs clearing between windows.
type shortScratch struct {
	groups []*shortModels     // script tables of the candidates
	keyAt  [maxOrder][]uint64 // table key of the n-gram of order o+1
	rowAt  [3][][]float32     // resolved dense row of orders 1-3 (nil: none)
	vals   []uint64           // 4- and 5-gram index values, by group, order, position
	first  []uint8            // bit n-3 set: the n-gram of order n (3-5) occurs here first
	isCol  [numLang]bool      // the candidates' dense columns
	cand   []uint64           // by group: the candidates among its languages, as a record mask
	sink   uint64             // sum of the prefetching loads (stored, so they are not dropped)
	uni    [numLang]int32     // distinct unigrams each dense column knows
}

// resize returns s with length n, reallocated only when it is too short.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// scoreShort is lingua's high-accuracy mode for texts under 120 letters:
// for each order 1..5 it sums the log probabilities of the distinct n-grams
// (each falling back to its shorter prefixes for a language that lacks it),
// adds the orders up, divides by the number of distinct unigrams the
// language knows, and takes the softmax. (lingua's own unigram count has a
// slip that credits Afrikaans with the counts of languages lacking unigram
// probabilities; that is not copied.) Orders 1 to 3 read the dense rows,
// which hold that fallback already resolved; 4- and 5-grams look up the
// candidates' script tables, loaded on first use, and fall back to their
// prefixes there and then to the dense trigram row. It reports false, and
// scores nothing, when the script tables cannot be loaded.
//
// The cost is memory latency: a window's ~5x its letters n-grams are looked
// up in tables of hundreds of MB, and nearly every lookup misses the cache.
// So the work runs in passes over the whole window: every key, then the
// first index slot of every lookup (loads that depend on nothing loaded
// before them, so the processor keeps many misses in flight), then the
// lookups themselves (now in cache), then the rows and entries they point
// at, and only then the arithmetic. A lookup's branches on a value still in
// flight used to stop the processor at every mispredicted one.
//
// The arithmetic uses that a 4-gram a language lacks takes the trigram row's
// value at the same position, and a 5-gram the 4-gram's: each position adds
// its trigram row once, times the number of orders 3-5 whose n-gram occurs
// there first, plus the few languages' 4- and 5-gram corrections, instead of
// one row per order.
func (t *Tagger) scoreShort(s *scratch, weight float64) bool {
	ss := &s.short
	ss.groups = ss.groups[:0]
	for _, l := range s.candList {
		sm := t.short[t.home[l]]
		if sm == nil || slices.Contains(ss.groups, sm) {
			continue
		}
		if err := sm.get(); err != nil {
			return false
		}
		ss.groups = append(ss.groups, sm)
	}
	d := t.dense
	s.cols = s.cols[:0]
	clear(ss.isCol[:d.cols])
	for _, l := range s.candList {
		if c := d.colOf[l]; c >= 0 {
			s.cols = append(s.cols, c)
			ss.isCol[c] = true
		}
	}
	slices.Sort(s.cols)
	ss.cand = ss.cand[:0]
	for _, sm := range ss.groups {
		var m uint64
		for i, c := range sm.cols {
			if ss.isCol[c] {
				m |= 1 << i
			}
		}
		ss.cand = append(ss.cand, m)
	}
	ss.lookUp(s, d)
	acc := s.colSum[:d.cols]
	clear(acc)
	uni := ss.addOrders(s, d, acc)
	for _, l := range s.candList {
		s.sum[l], s.keep[l] = 0, false
		c := d.colOf[l]
		if c < 0 || acc[c] >= 0 {
			continue // no n-gram found: lingua leaves the language out
		}
		s.sum[l], s.keep[l] = acc[c], true
		if uni[c] > 0 {
			s.sum[l] /= float64(uni[c])
		}
	}
	t.addSoftmax(s, &s.sum, weight, func(l lingua.Language) bool { return s.keep[l] })
	return true
}

// lookUp fills keyAt, rowAt and vals for the window in s, in the passes
// scoreShort describes.
func (ss *shortScratch) lookUp(s *scratch, d *dense) {
	nr := len(s.runes)
	for o := range ss.keyAt {
		ss.keyAt[o] = resize(ss.keyAt[o], nr)
	}
	// Keys: runes packed up to trigrams, the hash beyond (key), each
	// order's computed from the one below.
	for _, wd := range s.words {
		rs := s.runes[wd[0]:wd[1]]
		for i := range rs {
			p := int(wd[0]) + i
			k, h := uint64(0), uint64(hashSeed)
			for n := 1; n <= maxOrder && i+n <= len(rs); n++ {
				r := rs[i+n-1]
				h = hashStep(h, r)
				if n <= 3 {
					k = k<<21 | uint64(r)
					ss.keyAt[n-1][p] = k
				} else {
					ss.keyAt[n-1][p] = h
				}
			}
		}
	}
	// First slots, with no branch on what they load.
	sink := ss.sink
	for n := 1; n <= 3; n++ {
		ix, ks := &d.rows[n-1], ss.keyAt[n-1]
		for _, wd := range s.words {
			for i := wd[0]; i+int32(n) <= wd[1]; i++ {
				sink += ix.slots[ix.home(ks[i])].key
			}
		}
	}
	for _, sm := range ss.groups {
		for o := range 2 {
			ix, ks, n := &sm.index[o], ss.keyAt[3+o], int32(4+o)
			if len(ix.slots) == 0 {
				continue
			}
			for _, wd := range s.words {
				for i := wd[0]; i+n <= wd[1]; i++ {
					sink += ix.slots[ix.home(ks[i])]
				}
			}
		}
	}
	// The lookups.
	for n := 1; n <= 3; n++ {
		at, ks := resize(ss.rowAt[n-1], nr), ss.keyAt[n-1]
		ss.rowAt[n-1] = at
		for _, wd := range s.words {
			for i := wd[0]; i+int32(n) <= wd[1]; i++ {
				k := ks[i]
				row := d.row(n-1, k)
				for m := n - 1; row == nil && m >= 1; m-- {
					row = d.row(m-1, k>>(21*(n-m)))
				}
				at[i] = row
			}
		}
	}
	ng := len(ss.groups)
	ss.vals = resize(ss.vals, 2*ng*nr)
	for g, sm := range ss.groups {
		for o := range 2 {
			v, ks, n := ss.vals[(2*g+o)*nr:(2*g+o+1)*nr], ss.keyAt[3+o], int32(4+o)
			for _, wd := range s.words {
				for i := wd[0]; i+n <= wd[1]; i++ {
					v[i] = sm.index[o].get(ks[i])
				}
			}
		}
	}
	// What the lookups point at: the candidates' part of each row (a cache
	// line is 16 columns) and each key's entries.
	if len(s.cols) > 0 {
		c0, c1 := int(s.cols[0]), int(s.cols[len(s.cols)-1])
		for n := 1; n <= 3; n++ {
			at := ss.rowAt[n-1]
			for _, wd := range s.words {
				for i := wd[0]; i+int32(n) <= wd[1]; i++ {
					if row := at[i]; row != nil {
						for c := c0; c < c1; c += 16 {
							sink += uint64(math.Float32bits(row[c]))
						}
						sink += uint64(math.Float32bits(row[c1]))
					}
				}
			}
		}
	}
	for g, sm := range ss.groups {
		for o := range 2 {
			recs, v, n := sm.recs[o], ss.vals[(2*g+o)*nr:(2*g+o+1)*nr], int32(4+o)
			for _, wd := range s.words {
				for i := wd[0]; i+n <= wd[1]; i++ {
					if x := v[i]; x != 0 {
						// Every cache line of the record (16 words).
						off, end := recordSpan(x)
						for j := off; j < end; j += 16 {
							sink += uint64(recs[j])
						}
						sink += uint64(recs[end])
					}
				}
			}
		}
	}
	ss.sink = sink
}

// addOrders adds to acc, by dense column, every order's sum over the
// window's distinct n-grams, and returns by column the number of distinct
// unigrams the language knows.
func (ss *shortScratch) addOrders(s *scratch, d *dense, acc []float64) *[numLang]int32 {
	lo, hi := 0, 0 // the candidates' columns are lo..hi-1 when contiguous
	if n := len(s.cols); n > 0 && int(s.cols[n-1]-s.cols[0]) == n-1 {
		lo, hi = int(s.cols[0]), int(s.cols[n-1])+1
	}
	// add adds m times the candidates' columns of row to acc.
	add := func(row []float32, m float64) {
		switch {
		case hi > lo && m == 1:
			addFloats(acc[lo:hi], row[lo:hi])
		case hi > lo:
			addScaled(acc[lo:hi], row[lo:hi], m)
		default:
			for _, c := range s.cols {
				acc[c] += float64(float64(row[c]) * m)
			}
		}
	}
	nr := len(s.runes)
	uni := &ss.uni
	clear(uni[:])
	for n := 1; n <= 2; n++ {
		seen, ks, at := s.newSet(nr), ss.keyAt[n-1], ss.rowAt[n-1]
		for _, wd := range s.words {
			for i := wd[0]; i+int32(n) <= wd[1]; i++ {
				row := at[i]
				if !seen.add(ks[i]) || row == nil {
					continue // lingua counts each distinct n-gram once
				}
				add(row, 1)
				if n == 1 {
					for _, c := range s.cols {
						if row[c] != 0 {
							uni[c]++
						}
					}
				}
			}
		}
	}
	ss.first = resize(ss.first, nr)
	first := ss.first
	for _, wd := range s.words {
		clear(first[wd[0]:wd[1]])
	}
	for n := 3; n <= maxOrder; n++ {
		seen, ks := s.newSet(nr), ss.keyAt[n-1]
		for _, wd := range s.words {
			for i := wd[0]; i+int32(n) <= wd[1]; i++ {
				if seen.add(ks[i]) {
					first[i] |= 1 << (n - 3)
				}
			}
		}
	}
	// Orders 3-5. At a position, the trigram adds its row, the 4-gram the
	// same row with the columns of the languages that know the 4-gram
	// replaced by its probability, the 5-gram that 4-gram row with the
	// 5-gram's languages' columns replaced in turn.
	row3, vals := ss.rowAt[2], ss.vals
	for _, wd := range s.words {
		for i := wd[0]; i+3 <= wd[1]; i++ {
			f := first[i]
			if f == 0 {
				continue
			}
			row := row3[i]
			if row != nil {
				add(row, float64(bits.OnesCount8(f)))
			}
			if f < 2 {
				continue // neither the 4- nor the 5-gram counts here
			}
			m := float64(bits.OnesCount8(f >> 1)) // the 4-gram's row counts for both
			for g, sm := range ss.groups {
				cm, base := ss.cand[g], int(sm.cols[0])
				m4, lp4 := sm.record(0, vals[2*g*nr+int(i)])
				for x := m4 & cm; x != 0; x &= x - 1 {
					b := bits.TrailingZeros64(x)
					c, lp := base+b, math.Float32frombits(lp4[bits.OnesCount64(m4&(1<<b-1))])
					var r3 float64
					if row != nil {
						r3 = float64(row[c])
					}
					acc[c] += float64(m * (float64(lp) - r3))
				}
				if f&4 == 0 {
					continue
				}
				m5, lp5 := sm.record(1, vals[(2*g+1)*nr+int(i)])
				for x := m5 & cm; x != 0; x &= x - 1 {
					b := bits.TrailingZeros64(x)
					c, lp := base+b, math.Float32frombits(lp5[bits.OnesCount64(m5&(1<<b-1))])
					var r4 float32 // the 4-gram's value, its fallback's when absent
					switch {
					case m4&(1<<b) != 0:
						r4 = math.Float32frombits(lp4[bits.OnesCount64(m4&(1<<b-1))])
					case row != nil:
						r4 = row[c]
					}
					acc[c] += float64(lp) - float64(r4)
				}
			}
		}
	}
	return uni
}

// addFloats adds r to a element by element (len(a) >= len(r)), four at a
// time: this loop over up to 49 candidate languages, once per n-gram, is
// most of the arithmetic of scoring a short text.
func addFloats(a []float64, r []float32) {
	a = a[:len(r)]
	j := 0
	for ; j+4 <= len(r); j += 4 {
		a4, r4 := a[j:j+4:j+4], r[j:j+4:j+4]
		a4[0] += float64(r4[0])
		a4[1] += float64(r4[1])
		a4[2] += float64(r4[2])
		a4[3] += float64(r4[3])
	}
	for ; j < len(r); j++ {
		a[j] += float64(r[j])
	}
}

// addScaled adds m times r to a, as addFloats. (The conversions keep the
// compiler from fusing the multiply and add, which some GOAMD64 levels
// would, so every build gives the same sums.)
func addScaled(a []float64, r []float32, m float64) {
	a = a[:len(r)]
	j := 0
	for ; j+4 <= len(r); j += 4 {
		a4, r4 := a[j:j+4:j+4], r[j:j+4:j+4]
		a4[0] += float64(float64(r4[0]) * m)
		a4[1] += float64(float64(r4[1]) * m)
		a4[2] += float64(float64(r4[2]) * m)
		a4[3] += float64(float64(r4[3]) * m)
	}
	for ; j < len(r); j++ {
		a[j] += float64(float64(r[j]) * m)
	}
}
