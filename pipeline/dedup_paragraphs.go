package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/stages/dedup"
)

// ParagraphStats count paragraph (line) dedup in a source.
type ParagraphStats struct {
	// Removed paragraphs, their bytes, and the documents they were cut
	// from (a document left too short is in dropped.dedup_cut_short too).
	Removed int64 `json:"removed"`
	Bytes   int64 `json:"bytes"`
	DocsCut int64 `json:"docs_cut"`
	// Top lists the most frequent removed paragraphs.
	Top []TopParagraph `json:"top,omitempty"`
}

// TopParagraph is one frequent removed paragraph.
type TopParagraph struct {
	// Docs is how many documents of the run hold it.
	Docs int64 `json:"docs"`
	// Removed counts its removals in this source.
	Removed int64  `json:"removed"`
	Text    string `json:"text"`
	Hash    string `json:"hash"`
}

// topParagraphs bounds the list kept per source.
const topParagraphs = 20

func (p *ParagraphStats) merge(o *ParagraphStats) {
	p.Removed += o.Removed
	p.Bytes += o.Bytes
	p.DocsCut += o.DocsCut
	byHash := map[string]int{}
	for i, t := range p.Top {
		byHash[t.Hash] = i
	}
	for _, t := range o.Top {
		if i, ok := byHash[t.Hash]; ok {
			p.Top[i].Removed += t.Removed
			continue
		}
		byHash[t.Hash] = len(p.Top)
		p.Top = append(p.Top, t)
	}
	sortTop(p.Top)
	if len(p.Top) > topParagraphs {
		p.Top = p.Top[:topParagraphs]
	}
}

// sortTop orders by documents holding the paragraph, then hash: the
// order of merging never matters.
func sortTop(ts []TopParagraph) {
	slices.SortFunc(ts, func(a, b TopParagraph) int {
		if c := cmp.Compare(b.Docs, a.Docs); c != 0 {
			return c
		}
		return cmp.Compare(a.Hash, b.Hash)
	})
}

// paragraphKeys hashes text's distinct paragraphs (lines), skipping those
// whose normalised text is shorter than MinChars; buf is scratch.
func paragraphKeys(text, lang string, p *ParagraphConfig, norm dedup.Normalization, buf *[]byte) []dedup.Key {
	var keys []dedup.Key
	if !p.Code && strings.HasPrefix(lang, "code:") {
		return nil
	}
	dedup.EachSpan(text, p.Unit == "line", func(start, end int) {
		if k, ok := paragraphKey(text[start:end], p, norm, buf); ok && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	})
	return keys
}

func paragraphKey(para string, p *ParagraphConfig, norm dedup.Normalization, buf *[]byte) (dedup.Key, bool) {
	*buf = norm.Append((*buf)[:0], para)
	if len(*buf) < max(p.MinChars, 1) {
		return dedup.Key{}, false
	}
	return dedup.HashBytes(*buf), true
}

// DedupParagraphsDir holds each hash range's frequent paragraph keys.
const DedupParagraphsDir = "dedup/paragraphs"

// paragraphTasks plan one task per hash range of the paragraph section.
func (r *runner) paragraphTasks(parts []*dedupPart, decisions map[string]OutputFile) []*Task {
	cfg := r.cfg.Dedup
	var sigs, decs []OutputFile
	var size int64
	for _, p := range parts {
		sigs = append(sigs, p.sig)
		size += p.sig.Bytes
		if d, ok := decisions[sigRel(DedupClustersDir, p.data.Path)]; ok {
			decs = append(decs, d)
		}
	}
	var tasks []*Task
	for rg := range cfg.Ranges {
		id := fmt.Sprintf("range-%04d-of-%04d", rg, cfg.Ranges)
		key := hashJSON(struct {
			Version       string
			Range, Ranges int
			Sigs          []OutputFile
			Decisions     []OutputFile
			MinDocs       int
		}{dedupVersion, rg, cfg.Ranges, sigs, decs, cfg.Paragraphs.MinDocs})
		t := &Task{Phase: "dedup-paragraphs", ID: id, Key: key, Size: size / int64(cfg.Ranges)}
		t.Run = func(ctx context.Context) (*Marker, error) {
			return r.runParagraphRange(ctx, parts, decisions, rg, filepath.Join(DedupParagraphsDir, id+".bin"))
		}
		tasks = append(tasks, t)
	}
	return tasks
}

