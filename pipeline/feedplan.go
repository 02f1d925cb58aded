package pipeline

import (
	"fmt"
	"math"
	"sort"

	"github.com/curate-dev/curate/pipeline/mixture"
	"github.com/curate-dev/curate/shards"
)

// The feed's plan is computed from the spool indexes alone (14 bytes per
// document, streamed): which documents are held out for validation, how
// many times each train document is taken, the seeded order of document
// ranges, and where every shard starts. Shard tasks then only read the
// token ranges they write. Memory is the histograms, one entry per range
// of documents and one per shuffle window, never one per document.

const (
	// histBits buckets document keys: a cell's sampled remainder is met
	// to within 1/4096 of the cell's tokens (well inside 0.5 %).
	histBits    = 12
	histBuckets = 1 << histBits
	// rangeTokens is the size of a document range, the unit of the
	// global permutation.
	rangeTokens = 1 << 16
	rangeDocs   = 4096
)

// Key salts: the same document gets independent keys for the validation
// split and for the sampled remainder.
const (
	saltVal  = 0x76616c // "val"
	saltMix  = 0x6d6978 // "mix"
	saltPerm = 0x7065726d
	saltWin  = 0x77696e
)

func splitmix64(x uint64) uint64 { return shards.Splitmix64(x) }

func docKey(seed, salt, idHash uint64) uint64 {
	return splitmix64(splitmix64(seed^salt) ^ idHash)
}

func bucketOf(k uint64) int { return int(k >> (64 - histBits)) }

// feedPart is one spool part.
type feedPart struct {
	Source string   `json:"source"`
	Docs   int64    `json:"docs"`
	Tokens int64    `json:"tokens"`
	Langs  []string `json:"languages"`
	base   string   // spool path without extension
	src    int      // index in the config's sources
	cellOf []int    // language index -> cell
}

func (p *feedPart) idxPath() string { return p.base + ".idx" }
func (p *feedPart) tokPath() string { return p.base + ".tok" }

// feedCell is a (source, language key) row of the mixture table.
type feedCell struct {
	src          int
	lang         string
	docs, tokens int64
	hist, dhist  [histBuckets]int64
	rate, target float64
	selTok       int64
	selDocs      int64
	st           *feedStratum
}

// feedStratum is what is sampled as one: a source's whole (no language
// targets, so its cells share one rate and one sample, as fine-grained as
// the source's documents) or one cell (language targets).
type feedStratum struct {
	hist   [histBuckets]int64
	tokens int64
	rate   float64
	whole  int
	cut    int
}

// feedRange is a run of consecutive documents of one part.
type feedRange struct {
	part       int32
	doc0       int64
	n          int32
	tok0, ntok int64
}

// feedInst is one pass over a range: pass p takes the documents whose cell
// rate reaches p (whole repeats, then the sampled remainder).
type feedInst struct {
	rng    int32
	pass   int32
	tokens int64
}

// feedWindow is a run of consecutive instances of the permutation, shuffled
// together; its packing state at the start lets any shard begin there.
type feedWindow struct {
	first, last int // instances [first, last)
	seq         int64
	fill        int
}

type feedShardPlan struct {
	index        int
	first, count int64 // sequences
}

type feedSplit struct {
	name    string
	insts   []feedInst
	windows []feedWindow
	docs    int64
	tokens  int64 // before packing
	seqs    int64 // complete sequences
	dropped int64
	pads    int64
	shards  []feedShardPlan
}

type feedPlan struct {
	cfg    *FeedConfig
	seed   uint64
	size   int // seq_len + 1
	doc    bool
	dt     shards.DType
	eot    uint32
	vocab  int
	parts  []*feedPart
	cells  []*feedCell
	srcs   []string
	valCut int
	ranges []feedRange
	splits []*feedSplit // val (may be empty), train
	mix    *mixture.Plan
	// warnings are targets missed by more than the tolerance.
	warnings []string
}

// eachRecord streams a part's index records.
func (p *feedPart) eachRecord(fn func(i int64, r shards.SpoolRecord) error) error {
	ix, err := shards.OpenSpoolIndex(p.idxPath())
	if err != nil {
		return err
	}
	defer ix.Close()
	var i int64
	for {
		r, ok := ix.Next()
		if !ok {
			break
		}
		if int(r.Lang) >= len(p.Langs) {
			return fmt.Errorf("%s: record %d: language index %d out of range", p.idxPath(), i, r.Lang)
		}
		if err := fn(i, r); err != nil {
			return err
		}
		i++
	}
	if err := ix.Err(); err != nil {
		return fmt.Errorf("%s: %w", p.idxPath(), err)
	}
	if i != p.Docs {
		return fmt.Errorf("%s: %d records, its part lists %d documents", p.idxPath(), i, p.Docs)
	}
	return nil
}

func (fp *feedPlan) isVal(r shards.SpoolRecord) bool {
	return fp.valCut > 0 && bucketOf(docKey(fp.seed, saltVal, r.IDHash)) < fp.valCut
}

