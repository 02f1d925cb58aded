package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"syscall"

	"github.com/curate-dev/curate/report"
)

// RunInfo is run.json: what a run did this time (timings, workers, memory).
// Unlike the manifest it changes from run to run.
type RunInfo struct {
	CurateVersion string  `json:"curate_version"`
	ConfigPath    string  `json:"config_path"`
	ConfigSHA256  string  `json:"config_sha256"`
	Workers       int     `json:"workers"`
	Seconds       float64 `json:"seconds"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	// IngestedBytes is the input read by this invocation's ingest tasks
	// (less than the inputs' size when a run resumed).
	IngestedBytes int64           `json:"ingested_bytes"`
	Phases        []report.Phase  `json:"phases"`
	Sources       []RunInfoSource `json:"sources"`
}

// RunInfoSource is what the report needs of a source's config.
type RunInfoSource struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	Weight float64 `json:"weight"`
	Epochs float64 `json:"epochs"`
}

func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// languageTopN is how many languages the report names before "other".
const languageTopN = 12

// ReportData builds the report from a run's statistics and facts.
func ReportData(stats *Stats, info *RunInfo, inputs []InputFile) *report.Data {
	d := &report.Data{Run: report.Run{
		CurateVersion: info.CurateVersion,
		ConfigPath:    info.ConfigPath,
		ConfigSHA256:  info.ConfigSHA256,
		Workers:       info.Workers,
		Seconds:       info.Seconds,
		PeakRSSMiB:    info.PeakRSSMiB,
		Phases:        info.Phases,
	}}
	for _, in := range inputs {
		d.Run.Inputs++
		d.Run.InputBytes += in.Size
	}
	if info.Seconds > 0 {
		// Throughput counts only what this invocation read: a resumed run
		// must not claim the skipped tasks' bytes.
		d.Run.MBPerSecond = float64(info.IngestedBytes) / 1e6 / info.Seconds
	}
	overall := map[string]report.Language{}
	for _, src := range info.Sources {
		s := stats.Sources[src.Name]
		if s == nil {
			s = &SourceStats{}
		}
		rs := report.Source{
			Name: src.Name, Kind: src.Kind, Weight: src.Weight, Epochs: src.Epochs,
			DocsRead: s.DocsRead, BytesRead: s.TextBytesRead,
			DocsWritten: s.DocsWritten, BytesWritten: s.TextBytesWritten,
			RecordErrors: s.RecordErrors, InputErrors: s.InputErrors, Tokens: s.Tokens,
		}
		for rule, dr := range s.Dropped {
			rs.Drops = append(rs.Drops, report.Drop{Rule: rule, Docs: dr.Docs, Bytes: dr.TextBytes})
		}
		sort.Slice(rs.Drops, func(i, j int) bool {
			// Dedup runs after every filter: its steps end the funnel.
			if di, dj := dedupRule(rs.Drops[i].Rule), dedupRule(rs.Drops[j].Rule); di != dj {
				return dj
			}
			if rs.Drops[i].Docs != rs.Drops[j].Docs {
				return rs.Drops[i].Docs > rs.Drops[j].Docs
			}
			return rs.Drops[i].Rule < rs.Drops[j].Rule
		})
		// The funnel takes the drops largest first: each step is what is
		// left after that rule.
		left := report.Step{Label: "read", Docs: s.DocsRead, Bytes: s.TextBytesRead}
		rs.Funnel = append(rs.Funnel, left)
		for _, dr := range rs.Drops {
			left = report.Step{Label: "after " + dr.Rule, Docs: left.Docs - dr.Docs, Bytes: left.Bytes - dr.Bytes}
			rs.Funnel = append(rs.Funnel, left)
		}
		// Span cuts shorten documents without dropping them.
		if ds := s.Dedup; ds != nil {
			if ds.ExcisedBytes > 0 {
				left.Bytes -= ds.ExcisedBytes
				rs.Funnel = append(rs.Funnel, report.Step{Label: "after dedup_decontam excision", Docs: left.Docs, Bytes: left.Bytes})
			}
			if ds.Paragraphs != nil && ds.Paragraphs.Bytes > 0 {
				left.Bytes -= ds.Paragraphs.Bytes
				rs.Funnel = append(rs.Funnel, report.Step{Label: "after dedup_paragraphs", Docs: left.Docs, Bytes: left.Bytes})
			}
		}
		rs.Funnel = append(rs.Funnel, report.Step{Label: "written", Docs: s.DocsWritten, Bytes: s.TextBytesWritten})
		for _, name := range slices.Sorted(mapsKeys(s.Counters)) {
			rs.Counters = append(rs.Counters, report.Counter{Name: name, Value: s.Counters[name]})
		}
		langs := map[string]report.Language{}
		for code, l := range s.Languages {
			langs[code] = report.Language{Docs: l.Docs, Bytes: l.TextBytes, Tokens: l.Tokens}
			o := overall[code]
			o.Docs += l.Docs
			o.Bytes += l.TextBytes
			o.Tokens += l.Tokens
			overall[code] = o
		}
		rs.Languages = report.TopLanguages(langs, languageTopN)
		top := len(s.LengthHist) - 1
		for top > 0 && s.LengthHist[top] == 0 {
			top--
		}
		first := 0
		for first < top && s.LengthHist[first] == 0 {
			first++
		}
		for i := first; i <= top; i++ {
			rs.LengthHist = append(rs.LengthHist, report.Bucket{Label: fmt.Sprintf("<%s", humanPow2(i+1)), Count: s.LengthHist[i]})
		}
		for i, c := range s.ScoreHist {
			rs.ScoreHist = append(rs.ScoreHist, report.Bucket{Label: fmt.Sprintf("%.1f–%.1f", float64(i)/ScoreBuckets, float64(i+1)/ScoreBuckets), Count: c})
		}
		rs.DedupClusters = dedupClusterBuckets(s.Dedup)
		rs.Decontam, rs.Paragraphs = spanReport(s.Dedup)
		d.Sources = append(d.Sources, rs)
	}
	d.Languages = report.TopLanguages(overall, languageTopN)
	// The mixture table needs token counts: it appears once a tokenizer ran.
	var weightSum float64
	var tokens int64
	for _, src := range info.Sources {
		weightSum += src.Weight
		if s := stats.Sources[src.Name]; s != nil {
			tokens += s.Tokens
		}
	}
	if tokens > 0 {
		for _, src := range info.Sources {
			row := report.MixRow{Source: src.Name, Weight: src.Weight / weightSum, Epochs: src.Epochs}
			if s := stats.Sources[src.Name]; s != nil {
				row.Tokens = s.Tokens
			}
			d.Mixture = append(d.Mixture, row)
		}
	}
	return d
}

func mapsKeys(m map[string]int64) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func humanPow2(e int) string {
	switch {
	case e >= 30:
		return fmt.Sprintf("%dG", 1<<(e-30))
	case e >= 20:
		return fmt.Sprintf("%dM", 1<<(e-20))
	case e >= 10:
		return fmt.Sprintf("%dK", 1<<(e-10))
	}
	return fmt.Sprint(1 << e)
}

// WriteReport regenerates report.json/.md/.html in an output directory
// from its stats.json, run.json and manifest.json.
func WriteReport(dir string) error {
	var stats Stats
	var info RunInfo
	var man Manifest
	for name, v := range map[string]any{"stats.json": &stats, "run.json": &info, "manifest.json": &man} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("%s: not a curate output (%w)", dir, err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
		}
	}
	return report.Write(dir, withFeed(dir, ReportData(&stats, &info, man.Inputs)))
}
