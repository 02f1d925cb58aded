package evalset

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// TestShingleScoreReproducesPublished scores the reference outputs shipped
// with the benchmark and expects the README's rows.
func TestShingleScoreReproducesPublished(t *testing.T) {
	dir := filepath.Join(corpustest.Dir(t, "html-eval"), Scrapinghub)
	truth, err := ReadPredictions(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file          string
		f1, p, r, acc float64
	}{
		{"go_trafilatura.json", 0.960, 0.940, 0.980, 0.287},
		{"trafilatura.json", 0.958, 0.938, 0.978, 0.293},
	} {
		pred, err := ReadPredictions(filepath.Join(dir, "output", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		s := ShingleScore(truth, pred)
		t.Logf("%s: F1 %.4f P %.4f R %.4f acc %.4f", tc.file, s.F1, s.P, s.R, s.Accuracy)
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"F1", s.F1, tc.f1}, {"P", s.P, tc.p}, {"R", s.R, tc.r}, {"accuracy", s.Accuracy, tc.acc}} {
			if math.Abs(c.got-c.want) > 0.0005 {
				t.Errorf("%s %s = %.4f, published %.3f", tc.file, c.name, c.got, c.want)
			}
		}
	}
}

func TestMatchedIsDifflib(t *testing.T) {
	split := func(s string) []string { return strings.Split(s, "") }
	tests := []struct {
		a, b string
		want int
	}{
		{"qabxcd", "abycdf", 4}, // difflib's docstring example: ab, cd
		{"abxcd", "abcd", 4},
		{"", "abc", 0},
		{"abc", "abc", 3},
		{"xyz", "abc", 0},
	}
	for _, tc := range tests {
		if got := matched(split(tc.a), split(tc.b), true); got != tc.want {
			t.Errorf("matched(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	// autojunk: a popular element of a long b cannot start a match
	// (["y","x"] against 300 "x" matches nothing, as in Python), but
	// extends one from the bounds' corner (["x"] matches 1, as in Python).
	long := strings.Split(strings.Repeat("x", 300), "")
	for _, tc := range []struct {
		a        []string
		autojunk bool
		want     int
	}{{[]string{"y", "x"}, true, 0}, {[]string{"x"}, true, 1}, {[]string{"y", "x"}, false, 1}} {
		if got := matched(tc.a, long, tc.autojunk); got != tc.want {
			t.Errorf("matched(%q, 300 x, autojunk %v) = %d, want %d", tc.a, tc.autojunk, got, tc.want)
		}
	}
}

// TestCleanEvalEdgeCases checks the two article-less gold files score an
// empty output as the CleanEval scorer does.
func TestCleanEvalEdgeCases(t *testing.T) {
	pages, err := Load(corpustest.Dir(t, "html-eval"), CleanPortalEval)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 71 {
		t.Errorf("%d pages, want 71", len(pages))
	}
	want := map[string][3]float64{
		"bbc.co.uk_news_05": {1, 0.5, 0.667},
		"bbc.co.uk_news_04": {1, 0.11, 0.2},
	}
	for _, p := range pages {
		w, ok := want[p.ID]
		if !ok {
			continue
		}
		s := prf(CleanEvalCounts(CleanEvalOutput(""), p.Truth))
		if math.Abs(s.P-w[0]) > 0.005 || math.Abs(s.R-w[1]) > 0.005 || math.Abs(s.F1-w[2]) > 0.005 {
			t.Errorf("%s: empty output scores P %.3f R %.3f F %.3f, want %v", p.ID, s.P, s.R, s.F1, w)
		}
		delete(want, p.ID)
	}
	if len(want) > 0 {
		t.Errorf("pages not found: %v", want)
	}
	// The gold itself, as an output, scores near 1 (not 1: the output
	// writes every segment as <p>, the gold has <h> and <l> too).
	s := Score(CleanPortalEval, pages[:5], goldAsOutput(pages[:5]))
	if s.F1 < 0.99 {
		t.Errorf("gold as output: F1 %.3f", s.F1)
	}
}

func goldAsOutput(pages []Page) map[string]string {
	m := map[string]string{}
	for _, p := range pages {
		var lines []string
		for _, seg := range strings.Split(urlLineRe.ReplaceAllString(p.Truth, ""), "<") {
			if len(seg) > 2 && seg[1] == '>' {
				lines = append(lines, strings.Join(strings.Fields(seg[2:]), " "))
			}
		}
		m[p.ID] = strings.Join(lines, "\n")
	}
	return m
}

func TestL3STruth(t *testing.T) {
	pages, err := Load(corpustest.Dir(t, "html-eval"), L3S)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 50 {
		t.Fatalf("%d pages, want 50", len(pages))
	}
	for _, p := range pages {
		if p.ID == "01ccc7c5-a1d1-46e1-a5f7-43310df16575" {
			if !strings.Contains(p.Truth, "The Security Council today discussed the United Nations peacekeeping mission in Kosovo") {
				t.Errorf("known sentence missing from truth:\n%s", p.Truth)
			}
		}
		if p.URL == "" {
			t.Errorf("%s: no URL", p.ID)
		}
	}
	pred := map[string]string{}
	for _, p := range pages {
		pred[p.ID] = p.Truth
	}
	if s := Score(L3S, pages, pred); s.F1 < 0.999 {
		t.Errorf("truth as output: F1 %.3f", s.F1)
	}
}
