package journals

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// submission is the text side of one arXiv submission: its TeX files
// (decoded to UTF-8) by path inside the submission. Figures and other
// binaries are never held, only counted.
type submission struct {
	name      string // for messages: input path, or path!member for bulk files
	id        string // arXiv id when the name carries one
	files     map[string]string
	encodings map[string]string // non-UTF-8 files: path -> encoding
	size      int64
	junk      int // AppleDouble, .DS_Store, binaries named .tex
	other     int // figures, styles and other files not read
}

func newSubmission(name string) *submission {
	return &submission{name: name, files: map[string]string{}, encodings: map[string]string{}}
}

// textExts are the files a submission's text can come from; anything else
// (figures, .sty, .cls, .bst, .bbl) is never inlined as text.
var textExts = map[string]bool{".tex": true, ".ltx": true, ".latex": true, ".txt": true, ".tikz": true, ".pgf": true, ".inc": true, "": true}

// isJunk tells packaging debris from submission files: macOS resource forks
// (._name, even when named .tex), __MACOSX folders and Finder files.
func isJunk(p string) bool {
	base := path.Base(p)
	return strings.HasPrefix(base, "._") || base == ".DS_Store" || strings.Contains(p, "__MACOSX/") || base == "Thumbs.db"
}

// wants reports whether a file's bytes are read at all.
func wants(p string) bool {
	base := strings.ToLower(path.Base(p))
	if strings.HasPrefix(base, "00readme") || strings.HasPrefix(base, "readme") {
		return true
	}
	return textExts[strings.ToLower(path.Ext(p))]
}

// add records one file of the submission. limit bounds the text held.
func (s *submission) add(p string, r io.Reader, size, limit int64) error {
	p = strings.TrimPrefix(path.Clean("/"+filepath.ToSlash(p)), "/")
	if isJunk(p) {
		s.junk++
		return nil
	}
	if !wants(p) {
		s.other++
		return nil
	}
	if ext := strings.ToLower(path.Ext(p)); (ext == "" || ext == ".txt") && size > 4<<20 {
		// Extensionless and .txt files are read in case an \input names
		// them; big ones are data, not TeX, and must not fill the budget.
		s.other++
		return nil
	}
	if size > limit || s.size+size > limit {
		return fmt.Errorf("%s: text files larger than max_paper_bytes (%d)", p, limit)
	}
	raw, err := io.ReadAll(io.LimitReader(r, limit-s.size+1))
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(raw)) > limit-s.size {
		return fmt.Errorf("%s: text files larger than max_paper_bytes (%d)", p, limit)
	}
	if isBinary(raw) {
		s.junk++
		return nil
	}
	s.size += int64(len(raw))
	text, enc := decodeTeX(raw)
	if enc != "" {
		s.encodings[p] = enc
	}
	s.files[p] = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	return nil
}

// isPDF reports whether a stream holds a PDF (arXiv serves PDF-only papers
// gzipped too).
func isPDF(br *bufio.Reader) bool {
	head, _ := br.Peek(5)
	return string(head) == "%PDF-"
}

// isBinary spots binaries in text clothing: a NUL byte in the first 8 KiB.
func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8<<10)], 0) >= 0
}

// decodeTeX reads a TeX file as UTF-8, or as ISO-8859-1 (what inputenc's
// latin1 means, and the usual encoding of older submissions) when it is
// not valid UTF-8. enc is "" for UTF-8.
func decodeTeX(raw []byte) (text, enc string) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if utf8.Valid(raw) {
		return string(raw), ""
	}
	out, err := charmap.ISO8859_1.NewDecoder().Bytes(raw)
	if err != nil {
		return strings.ToValidUTF8(string(raw), "\uFFFD"), "invalid"
	}
	return string(out), "iso-8859-1"
}

var docclassRe = regexp.MustCompile(`(?m)^[ \t]*\\document(?:class|style)\b`)

