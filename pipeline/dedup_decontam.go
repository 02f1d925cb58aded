package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/stages/dedup"
)

// Decontamination: the dedup-evalindex phase (one task) reads every
// evaluation set once into dedup/evalindex.bin, the n-grams of their
// items with a bit per set; each dedup-filter task loads that small index
// and tests every n-gram of its part's documents against it.
//
// The corpus side is not written to range files as paragraph keys are:
// one hash per word would cost 20 bytes per word on disk (four times the
// text) only to meet an index that fits in memory; the filter task,
// which reads the text anyway, asks the index directly.

// DedupEvalIndexFile is the evaluation n-gram index.
const DedupEvalIndexFile = "dedup/evalindex.bin"

// evalIndexTask plans the task building the index; its key covers the
// settings and every file's bytes.
func (r *runner) evalIndexTask() (*Task, error) {
	x := r.cfg.Dedup.Decontaminate
	var shas []string
	var size int64
	for _, s := range x.Sets {
		sha, n, err := fileSHA256(s.Path)
		if err != nil {
			return nil, fmt.Errorf("dedup.decontaminate: evaluation set %s: %w", s.Name, err)
		}
		shas = append(shas, sha)
		size += n
	}
	key := hashJSON(struct {
		Version string
		Ngram   int
		Sets    []dedup.EvalSet
		SHA256  []string
	}{dedupVersion, x.Ngram, x.Sets, shas})
	t := &Task{Phase: "dedup-evalindex", ID: "evalindex", Key: key, Size: size}
	t.Run = func(ctx context.Context) (*Marker, error) { return r.runEvalIndex(ctx) }
	return t, nil
}

func (r *runner) runEvalIndex(ctx context.Context) (*Marker, error) {
	x := r.cfg.Dedup.Decontaminate
	b := dedup.NewEvalIndexBuilder(x.Ngram)
	for _, s := range x.Sets {
		if err := b.AddSet(s.Name); err != nil {
			return nil, err
		}
		err := s.EachItem(func(text string) error {
			b.Add(text)
			return ctx.Err()
		})
		if err != nil {
			return nil, &fatalError{fmt.Errorf("dedup.decontaminate: %w", err)}
		}
	}
	for _, s := range b.Sets() {
		r.log.Info("evaluation set indexed", "name", s.Name, "items", s.Items, "too_short", s.Short, "ngrams", s.Ngrams)
	}
	a, err := createAtomic(filepath.Join(r.out, DedupEvalIndexFile))
	if err != nil {
		return nil, err
	}
	defer a.Abort()
	if _, err := b.WriteTo(a); err != nil {
		return nil, err
	}
	out, err := a.Commit()
	if err != nil {
		return nil, err
	}
	out.Path = DedupEvalIndexFile
	return &Marker{Outputs: []OutputFile{out}}, nil
}

// decontaminator applies the index to one filter task's documents.
type decontaminator struct {
	idx    *dedup.EvalIndex
	g      *dedup.Ngrammer
	excise bool
	spans  []dedup.Span
}

// zero lists every evaluation set in st, so a set that matched nothing
// shows as 0 rather than missing.
func (c *decontaminator) zero(st *SourceStats) {
	for _, s := range c.idx.Sets {
		entry(&st.dedupStats().Decontam, s.Name)
	}
}

// apply tests d; it returns false when d is to be dropped (action drop),
// and with excise cuts the matched spans out of d.Text. Counts go to st.
func (c *decontaminator) apply(d *doc.Document, st *SourceStats) bool {
	c.spans = c.idx.Matches(c.g, d.Text, c.spans)
	if len(c.spans) == 0 {
		return true
	}
	ds := st.dedupStats()
	var docSets uint64
	for _, sp := range c.spans {
		docSets |= sp.Sets
		for _, i := range dedup.SetsOf(sp.Sets) {
			e := entry(&ds.Decontam, c.idx.Sets[i].Name)
			e.Spans++
			e.Bytes += int64(sp.End - sp.Start)
		}
	}
	for _, i := range dedup.SetsOf(docSets) {
		entry(&ds.Decontam, c.idx.Sets[i].Name).Docs++
	}
	if !c.excise {
		return false
	}
	var b strings.Builder
	b.Grow(len(d.Text))
	prev := 0
	for _, sp := range c.spans {
		b.WriteString(d.Text[prev:sp.Start])
		prev = sp.End
	}
	b.WriteString(d.Text[prev:])
	ds.ExcisedDocs++
	ds.ExcisedBytes += int64(len(d.Text) - b.Len())
	d.Text = b.String()
	return true
}

// EvalStats count one evaluation set's matches in a source.
type EvalStats struct {
	// Docs matched at least one of the set's n-grams.
	Docs int64 `json:"docs"`
	// Spans are the merged matched ranges; Bytes their length.
	Spans int64 `json:"spans"`
	Bytes int64 `json:"bytes"`
}

func (s *SourceStats) dedupStats() *DedupStats {
	if s.Dedup == nil {
		s.Dedup = &DedupStats{}
	}
	return s.Dedup
}

// recut moves a kept document's counts from its old length to its new
// one after spans were cut from it.
func (s *SourceStats) recut(d *doc.Document, oldLen int64) {
	n := int64(len(d.Text))
	s.TextBytesWritten -= oldLen - n
	entry(&s.Languages, d.Language).TextBytes -= oldLen - n
	s.LengthHist[lengthBucket(oldLen)]--
	s.LengthHist[lengthBucket(n)]++
}
