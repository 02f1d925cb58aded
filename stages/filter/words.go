package filter

import (
	"math"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// token is one word or punctuation run found by tokenize. Offsets are byte
// offsets into the text; runes is the length in code points, which is what
// datatrove's len() measures and therefore what every ratio is built from.
type token struct {
	start, end int32
	runes      int32
	flags      uint8
}

const (
	tokAlpha    uint8 = 1 << iota // at least one letter (Python str.isalpha on any char)
	tokSymbol                     // only punctuation, symbols or controls (datatrove PUNCTUATION_SET)
	tokGapAfter                   // whitespace follows before the next token
)

// asciiClass classifies ASCII bytes once so the hot loop is a table look-up.
const (
	cSpace = 1 + iota
	cWord  // letter or digit
	cPunct // punctuation or symbol
	cCtrl  // other control characters (datatrove counts them as punctuation)
)

var asciiClass = func() (t [128]uint8) {
	for b := 0; b < 128; b++ {
		switch {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f' || (b >= 0x1c && b <= 0x1f):
			t[b] = cSpace
		case b >= '0' && b <= '9', b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
			t[b] = cWord
		case b < 0x20 || b == 0x7f:
			t[b] = cCtrl
		default:
			t[b] = cPunct
		}
	}
	return t
}()

// runeKind is the class of a non-ASCII rune, plus whether it forms a
// one-character word (Han, Hiragana: scripts written without spaces, where
// UAX #29 also breaks between every character) and whether it is a letter.
// Basic Multilingual Plane runes are looked up in bmpKind; the unicode
// package's range tables cost a binary search per rune, which made
// Greek, Cyrillic and Japanese text four times slower than English.
func runeKind(r rune) (class uint8, single bool) {
	if r < 0x10000 {
		k := bmpKind[r]
		return k & kindClass, k&kindSingle != 0
	}
	return slowRuneKind(r)
}

// isLetterRune is unicode.IsLetter with the same BMP table.
func isLetterRune(r rune) bool {
	if r < 0x10000 {
		return bmpKind[r]&kindLetter != 0
	}
	return unicode.IsLetter(r)
}

const (
	kindClass  = 0x0f
	kindSingle = 0x10
	kindLetter = 0x20
)

func slowRuneKind(r rune) (class uint8, single bool) {
	switch {
	case unicode.IsSpace(r):
		return cSpace, false
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r):
		return cWord, true
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r), unicode.IsNumber(r):
		return cWord, false
	case unicode.IsControl(r):
		return cCtrl, false
	default:
		// Punctuation, symbols and ideographic punctuation (。「」) all land
		// here; datatrove's PUNCTUATION_SET holds the common ones of them.
		return cPunct, false
	}
}

// bmpKind is built once at start-up (64 KiB) and only read afterwards.
var bmpKind = func() *[0x10000]uint8 {
	var t [0x10000]uint8
	for r := rune(0); r < 0x10000; r++ {
		var k uint8
		if r < utf8.RuneSelf {
			k = asciiClass[r]
		} else {
			class, single := slowRuneKind(r)
			k = class
			if single {
				k |= kindSingle
			}
		}
		if unicode.IsLetter(r) {
			k |= kindLetter
		}
		t[r] = k
	}
	return &t
}()

// tokenize splits text into words the way the NLTK/spaCy tokenizers behind
// datatrove's filters do, closely enough for ratio heuristics and without
// their cost: whitespace separates words; punctuation at either end of a
// chunk becomes its own token (a run of the same mark, like "..." or "--",
// stays one token); punctuation inside a chunk between letters or digits
// ("don't", "e-mail", "3.14") stays inside the word. Han and Hiragana
// characters are one word each (as UAX #29 word breaking does), so Chinese
// and Japanese text, which has no spaces, still yields a word count.
// Thai, Lao, Khmer and Burmese would need a dictionary segmenter; their runs
// stay whole, which only the word-length rule could notice, and that rule is
// per language and off unless configured.
//
// buf is reused to avoid an allocation per document.
func tokenize(text string, buf []token) []token {
	toks, _ := tokenizeCounting(text, buf)
	return toks
}

