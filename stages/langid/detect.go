package langid

import (
	"math"
	"slices"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
)

// scratch is one goroutine's working memory for a document, pooled so the
// hot path does not allocate.
type scratch struct {
	runes     []rune           // lower-cased letters of the window's words
	words     [][2]int32       // [start, end) of each word in runes
	keys      []uint64         // trigram keys of the window
	set       keySet           // distinct trigrams of the window
	cols      []int16          // dense columns of the candidates
	colSum    [numLang]float64 // summed log probabilities per dense column
	groups    []*shortModels   // script tables of the short window's candidates
	row3      [][]float32      // short window: resolved trigram row by position
	rowAt     [3][][]float32   // short window: resolved row by order and position
	res4      []float32        // short window: resolved 4-gram rows by position
	vals      []uint64         // short window: 4- and 5-gram index values by group, order, position
	touched32 float32          // sum of prefetched values (kept so the loads stay)

	agg    [numLang]float64 // letter-weighted votes over the document
	scores [numLang]float64 // summed log probabilities of the window
	sum    [numLang]float64 // short windows: summed over orders, by language
	hasSum [numLang]bool

	// Short windows, by dense column: candidate columns and the totals
	// over orders.
	isCol    [numLang]bool
	colTotal [numLang]float64
	colHas   [numLang]bool

	wordCount [numLang]int32 // rule counts within one word
	total     [numLang + 1]int32
	touched   []lingua.Language
	cand      [numLang]bool // candidates after the script rules
	candList  []lingua.Language
	langCount [numLang]int32
	seen      []rune
}

// Best returns the most likely language of text and its confidence (the
// letter-weighted mean over sampled windows of lingua's confidence for it),
// or lingua.Unknown with 0 when text has no letters to judge by.
func (t *Tagger) Best(text string) (lingua.Language, float64) {
	r := t.Classify(text)
	return r.Language, r.Score
}

// Result is the full answer of Classify.
type Result struct {
	Language lingua.Language // best language, lingua.Unknown without letters
	Score    float64         // its confidence, 0..1
	Letters  int             // letters sampled: what Threshold depends on
	Code     string          // ISO 639-1 code of Language, or "und" below Threshold(Letters)
}

// Classify returns text's best language with its confidence, the letters it
// was judged by, and the code Detect gives.
func (t *Tagger) Classify(text string) Result {
	s := t.scratch.Get().(*scratch)
	defer t.scratch.Put(s)
	clear(s.agg[:])
	var weight float64
	t.eachWindow(text, func(w string) {
		weight += t.scoreWindow(s, w)
	})
	if weight == 0 {
		return Result{Language: lingua.Unknown, Code: Undetermined}
	}
	best, bestV := lingua.Unknown, 0.0
	for _, l := range t.langs {
		if v := s.agg[l]; v > bestV {
			best, bestV = l, v
		}
	}
	r := Result{Language: best, Score: bestV / weight, Letters: int(weight), Code: Undetermined}
	if best != lingua.Unknown && r.Score >= t.Threshold(r.Letters) {
		r.Code = Code(best)
	}
	return r
}

// fullConfidenceLetters is where MinConfidence applies in full: lingua's
// own limit between short and long texts.
const fullConfidenceLetters = 120

// Threshold is the confidence below which a text judged by letters letters
// is "und": MinConfidence from 120 letters on, and proportionally less
// below. A short text's confidence is a softmax over sums of few n-gram
// log probabilities, so it is flat even when the best language is right
// (two Devanagari candidates on a Hindi sentence give 0.5-0.7); a fixed
// threshold made most short texts "und" although lingua's best guess is
// right on ~95% of them (bench/langid/RESULTS.md).
func (t *Tagger) Threshold(letters int) float64 {
	if letters >= fullConfidenceLetters {
		return t.opts.MinConfidence
	}
	return t.opts.MinConfidence * float64(letters) / fullConfidenceLetters
}

