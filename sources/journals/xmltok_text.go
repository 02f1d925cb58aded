package journals

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"
)

// charData returns the text up to the next '<', entities decoded.
func (t *tokenizer) charData() (xml.Token, error) {
	t.text = t.text[:0]
	spanned := false
	for {
		i := bytes.IndexByte(t.buf[t.pos:], '<')
		if i >= 0 {
			seg := t.buf[t.pos : t.pos+i]
			t.pos += i
			return t.finishText(seg, spanned)
		}
		// Text runs past the buffer: keep it and read on.
		t.text = append(t.text, t.buf[t.pos:]...)
		t.pos = len(t.buf)
		spanned = true
		if !t.fill() {
			if len(t.stack) > 0 || t.rerr != nil {
				return nil, t.endErr()
			}
			return t.finishText(nil, true)
		}
	}
}

func (t *tokenizer) finishText(seg []byte, spanned bool) (xml.Token, error) {
	if t.light {
		t.line += bytes.Count(seg, []byte{'\n'})
		if spanned {
			t.line += bytes.Count(t.text, []byte{'\n'})
		}
		return nil, nil
	}
	data := seg
	if spanned {
		t.text = append(t.text, seg...)
		data = t.text
	}
	t.line += bytes.Count(data, []byte{'\n'})
	if bytes.IndexByte(data, '&') >= 0 {
		dec, err := t.entities(data)
		if err != nil {
			return nil, err
		}
		data = dec
	}
	if bytes.IndexByte(data, '\r') >= 0 {
		// XML end-of-line handling: CRLF and lone CR read as LF.
		data = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	return xml.CharData(data), nil
}

// entities decodes character and entity references (XML's five and
// HTML's named ones, as encoding/xml with HTMLEntity does).
func (t *tokenizer) entities(s []byte) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for {
		i := bytes.IndexByte(s, '&')
		if i < 0 {
			return append(out, s...), nil
		}
		out = append(out, s[:i]...)
		s = s[i:]
		j := bytes.IndexByte(s, ';')
		if j < 0 || j > 40 {
			return nil, t.syntax("invalid character entity " + firstN(s, 12) + " (no semicolon)")
		}
		name := string(s[1:j])
		s = s[j+1:]
		switch {
		case strings.HasPrefix(name, "#x") || strings.HasPrefix(name, "#X"):
			n, err := strconv.ParseUint(name[2:], 16, 32)
			if err != nil || !utf8.ValidRune(rune(n)) {
				return nil, t.syntax("invalid character entity &" + name + ";")
			}
			out = utf8.AppendRune(out, rune(n))
		case strings.HasPrefix(name, "#"):
			n, err := strconv.ParseUint(name[1:], 10, 32)
			if err != nil || !utf8.ValidRune(rune(n)) {
				return nil, t.syntax("invalid character entity &" + name + ";")
			}
			out = utf8.AppendRune(out, rune(n))
		default:
			v, ok := predefined[name]
			if !ok {
				v, ok = xml.HTMLEntity[name]
			}
			if !ok {
				return nil, t.syntax("invalid character entity &" + name + ";")
			}
			out = append(out, v...)
		}
	}
}

var predefined = map[string]string{"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": `"`}

func firstN(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}
