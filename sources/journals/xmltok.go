package journals

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/net/html/charset"
)

// tokenizer is a streaming XML tokenizer for the JATS and PubMed readers.
// encoding/xml spent two thirds of their time in its tokenizer (a
// reflective, byte-at-a-time design); this one scans with bytes.IndexByte
// over a refilled buffer, yet still checks what makes a file broken:
// tags that do not match, unclosed elements at the end, unterminated
// markup, bad attribute syntax and unknown entities, reported as
// *xml.SyntaxError with the line. It returns encoding/xml's token types:
// StartElement (Name.Space is the prefix as written, not a namespace URL),
// EndElement and CharData (valid until the next call); comments,
// processing instructions and the DOCTYPE are skipped.
type tokenizer struct {
	src   io.Reader
	buf   []byte
	pos   int   // next unread byte in buf
	base  int64 // input offset of buf[0]
	eof   bool
	rerr  error // read error other than EOF
	line  int
	stack []string // open elements, as written (prefix:local)
	end   *xml.EndElement
	text  []byte              // scratch for char data spanning refills or holding entities
	names map[string]xml.Name // element and attribute names seen, so each is allocated once
	light bool                // skipping: no attributes, no entity decoding
}

const tokChunk = 64 << 10

// newTokenizer reads from br; a non-UTF-8 encoding in the XML declaration
// is decoded to UTF-8 first.
func newTokenizer(br *bufio.Reader) *tokenizer {
	var src io.Reader = br
	head, _ := br.Peek(256)
	if m := xmlEncRe.FindSubmatch(head); m != nil {
		enc := strings.ToLower(string(m[1]))
		if enc != "utf-8" && enc != "utf8" && enc != "us-ascii" && enc != "ascii" {
			if r, err := charset.NewReaderLabel(enc, br); err == nil {
				src = r
			}
		}
	}
	return &tokenizer{src: src, buf: make([]byte, 0, 4*tokChunk), line: 1, names: map[string]xml.Name{}}
}

var xmlEncRe = regexp.MustCompile(`^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']`)

// InputOffset is the input offset of the next unread byte.
func (t *tokenizer) InputOffset() int64 { return t.base + int64(t.pos) }

// fill reads more input, keeping buf[t.pos:]; false when nothing more
// comes.
func (t *tokenizer) fill() bool {
	if t.eof || t.rerr != nil {
		return false
	}
	if t.pos > 0 {
		n := copy(t.buf, t.buf[t.pos:])
		t.base += int64(t.pos)
		t.buf, t.pos = t.buf[:n], 0
	}
	if cap(t.buf)-len(t.buf) < tokChunk {
		nb := make([]byte, len(t.buf), 2*cap(t.buf)+tokChunk)
		copy(nb, t.buf)
		t.buf = nb
	}
	n, err := t.src.Read(t.buf[len(t.buf):cap(t.buf)])
	t.buf = t.buf[:len(t.buf)+n]
	if err == io.EOF {
		t.eof = true
	} else if err != nil {
		t.rerr = err
	}
	return n > 0 || (!t.eof && t.rerr == nil)
}

// find returns the index (in buf, after pos+from) of sep, reading as
// needed; -1 at the end of input.
func (t *tokenizer) find(from int, sep []byte) int {
	for {
		if i := bytes.Index(t.buf[t.pos+from:], sep); i >= 0 {
			return t.pos + from + i
		}
		from = max(len(t.buf)-t.pos-len(sep)+1, 0)
		if !t.fill() {
			return -1
		}
	}
}

func (t *tokenizer) syntax(msg string) error {
	return &xml.SyntaxError{Msg: msg, Line: t.line}
}

// endErr is the error for input that ends: the read error if any, else
// unexpected EOF inside an element.
func (t *tokenizer) endErr() error {
	if t.rerr != nil {
		return t.rerr
	}
	if len(t.stack) > 0 {
		return t.syntax("unexpected EOF")
	}
	return io.EOF
}

var (
	sepLT      = []byte("<")
	sepGT      = []byte(">")
	sepPI      = []byte("?>")
	sepComment = []byte("-->")
	sepCDATA   = []byte("]]>")
)

// Token returns the next element boundary or character data.
func (t *tokenizer) Token() (xml.Token, error) {
	if t.end != nil {
		e := *t.end
		t.end = nil
		return e, nil
	}
	for {
		if t.pos >= len(t.buf) && !t.fill() {
			return nil, t.endErr()
		}
		if t.buf[t.pos] != '<' {
			return t.charData()
		}
		// Markup: make sure a few bytes are there to tell which.
		for len(t.buf)-t.pos < 9 && t.fill() {
		}
		rest := t.buf[t.pos:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			if err := t.skipPast(sepPI, "unexpected EOF in processing instruction"); err != nil {
				return nil, err
			}
		case bytes.HasPrefix(rest, []byte("<!--")):
			if err := t.skipPast(sepComment, "unexpected EOF in comment"); err != nil {
				return nil, err
			}
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			i := t.find(9, sepCDATA)
			if i < 0 {
				return nil, t.syntax("unexpected EOF in CDATA section")
			}
			data := t.buf[t.pos+9 : i]
			t.line += bytes.Count(data, []byte{'\n'})
			t.pos = i + 3
			return xml.CharData(data), nil
		case bytes.HasPrefix(rest, []byte("<!")):
			if err := t.skipDoctype(); err != nil {
				return nil, err
			}
		case bytes.HasPrefix(rest, []byte("</")):
			return t.endTag()
		default:
			return t.startTag()
		}
	}
}

