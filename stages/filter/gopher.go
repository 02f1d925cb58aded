package filter

import (
	"strconv"
	"strings"
	"sync"

	"github.com/curate-dev/curate/pipeline/doc"
)

// gopherQuality implements MassiveText's quality rules as datatrove's
// GopherQualityFilter does; drop reasons keep datatrove's names (even the
// odd "gopher_enough_stop_words", which means too few) so that funnels
// compare directly with FineWeb's published statistics. Deliberate
// differences: the stop-word and mean-word-length rules apply per language
// (datatrove applies English ones to everything unless configured), and the
// alphabetic-word rule counts whitespace-separated words (see Apply).
type gopherQuality struct {
	o     GopherQualityOptions
	langs map[string]langRules
}

type langRules struct {
	LanguageRules
	stop    map[string]struct{}
	maxStop int // longest stop word in bytes: shorter tokens skip the map look-up
}

func newGopherQuality(o GopherQualityOptions) *gopherQuality {
	g := &gopherQuality{o: o, langs: make(map[string]langRules, len(o.Languages))}
	for lang, r := range o.Languages {
		lr := langRules{LanguageRules: r, stop: make(map[string]struct{}, len(r.StopWords))}
		for _, w := range r.StopWords {
			lr.stop[w] = struct{}{}
			lr.maxStop = max(lr.maxStop, len(w))
		}
		g.langs[lang] = lr
	}
	return g
}

func (g *gopherQuality) Name() string { return "gopher_quality" }

func (g *gopherQuality) Apply(d *doc.Document, c doc.Counter) string {
	if isCode(d.Language) {
		return ""
	}
	o := &g.o
	text := d.Text
	buf := takeWords(d)
	if buf == nil {
		buf = getTokens()
		*buf = tokenize(text, (*buf)[:0])
	}
	defer putTokens(buf)
	toks := *buf

	nWords := len(toks)
	nonSymbol, nonSymbolRunes := 0, 0
	// The alpha rule counts whitespace-separated words, as the Gopher paper
	// states it ("80% of words contain at least one alphabetic character").
	// datatrove counts NLTK tokens instead, so every split-off comma and
	// quote is a non-alphabetic "word": dialogue-heavy novels (Alice in
	// Wonderland: 0.78) and Wikipedia articles then fail a rule meant for
	// symbol soup.
	chunks, alphaChunks, chunkAlpha := 0, 0, false
	for i, t := range toks {
		if t.flags&tokSymbol == 0 {
			nonSymbol++
			nonSymbolRunes += int(t.runes)
		}
		if t.flags&tokAlpha != 0 {
			chunkAlpha = true
		}
		if t.flags&tokGapAfter != 0 || i == len(toks)-1 {
			chunks++
			if chunkAlpha {
				alphaChunks++
			}
			chunkAlpha = false
		}
	}
	if o.MinDocWords > 0 && nonSymbol < o.MinDocWords {
		return "gopher_short_doc"
	}
	if o.MaxDocWords > 0 && nonSymbol > o.MaxDocWords {
		return "gopher_long_doc"
	}
	if nWords == 0 {
		// datatrove divides by zero here; an empty document has nothing
		// left to judge once the word-count bounds are off.
		return ""
	}

	lr, hasLang := g.langs[normLang(d.Language)]
	if !hasLang {
		c.Add("gopher_quality.language_rules_skipped", 1)
	}
	if hasLang && nonSymbol > 0 {
		avg := float64(nonSymbolRunes) / float64(nonSymbol)
		if lr.MinAvgWordLength > 0 && avg < lr.MinAvgWordLength {
			return "gopher_below_avg_threshold"
		}
		if lr.MaxAvgWordLength > 0 && avg > lr.MaxAvgWordLength {
			return "gopher_above_avg_threshold"
		}
	}

	if o.MaxSymbolWordRatio > 0 {
		if float64(strings.Count(text, "#"))/float64(nWords) > o.MaxSymbolWordRatio {
			return "gopher_too_many_hashes"
		}
		ell := strings.Count(text, "...") + strings.Count(text, "…")
		if float64(ell)/float64(nWords) > o.MaxSymbolWordRatio {
			return "gopher_too_many_ellipsis"
		}
	}

	if o.MaxBulletLinesRatio > 0 || o.MaxEllipsisLinesRatio > 0 {
		lines, bullets, ellipses := 0, 0, 0
		splitLines(text, func(line string) {
			lines++
			l := trimSpaceLeft(line)
			if strings.HasPrefix(l, "•") || strings.HasPrefix(l, "-") {
				bullets++
			}
			r := trimSpaceRight(line)
			if strings.HasSuffix(r, "...") || strings.HasSuffix(r, "…") {
				ellipses++
			}
		})
		if lines > 0 {
			if o.MaxBulletLinesRatio > 0 && float64(bullets)/float64(lines) > o.MaxBulletLinesRatio {
				return "gopher_too_many_bullets"
			}
			if o.MaxEllipsisLinesRatio > 0 && float64(ellipses)/float64(lines) > o.MaxEllipsisLinesRatio {
				return "gopher_too_many_end_ellipsis"
			}
		}
	}

	if o.MinAlphaWordsRatio > 0 && float64(alphaChunks)/float64(chunks) < o.MinAlphaWordsRatio {
		return "gopher_below_alpha_threshold"
	}

	if hasLang && lr.MinStopWords > 0 {
		found := 0
		for _, t := range toks {
			if int(t.end-t.start) > lr.maxStop || t.flags&tokAlpha == 0 {
				continue
			}
			if _, ok := lr.stop[text[t.start:t.end]]; ok {
				found++
				if found >= lr.MinStopWords {
					break
				}
			}
		}
		if found < lr.MinStopWords {
			return "gopher_enough_stop_words"
		}
	}
	return ""
}

