package filter

// Crude extraction of the shared corpus for the filter tests and benchmark.
// The real sources (sources/books, wikipedia, reddit, commoncrawl, github)
// are written in parallel by other engineers; this only has to produce text
// close enough to theirs to measure the filters' drop rates.

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// corpusDoc is a document plus what the test knows about it.
type corpusDoc struct {
	doc.Document
	file  string
	label string // "error" for WARC non-200 pages, "removed" for Reddit deletions
}

func latin1ToUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// bookDocs: one document per Gutenberg file, the body between the licence
// markers, CRLF folded, language from the "Language:" header.
func bookDocs(t testing.TB, dir string) []corpusDoc {
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	langs := map[string]string{"English": "en", "French": "fr", "Spanish": "es", "Dutch": "nl"}
	var out []corpusDoc
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(latin1ToUTF8(raw), "\r\n", "\n")
		text = strings.TrimPrefix(text, "\ufeff")
		lang := "en"
		if m := regexp.MustCompile(`(?m)^Language: *(\w+)`).FindStringSubmatch(text); m != nil {
			lang = langs[m[1]]
		}
		if i := regexp.MustCompile(`(?m)^\*\*\* ?START OF[^\n]*(\n[^\n]*\*\*\*)?`).FindStringIndex(text); i != nil {
			text = text[i[1]:]
		} else if i := regexp.MustCompile(`(?m)^\*END\*THE SMALL PRINT[^\n]*`).FindStringIndex(text); i != nil {
			text = text[i[1]:]
		}
		if i := regexp.MustCompile(`(?m)^(\*\*\* ?END OF|End of (the )?Project Gutenberg|\*\*\*END OF)`).FindStringIndex(text); i != nil {
			text = text[:i[0]]
		}
		out = append(out, corpusDoc{Document: doc.Document{ID: filepath.Base(f), Text: strings.TrimSpace(text), Language: lang, LanguageScore: 1}, file: filepath.Base(f)})
	}
	return out
}

var (
	wikiTemplate = regexp.MustCompile(`\{\{[^{}]*\}\}`)
	wikiTable    = regexp.MustCompile(`(?s)\{\|.*?\|\}`)
	wikiRef      = regexp.MustCompile(`(?s)<ref[^>/]*/>|<ref[^>]*>.*?</ref>|<!--.*?-->`)
	wikiTag      = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	wikiFile     = regexp.MustCompile(`\[\[(?i:file|image|category|категория|kategoreja|kategorija|ファイル|画像|カテゴリ|файл|κατηγορία|αρχείο)[^\[\]]*(\[\[[^\]]*\]\][^\[\]]*)*\]\]`)
	wikiLink     = regexp.MustCompile(`\[\[(?:[^|\]]*\|)?([^\]]*)\]\]`)
	wikiExt      = regexp.MustCompile(`\[https?://[^ \]]*( ([^\]]*))?\]`)
	wikiQuotes   = regexp.MustCompile(`'{2,}`)
	wikiHeading  = regexp.MustCompile(`(?m)^=+\s*(.*?)\s*=+\s*$`)
	wikiList     = regexp.MustCompile(`(?m)^[*#:;]+\s*`)
	blankRuns    = regexp.MustCompile(`\n{3,}`)
)

func wikiToText(s string) string {
	for i := 0; i < 5; i++ { // nested templates, innermost first
		s2 := wikiTemplate.ReplaceAllString(s, "")
		if s2 == s {
			break
		}
		s = s2
	}
	s = wikiTable.ReplaceAllString(s, "")
	s = wikiRef.ReplaceAllString(s, "")
	s = wikiFile.ReplaceAllString(s, "")
	s = wikiLink.ReplaceAllString(s, "$1")
	s = wikiExt.ReplaceAllString(s, "$2")
	s = wikiTag.ReplaceAllString(s, "")
	s = wikiQuotes.ReplaceAllString(s, "")
	s = wikiHeading.ReplaceAllString(s, "$1")
	s = wikiList.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = blankRuns.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}