// eachWindow calls fn with the windows to classify: the whole text split in
// windows of about WindowBytes when it holds at most MaxWindows of them,
// else MaxWindows windows spread evenly from start to end. Boundaries move
// forward to the next space so no word is cut.
func (t *Tagger) eachWindow(text string, fn func(string)) {
	n, w, k := len(text), t.opts.WindowBytes, t.opts.MaxWindows
	if n <= w*k {
		m := (n + w - 1) / w
		prev := 0
		for i := 1; i <= m; i++ {
			end := n
			if i < m {
				end = snap(text, i*n/m)
			}
			if end > prev {
				fn(text[prev:end])
				prev = end
			}
		}
		return
	}
	for i := range k {
		start := (n - w) / 2
		if k > 1 {
			start = int(int64(i) * int64(n-w) / int64(k-1))
		}
		a, b := snap(text, start), snap(text, start+w)
		if b > a {
			fn(text[a:b])
		}
	}
}

// snap moves byte offset p forward to just after the next ASCII space within
// 64 bytes, else to the next rune start. Scripts without spaces (Han, kana)
// take the rune boundary, which is a word boundary for lingua there.
func snap(text string, p int) int {
	if p <= 0 {
		return 0
	}
	if p >= len(text) {
		return len(text)
	}
	for i := p; i < len(text) && i < p+64; i++ {
		switch text[i] {
		case ' ', '\n', '\t', '\r':
			return i + 1
		}
	}
	for p < len(text) && !utf8.RuneStart(text[p]) {
		p++
	}
	return p
}

// scoreWindow classifies one window as lingua's default (high-accuracy)
// mode would (rules, then trigrams from 120 letters on, 1- to 5-grams
// below) and adds its confidences, weighted by its letter
// count, to s.agg. It returns the weight (0 when the window has no words).
func (t *Tagger) scoreWindow(s *scratch, w string) float64 {
	letters := t.splitWords(s, w)
	if len(s.words) == 0 {
		return 0
	}
	weight := float64(letters)
	if l, decided := t.detectWithRules(s); decided {
		if l != lingua.Unknown && t.in[l] {
			s.agg[l] += weight
		}
		return weight
	}
	t.filterWithRules(s)
	if len(s.candList) == 1 {
		s.agg[s.candList[0]] += weight
		return weight
	}
	if letters >= 120 || !t.scoreShort(s, weight) {
		t.scoreTrigrams(s, weight)
	}
	return weight
}

// splitWords lower-cases w and splits it into lingua's words: each Han,
// Hangul, Hiragana or Katakana letter alone, else a maximal run of letters
// (lingua's regexp `\p{Han}|\p{Hangul}|\p{Hiragana}|\p{Katakana}|\p{L}+`).
// It returns the number of letters.
func (t *Tagger) splitWords(s *scratch, w string) int {
	s.runes, s.words = s.runes[:0], s.words[:0]
	inWord := false
	for _, r := range w {
		ri := info(t.runes, r)
		r = ri.lower
		if !ri.letter {
			inWord = false
			continue
		}
		single := ri.alpha == han || ri.alpha == hangul || ri.alpha == hiragana || ri.alpha == katakana
		if inWord {
			// Inside a \p{L}+ run every letter joins, CJK included.
			s.runes = append(s.runes, r)
			s.words[len(s.words)-1][1]++
			continue
		}
		n := int32(len(s.runes))
		s.runes = append(s.runes, r)
		s.words = append(s.words, [2]int32{n, n + 1})
		inWord = !single
	}
	return len(s.runes)
}

