package bpe

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// batchBytes is how much text is counted per batch. Batch boundaries depend
// only on the input, never on the thread count, so pruning decisions (taken
// between batches) are the same whatever the parallelism.
const batchBytes = 8 << 20

// chunkBytes is the size of the units workers take from a batch. Long texts
// are cut only where a piece boundary is certain (see cutPoint), so counts are
// exactly those of the whole text.
const chunkBytes = 1 << 20

// TrainStats describes what the trainer saw and what it left out.
type TrainStats struct {
	Texts             int64 // texts accepted
	Bytes             int64 // bytes accepted (after the sample_bytes cut)
	Pretokens         int64 // pre-token occurrences counted
	SkippedLong       int64 // pre-token occurrences over max_pretoken_bytes, not counted
	Distinct          int   // distinct pre-tokens trained on
	PrunedDistinct    int64 // distinct pre-tokens pruned by max_distinct_pretokens
	PrunedOccurrences int64 // their occurrences
	Merges            int   // merges learned
	Duplicates        int   // merges whose bytes were already a token (no new id)
}

// Trainer learns a vocabulary from texts fed one at a time with Add; Finish
// runs the merges. Memory is bounded by the pre-token table (capped by
// max_distinct_pretokens) and two batches of text, not by the input size.
// A Trainer is not safe for concurrent use.
type Trainer struct {
	opts     Options
	split    func(string) int
	counts   *countTable
	locals   []*countTable // per-worker tables, reused across batches
	batch    []string
	batchLen int
	inflight sync.WaitGroup
	stats    TrainStats
	done     bool
}

// NewTrainer returns a trainer for opts.
func NewTrainer(opts Options) (*Trainer, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("bpe options: %w", err)
	}
	return &Trainer{opts: opts, split: opts.Pattern.splitter(), counts: newCountTable(1 << 16)}, nil
}

// Add feeds one text. It returns false once the sample_bytes budget is spent
// (the text that crossed it is cut at a character boundary); the caller can
// stop reading then.
func (t *Trainer) Add(text string) bool {
	if t.done {
		return false
	}
	if lim := t.opts.SampleBytes; lim > 0 {
		left := lim - t.stats.Bytes
		if left <= 0 {
			return false
		}
		if int64(len(text)) > left {
			cut := int(left)
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
			text = text[:cut]
		}
	}
	t.stats.Texts++
	t.stats.Bytes += int64(len(text))
	for len(text) > 0 {
		n := cutPoint(text, chunkBytes)
		t.batch = append(t.batch, text[:n])
		t.batchLen += n
		text = text[n:]
	}
	if t.batchLen >= batchBytes {
		t.flush()
	}
	return t.opts.SampleBytes <= 0 || t.stats.Bytes < t.opts.SampleBytes
}

// cutPoint returns a length <= about max at which s can be cut without
// changing its pre-tokenization under any supported pattern: just after a
// newline that is followed by a character that is not whitespace. No piece
// spans that point: pieces containing a newline are whitespace runs or end in
// newlines, and whitespace pieces stop before non-whitespace. If no such point
// is found within 64 KiB past max, s is cut at a character boundary (this
// only happens in texts without line structure).
func cutPoint(s string, max int) int {
	if len(s) <= max {
		return len(s)
	}
	limit := min(len(s), max+64<<10)
	for i := max; i < limit; i++ {
		if s[i-1] == '\n' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] < utf8.RuneSelf {
			return i
		}
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}

// flush counts the pending batch in the background; the previous batch must
// be merged into the table first.
func (t *Trainer) flush() {
	t.inflight.Wait()
	if len(t.batch) == 0 {
		return
	}
	batch := t.batch
	t.batch, t.batchLen = nil, 0
	t.inflight.Add(1)
	go func() {
		defer t.inflight.Done()
		t.countBatch(batch)
	}()
}

// countBatch counts the pre-tokens of a batch with local maps per worker,
// then adds them to the table and prunes it if it is over the cap.
func (t *Trainer) countBatch(batch []string) {
	workers := min(t.opts.threads(), len(batch))
	for len(t.locals) < workers {
		t.locals = append(t.locals, newCountTable(1<<15))
	}
	locals := t.locals[:workers]
	skipped := make([]int64, workers)
	occ := make([]int64, workers)
	var nextChunk atomic.Int64
	var wg sync.WaitGroup
	maxLen := t.opts.MaxPretokenBytes
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := locals[w]
			for {
				i := int(nextChunk.Add(1) - 1)
				if i >= len(batch) {
					break
				}
				s := batch[i]
				for len(s) > 0 {
					n := t.split(s)
					if maxLen > 0 && n > maxLen {
						skipped[w]++
					} else {
						m.add(s[:n], 1)
						occ[w]++
					}
					s = s[n:]
				}
			}
		}()
	}
	wg.Wait()
	for w, m := range locals {
		t.stats.SkippedLong += skipped[w]
		t.stats.Pretokens += occ[w]
		t.counts.merge(m)
		m.reset()
	}
	if max := t.opts.MaxDistinctPretokens; max > 0 && t.counts.len() > max {
		t.prune(max * 3 / 4)
	}
}

