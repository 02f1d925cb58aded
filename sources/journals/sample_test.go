package journals

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSample reads the sample under testdata/sample/journals that
// configs/mix.yaml runs on: one of each format.
func TestSample(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "sample", "journals")
	all := []string{filepath.Join(dir, "2601.99999.gz"), filepath.Join(dir, "curate-sample-2026.nxml"), filepath.Join(dir, "pubmed26n9999.xml")}
	tests := []struct {
		file   string
		ids    string
		want   []string
		absent []string
		count  string
	}{
		{"2601.99999.gz", "2601.99999",
			[]string{"Bounding the Error of MinHash Deduplication\n\nWe give a simple bound", "# Introduction", `P[\text{miss}]`,
				`check it on \textsc{SampleCrawl}, a small crawl`, "Figure: Observed miss rate against the bound"},
			[]string{"TODO", `\input`, `\bibliography`, `\includegraphics`, `\documentclass`}, "arxiv.junk_file"},
		{"curate-sample-2026.nxml", "PMC9900001",
			[]string{"Near-Duplicate Documents in Web Corpora Inflate Benchmark Scores\n\nLanguage models are trained", "# Methods", "## MinHash signatures",
				"- How many near-duplicates survive", "$$P[h(A) = h(B)] = J(A,B)$$ (1)", "$J(A,B) = |A \\cap B| / |A \\cup B|$",
				"Figure 1. Share of near-duplicates per crawl year. The share grows", "Table 1. Benchmark accuracy"},
			[]string{"Repeated pages in web crawls", "reviewers found", "ReadA", "documentclass"}, "jats.sub_article_dropped"},
		{"pubmed26n9999.xml", "99900002,99900004",
			[]string{"RESULTS: Each additional hour of sleep", "CO2 levels"}, nil, "medline.skip.no_abstract"},
	}
	for _, tc := range tests {
		docs, skipped, counts, err := readInput(t, DefaultOptions(), filepath.Join(dir, tc.file), all...)
		if err != nil || len(skipped) > 0 {
			t.Fatalf("%s: err %v, skipped %v", tc.file, err, skipped)
		}
		var ids []string
		var text strings.Builder
		for _, d := range docs {
			ids = append(ids, d.ID)
			text.WriteString(d.Text + "\n")
		}
		if strings.Join(ids, ",") != tc.ids {
			t.Errorf("%s: ids %v, want %s", tc.file, ids, tc.ids)
		}
		for _, w := range tc.want {
			if !strings.Contains(text.String(), w) {
				t.Errorf("%s: text lacks %q:\n%s", tc.file, w, text.String())
			}
		}
		for _, w := range tc.absent {
			if strings.Contains(text.String(), w) {
				t.Errorf("%s: text has %q", tc.file, w)
			}
		}
		if counts[tc.count] != 1 {
			t.Errorf("%s: counts %v lack %s", tc.file, counts, tc.count)
		}
	}
}
