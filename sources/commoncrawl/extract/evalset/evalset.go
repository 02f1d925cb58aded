// Package evalset loads the three main-content extraction benchmarks of the
// shared corpus (html-eval/: Scrapinghub's article-extraction-benchmark,
// CleanPortalEval, L3S-GN1) and scores extracted text with each
// benchmark's own metric: 4-gram shingle precision/recall averaged per
// document (Scrapinghub), the CleanEval scorer's difflib word alignment
// (CleanPortalEval), and word-level alignment F1 over the headline and
// full-text spans (L3S-GN1). It imports nothing of the pipeline.
package evalset

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// Benchmark names, as the bench script prints them.
const (
	Scrapinghub     = "scrapinghub-aeb"
	CleanPortalEval = "cleanportaleval"
	L3S             = "l3s-gn1"
)

// All lists the benchmarks in report order.
var All = []string{Scrapinghub, CleanPortalEval, L3S}

// Page is one benchmark page: its raw bytes (gunzipped, not yet decoded to
// UTF-8) and its ground truth in the benchmark's own form.
type Page struct {
	ID    string // the benchmark's key (file stem)
	File  string // path of the input file
	URL   string
	Truth string
}

// Load reads a benchmark's pages and truth from the html-eval directory,
// sorted by ID.
func Load(htmlEvalDir, name string) ([]Page, error) {
	dir := filepath.Join(htmlEvalDir, name)
	var pages []Page
	var err error
	switch name {
	case Scrapinghub:
		pages, err = loadScrapinghub(dir)
	case CleanPortalEval:
		pages, err = loadCleanPortalEval(dir)
	case L3S:
		pages, err = loadL3S(dir)
	default:
		return nil, fmt.Errorf("unknown benchmark %q", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].ID < pages[j].ID })
	return pages, nil
}

// ReadHTML returns a page file's bytes, gunzipped when it is gzip.
func ReadHTML(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return b, nil
}

func loadScrapinghub(dir string) ([]Page, error) {
	truth, err := ReadPredictions(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, err
	}
	var urls map[string]struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(raw, &urls); err != nil {
		return nil, err
	}
	var pages []Page
	for id, body := range truth {
		pages = append(pages, Page{ID: id, File: filepath.Join(dir, "html", id+".html.gz"), URL: urls[id].URL, Truth: body})
	}
	return pages, nil
}

// ReadPredictions reads a Scrapinghub-style JSON file ({id: {articleBody}},
// optionally wrapped as {"version", "output"}) into id -> text.
func ReadPredictions(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, ok := top["output"]; ok && len(top) == 2 {
		if _, ok := top["version"]; ok {
			inner := top["output"]
			top = nil
			if err := json.Unmarshal(inner, &top); err != nil {
				return nil, fmt.Errorf("%s: output: %w", path, err)
			}
		}
	}
	out := make(map[string]string, len(top))
	for id, v := range top {
		var item struct {
			ArticleBody string `json:"articleBody"`
		}
		if err := json.Unmarshal(v, &item); err != nil {
			return nil, fmt.Errorf("%s: item %s: %w", path, id, err)
		}
		out[id] = item.ArticleBody
	}
	return out, nil
}

func loadCleanPortalEval(dir string) ([]Page, error) {
	files, err := filepath.Glob(filepath.Join(dir, "input", "*.html"))
	if err != nil {
		return nil, err
	}
	var pages []Page
	for _, f := range files {
		stem := strings.TrimSuffix(filepath.Base(f), ".html")
		gold, err := os.ReadFile(filepath.Join(dir, "GoldStandard", stem+".txt"))
		if err != nil {
			continue // the scorer skips files without gold
		}
		url := ""
		for _, l := range strings.Split(string(gold), "\n") {
			if u, ok := strings.CutPrefix(strings.TrimSpace(l), "URL:"); ok {
				url = strings.TrimSpace(u)
				break
			}
		}
		pages = append(pages, Page{ID: stem, File: f, URL: url, Truth: string(gold)})
	}
	return pages, nil
}

func loadL3S(dir string) ([]Page, error) {
	urls := map[string]string{}
	if raw, err := os.ReadFile(filepath.Join(dir, "url-mapping.txt")); err == nil {
		for _, l := range strings.Split(string(raw), "\n") {
			k, v, ok := strings.Cut(strings.TrimSpace(l), "\t")
			if ok {
				k = strings.TrimSuffix(strings.TrimPrefix(k, "<urn:uuid:"), ">")
				urls[k] = v
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "original", "*.html"))
	if err != nil {
		return nil, err
	}
	var pages []Page
	for _, f := range files {
		id := strings.TrimSuffix(filepath.Base(f), ".html")
		ann, err := os.ReadFile(filepath.Join(dir, "annotated", id+".html"))
		if err != nil {
			return nil, err
		}
		truth, err := L3STruth(ann)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		pages = append(pages, Page{ID: id, File: f, URL: urls[id], Truth: truth})
	}
	return pages, nil
}

// L3STruth collects the main-content truth of an L3S-GN1 annotated page:
// the text of the x-nc-sel1 (headline) and x-nc-sel2 (full text) spans,
// one span a line, skipping x-nc-invisible elements.
func L3STruth(annotated []byte) (string, error) {
	root, err := html.Parse(bytes.NewReader(annotated))
	if err != nil {
		return "", err
	}
	var lines []string
	var cur strings.Builder
	var walk func(n *html.Node, sel int)
	walk = func(n *html.Node, sel int) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "head":
				return
			}
			cls := attr(n, "class")
			if strings.Contains(cls, "x-nc-invisible") {
				return
			}
			for _, c := range strings.Fields(cls) {
				if s, ok := strings.CutPrefix(c, "x-nc-sel"); ok && len(s) == 1 && s[0] >= '0' && s[0] <= '5' {
					if cur.Len() > 0 {
						lines = append(lines, cur.String())
						cur.Reset()
					}
					for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
						walk(ch, int(s[0]-'0'))
					}
					if cur.Len() > 0 {
						lines = append(lines, cur.String())
						cur.Reset()
					}
					return
				}
			}
		}
		if n.Type == html.TextNode && (sel == 1 || sel == 2) {
			cur.WriteString(n.Data)
			cur.WriteByte(' ')
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, sel)
		}
	}
	walk(root, 0)
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n"), nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
