package pipeline

import (
	"maps"
	"slices"
)

// OutputFile is one file a task wrote, as the manifest lists it.
type OutputFile struct {
	Path   string `json:"path"` // relative to the output directory
	Rows   int64  `json:"rows,omitempty"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// InputFile is one input a task read.
type InputFile struct {
	Source string `json:"source"`
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
}

// Drop counts what one rule removed.
type Drop struct {
	Docs      int64 `json:"docs"`
	TextBytes int64 `json:"text_bytes"`
}

// LangCount is one language's share of a source.
type LangCount struct {
	Docs      int64 `json:"docs"`
	Tokens    int64 `json:"tokens,omitempty"`
	TextBytes int64 `json:"text_bytes"`
}

// SourceStats are the counts of one source: the funnel from bytes read to
// documents written, every drop by rule, every stage counter.
type SourceStats struct {
	Inputs           int64 `json:"inputs"`
	InputBytes       int64 `json:"input_bytes"`
	DocsRead         int64 `json:"docs_read"`
	TextBytesRead    int64 `json:"text_bytes_read"`
	DocsWritten      int64 `json:"docs_written"`
	TextBytesWritten int64 `json:"text_bytes_written"`
	RecordErrors     int64 `json:"record_errors"`
	InputErrors      int64 `json:"input_errors"`
	// Tokens counts the tokens of written documents (publish phase, when a
	// tokenizer is configured).
	Tokens    int64                 `json:"tokens,omitempty"`
	Dropped   map[string]*Drop      `json:"dropped,omitempty"`
	Counters  map[string]int64      `json:"counters,omitempty"`
	Languages map[string]*LangCount `json:"languages,omitempty"`
	// LengthHist counts written documents by text length: bucket i holds
	// lengths in [2^i, 2^(i+1)) bytes.
	LengthHist [LengthBuckets]int64 `json:"length_hist"`
	// ScoreHist counts written documents by language score, in tenths.
	ScoreHist [ScoreBuckets]int64 `json:"score_hist"`
	// Dedup holds the dedup phases' cluster figures (dedup on only).
	Dedup *DedupStats `json:"dedup,omitempty"`
}

// Histogram sizes: 2^31 bytes covers any document; scores are 0..1.
const (
	LengthBuckets = 32
	ScoreBuckets  = 10
)

func lengthBucket(n int64) int {
	b := 0
	for n > 1 && b < LengthBuckets-1 {
		n >>= 1
		b++
	}
	return b
}

func scoreBucket(s float32) int {
	b := int(s * ScoreBuckets)
	return min(max(b, 0), ScoreBuckets-1)
}

// entry returns m[key], making the map and the entry on first use.
func entry[V any](m *map[string]*V, key string) *V {
	if *m == nil {
		*m = map[string]*V{}
	}
	v := (*m)[key]
	if v == nil {
		v = new(V)
		(*m)[key] = v
	}
	return v
}

func (s *SourceStats) drop(rule string, chars int64) {
	d := entry(&s.Dropped, rule)
	d.Docs++
	d.TextBytes += chars
}

func (s *SourceStats) langTokens(code string, tokens int64) {
	entry(&s.Languages, code).Tokens += tokens
}

func (s *SourceStats) lang(code string, chars int64) {
	l := entry(&s.Languages, code)
	l.Docs++
	l.TextBytes += chars
}

// merge adds o into s.
func (s *SourceStats) merge(o *SourceStats) {
	s.Inputs += o.Inputs
	s.InputBytes += o.InputBytes
	s.DocsRead += o.DocsRead
	s.TextBytesRead += o.TextBytesRead
	s.DocsWritten += o.DocsWritten
	s.TextBytesWritten += o.TextBytesWritten
	s.RecordErrors += o.RecordErrors
	s.InputErrors += o.InputErrors
	s.Tokens += o.Tokens
	for k, d := range o.Dropped {
		e := entry(&s.Dropped, k)
		e.Docs += d.Docs
		e.TextBytes += d.TextBytes
	}
	for k, v := range o.Counters {
		if s.Counters == nil {
			s.Counters = map[string]int64{}
		}
		s.Counters[k] += v
	}
	for i, v := range o.LengthHist {
		s.LengthHist[i] += v
	}
	for i, v := range o.ScoreHist {
		s.ScoreHist[i] += v
	}
	s.mergeDedup(o)
	for k, l := range o.Languages {
		e := entry(&s.Languages, k)
		e.Docs += l.Docs
		e.Tokens += l.Tokens
		e.TextBytes += l.TextBytes
	}
}

// ErrorEntry is one line of the run's error report.
type ErrorEntry struct {
	Source string `json:"source"`
	Input  string `json:"input"`
	Record string `json:"record,omitempty"`
	Offset int64  `json:"offset"`
	Error  string `json:"error"`
	// Action is what happened: "skipped_record", "input_cut_short" (what
	// was read before the break is kept) or "failed".
	Action string `json:"action"`
}

// maxErrorsPerTask bounds the error list a marker keeps; the counts in the
// stats stay exact.
const maxErrorsPerTask = 1000

// Stats is the whole run's statistics, by source name.
type Stats struct {
	Sources map[string]*SourceStats `json:"sources"`
}

func (s *Stats) add(name string, o *SourceStats) {
	entry(&s.Sources, name).merge(o)
}

// SourceNames lists the sources in name order.
func (s *Stats) SourceNames() []string {
	return slices.Sorted(maps.Keys(s.Sources))
}
