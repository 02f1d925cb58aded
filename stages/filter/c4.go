package filter

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/curate-dev/curate/pipeline/doc"
)

// endsWithTerminal reports whether a line ends in terminal punctuation. C4
// and datatrove accept . ? ! " '; we also accept the closing curly quotes,
// guillemet and corner brackets and the full-width CJK marks, because
// typeset English (Gutenberg UTF-8 editions), French and Chinese/Japanese
// text end sentences with them and would otherwise lose every line.
func endsWithTerminal(line string) bool {
	if line == "" {
		return false
	}
	switch line[len(line)-1] {
	case '.', '?', '!', '"', '\'':
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(line)
	switch r {
	case '”', '’', '»', '。', '！', '？', '」', '』', '．':
		return true
	}
	return false
}

// isSentenceEnd is the set of marks that end a sentence inside a line.
func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '?', '!', '。', '！', '？', '．', '…':
		return true
	}
	return false
}

// countSentences approximates NLTK's punkt sent_tokenize, which datatrove
// runs on each kept line: a sentence ends at a run of terminal marks
// (optionally followed by closing quotes or brackets) that is followed by
// whitespace or the end of the line; trailing text without a mark is one
// more sentence. CJK marks end a sentence without a following space. Punkt
// also knows abbreviations ("Mr. Smith" is one sentence); this counts two,
// which only matters near the 5-sentence floor.
func countSentences(line string) int {
	n := 0
	inSentence := false
	for i := 0; i < len(line); {
		r, size := rune(line[i]), 1
		if r >= utf8.RuneSelf {
			r, size = decodeRune(line, i)
		}
		i += size
		if !isSentenceEnd(r) {
			if !isSpaceRune(r) {
				inSentence = true
			}
			continue
		}
		if !inSentence {
			continue
		}
		// Swallow the rest of the run and closing quotes/brackets.
		j := i
		for j < len(line) {
			r2, s2 := utf8.DecodeRuneInString(line[j:])
			if isSentenceEnd(r2) || strings.ContainsRune(`"')]}”’»」』`, r2) {
				j += s2
				continue
			}
			break
		}
		cjk := r >= 0x3000
		if j == len(line) || cjk || isSpaceRune(firstRune(line[j:])) {
			n++
			inSentence = false
		}
		i = j
	}
	if inSentence {
		n++
	}
	return n
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isSpaceRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r] == cSpace
	}
	return r == 0x85 || r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f || r == 0x3000
}