// gopherRepetition implements MassiveText's repetition rules as datatrove's
// current GopherRepetitionFilter does (lines split on runs of newlines, so
// blank lines are not "duplicates"; duplicated n-grams counted without the
// joining spaces). Deliberate differences: a top n-gram must occur twice to
// count, and its length adds a joining space only where the text had
// whitespace (CJK words get none). Texts are hashed, never copied: a
// paragraph, line or n-gram is a 64-bit hash in a reused open-addressing
// table, so two different texts could in theory collide (p ≈ n²/2⁶⁴).
type gopherRepetition struct {
	o GopherRepetitionOptions
	// maxN is the largest n of any n-gram rule, to size prefix arrays once.
	maxN int
	// shareWords is set by New when gopher_quality runs right after this
	// stage: a kept document then carries its word split to it in
	// d.Scratch instead of gopher_quality splitting the text again.
	shareWords bool
}

// sharedWords is the word split gopher_repetition leaves in d.Scratch for
// gopher_quality. text is the Text it was computed from: a stage in
// between that rewrote Text invalidates it.
type sharedWords struct {
	text string
	toks *[]token
}

// takeWords returns the word split left in d.Scratch for d's current Text,
// or nil, and clears the slot: the caller owns the buffer and returns it to
// the pool.
func takeWords(d *doc.Document) *[]token {
	sw, ok := d.Scratch.(*sharedWords)
	if !ok {
		return nil
	}
	d.Scratch = nil
	if sw.text != d.Text {
		putTokens(sw.toks)
		return nil
	}
	return sw.toks
}

func newGopherRepetition(o GopherRepetitionOptions) *gopherRepetition {
	g := &gopherRepetition{o: o}
	for _, t := range o.TopNGrams {
		g.maxN = max(g.maxN, t.N)
	}
	for _, t := range o.DupNGrams {
		g.maxN = max(g.maxN, t.N)
	}
	return g
}

func (g *gopherRepetition) Name() string { return "gopher_repetition" }

// repScratch is the per-call working memory, pooled.
type repScratch struct {
	prefix []uint64 // polynomial prefix hash over word hashes
	runes  []int64  // prefix sum of word lengths (code points)
	gaps   []int64  // prefix count of whitespace gaps between words
	pow    []uint64 // base^n
}

var repPool = sync.Pool{New: func() any { return new(repScratch) }}

const hashBase uint64 = 0x9e3779b97f4a7c15 // odd, so multiplication mod 2^64 loses no information

func (g *gopherRepetition) Apply(d *doc.Document, c doc.Counter) string {
	if isCode(d.Language) {
		return ""
	}
	text := d.Text
	buf := getTokens()
	toks, spaces := tokenizeCounting(text, (*buf)[:0])
	*buf = toks
	rule := g.apply(text, toks, spaces)
	if rule == "" && g.shareWords {
		d.Scratch = &sharedWords{text: text, toks: buf}
	} else {
		putTokens(buf)
	}
	return rule
}

