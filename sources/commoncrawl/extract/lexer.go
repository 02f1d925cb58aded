package extract

import (
	"bytes"
	"html"

	xhtml "golang.org/x/net/html"
)

// lexer is the fast extractor's HTML tokenizer: the subset of the HTML
// standard's tokenization the extractor needs (tags with raw attribute
// bytes, text with character references decoded, comments, doctypes and
// processing instructions skipped, raw-text elements such as <script>
// read to their end tag), with no per-token allocation. It replaced
// golang.org/x/net/html's Tokenizer, which copies the page into its own
// buffer, reads it byte by byte through an io.Reader and clones every
// attribute key: about half of the extractor's time.
type lexer struct {
	b       []byte
	i       int
	rawEnd  []byte // after <script> etc.: the element's name, read as raw text up to its end tag
	rcdata  bool   // the raw text is RCDATA (<title>, <textarea>): references are decoded
	tok     []byte // the current token's bytes (tag with brackets, or text)
	decoded []byte // Text()'s buffer
	isText  bool
}

func newLexer(b []byte) *lexer { return &lexer{b: b} }

// rawTextTags are read as raw text up to their end tag, as the tokenizer
// of the HTML standard does (noscript too, for a browser with scripting).
var rawTextTags = map[string]bool{
	"script": true, "style": true, "xmp": true, "iframe": true, "noembed": true,
	"noframes": true, "noscript": true, "title": true, "textarea": true,
}

// Next advances to the next token; ErrorToken at the end of the page.
func (l *lexer) Next() xhtml.TokenType {
	for {
		if l.rawEnd != nil {
			end := l.findEndTag(l.rawEnd)
			l.tok, l.isText = l.b[l.i:end], true
			l.i = end
			l.rawEnd = nil
			if len(l.tok) > 0 {
				return xhtml.TextToken
			}
			continue
		}
		if l.i >= len(l.b) {
			return xhtml.ErrorToken
		}
		if l.b[l.i] != '<' {
			j := bytes.IndexByte(l.b[l.i:], '<')
			if j < 0 {
				j = len(l.b) - l.i
			}
			l.tok, l.isText, l.rcdata = l.b[l.i:l.i+j], true, true
			l.i += j
			return xhtml.TextToken
		}
		// l.b[l.i] == '<'
		rest := l.b[l.i+1:]
		switch {
		case bytes.HasPrefix(rest, []byte("!--")):
			end := bytes.Index(rest[3:], []byte("-->"))
			if end < 0 {
				l.i = len(l.b)
			} else {
				l.i += 1 + 3 + end + 3
			}
			continue
		case len(rest) > 0 && (rest[0] == '!' || rest[0] == '?'):
			l.skipTo('>')
			continue
		case len(rest) > 1 && rest[0] == '/' && isLetter(rest[1]):
			start := l.i
			l.skipTo('>')
			l.tok, l.isText = l.b[start:l.i], false
			return xhtml.EndTagToken
		case len(rest) > 1 && rest[0] == '/':
			l.skipTo('>') // "</ >", "</3": a bogus comment
			continue
		case len(rest) > 0 && isLetter(rest[0]):
			start := l.i
			if l.i = tagEnd(l.b, l.i+1); l.i < 0 {
				l.i = len(l.b) // a tag cut by the end of the page is dropped
				return xhtml.ErrorToken
			}
			l.tok, l.isText = l.b[start:l.i], false
			selfClosing := l.i-start >= 3 && l.b[l.i-2] == '/'
			n := 0
			for n < len(rest) && !isTagSpace(rest[n]) && rest[n] != '/' && rest[n] != '>' {
				n++
			}
			// As the standard says, "<script ... />" still opens raw text:
			// the self-closing flag means nothing on a non-void element.
			if name := rest[:n]; len(name) <= 8 {
				var buf [8]byte
				low := buf[:0]
				for _, c := range name {
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					}
					low = append(low, c)
				}
				if rawTextTags[string(low)] {
					l.rawEnd = append([]byte(nil), low...)
					l.rcdata = string(low) == "title" || string(low) == "textarea"
				}
			}
			if selfClosing {
				return xhtml.SelfClosingTagToken
			}
			return xhtml.StartTagToken
		default:
			// A '<' that starts no tag is text.
			j := bytes.IndexByte(l.b[l.i+1:], '<')
			if j < 0 {
				j = len(l.b) - l.i - 1
			}
			l.tok, l.isText, l.rcdata = l.b[l.i:l.i+1+j], true, true
			l.i += 1 + j
			return xhtml.TextToken
		}
	}
}

// Raw is the current token's bytes: "<div class=x>", "</p>", or text.
func (l *lexer) Raw() []byte { return l.tok }

// Text is the current text token with character references decoded
// (not inside <script>, <style> and the other raw-text elements).
func (l *lexer) Text() []byte {
	if !l.rcdata || bytes.IndexByte(l.tok, '&') < 0 {
		return l.tok
	}
	l.decoded = append(l.decoded[:0], html.UnescapeString(string(l.tok))...)
	return l.decoded
}

func (l *lexer) skipTo(c byte) {
	j := bytes.IndexByte(l.b[l.i:], c)
	if j < 0 {
		l.i = len(l.b)
		return
	}
	l.i += j + 1
}

// findEndTag returns where "</name" (any case, then a space, '/' or '>')
// starts after l.i, or the end of the page.
func (l *lexer) findEndTag(name []byte) int {
	for i := l.i; ; {
		j := bytes.Index(l.b[i:], []byte("</"))
		if j < 0 {
			return len(l.b)
		}
		k := i + j + 2
		if k+len(name) <= len(l.b) && bytes.EqualFold(l.b[k:k+len(name)], name) &&
			(k+len(name) == len(l.b) || isTagSpace(l.b[k+len(name)]) || l.b[k+len(name)] == '/' || l.b[k+len(name)] == '>') {
			return i + j
		}
		i = k
	}
}

// tagEnd returns the index after the '>' closing the tag whose name starts
// at i, skipping quoted attribute values; -1 when the page ends first.
func tagEnd(b []byte, i int) int {
	for i < len(b) {
		switch c := b[i]; c {
		case '>':
			return i + 1
		case '=':
			i++
			for i < len(b) && isTagSpace(b[i]) {
				i++
			}
			if i < len(b) && (b[i] == '"' || b[i] == '\'') {
				if k := bytes.IndexByte(b[i+1:], b[i]); k >= 0 {
					i += k + 2
					continue
				}
				return -1
			}
		default:
			i++
		}
	}
	return -1
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