// removeCitations deletes [123], [] , [edit] and [citation needed] as
// datatrove's CITATION_REGEX `\[\d*]|\[edit]|\[citation needed]` does.
func removeCitations(line string) string {
	if strings.IndexByte(line, '[') < 0 {
		return line
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(line); i++ {
		if line[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(line) && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		end := -1
		switch {
		case j < len(line) && line[j] == ']':
			end = j + 1
		case strings.HasPrefix(line[i:], "[edit]"):
			end = i + len("[edit]")
		case strings.HasPrefix(line[i:], "[citation needed]"):
			end = i + len("[citation needed]")
		}
		if end < 0 {
			continue
		}
		b.WriteString(line[last:i])
		last = end
		i = end - 1
	}
	if last == 0 {
		return line
	}
	b.WriteString(line[last:])
	return b.String()
}

// countFields counts whitespace-separated words (Python's str.split()),
// reporting whether one is longer than maxLen code points (0 = no limit).
// With need > 0 it may stop once it has seen need words; the caller then
// must not rely on tooLong.
// Deliberate difference: a Han or Hiragana character counts as a word of
// its own, as in tokenize, so that Chinese and Japanese lines (no spaces)
// are not all "one word" and removed by min_words_per_line.
// hasLongRun reports whether line has more than limit bytes between two
// ASCII spaces. A word longer than limit code points is such a run (a word
// holds no space and has at least as many bytes as code points), so when
// there is none, no word can be too long and the full word count that the
// long-word check needs is skipped; the search uses vectorised IndexByte.
func hasLongRun(line string, limit int) bool {
	for len(line) > limit {
		i := strings.IndexByte(line, ' ')
		if i < 0 || i > limit {
			return true
		}
		line = line[i+1:]
	}
	return false
}

func countFields(line string, maxLen, need int) (n int, tooLong bool) {
	inWord := false
	wordLen := 0
	for i := 0; i < len(line); {
		if need > 0 && n >= need && !inWord {
			return n, false // enough words, and no long-word check asked
		}
		c := line[i]
		var space bool
		if c < utf8.RuneSelf {
			space = asciiClass[c] == cSpace
			i++
		} else {
			r, size := decodeRune(line, i)
			i += size
			if _, single := runeKind(r); single {
				n++
				inWord = false
				continue
			}
			space = isSpaceRune(r)
		}
		if space {
			inWord = false
			continue
		}
		if !inWord {
			n++
			inWord = true
			wordLen = 0
		}
		wordLen++
		if maxLen > 0 && wordLen > maxLen {
			tooLong = true
		}
	}
	return n, tooLong
}

// lowerASCII writes s lower-cased (ASCII letters only; every phrase C4
// matches is ASCII) into buf and returns it.
func lowerASCII(buf []byte, s string) []byte {
	buf = append(buf[:0], s...)
	// Eight bytes at a time (SWAR): per byte, the high bit of ge is set
	// when its low seven bits are >= 'A', of gt when they are > 'Z'; no
	// sum carries into the next byte. Bytes >= 0x80 are left alone.
	const ones, high = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(buf); i += 8 {
		v := binary.LittleEndian.Uint64(buf[i:])
		low := v &^ high
		ge := low + (0x80-'A')*ones
		gt := low + (0x80-'Z'-1)*ones
		if mask := ge &^ gt &^ v & high; mask != 0 {
			binary.LittleEndian.PutUint64(buf[i:], v|mask>>2) // 0x80>>2 = 'a'-'A'
		}
	}
	for ; i < len(buf); i++ {
		if c := buf[i]; c >= 'A' && c <= 'Z' {
			buf[i] = c + 'a' - 'A'
		}
	}
	return buf
}

// c4Stage cleans lines and drops documents as C4 does (datatrove's
// C4QualityFilter with split_paragraph=True): it rewrites d.Text to the
// kept lines joined by "\n".
type c4Stage struct {
	o      C4Options
	policy [][]byte
}

func newC4Stage(o C4Options) *c4Stage {
	s := &c4Stage{o: o}
	for _, p := range o.PolicySubstrings {
		s.policy = append(s.policy, []byte(p))
	}
	return s
}

func (s *c4Stage) Name() string { return "c4" }

// c4 line-removal reasons, in counter names "c4.lines_removed.<reason>".
const (
	c4TooLongWord = iota
	c4NoTerminal
	c4TooFewWords
	c4Javascript
	c4Policy
	c4Reasons
)

var c4ReasonNames = [c4Reasons]string{"too_long_word", "no_terminal_punct", "too_few_words", "javascript", "policy"}

// c4Scratch is per-call working memory, pooled.
type c4Scratch struct {
	lowerDoc []byte
	lower    []byte
	kept     []string
}

var c4Pool = sync.Pool{New: func() any { return new(c4Scratch) }}

func (s *c4Stage) Apply(d *doc.Document, c doc.Counter) string {
	if isCode(d.Language) {
		return ""
	}
	o := &s.o
	sc := c4Pool.Get().(*c4Scratch)
	defer c4Pool.Put(sc)
	var removed [c4Reasons]int64
	var removedChars int64
	sentences := 0
	dropRule := ""
	changed := false
	kept := sc.kept[:0]

	// Search the phrases once in the whole document: a line can only hold
	// a phrase the document holds, and most documents hold none, so the
	// per-line searches are skipped. (A citation marker removed from the
	// middle of a phrase can create one; such lines are always checked.)
	sc.lowerDoc = lowerASCII(sc.lowerDoc, d.Text)
	docLorem := o.FilterLoremIpsum && bytes.Contains(sc.lowerDoc, loremIpsum)
	docJS := o.FilterJavascript && bytes.Contains(sc.lowerDoc, javascript)
	docCurly := o.FilterCurlyBracket && strings.IndexByte(d.Text, '{') >= 0
	docPolicy := o.FilterPolicy && containsAny(sc.lowerDoc, s.policy)

	splitLines(d.Text, func(raw string) {
		if dropRule != "" {
			return
		}
		line := trimSpace(raw)
		// Only a line longer than max_word_length bytes can hold a longer
		// word, and only min_words_per_line words need counting otherwise.
		need := o.MinWordsPerLine
		checkLong := o.MaxWordLength > 0 && len(line) > o.MaxWordLength && hasLongRun(line, o.MaxWordLength)
		if checkLong {
			need = 0
		}
		words, tooLong := countFields(line, o.MaxWordLength, need)
		reason := -1
		cited := false
		switch {
		case checkLong && tooLong:
			reason = c4TooLongWord
		default:
			if o.RemoveCitations {
				if l2 := removeCitations(line); l2 != line {
					line = l2
					cited = true
				}
			}
			switch {
			case o.FilterNoTerminalPunct && (!endsWithTerminal(line) || strings.HasSuffix(line, "...")):
				reason = c4NoTerminal
			case o.MinWordsPerLine > 0 && words < o.MinWordsPerLine:
				reason = c4TooFewWords
			}
		}
		if reason < 0 && (docLorem || docJS || docCurly || docPolicy || cited) {
			sc.lower = lowerASCII(sc.lower, line)
			lower := sc.lower
			switch {
			case o.FilterLoremIpsum && bytes.Contains(lower, loremIpsum):
				dropRule = "lorem_ipsum"
				return
			case o.FilterJavascript && bytes.Contains(lower, javascript):
				reason = c4Javascript
			case o.FilterCurlyBracket && strings.IndexByte(line, '{') >= 0:
				dropRule = "curly_bracket"
				return
			case o.FilterPolicy && containsAny(lower, s.policy):
				reason = c4Policy
			}
		}
		if reason >= 0 {
			removed[reason]++
			removedChars += int64(runeLen(raw))
			changed = true
			return
		}
		if line != raw {
			changed = true
		}
		// Sentences only matter up to the minimum.
		if sentences < o.MinNumSentences {
			sentences += countSentences(line)
		}
		kept = append(kept, line)
	})
	sc.kept = kept[:0]
	defer clear(kept) // do not pin document text from the pool
	if dropRule != "" {
		return dropRule
	}
	if o.MinNumSentences > 0 && sentences < o.MinNumSentences {
		return "too_few_sentences"
	}
	total := int64(0)
	for i, n := range removed {
		if n > 0 {
			c.Add("c4.lines_removed."+c4ReasonNames[i], n)
			total += n
		}
	}
	if total > 0 {
		c.Add("c4.lines_removed", total)
		c.Add("c4.chars_removed", removedChars)
	}
	if changed {
		n := len(kept)
		for _, l := range kept {
			n += len(l)
		}
		var out strings.Builder
		out.Grow(n)
		for i, l := range kept {
			if i > 0 {
				out.WriteByte('\n')
			}
			out.WriteString(l)
		}
		d.Text = trimSpace(out.String())
	}
	return ""
}

var (
	loremIpsum = []byte("lorem ipsum")
	javascript = []byte("javascript")
)

func containsAny(s []byte, subs [][]byte) bool {
	for _, p := range subs {
		if bytes.Contains(s, p) {
			return true
		}
	}
	return false
}

// fineWebStage applies FineWeb's line rules (datatrove's FineWebQualityFilter).
type fineWebStage struct{ o FineWebOptions }

func (s *fineWebStage) Name() string { return "fineweb" }

// Apply uses the same terminal marks as C4 (see endsWithTerminal): FineWeb's
// stop characters . ' " ! ? plus typographic and CJK ones.
func (s *fineWebStage) Apply(d *doc.Document, c doc.Counter) string {
	if isCode(d.Language) {
		return ""
	}
	o := &s.o
	text := d.Text
	lines, punct, short, newlines := 0, 0, 0, 0
	nonNewline := 0
	tab := getTable(len(text)/32 + 16)
	defer putTable(tab)
	var dupChars int64
	// text.split("\n"): a trailing newline yields a final empty line.
	start := 0
	for {
		end := len(text)
		i := strings.IndexByte(text[start:], '\n')
		if i >= 0 {
			end = start + i
			newlines++
		}
		line := text[start:end]
		start = end + 1
		// Tolerate CRLF text: the "\r" is not part of the line's content.
		line = strings.TrimSuffix(line, "\r")
		lines++
		n := runeLen(line)
		nonNewline += n
		if endsWithTerminal(line) {
			punct++
		}
		if n <= o.ShortLineLength {
			short++
		}
		if trimSpace(line) != "" {
			if cnt, _ := tab.add(hashString(line), 0); cnt > 1 {
				dupChars += int64(n)
			}
		}
		if i < 0 {
			break
		}
	}
	ratio := float64(punct) / float64(lines)
	if o.LinePunctThr > 0 && ratio <= o.LinePunctThr && !(ratio == 0 && o.LinePunctExcludeZero) {
		return "line_punct_ratio"
	}
	if o.ShortLineThr > 0 && float64(short)/float64(lines) >= o.ShortLineThr {
		return "short_line_ratio"
	}
	if o.CharDuplicatesRatio > 0 && nonNewline > 0 && float64(dupChars)/float64(nonNewline) >= o.CharDuplicatesRatio {
		return "char_dup_ratio"
	}
	if o.NewLineRatio > 0 && newlines > 0 {
		// newlines/words ≤ ratio ⇔ words ≥ newlines/ratio.
		need := int(math.Ceil(float64(newlines) / o.NewLineRatio))
		if float64(newlines)/float64(need) > o.NewLineRatio {
			need++ // rounding
		}
		if !enoughTokens(text, need, false) {
			return "list_ratio"
		}
	}
	return ""
}
