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

// Byte classes of the ASCII fast path.
const (
	clKeep byte = iota
	clUpper
	clSpace
	clPunct
	clDigit
)

var asciiClass = func() (t [128]byte) {
	for c := 0; c < 128; c++ {
		switch {
		case c >= 'A' && c <= 'Z':
			t[c] = clUpper
		case c >= '0' && c <= '9':
			t[c] = clDigit
		case c == ' ' || (c >= '\t' && c <= '\r'):
			t[c] = clSpace
		case c > ' ' && c < 127 && !(c >= 'a' && c <= 'z'):
			t[c] = clPunct
		}
	}
	return t
}()

// Append appends the normalised form of text to dst and returns it.
// It runs a byte-table loop over ASCII and decodes runes only where the
// text leaves ASCII, which is what keeps exact hashing past 300 MB/s.
func (n Normalization) Append(dst []byte, text string) []byte {
	if n.NFC && norm.NFC.QuickSpanString(text) != len(text) {
		text = norm.NFC.String(text)
	}
	// pendingSpace defers a space until the next kept character, so runs
	// collapse and the ends are trimmed without a second pass.
	pendingSpace := false
	start := len(dst)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch asciiClass[c] {
			case clSpace:
				if n.Whitespace {
					pendingSpace = len(dst) > start
					continue
				}
			case clPunct:
				if n.Punctuation {
					continue
				}
			case clUpper:
				if n.Lowercase {
					c += 'a' - 'A'
				}
			case clDigit:
				if n.Digits {
					c = '0'
				}
			}
			if pendingSpace {
				dst = append(dst, ' ')
				pendingSpace = false
			}
			dst = append(dst, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case n.Whitespace && unicode.IsSpace(r):
			pendingSpace = len(dst) > start
			continue
		case n.Punctuation && unicode.IsPunct(r):
			continue
		case n.Lowercase:
			r = unicode.ToLower(r)
		}
		if n.Digits && unicode.IsDigit(r) {
			r = '0'
		}
		if pendingSpace {
			dst = append(dst, ' ')
			pendingSpace = false
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}
