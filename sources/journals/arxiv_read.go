package journals

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

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
