package dedup

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"os"
	"slices"

	"golang.org/x/text/unicode/norm"
)

// MaxEvalSets bounds the evaluation sets of one index: a set is one bit
// of an n-gram's mask.
const MaxEvalSets = 64

// EvalSetInfo counts what one evaluation set put in the index.
type EvalSetInfo struct {
	Name string `json:"name"`
	// Items were read; Short of them have fewer words than the n-gram
	// length and so cannot be matched (GPT-3 treated them the same way).
	Items  int64 `json:"items"`
	Short  int64 `json:"short"`
	Ngrams int64 `json:"ngrams"`
}

// EvalIndexBuilder gathers the n-grams of evaluation items.
type EvalIndexBuilder struct {
	g     *Ngrammer
	sets  []EvalSetInfo
	grams map[uint64]uint64
}

// NewEvalIndexBuilder collects n-grams of n words.
func NewEvalIndexBuilder(n int) *EvalIndexBuilder {
	return &EvalIndexBuilder{g: NewNgrammer(n), grams: map[uint64]uint64{}}
}

// AddSet starts a set; its items follow with Add.
func (b *EvalIndexBuilder) AddSet(name string) error {
	if len(b.sets) == MaxEvalSets {
		return fmt.Errorf("at most %d evaluation sets", MaxEvalSets)
	}
	b.sets = append(b.sets, EvalSetInfo{Name: name})
	return nil
}

// Add indexes one item of the last set. The item is put in NFC, as
// curate's documents are at ingest, so a decomposed accent in an
// evaluation file still matches.
func (b *EvalIndexBuilder) Add(text string) {
	text = norm.NFC.String(text)
	si := len(b.sets) - 1
	set := &b.sets[si]
	set.Items++
	found := false
	b.g.Each(text, func(h uint64, _, _ int) bool {
		found = true
		if b.grams[h]&(1<<si) == 0 {
			set.Ngrams++
		}
		b.grams[h] |= 1 << si
		return true
	})
	if !found {
		set.Short++
	}
}

// Sets are the counts so far.
func (b *EvalIndexBuilder) Sets() []EvalSetInfo { return b.sets }

const evalMagic = "CUREVAL1"

// WriteTo writes the index: header, sets, then (hash, mask) pairs sorted
// by hash, so the bytes depend on the items only.
func (b *EvalIndexBuilder) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	put := func(p []byte) { m, _ := bw.Write(p); n += int64(m) }
	uv := func(v uint64) { put(binary.AppendUvarint(nil, v)) }
	put([]byte(evalMagic))
	uv(uint64(b.g.N()))
	uv(uint64(len(b.sets)))
	for _, s := range b.sets {
		uv(uint64(len(s.Name)))
		put([]byte(s.Name))
		uv(uint64(s.Items))
		uv(uint64(s.Short))
		uv(uint64(s.Ngrams))
	}
	keys := make([]uint64, 0, len(b.grams))
	for h := range b.grams {
		keys = append(keys, h)
	}
	slices.Sort(keys)
	uv(uint64(len(keys)))
	var e [16]byte
	for _, h := range keys {
		binary.LittleEndian.PutUint64(e[:8], h)
		binary.LittleEndian.PutUint64(e[8:], b.grams[h])
		put(e[:])
	}
	return n, bw.Flush()
}

// EvalIndex answers which evaluation sets an n-gram occurs in. Memory:
// an open-addressed table of at least twice the n-grams (16 bytes a slot,
// so 32-64 bytes per n-gram) behind a bit filter of 2-4 bytes per n-gram
// that turns away almost every corpus n-gram before the table is touched.
type EvalIndex struct {
	N      int
	Sets   []EvalSetInfo
	count  int
	keys   []uint64
	masks  []uint64 // 0: empty slot (every stored mask has a bit)
	filter []uint64
	shift  uint
}

