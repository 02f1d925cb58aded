package journals

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
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

// arxivReader yields the papers of one input: a single submission (tree,
// tar, gzipped .tex) or every submission of a bulk arXiv_src tar.
type arxivReader struct {
	src    *Source
	path   string
	stream *sources.Stream // nil for a directory
	counts doc.Counts
	next   func() (*submission, error) // io.EOF when done
}

// Stats counts papers emitted ("arxiv.paper"), submissions skipped per
// reason ("arxiv.skip.pdf_only", "arxiv.skip.no_tex",
// "arxiv.skip.no_documentclass", "arxiv.skip.no_text"), junk files
// ("arxiv.junk_file") and \input targets not found
// ("arxiv.missing_include").
func (r *arxivReader) Stats() doc.Counts { return maps.Clone(r.counts) }

// InputOffset is how many raw input bytes have been read, for progress.
func (r *arxivReader) InputOffset() int64 {
	if r.stream == nil {
		return 0
	}
	return r.stream.CompressedOffset()
}

func (r *arxivReader) Close() error {
	if r.stream == nil {
		return nil
	}
	return r.stream.Close()
}

func (r *arxivReader) Next() (*doc.Document, error) {
	for {
		sub, err := r.next()
		if err != nil {
			return nil, err
		}
		if sub == nil { // a bulk member that is a PDF
			r.counts.Add("arxiv.skip.pdf_only", 1)
			continue
		}
		d, skip, err := r.src.paper(sub, r.counts)
		if err != nil {
			var re *doc.RecordError
			if errors.As(err, &re) {
				r.counts.Add("arxiv.skip.bad_include", 1)
			}
			return nil, err
		}
		if skip != "" {
			r.counts.Add("arxiv.skip."+skip, 1)
			continue
		}
		r.counts.Add("arxiv.paper", 1)
		return d, nil
	}
}

// once makes a next func that yields one submission, then io.EOF.
func once(load func() (*submission, error)) func() (*submission, error) {
	done := false
	return func() (*submission, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		return load()
	}
}

func (s *Source) openArxivDir(dir string) (*arxivReader, error) {
	r := &arxivReader{src: s, path: dir, counts: doc.Counts{}}
	r.next = once(func() (*submission, error) {
		sub := newSubmission(dir)
		sub.id = arxivID(dir)
		err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !de.Type().IsRegular() {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			if !wants(filepath.ToSlash(rel)) || isJunk(filepath.ToSlash(rel)) {
				return sub.add(rel, nil, 0, s.opts.ArXiv.MaxPaperBytes)
			}
			info, err := de.Info()
			if err != nil {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return sub.add(rel, f, info.Size(), s.opts.ArXiv.MaxPaperBytes)
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		return sub, nil
	})
	return r, nil
}

func (s *Source) newArxivTexReader(p string, st *sources.Stream, br *bufio.Reader) *arxivReader {
	r := &arxivReader{src: s, path: p, stream: st, counts: doc.Counts{}}
	r.next = once(func() (*submission, error) {
		if isPDF(br) {
			return nil, nil // a PDF-only paper, counted by Next
		}
		sub := newSubmission(p)
		sub.id = arxivID(p)
		name := strings.TrimSuffix(sources.BaseName(p), ".gz") + ".tex"
		if err := sub.add(name, br, 0, s.opts.ArXiv.MaxPaperBytes); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return sub, nil
	})
	return r
}

// newArxivTarReader reads a tar that is either one submission or a bulk
// arXiv_src file, whose members are gzipped submissions (YYMM/ID.gz) and
// PDF-only papers (YYMM/ID.pdf). The first regular member tells which.
func (s *Source) newArxivTarReader(p string, st *sources.Stream, br *bufio.Reader) *arxivReader {
	r := &arxivReader{src: s, path: p, stream: st, counts: doc.Counts{}}
	tr := tar.NewReader(br)
	limit := s.opts.ArXiv.MaxPaperBytes
	bulk, decided, finished := false, false, false
	r.next = func() (*submission, error) {
		if finished {
			return nil, io.EOF
		}
		var sub *submission
		for {
			h, err := tr.Next()
			if err == io.EOF {
				finished = true
				if sub != nil && len(sub.files)+sub.junk+sub.other > 0 {
					return sub, nil
				}
				return nil, io.EOF
			}
			if err != nil {
				finished = true
				return nil, tarError(p, h, err)
			}
			if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
				continue
			}
			name := strings.TrimPrefix(h.Name, "./")
			if !decided {
				decided = true
				lower := strings.ToLower(name)
				bulk = (strings.HasSuffix(lower, ".gz") || strings.HasSuffix(lower, ".pdf")) && !isJunk(name) && arxivID(name) != ""
			}
			if !bulk {
				if sub == nil {
					sub = newSubmission(p)
					sub.id = arxivID(p)
				}
				if err := sub.add(name, tr, h.Size, limit); err != nil {
					finished = true
					return nil, tarError(p, h, err)
				}
				continue
			}
			member := p + "!" + name
			if strings.HasSuffix(strings.ToLower(name), ".pdf") {
				return nil, nil
			}
			if isJunk(name) || !strings.HasSuffix(strings.ToLower(name), ".gz") {
				continue
			}
			if h.Size > limit {
				return nil, &doc.RecordError{File: p, Record: name, Offset: -1, Err: fmt.Errorf("member larger than max_paper_bytes (%d)", limit)}
			}
			raw, err := io.ReadAll(tr)
			if err != nil {
				finished = true
				return nil, tarError(p, h, err)
			}
			sub, err := s.loadMember(member, raw)
			if err != nil {
				return nil, &doc.RecordError{File: p, Record: name, Offset: -1, Err: err}
			}
			return sub, nil
		}
	}
	return r
}

func tarError(p string, h *tar.Header, err error) error {
	if h != nil {
		return fmt.Errorf("%s: tar member %s: %w", p, h.Name, err)
	}
	return fmt.Errorf("%s: tar: %w", p, err)
}

// loadMember reads one gzipped submission of a bulk tar: a tar inside, or
// a single .tex.
func (s *Source) loadMember(name string, raw []byte) (*submission, error) {
	st, err := sources.NewStream(name, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	br := bufio.NewReaderSize(st, 64<<10)
	f, err := sniff(br, "arxiv")
	if err != nil {
		return nil, err
	}
	if f == "tex" && isPDF(br) {
		return nil, nil
	}
	sub := newSubmission(name)
	sub.id = arxivID(name)
	limit := s.opts.ArXiv.MaxPaperBytes
	if f == "tex" {
		if err := sub.add(strings.TrimSuffix(path.Base(name), ".gz")+".tex", br, 0, limit); err != nil {
			return nil, err
		}
		return sub, nil
	}
	tr := tar.NewReader(br)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return sub, nil
		}
		if err != nil {
			return nil, tarError(name, h, err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		if err := sub.add(strings.TrimPrefix(h.Name, "./"), tr, h.Size, limit); err != nil {
			return nil, err
		}
	}
}
