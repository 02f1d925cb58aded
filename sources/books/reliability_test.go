package books

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// TestUTF16WithoutBOM re-encodes real books as UTF-16 with no byte-order
// mark: they used to come out as Latin-1 with NULs stripped, headers kept.
func TestUTF16WithoutBOM(t *testing.T) {
	dir := corpustest.Dir(t, "books")
	for _, name := range []string{"1342-0.txt", "20000-Lieues-sous-les-mers.txt"} {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, order := range []unicode.Endianness{unicode.LittleEndian, unicode.BigEndian} {
			u16, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(want))
			if err != nil {
				t.Fatal(err)
			}
			got, enc, err := decode(u16)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if enc != "utf-16-nobom" || got != want {
				t.Errorf("%s order %v: encoding %s, same text %v", name, order, enc, got == want)
			}
			if b := Parse(got); !b.Marked || strings.Contains(b.Body, "*** START OF") {
				t.Errorf("%s: Gutenberg header not found in the decoded text", name)
			}
		}
	}
	if _, _, err := decode([]byte("PK\x03\x04\x00\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")); err == nil || !strings.Contains(err.Error(), "not a text file") {
		t.Errorf("binary input: %v, want a clear failure", err)
	}
}
