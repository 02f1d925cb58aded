package dedup

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

func ngrams(g *Ngrammer, text string) (hs []uint64, spans []string) {
	g.Each(text, func(h uint64, start, end int) bool {
		hs = append(hs, h)
		spans = append(spans, text[start:end])
		return true
	})
	return
}

func TestNgramsIgnoreCasePunctuationSpace(t *testing.T) {
	g := NewNgrammer(3)
	base, spans := ngrams(g, "the cat sat on the mat")
	if len(base) != 4 || spans[0] != "the cat sat" || spans[3] != "on the mat" {
		t.Fatalf("spans %q", spans)
	}
	for _, v := range []string{
		"The CAT, sat -- on\n\tthe   mat!",
		"  «the» cat; sat... ON the (mat)",
		"THE\u00a0CAT\u2003SAT on the mat",
	} {
		if got, _ := ngrams(g, v); !slices.Equal(got, base) {
			t.Errorf("%q: n-grams differ from the plain text's", v)
		}
	}
	// Word order and word boundaries count.
	for _, v := range []string{"the sat cat on the mat", "thecat sat on the mat"} {
		if got, _ := ngrams(g, v); slices.Equal(got, base) {
			t.Errorf("%q: same n-grams as a different text", v)
		}
	}
	if got, _ := ngrams(g, "two words"); len(got) != 0 {
		t.Errorf("a text shorter than n has %d n-grams", len(got))
	}
	// Non-Latin scripts: letters and marks are words, lower-cased.
	if a, _ := ngrams(g, "Ὀδυσσεύς ΚΑΙ Πηνελόπη"); len(a) != 1 {
		t.Errorf("greek: %d n-grams", len(a))
	} else if b, _ := ngrams(g, "ὀδυσσεύς και πηνελόπη"); !slices.Equal(a, b) {
		t.Error("greek: case changes the n-gram")
	}
}

func TestEvalIndexMatches(t *testing.T) {
	b := NewEvalIndexBuilder(4)
	b.AddSet("one")
	b.Add("alpha beta gamma delta epsilon")
	b.Add("short item")
	b.AddSet("two")
	b.Add("gamma delta epsilon zeta")
	b.AddSet("nfc")
	b.Add("cafe\u0301 ole\u0301 in paris") // decomposed accents
	path := filepath.Join(t.TempDir(), "idx.bin")
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, buf.Bytes(), 0o644)
	x, err := ReadEvalIndex(path)
	if err != nil {
		t.Fatal(err)
	}
	if x.N != 4 || x.Ngrams() != 4 || x.Sets[0].Items != 2 || x.Sets[0].Short != 1 || x.Sets[1].Ngrams != 1 {
		t.Fatalf("index: n %d, %d n-grams, sets %+v", x.N, x.Ngrams(), x.Sets)
	}
	g := NewNgrammer(4)
	text := "xx ALPHA beta gamma delta Epsilon zeta yy. alpha beta gamma"
	got := x.Matches(g, text, nil)
	if len(got) != 1 || text[got[0].Start:got[0].End] != "ALPHA beta gamma delta Epsilon zeta" || got[0].Sets != 3 {
		t.Fatalf("spans %+v", got)
	}
	if SetsOf(got[0].Sets)[1] != 1 {
		t.Error("SetsOf")
	}
	// Documents are NFC (ingest): a composed text finds the decomposed item.
	if m := x.Matches(g, "Un CAFÉ olé in Paris!", nil); len(m) != 1 || m[0].Sets != 4 {
		t.Errorf("NFC item not found: %+v", m)
	}
	// Damage is named with file and offset.
	os.WriteFile(path, buf.Bytes()[:buf.Len()-5], 0o644)
	if _, err := ReadEvalIndex(path); err == nil || !strings.Contains(err.Error(), path+": offset") {
		t.Errorf("truncated index: %v", err)
	}
}

