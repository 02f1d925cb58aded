package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/curate-dev/curate/stages/dedup"
)

// The dedup phases, between ingest and the tokenizer (datatrove's MinHash
// shape): ingest has written every part's keys sorted by section; then
//
//	dedup-buckets  one task per (section × hash range): merge that slice
//	               of every part (and of earlier runs') into candidate pairs;
//	dedup-cluster  one task: union–find over the pairs, one survivor per
//	               cluster, a decisions file per part that has any;
//	dedup-filter   one task per part: apply the decisions, writing
//	               dedup/parts/<source>/part-N.parquet, which publish reads.
//
// Span dedup (paragraphs, decontamination) can add sections to the
// signature files and its own decisions to the filter task.

const dedupVersion = "curate-dedup-1"

// dedupPart is one ingest part as the dedup phases see it.
type dedupPart struct {
	idx       int
	source    string
	data      OutputFile // ingest/<source>/part-N.parquet
	sig, docs OutputFile
}

// dedupIndex is dedup/index.json: what a later run reads to deduplicate
// against this one. Paths are relative to this run's output.
type dedupIndex struct {
	Version string            `json:"version"`
	Sign    *signSettings     `json:"sign"`
	Parts   []dedupIndexEntry `json:"parts"`
}

type dedupIndexEntry struct {
	Source string `json:"source"`
	Sig    string `json:"sig"`
	Docs   string `json:"docs"`
	// Decisions is empty when nothing in the part was in a cluster.
	Decisions string `json:"decisions,omitempty"`
	// SigSHA256 and DecisionsSHA256 identify the part's keys and what
	// this run kept, so a later run's tasks are redone when this run
	// changes.
	SigSHA256       string `json:"sig_sha256"`
	DecisionsSHA256 string `json:"decisions_sha256,omitempty"`
}

// earlierRun is a run named in dedup.against, loaded read-only.
type earlierRun struct {
	dir   string
	index dedupIndex
	sha   string
	// removed holds, per part, the rows that run did not keep.
	removed [][]uint32
}

type phaseFunc func(name string, tasks []*Task, dirs []string) (*phaseRun, error)

// dedupParts lists the ingest parts with their dedup files, in plan order.
func dedupParts(ingest []*Marker) ([]*dedupPart, error) {
	var parts []*dedupPart
	for _, m := range ingest {
		byPath := map[string]OutputFile{}
		for _, o := range m.Outputs {
			byPath[o.Path] = o
		}
		for _, o := range m.Outputs {
			if filepath.Dir(filepath.Dir(o.Path)) != IngestDir {
				continue
			}
			p := &dedupPart{idx: len(parts), source: filepath.Base(filepath.Dir(o.Path)), data: o}
			var ok1, ok2 bool
			p.sig, ok1 = byPath[sigRel(DedupSigDir, o.Path)]
			p.docs, ok2 = byPath[sigRel(DedupDocsDir, o.Path)]
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("ingest task %s wrote no dedup keys for %s", m.Task, o.Path)
			}
			parts = append(parts, p)
		}
	}
	if len(parts) >= dedup.MaxParts {
		return nil, fmt.Errorf("dedup: %d parts; at most %d", len(parts), dedup.MaxParts)
	}
	return parts, nil
}

