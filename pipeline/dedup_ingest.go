package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/stages/dedup"
)

// Where the dedup phases keep their files, under the run's output.
const (
	DedupDir = "dedup"
	// DedupSigDir holds each ingest part's keys, sorted by section.
	DedupSigDir = "dedup/sig"
	// DedupDocsDir holds each ingest part's per-document records.
	DedupDocsDir = "dedup/docs"
	// DedupPairsDir holds the candidate pairs of each (section, range).
	DedupPairsDir = "dedup/pairs"
	// DedupClustersDir holds each part's decisions.
	DedupClustersDir = "dedup/clusters"
	// DedupPartsDir holds the deduplicated parts that publish reads.
	DedupPartsDir = "dedup/parts"
	// DedupIndexFile lists what a later run needs to deduplicate against
	// this one.
	DedupIndexFile = "dedup/index.json"
)

// docSig is what ingest computes for dedup of one kept document.
type docSig struct {
	info dedup.DocInfo
	// keys holds one key per section of the run, in sections() order;
	// a zero key means the document has none there (no URL, no tokens).
	keys []dedup.Key
	// paras are the distinct paragraph (line) keys, when paragraph
	// dedup is on.
	paras []dedup.Key
}

// dedupSigner computes docSigs; it is shared by an ingest's batches,
// which run in parallel, so each goroutine borrows its own buffers.
type dedupSigner struct {
	cfg      *DedupConfig
	sections []uint32
	pool     sync.Pool
}

type signBuffers struct {
	mh   *dedup.MinHasher
	norm []byte
	sig  []uint32
}

func newDedupSigner(cfg *DedupConfig) (*dedupSigner, error) {
	if cfg == nil {
		return nil, nil
	}
	if _, err := dedup.NewMinHasher(cfg.MinHash, cfg.Normalize); err != nil {
		return nil, fmt.Errorf("dedup: %w", err)
	}
	s := &dedupSigner{cfg: cfg, sections: cfg.sections()}
	if cfg.Paragraphs != nil {
		// After the per-document sections: keys index those only.
		s.sections = append(s.sections, dedup.SectionParagraphs)
	}
	s.pool.New = func() any {
		mh, _ := dedup.NewMinHasher(cfg.MinHash, cfg.Normalize)
		return &signBuffers{mh: mh}
	}
	return s, nil
}

// sections lists the signature-file sections a run writes and buckets:
// the MinHash bands, then exact, then URL.
func (d *DedupConfig) sections() []uint32 {
	var out []uint32
	if d.Near {
		for b := range d.MinHash.Bands {
			out = append(out, uint32(b))
		}
	}
	if d.Exact {
		out = append(out, dedup.SectionExact)
	}
	if d.URL {
		out = append(out, dedup.SectionURL)
	}
	return out
}

func sectionName(id uint32) string {
	switch id {
	case dedup.SectionExact:
		return "exact"
	case dedup.SectionURL:
		return "url"
	}
	return fmt.Sprintf("band-%02d", id)
}

// sign computes a kept document's keys from its final text.
func (s *dedupSigner) sign(d *doc.Document) docSig {
	b := s.pool.Get().(*signBuffers)
	defer s.pool.Put(b)
	norm := s.cfg.Normalize
	if strings.HasPrefix(d.Language, "code:") {
		norm = s.cfg.CodeNormalize
	}
	b.norm = norm.Append(b.norm[:0], d.Text)
	ds := docSig{info: dedup.DocInfo{Length: int64(len(d.Text)), Score: d.LanguageScore, ID: d.ID}}
	// A text that normalises to nothing (only punctuation) is not a copy
	// of every other such text: it gets no exact key.
	if len(b.norm) > 0 {
		ds.info.Exact = dedup.HashBytes(b.norm)
	}
	if u, ok := dedup.NormalizeURL(d.URL); ok && d.URL != "" {
		ds.info.URL = dedup.HashString(u)
	}
	ds.keys = make([]dedup.Key, 0, len(s.sections))
	if s.cfg.Near {
		var ok bool
		b.sig, ok = b.mh.SignatureOfNormalized(b.norm, d.Language, b.sig[:0])
		if ok {
			ds.keys = b.mh.BandKeys(b.sig, ds.keys)
		} else {
			ds.keys = append(ds.keys, make([]dedup.Key, s.cfg.MinHash.Bands)...)
		}
	}
	if s.cfg.Exact {
		ds.keys = append(ds.keys, ds.info.Exact)
	}
	if s.cfg.URL {
		ds.keys = append(ds.keys, ds.info.URL)
	}
	if p := s.cfg.Paragraphs; p != nil {
		ds.paras = paragraphKeys(d.Text, d.Language, p, norm, &b.norm)
	}
	return ds
}

