package books

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultCreditPatterns start the credit paragraphs Project Gutenberg
// volunteers put at the top of a body, after the START marker: who
// produced, transcribed, scanned or proofread the etext, from which
// edition, with whose thanks. They are matched, without regard to case,
// against the start of a paragraph.
var DefaultCreditPatterns = []string{
	`(this )?(e-?text|e-?book|file|edition) (was |has been |is )?(produced|prepared|transcribed|created|converted|scanned|digitized|proofread)`,
	`((html|e-?text|e-?book) )?(produced|prepared|transcribed|created|scanned|digitized|proofread|proof-read)( and [a-z-]+)*( \w+)? (by|from|at)\b`,
	`e-?text (prepared|produced|edited) by`,
	`(html|e-?text|e-?book|text) version (prepared |produced |created )?by`,
	`(special )?thanks (are )?(due )?to`,
	`we thank\b`,
	`nous remercions\b`,
	`the project gutenberg e-?(text|book) of`,
}

// creditScan bounds where front matter is looked for: the first
// paragraphs of the body, never past the first long prose paragraph.
const (
	creditParagraphs = 12
	creditMaxBytes   = 16 << 10
	// A credit paragraph is a few lines; a longer one is the book.
	creditParagraphBytes = 800
	// The first paragraph at least this long and without a match is prose:
	// scanning stops there so no later paragraph of the book is touched.
	proseParagraphBytes = 400
	// So does the first sentence: a paragraph of this many bytes or more
	// that ends like one (title lines and "by An Author" do not).
	sentenceBytes = 40
)

// compileCredits builds the matcher of paragraph starts.
func compileCredits(patterns []string) (*regexp.Regexp, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	for i, p := range patterns {
		if _, err := regexp.Compile(p); err != nil {
			return nil, fmt.Errorf("credit_patterns[%d]: %w", i, err)
		}
	}
	return regexp.Compile(`(?i)^\s*\(?(?:` + strings.Join(patterns, `|`) + `)`)
}

// stripCredits removes the credit paragraphs at the top of a body and
// returns the body and how many paragraphs went. Only whole paragraphs
// (blank-line separated) that start like a credit go; title lines, the
// author line and the first sentence of the book stay.
func stripCredits(body string, re *regexp.Regexp) (string, int) {
	if re == nil {
		return body, 0
	}
	var kept strings.Builder
	removed, off := 0, 0
	for n := 0; n < creditParagraphs && off < len(body) && off < creditMaxBytes; n++ {
		start, end, next := paragraphAt(body, off)
		if start == end {
			break // only blank lines left
		}
		para := body[start:end]
		if len(para) <= creditParagraphBytes && re.MatchString(para) {
			removed++
			off = next
			continue
		}
		if kept.Len() == 0 && isRule(para) {
			// "***" between the header's leftovers and the credits.
			off = next
			continue
		}
		kept.WriteString(body[off:next])
		off = next
		if len(para) >= proseParagraphBytes || isSentence(para) {
			break
		}
	}
	if removed == 0 {
		return body, 0
	}
	kept.WriteString(body[off:])
	return trimBlankLines(kept.String()), removed
}

// paragraphAt finds the paragraph at or after off: blank lines before it
// are skipped, it ends at the next blank line. next is where the following
// paragraph's search starts.
func paragraphAt(s string, off int) (start, end, next int) {
	start = off
	for start < len(s) {
		ln, nx := lineAt(s, start)
		if strings.TrimSpace(ln) != "" {
			break
		}
		start = nx
	}
	end = start
	next = start
	for next < len(s) {
		ln, nx := lineAt(s, next)
		if strings.TrimSpace(ln) == "" {
			break
		}
		end, next = next+len(ln), nx
	}
	return start, end, next
}

// isRule reports a paragraph of separator characters only.
func isRule(p string) bool {
	return strings.Trim(p, "*-_=~ \t\n") == ""
}

// isSentence reports a paragraph that reads as the book's own text: long
// enough, with spaces, ending in sentence punctuation.
func isSentence(p string) bool {
	p = strings.TrimRight(p, " \t\"'\u201d\u2019)")
	if len(p) < sentenceBytes || !strings.Contains(p, " ") {
		return false
	}
	switch p[len(p)-1] {
	case '.', '!', '?', ';':
		return !strings.HasSuffix(p, "...") || len(p) > 2*sentenceBytes
	}
	return false
}
