package wikipedia

import (
	"bytes"
	"io"
	"testing"

	"github.com/curate-dev/curate/internal/torture"
)

// FuzzWikitext: the converter ends (linearly, see matchers.go) and never
// panics on any page.
func FuzzWikitext(f *testing.F) {
	for _, s := range []string{"{{lang|en|x}} [[a|b]] '''bold''' <ref>r</ref>", "{|\n|a||b\n|}", "[[File:x.jpg|thumb|[[y]]]]", "{{{{{{", "]]]][[[[", "<nowiki>[[x]]</nowiki>", "==h==\n* li\n#: x"} {
		f.Add(s)
	}
	c := NewConverter([]string{"Datei"}, false)
	f.Fuzz(func(t *testing.T, s string) {
		c.Text(s)
	})
}

// FuzzXMLReader: the MediaWiki page scanner and page parser, over real
// dump text, never panic and never return a page past its input.
func FuzzXMLReader(f *testing.F) {
	f.Add([]byte("<mediawiki><siteinfo></siteinfo><page><title>T</title><ns>0</ns><id>1</id><revision><id>2</id><text>x</text></revision></page></mediawiki>"))
	f.Add([]byte("<page><title>&amp;&lt;</title><id>x</id><text bytes=\"1\">&#x1F600;&#99999999;</text></page><page>"))
	for _, s := range torture.Seeds(16<<10, []string{".xml"}, "testdata") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newPageScanner(bytes.NewReader(b))
		s.limit = 1 << 16
		parseSiteInfo(s.header())
		for i := 0; ; i++ {
			rp, err := s.next()
			if err == io.EOF || err != nil {
				return
			}
			if len(rp.body) > len(b) {
				t.Fatalf("page of %d bytes from %d of input", len(rp.body), len(b))
			}
			p, _ := parsePage(rp.body)
			unescapeXML(p.text)
		}
	})
}
