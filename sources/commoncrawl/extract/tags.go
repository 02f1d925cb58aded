package extract

import (
	"bytes"

	"golang.org/x/net/html/atom"
)

// rawTag splits a raw start or end tag ("<DIV class=x>", "</p>") into its
// lower-cased name (in *buf) and the bytes of its attributes.
func rawTag(raw []byte, buf *[]byte) (name, attrs []byte) {
	raw = bytes.TrimPrefix(raw, []byte("<"))
	raw = bytes.TrimPrefix(raw, []byte("/"))
	i := 0
	for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	return lowerASCII(raw[:i], buf), raw[i:]
}

func isTagSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func lowerASCII(s []byte, buf *[]byte) []byte {
	b := (*buf)[:0]
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	*buf = b
	return b
}

// nextAttr reads one attribute off the raw attribute bytes of a tag, the
// way the tokenizer does: key up to '=', space, '/' or '>', value quoted or
// up to a space or '>'. Values keep their character references (class,
// id and style need none decoded).
func nextAttr(s []byte) (key, val, rest []byte, ok bool) {
	for len(s) > 0 && (isTagSpace(s[0]) || s[0] == '/') {
		s = s[1:]
	}
	if len(s) == 0 || s[0] == '>' {
		return nil, nil, nil, false
	}
	i := 1 // a key may start with '='
	for i < len(s) && !isTagSpace(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/' {
		i++
	}
	key, s = s[:i], s[i:]
	j := 0
	for j < len(s) && isTagSpace(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != '=' {
		return key, nil, s, true
	}
	s = s[j+1:]
	for len(s) > 0 && isTagSpace(s[0]) {
		s = s[1:]
	}
	if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
		q := s[0]
		if k := bytes.IndexByte(s[1:], q); k >= 0 {
			return key, s[1 : 1+k], s[2+k:], true
		}
		return key, s[1:], nil, true
	}
	k := 0
	for k < len(s) && !isTagSpace(s[k]) && s[k] != '>' {
		k++
	}
	return key, s[:k], s[k:], true
}

// displayNone tells a style attribute that hides its element.
func displayNone(style []byte) bool {
	i := bytes.Index(style, []byte("display"))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(style[i+len("display"):], " ")
	if !bytes.HasPrefix(rest, []byte(":")) {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(rest[1:], " "), []byte("none"))
}

func voidAtom(a atom.Atom) bool {
	switch a {
	case atom.Br, atom.Img, atom.Hr, atom.Input, atom.Meta, atom.Link, atom.Wbr, atom.Source, atom.Area, atom.Col, atom.Base, atom.Param, atom.Track:
		return true
	}
	return false
}
