// Package dedup holds curate's deduplication algorithms and their on-disk
// formats, with no pipeline imports: exact hashing of normalised text, URL
// normalisation, MinHash signatures and LSH band keys (FineWeb's defaults),
// sorted per-part signature files that range tasks merge into candidate
// pairs, union–find clustering of the pairs, and the deterministic choice of
// one survivor per cluster.
//
// The shape is datatrove's four-stage MinHash design: every ingest part
// writes its keys sorted by section (a MinHash band, the exact hash, the
// URL); one task per (section × hash range) merges every part's slice of
// that range and emits candidate pairs; one task clusters the pairs; one
// task per part applies the result. Sections are numbered so that span
// hashing (paragraph dedup, decontamination) can add its own later.
package dedup

import (
	"encoding/binary"
	"slices"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalization says what is done to a text before it is hashed, so that
// copies differing only in case, spacing or punctuation hash alike.
type Normalization struct {
	// NFC re-composes text that is not already NFC (curate's documents
	// are, so this is a cheap check).
	NFC bool `yaml:"nfc"`
	// Lowercase folds case (Unicode simple lower-casing).
	Lowercase bool `yaml:"lowercase"`
	// Whitespace collapses every run of white space to one space and trims
	// both ends.
	Whitespace bool `yaml:"whitespace"`
	// Punctuation removes punctuation: ASCII punctuation and symbols
	// (Python's string.punctuation) and every Unicode P* character.
	Punctuation bool `yaml:"punctuation"`
	// Digits replaces every decimal digit with 0 (datatrove's
	// norm_numbers), so pages differing only in dates or counts match.
	Digits bool `yaml:"digits"`
}

// DefaultNormalization is what the issue and FineWeb use: NFC, lower case,
// collapsed white space, no punctuation; digits kept.
func DefaultNormalization() Normalization {
	return Normalization{NFC: true, Lowercase: true, Whitespace: true, Punctuation: true}
}

// ASCII classes: a byte is dropped, is white space, or is kept (mapped).
const (
	asciiDrop byte = iota
	asciiSpace
	asciiKeep
)

// asciiTables map every ASCII byte to its class under n and to what it
// becomes when kept.
func (n Normalization) asciiTables() (class, out [128]byte) {
	for c := byte(0); c < 128; c++ {
		cl, o := asciiKeep, c
		switch {
		case c == ' ' || (c >= '\t' && c <= '\r'):
			if n.Whitespace {
				cl, o = asciiSpace, ' '
			}
		case c >= 'A' && c <= 'Z':
			if n.Lowercase {
				o = c + 'a' - 'A'
			}
		case c >= '0' && c <= '9':
			if n.Digits {
				o = '0'
			}
		case c > ' ' && c < 127 && !(c >= 'a' && c <= 'z'):
			if n.Punctuation {
				cl = asciiDrop
			}
		}
		class[c], out[c] = cl, o
	}
	return class, out
}

// isNFC reports whether text is NFC, asking the normaliser only about the
// non-ASCII runs (and the byte before each, which a combining mark may
// attach to): ASCII is NFC, and most text is mostly ASCII.
func isNFC(text string) bool {
	for i := 0; i < len(text); {
		// Skip ASCII eight bytes at a time.
		for i+8 <= len(text) && binary.LittleEndian.Uint64([]byte(text[i:i+8]))&0x8080808080808080 == 0 {
			i += 8
		}
		if i >= len(text) {
			break
		}
		if text[i] < utf8.RuneSelf {
			i++
			continue
		}
		// Typographic punctuation (curly quotes, dashes, ellipsis) is the
		// commonest non-ASCII in Latin-script text and never changes under
		// NFC nor combines with a neighbour: step over it without asking.
		for i+3 <= len(text) && text[i] == 0xe2 && text[i+1] == 0x80 && nfcInert[text[i+2]&0x3f] && text[i+2] >= 0x80 {
			i += 3
		}
		if i >= len(text) || text[i] < utf8.RuneSelf {
			continue
		}
		j := i
		for j < len(text) && text[j] >= utf8.RuneSelf {
			j++
		}
		// Include the rune before the run: a combining mark attaches to it.
		from := max(i-1, 0)
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
		if norm.NFC.QuickSpanString(text[from:j]) != j-from {
			return false
		}
		i = j
	}
	return true
}

// nfcInert marks, by the last byte's low six bits, the runes U+2010..U+203D
// encoded E2 80 xx that TestNFCInert proves are NFC, canonical-combining
// class 0 and a boundary on both sides: dashes, quotes, daggers, bullet,
// ellipsis, per-mille, primes.
var nfcInert = func() (t [64]bool) {
	for r := rune(0x2010); r <= 0x2027; r++ {
		t[r&0x3f] = true
	}
	for r := rune(0x2030); r <= 0x203d; r++ {
		t[r&0x3f] = true
	}
	// U+2017 and U+203E have compatibility mappings that make them no
	// boundary after; they go through the normaliser.
	t[0x2017&0x3f] = false
	return t
}()

// Append appends the normalised form of text to dst and returns it.
// ASCII goes through tables built for n without a data-dependent branch
// (the output index advances by arithmetic), and runes are decoded only
// where the text leaves ASCII: this is what keeps exact hashing fast.
func (n Normalization) Append(dst []byte, text string) []byte {
	if n.NFC && !isNFC(text) {
		text = norm.NFC.String(text)
	}
	class, mapped := n.asciiTables()
	start := len(dst)
	out := slices.Grow(dst, len(text)+utf8.UTFMax)
	out = out[:cap(out)]
	j := start
	// afterSpace is 1 when the last kept output is a space, or nothing has
	// been written: a space is then not written again, which collapses
	// runs and trims the start.
	afterSpace := 1
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			cl := class[c]
			out[j] = mapped[c]
			keep := int(cl >> 1) // 1 for asciiKeep
			space := int(cl & 1) // 1 for asciiSpace
			inc := keep | (space &^ afterSpace)
			j += inc
			// A space sets it, a kept byte clears it, a dropped one leaves it.
			afterSpace = space | (afterSpace &^ keep)
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case n.Whitespace && unicode.IsSpace(r):
			if afterSpace == 0 {
				out[j] = ' '
				j++
			}
			afterSpace = 1
			continue
		case n.Punctuation && unicode.IsPunct(r):
			continue
		case n.Lowercase:
			r = unicode.ToLower(r)
		}
		if n.Digits && unicode.IsDigit(r) {
			r = '0'
		}
		// Lower-casing can lengthen a rune: keep room for the rest.
		if need := j + utf8.UTFMax + (len(text) - i); need > len(out) {
			out = slices.Grow(out[:j], need-j)
			out = out[:cap(out)]
		}
		j += utf8.EncodeRune(out[j:], r)
		afterSpace = 0
	}
	if n.Whitespace && j > start && out[j-1] == ' ' {
		j--
	}
	return out[:j]
}
