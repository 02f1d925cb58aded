package pipeline

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/report"
	"github.com/curate-dev/curate/stages/dedup"
)

// Span cuts in the dedup-filter task: decontamination first (a document
// dropped for holding benchmark text is not counted as cut), then
// paragraph dedup on what is left; a document cut to (almost) nothing is
// dropped as dedup_cut_short.

// spanInputs are what a filter task's span cuts depend on; nil when
// neither paragraphs nor decontaminate is on.
type spanInputs struct {
	EvalIndex   *OutputFile      `json:",omitempty"`
	Action      string           `json:",omitempty"`
	Paragraphs  *ParagraphConfig `json:",omitempty"`
	Common      []OutputFile     `json:",omitempty"`
	CutMinChars int

	// loaded shares the read-only evaluation index and frequent
	// paragraphs among the run's filter tasks: loaded once, not per part.
	loaded struct {
		once   sync.Once
		index  *dedup.EvalIndex
		common map[dedup.Key]dedup.Common
		err    error
	}
}

// load reads the evaluation index and the frequent paragraphs once.
func (in *spanInputs) load(out string) error {
	in.loaded.once.Do(func() {
		l := &in.loaded
		if in.EvalIndex != nil {
			if l.index, l.err = dedup.ReadEvalIndex(filepath.Join(out, in.EvalIndex.Path)); l.err != nil {
				return
			}
		}
		l.common = map[dedup.Key]dedup.Common{}
		for _, o := range in.Common {
			if l.err = dedup.ReadCommon(filepath.Join(out, o.Path), func(x dedup.Common) { l.common[x.Key] = x }); l.err != nil {
				return
			}
		}
	})
	return in.loaded.err
}

// spanCutter applies the span cuts to one part's documents.
type spanCutter struct {
	decon    *decontaminator
	para     *paragraphCutter
	minChars int
}

func (r *runner) newSpanCutter(in *spanInputs, p *dedupPart) (*spanCutter, error) {
	if in == nil {
		return nil, nil
	}
	if err := in.load(r.out); err != nil {
		return nil, err
	}
	c := &spanCutter{minChars: in.CutMinChars, para: r.newParagraphCutter(in, p)}
	if idx := in.loaded.index; idx != nil {
		c.decon = &decontaminator{idx: idx, g: dedup.NewNgrammer(idx.N), excise: in.Action == "excise"}
	}
	return c, nil
}

// apply cuts d (row of its part) and returns the rule that drops it, or
// "" to keep it (perhaps shortened; its counts are then adjusted).
func (c *spanCutter) apply(row uint32, d *doc.Document, st *SourceStats) string {
	old := int64(len(d.Text))
	if c.decon != nil && !c.decon.apply(d, st) {
		return "dedup_decontam"
	}
	if c.para != nil {
		c.para.apply(row, d, st)
	}
	if int64(len(d.Text)) == old {
		return ""
	}
	st.recut(d, old)
	if t := strings.TrimSpace(d.Text); len(t) < c.minChars || !dedup.HasWord(t) {
		return "dedup_cut_short"
	}
	return ""
}

// spanPhases run dedup-paragraphs (one task per hash range) and
// dedup-evalindex (one task) when on, and return what the filter tasks
// read.
func (r *runner) spanPhases(parts []*dedupPart, decisions map[string]OutputFile, runPhase phaseFunc) (*spanInputs, error) {
	cfg := r.cfg.Dedup
	if cfg.Paragraphs == nil && cfg.Decontaminate == nil {
		return nil, nil
	}
	in := &spanInputs{CutMinChars: cfg.CutMinChars}
	if cfg.Paragraphs != nil {
		ph, err := runPhase("dedup-paragraphs", r.paragraphTasks(parts, decisions), []string{DedupParagraphsDir})
		if err != nil {
			return nil, err
		}
		in.Paragraphs = cfg.Paragraphs
		for _, m := range ph.markers {
			in.Common = append(in.Common, m.Outputs...)
		}
	}
	if cfg.Decontaminate != nil {
		t, err := r.evalIndexTask()
		if err != nil {
			return nil, err
		}
		ph, err := runPhase("dedup-evalindex", []*Task{t}, []string{DedupEvalIndexFile})
		if err != nil {
			return nil, err
		}
		idx := ph.markers[0].Outputs[0]
		in.EvalIndex, in.Action = &idx, cfg.Decontaminate.Action
	}
	return in, nil
}

// spanReport turns a source's span figures into the report's tables.
func spanReport(ds *DedupStats) ([]report.EvalMatch, *report.Paragraphs) {
	if ds == nil {
		return nil, nil
	}
	var evals []report.EvalMatch
	for _, name := range slices.Sorted(maps.Keys(ds.Decontam)) {
		e := ds.Decontam[name]
		evals = append(evals, report.EvalMatch{Set: name, Docs: e.Docs, Spans: e.Spans, Bytes: e.Bytes})
	}
	var paras *report.Paragraphs
	if p := ds.Paragraphs; p != nil {
		paras = &report.Paragraphs{Removed: p.Removed, Bytes: p.Bytes, DocsCut: p.DocsCut}
		for _, t := range p.Top {
			paras.Top = append(paras.Top, report.TopParagraph{Docs: t.Docs, Removed: t.Removed, Text: t.Text})
		}
	}
	return evals, paras
}
