package journals

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/sources"
)

// tokenTrace renders a token stream for comparison: elements with their
// attributes, and character data with adjacent pieces joined (encoding/xml
// splits text at comments and CDATA, the tokenizer at comments only).
func tokenTrace(next func() (xml.Token, error)) (string, error) {
	var b, text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			fmt.Fprintf(&b, "T%q\n", text.String())
			text.Reset()
		}
	}
	for {
		tok, err := next()
		if err == io.EOF {
			flush()
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			fmt.Fprintf(&b, "S %s", t.Name.Local)
			for _, a := range t.Attr {
				fmt.Fprintf(&b, " %s=%q", a.Name.Local, a.Value)
			}
			b.WriteByte('\n')
		case xml.EndElement:
			flush()
			fmt.Fprintf(&b, "E %s\n", t.Name.Local)
		case xml.CharData:
			text.Write(t)
		}
	}
}

// TestTokenizerMatchesEncodingXML runs the tokenizer and encoding/xml
// (strict, HTML entities) over every XML file of the journals corpus: the
// same elements, attributes and text.
func TestTokenizerMatchesEncodingXML(t *testing.T) {
	_, inputs := corpusInputs(t)
	n := 0
	for _, in := range inputs {
		if !strings.HasSuffix(in, ".xml") && !strings.HasSuffix(in, ".nxml") && !strings.HasSuffix(in, ".xml.gz") {
			continue
		}
		n++
		raw := readAllStream(t, in)
		dec := xml.NewDecoder(bytes.NewReader(raw))
		dec.Strict, dec.Entity = true, xml.HTMLEntity
		want, err := tokenTrace(dec.Token)
		if err != nil {
			t.Fatalf("%s: encoding/xml: %v", in, err)
		}
		got, err := tokenTrace(newTokenizer(bufio.NewReader(bytes.NewReader(raw))).Token)
		if err != nil {
			t.Fatalf("%s: tokenizer: %v", in, err)
		}
		if got != want {
			g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
			for i := range min(len(g), len(w)) {
				if g[i] != w[i] {
					t.Errorf("%s: token %d:\n got %s\nwant %s", filepath.Base(in), i, g[i], w[i])
					break
				}
			}
			if len(g) != len(w) {
				t.Errorf("%s: %d tokens, encoding/xml %d", filepath.Base(in), len(g), len(w))
			}
		}
	}
	if n != 48 {
		t.Errorf("%d XML files compared, want 48", n)
	}
}

func readAllStream(t *testing.T, path string) []byte {
	t.Helper()
	st, err := sources.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := io.ReadAll(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTokenizerErrors: what makes XML broken is reported with its line.
func TestTokenizerErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<a>\n<b></c></a>", "line 2: element <b> closed by </c>"},
		{"<a><b>text", "line 1: unexpected EOF"},
		{"<a>\n\n<b x=1/></a>", "line 3: unquoted value of attribute x in <b>"},
		{"<a>&nosuch;</a>", "invalid character entity &nosuch;"},
		{"<a><!-- open", "unexpected EOF in comment"},
		{"<a></a></b>", "unexpected end element </b>"},
		{"<a x=\"1\" y></a>", "attribute y in <a> has no value"},
		{"<a <b></a>", "unexpected < inside a tag"},
		{"<a\n", "unexpected EOF in start tag"},
	} {
		_, err := tokenTrace(newTokenizer(bufio.NewReader(strings.NewReader(tc.in))).Token)
		var se *xml.SyntaxError
		if err == nil || !errors.As(err, &se) || !strings.Contains(fmt.Sprintf("line %d: %s", se.Line, se.Msg), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
	// Entities, CDATA, CRLF, a self-closing tag, a Latin-1 declaration.
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\r\n<!DOCTYPE a [<!ENTITY x \"y\">]><a k='&amp;&#233;'>caf\xe9 &lt;&nbsp;&#x3b1;\r\n<![CDATA[<raw>]]><br/></a>"
	got, err := tokenTrace(newTokenizer(bufio.NewReader(strings.NewReader(in))).Token)
	want := "T\"\\n\"\nS a k=\"&é\"\nT\"café <\\u00a0α\\n<raw>\"\nS br\nE br\nE a\n"
	if err != nil || got != want {
		t.Errorf("got %q, %v\nwant %q", got, err, want)
	}
}
