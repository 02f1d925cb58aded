package extract

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources/commoncrawl/extract/evalset"
)

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
		if !corpustest.Full() && len(pages) > n {
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
	pages := samplePages(t, 15)
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

var markupRe = regexp.MustCompile(`(?i)</?(div|span|p|a|script|style|img|br|table|td|li|ul|meta|link|iframe|noscript)\b[^>]*>|function\s*\(|\{\s*[a-z-]+\s*:\s*[^}]+;\s*\}|&(nbsp|amp|lt|gt|quot);`)

// TestCleanOutputOnRealPages checks, on real benchmark pages and for each
// extractor: no tags, scripts, styles or undecoded entities in the text
// (unless the page's truth shows them as text), known sentences of the
// truth present, the same bytes on a second run (determinism).
func TestCleanOutputOnRealPages(t *testing.T) {
	pages := samplePages(t, 15)
	for _, name := range []string{NameFast, NameTrafilatura} {
		x, err := New(name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			found, tried := 0, 0
			for bench, ps := range pages {
				for _, p := range ps {
					text, page := extractPage(t, x, p)
					if m := markupRe.FindString(text); m != "" && !strings.Contains(truthText(bench, p), m) {
						t.Errorf("%s %s: markup in text: %q", bench, p.ID, m)
					}
					if again, err := x.Extract(page, p.URL); err != nil || again.Text != text {
						t.Errorf("%s %s: second run differs", bench, p.ID)
					}
					// The longest line of the truth is the article's
					// core; it must come out (words compared, so
					// punctuation and spacing differences do not count).
					if s := longestLine(truthText(bench, p)); len(s) > 150 {
						tried++
						if strings.Contains(strings.Join(evalset.Words(text), " "), strings.Join(evalset.Words(s), " ")) {
							found++
						}
					}
				}
			}
			// Extraction is not perfect on every page; it must be on
			// nearly all.
			if tried == 0 || found*10 < tried*9 {
				t.Errorf("longest truth sentence found on %d of %d pages, want >= 90%%", found, tried)
			}
		})
	}
}

func longestLine(s string) string {
	best := ""
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); len(l) > len(best) {
			best = l
		}
	}
	return best
}

// TestFastDropsBoilerplate: menus, footers, cookie notes, share bars and
// comment sections of a page stay out; its article stays in.
func TestFastDropsBoilerplate(t *testing.T) {
	article := strings.Repeat("<p>The council met on Tuesday to discuss the new budget, which raises spending on schools, roads and parks by four percent.</p>\n", 6)
	page := `<html><head><title>Budget approved - City News</title><style>p{color:red}</style></head><body>
<header><nav class="main-menu"><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav></header>
<div class="cookie-banner">This website uses cookies to improve your experience.</div>
<div class="layout"><div class="sidebar"><h3>Most read</h3><ul><li><a href="/1">Mayor resigns after scandal</a></li><li><a href="/2">Storm hits coast</a></li></ul></div>
<article><h1>Budget approved</h1>` + article + `<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Tweet this</a></div></article>
<section id="comments"><h3>12 comments</h3><p>I think this budget is a disgrace and the council should resign, all of them.</p></section></div>
<footer><p>Copyright 2024 City News. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
<script>var x = "The council met";</script></body></html>`
	res, err := NewFast(Options{}).Extract([]byte(page), "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Text, "The council met on Tuesday to discuss the new budget, which raises spending on schools, roads and parks by four percent.") {
		t.Errorf("article missing:\n%s", res.Text)
	}
	for _, bad := range []string{"Home", "cookies", "Most read", "Mayor resigns", "Share on Facebook", "disgrace", "Copyright", "Privacy", "var x", "color:red"} {
		if strings.Contains(res.Text, bad) {
			t.Errorf("boilerplate %q in text:\n%s", bad, res.Text)
		}
	}
	if res.Title != "Budget approved - City News" {
		t.Errorf("title %q", res.Title)
	}
	if n := strings.Count(res.Text, "\n"); n != 5 {
		t.Errorf("%d line breaks, want 5 (one paragraph a line):\n%s", n, res.Text)
	}
}

func TestFastSpacing(t *testing.T) {
	tests := []struct{ html, want string }{
		{`<p>Open <strong>data</strong> that can be <strong>accessed</strong>.</p>`, "Open data that can be accessed."},
		{`<p>challenges&nbsp;and&nbsp;create</p>`, "challenges and create"},
		{`<p><em>challenges</em>&nbsp;and <b>create</b></p>`, "challenges and create"},
		{`<p>No<span>space</span> and <b>bo</b>ld</p>`, "Nospace and bold"},
		{`<p>line one<br>line two</p>`, "line one\nline two"},
		{`<h2>Title</h2><p>Body.</p><ul><li>one</li><li>two</li></ul>`, "Title\nBody.\none\ntwo"},
		{"<pre>x  =  1\ny = 2</pre>", "x  =  1\ny = 2"},
	}
	for _, tc := range tests {
		p := newParser(len(tc.html))
		p.parse([]byte("<body>" + tc.html + "</body>"))
		if got := p.allText(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.html, got, tc.want)
		}
	}
}

func TestFastTables(t *testing.T) {
	article := strings.Repeat("<p>The league table after the tenth round shows a close race at the top, with three teams level on points.</p>\n", 4)
	table := `<table><tr><th>Team</th><th>Points</th></tr><tr><td>Reds</td><td>21</td></tr><tr><td>Blues</td><td>21</td></tr></table>`
	page := "<html><body><article>" + article + table + "</article></body></html>"
	with, _ := NewFast(Options{IncludeTables: true}).Extract([]byte(page), "")
	if !strings.Contains(with.Text, "Team | Points\nReds | 21\nBlues | 21") {
		t.Errorf("tables kept: rows not rendered:\n%s", with.Text)
	}
	without, _ := NewFast(Options{}).Extract([]byte(page), "")
	if strings.Contains(without.Text, "Reds") || !strings.Contains(without.Text, "three teams level") {
		t.Errorf("tables dropped: got\n%s", without.Text)
	}
}

// TestFastPathological: deep nesting, thousands of unclosed inline tags
// and stray end tags come out as text without blowing up (a quadratic
// pass would make this test take minutes).
func TestFastPathological(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body>")
	for i := 0; i < 20000; i++ {
		b.WriteString("<div><p>Nested paragraph of ordinary text, with a comma.</p>")
	}
	for i := 0; i < 20000; i++ {
		b.WriteString("<font><span>unclosed inline text, again and again. ")
		b.WriteString("</div></td>")
	}
	res, err := NewFast(Options{}).Extract([]byte(b.String()), "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Text, "Nested paragraph of ordinary text, with a comma.") {
		t.Errorf("text lost: %.200q", res.Text)
	}
}