// wikiDocs: main-namespace, non-redirect pages of every UTF-8 dump (the
// UTF-16 bgwiki file is the sources' problem); truncated dumps yield their
// complete pages.
func wikiDocs(t testing.TB, dir string) []corpusDoc {
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml*"))
	var out []corpusDoc
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasPrefix(base, "bgwiki") || strings.HasPrefix(base, "DERIVED") {
			continue
		}
		lang := base[:2]
		if strings.HasPrefix(base, "ltg") {
			lang = "ltg"
		}
		st, err := sources.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(st)
		type page struct {
			Title    string `xml:"title"`
			NS       int    `xml:"ns"`
			Redirect *struct {
				Title string `xml:"title,attr"`
			} `xml:"redirect"`
			Text string `xml:"revision>text"`
		}
		for {
			tok, err := dec.Token()
			if err != nil {
				break // io.EOF, or the truncated tail
			}
			se, ok := tok.(xml.StartElement)
			if !ok || se.Name.Local != "page" {
				continue
			}
			var p page
			if err := dec.DecodeElement(&p, &se); err != nil {
				break
			}
			if p.NS != 0 || p.Redirect != nil || strings.HasPrefix(strings.ToLower(p.Text), "#redirect") {
				continue
			}
			text := wikiToText(p.Text)
			out = append(out, corpusDoc{Document: doc.Document{ID: p.Title, Text: text, Language: lang, LanguageScore: 1}, file: base})
		}
		st.Close()
	}
	return out
}

// redditDocs: comment bodies and submission title + selftext.
func redditDocs(t testing.TB, dir string) []corpusDoc {
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var out []corpusDoc
	for _, f := range files {
		st, err := sources.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(st)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var r struct {
				ID       string `json:"id"`
				Body     string `json:"body"`
				Title    string `json:"title"`
				Selftext string `json:"selftext"`
			}
			if json.Unmarshal(sc.Bytes(), &r) != nil {
				continue
			}
			text, label := r.Body, ""
			if r.Title != "" {
				text = strings.TrimSpace(r.Title + "\n\n" + r.Selftext)
				if r.Selftext == "[removed]" || r.Selftext == "[deleted]" {
					label = "removed"
				}
			} else if r.Body == "[removed]" || r.Body == "[deleted]" {
				label = "removed"
			}
			out = append(out, corpusDoc{Document: doc.Document{ID: r.ID, Text: text, Language: "en", LanguageScore: 1}, file: filepath.Base(f), label: label})
		}
		st.Close()
	}
	return out
}

