package extract

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Fast is a one-pass main-content extractor. A streaming pass over
// golang.org/x/net/html's tokenizer (no DOM) builds a light tree of block
// elements and the text blocks inside them, with link text, commas and
// class/id hints counted on the way. The tree is then scored the way the
// good extractors score it: each paragraph-sized block gives its parent
// and grandparent points for its length and commas, discounted by link
// density; containers gain or lose by their tag and class/id hints
// (article/content/post vs nav/footer/comment/sidebar/share). The best
// container and its strong siblings are kept, and inside them every block
// is filtered again by link density, hints and length. Headings,
// paragraphs, list items and table cells become lines; inline elements
// never swallow a space; &nbsp; is a space.
type Fast struct {
	opts Options
}

// NewFast builds the fast extractor.
func NewFast(o Options) *Fast { return &Fast{opts: o} }

// fnode is a block-level element of the light tree.
type fnode struct {
	parent   int32
	tag      atom.Atom
	hint     int8 // +1 content-like class/id/tag, -1 boilerplate-like
	skip     bool // inside an element whose text never counts (nav, footer, form...)
	score    float64
	textLen  int // characters of text in the subtree
	linkLen  int // of which inside links
	good     int // characters of paragraph-like text (long, few links, sentences)
	bad      int // characters of other text not marked boilerplate
	hasScore bool
}

// fblock is a run of text between block boundaries.
type fblock struct {
	node       int32 // innermost block element
	start, end int   // byte range in the text buffer
	linkLen    int
	kind       atom.Atom // tag of the innermost block element
	lineBreak  bool      // a <br> ended it: same paragraph, new line
	inTable    bool
}

type stackEntry struct {
	tag  atom.Atom
	node int32 // the fnode this element opened, or -1 for inline ones
	link bool
	pre  bool
}

// parser holds the state of one page's pass.
type parser struct {
	nodes  []fnode
	blocks []fblock
	stack  []stackEntry
	text   []byte // all block text, blocks index into it
	cur    int32  // innermost open block node
	start  int    // start of the block being filled
	link   int    // open <a> elements
	pre    int    // open <pre> elements
	table  int
	open   int  // open block elements
	space  bool // a collapsed space is pending
	linkN  int  // link characters of the current block
	title  []byte
	// ogTitle and h1 feed the page title: og:title, else <title> unless
	// the first <h1> is not part of it (a site name for a title).
	ogTitle, h1 []byte
	// dataTab caches dataTable's verdict per table node.
	dataTab map[int32]bool
	// hints caches hintOf by class and id: a page repeats its classes.
	hints   map[string]int8
	hintKey []byte
	// lastBlock is the index of each node's last block (built on demand).
	lastBlock []int32
	// nameBuf and keyBuf hold lower-cased tag and attribute names.
	nameBuf, keyBuf []byte
}

// Extract returns the main text of UTF-8 HTML.
func (f *Fast) Extract(page []byte, pageURL string) (Result, error) {
	p := newParser(len(page))
	if !p.parse(page) {
		p = newParser(len(page))
		p.parse(closeTitle(page))
	}
	return Result{Text: p.render(f.opts), Title: p.pageTitle()}, nil
}

func (p *parser) pageTitle() string {
	if t := bytes.TrimSpace(p.ogTitle); len(t) > 0 {
		return string(bytes.Join(bytes.Fields(t), []byte(" ")))
	}
	t := bytes.Join(bytes.Fields(p.title), []byte(" "))
	if len(p.h1) > 0 && !bytes.Contains(t, p.h1) {
		return string(p.h1)
	}
	return string(t)
}

func newParser(size int) *parser {
	p := &parser{text: make([]byte, 0, size/4)}
	p.nodes = append(p.nodes, fnode{parent: -1, tag: atom.Body})
	return p
}

// closeTitle ends an unclosed <title> at the first tag after it (rare:
// it costs a copy of the page).
func closeTitle(page []byte) []byte {
	lower := bytes.ToLower(page)
	i := bytes.Index(lower, []byte("<title"))
	if i < 0 {
		return page
	}
	j := bytes.IndexByte(page[i:], '>')
	if j < 0 {
		return page
	}
	j += i + 1
	k := bytes.IndexByte(page[j:], '<')
	if k < 0 {
		k = len(page) - j
	}
	k += j
	out := make([]byte, 0, len(page)+8)
	out = append(out, page[:k]...)
	out = append(out, "</title>"...)
	return append(out, page[k:]...)
}

// skipTags hold no visible main text; their whole subtree is skipped.
var skipTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Select: true, atom.Textarea: true, atom.Button: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Video: true,
	atom.Audio: true, atom.Map: true,
}

// headTags may appear in <head> without ending it; any other start tag
// ends it, as the HTML parser's "in head" mode does (pages without
// </head> or <body> are common).
var headTags = map[atom.Atom]bool{
	atom.Title: true, atom.Meta: true, atom.Link: true, atom.Style: true, atom.Script: true,
	atom.Base: true, atom.Noscript: true, atom.Template: true, atom.Head: true,
}