func (t *tokenizer) skipPast(sep []byte, msg string) error {
	i := t.find(2, sep)
	if i < 0 {
		return t.syntax(msg)
	}
	t.line += bytes.Count(t.buf[t.pos:i], []byte{'\n'})
	t.pos = i + len(sep)
	return nil
}

// skipDoctype skips <!DOCTYPE ...> with its internal subset, if any.
func (t *tokenizer) skipDoctype() error {
	depth, quote := 0, byte(0)
	for i := t.pos + 2; ; i++ {
		for i >= len(t.buf) {
			off := i - t.pos
			if !t.fill() {
				return t.syntax("unexpected EOF in DOCTYPE")
			}
			i = t.pos + off
		}
		c := t.buf[i]
		switch {
		case c == '\n':
			t.line++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			t.pos = i + 1
			return nil
		}
	}
}

// tagEnd finds the '>' closing the tag at pos, outside quoted attribute
// values.
func (t *tokenizer) tagEnd() int {
	quote := byte(0)
	for i := t.pos + 1; ; i++ {
		for i >= len(t.buf) {
			off := i - t.pos
			if !t.fill() {
				return -1
			}
			i = t.pos + off
		}
		c := t.buf[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		case c == '<':
			return -2
		}
	}
}

func (t *tokenizer) endTag() (xml.Token, error) {
	i := t.tagEnd()
	if i < 0 {
		return nil, t.syntax("unexpected EOF in end tag")
	}
	raw := bytes.TrimSpace(t.buf[t.pos+2 : i])
	t.line += bytes.Count(t.buf[t.pos:i], []byte{'\n'})
	t.pos = i + 1
	if len(t.stack) == 0 {
		return nil, t.syntax("unexpected end element </" + string(raw) + ">")
	}
	top := t.stack[len(t.stack)-1]
	if top != string(raw) {
		return nil, t.syntax("element <" + top + "> closed by </" + string(raw) + ">")
	}
	t.stack = t.stack[:len(t.stack)-1]
	if t.light {
		return nil, nil
	}
	return xml.EndElement{Name: t.name(raw)}, nil
}

// name interns a name: the map lookup with a converted []byte key does not
// allocate, so a file's few hundred distinct names cost one string each.
func (t *tokenizer) name(b []byte) xml.Name {
	if n, ok := t.names[string(b)]; ok {
		return n
	}
	n := splitName(string(b))
	if len(t.names) < 4096 { // JATS has a few hundred names; a hostile file may not
		t.names[string(b)] = n
	}
	return n
}

func splitName(s string) xml.Name {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return xml.Name{Space: s[:i], Local: s[i+1:]}
	}
	return xml.Name{Local: s}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.' || c >= 0x80
}

func (t *tokenizer) startTag() (xml.Token, error) {
	i := t.tagEnd()
	if i == -2 {
		return nil, t.syntax("unexpected < inside a tag")
	}
	if i < 0 {
		return nil, t.syntax("unexpected EOF in start tag")
	}
	tag := t.buf[t.pos+1 : i]
	t.line += bytes.Count(t.buf[t.pos:i], []byte{'\n'})
	t.pos = i + 1
	selfClose := len(tag) > 0 && tag[len(tag)-1] == '/'
	if selfClose {
		tag = tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && isNameByte(tag[n]) {
		n++
	}
	if n == 0 {
		return nil, t.syntax("expected element name after <")
	}
	qname := t.name(tag[:n])
	name := qname.Local
	if qname.Space != "" {
		name = qname.Space + ":" + qname.Local
	}
	se := xml.StartElement{Name: qname}
	rest := tag[n:]
	if t.light {
		rest = nil // attributes of skipped elements are not needed
	}
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		k := 0
		for k < len(rest) && isNameByte(rest[k]) {
			k++
		}
		if k == 0 {
			return nil, t.syntax(fmt.Sprintf("expected attribute name in element <%s>", name))
		}
		an := t.name(rest[:k])
		aname := an.Local
		rest = bytes.TrimLeft(rest[k:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '=' {
			return nil, t.syntax(fmt.Sprintf("attribute %s in <%s> has no value", aname, name))
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return nil, t.syntax(fmt.Sprintf("unquoted value of attribute %s in <%s>", aname, name))
		}
		q := bytes.IndexByte(rest[1:], rest[0])
		if q < 0 {
			return nil, t.syntax(fmt.Sprintf("unterminated value of attribute %s in <%s>", aname, name))
		}
		val := rest[1 : 1+q]
		rest = rest[2+q:]
		if bytes.IndexByte(val, '&') >= 0 {
			dec, err := t.entities(val)
			if err != nil {
				return nil, err
			}
			val = dec
		}
		se.Attr = append(se.Attr, xml.Attr{Name: an, Value: string(val)})
	}
	if selfClose {
		if !t.light {
			t.end = &xml.EndElement{Name: se.Name}
		}
	} else {
		t.stack = append(t.stack, name)
	}
	if t.light {
		if selfClose {
			return selfClosed, nil
		}
		return opened, nil
	}
	return se, nil
}

// Markers the light (skipping) mode returns for start tags.
type lightTag int

const (
	opened lightTag = iota + 1
	selfClosed
)

// Skip reads up to the end of the element whose start was just returned,
// still checking that tags match but without building tokens: reference
// lists and sub-articles are a third of a JATS file.
func (t *tokenizer) Skip() error {
	if t.end != nil { // the element was self-closing
		t.end = nil
		return nil
	}
	t.light = true
	defer func() { t.light = false }()
	depth := len(t.stack) - 1
	for len(t.stack) > depth {
		if _, err := t.Token(); err != nil {
			return eofIsEarly(err)
		}
	}
	return nil
}