func TestEvalSetFormats(t *testing.T) {
	dir := t.TempDir()
	jsonl := `{"q": "first question", "a": "first answer"}` + "\n\n" + `{"q": "second", "a": ["x", "y"]}` + "\n"
	os.WriteFile(filepath.Join(dir, "s.jsonl"), []byte(jsonl), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(jsonl))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "s.jsonl.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "s.txt"), []byte("first question first answer\n  \nsecond x y\n"), 0o644)
	writeParquet(t, filepath.Join(dir, "s.parquet"))
	want := []string{"first question first answer", "second x y"}
	for _, s := range []EvalSet{
		{Path: filepath.Join(dir, "s.jsonl"), Fields: []string{"q", "a"}},
		{Path: filepath.Join(dir, "s.jsonl.gz"), Fields: []string{"q", "a"}},
		{Path: filepath.Join(dir, "s.txt")},
		{Path: filepath.Join(dir, "s.parquet"), Fields: []string{"q", "a"}},
	} {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := s.EachItem(func(x string) error { got = append(got, x); return nil }); err != nil {
			t.Fatalf("%s: %v", s.Path, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (%s): %q", s.Path, s.ResolvedFormat(), got)
		}
	}
	bad := EvalSet{Path: filepath.Join(dir, "s.jsonl"), Fields: []string{"question"}}
	if err := bad.EachItem(func(string) error { return nil }); err == nil || !strings.Contains(err.Error(), `s.jsonl:1: no field "question"`) {
		t.Errorf("missing field: %v", err)
	}
	if err := (EvalSet{Path: "x.jsonl"}).Validate(); err == nil {
		t.Error("jsonl without fields accepted")
	}
}

func writeParquet(t *testing.T, path string) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "q", Type: arrow.BinaryTypes.String}, {Name: "a", Type: arrow.BinaryTypes.String}}, nil)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	bld.Field(0).(*array.StringBuilder).AppendValues([]string{"first question", "second"}, nil)
	bld.Field(1).(*array.StringBuilder).AppendValues([]string{"first answer", "x y"}, nil)
	rec := bld.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(schema, f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestEachSpan(t *testing.T) {
	text := "  First para\nstill first.\n\n \t\nSecond para.\n\nThird\n"
	var paras, lines []string
	EachSpan(text, false, func(s, e int) { paras = append(paras, text[s:e]) })
	EachSpan(text, true, func(s, e int) { lines = append(lines, text[s:e]) })
	if want := []string{"First para\nstill first.", "Second para.", "Third"}; !slices.Equal(paras, want) {
		t.Errorf("paragraphs %q", paras)
	}
	if want := []string{"First para", "still first.", "Second para.", "Third"}; !slices.Equal(lines, want) {
		t.Errorf("lines %q", lines)
	}
}

func TestCountRuns(t *testing.T) {
	k := func(i uint64) Key { return Key{Hi: i << 60, Lo: i} }
	dir := t.TempDir()
	var srcs []Source
	// Part 0 rows 0,1 and part 1 row 0 hold key 1; key 2 only part 1; key 3 in both parts once.
	for pi, entries := range [][]Entry{{{k(1), 0}, {k(1), 1}, {k(3), 1}}, {{k(1), 0}, {k(2), 2}, {k(3), 0}}} {
		w := NewSigWriter()
		w.Section(SectionParagraphs)
		for _, e := range entries {
			w.Add(SectionParagraphs, e.Key, e.Row)
		}
		path := filepath.Join(dir, string(rune('a'+pi)))
		var buf bytes.Buffer
		w.WriteTo(&buf)
		os.WriteFile(path, buf.Bytes(), 0o644)
		f, err := OpenSig(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		er, err := f.Range(SectionParagraphs, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, Source{Entries: er, Base: Ref(pi, 0)})
	}
	var got []Common
	n, err := CountRuns(srcs, 2, func(c Common) error { got = append(got, c); return nil })
	if err != nil || n != 6 {
		t.Fatal(n, err)
	}
	want := []Common{{k(1), Ref(0, 0), 3}, {k(3), Ref(0, 1), 2}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