// mainFile picks the file TeX would be run on: the toplevel file named in
// 00README.json or 00README.XXX when there is one, else the file with a
// live \documentclass that no other file includes, preferring one with
// \begin{document}, then the conventional names, then the largest.
func (s *submission) mainFile() string {
	for _, p := range sortedKeys(s.files) {
		text := s.files[p]
		base := strings.ToLower(path.Base(p))
		switch {
		case base == "00readme.json":
			var rd struct {
				Sources []struct {
					Filename string `json:"filename"`
					Usage    string `json:"usage"`
				} `json:"sources"`
			}
			if json.Unmarshal([]byte(text), &rd) == nil {
				for _, src := range rd.Sources {
					if src.Usage == "toplevel" {
						if _, ok := s.files[src.Filename]; ok {
							return src.Filename
						}
					}
				}
			}
		case base == "00readme.xxx" || base == "00readme":
			for _, line := range strings.Split(text, "\n") {
				f := strings.Fields(line)
				if len(f) == 2 && f[1] == "toplevelfile" || len(f) == 2 && f[1] == "toplevel" {
					if _, ok := s.files[f[0]]; ok {
						return f[0]
					}
				}
			}
		}
	}
	var cands []string
	for _, p := range sortedKeys(s.files) {
		if docclassRe.MatchString(stripComments(s.files[p])) {
			cands = append(cands, p)
		}
	}
	if len(cands) <= 1 {
		if len(cands) == 1 {
			return cands[0]
		}
		return ""
	}
	best, bestScore := "", -1
	for _, c := range cands {
		text := stripComments(s.files[c])
		score := 0
		if strings.Contains(text, `\begin{document}`) {
			score += 8
		}
		if !s.includedByOther(c) {
			score += 16
		}
		switch strings.TrimSuffix(path.Base(c), path.Ext(c)) {
		case "main", "ms", "paper", "article", "manuscript":
			score += 4
		}
		if strings.HasPrefix(path.Base(c), "_old") || strings.Contains(c, "old/") {
			score -= 2
		}
		if score > bestScore || score == bestScore && len(s.files[c]) > len(s.files[best]) {
			best, bestScore = c, score
		}
	}
	return best
}

// includedByOther reports whether another file \input's or \subfile's c.
func (s *submission) includedByOther(c string) bool {
	stem := strings.TrimSuffix(c, path.Ext(c))
	for p, text := range s.files {
		if p == c {
			continue
		}
		if strings.Contains(text, "{"+c+"}") || strings.Contains(text, "{"+stem+"}") {
			t := stripComments(text)
			for _, cmd := range []string{`\input{`, `\include{`, `\subfile{`} {
				if strings.Contains(t, cmd+c+"}") || strings.Contains(t, cmd+stem+"}") {
					return true
				}
			}
		}
	}
	return false
}

var (
	newIDRe = regexp.MustCompile(`(?:^|[^\d.])(\d{4}\.\d{4,5})(v\d+)?(?:$|[^\d])`)
	oldIDRe = regexp.MustCompile(`^([a-z][a-z-]*(?:\.[A-Z]{2})?)/?(\d{7})(v\d+)?$`)
)

// arxivID reads an arXiv identifier from a file or folder name
// (2004.14974.gz, 1707.08043/, hep-th0001001.gz); "" when there is none,
// as for submission numbers like 2229143.
func arxivID(name string) string {
	base := sources.BaseName(name)
	for _, ext := range []string{".gz", ".tar", ".tgz", ".tex", ".pdf"} {
		base = strings.TrimSuffix(base, ext)
	}
	if m := newIDRe.FindStringSubmatch(base); m != nil {
		return m[1]
	}
	if m := oldIDRe.FindStringSubmatch(base); m != nil {
		return m[1] + "/" + m[2]
	}
	return ""
}

// arxivMeta is what the metadata file says about one paper.
type arxivMeta struct {
	Categories, License, Title string
}