// blockAtoms start a new text block.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true,
	atom.Dt: true, atom.Dd: true, atom.Blockquote: true, atom.Pre: true, atom.Table: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true,
	atom.Caption: true, atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true,
	atom.Figure: true, atom.Figcaption: true, atom.Main: true, atom.Aside: true, atom.Nav: true,
	atom.Details: true, atom.Summary: true, atom.Address: true, atom.Center: true, atom.Form: true,
	atom.Fieldset: true, atom.Legend: true, atom.Body: true, atom.Html: true, atom.Menu: true,
	atom.Hr: true, atom.Dialog: true,
}

// boilerTags are block elements whose text is boilerplate by their tag.
var boilerTags = map[atom.Atom]bool{
	atom.Nav: true, atom.Footer: true, atom.Aside: true, atom.Form: true, atom.Menu: true,
	atom.Dialog: true, atom.Fieldset: true,
}

// parse runs the tokenizer over the page. It reports false when the page
// ended inside <title>: an unclosed <title> swallows the rest of the page
// as its text, which browsers show but the tokenizer cannot undo.
func (p *parser) parse(page []byte) bool {
	z := newLexer(page)
	skip := atom.Atom(0) // the skipped element, while inside one
	skipDepth := 0
	inTitle, inHead := false, false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			p.flush(false)
			return !inTitle
		case html.TextToken:
			if inTitle {
				p.title = append(p.title, z.Text()...)
				continue
			}
			if skip != 0 || inHead {
				continue
			}
			p.addText(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, attrs := rawTag(z.Raw(), &p.nameBuf)
			a := atom.Lookup(name)
			if skip != 0 {
				if a == skip && tt == html.StartTagToken {
					skipDepth++
				}
				continue
			}
			switch {
			case a == atom.Head:
				inHead = true
				continue
			case a == atom.Body:
				inHead = false
			case inHead && !headTags[a]:
				inHead = false
			}
			// "<script/>" opens raw text like "<script>" (the lexer reads it
			// to its end tag), so it opens the skip too.
			opens := tt == html.StartTagToken || rawTextTags[string(name)]
			if a == atom.Title && len(p.title) == 0 {
				inTitle = opens
				continue
			}
			if skipTags[a] {
				if opens {
					skip, skipDepth = a, 1
				}
				continue
			}
			var cls, id, content []byte
			hidden, ogTitle := false, false
			for {
				k, v, rest, ok := nextAttr(attrs)
				if !ok {
					break
				}
				attrs = rest
				switch string(lowerASCII(k, &p.keyBuf)) {
				case "class":
					cls = v
				case "id":
					id = v
				case "hidden":
					hidden = true
				case "aria-hidden":
					hidden = hidden || string(v) == "true"
				case "style":
					hidden = hidden || displayNone(v)
				case "property":
					ogTitle = a == atom.Meta && string(v) == "og:title"
				case "content":
					content = v
				}
			}
			if ogTitle && len(p.ogTitle) == 0 {
				p.ogTitle = append(p.ogTitle, html.UnescapeString(string(content))...)
			}
			if hidden && tt == html.StartTagToken && !voidAtom(a) {
				skip, skipDepth = a, 1
				continue
			}
			p.startTag(a, cls, id, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := rawTag(z.Raw(), &p.nameBuf)
			a := atom.Lookup(name)
			if inTitle && a == atom.Title {
				inTitle = false
				continue
			}
			if a == atom.Head {
				inHead = false
				continue
			}
			if skip != 0 {
				if a == skip {
					if skipDepth--; skipDepth == 0 {
						skip = 0
					}
				}
				continue
			}
			p.end(a)
		}
	}
}

// startTag opens an element.
func (p *parser) startTag(a atom.Atom, cls, id []byte, selfClosing bool) {
	switch a {
	case atom.Br:
		p.flush(true)
		return
	case atom.Hr:
		p.flush(false)
		return
	case atom.Img, atom.Wbr, atom.Input, atom.Meta, atom.Link, atom.Source, atom.Area, atom.Col, atom.Base:
		return
	}
	if !blockAtoms[a] {
		if selfClosing {
			return
		}
		e := stackEntry{tag: a, node: -1}
		if a == atom.A {
			e.link = true
			p.link++
		}
		p.stack = append(p.stack, e)
		return
	}
	// Implied end tags of the HTML parser's most common cases.
	switch a {
	case atom.P, atom.Div, atom.Ul, atom.Ol, atom.Table, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre:
		p.closeOpen(atom.P)
	case atom.Li:
		p.closeOpen(atom.Li)
	case atom.Dt, atom.Dd:
		p.closeOpen(atom.Dt)
		p.closeOpen(atom.Dd)
	case atom.Td, atom.Th:
		p.closeOpen(atom.Td)
		p.closeOpen(atom.Th)
	case atom.Tr:
		p.closeOpen(atom.Tr)
	}
	if p.open >= maxDepth {
		// Deeper nesting adds no structure worth scoring and would make
		// the per-block walks up the tree quadratic: flatten it.
		p.flush(false)
		return
	}
	p.flush(false)
	parent := p.cur
	n := fnode{parent: parent, tag: a, hint: p.hint(a, cls, id)}
	n.skip = p.nodes[parent].skip || boilerTags[a] || n.hint < -1
	p.nodes = append(p.nodes, n)
	idx := int32(len(p.nodes) - 1)
	if selfClosing {
		return
	}
	p.cur = idx
	p.open++
	e := stackEntry{tag: a, node: idx}
	if a == atom.Pre {
		e.pre = true
		p.pre++
	}
	if a == atom.Table {
		p.table++
	}
	p.stack = append(p.stack, e)
}

