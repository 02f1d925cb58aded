package filter

import (
	"strings"
	"unicode/utf8"

	"github.com/curate-dev/curate/pipeline/doc"
)

// isCode reports whether langid tagged the document as source code.
func isCode(lang string) bool { return strings.HasPrefix(lang, "code:") }

// normLang maps the "unknown" spellings to "und".
func normLang(lang string) string {
	if lang == "" {
		return "und"
	}
	return lang
}

// lengthStage bounds characters and words.
type lengthStage struct{ o LengthOptions }

func (s *lengthStage) Name() string { return "length" }

func (s *lengthStage) Apply(d *doc.Document, c doc.Counter) string {
	o := s.o
	if o.MinChars > 0 || o.MaxChars > 0 {
		n := runeLen(trimSpace(d.Text))
		if o.MinChars > 0 && n < o.MinChars {
			return "length_too_few_chars"
		}
		if o.MaxChars > 0 && n > o.MaxChars {
			return "length_too_many_chars"
		}
	}
	if o.MinWords > 0 && o.MaxWords == 0 {
		if !enoughTokens(d.Text, o.MinWords, true) {
			return "length_too_few_words"
		}
	} else if o.MinWords > 0 || o.MaxWords > 0 {
		n := countWords(d.Text, o.MaxWords)
		if o.MinWords > 0 && n < o.MinWords {
			return "length_too_few_words"
		}
		if o.MaxWords > 0 && n > o.MaxWords {
			return "length_too_many_words"
		}
	}
	return ""
}

// countWords counts non-symbol tokens, stopping early past limit (0 = no
// limit) so a huge document is not tokenised in full just to be rejected.
func countWords(text string, limit int) int {
	buf := getTokens()
	defer putTokens(buf)
	toks := tokenize(text, (*buf)[:0])
	*buf = toks
	n := 0
	for _, t := range toks {
		if t.flags&tokSymbol == 0 {
			n++
			if limit > 0 && n > limit {
				break
			}
		}
	}
	return n
}

// enoughTokens reports whether text has at least min tokens (non-symbol
// tokens only if words is set). It tokenises growing prefixes cut at a
// space: whitespace always separates tokens, so a prefix's count is a lower
// bound, and most documents prove the bound on a small prefix.
func enoughTokens(text string, min int, words bool) bool {
	if min <= 0 {
		return true
	}
	if !words && asciiChunksAtLeast(text, min) {
		return true
	}
	buf := getTokens()
	defer putTokens(buf)
	for size := min * 8; ; size *= 4 {
		part := text
		if size < len(text) {
			if i := strings.IndexByte(text[size:], ' '); i >= 0 {
				part = text[:size+i]
			}
		}
		toks := tokenize(part, (*buf)[:0])
		*buf = toks
		n := len(toks)
		if words {
			n = 0
			for _, t := range toks {
				if t.flags&tokSymbol == 0 {
					n++
				}
			}
		}
		if n >= min {
			return true
		}
		if len(part) == len(text) {
			return false
		}
	}
}

// asciiChunksAtLeast reports whether text has at least min runs between
// ASCII whitespace that hold an ASCII non-space byte. Each such run yields
// at least one token, and no token spans ASCII whitespace, so this is a
// lower bound on the count of all tokens (not of words: a run of
// punctuation yields only symbol tokens). A byte loop with one table load
// per byte is several times cheaper than tokenising, and on text with
// spaces it proves the bound early; when it cannot, enoughTokens tokenises.
func asciiChunksAtLeast(text string, min int) bool {
	n := 0
	counted := false // the current run has been counted
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			continue
		}
		if asciiClass[c] == cSpace {
			counted = false
			continue
		}
		if !counted {
			counted = true
			n++
			if n >= min {
				return true
			}
		}
	}
	return false
}

// languageStage keeps allowed languages with enough confidence.
type languageStage struct {
	o        LanguageOptions
	allow    map[string]bool
	anyCode  bool
	allowAll bool
}

func newLanguageStage(o LanguageOptions) *languageStage {
	s := &languageStage{o: o, allow: map[string]bool{}, allowAll: len(o.Allow) == 0}
	for _, l := range o.Allow {
		if l == "code:*" {
			s.anyCode = true
		}
		s.allow[l] = true
	}
	return s
}

func (s *languageStage) Name() string { return "language" }

func (s *languageStage) Apply(d *doc.Document, c doc.Counter) string {
	lang := normLang(d.Language)
	code := isCode(lang)
	if !s.allowAll && !s.allow[lang] && !(code && s.anyCode) {
		return "language_not_allowed"
	}
	// Compared in float32, the score's own precision: 0.65 as float32 is
	// below 0.65 as float64, which would drop a document scored exactly 0.65.
	if !code && s.o.MinScore > 0 && d.LanguageScore < float32(s.o.MinScore) {
		return "language_score_low"
	}
	return ""
}

// placeholderStage drops deletion markers ("[removed]").
type placeholderStage struct{ texts []string }

func (s *placeholderStage) Name() string { return "placeholder" }

func (s *placeholderStage) Apply(d *doc.Document, c doc.Counter) string {
	if trimSpace(d.Text) == "" {
		return "placeholder_empty"
	}
	drop := false
	splitLines(d.Text, func(line string) {
		if drop {
			return
		}
		line = trimSpace(line)
		for _, t := range s.texts {
			if line == t {
				drop = true
				return
			}
		}
	})
	if drop {
		return "placeholder_removed"
	}
	return ""
}
