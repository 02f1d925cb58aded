// Package journals reads scientific articles in their three usual source
// forms, one document per article:
//
//   - arXiv LaTeX submissions as arXiv serves them: a gzipped tar, a single
//     gzipped .tex, an unpacked source tree, and the bulk arXiv_src_*.tar
//     files that hold many of those. The main file is found, \input and
//     \include are inlined, and the LaTeX is cleaned as RedPajama cleans
//     it (preamble, comments, bibliography and figure bodies dropped, the
//     paper's own simple macros expanded, math kept as LaTeX), with the
//     abstract kept and section titles as headings.
//   - PubMed Central / JATS XML (NLM 2.3 to JATS 1.3): title, abstract and
//     body with headings, paragraphs, lists and captions; references and
//     sub-articles dropped; licence normalised to SPDX.
//   - PubMed / MEDLINE citation XML: title and abstract (structured
//     abstracts keep their labels) per citation; <DeleteCitation> blocks
//     of update files remove the citations they name.
//
// The format of each input is read from its bytes, never its name: arXiv
// ships gzipped tars named .gz and gzipped .tex files named .tar. The XML
// formats are read with the package's own streaming tokenizer (xmltok.go),
// which checks well-formedness as encoding/xml does at a few times its
// speed; one article or citation is held at a time.
package journals

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// Source is the journals source kind, built once and safe for concurrent
// Open calls.
type Source struct {
	opts Options

	// deletedBy maps a PMID to the position (in Units' order) of the first
	// MEDLINE update file whose <DeleteCitation> lists it; set by Units.
	mu        sync.Mutex
	deletedBy map[string]int
	order     map[string]int // input path -> position

	metaOnce sync.Once
	meta     map[string]arxivMeta
	metaErr  error
}

// New builds the source.
func New(opts Options) (*Source, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Source{opts: opts}, nil
}

// Units gives one unit per input (a submission, an article file, a MEDLINE
// file, a bulk arXiv tar). With medline.apply_deletions it first reads the
// <DeleteCitation> blocks of the MEDLINE inputs, so that each file's reader
// knows which of its citations a later update deletes.
func (s *Source) Units(inputs []sources.Input) ([]sources.Unit, error) {
	units := sources.WholeFile(inputs)
	if !s.opts.Medline.ApplyDeletions || s.opts.Format == "arxiv" || s.opts.Format == "jats" {
		return units, nil
	}
	order := medlineOrder(inputs)
	// The scan gunzips every MEDLINE input once; inputs are scanned in
	// parallel and merged in input order, so the result does not depend on
	// scheduling.
	lists := make([][]string, len(inputs))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, in := range inputs {
		if sources.IsDir(in) {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// An unreadable input fails in its own task, where the run's
			// on_error decides; the deletions it lists are lost with it.
			lists[i], _ = scanDeletions(in, s.opts.Format == "medline")
		}()
	}
	wg.Wait()
	deletedBy := map[string]int{}
	for i, in := range inputs {
		pos := order[in.Path]
		for _, p := range lists[i] {
			if old, ok := deletedBy[p]; !ok || pos < old {
				deletedBy[p] = pos
			}
		}
	}
	s.mu.Lock()
	s.deletedBy, s.order = deletedBy, order
	s.mu.Unlock()
	return units, nil
}

// Open starts reading one input.
func (s *Source) Open(u sources.Unit) (doc.Reader, error) {
	if sources.IsDir(u.Input) {
		return s.openArxivDir(u.Input.Path)
	}
	st, err := sources.OpenUnit(u)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(st, 64<<10)
	format, err := sniff(br, s.opts.Format)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("%s: %w", u.Input.Path, err)
	}
	switch format {
	case "medline":
		return s.newMedlineReader(u.Input.Path, st, br), nil
	case "jats":
		return s.newJATSReader(u.Input.Path, st, br), nil
	case "tar":
		return s.newArxivTarReader(u.Input.Path, st, br), nil
	default:
		return s.newArxivTexReader(u.Input.Path, st, br), nil
	}
}

// sniff names an input's format from its first decompressed bytes: "tar"
// (a submission or a bulk file), "tex", "jats" or "medline".
func sniff(br *bufio.Reader, forced string) (string, error) {
	head, err := br.Peek(8 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return "", err
	}
	if len(head) >= 262 && string(head[257:262]) == "ustar" {
		if forced == "jats" || forced == "medline" {
			return "", fmt.Errorf("a tar archive, but format is %s", forced)
		}
		return "tar", nil
	}
	root := rootElement(head)
	switch {
	case root == "PubmedArticleSet" || root == "PubmedBookArticleSet":
		if forced == "arxiv" || forced == "jats" {
			return "", fmt.Errorf("a PubMed citation set, but format is %s", forced)
		}
		return "medline", nil
	case root == "article" || root == "pmc-articleset" || root == "OAI-PMH" || root == "articles":
		if forced == "arxiv" || forced == "medline" {
			return "", fmt.Errorf("a JATS article, but format is %s", forced)
		}
		return "jats", nil
	case root != "":
		return "", fmt.Errorf("XML with root element <%s>: neither JATS (<article>) nor MEDLINE (<PubmedArticleSet>)", root)
	}
	if forced == "jats" || forced == "medline" {
		return "", fmt.Errorf("not XML, but format is %s", forced)
	}
	return "tex", nil
}

// rootElement returns the local name of the first element of an XML head,
// skipping a BOM, the declaration, comments, processing instructions and
// the DOCTYPE; "" when head does not start like XML.
func rootElement(head []byte) string {
	b := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return ""
			}
			b = b[i+2:]
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b, []byte("-->"))
			if i < 0 {
				return ""
			}
			b = b[i+3:]
		case bytes.HasPrefix(b, []byte("<!")):
			// DOCTYPE, perhaps with an internal subset in brackets.
			depth, i := 0, 2
			for ; i < len(b); i++ {
				if b[i] == '[' {
					depth++
				} else if b[i] == ']' {
					depth--
				} else if b[i] == '>' && depth <= 0 {
					break
				}
			}
			if i >= len(b) {
				return ""
			}
			b = b[i+1:]
		case bytes.HasPrefix(b, []byte("<")):
			end := bytes.IndexAny(b[1:], " \t\r\n/>")
			if end < 0 {
				return ""
			}
			name := string(b[1 : 1+end])
			if i := bytes.IndexByte([]byte(name), ':'); i >= 0 {
				name = name[i+1:]
			}
			return name
		default:
			return ""
		}
	}
}

// deletedLater reports whether a PMID read from input path is deleted by a
// later update file of the run.
func (s *Source) deletedLater(path, pmid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deletedBy == nil {
		return false
	}
	by, ok := s.deletedBy[pmid]
	return ok && by > s.order[path]
}