// hint is hintOf, cached per page by class and id.
func (p *parser) hint(a atom.Atom, cls, id []byte) int8 {
	if len(cls) == 0 && len(id) == 0 {
		return hintOf(a, nil, nil)
	}
	switch a {
	case atom.Html, atom.Body, atom.Article, atom.Main, atom.Nav, atom.Footer, atom.Aside, atom.Form, atom.Menu, atom.Dialog:
		return hintOf(a, cls, id)
	}
	k := append(append(append(p.hintKey[:0], cls...), 0), id...)
	p.hintKey = k
	if h, ok := p.hints[string(k)]; ok {
		return h
	}
	h := hintOf(a, cls, id)
	if p.hints == nil {
		p.hints = map[string]int8{}
	}
	p.hints[string(k)] = h
	return h
}

// maxDepth bounds the nesting of block elements the tree keeps.
const maxDepth = 200

// closeOpen closes an open element a when it is the innermost block (an
// unclosed <p> before a new <p>, an <li> before the next).
func (p *parser) closeOpen(a atom.Atom) {
	for i := len(p.stack) - 1; i >= 0; i-- {
		e := p.stack[i]
		if e.node < 0 {
			continue
		}
		if e.tag == a {
			p.end(a)
		}
		return
	}
}

// end closes the innermost open element a, and everything opened inside
// it; a stray end tag is ignored.
//
// The search is bounded, so unclosed tags cannot make a page quadratic: an
// inline end tag looks back 64 entries; a block end tag looks back over 64
// block elements and up to 4096 entries, passing unclosed inline ones
// (pages leave hundreds of <font> and <span> open).
func (p *parser) end(a atom.Atom) {
	block := blockAtoms[a]
	i, blocks := len(p.stack)-1, 0
	for ; i >= 0; i-- {
		e := p.stack[i]
		if e.tag == a {
			break
		}
		if e.node >= 0 {
			blocks++
		}
		if blocks > 64 || len(p.stack)-i > 4096 || (!block && len(p.stack)-i > 64) {
			return
		}
	}
	if i < 0 {
		return
	}
	if blockAtoms[a] {
		p.flush(false)
	}
	for j := len(p.stack) - 1; j >= i; j-- {
		e := p.stack[j]
		if e.link {
			p.link--
		}
		if e.pre {
			p.pre--
		}
		if e.tag == atom.Table && e.node >= 0 {
			p.table--
		}
		if e.node >= 0 {
			p.flush(false)
			p.cur = p.nodes[e.node].parent
			p.open--
		}
	}
	p.stack = p.stack[:i]
}

// addText appends decoded text to the current block, collapsing
// whitespace (every Unicode space, U+00A0 included) outside <pre>.
func (p *parser) addText(s []byte) {
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRune(s[i:])
		}
		i += size
		if p.pre > 0 && r == '\r' {
			continue // CRLF is a line break; the LF makes it
		}
		if p.pre > 0 && (r == '\n' || r == ' ' || r == '\t') {
			if r == '\n' {
				p.flush(true)
			} else {
				p.text = append(p.text, byte(r))
			}
			continue
		}
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || (r >= 0x80 && unicode.IsSpace(r)) {
			p.space = true
			continue
		}
		if p.space && len(p.text) > p.start {
			p.text = append(p.text, ' ')
		}
		p.space = false
		if c < utf8.RuneSelf {
			p.text = append(p.text, c)
		} else {
			p.text = utf8.AppendRune(p.text, r)
		}
		if p.link > 0 {
			p.linkN += size
		}
	}
}

// flush ends the current text block.
func (p *parser) flush(lineBreak bool) {
	if len(p.text) > p.start {
		b := fblock{node: p.cur, start: p.start, end: len(p.text), linkLen: p.linkN,
			kind: p.nodes[p.cur].tag, lineBreak: lineBreak, inTable: p.table > 0}
		p.blocks = append(p.blocks, b)
		if b.kind == atom.H1 && p.h1 == nil {
			p.h1 = p.text[b.start:b.end]
		}
	} else if lineBreak && len(p.blocks) > 0 {
		p.blocks[len(p.blocks)-1].lineBreak = true
	}
	p.start = len(p.text)
	p.linkN = 0
	p.space = false
}
