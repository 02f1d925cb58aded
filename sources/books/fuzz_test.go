package books

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/curate-dev/curate/internal/torture"
	"github.com/curate-dev/curate/pipeline/corpustest"
)

// FuzzParse: Gutenberg header/footer detection and decoding never panic,
// and the body is a part of the text.
func FuzzParse(f *testing.F) {
	for _, s := range torture.Seeds(64<<10, []string{".txt"}, "../../testdata/sample/books", corpustest.Root()+"/books") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		text, _, err := decode(raw)
		if err != nil {
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("decode gave invalid UTF-8")
		}
		b := Parse(text)
		if len(b.Body) > len(text) || !strings.Contains(text, strings.TrimSpace(b.Body)) && b.Body != "" && !b.Marked {
			t.Fatalf("body of %d bytes is not from the %d-byte text", len(b.Body), len(text))
		}
	})
}
