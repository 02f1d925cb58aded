package bpe

import (
	"container/heap"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Special is a special token: text that is never produced by ordinary
// encoding, only by EncodeWithSpecial or by inserting its id directly.
type Special struct {
	Text string
	ID   uint32
}

// Tokenizer is a byte-level BPE vocabulary with its split pattern. It encodes
// with tiktoken's semantics: split by the pattern, look each piece up whole,
// and otherwise merge its bytes by lowest rank. A token's rank is its id.
// A Tokenizer is immutable after construction and safe for concurrent use.
type Tokenizer struct {
	pattern  Pattern
	split    func(string) int
	ranks    map[string]uint32 // ordinary token bytes -> id
	vocab    []string          // id -> bytes; "" for an unused id
	isSpec   []bool            // id -> is a special token
	specials []Special         // sorted by id
	eot      uint32
	hasEOT   bool
	// byteRank and pairRank answer the commonest lookups of merging, one-
	// and two-byte strings, from arrays instead of the map (noRank: absent).
	byteRank [256]uint32
	pairRank []uint32 // 65536 entries, index b0<<8|b1
	table    *tokTable
}

// NewTokenizer builds a tokenizer from ordinary tokens (index = id; "" marks
// an unused id) and special tokens. Every single byte must be a token, so any
// byte string can be encoded. eot names the end-of-text special ("" for
// none).
func NewTokenizer(p Pattern, tokens []string, specials []Special, eot string) (*Tokenizer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n := len(tokens)
	for _, s := range specials {
		if int(s.ID) >= n {
			n = int(s.ID) + 1
		}
	}
	if n > math.MaxUint32 {
		return nil, fmt.Errorf("vocabulary of %d ids is too large", n)
	}
	t := &Tokenizer{
		pattern: p,
		split:   p.splitter(),
		ranks:   make(map[string]uint32, len(tokens)),
		vocab:   make([]string, n),
		isSpec:  make([]bool, n),
	}
	for id, tok := range tokens {
		if tok == "" {
			continue
		}
		if prev, dup := t.ranks[tok]; dup {
			return nil, fmt.Errorf("token %q has two ids, %d and %d", tok, prev, id)
		}
		t.ranks[tok] = uint32(id)
		t.vocab[id] = tok
	}
	for b := 0; b < 256; b++ {
		r, ok := t.ranks[string([]byte{byte(b)})]
		if !ok {
			return nil, fmt.Errorf("byte 0x%02x is not a token: a byte-level vocabulary needs all 256", b)
		}
		t.byteRank[b] = r
	}
	t.table = newTokTable(t.ranks)
	t.pairRank = make([]uint32, 1<<16)
	for i := range t.pairRank {
		t.pairRank[i] = noRank
		if r, ok := t.ranks[string([]byte{byte(i >> 8), byte(i)})]; ok {
			t.pairRank[i] = r
		}
	}
	for _, s := range specials {
		if s.Text == "" {
			return nil, fmt.Errorf("special token with id %d has empty text", s.ID)
		}
		if t.vocab[s.ID] != "" {
			return nil, fmt.Errorf("special token %q: id %d already belongs to %q", s.Text, s.ID, t.vocab[s.ID])
		}
		t.vocab[s.ID] = s.Text
		t.isSpec[s.ID] = true
		t.specials = append(t.specials, s)
		if s.Text == eot {
			t.eot, t.hasEOT = s.ID, true
		}
	}
	sort.Slice(t.specials, func(i, j int) bool { return t.specials[i].ID < t.specials[j].ID })
	if eot != "" && !t.hasEOT {
		return nil, fmt.Errorf("end-of-text token %q is not among the special tokens", eot)
	}
	return t, nil
}

// Pattern returns the split pattern.
func (t *Tokenizer) Pattern() Pattern { return t.pattern }

// NVocab returns the number of ids (highest id + 1, specials included).
func (t *Tokenizer) NVocab() int { return len(t.vocab) }

// Specials returns the special tokens, sorted by id.
func (t *Tokenizer) Specials() []Special { return append([]Special(nil), t.specials...) }

// EOT returns the end-of-text id. It panics if the tokenizer has none; use
// HasEOT first for external vocabularies.
func (t *Tokenizer) EOT() uint32 {
	if !t.hasEOT {
		panic("bpe: tokenizer has no end-of-text token")
	}
	return t.eot
}

// HasEOT reports whether the tokenizer has an end-of-text token.
func (t *Tokenizer) HasEOT() bool { return t.hasEOT }

// Token returns the bytes of id and whether it is a special token.
func (t *Tokenizer) Token(id uint32) (string, bool, bool) {
	if int(id) >= len(t.vocab) || t.vocab[id] == "" {
		return "", false, false
	}
	return t.vocab[id], t.isSpec[id], true
}

// Encode appends the ids of text to dst and returns it. Text is ordinary:
// special-token text such as "<|endoftext|>" is encoded as plain bytes.
func (t *Tokenizer) Encode(text string, dst []uint32) []uint32 {
	var parts []part
	for len(text) > 0 {
		n := t.split(text)
		piece := text[:n]
		text = text[n:]
		switch n {
		case 1:
			dst = append(dst, t.byteRank[piece[0]])
			continue
		case 2:
			if r := t.pairRank[uint16(piece[0])<<8|uint16(piece[1])]; r != noRank {
				dst = append(dst, r)
				continue
			}
		default:
			if id := t.table.get(piece); id != noRank {
				dst = append(dst, id)
				continue
			}
		}
		dst, parts = t.mergePiece(piece, dst, parts)
	}
	return dst
}

// EncodeWithSpecial is Encode, but occurrences of special-token text become
// the special ids (tiktoken's allowed_special="all").
func (t *Tokenizer) EncodeWithSpecial(text string, dst []uint32) []uint32 {
	for len(text) > 0 {
		at, sp := -1, Special{}
		for _, s := range t.specials {
			if i := strings.Index(text, s.Text); i >= 0 && (at < 0 || i < at || (i == at && len(s.Text) > len(sp.Text))) {
				at, sp = i, s
			}
		}
		if at < 0 {
			return t.Encode(text, dst)
		}
		dst = t.Encode(text[:at], dst)
		dst = append(dst, sp.ID)
		text = text[at+len(sp.Text):]
	}
	return dst
}

// Decode appends the bytes of ids to dst. Special ids decode to their text.
// An id outside the vocabulary is an error.
func (t *Tokenizer) Decode(ids []uint32, dst []byte) ([]byte, error) {
	for i, id := range ids {
		if int(id) >= len(t.vocab) || t.vocab[id] == "" {
			return dst, fmt.Errorf("decode: id %d at position %d is not in the vocabulary (%d ids)", id, i, len(t.vocab))
		}
		dst = append(dst, t.vocab[id]...)
	}
	return dst, nil
}

// part is one current token of a piece being merged: it starts at start,
// tok is its id, and rank is the rank of it joined with its right neighbour
// (noRank if none).
type part struct {
	start int
	tok   uint32
	rank  uint32
}

const noRank = math.MaxUint32

// heapThreshold is the piece length above which merging uses a heap: the
// quadratic scan of tiktoken is faster for the short pieces of real text, but
// a megabyte-long piece (a run of one character) must not be quadratic.
const heapThreshold = 256

// rankOf returns the rank of s (noRank if it is not a token), from the
// arrays for one and two bytes.
func (t *Tokenizer) rankOf(s string) uint32 {
	switch len(s) {
	case 1:
		return t.byteRank[s[0]]
	case 2:
		return t.pairRank[uint16(s[0])<<8|uint16(s[1])]
	}
	return t.table.get(s)
}

// mergePiece appends the BPE of a piece that is not a token itself. It is
// tiktoken's byte_pair_merge: repeatedly join the adjacent pair whose joined
// bytes have the lowest rank, leftmost first among equals.
func (t *Tokenizer) mergePiece(piece string, dst []uint32, parts []part) ([]uint32, []part) {
	if len(piece) > heapThreshold {
		return t.mergeHeap(piece, dst), parts
	}
	parts = parts[:0]
	for i := 0; i < len(piece); i++ {
		r := uint32(noRank)
		if i+1 < len(piece) {
			r = t.pairRank[uint16(piece[i])<<8|uint16(piece[i+1])]
		}
		parts = append(parts, part{start: i, tok: t.byteRank[piece[i]], rank: r})
	}
	parts = append(parts, part{start: len(piece), rank: noRank})
	rankAt := func(i int) uint32 {
		// parts[i] joined with parts[i+1], i.e. bytes up to parts[i+2].
		if i+2 < len(parts) {
			return t.rankOf(piece[parts[i].start:parts[i+2].start])
		}
		return noRank
	}
	for len(parts) > 2 {
		minRank, minI := uint32(noRank), -1
		for i := 0; i+1 < len(parts); i++ {
			if parts[i].rank < minRank {
				minRank, minI = parts[i].rank, i
			}
		}
		if minI < 0 {
			break
		}
		parts[minI].tok = minRank
		parts = append(parts[:minI+1], parts[minI+2:]...)
		parts[minI].rank = rankAt(minI)
		if minI > 0 {
			parts[minI-1].rank = rankAt(minI - 1)
		}
	}
	for i := 0; i+1 < len(parts); i++ {
		dst = append(dst, parts[i].tok)
	}
	return dst, parts
}

// mergeHeap is mergePiece for long pieces: a doubly linked list of parts and
// a min-heap of candidate joins ordered by (rank, start), with stale entries
// skipped when popped. O(n log n).
func (t *Tokenizer) mergeHeap(piece string, dst []uint32) []uint32 {
	n := len(piece)
	// Parts are identified by their start byte; next/prev link live parts.
	next := make([]int32, n+1)
	prev := make([]int32, n+1)
	alive := make([]bool, n+1)
	for i := 0; i <= n; i++ {
		next[i] = int32(i + 1)
		prev[i] = int32(i - 1)
		alive[i] = true
	}
	h := &joinHeap{}
	push := func(a int) {
		if a < 0 || !alive[a] || a >= n {
			return
		}
		b := int(next[a])
		if b >= n {
			return
		}
		c := int(next[b])
		if r := t.rankOf(piece[a:c]); r != noRank {
			heap.Push(h, join{rank: r, start: int32(a), end: int32(c)})
		}
	}
	for i := 0; i < n; i++ {
		push(i)
	}
	for h.Len() > 0 {
		j := heap.Pop(h).(join)
		a := int(j.start)
		if !alive[a] {
			continue
		}
		b := int(next[a])
		if b >= n || int(next[b]) != int(j.end) {
			continue // stale: a's right neighbour changed since the push
		}
		// Join a and b: b dies.
		alive[b] = false
		next[a] = next[b]
		prev[next[b]] = int32(a)
		push(a)
		if p := int(prev[a]); p >= 0 {
			push(p)
		}
	}
	for a := 0; a < n; a = int(next[a]) {
		dst = append(dst, t.rankOf(piece[a:next[a]]))
	}
	return dst
}

type join struct {
	rank       uint32
	start, end int32
}

type joinHeap []join

func (h joinHeap) Len() int { return len(h) }
func (h joinHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].start < h[j].start
}
func (h joinHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *joinHeap) Push(x any)   { *h = append(*h, x.(join)) }
func (h *joinHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
