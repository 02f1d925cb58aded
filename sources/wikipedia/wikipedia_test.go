package wikipedia

import (
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// readAll runs every unit of the inputs and returns the documents and the
// record errors; a final error fails the test unless wantFinal.
func readAll(t testing.TB, s *Source, paths ...string) (docs []*doc.Document, recErrs []*doc.RecordError, final error) {
	t.Helper()
	var ins []sources.Input
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, sources.Input{Path: p, Size: st.Size()})
	}
	units, err := s.Units(ins)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		r, err := s.Open(u)
		if err != nil {
			t.Fatal(err)
		}
		ds, skipped, err := doc.ReadAll(r)
		docs, recErrs = append(docs, ds...), append(recErrs, skipped...)
		if err != nil && final == nil {
			final = err
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return docs, recErrs, final
}

func mustNew(t testing.TB, o Options) *Source {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var markup = []string{"{{", "}}", "[[", "]]", "{|", "|}", "<ref", "&nbsp;"}

// maxMarkupLeft is the share of output bytes that may be wikitext markup
// leftovers: about twice the highest measured (0.0003%, ltgwiki).
const maxMarkupLeft = 0.000006

// TestCorpusDumps reads every dump in the corpus and checks the quality
// bar: markup leftovers under 0.0006% of output characters (measured at most
// 0.0003%, in ltgwiki; the bar was 0.5%, far above), known
// sentences come out clean, and metadata is filled.
func TestCorpusDumps(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	tests := []struct {
		file      string
		lang      string
		minDocs   int
		truncated bool
		sentences []string // exact substrings expected in some document
	}{
		{"enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2", "en", 90, false, []string{
			"Anarchism is a political philosophy that advocates self-governed societies based on voluntary institutions.",
			"The term anarchism is a compound word composed from the word anarchy and the suffix -ism",
		}},
		{"bgwiki-latest-pages-articles-shortened.xml.bz2", "bg", 1, false, []string{
			"Григорианският календар (понякога наричан и Грегориански календар, „нов стил“) е съвременният международно признат светски календар",
		}},
		{"ltgwiki-smallwiki-latest-pages-articles.xml.bz2", "ltg", 800, false, nil},
		{"DERIVED-ltgwiki-pages-articles-multistream.xml.bz2", "ltg", 800, false, nil},
		{"jawiki-truncated-100k.xml.xz", "ja", 150, true, nil},
		{"ukwiki-truncated-100k.xml.xz", "uk", 400, true, nil},
		{"elwiki-truncated-100k.xml.xz", "el", 400, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			docs, recErrs, final := readAll(t, mustNew(t, DefaultOptions()), filepath.Join(dir, tc.file))
			if final != nil {
				t.Fatalf("final error: %v", final)
			}
			if len(docs) < tc.minDocs {
				t.Fatalf("%d documents, want at least %d", len(docs), tc.minDocs)
			}
			if tc.truncated {
				if len(recErrs) != 1 || !strings.Contains(recErrs[0].Error(), "truncated") || !strings.Contains(recErrs[0].Record, "page id ") {
					t.Fatalf("want one record error for the cut page, got %v", recErrs)
				}
			} else if len(recErrs) != 0 {
				t.Fatalf("unexpected record errors: %v", recErrs)
			}
			var all strings.Builder
			for _, d := range docs {
				all.WriteString(d.Text)
				if d.Language != tc.lang || d.Meta["title"] == "" || d.Meta["page_id"] != d.ID ||
					d.Meta["revision_id"] == "" || d.Meta["timestamp"] == "" || !strings.HasPrefix(d.URL, "https://") {
					t.Fatalf("document %s: incomplete fields: lang %q url %q meta %v", d.ID, d.Language, d.URL, d.Meta)
				}
			}
			text := all.String()
			left := 0
			for _, m := range markup {
				left += strings.Count(text, m) * len(m)
			}
			ratio := float64(left) / float64(len(text))
			t.Logf("%d documents, %d bytes of text, markup leftovers %.4f%%", len(docs), len(text), 100*ratio)
			if ratio >= maxMarkupLeft {
				t.Errorf("markup leftovers %.4f%% of output (%d bytes), want < %.4f%% (about twice the highest measured)", 100*ratio, left, 100*maxMarkupLeft)
			}
			for _, s := range tc.sentences {
				if !strings.Contains(text, s) {
					t.Errorf("known sentence missing or not clean: %q", s)
				}
			}
		})
	}
}