// prune removes every pre-token whose count is at most the smallest
// threshold that leaves at most keep entries.
func (t *Trainer) prune(keep int) {
	// Histogram of counts; counts above the histogram range are never pruned
	// (a table with more than keep entries above it would be pathological).
	const hmax = 1 << 16
	hist := make([]int, hmax+1)
	t.counts.each(func(_ []byte, c uint64) { hist[min(c, hmax)]++ })
	remaining := t.counts.len()
	thr := uint64(0)
	for remaining > keep && thr < hmax {
		thr++
		remaining -= hist[thr]
	}
	t.counts.each(func(_ []byte, c uint64) {
		if c <= thr {
			t.stats.PrunedDistinct++
			t.stats.PrunedOccurrences += int64(c)
		}
	})
	t.counts = t.counts.keepAbove(thr)
}

// Stats returns the statistics so far (complete after Finish).
func (t *Trainer) Stats() TrainStats { return t.stats }

// Train feeds texts from next until it reports false or the sample budget is
// spent, then learns the vocabulary.
func Train(ctx context.Context, next func() (string, bool), opts Options) (*Tokenizer, TrainStats, error) {
	tr, err := NewTrainer(opts)
	if err != nil {
		return nil, TrainStats{}, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, tr.stats, err
		}
		s, ok := next()
		if !ok || !tr.Add(s) {
			break
		}
	}
	tok, err := tr.Finish(ctx)
	return tok, tr.stats, err
}

// word is a distinct pre-token: its current symbols live in the arena.
type word struct {
	off, n int32
	count  int64
}

// pairState is a pair's count and the words that may hold it (a superset:
// stale entries are checked when the pair is merged).
type pairState struct {
	count int64
	words []int32
}

type pairKey = uint64

func mkPair(a, b uint32) pairKey           { return uint64(a)<<32 | uint64(b) }
func splitPair(p pairKey) (uint32, uint32) { return uint32(p >> 32), uint32(p) }