// runDedup runs the three dedup phases and returns the markers whose
// outputs publish and the tokenizer read (ingest's, for their stats, and
// the filter's, for their parts).
func (r *runner) runDedup(ingest []*Marker, runPhase phaseFunc) ([]*Marker, error) {
	cfg := r.cfg.Dedup
	parts, err := dedupParts(ingest)
	if err != nil {
		return nil, err
	}
	var earlier []*earlierRun
	for i, dir := range cfg.Against {
		e, err := loadEarlierRun(dir, cfg.signSettings())
		if err != nil {
			return nil, fmt.Errorf("dedup.against[%d]: %w", i, err)
		}
		earlier = append(earlier, e)
	}
	buckets, err := runPhase("dedup-buckets", r.bucketTasks(parts, earlier), []string{DedupPairsDir})
	if err != nil {
		return nil, err
	}
	cl, err := runPhase("dedup-cluster", []*Task{r.clusterTask(parts, earlier, buckets.markers)}, []string{DedupClustersDir, DedupIndexFile})
	if err != nil {
		return nil, err
	}
	decisions := map[string]OutputFile{}
	for _, o := range cl.markers[0].Outputs {
		decisions[o.Path] = o
	}
	// Paragraphs are counted over the documents that survive it.
	spans, err := r.spanPhases(parts, decisions, runPhase)
	if err != nil {
		return nil, err
	}
	filterTasks := r.filterTasks(parts, decisions, spans)
	filt, err := runPhase("dedup-filter", filterTasks, []string{DedupPartsDir})
	if err != nil {
		return nil, err
	}
	// rejected/ holds both ingest's and the filter's rejects.
	if err := r.ex.removeStale("dedup-filter", []string{RejectedDir}, filterTasks, slices.Concat(filt.markers, ingest)); err != nil {
		return nil, fmt.Errorf("cleaning stale outputs: %w", err)
	}
	return slices.Concat(ingest, filt.markers), nil
}

// partsDir is where publish and the tokenizer find the curated parts.
func (r *runner) partsDir() string {
	if r.cfg.Dedup != nil {
		return DedupPartsDir
	}
	return IngestDir
}