// tokenizeCounting is tokenize that also returns the number of whitespace
// code points it skipped, so that a caller gets len() of the text in code
// points (token runes + whitespace runes) without another pass.
func tokenizeCounting(text string, buf []token) ([]token, int) {
	if len(text) > math.MaxInt32 {
		// Token offsets are int32 to keep tokens small; a text over 2 GiB
		// is judged on its first 2 GiB rather than overflowing them.
		text = text[:math.MaxInt32]
	}
	toks := buf[:0]
	spaces := 0
	n := len(text)
	i := 0
	for i < n {
		// Read one rune and its class.
		c := text[i]
		var class uint8
		var single bool
		size := 1
		if c < utf8.RuneSelf {
			class = asciiClass[c]
		} else {
			var r rune
			r, size = decodeRune(text, i)
			class, single = runeKind(r)
		}
		switch class {
		case cSpace:
			if len(toks) > 0 {
				toks[len(toks)-1].flags |= tokGapAfter
			}
			i += size
			spaces++
			for i < n && text[i] == ' ' { // runs of spaces, common in web text
				i++
				spaces++
			}
		case cWord:
			if single {
				toks = append(toks, token{start: int32(i), end: int32(i + size), runes: 1, flags: tokAlpha})
				i += size
				continue
			}
			toks = appendWord(toks, text, i)
			i = int(toks[len(toks)-1].end)
		default:
			// A run of the same punctuation/control character is one token.
			j := i + size
			runes := int32(1)
			for j+size <= n && text[j:j+size] == text[i:i+size] {
				j += size
				runes++
			}
			toks = append(toks, token{start: int32(i), end: int32(j), runes: runes, flags: tokSymbol})
			i = j
		}
	}
	return toks, spaces
}

// byteInfo drives appendWord's ASCII loop: one table load per byte.
const (
	bWord  = 1 << iota // ASCII letter or digit
	bAlpha             // ASCII letter
	bInner             // punctuation kept inside a word when a word character follows
	bHigh              // first byte of a multi-byte rune
)

var byteInfo = func() (t [256]uint8) {
	for b := 0; b < 256; b++ {
		switch {
		case b >= utf8.RuneSelf:
			t[b] = bHigh
		case asciiClass[b] == cWord:
			t[b] = bWord
			if b > '9' {
				t[b] |= bAlpha
			}
		case asciiClass[b] == cPunct && !strings.ContainsRune("\"(),;", rune(b)):
			t[b] = bInner
		}
	}
	return t
}()

// appendWord scans a word starting at i (which holds a word character) and
// appends it. Inner punctuation is kept when a word character follows it
// (don't, e-mail, 3.14, U.S.A); otherwise the word ends there.
func appendWord(toks []token, text string, i int) []token {
	n := len(text)
	start := i
	extra := int32(0) // continuation bytes of multi-byte runes, so runes = bytes - extra
	var acc uint8     // OR of byteInfo over the word's ASCII bytes
	alpha := false
	for i < n {
		// Four ASCII word bytes per step: most words are mostly letters.
		for i+4 <= n {
			k0, k1, k2, k3 := byteInfo[text[i]], byteInfo[text[i+1]], byteInfo[text[i+2]], byteInfo[text[i+3]]
			if k0&k1&k2&k3&bWord == 0 {
				break
			}
			acc |= k0 | k1 | k2 | k3
			i += 4
		}
		if i >= n {
			break
		}
		k := byteInfo[text[i]]
		if k&bWord != 0 {
			acc |= k
			i++
			continue
		}
		if k&bInner != 0 {
			if i+1 < n && (byteInfo[text[i+1]]&bWord != 0 || byteInfo[text[i+1]]&bHigh != 0 && isWordStart(text, i+1)) {
				i++
				continue
			}
			break
		}
		if k&bHigh == 0 {
			break
		}
		r, size := decodeRune(text, i)
		if r < 0x10000 {
			// One look-up gives class, single and letter.
			kind := bmpKind[r]
			if kind&kindClass != cWord || kind&kindSingle != 0 {
				break
			}
			if kind&kindLetter != 0 {
				alpha = true
			}
		} else {
			class, single := slowRuneKind(r)
			if class != cWord || single {
				break
			}
			if unicode.IsLetter(r) {
				alpha = true
			}
		}
		i += size
		extra += int32(size - 1)
	}
	var f uint8
	if alpha || acc&bAlpha != 0 {
		f = tokAlpha
	}
	return append(toks, token{start: int32(start), end: int32(i), runes: int32(i-start) - extra, flags: f})
}

// isWordStart reports whether text[i:] begins with a (multi-character) word
// character.
func isWordStart(text string, i int) bool {
	c := text[i]
	if c < utf8.RuneSelf {
		return asciiClass[c] == cWord
	}
	r, _ := decodeRune(text, i)
	class, single := runeKind(r)
	return class == cWord && !single
}

