package dedup

import (
	"unicode"
	"unicode/utf8"
)

// Word n-grams for decontamination (GPT-3's 13-gram overlap test). A word
// is a maximal run of letters, digits and marks, lower-cased, so case,
// punctuation and white space between words never change a hash: "The
// cat, sat." and "the CAT sat" have the same n-grams.

// DefaultNgram is GPT-3's decontamination n-gram length.
const DefaultNgram = 13

// rollBase is the odd multiplier of the polynomial rolling hash.
const rollBase = 0x9E3779B97F4A7C15

// Ngrammer hashes the word n-grams of texts. It keeps buffers between
// calls: one per goroutine.
type Ngrammer struct {
	n     int
	top   uint64 // rollBase^(n-1)
	words []wordSpan
}

// wordSpan is one word: its hash and its byte range in the text.
type wordSpan struct {
	h          uint64
	start, end int
}

// NewNgrammer hashes n-grams of n words (n >= 1).
func NewNgrammer(n int) *Ngrammer {
	top := uint64(1)
	for range n - 1 {
		top *= rollBase
	}
	return &Ngrammer{n: n, top: top}
}

// N is the n-gram length in words.
func (g *Ngrammer) N() int { return g.n }

// wordChar reports whether r is part of a word.
func wordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// fnv64 constants; a word's hash is FNV-1a of its lower-cased UTF-8,
// finished by fmix64 so the rolling sum mixes well.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Each calls fn for every n-gram of text, in order: its hash and the byte
// range from its first word's start to its last word's end. A text of
// fewer than n words has no n-gram. fn returns false to stop.
func (g *Ngrammer) Each(text string, fn func(h uint64, start, end int) bool) {
	// One pass: words go into a ring of the last n, and the rolling hash
	// drops the oldest as each new word comes in.
	if cap(g.words) < g.n {
		g.words = make([]wordSpan, g.n)
	}
	ring := g.words[:g.n]
	var roll uint64
	count, slot := 0, 0 // slot = count mod n, the oldest word once full
	add := func(h uint64, start, end int) bool {
		if count >= g.n {
			roll -= ring[slot].h * g.top
		}
		ring[slot] = wordSpan{h, start, end}
		roll = roll*rollBase + h
		count++
		if slot++; slot == g.n {
			slot = 0
		}
		if count >= g.n {
			return fn(fmix64(roll), ring[slot].start, end)
		}
		return true
	}
	h, start := uint64(fnvOffset), -1
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			default:
				if start >= 0 {
					if !add(h*fnvPrime, start, i) {
						return
					}
					start = -1
				}
				i++
				continue
			}
			if start < 0 {
				start, h = i, fnvOffset
			}
			h = (h ^ uint64(c)) * fnvPrime
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !wordChar(r) {
			if start >= 0 {
				if !add(h*fnvPrime, start, i) {
					return
				}
				start = -1
			}
			i += size
			continue
		}
		if start < 0 {
			start, h = i, fnvOffset
		}
		var buf [utf8.UTFMax]byte
		for _, b := range buf[:utf8.EncodeRune(buf[:], unicode.ToLower(r))] {
			h = (h ^ uint64(b)) * fnvPrime
		}
		i += size
	}
	if start >= 0 {
		add(h*fnvPrime, start, len(text))
	}
}