// sigSpillEntries bounds the keys an ingest task holds (20 bytes each,
// so 40 MiB); past it the signature writer spills sorted runs to disk.
const sigSpillEntries = 2 << 20

// sigPart writes one ingest part's dedup files: the records stream to
// their file as rows are written, the keys are sorted at commit.
type sigPart struct {
	sections []uint32
	sig      *dedup.SigWriter
	sigRel   string
	docsRel  string
	docs     *atomicFile
	dw       *dedup.DocWriter
	out      string
	rows     uint32
}

func newSigPart(out, dataRel string, sections []uint32) (*sigPart, error) {
	spill := filepath.Join(out, ".curate", "spill")
	if err := os.MkdirAll(spill, 0o755); err != nil {
		return nil, &fatalError{err}
	}
	p := &sigPart{sections: sections, sig: dedup.NewSpillingSigWriter(spill, sigSpillEntries), out: out,
		sigRel: sigRel(DedupSigDir, dataRel), docsRel: sigRel(DedupDocsDir, dataRel)}
	for _, id := range sections {
		p.sig.Section(id)
	}
	var err error
	if p.docs, err = createAtomic(filepath.Join(out, p.docsRel)); err != nil {
		return nil, &fatalError{err}
	}
	if p.dw, err = dedup.NewDocWriter(p.docs); err != nil {
		p.abort()
		return nil, &fatalError{err}
	}
	return p, nil
}

// add records the next written row.
func (p *sigPart) add(ds docSig) error {
	row := p.rows
	p.rows++
	for i, k := range ds.keys {
		// A zero key stands for "none": it must not pair every document
		// without a URL (or without a token) with each other.
		if !k.IsZero() {
			if err := p.sig.Add(p.sections[i], k, row); err != nil {
				return err
			}
		}
	}
	for _, k := range ds.paras {
		if err := p.sig.Add(dedup.SectionParagraphs, k, row); err != nil {
			return err
		}
	}
	return p.dw.Write(ds.info)
}

// abort drops what was written; safe after commit.
func (p *sigPart) abort() {
	p.docs.Abort()
	p.sig.Close()
}

// sigRel names a part's dedup file: dedup/sig/<source>/part-N.bin.
func sigRel(dir, dataRel string) string {
	src := filepath.Base(filepath.Dir(dataRel))
	part := strings.TrimSuffix(filepath.Base(dataRel), ".parquet")
	return filepath.Join(dir, src, part+".bin")
}

// commit writes the part's signature file and closes its docs file, both
// atomically.
func (p *sigPart) commit() ([]OutputFile, error) {
	defer p.sig.Close()
	fail := func(rel string, err error) ([]OutputFile, error) {
		return nil, &fatalError{fmt.Errorf("%s: %w", rel, err)}
	}
	if err := p.dw.Flush(); err != nil {
		return fail(p.docsRel, err)
	}
	docs, err := p.docs.Commit()
	if err != nil {
		return fail(p.docsRel, err)
	}
	a, err := createAtomic(filepath.Join(p.out, p.sigRel))
	if err != nil {
		return fail(p.sigRel, err)
	}
	if _, err := p.sig.WriteTo(a); err != nil {
		a.Abort()
		return fail(p.sigRel, err)
	}
	sig, err := a.Commit()
	if err != nil {
		return fail(p.sigRel, err)
	}
	sig.Path, docs.Path = p.sigRel, p.docsRel
	sig.Rows, docs.Rows = int64(p.rows), int64(p.rows)
	return []OutputFile{sig, docs}, nil
}

// ingestDirs are the folders the ingest phase owns. With dedup on,
// rejected/ is shared with the dedup filter phase, which sweeps it.
func ingestDirs(cfg *Config) []string {
	if cfg.Dedup == nil {
		// Whatever an earlier run with dedup left goes too.
		return []string{IngestDir, RejectedDir, DedupDir}
	}
	return []string{IngestDir, DedupSigDir, DedupDocsDir}
}