// detectWithRules is lingua's detectLanguageWithRules: words vote by
// single-language scripts and unique letters. decided is false when lingua
// would go on to the n-gram models.
func (t *Tagger) detectWithRules(s *scratch) (l lingua.Language, decided bool) {
	const unknown = numLang
	clear(s.total[:])
	for _, wd := range s.words {
		s.touched = s.touched[:0]
		for _, r := range s.runes[wd[0]:wd[1]] {
			a := info(t.runes, r).alpha
			var vote lingua.Language = lingua.Unknown
			switch {
			case a >= 0 && t.oneLang[a] != lingua.Unknown:
				vote = t.oneLang[a]
			case a == han:
				vote = lingua.Chinese
			case a == hiragana || a == katakana:
				vote = lingua.Japanese
			case a == latin || a == cyrillic || a == devanagari:
				if r < letterTableSize && t.unique[r] != 0 {
					vote = lingua.Language(t.unique[r] - 1)
				}
			}
			if vote == lingua.Unknown {
				continue
			}
			if s.wordCount[vote] == 0 {
				s.touched = append(s.touched, vote)
			}
			s.wordCount[vote]++
		}
		switch len(s.touched) {
		case 0:
			s.total[unknown]++
		case 1:
			if l := s.touched[0]; t.in[l] {
				s.total[l]++
			} else {
				s.total[unknown]++
			}
		default:
			if s.wordCount[lingua.Chinese] > 0 && s.wordCount[lingua.Japanese] > 0 {
				s.total[lingua.Japanese]++
				break
			}
			top, first, second := lingua.Unknown, int32(0), int32(0)
			for _, l := range s.touched {
				switch c := s.wordCount[l]; {
				case c > first:
					top, first, second = l, c, first
				case c > second:
					second = c
				}
			}
			if first > second && t.in[top] {
				s.total[top]++
			} else {
				s.total[unknown]++
			}
		}
		for _, l := range s.touched {
			s.wordCount[l] = 0
		}
	}
	if float64(s.total[unknown]) < 0.5*float64(len(s.words)) {
		s.total[unknown] = 0
	}
	entries, top, first, second := 0, -1, int32(0), int32(0)
	for i, c := range s.total {
		if c == 0 {
			continue
		}
		entries++
		switch {
		case c > first:
			top, first, second = i, c, first
		case c > second:
			second = c
		}
	}
	switch {
	case entries == 0:
		return lingua.Unknown, false
	case entries == 2 && s.total[lingua.Chinese] > 0 && s.total[lingua.Japanese] > 0:
		return lingua.Japanese, true
	case entries > 1 && first == second:
		return lingua.Unknown, false
	case top == unknown:
		return lingua.Unknown, false
	}
	return lingua.Language(top), true
}