// ReadEvalIndex loads an index file, naming the file and offset of any
// damage.
func ReadEvalIndex(path string) (*EvalIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var off int64
	fail := func(what string, err error) (*EvalIndex, error) {
		return nil, fmt.Errorf("%s: offset %d: %s: %v", path, off, what, err)
	}
	uv := func() (uint64, error) {
		v, err := binary.ReadUvarint(r)
		off += int64(uvarintLen(v))
		return v, err
	}
	magic := make([]byte, len(evalMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != evalMagic {
		return fail("not an evaluation index", err)
	}
	off += int64(len(magic))
	x := &EvalIndex{}
	n, err := uv()
	if err != nil || n == 0 || n > 1000 {
		return fail("n-gram length", err)
	}
	x.N = int(n)
	ns, err := uv()
	if err != nil || ns > MaxEvalSets {
		return fail("set count", err)
	}
	for range ns {
		var s EvalSetInfo
		l, err := uv()
		if err != nil || l > 4096 {
			return fail("set name", err)
		}
		name := make([]byte, l)
		if _, err := io.ReadFull(r, name); err != nil {
			return fail("set name", err)
		}
		off += int64(l)
		s.Name = string(name)
		var v [3]uint64
		for i := range v {
			if v[i], err = uv(); err != nil {
				return fail("set counts", err)
			}
		}
		s.Items, s.Short, s.Ngrams = int64(v[0]), int64(v[1]), int64(v[2])
		x.Sets = append(x.Sets, s)
	}
	count, err := uv()
	if err != nil || count > 1<<32 {
		return fail("n-gram count", err)
	}
	slots := 1 << bits.Len64(uint64(max(count, 4))*2-1)
	x.count = int(count)
	x.keys = make([]uint64, slots)
	x.masks = make([]uint64, slots)
	// The filter has at least 16 bits per n-gram: about 1 in 16 corpus
	// n-grams is looked up in the table. It indexes by the top bits, the
	// table by the low ones.
	fbits := bits.Len64(uint64(max(count, 4)) * 16)
	x.filter = make([]uint64, 1<<fbits/64+1)
	x.shift = uint(64 - fbits)
	var e [16]byte
	var prev uint64
	for i := range count {
		if _, err := io.ReadFull(r, e[:]); err != nil {
			return fail(fmt.Sprintf("n-gram %d of %d", i, count), err)
		}
		off += 16
		h, m := binary.LittleEndian.Uint64(e[:8]), binary.LittleEndian.Uint64(e[8:])
		if i > 0 && h <= prev || m == 0 {
			return fail("n-grams", fmt.Errorf("not sorted or empty mask at %d", i))
		}
		prev = h
		j := h & uint64(slots-1)
		for x.masks[j] != 0 {
			j = (j + 1) & uint64(slots-1)
		}
		x.keys[j], x.masks[j] = h, m
		b := h >> x.shift
		x.filter[b/64] |= 1 << (b % 64)
	}
	return x, nil
}

// Ngrams is how many distinct n-grams the index holds.
func (x *EvalIndex) Ngrams() int { return x.count }

// Lookup returns the mask of sets holding n-gram h (0: none).
func (x *EvalIndex) Lookup(h uint64) uint64 {
	b := h >> x.shift
	if x.filter[b/64]&(1<<(b%64)) == 0 {
		return 0
	}
	mask := uint64(len(x.keys) - 1)
	for j := h & mask; x.masks[j] != 0; j = (j + 1) & mask {
		if x.keys[j] == h {
			return x.masks[j]
		}
	}
	return 0
}

// Span is a byte range of a text and the evaluation sets it matched.
type Span struct {
	Start, End int
	Sets       uint64
}

// Matches returns the text's spans that overlap the index: overlapping
// or touching matched n-grams merge into one span, from the first word's
// start to the last word's end. g must have the index's n.
func (x *EvalIndex) Matches(g *Ngrammer, text string, dst []Span) []Span {
	dst = dst[:0]
	g.Each(text, func(h uint64, start, end int) bool {
		m := x.Lookup(h)
		if m == 0 {
			return true
		}
		if k := len(dst) - 1; k >= 0 && start <= dst[k].End {
			dst[k].End = max(dst[k].End, end)
			dst[k].Sets |= m
			return true
		}
		dst = append(dst, Span{start, end, m})
		return true
	})
	return dst
}

// SetsOf lists the set numbers in a mask, lowest first.
func SetsOf(mask uint64) []int {
	var out []int
	for mask != 0 {
		i := bits.TrailingZeros64(mask)
		out = append(out, i)
		mask &^= 1 << i
	}
	return out
}