// takes reports whether pass p of the train split includes the document.
func (fp *feedPlan) takes(c *feedCell, r shards.SpoolRecord, pass int) bool {
	if pass < c.st.whole {
		return true
	}
	return pass == c.st.whole && bucketOf(docKey(fp.seed, saltMix, r.IDHash)) < c.st.cut
}

// passes is how many passes over a part's ranges the train split needs.
func (fp *feedPlan) passes(p *feedPart) int {
	n := 0
	for _, ci := range p.cellOf {
		c := fp.cells[ci]
		n = max(n, c.st.whole+boolInt(c.st.cut > 0))
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cutFor picks the bucket threshold whose cumulative tokens come closest
// to target.
func cutFor(hist *[histBuckets]int64, target float64) int {
	best, bestErr := 0, target
	var cum int64
	for k := 1; k <= histBuckets; k++ {
		cum += hist[k-1]
		if e := math.Abs(float64(cum) - target); e < bestErr {
			best, bestErr = k, e
		}
	}
	return best
}

func (fp *feedPlan) build(sources []SourceConfig) error {
	srcIdx := map[string]int{}
	for i, s := range sources {
		srcIdx[s.Name] = i
		fp.srcs = append(fp.srcs, s.Name)
	}
	// Validation split: a seeded share of documents, sized by tokens.
	f := fp.cfg
	if f.ValTokens > 0 || f.ValFraction > 0 {
		var hist [histBuckets]int64
		var total int64
		for _, p := range fp.parts {
			if err := p.eachRecord(func(_ int64, r shards.SpoolRecord) error {
				hist[bucketOf(docKey(fp.seed, saltVal, r.IDHash))] += int64(r.Tokens)
				total += int64(r.Tokens)
				return nil
			}); err != nil {
				return err
			}
		}
		target := float64(f.ValTokens)
		if f.ValFraction > 0 {
			target = f.ValFraction * float64(total)
		}
		fp.valCut = max(1, cutFor(&hist, target))
	}
	// Cells of train documents.
	cellIdx := map[[2]string]int{}
	strata := map[[2]string]*feedStratum{}
	for _, p := range fp.parts {
		si, ok := srcIdx[p.Source]
		if !ok {
			return fmt.Errorf("spool %s: source %q is not in the config", p.base, p.Source)
		}
		p.src = si
		p.cellOf = make([]int, len(p.Langs))
		for j, l := range p.Langs {
			key := [2]string{p.Source, mixture.LanguageKey(l, f.Languages)}
			ci, ok := cellIdx[key]
			if !ok {
				ci = len(fp.cells)
				cellIdx[key] = ci
				skey := key
				if len(f.Languages) == 0 {
					skey[1] = ""
				}
				st := strata[skey]
				if st == nil {
					st = &feedStratum{}
					strata[skey] = st
				}
				fp.cells = append(fp.cells, &feedCell{src: si, lang: key[1], st: st})
			}
			p.cellOf[j] = ci
		}
		if err := p.eachRecord(func(_ int64, r shards.SpoolRecord) error {
			if fp.isVal(r) {
				return nil
			}
			c := fp.cells[p.cellOf[r.Lang]]
			c.docs++
			c.tokens += int64(r.Tokens)
			b := bucketOf(docKey(fp.seed, saltMix, r.IDHash))
			c.hist[b] += int64(r.Tokens)
			c.dhist[b]++
			c.st.hist[b] += int64(r.Tokens)
			c.st.tokens += int64(r.Tokens)
			return nil
		}); err != nil {
			return err
		}
	}
	if err := fp.solve(sources); err != nil {
		return err
	}
	return fp.planSplits()
}

func (fp *feedPlan) solve(sources []SourceConfig) error {
	spec := mixture.Spec{TotalTokens: fp.cfg.TotalTokens}
	if len(fp.cfg.Languages) > 0 {
		spec.Languages = fp.cfg.Languages
	}
	for _, s := range sources {
		spec.Sources = append(spec.Sources, mixture.Source{Name: s.Name, Weight: s.Weight, MaxEpochs: s.MaxEpochs})
	}
	var cells []mixture.Cell
	for _, c := range fp.cells {
		if c.tokens > 0 {
			cells = append(cells, mixture.Cell{Source: fp.srcs[c.src], Language: c.lang, Docs: c.docs, Tokens: c.tokens})
		}
	}
	plan, err := mixture.Solve(spec, cells)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	fp.mix = plan
	rates := map[[2]string]float64{}
	for _, r := range plan.Rows {
		rates[[2]string{r.Source, r.Language}] = r.Rate
	}
	for _, c := range fp.cells {
		c.rate = rates[[2]string{fp.srcs[c.src], c.lang}]
		c.target = c.rate * float64(c.tokens)
		c.st.rate = c.rate // equal across a stratum's cells
	}
	done := map[*feedStratum]bool{}
	for _, c := range fp.cells {
		st := c.st
		if done[st] {
			continue
		}
		done[st] = true
		// Guard the floor against 1.9999999 meaning 2.
		st.whole = int(math.Floor(st.rate + 1e-9))
		frac := math.Max(0, st.rate-float64(st.whole))
		st.cut = cutFor(&st.hist, frac*float64(st.tokens))
	}
	for _, c := range fp.cells {
		var tok, docs int64
		for b := 0; b < c.st.cut; b++ {
			tok += c.hist[b]
			docs += c.dhist[b]
		}
		c.selTok = int64(c.st.whole)*c.tokens + tok
		c.selDocs = int64(c.st.whole)*c.docs + docs
	}
	return fp.checkShares(spec)
}

// checkShares notes every source or language whose sampled documents miss
// its target by more than the tolerance: a cell of a few large documents
// cannot be sampled finer than a document. (Targets max_epochs cannot meet
// stop the run in mixture.Solve instead.)
func (fp *feedPlan) checkShares(spec mixture.Spec) error {
	bySrc, byLang := fp.shares()
	var wsum float64
	for _, s := range spec.Sources {
		wsum += s.Weight
	}
	for _, s := range spec.Sources {
		if d := bySrc[s.Name] - s.Weight/wsum; math.Abs(d) > mixture.Tolerance {
			fp.warnings = append(fp.warnings, fmt.Sprintf("source %s gets %.2f%% of the selected tokens, its weight asks %.2f%%: its documents are too few or too large to sample that finely",
				s.Name, 100*bySrc[s.Name], 100*s.Weight/wsum))
		}
	}
	for _, l := range sortedKeys(spec.Languages) {
		if d := byLang[l] - spec.Languages[l]; math.Abs(d) > mixture.Tolerance {
			fp.warnings = append(fp.warnings, fmt.Sprintf("language %s gets %.2f%% of the selected tokens, its target is %.2f%%: its documents are too few or too large to sample that finely",
				l, 100*byLang[l], 100*spec.Languages[l]))
		}
	}
	return nil
}

func (fp *feedPlan) shares() (bySrc, byLang map[string]float64) {
	var rows []mixture.Row
	for _, c := range fp.cells {
		rows = append(rows, mixture.Row{Source: fp.srcs[c.src], Language: c.lang, Effective: float64(c.selTok)})
	}
	return mixture.Shares(rows, func(r mixture.Row) float64 { return r.Effective })
}

// mixtureTable is the manifest's and the report's mixture section.
func (fp *feedPlan) mixtureTable() *shards.FeedMixture {
	m := &shards.FeedMixture{BudgetTokens: fp.mix.Budget, Warnings: fp.warnings}
	srcTok := map[string]int64{}
	for _, c := range fp.cells {
		if c.docs == 0 {
			continue
		}
		name := fp.srcs[c.src]
		m.Cells = append(m.Cells, shards.FeedCell{Source: name, Language: c.lang, Docs: c.docs, Tokens: c.tokens,
			Rate: c.rate, Target: c.target, SelectedDocs: c.selDocs, SelectedTokens: c.selTok})
		m.SelectedTokens += c.selTok
		srcTok[name] += c.tokens
	}
	sort.Slice(m.Cells, func(i, j int) bool {
		a, b := m.Cells[i], m.Cells[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Language < b.Language
	})
	bySrc, byLang := fp.shares()
	var wsum float64
	weights := map[string]float64{}
	for _, c := range fp.mix.Rows {
		weights[c.Source] += c.Effective
		wsum += c.Effective
	}
	for _, s := range fp.srcs {
		sh := shards.FeedShare{Key: s, Achieved: bySrc[s]}
		if wsum > 0 {
			sh.Target = weights[s] / wsum
		}
		if srcTok[s] > 0 {
			sh.Epochs = bySrc[s] * float64(m.SelectedTokens) / float64(srcTok[s])
		}
		m.Sources = append(m.Sources, sh)
	}
	for _, l := range sortedKeys(fp.cfg.Languages) {
		m.Languages = append(m.Languages, shards.FeedShare{Key: l, Target: fp.cfg.Languages[l], Achieved: byLang[l]})
	}
	return m
}

// digest hashes the plan's decisions (sampling cuts, window states, shard
// places), so a shard is rewritten whenever what it would hold changes,
// even by a change of code rather than of config or input.
func (fp *feedPlan) digest() string {
	type stratum struct {
		Whole, Cut int
		Rate       float64
	}
	type split struct {
		Seqs, Tokens int64
		Windows      [][3]int64
		Shards       []feedShardPlan
	}
	var d struct {
		ValCut int
		Strata []stratum
		Splits []split
	}
	d.ValCut = fp.valCut
	seen := map[*feedStratum]bool{}
	for _, c := range fp.cells {
		if !seen[c.st] {
			seen[c.st] = true
			d.Strata = append(d.Strata, stratum{c.st.whole, c.st.cut, c.st.rate})
		}
	}
	for _, sp := range fp.splits {
		s := split{Seqs: sp.seqs, Tokens: sp.tokens, Shards: sp.shards}
		for _, w := range sp.windows {
			s.Windows = append(s.Windows, [3]int64{int64(w.last - w.first), w.seq, int64(w.fill)})
		}
		d.Splits = append(d.Splits, s)
	}
	return hashJSON(d)
}
