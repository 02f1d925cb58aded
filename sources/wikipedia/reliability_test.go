package wikipedia

import (
	"bytes"
	"compress/bzip2"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/curate-dev/curate/internal/torture"
	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
)

// TestMultistreamCorruptLastStream damages the last bzip2 stream of a unit:
// it used to be dropped with no error at all, because failed streams were
// only reported at the start of the next Next call and none came.
func TestMultistreamCorruptLastStream(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	tmp := t.TempDir()
	name := "DERIVED-ltgwiki-pages-articles-multistream"
	raw, err := os.ReadFile(filepath.Join(dir, name+".xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := os.ReadFile(filepath.Join(dir, name+"-index.txt.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMultistream(filepath.Join(dir, name+".xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.UnitBytes = 1 << 30
	good, _, _ := readAll(t, mustNew(t, o), filepath.Join(dir, name+".xml.bz2"))
	// The last page stream, before the closing </mediawiki> one if the dump
	// has it: damage its middle.
	last := ms.offsets[len(ms.offsets)-1]
	if len(ms.offsets) > 1 && int64(len(raw))-last < 200 {
		last = ms.offsets[len(ms.offsets)-2]
	}
	bad := bytes.Clone(raw)
	for i := last + 60; i < last+120; i++ {
		bad[i] ^= 0x5a
	}
	os.WriteFile(filepath.Join(tmp, name+".xml.bz2"), bad, 0o644)
	os.WriteFile(filepath.Join(tmp, name+"-index.txt.bz2"), idx, 0o644)
	docs, recErrs, final := readAll(t, mustNew(t, o), filepath.Join(tmp, name+".xml.bz2"))
	if final != nil {
		t.Fatalf("final error %v", final)
	}
	if len(recErrs) != 1 || !strings.Contains(recErrs[0].Error(), "dropped") {
		t.Fatalf("the damaged last stream must be reported once, got %v", recErrs)
	}
	if len(docs) >= len(good) || len(docs) == 0 {
		t.Fatalf("%d of %d documents: want those before the last stream", len(docs), len(good))
	}
	for i, d := range docs {
		if d.ID != good[i].ID || d.Text != good[i].Text {
			t.Fatalf("document %d before the damage changed", i)
		}
	}
}

func TestHugePageAndHeaderStayBounded(t *testing.T) {
	const limit = 1 << 20
	small := "<page><title>After</title><ns>0</ns><id>2</id><revision><id>5</id><text>after the bomb</text></revision></page>"
	cases := []struct {
		name string
		r    *torture.BombReader
		want []string // ids of pages returned whole
		big  bool
	}{
		{"huge page", &torture.BombReader{Head: []byte("<mediawiki><siteinfo></siteinfo><page><title>Big</title><ns>0</ns><id>1</id><revision><text>"), Fill: 'a', N: 40 << 20,
			Tail: []byte("</text></revision></page>" + small + "</mediawiki>")}, []string{"2"}, true},
		{"no page header", &torture.BombReader{Head: []byte("<mediawiki><siteinfo>"), Fill: ' ', N: 40 << 20, Tail: []byte(small)}, []string{"2"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newPageScanner(c.r)
			s.limit = limit
			if h := s.header(); len(h) > maxHeaderBytes {
				t.Fatalf("header of %d bytes kept", len(h))
			}
			var got []string
			sawBig := false
			for {
				rp, err := s.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if cap(s.buf) > 8*limit {
					t.Fatalf("scanner holds %d bytes; bound is about %d", cap(s.buf), limit)
				}
				p, _ := parsePage(rp.body)
				if rp.tooLarge {
					sawBig = true
					if p.id != "1" {
						t.Errorf("too-large page should still name its id, got %q", p.id)
					}
					continue
				}
				got = append(got, p.id)
			}
			if sawBig != c.big || strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("pages %v (too large seen: %v), want %v (%v)", got, sawBig, c.want, c.big)
			}
		})
	}
}

// TestUTF16WithoutBOMDump re-encodes a real dump as UTF-16 with no BOM (LE
// and BE): it used to give 0 documents and no error.
func TestUTF16WithoutBOMDump(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	src := filepath.Join(dir, "bgwiki-latest-pages-articles-shortened.xml.bz2")
	want, _, err := readAll(t, mustNew(t, DefaultOptions()), src)
	if err != nil || len(want) == 0 {
		t.Fatalf("reference: %d docs, %v", len(want), err)
	}
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xml, err := io.ReadAll(bzip2.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	// This corpus copy is itself UTF-16 with a BOM: back to UTF-8 first.
	if xml, err = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(xml); err != nil {
		t.Fatal(err)
	}
	for _, order := range []unicode.Endianness{unicode.LittleEndian, unicode.BigEndian} {
		u16, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().Bytes(xml)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "bgwiki-utf16.xml")
		os.WriteFile(path, u16, 0o644)
		got, _, err := readAll(t, mustNew(t, DefaultOptions()), path)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("order %v: %d documents, want %d", order, len(got), len(want))
		}
		for i := range want {
			if got[i].Text != want[i].Text || got[i].ID != want[i].ID {
				t.Fatalf("order %v: document %d differs", order, i)
			}
		}
	}
}

// TestConcatenatedDumps reads two dumps of different wikis run together
// in one file: the pages of the second used to get the first's language.
func TestConcatenatedDumps(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	unbz := func(p string) []byte {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b, err := io.ReadAll(bzip2.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := unbz("../../testdata/sample/wikipedia/enwiki-sample-pages-articles-multistream.xml.bz2")
	second := unbz(filepath.Join(dir, "DERIVED-ltgwiki-pages-articles-multistream.xml.bz2"))
	tmp := t.TempDir()
	alone := func(name string, b []byte) []*doc.Document {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, b, 0o644)
		docs, _, err := readAll(t, mustNew(t, DefaultOptions()), p)
		if err != nil {
			t.Fatal(err)
		}
		return docs
	}
	a, b := alone("a.xml", first), alone("b.xml", second)
	both := alone("both.xml", append(append([]byte(nil), first...), second...))
	if len(both) != len(a)+len(b) {
		t.Fatalf("%d documents, want %d + %d", len(both), len(a), len(b))
	}
	for i, d := range both {
		w := a[min(i, len(a)-1)]
		if i >= len(a) {
			w = b[i-len(a)]
		}
		if d.ID != w.ID || d.Language != w.Language || d.URL != w.URL || d.Text != w.Text {
			t.Fatalf("document %d (%s): language %q url %q; read alone: %q %q", i, d.ID, d.Language, d.URL, w.Language, w.URL)
		}
	}
	if a[0].Language == b[0].Language {
		t.Fatalf("the two dumps should differ in language, both %q", a[0].Language)
	}
}
