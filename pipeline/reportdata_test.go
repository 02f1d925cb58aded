package pipeline

import (
	"math"
	"testing"

	"github.com/curate-dev/curate/report"
)

// reportStats is the stats of a small two-source run: web with three drop
// rules (two tied), languages and histograms; books with no documents read.
func reportStats() (*Stats, *RunInfo, []InputFile) {
	web := &SourceStats{
		DocsRead: 100, TextBytesRead: 10000, DocsWritten: 50, TextBytesWritten: 6000,
		RecordErrors: 2, InputErrors: 1, Tokens: 1500,
		Dropped: map[string]*Drop{
			"gopher_short_doc": {Docs: 30, TextBytes: 2500},
			"c4_curly":         {Docs: 10, TextBytes: 900},
			"alpha_rule":       {Docs: 10, TextBytes: 600},
		},
		Counters: map[string]int64{"pii.email": 7, "c4.lines_removed": 40},
		Languages: map[string]*LangCount{
			"en": {Docs: 40, TextBytes: 5000, Tokens: 1200},
			"de": {Docs: 10, TextBytes: 1000, Tokens: 300},
		},
	}
	web.LengthHist[3] = 5  // [8, 16) bytes
	web.LengthHist[5] = 45 // [32, 64): bucket 4 between is empty but shown
	web.ScoreHist[9] = 48
	web.ScoreHist[2] = 2
	books := &SourceStats{Languages: map[string]*LangCount{"en": {Docs: 3, TextBytes: 3000, Tokens: 500}}, Tokens: 500}
	stats := &Stats{Sources: map[string]*SourceStats{"web": web, "books": books}}
	info := &RunInfo{
		CurateVersion: "test", ConfigPath: "c.yaml", Workers: 2, Seconds: 2, IngestedBytes: 3_000_000,
		Sources: []RunInfoSource{{Name: "web", Kind: "commoncrawl", Weight: 3, Epochs: 1}, {Name: "books", Kind: "books", Weight: 1, Epochs: 2}, {Name: "absent", Kind: "jsonl", Weight: 0}},
	}
	inputs := []InputFile{{Source: "web", Size: 4_000_000}, {Source: "books", Size: 1_000_000}}
	return stats, info, inputs
}

func TestReportDataFunnel(t *testing.T) {
	d := ReportData(reportStats())
	if d.Run.Inputs != 2 || d.Run.InputBytes != 5_000_000 {
		t.Errorf("inputs %d, %d bytes", d.Run.Inputs, d.Run.InputBytes)
	}
	// Throughput is what this invocation read (a resumed run reads less).
	if d.Run.MBPerSecond != 1.5 {
		t.Errorf("MB/s %v, want 1.5 (3 MB ingested in 2 s)", d.Run.MBPerSecond)
	}
	if len(d.Sources) != 3 || d.Sources[0].Name != "web" || d.Sources[1].Name != "books" || d.Sources[2].Name != "absent" {
		t.Fatalf("sources in config order expected, got %+v", d.Sources)
	}
	web := d.Sources[0]
	wantDrops := []report.Drop{{Rule: "gopher_short_doc", Docs: 30, Bytes: 2500}, {Rule: "alpha_rule", Docs: 10, Bytes: 600}, {Rule: "c4_curly", Docs: 10, Bytes: 900}}
	if len(web.Drops) != 3 {
		t.Fatalf("drops %+v", web.Drops)
	}
	for i, w := range wantDrops {
		if web.Drops[i] != w {
			t.Errorf("drop %d: %+v, want %+v (largest first, ties by name)", i, web.Drops[i], w)
		}
	}
	wantFunnel := []report.Step{
		{Label: "read", Docs: 100, Bytes: 10000},
		{Label: "after gopher_short_doc", Docs: 70, Bytes: 7500},
		{Label: "after alpha_rule", Docs: 60, Bytes: 6900},
		{Label: "after c4_curly", Docs: 50, Bytes: 6000},
		{Label: "written", Docs: 50, Bytes: 6000},
	}
	if len(web.Funnel) != len(wantFunnel) {
		t.Fatalf("funnel %+v", web.Funnel)
	}
	for i, w := range wantFunnel {
		if web.Funnel[i] != w {
			t.Errorf("funnel step %d: %+v, want %+v", i, web.Funnel[i], w)
		}
	}
	if len(web.Counters) != 2 || web.Counters[0] != (report.Counter{Name: "c4.lines_removed", Value: 40}) || web.Counters[1].Name != "pii.email" {
		t.Errorf("counters %+v, want sorted by name", web.Counters)
	}
	if web.RecordErrors != 2 || web.InputErrors != 1 || web.Tokens != 1500 || web.BytesRead != 10000 || web.BytesWritten != 6000 {
		t.Errorf("source totals %+v", web)
	}
	// A configured source with no stats still appears, empty.
	if a := d.Sources[2]; a.DocsRead != 0 || len(a.Funnel) != 2 || a.Funnel[0].Label != "read" || a.Funnel[1].Label != "written" {
		t.Errorf("absent source %+v", a)
	}
}

