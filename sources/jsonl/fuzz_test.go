package jsonl

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/curate-dev/curate/internal/torture"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// FuzzReader: the JSONL reader never panics, every record error names a
// line, and no document holds more text than the input.
func FuzzReader(f *testing.F) {
	for _, s := range torture.Seeds(32<<10, []string{".jsonl"}, "../../testdata/sample/jsonl") {
		f.Add(s)
	}
	f.Add([]byte("{\"text\":\"a\\u0000b\"}\n{\"text\":1}\n{\"id\":{},\"text\":\"x\"}\n\xff\n{"))
	o := DefaultOptions()
	o.MaxLineBytes = 1 << 12
	s, err := New(o)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "in.jsonl")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := s.Open(sources.Unit{Input: sources.Input{Path: p, Size: int64(len(b))}, End: -1})
		if err != nil {
			return
		}
		defer r.Close()
		docs, skipped, _ := doc.ReadAll(r)
		for _, e := range skipped {
			if e.Record == "" {
				t.Fatalf("record error without a line: %v", e)
			}
		}
		for _, d := range docs {
			if len(d.Text) > len(b)*6 {
				t.Fatalf("document of %d bytes from %d of input", len(d.Text), len(b))
			}
		}
	})
}