func (g *gopherRepetition) apply(text string, toks []token, spaces int) string {
	o := &g.o
	nw := len(toks)
	total := spaces
	for _, t := range toks {
		total += int(t.runes)
	}
	if total == 0 || o.MinWords > 0 && countTokenWords(toks, o.MinWords) < o.MinWords {
		return ""
	}

	if o.DupParaFrac > 0 || o.DupParaCharFrac > 0 || o.DupLineFrac > 0 || o.DupLineCharFrac > 0 {
		r := dupLinesParas(trimSpace(text))
		if o.DupParaFrac > 0 && float64(r.paraDups)/float64(r.paras) > o.DupParaFrac {
			return "dup_para_frac"
		}
		if o.DupParaCharFrac > 0 && float64(r.paraDupChars)/float64(total) > o.DupParaCharFrac {
			return "dup_para_char_frac"
		}
		if r.lines > 0 && o.DupLineFrac > 0 && float64(r.lineDups)/float64(r.lines) > o.DupLineFrac {
			return "dup_line_frac"
		}
		if o.DupLineCharFrac > 0 && float64(r.lineDupChars)/float64(total) > o.DupLineCharFrac {
			return "dup_line_char_frac"
		}
	}
	if len(o.TopNGrams) == 0 && len(o.DupNGrams) == 0 || nw == 0 {
		return ""
	}
	s := repPool.Get().(*repScratch)
	defer repPool.Put(s)
	s.fill(text, toks, g.maxN)

	tab := getTable(nw)
	defer putTable(tab)
	// topBound caps later top-n-gram rules: the most frequent n-gram occurs
	// at most as often as the most frequent (n-1)-gram, and is at most as
	// long as the longest n-gram of the document. When that product is
	// under the threshold the counting pass is skipped.
	prevN, prevCount := 0, int32(-1)
	for _, t := range o.TopNGrams {
		n := t.N
		if nw < n {
			continue
		}
		if prevCount >= 0 && n > prevN {
			if prevCount < 2 {
				continue
			}
			longest := int64(0)
			for i := 0; i+n <= nw; i++ {
				longest = max(longest, s.runes[i+n]-s.runes[i]+s.gaps[i+n-1]-s.gaps[i])
			}
			if float64(longest)*float64(prevCount)/float64(total) <= t.MaxFrac {
				continue
			}
		}
		tab.reset(nw - n + 1)
		bestCount, bestFirst := int32(0), int32(0)
		for i := 0; i+n <= nw; i++ {
			cnt, first := tab.add(s.ngram(i, n), int32(i))
			// Counter.most_common(1) breaks ties by insertion order, i.e.
			// the n-gram that first occurred earliest wins.
			if cnt > bestCount || (cnt == bestCount && first < bestFirst) {
				bestCount, bestFirst = cnt, first
			}
		}
		// Length as " ".join(words) would measure it, except that words
		// written without a space between them (CJK, "word.") are not given
		// one.
		prevN, prevCount = n, bestCount
		if bestCount < 2 {
			// Deliberate difference: datatrove also judges an n-gram that
			// occurs once, which drops every short text (a 12-word comment's
			// "top" 2-gram is 1/6 of it). Repetition needs a repeat.
			continue
		}
		i := int(bestFirst)
		length := s.runes[i+n] - s.runes[i] + s.gaps[i+n-1] - s.gaps[i]
		if float64(length)*float64(bestCount)/float64(total) > t.MaxFrac {
			return "top_" + strconv.Itoa(n) + "_gram"
		}
	}
	// Upper bound first. If the n-gram at i repeats an earlier one, so do
	// all its sub-n-grams of the smallest order m, so every word any n ≥ m
	// rule counts lies in a repeated m-gram window. One pass that marks
	// those windows bounds every dup rule; on ordinary text the bound is
	// below every threshold and the six greedy passes are skipped.
	bound := -1.0
	if len(o.DupNGrams) > 0 {
		m := o.DupNGrams[0].N
		for _, t := range o.DupNGrams {
			m = min(m, t.N)
		}
		if nw >= m {
			tab.reset(nw - m + 1)
			var covered int64
			coveredTo := 0 // words [0, coveredTo) already counted
			for i := 0; i+m <= nw; i++ {
				if tab.seen(s.ngram(i, m)) {
					from := max(i, coveredTo)
					covered += s.runes[i+m] - s.runes[from]
					coveredTo = i + m
				}
			}
			bound = float64(covered) / float64(total)
		}
	}
	for _, t := range o.DupNGrams {
		n := t.N
		if nw < n || bound >= 0 && bound <= t.MaxFrac {
			continue
		}
		tab.reset(nw - n + 1)
		var repeated int64
		for i := 0; i+n <= nw; {
			// As in datatrove, the n-grams a repeat skips over are never
			// inserted; seen() inserts on first sight, its else-branch.
			if tab.seen(s.ngram(i, n)) {
				repeated += s.runes[i+n] - s.runes[i]
				i += n
			} else {
				i++
			}
		}
		if float64(repeated)/float64(total) > t.MaxFrac {
			return "duplicated_" + strconv.Itoa(n) + "_n_grams"
		}
	}
	return ""
}

