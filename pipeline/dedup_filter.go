package pipeline

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/report"
	"github.com/curate-dev/curate/stages/dedup"
)

// The dedup-filter phase, and the dedup figures in the stats and report.

// filterTasks plan one task per ingest part.
func (r *runner) filterTasks(parts []*dedupPart, decisions map[string]OutputFile, spans *spanInputs) []*Task {
	var tasks []*Task
	for _, p := range parts {
		dec, has := decisions[sigRel(DedupClustersDir, p.data.Path)]
		var decPtr *OutputFile
		if has {
			decPtr = &dec
		}
		key := hashJSON(struct {
			Version      string
			Part         OutputFile
			Decisions    *OutputFile
			KeepRejected bool
			Parquet      ParquetOptions
			Spans        *spanInputs `json:",omitempty"`
		}{dedupVersion, p.data, decPtr, r.cfg.KeepRejected, r.cfg.Parquet, spans})
		name := strings.TrimSuffix(filepath.Base(p.data.Path), ".parquet")
		t := &Task{Phase: "dedup-filter", ID: p.source + "/" + name, Key: key, Size: p.data.Bytes}
		t.Run = func(ctx context.Context) (*Marker, error) { return r.runFilter(ctx, p, decPtr, spans) }
		tasks = append(tasks, t)
	}
	return tasks
}

func (r *runner) runFilter(ctx context.Context, p *dedupPart, dec *OutputFile, spans *spanInputs) (*Marker, error) {
	name := filepath.Base(p.data.Path)
	outRel := filepath.Join(DedupPartsDir, p.source, name)
	m := &Marker{}
	if dec == nil && spans == nil {
		// Nothing in this part has a duplicate: share the bytes.
		out, err := linkOrCopy(filepath.Join(r.out, p.data.Path), filepath.Join(r.out, outRel))
		if err != nil {
			return nil, err
		}
		out.Path, out.Rows = outRel, p.data.Rows
		m.Outputs = append(m.Outputs, out)
		return m, nil
	}
	g := &ingest{cfg: r.cfg, out: r.out}
	data, err := g.newPart(outRel, false)
	if err != nil {
		return nil, err
	}
	defer data.abort()
	// The rejects file is made on the first removal: a part whose
	// clustered documents all survived writes none.
	var rejected *partWriter
	defer func() {
		if rejected != nil {
			rejected.abort()
		}
	}()
	cut, err := r.newSpanCutter(spans, p)
	if err != nil {
		return nil, err
	}
	decs, err := openDecisionStream(r.out, dec)
	if err != nil {
		return nil, err
	}
	defer decs.close()
	st := &SourceStats{}
	m.Stats = map[string]*SourceStats{p.source: st}
	if cut != nil && cut.decon != nil {
		cut.decon.zero(st)
	}
	reject := func(d *doc.Document, rule string) error {
		st.unwrite(d, rule)
		if !r.cfg.KeepRejected {
			return nil
		}
		if rejected == nil {
			var err error
			if rejected, err = g.newPart(filepath.Join(RejectedDir, p.source, "dedup-"+name), true); err != nil {
				return err
			}
		}
		return rejected.w.Write(d, rule)
	}
	var row uint32
	err = eachDoc(filepath.Join(r.out, p.data.Path), func(d *doc.Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		this := row
		row++
		cur, has, err := decs.at(this)
		if err != nil {
			return err
		}
		if has && cur.Kind != dedup.KindSurvivor {
			d.SetMeta("dedup_survivor", cur.SurvivorID)
			return reject(d, "dedup_"+cur.Kind.String())
		}
		if has {
			d.SetMeta("dedup_cluster_size", strconv.Itoa(cur.ClusterSize))
		}
		if cut != nil {
			switch rule := cut.apply(this, d, st); rule {
			case "":
			default:
				return reject(d, rule)
			}
		}
		return data.w.Write(d, "")
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.data.Path, err)
	}
	if err := decs.done(row, p.data.Path); err != nil {
		return nil, err
	}
	if cut != nil && cut.para != nil {
		cut.para.finish(st)
	}
	out, err := data.commit()
	if err != nil {
		return nil, err
	}
	m.Outputs = append(m.Outputs, out)
	if rejected != nil {
		out, err := rejected.commit()
		if err != nil {
			return nil, err
		}
		m.Outputs = append(m.Outputs, out)
	}
	return m, nil
}

// unwrite takes a document that ingest counted as written off the counts
// and books it under the dedup rule that removed it.
func (s *SourceStats) unwrite(d *doc.Document, rule string) {
	chars := int64(len(d.Text))
	s.drop(rule, chars)
	s.DocsWritten--
	s.TextBytesWritten -= chars
	l := entry(&s.Languages, d.Language)
	l.Docs--
	l.TextBytes -= chars
	s.LengthHist[lengthBucket(chars)]--
	s.ScoreHist[scoreBucket(d.LanguageScore)]--
}

