package evalset

import (
	"regexp"
	"sort"
	"strings"
)

// Scores are a benchmark's corpus-level figures.
type Scores struct {
	P, R, F1 float64
	Accuracy float64 // Scrapinghub only: share of documents whose token list equals the truth's
	Docs     int
}

// Score rates predictions (id -> text) against a benchmark's pages with
// the benchmark's own metric. A page missing from pred counts as empty.
func Score(name string, pages []Page, pred map[string]string) Scores {
	switch name {
	case Scrapinghub:
		truth := make(map[string]string, len(pages))
		for _, p := range pages {
			truth[p.ID] = p.Truth
		}
		return ShingleScore(truth, pred)
	case CleanPortalEval:
		var tp, fp, fn int
		for _, p := range pages {
			a, b, c := CleanEvalCounts(CleanEvalOutput(pred[p.ID]), p.Truth)
			tp, fp, fn = tp+a, fp+b, fn+c
		}
		s := prf(tp, fp, fn)
		s.Docs = len(pages)
		return s
	case L3S:
		var s Scores
		for _, p := range pages {
			d := WordAlignScore(p.Truth, pred[p.ID])
			s.P += d.P
			s.R += d.R
			s.F1 += d.F1
		}
		if n := float64(len(pages)); n > 0 {
			s.P, s.R, s.F1 = s.P/n, s.R/n, s.F1/n
		}
		s.Docs = len(pages)
		return s
	}
	return Scores{}
}

// wordRe is Python's Unicode \w+ as near as RE2 gets.
var wordRe = regexp.MustCompile(`[\p{L}\p{N}_]+`)

// Words splits text into \w+ tokens, as the Scrapinghub scorer does.
func Words(s string) []string { return wordRe.FindAllString(s, -1) }

// shingles counts the token 4-grams of a text (a text of 1-3 tokens gives
// one shorter shingle, an empty one none).
func shingles(tokens []string) map[string]int {
	out := map[string]int{}
	const n = 4
	if len(tokens) == 0 {
		return out
	}
	if len(tokens) < n {
		out[strings.Join(tokens, "\x00")]++
		return out
	}
	for i := 0; i+n <= len(tokens); i++ {
		out[strings.Join(tokens[i:i+n], "\x00")]++
	}
	return out
}

// ShingleScore is the article-extraction-benchmark metric: per document,
// multiset 4-gram shingle TP/FP/FN give precision and recall (both 1 when
// nothing is missing or extra); corpus precision and recall are the means
// over documents where they are defined, F1 their harmonic mean, accuracy
// the share of documents whose token list equals the truth's.
func ShingleScore(truth, pred map[string]string) Scores {
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var sumP, sumR float64
	var nP, nR, exact int
	for _, id := range ids {
		tt, pt := Words(truth[id]), Words(pred[id])
		if equalTokens(tt, pt) {
			exact++
		}
		ts, ps := shingles(tt), shingles(pt)
		var tp, fp, fn int
		for k, c := range ps {
			t := ts[k]
			tp += min(c, t)
			fp += max(c-t, 0)
		}
		for k, t := range ts {
			fn += max(t-ps[k], 0)
		}
		p, r := 0.0, 0.0
		if fp == 0 && fn == 0 {
			p, r = 1, 1
		} else {
			if tp+fp > 0 {
				p = float64(tp) / float64(tp+fp)
			}
			if tp+fn > 0 {
				r = float64(tp) / float64(tp+fn)
			}
		}
		if tp+fp > 0 {
			sumP += p
			nP++
		}
		if tp+fn > 0 {
			sumR += r
			nR++
		}
	}
	var s Scores
	if nP > 0 {
		s.P = sumP / float64(nP)
	}
	if nR > 0 {
		s.R = sumR / float64(nR)
	}
	if s.P+s.R > 0 {
		s.F1 = 2 * s.P * s.R / (s.P + s.R)
	}
	if len(ids) > 0 {
		s.Accuracy = float64(exact) / float64(len(ids))
	}
	s.Docs = len(ids)
	return s
}

func equalTokens(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// CleanEvalOutput writes extracted text the way CleanEval submissions
// are: each line a paragraph opened by a "<p>" marker.
func CleanEvalOutput(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			b.WriteString("<p>")
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var (
	urlLineRe = regexp.MustCompile(`(?m)^\s*URL.*$`)
	controlRe = regexp.MustCompile(`[\x00-\x1f\x7f]`)
	markerRe  = regexp.MustCompile(`<([phl])>`)
	spaceRe   = regexp.MustCompile(`[ \t\n\r\f\v]+`)
)

// cleanEvalTokens normalises a file as cleaneval.py does: URL lines go,
// control characters become spaces, each <p>/<h>/<l> marker starts a line,
// whitespace collapses, and the text splits on whitespace (so leading and
// trailing whitespace give empty-string tokens, and the markers stay
// tokens). Whitespace is ASCII only: the scorer is Python 2 on bytes.
func cleanEvalTokens(s string) []string {
	s = urlLineRe.ReplaceAllString(s, "")
	s = controlRe.ReplaceAllString(s, " ")
	s = markerRe.ReplaceAllString(s, "\n<$1>")
	s = spaceRe.ReplaceAllString(s, " ")
	return strings.Split(s, " ")
}

// CleanEvalCounts aligns an output with a gold file as the CleanEval
// scorer does (difflib.SequenceMatcher(None, output, gold), autojunk on)
// and returns the words matched (TP), only in the output (FP) and only
// in the gold (FN).
func CleanEvalCounts(output, gold string) (tp, fp, fn int) {
	a, b := cleanEvalTokens(output), cleanEvalTokens(gold)
	tp = matched(a, b, true)
	return tp, len(a) - tp, len(b) - tp
}

// WordAlignScore scores one L3S-GN1 document: \w+ words of output and
// truth aligned by longest matching blocks (difflib, no junk heuristic);
// P = matched/output words, R = matched/truth words. An empty truth and an
// empty output score 1.
func WordAlignScore(truth, output string) Scores {
	a, b := Words(output), Words(truth)
	if len(a) == 0 && len(b) == 0 {
		return Scores{P: 1, R: 1, F1: 1, Docs: 1}
	}
	tp := matched(a, b, false)
	return prf(tp, len(a)-tp, len(b)-tp)
}

func prf(tp, fp, fn int) Scores {
	ratio := func(x, y int) float64 {
		if y == 0 {
			return 1 // the CleanEval scorer's rule for a zero denominator
		}
		return float64(x) / float64(y)
	}
	s := Scores{P: ratio(tp, tp+fp), R: ratio(tp, tp+fn)}
	if s.P+s.R > 0 {
		s.F1 = 2 * s.P * s.R / (s.P + s.R)
	}
	return s
}
