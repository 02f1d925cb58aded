package commoncrawl

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// readAll drains one input, returning its documents, the reader's stats and
// the final error (nil at a clean end). Record errors are collected apart.
func readAll(t testing.TB, s *Source, path string) ([]*doc.Document, doc.Counts, []error, error) {
	t.Helper()
	r, err := s.OpenReader(sources.Unit{Input: sources.Input{Path: path, Size: -1}, End: -1})
	if err != nil {
		return nil, nil, nil, err
	}
	defer r.Close()
	docs, skipped, err := doc.ReadAll(r)
	recErrs := make([]error, len(skipped))
	for i, e := range skipped {
		recErrs[i] = e
	}
	return docs, r.Stats(), recErrs, err
}

func mustNew(t testing.TB, o Options) *Source {
	t.Helper()
	s, err := New(o, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// htmlTag matches markup that must never survive extraction.
var htmlTag = regexp.MustCompile(`(?i)</?(html|head|body|div|p|span|a|script|style|table|tr|td|li|ul|ol|meta|link|br|img|iframe|form|input|h[1-6])(\s[^>]*)?/?>`)

func TestCorpusFiles(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	type want struct {
		counts   doc.Counts // exact values for these keys
		sentence string     // in some document's text
		url      string     // that document's URL
		meta     map[string]string
	}
	tests := map[string]want{
		"dolma__sample-0000.warc.gz": {
			counts:   doc.Counts{"record.warcinfo": 1, "record.request": 22, "record.response": 22, "record.resource": 2, "record.metadata": 1, "doc.html": 22},
			sentence: "My name is Luca Soldaini",
			url:      "https://soldaini.net/", // wget wrote it as <https://soldaini.net/>
			meta:     map[string]string{"charset": "utf-8", "content_type": "text/html"},
		},
		"resiliparse__clueweb-quirk.warc.gz": {
			counts: doc.Counts{"record.warcinfo": 1, "record.response": 29, "doc.html": 29},
			// An item description; the page's menu ("会社紹介", company
			// profile) is boilerplate and the fast extractor drops it.
			sentence: "ビジネスバッグとしてもおすすめ",
			url:      "http://www.uraharajuku.st/shopdetail/001005000005/019/000/order/",
			// ClueWeb's invalid date is kept as written; crawl from warcinfo.
			meta: map[string]string{"charset": "euc-jp", "date": "2008-10-294T05:21:46-0700", "crawl": "clueweb09-ja"},
		},
		"resiliparse__warcfile.warc.gz": {
			counts:   doc.Counts{"record.warcinfo": 1, "record.request": 17, "record.response": 16, "record.metadata": 16, "doc.html": 16},
			sentence: "ООО «СПБ» - узкоспециализированное предприятие",
			url:      "http://01spb.ru/company/",
			meta:     map[string]string{"charset": "windows-1251", "crawl": "CC-MAIN-2020-34", "date": "2020-08-08T18:31:12Z", "title": "О компании - Стратегия пожарной безопасности"},
		},
		"ukwa__IAH-20080430204825-00000-blackbook-truncated.warc.gz": {
			// "truncated" by its authors after a few records, but every gzip
			// member in it is whole: it reads to a clean end.
			counts:   doc.Counts{"record.warcinfo": 1, "record.request": 7, "record.response": 8, "record.metadata": 7, "doc.html": 2, "skip.not_html": 5, "skip.not_http": 1},
			sentence: "Please visit our website at",
			url:      "http://www.archive.org/",
			meta:     map[string]string{"crawl": "archive.org-shallow"},
		},
		"ukwa__sopa-wikipedia-homepage.warc.gz": {
			counts:   doc.Counts{"record.warcinfo": 1, "record.request": 86, "record.response": 74, "record.resource": 3, "doc.html": 1, "skip.not_html": 73},
			sentence: "The English Wikipedia is currently locked for the SOPA/PIPA blackout",
			url:      "http://en.wikipedia.org/wiki/Main_Page",
			meta:     map[string]string{"title": "Main Page", "date": "2012-01-18T14:31:32Z"},
		},
		"warcio__example-iana.org-chunked.warc": {
			counts:   doc.Counts{"record.warcinfo": 1, "record.request": 1, "record.response": 1, "doc.html": 1},
			sentence: "Management of the DNS Root Zone",
			url:      "http://www.iana.org/",
			meta:     map[string]string{"title": "Internet Assigned Numbers Authority"},
		},
		"warcio__example.warc.gz": {
			counts:   doc.Counts{"record.warcinfo": 2, "record.request": 2, "record.response": 1, "record.revisit": 1, "doc.html": 1},
			sentence: "This domain is established to be used for illustrative examples in documents.",
			url:      "http://example.com/",
			meta:     map[string]string{"title": "Example Domain"},
		},
		"whirlwind__whirlwind.warc.gz": {
			counts:   doc.Counts{"record.warcinfo": 1, "record.request": 1, "record.response": 1, "record.metadata": 1, "doc.html": 1},
			sentence: "Escopete ye un municipio d'a provincia de Guadalachara",
			url:      "https://an.wikipedia.org/wiki/Escopete",
			meta:     map[string]string{"crawl": "CC-MAIN-2024-22", "warc_record_id": "urn:uuid:2aabeff2-67f5-4608-8466-e87c6296e2b6"},
		},
		"whirlwind__whirlwind.warc.wat.gz": {
			counts: doc.Counts{"record.warcinfo": 1, "record.wat": 1},
		},
		"whirlwind__whirlwind.warc.wet.gz": {
			counts:   doc.Counts{"record.warcinfo": 1, "record.conversion": 1, "doc.wet": 1},
			sentence: "Escopete ye un municipio d'a provincia de Guadalachara",
			url:      "https://an.wikipedia.org/wiki/Escopete",
			meta:     map[string]string{"cc_language": "spa", "content_type": "text/plain"},
		},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("corpus has %d files, test knows %d: update the table", len(files), len(tests))
	}
	s := mustNew(t, DefaultOptions())
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			w, ok := tests[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			docs, stats, recErrs, err := readAll(t, s, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(recErrs) > 0 {
				t.Errorf("record errors: %v", recErrs)
			}
			for k, v := range w.counts {
				if stats[k] != v {
					t.Errorf("stats[%s] = %d, want %d (all: %v)", k, stats[k], v, stats)
				}
			}
			if n := int64(len(docs)); n != stats["doc.html"]+stats["doc.wet"] {
				t.Errorf("%d documents, stats say %d", n, stats["doc.html"]+stats["doc.wet"])
			}
			found := w.sentence == ""
			for _, d := range docs {
				if d.Text == "" || !utf8.ValidString(d.Text) {
					t.Errorf("%s: empty or invalid UTF-8 text", d.URL)
				}
				if strings.Contains(strings.ToLower(d.Text), "<script") || strings.Contains(strings.ToLower(d.Text), "<style") {
					t.Errorf("%s: script or style left in text", d.URL)
				}
				if m := htmlTag.FindString(d.Text); m != "" {
					t.Errorf("%s: HTML tag %q left in text", d.URL, m)
				}
				if strings.HasPrefix(d.URL, "<") || d.ID == "" || d.Meta["warc_record_id"] != d.ID {
					t.Errorf("bad URL/ID: %q %q", d.URL, d.ID)
				}
				if w.sentence != "" && d.URL == w.url && !found {
					found = true
					if !strings.Contains(d.Text, w.sentence) {
						t.Errorf("%s: text lacks %q:\n%s", d.URL, w.sentence, d.Text)
					}
					for k, v := range w.meta {
						if d.Meta[k] != v {
							t.Errorf("%s: meta[%s] = %q, want %q", d.URL, k, d.Meta[k], v)
						}
					}
				}
			}
			if !found {
				t.Errorf("no document from %s", w.url)
			}
		})
	}
}

// TestTranscodes checks the three non-UTF-8 charsets the corpus holds come
// out as the right script, not mojibake.
// transcodeScripts are the scripts a page in each legacy charset is
// written in: a wrong decoding (say windows-1252 for GBK bytes) gives Latin
// letters with diacritics, not replacement characters, so the script of the
// decoded letters is what shows the right table was used.
var transcodeScripts = map[string][]*unicode.RangeTable{
	"gbk":          {unicode.Han},
	"windows-1251": {unicode.Cyrillic},
	"euc-jp":       {unicode.Han, unicode.Hiragana, unicode.Katakana, cjkForms},
}

// cjkForms are the CJK punctuation, the prolonged sound mark (script Common)
// and the full-width Latin letters that Japanese text also writes.
var cjkForms = &unicode.RangeTable{R16: []unicode.Range16{{Lo: 0x3000, Hi: 0x30ff, Stride: 1}, {Lo: 0xff00, Hi: 0xffef, Stride: 1}}}

// scriptShare returns the share of the non-ASCII letters of s that are in
// one of the scripts, and how many non-ASCII letters there are.
func scriptShare(s string, scripts []*unicode.RangeTable) (float64, int) {
	in, n := 0, 0
	for _, r := range s {
		if r < utf8.RuneSelf || !unicode.IsLetter(r) {
			continue
		}
		n++
		if unicode.In(r, scripts...) {
			in++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return float64(in) / float64(n), n
}

// TestTranscodes reads the pages served in legacy charsets and checks that
// each came out in its charset's script: at least 98% of its non-ASCII
// letters Han for GBK, Cyrillic for windows-1251, Japanese for EUC-JP
// (measured: 100% on every page), and no U+FFFD. Pages with fewer than 20
// non-ASCII letters are not judged; each charset needs judged pages.
func TestTranscodes(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	s := mustNew(t, DefaultOptions())
	seen := map[string]int{}
	for _, f := range []string{"resiliparse__warcfile.warc.gz", "resiliparse__clueweb-quirk.warc.gz"} {
		docs, _, _, err := readAll(t, s, filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			cs := d.Meta["charset"]
			if strings.ContainsRune(d.Text, utf8.RuneError) && cs != "utf-8" {
				t.Errorf("%s (%s): replacement characters after transcoding", d.URL, cs)
			}
			scripts, ok := transcodeScripts[cs]
			if !ok {
				continue
			}
			share, letters := scriptShare(d.Text, scripts)
			if letters < 20 {
				continue
			}
			if share < 0.98 {
				t.Errorf("%s (%s): %d non-ASCII letters, %.1f%% in the expected script: decoded with the wrong table?", d.URL, cs, letters, 100*share)
			}
			seen[cs]++
		}
	}
	for cs := range transcodeScripts {
		if seen[cs] == 0 {
			t.Errorf("no page decoded as %s; saw %v", cs, seen)
		}
	}
}

// TestTruncated cuts real files short: every document of a record that was
// complete before the cut comes out, then an error naming the file, the
// byte offset and "truncated".
func TestTruncated(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	s := mustNew(t, DefaultOptions())
	tmp := t.TempDir()
	tests := []struct {
		file    string
		frac    float64
		minDocs int
	}{
		{"resiliparse__warcfile.warc.gz", 0.5, 5},
		{"resiliparse__warcfile.warc.gz", 0.93, 12},
		{"dolma__sample-0000.warc.gz", 0.7, 10},
		{"resiliparse__clueweb-quirk.warc.gz", 0.3, 5},
		{"ukwa__IAH-20080430204825-00000-blackbook-truncated.warc.gz", 0.8, 2},
		{"warcio__example-iana.org-chunked.warc", 0.6, 0}, // cut inside the only page
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			full, _, _, err := readAll(t, s, filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			cut := filepath.Join(tmp, "cut-"+tc.file)
			if err := os.WriteFile(cut, data[:int(float64(len(data))*tc.frac)], 0o644); err != nil {
				t.Fatal(err)
			}
			docs, _, _, err := readAll(t, s, cut)
			if err == nil || !strings.Contains(err.Error(), cut) || !strings.Contains(err.Error(), "truncated") || !strings.Contains(err.Error(), "byte offset") {
				t.Fatalf("err = %v, want a truncation error naming %s and a byte offset", err, cut)
			}
			if len(docs) < tc.minDocs {
				t.Errorf("%d documents before the cut, want >= %d", len(docs), tc.minDocs)
			}
			if len(docs) > len(full) {
				t.Errorf("%d documents from the cut file, %d from the whole", len(docs), len(full))
			}
			for i, d := range docs {
				if d.Text != full[i].Text || d.ID != full[i].ID {
					t.Fatalf("document %d differs from the whole file's", i)
				}
			}
		})
	}
}

// TestHTTPSameAsDisk serves every corpus file from 127.0.0.1 and expects
// the same documents as reading the file.
func TestHTTPSameAsDisk(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	s := mustNew(t, DefaultOptions())
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		disk, _, _, err := readAll(t, s, f)
		if err != nil {
			t.Fatal(err)
		}
		web, stats, _, err := readAll(t, s, srv.URL+"/"+filepath.Base(f))
		if err != nil {
			t.Fatalf("%s over http: %v", filepath.Base(f), err)
		}
		if len(disk) != len(web) {
			t.Fatalf("%s: %d documents from disk, %d over http (%v)", filepath.Base(f), len(disk), len(web), stats)
		}
		for i := range disk {
			a, b := disk[i], web[i]
			if a.ID != b.ID || a.URL != b.URL || a.Text != b.Text || !equalMeta(a.Meta, b.Meta) {
				t.Errorf("%s doc %d differs: %s vs %s", filepath.Base(f), i, a.ID, b.ID)
			}
		}
	}
}

func equalMeta(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestURLFilters(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	tests := []struct {
		name      string
		block     string
		allow     string
		wantDocs  int
		wantStats doc.Counts
		noURL     string // must not appear
	}{
		{"none", "", "", 22, doc.Counts{}, ""},
		{"suffix blocks subdomains", "# comment\nwashington.edu\n", "", 20, doc.Counts{"skip.blocked_domain": 2}, "https://www.cs.washington.edu/people/faculty/weld"},
		{"exact host only", "=www.cs.washington.edu\n=homes.cs.washington.edu\n=washington.edu\n", "", 20, doc.Counts{"skip.blocked_domain": 2}, ""},
		{"exact misses subdomain", "=washington.edu\n", "", 22, doc.Counts{}, ""},
		{"allow list", "", "http://soldaini.net\nhttps://www.cs.washington.edu/people/faculty/weld/#top\n", 2, doc.Counts{"skip.not_allowed": 20}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			if tc.block != "" {
				o.BlockList = filepath.Base(write("block.txt", tc.block))
			}
			if tc.allow != "" {
				o.AllowList = filepath.Base(write("allow.txt", tc.allow))
			}
			s, err := New(o, tmp) // relative list paths resolve from baseDir
			if err != nil {
				t.Fatal(err)
			}
			docs, stats, _, err := readAll(t, s, filepath.Join(dir, "dolma__sample-0000.warc.gz"))
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != tc.wantDocs {
				t.Errorf("%d documents, want %d", len(docs), tc.wantDocs)
			}
			for k, v := range tc.wantStats {
				if stats[k] != v {
					t.Errorf("stats[%s] = %d, want %d", k, stats[k], v)
				}
			}
			for _, d := range docs {
				if tc.noURL != "" && d.URL == tc.noURL {
					t.Errorf("blocked URL %s kept", d.URL)
				}
			}
		})
	}
	if _, err := New(Options{MaxPageBytes: 1, BlockList: "/nonexistent/list.txt"}, ""); err == nil || !strings.Contains(err.Error(), "/nonexistent/list.txt") {
		t.Errorf("missing block list: err = %v", err)
	}
}

func TestParseHTTP(t *testing.T) {
	gz := func(s string) string {
		var b bytes.Buffer
		w := newGzipWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.String()
	}
	tests := []struct {
		name      string
		block     string
		status    int
		ctype     string
		charset   string
		body      string
		wantError bool
	}{
		{"plain", "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>hi</p>", 200, "text/html", "UTF-8", "<p>hi</p>", false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n4\r\n<p>h\r\n5\r\ni</p>\r\n0\r\n\r\n", 200, "text/html", "", "<p>hi</p>", false},
		{"chunked header but body already de-chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n<p>hi</p>", 200, "", "", "<p>hi</p>", false},
		{"gzip", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gz("<p>hi</p>"), 200, "", "", "<p>hi</p>", false},
		{"gzip header, plain body (ClueWeb)", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n<p>hi</p>", 200, "", "", "<p>hi</p>", false},
		{"pywb: Content-Length -1 with chunking", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n4\r\n<p>h\r\n5\r\ni</p>\r\n0\r\n\r\n", 200, "text/html", "", "<p>hi</p>", false},
		{"valid Content-Length with chunking: chunking wins", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<p>h\r\n5\r\ni</p>\r\n0\r\n\r\n", 200, "", "", "<p>hi</p>", false},
		{"invalid Content-Length, no chunking: block length", "HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n<p>hi</p>", 200, "", "", "<p>hi</p>", false},
		{"repeated Content-Length: block length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n<p>hi</p>", 200, "", "", "<p>hi</p>", false},
		{"LF-only header", "HTTP/1.0 404 Not Found\nContent-Type: text/plain\n\nnope", 404, "text/plain", "", "nope", false},
		{"junk content type", "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\r\n\r\nx", 200, "text/html", "", "x", false},
		{"not HTTP (dns record)", "20080430204826\nwww.archive.org.\t589\tIN\tA\t207.241.229.39\n", 0, "", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseHTTP([]byte(tc.block))
			if tc.wantError {
				if err == nil {
					t.Fatal("want error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.status != tc.status || p.contentType != tc.ctype || p.charsetHdr != tc.charset || string(p.body) != tc.body {
				t.Errorf("got %d %q %q %q", p.status, p.contentType, p.charsetHdr, p.body)
			}
		})
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name, header string
		body         []byte
		want, cs     string
	}{
		{"header wins", "windows-1251", []byte("\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет", "windows-1251"},
		{"meta tag", "", []byte(`<meta charset="koi8-r"><p>` + "\xf0\xd2\xc9\xd7\xc5\xd4"), `<meta charset="koi8-r"><p>Привет`, "koi8-r"},
		{"valid utf-8 without declaration", "", []byte("<p>Grüße, 世界</p>"), "<p>Grüße, 世界</p>", "utf-8"},
		{"bom", "", []byte("\xef\xbb\xbf<p>x</p>"), "<p>x</p>", "utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cs := toUTF8(tc.body, tc.header)
			if !strings.Contains(string(got), tc.want) || cs != tc.cs {
				t.Errorf("got %q (%s), want %q (%s)", got, cs, tc.want, tc.cs)
			}
		})
	}
}

func TestWarcDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-05-18T01:58:10Z":      "2024-05-18T01:58:10Z",
		"2024-05-18T01:58:10.123Z":  "2024-05-18T01:58:10Z",
		"2008-04-30T20:48:26-0700":  "2008-05-01T03:48:26Z",
		"2008-10-294T05:21:46-0700": "2008-10-294T05:21:46-0700",
		"20080430204826":            "2008-04-30T20:48:26Z",
		"":                          "",
	} {
		if got := warcDate(in); got != want {
			t.Errorf("warcDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOptionsYAML(t *testing.T) {
	tests := []struct {
		name, yaml string
		check      func(Options) bool
		wantErr    string
	}{
		{"defaults kept", "block_list: b.txt\n", func(o Options) bool {
			return o.BlockList == "b.txt" && o.MaxPageBytes == 2<<20 && o.Focus == "balanced" && o.TakeWET
		}, ""},
		{"override", "focus: precision\ntake_wet: false\n", func(o Options) bool { return o.Focus == "precision" && !o.TakeWET }, ""},
		{"unknown key", "blocklist: x\n", nil, "field blocklist not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o Options
			dec := yaml.NewDecoder(strings.NewReader(tc.yaml))
			dec.KnownFields(true)
			err := dec.Decode(&o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(o) {
				t.Errorf("decoded %+v", o)
			}
			if err := o.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
	bad := DefaultOptions()
	bad.Focus = "speed"
	if err := bad.Validate(); err == nil {
		t.Error("focus: speed validated")
	}
}

func newGzipWriter(w io.Writer) *gzip.Writer { return gzip.NewWriter(w) }

func parseFragment(s string) (*html.Node, error) { return html.Parse(strings.NewReader(s)) }

// TestConcurrentOpen reads every corpus file from parallel goroutines on one
// Source and expects what a serial read gives (run with -race to check the
// Source shares no mutable state).
func TestConcurrentOpen(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	s := mustNew(t, DefaultOptions())
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc*"))
	serial := make([][]*doc.Document, len(files))
	for i, f := range files {
		serial[i], _, _, _ = readAll(t, s, f)
	}
	errs := make(chan string, len(files))
	for i, f := range files {
		go func() {
			docs, _, _, err := readAll(t, s, f)
			switch {
			case err != nil:
				errs <- err.Error()
			case len(docs) != len(serial[i]):
				errs <- fmt.Sprintf("%s: %d docs in parallel, %d serially", f, len(docs), len(serial[i]))
			default:
				for j := range docs {
					if docs[j].Text != serial[i][j].Text {
						errs <- fmt.Sprintf("%s doc %d differs", f, j)
						return
					}
				}
				errs <- ""
			}
		}()
	}
	for range files {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// TestPathsFile expands a Common Crawl paths file into URL units and reads
// them from a local server, as warc.paths.gz of a crawl would be.
func TestPathsFile(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	srv := httptest.NewServer(http.StripPrefix("/crawl-data/", http.FileServer(http.Dir(dir))))
	defer srv.Close()
	tmp := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("crawl-data/whirlwind__whirlwind.warc.gz\ncrawl-data/whirlwind__whirlwind.warc.wet.gz\n" + srv.URL + "/crawl-data/warcio__example.warc.gz\ncrawl-data/dolma__sample-0000.warc.gz\n"))
	zw.Close()
	paths := filepath.Join(tmp, "warc.paths.gz")
	os.WriteFile(paths, gz.Bytes(), 0o644)

	o := DefaultOptions()
	o.PathsPrefix = srv.URL + "/"
	o.MaxPaths = 3
	s := mustNew(t, o)
	units, err := s.Units([]sources.Input{{Path: paths, Size: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 3 || units[0].Input.Path != srv.URL+"/crawl-data/whirlwind__whirlwind.warc.gz" || units[2].Input.Path != srv.URL+"/crawl-data/warcio__example.warc.gz" {
		t.Fatalf("units %+v", units)
	}
	var urls []string
	for _, u := range units {
		r, err := s.Open(u)
		if err != nil {
			t.Fatal(err)
		}
		for {
			d, err := r.Next()
			if err != nil {
				break
			}
			urls = append(urls, d.URL)
		}
		r.Close()
	}
	if strings.Join(urls, " ") != "https://an.wikipedia.org/wiki/Escopete https://an.wikipedia.org/wiki/Escopete http://example.com/" {
		t.Errorf("documents from %v", urls)
	}
	empty := filepath.Join(tmp, "empty.paths")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	if _, err := s.Units([]sources.Input{{Path: empty}}); err == nil || !strings.Contains(err.Error(), "lists no files") {
		t.Errorf("empty paths file: err = %v", err)
	}
}

// TestPywbContentLength rewrites the real chunked capture the way pywb
// stores it (HTTP "Content-Length: -1" beside "Transfer-Encoding: chunked",
// WARC length adjusted) and, separately, with an invalid length and no
// chunking: both must give the page the untouched file gives.
func TestPywbContentLength(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	orig, err := os.ReadFile(filepath.Join(dir, "warcio__example-iana.org-chunked.warc"))
	if err != nil {
		t.Fatal(err)
	}
	s := mustNew(t, DefaultOptions())
	want, _, _, err := readAll(t, s, filepath.Join(dir, "warcio__example-iana.org-chunked.warc"))
	if err != nil || len(want) != 1 {
		t.Fatalf("original: %d docs, %v", len(want), err)
	}
	const te = "Transfer-Encoding: chunked\r\n"
	rewrite := func(old, new string) []byte {
		t.Helper()
		i := bytes.Index(orig, []byte(te))
		if i < 0 {
			t.Fatal("no chunked header in the capture")
		}
		const warcLen = "Content-Length: 7566\r\n"
		j := bytes.LastIndex(orig[:i], []byte(warcLen))
		if j < 0 {
			t.Fatal("response record length not where expected")
		}
		grown := 7566 + len(new) - len(old)
		var b bytes.Buffer
		b.Write(orig[:j])
		fmt.Fprintf(&b, "Content-Length: %d\r\n", grown)
		b.Write(orig[j+len(warcLen) : i])
		b.WriteString(new)
		b.Write(orig[i+len(old):])
		return b.Bytes()
	}
	cases := map[string][]byte{
		"pywb -1 with chunking": rewrite(te, "Content-Length: -1\r\n"+te),
		"garbage with chunking": rewrite(te, te+"Content-Length: abc\r\n"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "pywb.warc")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			got, stats, recErrs, err := readAll(t, s, p)
			if err != nil || len(recErrs) > 0 {
				t.Fatalf("err %v, record errors %v", err, recErrs)
			}
			if len(got) != 1 || got[0].Text != want[0].Text || got[0].URL != want[0].URL {
				t.Fatalf("got %d docs (stats %v), want the original page", len(got), stats)
			}
		})
	}
}