// ClusterBuckets bounds the cluster-size histogram: bucket i counts
// clusters of (2^i, 2^(i+1)] documents.
const ClusterBuckets = 24

// DedupStats are a source's dedup figures beyond the drops (which are in
// Dropped as dedup_exact, dedup_url and dedup_near).
type DedupStats struct {
	// Clusters counts the clusters whose survivor is from this source.
	Clusters int64 `json:"clusters"`
	// ClusterHist counts those clusters by size: bucket i holds sizes in
	// (2^i, 2^(i+1)] (2, 3–4, 5–8, ...).
	ClusterHist [ClusterBuckets]int64 `json:"cluster_hist"`
	// Paragraphs counts paragraph (line) dedup, when on.
	Paragraphs *ParagraphStats `json:"paragraphs,omitempty"`
	// Decontam counts matches per evaluation set, when on.
	Decontam map[string]*EvalStats `json:"decontaminate,omitempty"`
	// ExcisedDocs had evaluation text cut out (action excise), in all
	// ExcisedBytes; documents dropped are in dropped.dedup_decontam.
	ExcisedDocs  int64 `json:"excised_docs,omitempty"`
	ExcisedBytes int64 `json:"excised_bytes,omitempty"`
}

func (s *SourceStats) clusterSize(n int) {
	if s.Dedup == nil {
		s.Dedup = &DedupStats{}
	}
	s.Dedup.Clusters++
	s.Dedup.ClusterHist[min(bits.Len(uint(n-1))-1, ClusterBuckets-1)]++
}

func (s *SourceStats) mergeDedup(o *SourceStats) {
	if o.Dedup == nil {
		return
	}
	if s.Dedup == nil {
		s.Dedup = &DedupStats{}
	}
	s.Dedup.Clusters += o.Dedup.Clusters
	for i, v := range o.Dedup.ClusterHist {
		s.Dedup.ClusterHist[i] += v
	}
	s.Dedup.ExcisedDocs += o.Dedup.ExcisedDocs
	s.Dedup.ExcisedBytes += o.Dedup.ExcisedBytes
	for k, e := range o.Dedup.Decontam {
		m := entry(&s.Dedup.Decontam, k)
		m.Docs += e.Docs
		m.Spans += e.Spans
		m.Bytes += e.Bytes
	}
	if o.Dedup.Paragraphs != nil {
		if s.Dedup.Paragraphs == nil {
			s.Dedup.Paragraphs = &ParagraphStats{}
		}
		s.Dedup.Paragraphs.merge(o.Dedup.Paragraphs)
	}
}

func dedupRule(rule string) bool { return strings.HasPrefix(rule, "dedup_") }

// dedupClusterBuckets labels the cluster-size histogram up to its last
// non-empty bucket: 2, 3–4, 5–8, ...
func dedupClusterBuckets(d *DedupStats) []report.Bucket {
	if d == nil {
		return nil
	}
	top := len(d.ClusterHist) - 1
	for top >= 0 && d.ClusterHist[top] == 0 {
		top--
	}
	var out []report.Bucket
	for i := 0; i <= top; i++ {
		lo, hi := 1<<i+1, 1<<(i+1)
		label := fmt.Sprintf("%d–%d", lo, hi)
		if lo == hi {
			label = fmt.Sprint(hi)
		}
		out = append(out, report.Bucket{Label: label, Count: d.ClusterHist[i]})
	}
	return out
}

// decisionStream reads a part's document decisions in row order.
type decisionStream struct {
	path string
	dr   *dedup.DecisionReader
	next dedup.Decision
	more bool
}

func openDecisionStream(out string, dec *OutputFile) (*decisionStream, error) {
	s := &decisionStream{}
	if dec == nil {
		return s, nil
	}
	s.path = filepath.Join(out, dec.Path)
	var err error
	if s.dr, err = dedup.OpenDecisions(s.path); err != nil {
		return nil, err
	}
	if s.next, err = s.dr.Next(); err != nil {
		s.dr.Close()
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	s.more = true
	return s, nil
}

// at returns row's decision, if it has one; rows are asked in order.
func (s *decisionStream) at(row uint32) (dedup.Decision, bool, error) {
	if !s.more || s.next.Row != row {
		return dedup.Decision{}, false, nil
	}
	cur := s.next
	n, err := s.dr.Next()
	switch {
	case err == io.EOF:
		s.more = false
	case err != nil:
		return cur, false, err
	default:
		s.next = n
	}
	return cur, true, nil
}

// done checks every decision was used by a part of rows rows.
func (s *decisionStream) done(rows uint32, part string) error {
	if s.more {
		return fmt.Errorf("%s: decision for row %d, but %s has %d rows", s.path, s.next.Row, part, rows)
	}
	return nil
}

func (s *decisionStream) close() {
	if s.dr != nil {
		s.dr.Close()
	}
}