// TestMultistreamUnits splits the multistream dump by its index into many
// units and checks that together they yield exactly the documents of the
// same dump read whole (the single-stream original).
func TestMultistreamUnits(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	multi := filepath.Join(dir, "DERIVED-ltgwiki-pages-articles-multistream.xml.bz2")
	o := DefaultOptions()
	o.UnitBytes = 100 << 10
	o.DecodeWorkers = 3
	s := mustNew(t, o)
	units, err := s.Units([]sources.Input{{Path: multi}, {Path: filepath.Join(dir, "DERIVED-ltgwiki-pages-articles-multistream-index.txt.bz2")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) < 5 {
		t.Fatalf("%d units, want the dump split into several", len(units))
	}
	for i, u := range units {
		if u.Input.Path != multi || u.Part != i || (i > 0 && u.Start != units[i-1].End) {
			t.Fatalf("unit %d = %+v: not a contiguous split of the dump", i, u)
		}
	}
	split, _, final := readAll(t, s, multi)
	if final != nil {
		t.Fatal(final)
	}
	whole, _, final := readAll(t, mustNew(t, DefaultOptions()), filepath.Join(dir, "ltgwiki-smallwiki-latest-pages-articles.xml.bz2"))
	if final != nil {
		t.Fatal(final)
	}
	if len(split) != len(whole) {
		t.Fatalf("split read gives %d documents, whole read %d", len(split), len(whole))
	}
	for i := range whole {
		if split[i].ID != whole[i].ID || split[i].Text != whole[i].Text || split[i].URL != whole[i].URL {
			t.Fatalf("document %d differs: split %s, whole %s", i, split[i].ID, whole[i].ID)
		}
	}
}

// TestCorruptInput cuts and damages real dumps: the error names the file
// and the page, and every page before the break is kept.
func TestCorruptInput(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	src := filepath.Join(dir, "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	full, _, _ := readAll(t, mustNew(t, DefaultOptions()), src)
	tmp := t.TempDir()

	cut := filepath.Join(tmp, "cut.xml.bz2")
	os.WriteFile(cut, raw[:len(raw)/2], 0o644)
	docs, _, final := readAll(t, mustNew(t, DefaultOptions()), cut)
	if final == nil || !strings.Contains(final.Error(), cut) || !strings.Contains(final.Error(), "truncated") {
		t.Fatalf("cut bzip2: want a final error naming the file and truncation, got %v", final)
	}
	if len(docs) == 0 || len(docs) >= len(full) {
		t.Fatalf("cut bzip2: %d documents kept of %d", len(docs), len(full))
	}
	for i, d := range docs {
		if d.Text != full[i].Text {
			t.Fatalf("document %d before the cut differs", i)
		}
	}

	plain, err := io.ReadAll(bzip2.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	// A page with a broken <ns> and one whose <text> never closes.
	bad := bytes.Replace(plain, []byte("<ns>0</ns>"), []byte("<ns>zero</ns>"), 1)
	i := bytes.Index(bad, []byte("</text>"))
	i = bytes.Index(bad[i+1:], []byte("</text>")) + i + 1
	bad = append(bad[:i:i], bad[i+len("</text>"):]...)
	badPath := filepath.Join(tmp, "bad.xml")
	os.WriteFile(badPath, bad, 0o644)
	docs, recErrs, final := readAll(t, mustNew(t, DefaultOptions()), badPath)
	if final != nil {
		t.Fatal(final)
	}
	if len(recErrs) != 2 {
		t.Fatalf("want 2 record errors, got %v", recErrs)
	}
	for _, want := range []string{"bad <ns>", "<text> is not closed"} {
		found := false
		for _, e := range recErrs {
			if strings.Contains(e.Error(), want) && strings.Contains(e.Error(), badPath) && strings.Contains(e.Record, "page id ") {
				found = true
			}
		}
		if !found {
			t.Errorf("no record error with %q naming file and page: %v", want, recErrs)
		}
	}
	if len(docs) < len(full)-2 {
		t.Errorf("%d documents after two bad pages, want %d", len(docs), len(full)-2)
	}
}

func TestOptionsYAML(t *testing.T) {
	tests := []struct {
		in      string
		want    func(Options) bool
		wantErr bool
	}{
		{"{}", func(o Options) bool {
			return o.Disambiguation == "skip" && o.TitleInText && o.UnitBytes == 64<<20 && len(o.Namespaces) == 1
		}, false},
		{"disambiguation: flag\nkeep_tables: true", func(o Options) bool { return o.Disambiguation == "flag" && o.KeepTables && o.TitleInText }, false},
		{"disambigation: flag", nil, true}, // typo: unknown key
	}
	for _, tc := range tests {
		var o Options
		dec := yaml.NewDecoder(strings.NewReader(tc.in))
		dec.KnownFields(true)
		err := dec.Decode(&o)
		if tc.wantErr {
			if err == nil {
				t.Errorf("%q: want error", tc.in)
			}
			continue
		}
		if err != nil || !tc.want(o) || o.Validate() != nil {
			t.Errorf("%q: got %+v, %v", tc.in, o, err)
		}
	}
	bad := DefaultOptions()
	bad.Disambiguation = "maybe"
	if _, err := New(bad); err == nil {
		t.Error("New accepted disambiguation: maybe")
	}
}

// TestDisambiguation checks the three modes on a small dump written here.
func TestDisambiguation(t *testing.T) {
	dump := `<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">
<siteinfo><dbname>enwiki</dbname><base>https://en.wikipedia.org/wiki/Main_Page</base></siteinfo>
<page><title>Mercury</title><ns>0</ns><id>1</id><revision><id>10</id><timestamp>2024-01-01T00:00:00Z</timestamp><text xml:space="preserve">'''Mercury''' may refer to:
* [[Mercury (planet)]]
* [[Mercury (element)]]
{{Disambiguation}}</text></revision></page>
<page><title>Venus</title><ns>0</ns><id>2</id><revision><id>11</id><timestamp>2024-01-01T00:00:00Z</timestamp><text xml:space="preserve">'''Venus''' is the second planet from the Sun.</text></revision></page>
<page><title>Morning star</title><ns>0</ns><id>3</id><redirect title="Venus" /><revision><id>12</id><timestamp>2024-01-01T00:00:00Z</timestamp><text xml:space="preserve">#REDIRECT [[Venus]]</text></revision></page>
<page><title>Talk:Venus</title><ns>1</ns><id>4</id><revision><id>13</id><timestamp>2024-01-01T00:00:00Z</timestamp><text xml:space="preserve">Talk.</text></revision></page>
</mediawiki>`
	p := filepath.Join(t.TempDir(), "mini.xml")
	os.WriteFile(p, []byte(dump), 0o644)
	for _, tc := range []struct {
		mode string
		ids  string
		flag bool
	}{{"skip", "2", false}, {"keep", "1,2", false}, {"flag", "1,2", true}} {
		o := DefaultOptions()
		o.Disambiguation = tc.mode
		docs, _, final := readAll(t, mustNew(t, o), p)
		if final != nil {
			t.Fatal(final)
		}
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		if strings.Join(ids, ",") != tc.ids {
			t.Errorf("%s: ids %v, want %s", tc.mode, ids, tc.ids)
		}
		if tc.mode == "skip" {
			r, err := s2open(t, o, p)
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := r.Next(); err != nil {
					break
				}
			}
			c := r.(interface{ Counts() doc.Counts }).Counts()
			if c["wikipedia.disambiguation"] != 1 || c["wikipedia.redirect"] != 1 || c["wikipedia.namespace"] != 1 {
				t.Errorf("skip counts %v", c)
			}
		}
		if tc.flag != (docs[0].Meta["disambiguation"] == "true") {
			t.Errorf("%s: disambiguation meta %v", tc.mode, docs[0].Meta)
		}
		if docs[len(docs)-1].URL != "https://en.wikipedia.org/wiki/Venus" || docs[len(docs)-1].Text != "Venus\n\nVenus is the second planet from the Sun." {
			t.Errorf("%s: Venus = %q %q", tc.mode, docs[len(docs)-1].URL, docs[len(docs)-1].Text)
		}
	}
}

// TestAgainstBzip2CLI checks that the dsnet decoder the source uses agrees
// with the reference bzip2 on the corpus files (skips without bzip2).
func TestAgainstBzip2CLI(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("bzip2 not installed (.ci/setup.d/wikireddit.sh installs it)")
	}
	for _, f := range []string{"ltgwiki-smallwiki-latest-pages-articles.xml.bz2", "DERIVED-ltgwiki-pages-articles-multistream.xml.bz2"} {
		p := filepath.Join(dir, f)
		want, err := exec.Command("bzip2", "-dc", p).Output()
		if err != nil {
			t.Fatal(err)
		}
		fh, _ := os.Open(p)
		got, err := io.ReadAll(newBzip2(p, fh, 0))
		fh.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: decoded %d bytes (err %v), bzip2 -dc gives %d", f, len(got), err, len(want))
		}
	}
}

// TestMultistreamCorruptStream damages one bzip2 stream of a copy of the
// multistream dump: that stream's pages are reported and skipped, the
// streams before and after it are read.
func TestMultistreamCorruptStream(t *testing.T) {
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
	o := DefaultOptions()
	o.UnitBytes = 1 << 30 // one unit: the damage must not end it
	good, _, _ := readAll(t, mustNew(t, o), filepath.Join(dir, name+".xml.bz2"))

	ms, err := loadMultistream(filepath.Join(dir, name+".xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	mid := ms.offsets[len(ms.offsets)/2]
	bad := bytes.Clone(raw)
	for i := mid + 200; i < mid+260; i++ {
		bad[i] ^= 0x5a
	}
	os.WriteFile(filepath.Join(tmp, name+".xml.bz2"), bad, 0o644)
	os.WriteFile(filepath.Join(tmp, name+"-index.txt.bz2"), idx, 0o644)
	docs, recErrs, final := readAll(t, mustNew(t, o), filepath.Join(tmp, name+".xml.bz2"))
	if final != nil {
		t.Fatalf("final error %v: a bad stream must not end the unit", final)
	}
	if len(recErrs) != 1 || !strings.Contains(recErrs[0].Error(), fmt.Sprintf("bytes %d-", mid)) || !strings.Contains(recErrs[0].Error(), "page id") {
		t.Fatalf("want one record error naming the stream and the page before it, got %v", recErrs)
	}
	lost := len(good) - len(docs)
	if lost <= 0 || lost > 100 {
		t.Fatalf("%d of %d documents read: a stream holds at most 100 pages", len(docs), len(good))
	}
	if docs[len(docs)-1].ID != good[len(good)-1].ID {
		t.Fatalf("pages after the bad stream missing")
	}
	t.Logf("lost %d pages with the damaged stream: %v", lost, recErrs[0])
}

// TestSample reads the multistream sample shipped in testdata (a few real
// enwiki pages in Wikimedia's multistream layout with its index).
func TestSample(t *testing.T) {
	dump := "../../testdata/sample/wikipedia/enwiki-sample-pages-articles-multistream.xml.bz2"
	o := DefaultOptions()
	o.UnitBytes = 8 << 10 // several units even for a 40 KB file
	s := mustNew(t, o)
	units, err := s.Units([]sources.Input{{Path: dump}})
	if err != nil || len(units) < 2 {
		t.Fatalf("units %v, %v", units, err)
	}
	docs, recErrs, final := readAll(t, s, dump)
	if final != nil || len(recErrs) > 0 {
		t.Fatal(final, recErrs)
	}
	var titles []string
	for _, d := range docs {
		titles = append(titles, d.Meta["title"])
	}
	// Redirects (AccessibleComputing, AfghanistanHistory) and the
	// disambiguation pages (Alien, Aberdeen (disambiguation)) are skipped.
	want := "Algorithms (journal),Answer,Adventure,Alain Connes,Astronomer,Allan Dwan,Aardwolf,Albedo"
	if strings.Join(titles, ",") != want {
		t.Fatalf("titles %v\nwant %s", titles, want)
	}
	if docs[0].URL != "https://en.wikipedia.org/wiki/Algorithms_(journal)" || docs[0].Language != "en" {
		t.Fatalf("first document %q %q", docs[0].URL, docs[0].Language)
	}
}

func s2open(t *testing.T, o Options, path string) (doc.Reader, error) {
	s := mustNew(t, o)
	return s.Open(sources.Unit{Input: sources.Input{Path: path}, End: -1})
}

// TestTruncatedCompressed cuts compressed dumps (bzip2 and xz) at several
// points: the final error names the file and the page being read, and the
// documents before the cut are exactly those of the whole dump.
func TestTruncatedCompressed(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	for _, tc := range []struct {
		file string
		cut  float64
	}{
		{"ukwiki-truncated-100k.xml.xz", 0.3},
		{"ukwiki-truncated-100k.xml.xz", 0.8},
		{"ltgwiki-smallwiki-latest-pages-articles.xml.bz2", 0.6},
	} {
		t.Run(fmt.Sprintf("%s@%.0f%%", tc.file, 100*tc.cut), func(t *testing.T) {
			src := filepath.Join(dir, tc.file)
			raw, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			full, _, _ := readAll(t, mustNew(t, DefaultOptions()), src)
			p := filepath.Join(t.TempDir(), tc.file)
			os.WriteFile(p, raw[:int(float64(len(raw))*tc.cut)], 0o644)
			docs, _, final := readAll(t, mustNew(t, DefaultOptions()), p)
			if final == nil || !strings.Contains(final.Error(), p) || !strings.Contains(final.Error(), "page") {
				t.Fatalf("want a final error naming the file and the page, got %v", final)
			}
			if len(docs) == 0 || len(docs) >= len(full) {
				t.Fatalf("%d of %d documents before the cut", len(docs), len(full))
			}
			for i, d := range docs {
				if d.ID != full[i].ID || d.Text != full[i].Text {
					t.Fatalf("document %d before the cut differs", i)
				}
			}
			t.Logf("%d of %d documents kept; %v", len(docs), len(full), final)
		})
	}
}

func TestIndexNames(t *testing.T) {
	tests := []struct{ dump, index string }{
		{"/d/enwiki-20240101-pages-articles-multistream.xml.bz2", "/d/enwiki-20240101-pages-articles-multistream-index.txt.bz2"},
		{"/d/enwiki-20240101-pages-articles-multistream1.xml-p1p41242.bz2", "/d/enwiki-20240101-pages-articles-multistream-index1.txt-p1p41242.bz2"},
		{"/d/enwiki-20240101-pages-articles.xml.bz2", ""},
		{"/d/jawiki-truncated-100k.xml.xz", ""},
	}
	for _, tc := range tests {
		if got := indexPathFor(tc.dump); got != tc.index {
			t.Errorf("indexPathFor(%s) = %q, want %q", tc.dump, got, tc.index)
		}
		if tc.index != "" && (!isIndexName(tc.index) || isIndexName(tc.dump)) {
			t.Errorf("isIndexName confuses %s and %s", tc.dump, tc.index)
		}
	}
}