// runParagraphRange counts one key range of every part, leaving out the
// documents whole-document dedup removed: memory is one entry per part
// and 4 bytes per removed document, whatever the corpus size.
func (r *runner) runParagraphRange(ctx context.Context, parts []*dedupPart, decisions map[string]OutputFile, rg int, rel string) (*Marker, error) {
	var srcs []dedup.Source
	defer func() {
		for _, s := range srcs {
			s.Closer.Close()
		}
	}()
	for _, p := range parts {
		path := filepath.Join(r.out, p.sig.Path)
		f, err := dedup.OpenSig(path)
		if err != nil {
			return nil, err
		}
		if !f.HasSection(dedup.SectionParagraphs) {
			f.Close()
			return nil, fmt.Errorf("%s: no paragraph section; was it written with other dedup settings?", path)
		}
		er, err := f.Range(dedup.SectionParagraphs, rg, r.cfg.Dedup.Ranges)
		if err != nil {
			f.Close()
			return nil, err
		}
		var removed []uint32
		if d, ok := decisions[sigRel(DedupClustersDir, p.data.Path)]; ok {
			err := eachDecision(filepath.Join(r.out, d.Path), func(x dedup.Decision) error {
				if x.Kind != dedup.KindSurvivor {
					removed = append(removed, x.Row)
				}
				return nil
			})
			if err != nil {
				f.Close()
				return nil, err
			}
		}
		skip := func(row uint32) bool { _, found := slices.BinarySearch(removed, row); return found }
		srcs = append(srcs, dedup.Source{Entries: er, Base: dedup.Ref(p.idx, 0), Skip: skip, Closer: f})
	}
	a, err := createAtomic(filepath.Join(r.out, rel))
	if err != nil {
		return nil, err
	}
	defer a.Abort()
	cw, err := dedup.NewCommonWriter(a)
	if err != nil {
		return nil, err
	}
	if _, err := dedup.CountRuns(srcs, int64(r.cfg.Dedup.Paragraphs.MinDocs), func(c dedup.Common) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return cw.Write(c)
	}); err != nil {
		return nil, err
	}
	if err := cw.Flush(); err != nil {
		return nil, err
	}
	out, err := a.Commit()
	if err != nil {
		return nil, err
	}
	out.Path, out.Rows = rel, cw.Count()
	return &Marker{Outputs: []OutputFile{out}}, nil
}

// paragraphCutter removes a part's frequent paragraphs. The run holds
// every frequent key once, shared by the filter tasks: 32 bytes each plus
// the map's overhead.
type paragraphCutter struct {
	cfg    *ParagraphConfig
	norm   dedup.Normalization
	code   dedup.Normalization
	base   uint64
	common map[dedup.Key]dedup.Common
	top    map[dedup.Key]*TopParagraph
	buf    []byte
}

func (r *runner) newParagraphCutter(in *spanInputs, p *dedupPart) *paragraphCutter {
	if in.Paragraphs == nil {
		return nil
	}
	return &paragraphCutter{cfg: in.Paragraphs, norm: r.cfg.Dedup.Normalize, code: r.cfg.Dedup.CodeNormalize,
		base: dedup.Ref(p.idx, 0), common: in.loaded.common, top: map[dedup.Key]*TopParagraph{}}
}

// apply removes d's frequent paragraphs (keeping them where d is their
// first document, with keep: first) and counts them.
func (c *paragraphCutter) apply(row uint32, d *doc.Document, st *SourceStats) {
	if len(c.common) == 0 {
		return
	}
	norm := c.norm
	if strings.HasPrefix(d.Language, "code:") {
		if !c.cfg.Code {
			return
		}
		norm = c.code
	}
	ref := c.base | uint64(row)
	text := d.Text
	var b strings.Builder
	prev, cut := 0, false
	var ps *ParagraphStats
	dedup.EachSpan(text, c.cfg.Unit == "line", func(start, end int) {
		k, ok := paragraphKey(text[start:end], c.cfg, norm, &c.buf)
		if !ok {
			return
		}
		x, common := c.common[k]
		if !common || (c.cfg.Keep == "first" && x.First == ref) {
			return
		}
		if !cut {
			b.Grow(len(text))
			ps = st.paragraphStats()
			ps.DocsCut++
			cut = true
		}
		// The paragraph goes with the white space after it, so no blank
		// lines pile up where it was.
		b.WriteString(text[prev:start])
		next := end
		for next < len(text) && (text[next] == ' ' || text[next] == '\t' || text[next] == '\r' || text[next] == '\n') {
			next++
		}
		ps.Removed++
		prev = next
		t := c.top[k]
		if t == nil {
			t = &TopParagraph{Docs: x.Docs, Text: clip(text[start:end], 200), Hash: fmt.Sprintf("%016x%016x", k.Hi, k.Lo)}
			c.top[k] = t
		}
		t.Removed++
	})
	if cut {
		b.WriteString(text[prev:])
		// A paragraph cut from the end leaves its separator behind.
		d.Text = strings.TrimRight(b.String(), " \t\r\n")
		ps.Bytes += int64(len(text) - len(d.Text))
	}
}

// finish puts the part's most frequent removed paragraphs in st.
func (c *paragraphCutter) finish(st *SourceStats) {
	if len(c.top) == 0 {
		return
	}
	var ts []TopParagraph
	for _, t := range c.top {
		ts = append(ts, *t)
	}
	sortTop(ts)
	ps := st.paragraphStats()
	ps.Top = ts[:min(len(ts), topParagraphs)]
}

func (s *SourceStats) paragraphStats() *ParagraphStats {
	ds := s.dedupStats()
	if ds.Paragraphs == nil {
		ds.Paragraphs = &ParagraphStats{}
	}
	return ds.Paragraphs
}

// clip shortens s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
