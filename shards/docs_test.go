package shards

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

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

func TestTokenShardRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewTokenWriter(f, WriterOptions{RowGroupBytes: 64 << 10, BatchBytes: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]uint32{}
	for i := 0; i < 500; i++ {
		ids := make([]uint32, i%97)
		for j := range ids {
			ids[j] = uint32(i*1000 + j)
		}
		id := fmt.Sprint("doc", i)
		want[id] = ids
		if err := w.Write(id, "web", ids); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if pf.NumRows() != 500 || pf.NumRowGroups() < 2 {
		t.Fatalf("rows %d, row groups %d", pf.NumRows(), pf.NumRowGroups())
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.NewGoAllocator())
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if got := tbl.Schema().Field(2).Type.String(); got != "list<element: uint32, nullable>" && got != "list<item: uint32, nullable>" {
		t.Errorf("input_ids type %s", got)
	}
	seen := 0
	for c := range tbl.Column(0).Data().Chunks() {
		ids := tbl.Column(0).Data().Chunk(c).(*array.String)
		lists := tbl.Column(2).Data().Chunk(c).(*array.List)
		vals := lists.ListValues().(*array.Uint32)
		for i := 0; i < ids.Len(); i++ {
			s, e := lists.ValueOffsets(i)
			got := vals.Uint32Values()[s:e]
			if fmt.Sprint(got) != fmt.Sprint(want[ids.Value(i)]) {
				t.Fatalf("row %d: %v want %v", i, got, want[ids.Value(i)])
			}
			seen++
		}
	}
	if seen != 500 {
		t.Fatalf("read %d rows", seen)
	}
}