// loadMeta reads the metadata JSON Lines once per source.
func (s *Source) loadMeta() (map[string]arxivMeta, error) {
	s.metaOnce.Do(func() {
		if s.opts.ArXiv.Metadata == "" {
			return
		}
		st, err := sources.Open(s.opts.ArXiv.Metadata)
		if err != nil {
			s.metaErr = fmt.Errorf("arxiv.metadata: %w", err)
			return
		}
		defer st.Close()
		s.meta = map[string]arxivMeta{}
		sc := bufio.NewScanner(st)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		line := 0
		for sc.Scan() {
			line++
			var rec struct {
				ID, Title, Categories, License string
			}
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				s.metaErr = fmt.Errorf("arxiv.metadata: %s:%d: %w", s.opts.ArXiv.Metadata, line, err)
				return
			}
			s.meta[rec.ID] = arxivMeta{Categories: rec.Categories, License: rec.License, Title: strings.Join(strings.Fields(rec.Title), " ")}
		}
		if err := sc.Err(); err != nil {
			s.metaErr = fmt.Errorf("arxiv.metadata: %s:%d: %w", s.opts.ArXiv.Metadata, line, err)
		}
	})
	return s.meta, s.metaErr
}

// paper turns a loaded submission into a document. skip names why a
// submission yields none (no TeX, a PDF wrapper, no text); a bad \input
// is a *doc.RecordError.
func (s *Source) paper(sub *submission, counts doc.Counts) (d *doc.Document, skip string, err error) {
	addCount(counts, "arxiv.junk_file", sub.junk)
	main := sub.mainFile()
	if main == "" {
		if len(sub.files) == 0 || onlyReadmes(sub) {
			return nil, "no_tex", nil
		}
		return nil, "no_documentclass", nil
	}
	in := &inliner{sub: sub, strict: s.opts.ArXiv.MissingInclude == "error"}
	full, err := in.expand(main, []string{main})
	if err != nil {
		return nil, "", &doc.RecordError{File: sub.name, Record: main, Offset: -1, Err: err}
	}
	addCount(counts, "arxiv.missing_include", len(in.missing))
	p := cleanPaper(full, &s.opts.ArXiv)
	text := strings.TrimSpace(strings.TrimSpace(p.Abstract) + "\n\n" + p.Body)
	if text == "" {
		if p.PDFOnly {
			return nil, "pdf_only", nil
		}
		return nil, "no_text", nil
	}
	if p.Title != "" {
		text = p.Title + "\n\n" + text
	}
	id := sub.id
	d = &doc.Document{ID: id, Text: text}
	if id == "" {
		d.ID = strings.TrimSuffix(strings.TrimSuffix(sources.BaseName(sub.name), ".gz"), ".tar")
	} else {
		d.URL = "https://arxiv.org/abs/" + id
	}
	d.SetMeta("arxiv_id", id)
	d.SetMeta("title", p.Title)
	d.SetMeta("authors", p.Authors)
	d.SetMeta("main_file", main)
	d.SetMeta("missing_includes", strings.Join(in.missing, "; "))
	var encs []string
	for _, f := range sortedKeys(sub.encodings) {
		encs = append(encs, f+"="+sub.encodings[f])
	}
	d.SetMeta("encoding", strings.Join(encs, "; "))
	for _, f := range sortedKeys(sub.files) {
		if b := strings.ToLower(path.Base(f)); strings.HasPrefix(b, "readme") || strings.HasPrefix(b, "00readme") {
			if l := spdxLicense(sub.files[f], sub.files[f]); l != "" {
				d.SetMeta("license", l)
				break
			}
		}
	}
	meta, err := s.loadMeta()
	if err != nil {
		return nil, "", err
	}
	if m, ok := meta[id]; ok && id != "" {
		d.SetMeta("categories", m.Categories)
		if l := spdxLicense(m.License, ""); l != "" {
			d.SetMeta("license", l)
		}
		if p.Title == "" {
			d.SetMeta("title", m.Title)
		}
	}
	return d, "", nil
}

func onlyReadmes(sub *submission) bool {
	for p := range sub.files {
		if ext := strings.ToLower(path.Ext(p)); ext == ".tex" || ext == ".ltx" || ext == ".latex" || ext == "" && !strings.Contains(strings.ToLower(path.Base(p)), "readme") {
			return false
		}
	}
	return true
}
