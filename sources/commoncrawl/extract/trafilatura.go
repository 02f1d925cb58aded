package extract

import (
	"bytes"
	"fmt"
	nurl "net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// Trafilatura runs go-trafilatura. go-trafilatura trims the text and tail
// of every node it keeps (its trim() collapses and strips whitespace,
// U+00A0 included), so "<b>will</b> appreciate" came out "willappreciate".
// Before extraction, whitespace at an inline-element boundary is therefore
// replaced by boundarySpace, which no trimming removes, and rendering turns
// it back into a space.
type Trafilatura struct {
	opts trafilatura.Options
}

// boundarySpace stands for whitespace at an inline boundary while
// go-trafilatura works. It is a Unicode noncharacter (reserved for a
// program's internal use, never in interchanged text; should a page carry
// one anyway it renders as a space) and not unicode.IsSpace.
const boundarySpace = "\uFDD0"

// NewTrafilatura builds the go-trafilatura extractor.
func NewTrafilatura(o Options) *Trafilatura {
	t := trafilatura.Options{
		ExcludeComments: !o.IncludeComments,
		ExcludeTables:   !o.IncludeTables,
		EnableFallback:  o.Fallback,
		// The page date comes from the WARC; htmldate is slow and unused.
		HtmlDateMode: trafilatura.Disabled,
	}
	switch strings.ToLower(o.Focus) {
	case "precision":
		t.Focus = trafilatura.FavorPrecision
	case "recall":
		t.Focus = trafilatura.FavorRecall
	}
	return &Trafilatura{opts: t}
}

// Extract parses UTF-8 HTML and returns its main text and title.
func (x *Trafilatura) Extract(page []byte, pageURL string) (Result, error) {
	if lower := bytes.ToLower(page); bytes.Contains(lower, []byte("<title")) && !bytes.Contains(lower, []byte("</title")) {
		// An unclosed <title> makes the rest of the page its text, which
		// go-trafilatura then emits, tags and all.
		page = closeTitle(page)
	}
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return Result{}, fmt.Errorf("parsing HTML: %w", err)
	}
	markBoundarySpaces(root)
	opts := x.opts
	if u, err := nurl.Parse(pageURL); err == nil {
		opts.OriginalURL = u
	}
	res, err := trafilatura.ExtractDocument(root, opts)
	if err != nil {
		return Result{}, err
	}
	text := ""
	if res.ContentNode != nil {
		text = RenderText(res.ContentNode)
	}
	if text == "" {
		text = strings.Join(strings.Fields(unmark(res.ContentText)), " ")
	}
	return Result{
		Text:  text,
		Title: strings.Join(strings.Fields(unmark(res.Metadata.Title)), " "),
		Lang:  res.Metadata.Language,
	}, nil
}

func unmark(s string) string { return strings.ReplaceAll(s, boundarySpace, " ") }

// inlineTags are the phrasing elements whose boundaries a space may sit at.
var inlineTags = map[string]bool{
	"a": true, "abbr": true, "acronym": true, "b": true, "bdi": true, "bdo": true, "big": true,
	"cite": true, "code": true, "data": true, "del": true, "dfn": true, "em": true, "font": true,
	"i": true, "img": true, "ins": true, "kbd": true, "label": true, "mark": true, "q": true,
	"s": true, "samp": true, "small": true, "span": true, "strike": true, "strong": true,
	"sub": true, "sup": true, "time": true, "tt": true, "u": true, "var": true, "wbr": true,
}

func isInline(n *html.Node) bool {
	return n != nil && n.Type == html.ElementNode && inlineTags[n.Data]
}