// filterWithRules is lingua's filterLanguagesByRules: the candidates shrink
// to the languages of the most frequent script, then to the languages whose
// shared letters appear in at least half the words. It fills s.cand and
// s.candList.
func (t *Tagger) filterWithRules(s *scratch) {
	var counts [numAlphabets]int32
	for _, wd := range s.words {
		a := noAlphabet
		for i, r := range s.runes[wd[0]:wd[1]] {
			ra := info(t.runes, r).alpha
			if i == 0 {
				a = ra
			} else if ra != a {
				a = noAlphabet
				break
			}
		}
		if a >= 0 {
			counts[a]++
		}
	}
	best, distinct, same := noAlphabet, 0, true
	for a, c := range counts {
		if c == 0 {
			continue
		}
		if distinct > 0 && c != counts[best] {
			same = false
		}
		distinct++
		if best < 0 || c > counts[best] {
			best = alphabet(a)
		}
	}
	pool := t.langs
	if best >= 0 && !(distinct > 1 && same) {
		pool = t.alphaLangs[best]
	}
	clear(s.cand[:])
	for _, l := range pool {
		s.cand[l] = true
	}
	// Shared letters: each word adds one per distinct shared letter to every
	// candidate sharing it.
	clear(s.langCount[:])
	for _, wd := range s.words {
		s.seen = s.seen[:0]
		for _, r := range s.runes[wd[0]:wd[1]] {
			if r >= letterTableSize || t.shared[r] == 0 || containsRune(s.seen, r) {
				continue
			}
			ls := t.sharedLangs[t.shared[r]-1]
			s.seen = append(s.seen, r)
			for _, l := range ls {
				if s.cand[l] {
					s.langCount[l]++
				}
			}
		}
	}
	half := 0.5 * float64(len(s.words))
	s.candList = s.candList[:0]
	for _, l := range pool {
		if s.langCount[l] > 0 && float64(s.langCount[l]) >= half {
			s.candList = append(s.candList, l)
		}
	}
	if len(s.candList) > 0 {
		clear(s.cand[:])
		for _, l := range s.candList {
			s.cand[l] = true
		}
		return
	}
	s.candList = append(s.candList, pool...)
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// scoreTrigrams sums, for every candidate, the log probability of each
// distinct trigram of the window, falling back to its bigram prefix and then
// its first letter when the language lacks the trigram (lingua's
// computeSumOfNgramProbabilities), and adds the softmax of the sums. The
// fallback is precomputed in t.dense, so a trigram costs one lookup (three
// when no language knows it) and one add per candidate.
func (t *Tagger) scoreTrigrams(s *scratch, weight float64) {
	s.keys = s.keys[:0]
	for _, wd := range s.words {
		rs := s.runes[wd[0]:wd[1]]
		for i := 0; i+3 <= len(rs); i++ {
			s.keys = append(s.keys, uint64(rs[i])<<42|uint64(rs[i+1])<<21|uint64(rs[i+2]))
		}
	}
	if len(s.keys) == 0 {
		return
	}
	d := t.dense
	s.cols = s.cols[:0]
	for _, l := range s.candList {
		if c := d.colOf[l]; c >= 0 {
			s.cols = append(s.cols, c)
		}
	}
	colSum := s.colSum[:d.cols]
	clear(colSum)
	seen := s.newSet(len(s.keys))
	for _, k := range s.keys {
		if !seen.add(k) {
			continue // lingua counts each distinct trigram once
		}
		// The bigram and unigram keys are the trigram key's high runes.
		row := d.row(2, k)
		if row == nil {
			if row = d.row(1, k>>21); row == nil {
				if row = d.row(0, k>>42); row == nil {
					continue
				}
			}
		}
		for _, c := range s.cols {
			colSum[c] += float64(row[c])
		}
	}
	for _, l := range s.candList {
		s.scores[l] = 0
		if c := d.colOf[l]; c >= 0 {
			s.scores[l] = colSum[c]
		}
	}
	t.addSoftmax(s, &s.scores, weight, func(l lingua.Language) bool { return s.scores[l] < 0 })
}

// addSoftmax adds weight times the softmax of v over the candidates keep
// accepts, computed relative to the best so exp never underflows for all of
// them (lingua computes the same ratio with arbitrary-precision decimals).
func (t *Tagger) addSoftmax(s *scratch, v *[numLang]float64, weight float64, keep func(lingua.Language) bool) {
	maxV := math.Inf(-1)
	for _, l := range s.candList {
		if keep(l) && v[l] > maxV {
			maxV = v[l]
		}
	}
	if math.IsInf(maxV, -1) {
		return
	}
	var den float64
	for _, l := range s.candList {
		if keep(l) {
			den += math.Exp(v[l] - maxV)
		}
	}
	for _, l := range s.candList {
		if keep(l) {
			s.agg[l] += weight * math.Exp(v[l]-maxV) / den
		}
	}
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
// prefixes there and then to the dense trigram row. Everything is summed by
// dense column, and over a contiguous run of columns when the candidates
// are one script's languages. It reports false, and scores nothing, when
// the script tables cannot be loaded.
func (t *Tagger) scoreShort(s *scratch, weight float64) bool {
	s.groups = s.groups[:0]
	for _, l := range s.candList {
		sm := t.short[t.home[l]]
		if sm == nil || slices.Contains(s.groups, sm) {
			continue
		}
		if _, err := sm.get(); err != nil {
			return false
		}
		s.groups = append(s.groups, sm)
	}
	d := t.dense
	s.cols = s.cols[:0]
	clear(s.isCol[:d.cols])
	for _, l := range s.candList {
		if c := d.colOf[l]; c >= 0 {
			s.cols = append(s.cols, c)
			s.isCol[c] = true
		}
	}
	slices.Sort(s.cols)
	lo, hi := 0, 0 // the candidates' columns are lo..hi-1 when contiguous
	if n := len(s.cols); n > 0 && int(s.cols[n-1]-s.cols[0]) == n-1 {
		lo, hi = int(s.cols[0]), int(s.cols[n-1])+1
	}
	sum, has := s.colTotal[:d.cols], s.colHas[:d.cols]
	clear(sum)
	clear(has)
	acc := s.colSum[:d.cols]
	var uniFound [numLang]int32 // by column
	// addRow adds the candidates' columns of row to acc.
	addRow := func(row []float32) {
		if hi > lo {
			addFloats(acc[lo:hi], row[lo:hi])
			return
		}
		for _, c := range s.cols {
			acc[c] += float64(row[c])
		}
	}
	// endOrder adds acc to the per-column totals.
	endOrder := func() {
		for _, c := range s.cols {
			if acc[c] < 0 {
				sum[c] += acc[c]
				has[c] = true
			}
		}
	}
	// Orders 1-3: one dense row per distinct n-gram. The trigram row of
	// every position is kept: it is the fallback of the 4- and 5-grams
	// starting there.
	// Rows are found for every position first, back to back, so that their
	// cache misses overlap (see the 4- and 5-grams below).
	nr := len(s.runes)
	for o := range s.rowAt {
		s.rowAt[o] = s.rowAt[o][:0]
		for range nr {
			s.rowAt[o] = append(s.rowAt[o], nil)
		}
	}
	var touch float32
	for n := 1; n <= 3; n++ {
		at := s.rowAt[n-1]
		for _, wd := range s.words {
			for i := wd[0]; i+int32(n) <= wd[1]; i++ {
				k := key(s.runes[i : i+int32(n)])
				row := d.row(n-1, k)
				for m := n - 1; row == nil && m >= 1; m-- {
					row = d.row(m-1, k>>(21*(n-m)))
				}
				if row != nil {
					at[i] = row
					touch += row[lo] + row[max(hi, lo+1)-1]
				}
			}
		}
	}
	for n := 1; n <= 3; n++ {
		clear(acc)
		seen := s.newSet(nr)
		at := s.rowAt[n-1]
		for _, wd := range s.words {
			for i := wd[0]; i+int32(n) <= wd[1]; i++ {
				if !seen.add(key(s.runes[i : i+int32(n)])) {
					continue
				}
				row := at[i]
				if row == nil {
					continue
				}
				addRow(row)
				if n == 1 {
					for _, c := range s.cols {
						if row[c] != 0 {
							uniFound[c]++
						}
					}
				}
			}
		}
		endOrder()
	}
	s.row3 = s.rowAt[2] // the fallback of the 4- and 5-grams starting there
	// Orders 4 and 5. res4 holds, per position, the 4-gram's resolved row:
	// the language's 4-gram probability where it has one, else the
	// trigram row's value. A 4-gram adds res4; a 5-gram adds res4 of its
	// position and replaces the columns of the languages that know the
	// 5-gram itself, so no language is looked at twice.
	w := d.cols
	if cap(s.res4) < len(s.runes)*w {
		s.res4 = make([]float32, len(s.runes)*w)
	}
	res4 := s.res4[:len(s.runes)*w]
	// The 4- and 5-gram lookups miss the cache nearly every time (the
	// tables are hundreds of MB). Done back to back, independent of each
	// other, the processor overlaps those misses; interleaved with the
	// scoring below it could not.
	if cap(s.vals) < 2*len(s.groups)*nr {
		s.vals = make([]uint64, 2*len(s.groups)*nr)
	}
	vals := s.vals[:2*len(s.groups)*nr]
	clear(vals) // positions too near a word's end have no n-gram
	for g, sm := range s.groups {
		for o := range 2 {
			v := vals[(2*g+o)*nr : (2*g+o+1)*nr]
			for _, wd := range s.words {
				for i := wd[0]; i+int32(4+o) <= wd[1]; i++ {
					v[i] = sm.index[o].get(key(s.runes[i : i+int32(4+o)]))
				}
			}
		}
	}
	for g, sm := range s.groups {
		for o := range 2 {
			for _, v := range vals[(2*g+o)*nr : (2*g+o+1)*nr] {
				if v != 0 {
					tab := &sm.tabs[o]
					end := v>>8 + v&0xff - 1
					touch += tab.logp[v>>8] + tab.logp[end] + float32(tab.cols[end])
				}
			}
		}
	}
	s.touched32 = touch // keeps the loads
	for n := 4; n <= maxOrder; n++ {
		clear(acc)
		seen := s.newSet(len(s.runes))
		for _, wd := range s.words {
			for i := wd[0]; i+int32(n) <= wd[1]; i++ {
				k := key(s.runes[i : i+int32(n)])
				r := res4[int(i)*w : int(i+1)*w]
				if n == 4 {
					if row := s.row3[i]; row != nil {
						copy(r, row)
					} else {
						clear(r)
					}
					for g, sm := range s.groups {
						lp, cs := sm.tabs[0].entriesOf(vals[2*g*nr+int(i)])
						for j, c := range cs {
							r[c] = lp[j]
						}
					}
				}
				if !seen.add(k) {
					continue
				}
				addRow(r)
				if n == 5 {
					for g, sm := range s.groups {
						lp, cs := sm.tabs[1].entriesOf(vals[(2*g+1)*nr+int(i)])
						for j, c := range cs {
							if s.isCol[c] {
								acc[c] += float64(lp[j]) - float64(r[c])
							}
						}
					}
				}
			}
		}
		endOrder()
	}
	for _, l := range s.candList {
		c := d.colOf[l]
		s.sum[l], s.hasSum[l] = 0, false
		if c < 0 {
			continue
		}
		s.sum[l], s.hasSum[l] = sum[c], has[c]
		if uniFound[c] > 0 {
			s.sum[l] /= float64(uniFound[c])
		}
	}
	t.addSoftmax(s, &s.sum, weight, func(l lingua.Language) bool { return s.hasSum[l] && s.sum[l] != 0 })
	return true
}

// addFloats adds r to a element by element (len(a) >= len(r)), four at a
// time: this loop over up to 49 candidate languages, once per n-gram and
// order, is most of the cost of scoring a short text.
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

// keySet is a small open-addressing set of n-gram keys for one window,
// cheaper than sorting to find the distinct ones. Slots are valid when their
// stamp equals the set's generation, so reuse needs no clearing.
type keySet struct {
	keys  []uint64
	stamp []uint32
	gen   uint32
	shift uint
}

// newSet readies s.set for up to n keys.
func (s *scratch) newSet(n int) *keySet {
	ks := &s.set
	size, shift := 64, uint(58)
	for size < 2*n {
		size <<= 1
		shift--
	}
	if len(ks.keys) < size {
		ks.keys = make([]uint64, size)
		ks.stamp = make([]uint32, size)
		ks.gen = 0
	}
	ks.gen++
	if ks.gen == 0 { // wrapped: old stamps could match
		clear(ks.stamp)
		ks.gen = 1
	}
	ks.shift = shift
	return ks
}

// add inserts k and reports whether it was new.
func (ks *keySet) add(k uint64) bool {
	mask := uint64(1)<<(64-ks.shift) - 1
	i := (k * 0x9e3779b97f4a7c15) >> ks.shift
	for {
		if ks.stamp[i] != ks.gen {
			ks.stamp[i], ks.keys[i] = ks.gen, k
			return true
		}
		if ks.keys[i] == k {
			return false
		}
		i = (i + 1) & mask
	}
}
