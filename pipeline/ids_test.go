package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

func TestInputNames(t *testing.T) {
	units := sources.WholeFile([]sources.Input{
		{Path: "/d/de/pages.xml.bz2"}, {Path: "/d/fr/pages.xml.bz2"}, {Path: "/d/en.xml"},
		{Path: "https://h.example/x/RC.zst?sig=1"}, {Path: "https://h.example/y/RC.zst"},
	})
	got := inputNames(units)
	want := map[string]string{
		"/d/de/pages.xml.bz2": "de/pages.xml.bz2", "/d/fr/pages.xml.bz2": "fr/pages.xml.bz2", "/d/en.xml": "en.xml",
		"https://h.example/x/RC.zst?sig=1": "x/RC.zst", "https://h.example/y/RC.zst": "y/RC.zst",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: name %q, want %q", p, got[p], w)
		}
	}
}

func TestIDSetRenamesRepeats(t *testing.T) {
	s := newIDSet()
	var got []string
	for _, id := range []string{"a", "b", "a", "a#2", "a"} {
		u, _ := s.unique(id)
		got = append(got, u)
	}
	if strings.Join(got, " ") != "a b a#2 a#2#2 a#3" {
		t.Errorf("got %v", got)
	}
}

// wikiPage, redditLine, warcRecord and book are inputs in each source's
// real format whose record ids repeat, with Windows line endings in the
// text.
func wikiPage(id, title, text string) string {
	return "<page><title>" + title + "</title><ns>0</ns><id>" + id + "</id><revision><id>9</id><text xml:space=\"preserve\">" + text + "</text></revision></page>\n"
}

const prose = "The river runs past the old mill and the village green, where children play every afternoon.\r\nIn the evening the bells ring and the shops close their doors one by one along the street.\r\n"

// TestIDsUniqueEverySource runs every source kind over inputs that repeat
// their own record ids and share base names across folders, and checks
// that no two documents of the run share an id and that no "\r" survives
// normalisation.
func TestIDsUniqueEverySource(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"a", "b"} {
		d := filepath.Join(dir, sub)
		writeFile(t, filepath.Join(d, "book.txt"), []byte(prose+prose))
		writeFile(t, filepath.Join(d, "notes.jsonl"), []byte(fmt.Sprintf(`{"id":"x","text":%q}`+"\n"+`{"id":"x","text":%q}`+"\n", prose+"one", prose+"two")))
		wiki := `<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" xml:lang="en">` + "\n" +
			wikiPage("7", "Mill", prose) + wikiPage("7", "Mill", prose+"Second export of the same page id.") + "</mediawiki>\n"
		writeFile(t, filepath.Join(d, "pages.xml"), []byte(wiki))
		line := func(body string) string {
			return fmt.Sprintf(`{"id":"c1","body":%q,"score":10,"created_utc":1262304000,"link_id":"t3_z","parent_id":"t3_z","subreddit":"test","author":"u","permalink":"/r/test/comments/z/_/c1/"}`, body)
		}
		writeFile(t, filepath.Join(d, "RC.json"), []byte(line(prose+"first")+"\n"+line(prose+"again")+"\n"))
		page := "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><article><p>" + prose + "</p><p>" + prose + "</p></article></body></html>"
		rec := "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://a.example/\r\nWARC-Record-ID: <urn:uuid:same>\r\nWARC-Date: 2024-01-02T03:04:05Z\r\n" +
			"Content-Type: application/http; msgtype=response\r\nContent-Length: " + fmt.Sprint(len(page)) + "\r\n\r\n" + page + "\r\n\r\n"
		writeFile(t, filepath.Join(d, "crawl.warc"), []byte(rec+rec))
		writeFile(t, filepath.Join(d, "proj", "LICENSE"), []byte(mitLicense))
		writeFile(t, filepath.Join(d, "proj", "main.go"), []byte("package main\r\n\r\nimport \"fmt\"\r\n\r\nfunc main() {\r\n\tfmt.Println(\"hello, world\")\r\n}\r\n"))
	}
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf(`
output: %[1]s
keep_rejected: true
sources:
  - {name: books, inputs: [%[2]s/*/book.txt], books: {keep_unmarked: true}}
  - {name: notes, inputs: [%[2]s/*/notes.jsonl], jsonl: {id_field: id}}
  - {name: wiki, inputs: [%[2]s/*/pages.xml], wikipedia: {}}
  - {name: reddit, inputs: [%[2]s/*/RC.json], reddit: {min_score: 0}}
  - {name: web, inputs: [%[2]s/*/crawl.warc], commoncrawl: {}}
  - {name: code, inputs: [%[2]s/*/proj], github: {}}
`, out, dir))
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	perSource := map[string]int{}
	// Kept and rejected documents together: an id names one document of
	// the run, whatever the filters decided.
	parts, _ := filepath.Glob(filepath.Join(out, DataDir, "*", "*.parquet"))
	rejected, _ := filepath.Glob(filepath.Join(out, RejectedDir, "*", "*.parquet"))
	parts = append(parts, rejected...)
	for _, p := range parts {
		if err := eachDoc(p, func(d *doc.Document) error {
			if seen[d.ID] {
				t.Errorf("id %q twice", d.ID)
			}
			seen[d.ID] = true
			perSource[d.Source]++
			if strings.Contains(d.Text, "\r") {
				t.Errorf("%s: carriage return survived: %q", d.ID, d.Text)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Every input is read twice (folders a and b); each repeats its id.
	want := map[string]int{"books": 2, "notes": 4, "wiki": 4, "reddit": 4, "web": 4, "code": 2}
	for s, n := range want {
		if perSource[s] != n {
			t.Errorf("source %s: %d documents, want %d (all: %v)", s, perSource[s], n, perSource)
		}
	}
}

const mitLicense = `MIT License

Copyright (c) 2024 The Authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`
