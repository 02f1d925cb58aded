// Package report renders a run's statistics as report.json (everything,
// machine-readable), report.md and a self-contained report.html with inline
// SVG charts: the language mix overall and per source, the mixture table,
// the funnel from bytes read to documents written with every filter's
// drops, histograms of document length and language score, and run facts.
//
// Sections appear only when the stage behind them has recorded numbers:
// no placeholders.
package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Data is everything the report shows; report.json is this, encoded.
type Data struct {
	Run       Run        `json:"run"`
	Languages []Language `json:"languages"`
	Sources   []Source   `json:"sources"`
	// Mixture is present once token counts exist (after tokenization).
	Mixture []MixRow `json:"mixture,omitempty"`
	// MixCells and MixLanguages are the feed's mixture by source and
	// language, present once a feed phase ran.
	MixCells     []MixCell  `json:"mixture_cells,omitempty"`
	MixLanguages []MixShare `json:"mixture_languages,omitempty"`
}

// MixCell is one (source, language) cell of the feed's mixture: what the
// corpus holds, the rate asked and what the feed took.
type MixCell struct {
	Source         string  `json:"source"`
	Language       string  `json:"language"`
	Docs           int64   `json:"docs"`
	Tokens         int64   `json:"tokens"`
	Rate           float64 `json:"rate"`
	SelectedDocs   int64   `json:"selected_docs"`
	SelectedTokens int64   `json:"selected_tokens"`
}

// MixShare is a language's target and achieved share of the feed.
type MixShare struct {
	Key      string  `json:"key"`
	Target   float64 `json:"target"`
	Achieved float64 `json:"achieved"`
}

// Run holds the facts of the run.
type Run struct {
	CurateVersion string  `json:"curate_version"`
	ConfigPath    string  `json:"config_path"`
	ConfigSHA256  string  `json:"config_sha256"`
	Inputs        int     `json:"inputs"`
	InputBytes    int64   `json:"input_bytes"`
	Workers       int     `json:"workers"`
	Seconds       float64 `json:"seconds"`
	// MBPerSecond is input bytes read by this invocation's ingest tasks
	// per wall second (0 when every task was already finished).
	MBPerSecond float64 `json:"mb_per_second"`
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
	Phases      []Phase `json:"phases"`
}

// Phase is one phase's timing.
type Phase struct {
	Name         string  `json:"name"`
	Seconds      float64 `json:"seconds"`
	TasksRun     int     `json:"tasks_run"`
	TasksSkipped int     `json:"tasks_skipped"`
}

// Language is one language's share (of the corpus or of a source).
type Language struct {
	Code   string  `json:"code"`
	Docs   int64   `json:"docs"`
	Bytes  int64   `json:"bytes"`
	Tokens int64   `json:"tokens"`
	Share  float64 `json:"share"` // of bytes, 0..1
}

// Source is one source's numbers.
type Source struct {
	Name         string     `json:"name"`
	Kind         string     `json:"kind"`
	Weight       float64    `json:"weight"`
	Epochs       float64    `json:"epochs"`
	DocsRead     int64      `json:"docs_read"`
	BytesRead    int64      `json:"bytes_read"`
	DocsWritten  int64      `json:"docs_written"`
	BytesWritten int64      `json:"bytes_written"`
	Tokens       int64      `json:"tokens,omitempty"`
	RecordErrors int64      `json:"record_errors"`
	InputErrors  int64      `json:"input_errors"`
	Funnel       []Step     `json:"funnel"`
	Drops        []Drop     `json:"drops"`
	Counters     []Counter  `json:"counters,omitempty"`
	Languages    []Language `json:"languages"`
	LengthHist   []Bucket   `json:"length_hist"`
	ScoreHist    []Bucket   `json:"score_hist"`
	// DedupClusters counts the duplicate clusters whose survivor is from
	// this source, by cluster size (dedup on only).
	DedupClusters []Bucket `json:"dedup_clusters,omitempty"`
	// Decontam counts evaluation-set matches per set (decontamination on).
	Decontam []EvalMatch `json:"decontaminate,omitempty"`
	// Paragraphs sums paragraph dedup, with the most frequent removed
	// paragraphs (paragraph dedup on).
	Paragraphs *Paragraphs `json:"paragraphs,omitempty"`
}

// EvalMatch is what one evaluation set matched in a source.
type EvalMatch struct {
	Set   string `json:"set"`
	Docs  int64  `json:"docs"`
	Spans int64  `json:"spans"`
	Bytes int64  `json:"bytes"`
}

// Paragraphs is a source's paragraph dedup.
type Paragraphs struct {
	Removed int64          `json:"removed"`
	Bytes   int64          `json:"bytes"`
	DocsCut int64          `json:"docs_cut"`
	Top     []TopParagraph `json:"top,omitempty"`
}

// TopParagraph is one frequently removed paragraph: in how many documents
// of the run it is, and how often it was removed from this source.
type TopParagraph struct {
	Docs    int64  `json:"docs"`
	Removed int64  `json:"removed"`
	Text    string `json:"text"`
}

// Step is one stage of the funnel: what is left after it.
type Step struct {
	Label string `json:"label"`
	Docs  int64  `json:"docs"`
	Bytes int64  `json:"bytes"`
}

// Drop is what one rule removed.
type Drop struct {
	Rule  string `json:"rule"`
	Docs  int64  `json:"docs"`
	Bytes int64  `json:"bytes"`
}

// Counter is a named count a stage reported (PII replaced, lines removed).
type Counter struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

// Bucket is one histogram bar.
type Bucket struct {
	Label string `json:"label"`
	Count int64  `json:"count"`
}

// MixRow is one line of the mixture table in GPT-3's form.
type MixRow struct {
	Source string  `json:"source"`
	Tokens int64   `json:"tokens"`
	Weight float64 `json:"weight"` // share of the training mix, 0..1
	Epochs float64 `json:"epochs"`
	// Achieved is the share the feed took (0 without a feed).
	Achieved float64 `json:"achieved,omitempty"`
}

// TopLanguages keeps the n largest by bytes and folds the rest into
// "other"; shares are recomputed over the total.
func TopLanguages(all map[string]Language, n int) []Language {
	var total int64
	list := make([]Language, 0, len(all))
	for code, l := range all {
		l.Code = code
		total += l.Bytes
		list = append(list, l)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Bytes != list[j].Bytes {
			return list[i].Bytes > list[j].Bytes
		}
		return list[i].Code < list[j].Code
	})
	if len(list) > n {
		other := Language{Code: "other"}
		for _, l := range list[n:] {
			other.Docs += l.Docs
			other.Bytes += l.Bytes
			other.Tokens += l.Tokens
		}
		list = append(list[:n], other)
	}
	for i := range list {
		if total > 0 {
			list[i].Share = float64(list[i].Bytes) / float64(total)
		}
	}
	return list
}

// Write renders report.json, report.md and report.html into dir.
func Write(dir string, d *Data) error {
	js, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"report.json": append(js, '\n'),
		"report.md":   []byte(Markdown(d)),
	}
	html, err := HTML(d)
	if err != nil {
		return err
	}
	files["report.html"] = html
	for name, b := range files {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}