// Finish counts what is left and runs the merges: pair counts with the words
// holding each pair, a max-heap with lazy (stale-entry) updates, and per
// merge only the words holding the pair are touched. Ties are broken by the
// pair's bytes (left token, then right token, lexicographically), so the
// same input gives the same vocabulary whatever the thread count.
func (t *Trainer) Finish(ctx context.Context) (*Tokenizer, error) {
	if t.done {
		return nil, fmt.Errorf("bpe: Finish called twice")
	}
	t.flush()
	t.inflight.Wait()
	t.done = true

	// Words in table order: the order of words changes no count and no
	// decision (ties are broken by bytes), so it need not be sorted.
	total := 0
	t.counts.each(func(k []byte, _ uint64) { total += len(k) })
	if total > math.MaxInt32 {
		return nil, fmt.Errorf("bpe: %d bytes of distinct pre-tokens exceed the trainer's 2 GiB word arena; lower max_distinct_pretokens or max_pretoken_bytes", total)
	}
	arena := make([]uint32, 0, total)
	words := make([]word, 0, t.counts.len())
	t.counts.each(func(k []byte, c uint64) {
		words = append(words, word{off: int32(len(arena)), n: int32(len(k)), count: int64(c)})
		for _, b := range k {
			arena = append(arena, uint32(b))
		}
	})
	t.stats.Distinct = len(words)
	t.counts, t.locals = nil, nil

	vocab := make([]string, 256, t.opts.VocabSize)
	ids := make(map[string]uint32, t.opts.VocabSize)
	for b := range 256 {
		vocab[b] = string([]byte{byte(b)})
		ids[vocab[b]] = uint32(b)
	}

	index := make(map[pairKey]int32, 1<<16)
	var pairs []pairState
	get := func(p pairKey) *pairState {
		i, ok := index[p]
		if !ok {
			i = int32(len(pairs))
			pairs = append(pairs, pairState{})
			index[p] = i
		}
		return &pairs[i]
	}
	for wi, w := range words {
		syms := arena[w.off : w.off+w.n]
		for j := 0; j+1 < len(syms); j++ {
			ps := get(mkPair(syms[j], syms[j+1]))
			ps.count += w.count
			if n := len(ps.words); n == 0 || ps.words[n-1] != int32(wi) {
				ps.words = append(ps.words, int32(wi))
			}
		}
	}
	h := &pairHeap{vocab: &vocab}
	for p, i := range index {
		h.items = append(h.items, heapItem{count: pairs[i].count, pair: p})
	}
	heap.Init(h)

	target := t.opts.VocabSize - len(t.opts.SpecialTokens)
	epoch := make([]int32, len(words))
	for i := range epoch {
		epoch[i] = -1
	}
	var touched []pairKey
	touchedSet := make(map[pairKey]bool)
	mergeNo := int32(0)
	for len(vocab) < target && h.Len() > 0 {
		if mergeNo&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		top := heap.Pop(h).(heapItem)
		pi, ok := index[top.pair]
		if !ok {
			continue
		}
		ps := &pairs[pi]
		if ps.count != top.count {
			// Stale. Counts of an existing pair only fall, except when a
			// merge reuses an existing token; then a fresher entry was pushed.
			if ps.count < top.count && ps.count > 0 {
				heap.Push(h, heapItem{count: ps.count, pair: top.pair})
			}
			continue
		}
		if top.count < t.opts.MinFrequency {
			break
		}
		a, b := splitPair(top.pair)
		if m := t.opts.MaxTokenBytes; m > 0 && len(vocab[a])+len(vocab[b]) > m {
			continue // never merged; its entry is dropped
		}
		joined := vocab[a] + vocab[b]
		c, exists := ids[joined]
		if !exists {
			c = uint32(len(vocab))
			vocab = append(vocab, joined)
			ids[joined] = c
		} else {
			t.stats.Duplicates++
		}
		wordList := ps.words
		delete(index, top.pair)
		ps.words = nil
		ps.count = 0

		touched = touched[:0]
		clear(touchedSet)
		merged := top.pair
		add := func(x, y uint32, delta int64, wi int32) {
			p := mkPair(x, y)
			if p == merged {
				return // the merged pair is gone everywhere it is touched
			}
			st := get(p)
			st.count += delta
			if delta > 0 && (x == c || y == c) {
				if n := len(st.words); n == 0 || st.words[n-1] != wi {
					st.words = append(st.words, wi)
				}
				if !touchedSet[p] {
					touchedSet[p] = true
					touched = append(touched, p)
				}
			}
		}
		for _, wi := range wordList {
			if epoch[wi] == mergeNo {
				continue
			}
			epoch[wi] = mergeNo
			w := &words[wi]
			syms := arena[w.off : w.off+w.n]
			cnt := w.count
			out := 0
			for i := 0; i < len(syms); {
				if i+1 < len(syms) && syms[i] == a && syms[i+1] == b {
					if out > 0 {
						prev := syms[out-1]
						add(prev, a, -cnt, wi)
						add(prev, c, cnt, wi)
					}
					if i+2 < len(syms) {
						nx := syms[i+2]
						add(b, nx, -cnt, wi)
						add(c, nx, cnt, wi)
					}
					syms[out] = c
					out++
					i += 2
					continue
				}
				syms[out] = syms[i]
				out++
				i++
			}
			w.n = int32(out)
		}
		// get may have grown pairs: no pointers into it are held here.
		for _, p := range touched {
			if i, ok := index[p]; ok && pairs[i].count > 0 {
				heap.Push(h, heapItem{count: pairs[i].count, pair: p})
			}
		}
		mergeNo++
	}
	t.stats.Merges = int(mergeNo)

	specials := make([]Special, len(t.opts.SpecialTokens))
	for i, s := range t.opts.SpecialTokens {
		specials[i] = Special{Text: s, ID: uint32(len(vocab) + i)}
	}
	return NewTokenizer(t.opts.Pattern, vocab, specials, t.opts.EOT)
}

type heapItem struct {
	count int64
	pair  pairKey
}

// pairHeap is a max-heap by count; equal counts order by the pair's bytes
// (left token, then right), smallest first.
type pairHeap struct {
	items []heapItem
	vocab *[]string
}

func (h *pairHeap) Len() int { return len(h.items) }
func (h *pairHeap) Less(i, j int) bool {
	x, y := h.items[i], h.items[j]
	if x.count != y.count {
		return x.count > y.count
	}
	if x.pair == y.pair {
		return false
	}
	v := *h.vocab
	xa, xb := splitPair(x.pair)
	ya, yb := splitPair(y.pair)
	if v[xa] != v[ya] {
		return v[xa] < v[ya]
	}
	return v[xb] < v[yb]
}
func (h *pairHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *pairHeap) Push(x any)    { h.items = append(h.items, x.(heapItem)) }
func (h *pairHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}
