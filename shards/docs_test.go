package shards

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/curate-dev/curate/pipeline/doc"
)

func sampleDocs(n int) []*doc.Document {
	docs := make([]*doc.Document, n)
	for i := range docs {
		docs[i] = &doc.Document{
			ID:            fmt.Sprintf("books/x.txt/%d", i),
			Source:        "books",
			Text:          strings.Repeat(fmt.Sprintf("word%d ", i), 50+i%17),
			URL:           fmt.Sprintf("https://example.org/%d", i),
			Language:      "en",
			LanguageScore: 0.5 + float32(i%50)/100,
			TokenCount:    int64(i % 3),
			Meta:          map[string]string{"title": fmt.Sprint("T", i), "author": "A", "z": "last"},
		}
	}
	return docs
}

func writeDocs(t testing.TB, path string, docs []*doc.Document, opts WriterOptions) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewDocWriter(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := w.Write(d, "gopher"); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDocRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		n    int
		opts WriterOptions
	}{
		{"empty", 0, WriterOptions{}},
		{"one", 1, WriterOptions{}},
		{"many row groups", 3000, WriterOptions{RowGroupBytes: 256 << 10, BatchBytes: 32 << 10}},
		{"with reason", 10, WriterOptions{WithReason: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.parquet")
			docs := sampleDocs(tc.n)
			writeDocs(t, path, docs, tc.opts)
			r, err := OpenDocs(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.NumRows() != int64(tc.n) {
				t.Fatalf("footer rows %d, want %d", r.NumRows(), tc.n)
			}
			for i := 0; ; i++ {
				d, err := r.Next()
				if err == io.EOF {
					if i != tc.n {
						t.Fatalf("read %d docs, want %d", i, tc.n)
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				want := docs[i]
				if d.ID != want.ID || d.Text != want.Text || d.URL != want.URL || d.Language != want.Language ||
					d.LanguageScore != want.LanguageScore || d.TokenCount != want.TokenCount || d.Source != want.Source {
					t.Fatalf("doc %d: got %+v want %+v", i, d, want)
				}
				if tc.opts.WithReason {
					if d.Meta[ColReason] != "gopher" {
						t.Fatalf("doc %d: reason %q", i, d.Meta[ColReason])
					}
					delete(d.Meta, ColReason)
				}
				if fmt.Sprint(d.Meta) != fmt.Sprint(want.Meta) {
					t.Fatalf("doc %d meta %v want %v", i, d.Meta, want.Meta)
				}
			}
		})
	}
}

func TestRowGroupsCutByBytesAndDictionaryOff(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.parquet")
	writeDocs(t, path, sampleDocs(3000), WriterOptions{RowGroupBytes: 256 << 10, BatchBytes: 32 << 10})
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	md := pf.MetaData()
	if md.NumRowGroups() < 5 {
		t.Fatalf("expected row groups cut by bytes, got %d", md.NumRowGroups())
	}
	for rg := 0; rg < md.NumRowGroups(); rg++ {
		rgm := md.RowGroup(rg)
		for c := 0; c < rgm.NumColumns(); c++ {
			cc, err := rgm.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			name := cc.PathInSchema().String()
			if (name == ColText || name == ColID) && cc.HasDictionaryPage() {
				t.Errorf("row group %d: column %s is dictionary-encoded", rg, name)
			}
			if cc.Compression().String() != "ZSTD" {
				t.Errorf("column %s compression %s", name, cc.Compression())
			}
			if name == ColLanguage {
				st, err := cc.Statistics()
				if err != nil || st == nil || !st.HasMinMax() {
					t.Errorf("column %s: statistics missing (%v)", name, err)
				}
			}
		}
	}
}

func TestWriterDeterministic(t *testing.T) {
	var outs [2][]byte
	for i := range outs {
		var buf bytes.Buffer
		w, err := NewDocWriter(&buf, WriterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range sampleDocs(500) {
			if err := w.Write(d, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		outs[i] = buf.Bytes()
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Fatal("same documents gave different bytes")
	}
}

func BenchmarkDocWriter(b *testing.B) {
	docs := sampleDocs(2000)
	var size int64
	for _, d := range docs {
		size += int64(len(d.Text))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewDocWriter(io.Discard, WriterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range docs {
			if err := w.Write(d, ""); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