var (
	htmlDrop  = regexp.MustCompile(`(?is)<(script|style|noscript|svg|head)\b.*?</(script|style|noscript|svg|head)>|<!--.*?-->`)
	htmlBlock = regexp.MustCompile(`(?i)</?(p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer|nav|title|blockquote|pre|dd|dt|form|option)\b[^>]*>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
	htmlLang  = regexp.MustCompile(`(?i)<html[^>]*\slang=["']?([a-zA-Z]{2,3})`)
	spaces    = regexp.MustCompile(`[ \t\r\f\v\x{a0}]+`)
)

func htmlToText(b string) string {
	b = htmlDrop.ReplaceAllString(b, " ")
	b = htmlBlock.ReplaceAllString(b, "\n")
	b = htmlTag.ReplaceAllString(b, " ")
	b = html.UnescapeString(b)
	var lines []string
	for _, l := range strings.Split(b, "\n") {
		l = strings.TrimSpace(spaces.ReplaceAllString(l, " "))
		if l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// webDocs: HTML responses of every WARC, tags stripped, one line per block.
// Non-200 responses are kept and labelled "error" (the real source may skip
// them; the filters must drop them anyway).
func webDocs(t testing.TB, dir string) []corpusDoc {
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc*"))
	var out []corpusDoc
	for _, f := range files {
		if strings.Contains(f, ".wat.") || strings.Contains(f, ".wet.") {
			continue
		}
		st, err := sources.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReaderSize(st, 1<<20)
		for {
			hdr, body, err := readWARC(br)
			if err != nil {
				break
			}
			if hdr["warc-type"] != "response" {
				continue
			}
			status, ctype, payload := splitHTTP(body)
			if !strings.Contains(ctype, "html") {
				continue
			}
			text := htmlToText(latin1ToUTF8(payload))
			lang := "und"
			if m := htmlLang.FindStringSubmatch(string(payload)); m != nil {
				lang = strings.ToLower(m[1])
			}
			// The sample WARCs hold no HTTP error statuses; the error-like
			// pages are the stubs (a redirect notice, example.com's
			// placeholder), labelled by size.
			label := ""
			if status != 200 || len(strings.Fields(text)) < 50 {
				label = "error"
			}
			out = append(out, corpusDoc{Document: doc.Document{ID: hdr["warc-target-uri"], URL: hdr["warc-target-uri"], Text: text, Language: lang, LanguageScore: 1}, file: filepath.Base(f), label: label})
		}
		st.Close()
	}
	return out
}

func readWARC(br *bufio.Reader) (map[string]string, []byte, error) {
	var line string
	var err error
	for line == "" { // skip the blank lines between records
		line, err = br.ReadString('\n')
		if err != nil {
			return nil, nil, err
		}
		line = strings.TrimSpace(line)
	}
	if !strings.HasPrefix(line, "WARC/") {
		return nil, nil, io.ErrUnexpectedEOF
	}
	hdr := map[string]string{}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		if k, v, ok := strings.Cut(l, ":"); ok {
			hdr[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), "<>")
		}
	}
	n, _ := strconv.Atoi(hdr["content-length"])
	body := make([]byte, n)
	_, err = io.ReadFull(br, body)
	return hdr, body, err
}

func splitHTTP(b []byte) (status int, ctype string, payload []byte) {
	head, payload, ok := bytes.Cut(b, []byte("\r\n\r\n"))
	if !ok {
		return 0, "", nil
	}
	lines := strings.Split(string(head), "\r\n")
	if f := strings.Fields(lines[0]); len(f) >= 2 {
		status, _ = strconv.Atoi(f[1])
	}
	gz := false
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "content-type":
			ctype = strings.ToLower(v)
		case "content-encoding":
			gz = strings.Contains(strings.ToLower(v), "gzip")
		}
	}
	if gz {
		if zr, err := gzip.NewReader(bytes.NewReader(payload)); err == nil {
			if p, err := io.ReadAll(zr); err == nil {
				payload = p
			}
		}
	}
	return status, ctype, payload
}

var codeExt = map[string]string{
	".go": "go", ".py": "python", ".c": "c", ".h": "c", ".js": "javascript", ".ts": "typescript",
	".rb": "ruby", ".sh": "shell", ".md": "markdown", ".rst": "restructuredtext", ".yml": "yaml",
	".yaml": "yaml", ".json": "json", ".html": "html", ".css": "css", ".ejs": "ejs", ".txt": "text",
	".cmake": "cmake", ".toml": "toml", ".cfg": "ini", ".ini": "ini", ".in": "text", ".pem": "text", ".key": "text",
}

// codeDocs: text files of the git-archive tarballs, language by extension.
func codeDocs(t testing.TB, dir string) []corpusDoc {
	files, _ := filepath.Glob(filepath.Join(dir, "*.tar.gz"))
	var out []corpusDoc
	for _, f := range files {
		st, err := sources.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(st)
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			if h.Typeflag != tar.TypeReg {
				continue
			}
			b, err := io.ReadAll(tr)
			if err != nil || !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
				continue
			}
			name := filepath.Base(h.Name)
			lang, ok := codeExt[strings.ToLower(filepath.Ext(name))]
			if !ok {
				switch {
				case name == "Makefile":
					lang = "makefile"
				case name == "CMakeLists.txt":
					lang = "cmake"
				default:
					lang = "text"
				}
			}
			out = append(out, corpusDoc{Document: doc.Document{ID: h.Name, Text: string(b), Language: "code:" + lang, LanguageScore: 1}, file: filepath.Base(f)})
		}
		st.Close()
	}
	return out
}