func loadEarlierRun(dir string, want *signSettings) (*earlierRun, error) {
	path := filepath.Join(dir, DedupIndexFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s is not a curate output with a dedup index: %w", dir, err)
	}
	e := &earlierRun{dir: dir}
	if err := json.Unmarshal(b, &e.index); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if e.index.Version != dedupVersion {
		return nil, fmt.Errorf("%s: dedup index version %q, this curate reads %q", path, e.index.Version, dedupVersion)
	}
	if !sameDocKeys(e.index.Sign, want) {
		return nil, fmt.Errorf("%s: written with other normalisation or MinHash settings (%s); keys would not compare", path, mustJSON(e.index.Sign))
	}
	if len(e.index.Parts) >= dedup.MaxParts {
		return nil, fmt.Errorf("%s: too many parts", path)
	}
	e.sha = hashJSON(e.index)
	e.removed = make([][]uint32, len(e.index.Parts))
	for i, p := range e.index.Parts {
		if p.Decisions == "" {
			continue
		}
		err := eachDecision(filepath.Join(dir, p.Decisions), func(d dedup.Decision) error {
			if d.Kind != dedup.KindSurvivor {
				e.removed[i] = append(e.removed[i], d.Row)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return e, nil
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func eachDecision(path string, fn func(dedup.Decision) error) error {
	dr, err := dedup.OpenDecisions(path)
	if err != nil {
		return err
	}
	defer dr.Close()
	return drain(dr.Next, fn)
}

// bucketTasks plan one task per (section × range).
func (r *runner) bucketTasks(parts []*dedupPart, earlier []*earlierRun) []*Task {
	cfg := r.cfg.Dedup
	var sigs []OutputFile
	var sigBytes int64
	for _, p := range parts {
		sigs = append(sigs, p.sig)
		sigBytes += p.sig.Bytes
	}
	var against []string
	for _, e := range earlier {
		against = append(against, e.sha)
	}
	sections := cfg.sections()
	var tasks []*Task
	for _, sec := range sections {
		for rg := range cfg.Ranges {
			id := fmt.Sprintf("%s/range-%04d-of-%04d", sectionName(sec), rg, cfg.Ranges)
			key := hashJSON(struct {
				Version       string
				Section       uint32
				Range, Ranges int
				Sigs          []OutputFile
				Against       []string
			}{dedupVersion, sec, rg, cfg.Ranges, sigs, against})
			t := &Task{Phase: "dedup-buckets", ID: id, Key: key, Size: sigBytes / int64(len(sections)*cfg.Ranges)}
			t.Run = func(ctx context.Context) (*Marker, error) {
				return r.runBucket(ctx, parts, earlier, sec, rg, filepath.Join(DedupPairsDir, id+".bin"))
			}
			tasks = append(tasks, t)
		}
	}
	return tasks
}

func (r *runner) runBucket(ctx context.Context, parts []*dedupPart, earlier []*earlierRun, sec uint32, rg int, rel string) (*Marker, error) {
	n := r.cfg.Dedup.Ranges
	var srcs []dedup.Source
	open := func(path string, base uint64, skip func(uint32) bool) error {
		f, err := dedup.OpenSig(path)
		if err != nil {
			return err
		}
		if !f.HasSection(sec) {
			f.Close()
			return fmt.Errorf("%s: no %s section; was it written with other dedup settings?", path, sectionName(sec))
		}
		er, err := f.Range(sec, rg, n)
		if err != nil {
			f.Close()
			return err
		}
		srcs = append(srcs, dedup.Source{Entries: er, Base: base, Skip: skip, Closer: f})
		return nil
	}
	defer func() {
		for _, s := range srcs {
			s.Closer.Close()
		}
	}()
	for _, p := range parts {
		if err := open(filepath.Join(r.out, p.sig.Path), dedup.Ref(p.idx, 0), nil); err != nil {
			return nil, err
		}
	}
	for ei, e := range earlier {
		for pi, p := range e.index.Parts {
			removed := e.removed[pi]
			skip := func(row uint32) bool { _, found := slices.BinarySearch(removed, row); return found }
			if err := open(filepath.Join(e.dir, p.Sig), dedup.ExternalRef(ei, pi, 0), skip); err != nil {
				return nil, err
			}
		}
	}
	a, err := createAtomic(filepath.Join(r.out, rel))
	if err != nil {
		return nil, err
	}
	defer a.Abort()
	pw, err := dedup.NewPairWriter(a)
	if err != nil {
		return nil, err
	}
	st, err := dedup.Merge(srcs, func(x, y uint64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return pw.Write(x, y)
	})
	if err != nil {
		return nil, err
	}
	if err := pw.Flush(); err != nil {
		return nil, err
	}
	out, err := a.Commit()
	if err != nil {
		return nil, err
	}
	out.Path, out.Rows = rel, st.Pairs
	return &Marker{Outputs: []OutputFile{out}}, nil
}

// clusterTask plans the one task that clusters every pair.
func (r *runner) clusterTask(parts []*dedupPart, earlier []*earlierRun, buckets []*Marker) *Task {
	cfg := r.cfg.Dedup
	var pairs []OutputFile
	var size int64
	for _, m := range buckets {
		pairs = append(pairs, m.Outputs...)
		for _, o := range m.Outputs {
			size += o.Bytes
		}
	}
	var docs []OutputFile
	for _, p := range parts {
		docs = append(docs, p.docs, p.sig)
	}
	var against []string
	for _, e := range earlier {
		against = append(against, e.sha)
	}
	key := hashJSON(struct {
		Version    string
		Pairs      []OutputFile
		Docs       []OutputFile
		Priority   []string
		Prefer     dedup.Prefer
		Exact, URL bool
		Sign       *signSettings
		Against    []string
	}{dedupVersion, pairs, docs, cfg.Priority, cfg.Prefer, cfg.Exact, cfg.URL, cfg.signSettings(), against})
	t := &Task{Phase: "dedup-cluster", ID: "cluster", Key: key, Size: size}
	t.Run = func(ctx context.Context) (*Marker, error) { return r.runCluster(ctx, parts, earlier, buckets) }
	return t
}

func (r *runner) runCluster(ctx context.Context, parts []*dedupPart, earlier []*earlierRun, buckets []*Marker) (*Marker, error) {
	cfg := r.cfg.Dedup
	c := dedup.NewClusterer(cfg.Prefer)
	for _, m := range buckets {
		for _, o := range m.Outputs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := c.AddPairs(filepath.Join(r.out, o.Path)); err != nil {
				return nil, err
			}
		}
	}
	priority := map[string]int{}
	for i, s := range cfg.Priority {
		priority[s] = i
	}
	rank := func(src string) int {
		if p, ok := priority[src]; ok {
			return p
		}
		return len(cfg.Priority)
	}
	// What the survivor choice needs is read for clustered documents only,
	// from the docs files of the parts that hold any.
	wanted := c.Parts()
	for _, p := range parts {
		if wanted[[2]int{-1, p.idx}] {
			if err := c.Gather(filepath.Join(r.out, p.docs.Path), dedup.Ref(p.idx, 0), rank(p.source)); err != nil {
				return nil, err
			}
		}
	}
	for ei, e := range earlier {
		for pi, p := range e.index.Parts {
			if wanted[[2]int{ei, pi}] {
				if err := c.Gather(filepath.Join(e.dir, p.Docs), dedup.ExternalRef(ei, pi, 0), rank(p.Source)); err != nil {
					return nil, err
				}
			}
		}
	}
	byPart := map[int][]dedup.Decision{}
	m := &Marker{Stats: map[string]*SourceStats{}}
	err := c.Decide(cfg.Exact, cfg.URL, func(mem *dedup.Member, d dedup.Decision) error {
		_, part, _ := dedup.SplitRef(mem.Ref)
		if d.Kind == dedup.KindSurvivor {
			entry(&m.Stats, parts[part].source).clusterSize(d.ClusterSize)
		}
		byPart[part] = append(byPart[part], d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	index := dedupIndex{Version: dedupVersion, Sign: cfg.signSettings()}
	for _, p := range parts {
		ie := dedupIndexEntry{Source: p.source, Sig: p.sig.Path, Docs: p.docs.Path, SigSHA256: p.sig.SHA256}
		if ds := byPart[p.idx]; len(ds) > 0 {
			slices.SortFunc(ds, func(a, b dedup.Decision) int { return int(a.Row) - int(b.Row) })
			rel := sigRel(DedupClustersDir, p.data.Path)
			out, err := writeDecisions(filepath.Join(r.out, rel), ds)
			if err != nil {
				return nil, err
			}
			out.Path, out.Rows = rel, int64(len(ds))
			m.Outputs = append(m.Outputs, out)
			ie.Decisions, ie.DecisionsSHA256 = rel, out.SHA256
		}
		index.Parts = append(index.Parts, ie)
	}
	out, err := writeJSONAtomic(filepath.Join(r.out, DedupIndexFile), index)
	if err != nil {
		return nil, err
	}
	out.Path = DedupIndexFile
	m.Outputs = append(m.Outputs, out)
	r.log.Info("dedup clustered", "pairs", c.Pairs(), "documents_in_clusters", c.Documents(), "parts_with_decisions", len(byPart))
	return m, nil
}

func writeDecisions(path string, ds []dedup.Decision) (OutputFile, error) {
	a, err := createAtomic(path)
	if err != nil {
		return OutputFile{}, err
	}
	defer a.Abort()
	dw, err := dedup.NewDecisionWriter(a)
	if err != nil {
		return OutputFile{}, err
	}
	for _, d := range ds {
		if err := dw.Write(d); err != nil {
			return OutputFile{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := dw.Flush(); err != nil {
		return OutputFile{}, err
	}
	return a.Commit()
}

// sameDocKeys compares what the whole-document keys depend on: paragraph
// settings do not matter, an earlier run's paragraph keys are never read.
func sameDocKeys(a, b *signSettings) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.Paragraphs, y.Paragraphs = nil, nil
	return hashJSON(x) == hashJSON(y)
}