// markBoundarySpaces drops <noscript>, <iframe>, <noembed> and <noframes>
// and replaces the leading or trailing whitespace of a text
// node by boundarySpace where it separates the text from inline content
// (a sibling inline element, or the edge of an inline parent with content
// on the other side), and a whitespace-only node between two inline
// siblings by a single boundarySpace. Whitespace next to block elements
// is left alone: blocks break lines anyway.
func markBoundarySpaces(n *html.Node) {
	for c, next := n.FirstChild, (*html.Node)(nil); c != nil; c = next {
		next = c.NextSibling
		switch c.Type {
		case html.ElementNode:
			switch c.Data {
			case "noscript", "iframe", "noembed", "noframes":
				// Their content is one raw text node of markup (noscript
				// parsed with scripting on), never shown, which
				// go-trafilatura would emit.
				n.RemoveChild(c)
				continue
			case "script", "style", "pre", "textarea", "head", "title":
				continue
			case "br":
				// go-trafilatura drops some <br>s ("51<br>Nevada" came
				// out "51Nevada"); what follows one starts a word.
				markAfterBreak(c)
				continue
			}
			markBoundarySpaces(c)
		case html.TextNode:
			c.Data = markText(c)
		}
	}
}

func markAfterBreak(br *html.Node) {
	next := br.NextSibling
	switch {
	case next == nil:
	case next.Type == html.TextNode:
		if !strings.HasPrefix(next.Data, boundarySpace) {
			next.Data = boundarySpace + strings.TrimLeftFunc(next.Data, unicode.IsSpace)
		}
	case next.Type == html.ElementNode:
		br.Parent.InsertBefore(&html.Node{Type: html.TextNode, Data: boundarySpace}, next)
	}
}

func markText(t *html.Node) string {
	s := t.Data
	lead := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	if lead == 0 && !strings.ContainsFunc(s, unicode.IsSpace) {
		return s
	}
	before := isInline(t.PrevSibling) || (t.PrevSibling == nil && isInline(t.Parent) && t.Parent.PrevSibling != nil)
	after := isInline(t.NextSibling) || (t.NextSibling == nil && isInline(t.Parent) && t.Parent.NextSibling != nil)
	if lead == len(s) { // whitespace only
		if before && after {
			return boundarySpace
		}
		return s
	}
	trail := len(s) - len(strings.TrimRightFunc(s, unicode.IsSpace))
	out := s
	if trail > 0 && after {
		out = out[:len(out)-trail] + boundarySpace
	}
	if lead > 0 && before {
		out = boundarySpace + out[lead:]
	}
	return out
}

// blockTags end a line in rendered text. go-trafilatura's ContentText joins
// every paragraph with a space, which would leave line-based quality rules
// (Gopher, C4) one line per page; rendering its content tree instead keeps
// one line per paragraph, heading, list item or table row, as the Python
// trafilatura's text output (FineWeb's input) does.
var blockTags = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "ul": true, "ol": true, "dl": true, "dt": true, "dd": true, "blockquote": true,
	"pre": true, "table": true, "tr": true, "section": true, "article": true, "header": true,
	"footer": true, "figure": true, "figcaption": true, "hr": true, "main": true, "aside": true,
	"details": true, "summary": true, "address": true, "center": true,
}

// RenderText turns a content tree into plain text: block elements break
// lines, inline elements never swallow a space, every Unicode space
// (U+00A0 included) is a space.
func RenderText(n *html.Node) string {
	var b strings.Builder
	space := false // a collapsed space is pending
	newline := func() {
		if b.Len() > 0 {
			if s := b.String(); s[len(s)-1] != '\n' {
				b.WriteByte('\n')
			}
		}
		space = false
	}
	var walk func(n *html.Node, pre bool)
	walk = func(n *html.Node, pre bool) {
		switch n.Type {
		case html.TextNode:
			data := unmark(n.Data)
			if pre {
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteString(data)
				return
			}
			for i, f := range strings.Fields(data) {
				if i > 0 || space || startsSpace(data) {
					if s := b.String(); len(s) > 0 && s[len(s)-1] != '\n' && s[len(s)-1] != ' ' {
						b.WriteByte(' ')
					}
				}
				b.WriteString(f)
				space = false
			}
			space = space || endsSpace(data)
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "head", "title", "iframe", "noembed", "noframes":
				return
			case "br":
				newline()
				return
			case "td", "th":
				if s := b.String(); len(s) > 0 && s[len(s)-1] != '\n' {
					b.WriteString(" | ")
				}
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			newline()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, pre || (n.Type == html.ElementNode && n.Data == "pre"))
		}
		if block {
			newline()
		}
	}
	walk(n, false)
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func startsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && unicode.IsSpace(r)
}

func endsSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return s != "" && unicode.IsSpace(r)
}
