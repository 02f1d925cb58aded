package filter

import (
	"os"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// BenchmarkTokenize measures the word splitter alone on an English novel.
func BenchmarkTokenize(b *testing.B) {
	raw, err := os.ReadFile(corpustest.Dir(b, "books") + "/pg1342.txt")
	if err != nil {
		b.Fatal(err)
	}
	text := string(raw)
	var buf []token
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		buf = tokenize(text, buf[:0])
	}
}
