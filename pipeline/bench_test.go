package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// BenchmarkIngestBooks runs the whole ingest phase (read, strip, normalise,
// write Parquet) over every book in the corpus.
func BenchmarkIngestBooks(b *testing.B) {
	dir := corpustest.Dir(b, "books")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	var size int64
	for _, f := range files {
		st, _ := os.Stat(f)
		size += st.Size()
	}
	work := b.TempDir()
	cfg := configFor(b, work, fmt.Sprintf("output: %s/out\nsources:\n  - name: books\n    inputs: [%s/*.txt]\n    books: {}\n", work, dir))
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Run(context.Background(), cfg, RunOptions{Force: true}); err != nil {
			b.Fatal(err)
		}
	}
}
