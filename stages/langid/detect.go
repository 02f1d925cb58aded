package langid

import (
	"math"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
)

// scratch is one goroutine's working memory for a document, pooled so the
// hot path does not allocate.
type scratch struct {
	runes  []rune           // lower-cased letters of the window's words
	words  [][2]int32       // [start, end) of each word in runes
	keys   []uint64         // trigram keys of the window
	set    keySet           // distinct trigrams of the window
	cols   []int16          // dense columns of the candidates
	colSum [numLang]float64 // summed log probabilities per dense column
	short  shortScratch     // short windows (short.go)

	agg    [numLang]float64 // letter-weighted votes over the document
	scores [numLang]float64 // summed log probabilities of the window
	sum    [numLang]float64 // short windows: the score by language
	keep   [numLang]bool    // short windows: the language found an n-gram
	exps   [numLang]float64 // addSoftmax: each candidate's exp, computed once

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
		r.Code = t.codes[best]
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
		s.exps[l] = 0
		if keep(l) {
			s.exps[l] = math.Exp(v[l] - maxV)
			den += s.exps[l]
		}
	}
	for _, l := range s.candList {
		if keep(l) {
			s.agg[l] += weight * s.exps[l] / den
		}
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
