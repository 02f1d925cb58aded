package extract

import (
	"flag"
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources/commoncrawl/extract/evalset"
)

var fullCorpus = flag.Bool("corpus.full", false, "run the real-page tests over every benchmark page, not a sample")

// samplePages returns up to n pages of each benchmark (all with
// -corpus.full), in the benchmark's ID order, so the default suite stays
// fast and deterministic.
func samplePages(t *testing.T, n int) map[string][]evalset.Page {
	t.Helper()
	root := corpustest.Dir(t, "html-eval")
	out := map[string][]evalset.Page{}
	for _, name := range evalset.All {
		pages, err := evalset.Load(root, name)
		if err != nil {
			t.Fatal(err)
		}
		if !*fullCorpus && len(pages) > n {
			// Every k-th page, to cover the portals of CleanPortalEval.
			k := len(pages) / n
			var picked []evalset.Page
			for i := 0; i < len(pages) && len(picked) < n; i += k {
				picked = append(picked, pages[i])
			}
			pages = picked
		}
		out[name] = pages
	}
	return out
}

func extractPage(t *testing.T, x Extractor, p evalset.Page) (text string, page []byte) {
	t.Helper()
	raw, err := evalset.ReadHTML(p.File)
	if err != nil {
		t.Fatal(err)
	}
	page, _ = ToUTF8(raw, "")
	res, err := x.Extract(page, p.URL)
	if err != nil {
		t.Fatalf("%s: %v", p.ID, err)
	}
	return res.Text, page
}

// joinedWords lists the words of text that are two adjacent words of the
// truth, separated there by whitespace, written together ("willappreciate"),
// when neither the truth nor the page's source has the joined form.
func joinedWords(truth, text string, page []byte) []string {
	idx := wordSpans(truth)
	known := map[string]bool{}
	for _, w := range evalset.Words(inlineText(page)) {
		known[w] = true
	}
	for _, s := range idx {
		known[truth[s[0]:s[1]]] = true
	}
	pairs := map[string]bool{}
	for i := 1; i < len(idx); i++ {
		between := truth[idx[i-1][1]:idx[i][0]]
		if strings.ContainsFunc(between, unicode.IsSpace) {
			pairs[truth[idx[i-1][0]:idx[i-1][1]]+truth[idx[i][0]:idx[i][1]]] = true
		}
	}
	var out []string
	for _, w := range evalset.Words(text) {
		if pairs[w] && !known[w] {
			out = append(out, w)
		}
	}
	return out
}

var tagRe = regexp.MustCompile(`</?([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)

// inlineText is the page's source with inline tags removed and every other
// tag replaced by a space: a word glued there is glued in the HTML itself
// ("Omar</a><span><img><a>Ilhan"), not by the extractor.
func inlineText(page []byte) string {
	return tagRe.ReplaceAllStringFunc(html.UnescapeString(string(page)), func(tag string) string {
		name := strings.ToLower(tagRe.FindStringSubmatch(tag)[1])
		if inlineTags[name] {
			return ""
		}
		return " "
	})
}

func wordSpans(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
		if w && start < 0 {
			start = i
		}
		if !w && start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// truthText is the plain text of a page's truth (CleanPortalEval's gold
// markers and URL line removed).
func truthText(name string, p evalset.Page) string {
	if name != evalset.CleanPortalEval {
		return p.Truth
	}
	var lines []string
	for _, l := range strings.Split(p.Truth, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "URL:") {
			continue
		}
		for _, m := range []string{"<p>", "<h>", "<l>"} {
			l = strings.ReplaceAll(l, m, " ")
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// TestNoWordsRunTogether runs each extractor over real benchmark pages and
// fails on any word of the ground truth that comes out glued to its
// neighbour (issue 14: inline-element and &nbsp; boundaries).
func TestNoWordsRunTogether(t *testing.T) {
	pages := samplePages(t, 25)
	for _, name := range []string{NameFast, NameTrafilatura} {
		x, err := New(name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			checked := 0
			for bench, ps := range pages {
				for _, p := range ps {
					text, page := extractPage(t, x, p)
					if j := joinedWords(truthText(bench, p), text, page); len(j) > 0 {
						t.Errorf("%s %s: words run together: %q", bench, p.ID, j)
					}
					checked += len(evalset.Words(text))
				}
			}
			if checked < 10000 {
				t.Errorf("only %d words extracted: the check checked little", checked)
			}
		})
	}
}