// splitLines calls fn for every line of text the way Python's
// str.splitlines() cuts them for the breaks that occur in real text (\n,
// \r\n, \r, and U+2028/U+2029): no trailing empty line after a final break.
// Gopher's rules use it; FineWeb's use strings.Split(text, "\n") instead,
// as datatrove does.
func splitLines(text string, fn func(line string)) {
	// Most texts break lines with "\n" only: then the vectorised IndexByte
	// finds the breaks, instead of a byte-by-byte switch.
	if strings.IndexByte(text, '\r') < 0 && !strings.Contains(text, "\u2028") && !strings.Contains(text, "\u2029") {
		for {
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				break
			}
			fn(text[:i])
			text = text[i+1:]
		}
		if len(text) > 0 {
			fn(text)
		}
		return
	}
	start := 0
	n := len(text)
	for i := 0; i < n; i++ {
		switch text[i] {
		case '\n':
			fn(text[start:i])
			start = i + 1
		case '\r':
			fn(text[start:i])
			if i+1 < n && text[i+1] == '\n' {
				i++
			}
			start = i + 1
		case 0xe2: // U+2028 / U+2029 are E2 80 A8 / E2 80 A9
			if i+2 < n && text[i+1] == 0x80 && (text[i+2] == 0xa8 || text[i+2] == 0xa9) {
				fn(text[start:i])
				i += 2
				start = i + 1
			}
		}
	}
	if start < n {
		fn(text[start:])
	}
}

// decodeRune decodes the multi-byte rune at text[i] (text[i] >= 0x80).
// Document text is valid UTF-8 (the pipeline guarantees it), so the common
// two- and three-byte forms are assembled directly; anything else, or a
// sequence that does not check out, goes through utf8.DecodeRuneInString,
// whose general path cost a fifth of the chain on Greek, Cyrillic and
// Japanese text.
func decodeRune(text string, i int) (rune, int) {
	c := text[i]
	switch {
	case c >= 0xc2 && c < 0xe0 && i+1 < len(text):
		c1 := text[i+1]
		if c1&0xc0 == 0x80 {
			return rune(c&0x1f)<<6 | rune(c1&0x3f), 2
		}
	case c >= 0xe1 && c < 0xf0 && c != 0xed && i+2 < len(text):
		// E0 (overlong risk) and ED (surrogates) take the checked path.
		c1, c2 := text[i+1], text[i+2]
		if c1&0xc0 == 0x80 && c2&0xc0 == 0x80 {
			return rune(c&0x0f)<<12 | rune(c1&0x3f)<<6 | rune(c2&0x3f), 3
		}
	}
	return utf8.DecodeRuneInString(text[i:])
}

// runeLen is len() in code points with an ASCII fast path.
func runeLen(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i + utf8.RuneCountInString(s[i:])
		}
	}
	return len(s)
}

// trimSpace trims Unicode whitespace like Python's str.strip().
func trimSpaceLeft(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if asciiClass[c] != cSpace {
				return s
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		if !unicode.IsSpace(r) {
			return s
		}
		s = s[size:]
	}
	return s
}

func trimSpaceRight(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if asciiClass[c] != cSpace {
				return s
			}
			s = s[:len(s)-1]
			continue
		}
		r, size := utf8.DecodeLastRuneInString(s)
		if !unicode.IsSpace(r) {
			return s
		}
		s = s[:len(s)-size]
	}
	return s
}

func trimSpace(s string) string { return trimSpaceRight(trimSpaceLeft(s)) }

// hashString hashes s eight bytes at a time: deterministic across runs
// and machines (unlike hash/maphash's random seed), and only compared for
// equality after mix64, where a 64-bit collision is negligible.
func hashString(s string) uint64 {
	h := uint64(len(s)) * 0x9e3779b97f4a7c15
	for len(s) >= 8 {
		// The compiler merges these byte loads into one 64-bit load.
		v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ v) * 0xff51afd7ed558ccd
		h ^= h >> 32
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 0x100000001b3
	}
	return mix64(h)
}

// mix64 finalises a combined hash (SplitMix64's finaliser) so that n-gram
// hashes built by combining word hashes spread over the table.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// tokenPool recycles token buffers between documents.
var tokenPool = sync.Pool{New: func() any { b := make([]token, 0, 1024); return &b }}

func getTokens() *[]token { return tokenPool.Get().(*[]token) }

func putTokens(b *[]token) {
	if cap(*b) > 1<<22 {
		return // do not pin the buffer of one huge document
	}
	tokenPool.Put(b)
}