func TestReportDataMixtureAndLanguages(t *testing.T) {
	d := ReportData(reportStats())
	// Overall languages add up the sources: en 5000 + 3000 bytes, de 1000.
	if len(d.Languages) != 2 || d.Languages[0].Code != "en" || d.Languages[0].Bytes != 8000 || d.Languages[0].Docs != 43 || d.Languages[0].Tokens != 1700 {
		t.Fatalf("languages %+v", d.Languages)
	}
	if s := d.Languages[0].Share; math.Abs(s-8.0/9) > 1e-9 {
		t.Errorf("en share %v, want 8/9", s)
	}
	if web := d.Sources[0].Languages; len(web) != 2 || web[0].Code != "en" || web[1].Code != "de" || math.Abs(web[1].Share-1.0/6) > 1e-9 {
		t.Errorf("web languages %+v", web)
	}
	// Weights are normalised over all configured sources (3 + 1 + 0).
	want := []report.MixRow{{Source: "web", Tokens: 1500, Weight: 0.75, Epochs: 1}, {Source: "books", Tokens: 500, Weight: 0.25, Epochs: 2}, {Source: "absent", Tokens: 0, Weight: 0, Epochs: 0}}
	if len(d.Mixture) != 3 {
		t.Fatalf("mixture %+v", d.Mixture)
	}
	for i, w := range want {
		if d.Mixture[i] != w {
			t.Errorf("mixture row %d: %+v, want %+v", i, d.Mixture[i], w)
		}
	}
	// Without tokens (no tokenizer ran) there is no mixture table.
	stats, info, inputs := reportStats()
	for _, s := range stats.Sources {
		s.Tokens = 0
	}
	if m := ReportData(stats, info, inputs).Mixture; m != nil {
		t.Errorf("mixture without tokens: %+v", m)
	}
}

func TestReportDataHistograms(t *testing.T) {
	d := ReportData(reportStats())
	web := d.Sources[0]
	// Length buckets from the first to the last non-empty one, inner empty
	// ones kept: [8,16) [16,32) [32,64) labelled by their upper bound.
	want := []report.Bucket{{Label: "<16", Count: 5}, {Label: "<32", Count: 0}, {Label: "<64", Count: 45}}
	if len(web.LengthHist) != len(want) {
		t.Fatalf("length histogram %+v", web.LengthHist)
	}
	for i, w := range want {
		if web.LengthHist[i] != w {
			t.Errorf("length bucket %d: %+v, want %+v", i, web.LengthHist[i], w)
		}
	}
	if len(web.ScoreHist) != ScoreBuckets || web.ScoreHist[0].Label != "0.0–0.1" || web.ScoreHist[9] != (report.Bucket{Label: "0.9–1.0", Count: 48}) || web.ScoreHist[2].Count != 2 {
		t.Errorf("score histogram %+v", web.ScoreHist)
	}
	for _, tc := range []struct {
		e    int
		want string
	}{{3, "8"}, {10, "1K"}, {21, "2M"}, {31, "2G"}} {
		if got := humanPow2(tc.e); got != tc.want {
			t.Errorf("humanPow2(%d) = %q, want %q", tc.e, got, tc.want)
		}
	}
}