// fill builds prefix arrays so any n-gram's hash and length is O(1).
func (s *repScratch) fill(text string, toks []token, maxN int) {
	nw := len(toks)
	s.prefix = grow(s.prefix, nw+1)
	s.runes = growInt(s.runes, nw+1)
	s.gaps = growInt(s.gaps, nw+1)
	s.prefix[0], s.runes[0], s.gaps[0] = 0, 0, 0
	for i, t := range toks {
		s.prefix[i+1] = s.prefix[i]*hashBase + hashString(text[t.start:t.end])
		s.runes[i+1] = s.runes[i] + int64(t.runes)
		g := int64(0)
		if t.flags&tokGapAfter != 0 {
			g = 1
		}
		s.gaps[i+1] = s.gaps[i] + g
	}
	s.pow = grow(s.pow, maxN+1)
	s.pow[0] = 1
	for i := 1; i <= maxN; i++ {
		s.pow[i] = s.pow[i-1] * hashBase
	}
}

// ngram is the polynomial hash of words [i, i+n); each table holds one n
// only, and the table scatters keys itself.
func (s *repScratch) ngram(i, n int) uint64 {
	return s.prefix[i+n] - s.prefix[i]*s.pow[n]
}

func grow(b []uint64, n int) []uint64 {
	if cap(b) < n {
		return make([]uint64, n)
	}
	return b[:n]
}

func growInt(b []int64, n int) []int64 {
	if cap(b) < n {
		return make([]int64, n)
	}
	return b[:n]
}

// lineParaDups is what one pass over lines and paragraphs found.
type lineParaDups struct {
	lines, lineDups int
	lineDupChars    int64
	paras, paraDups int
	paraDupChars    int64
}

// dupLinesParas counts repeated lines and paragraphs in one pass, as
// datatrove's re.split("\n+") and re.split("\n{2,}", text.strip()) see
// them: a line is a segment between runs of newlines (blank lines are
// separators, not lines), a paragraph is a segment between runs of two or
// more newlines. A "\r" inside a run is tolerated so CRLF text splits the
// same. A paragraph's hash combines its lines' hashes, so the text is
// hashed once.
func dupLinesParas(text string) (r lineParaDups) {
	lt := getTable(len(text)/32 + 16)
	defer putTable(lt)
	pt := getTable(len(text)/128 + 16)
	defer putTable(pt)
	n := len(text)
	paraStart, paraHash := 0, uint64(0)
	endPara := func(end int) {
		r.paras++
		if cnt, _ := pt.add(mix64(paraHash), 0); cnt > 1 {
			r.paraDups++
			r.paraDupChars += int64(runeLen(text[paraStart:end]))
		}
		paraHash = 0
	}
	start := 0
	for start < n {
		end := start
		for end < n && text[end] != '\n' && text[end] != '\r' {
			end++
		}
		line := text[start:end]
		h := hashString(line)
		if end > start {
			r.lines++
			if cnt, _ := lt.add(h, 0); cnt > 1 {
				r.lineDups++
				r.lineDupChars += int64(runeLen(line))
			}
		}
		paraHash = paraHash*hashBase + h
		nl, j := 0, end
		for j < n && (text[j] == '\n' || text[j] == '\r') {
			if text[j] == '\n' {
				nl++
			}
			j++
		}
		if nl >= 2 || j == n {
			endPara(end)
			paraStart = j
		}
		start = j
	}
	if n == 0 || paraStart == n && r.paras == 0 {
		endPara(n) // an empty text is one empty paragraph, as re.split gives
	}
	return r
}

// countTokenWords counts tokens that are not only punctuation or symbols,
// stopping at limit: the caller only asks whether there are that many.
func countTokenWords(toks []token, limit int) int {
	n := 0
	for _, t := range toks {
		if t.flags&tokSymbol == 0 {
			n++
			if n >= limit {
				break
			}
		}
	}
	return n
}
