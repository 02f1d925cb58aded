package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func sampleData() *Data {
	langs := TopLanguages(map[string]Language{
		"en": {Docs: 46, Bytes: 4600, Tokens: 1150}, "ru": {Docs: 5, Bytes: 500, Tokens: 180}, "de": {Docs: 5, Bytes: 480},
		"ja": {Docs: 4, Bytes: 470}, "zh": {Docs: 4, Bytes: 460}, "fr": {Docs: 3, Bytes: 300},
		"und": {Docs: 1, Bytes: 3},
	}, 4)
	return &Data{
		Run: Run{CurateVersion: "0.1.0", ConfigPath: "configs/mix.yaml", ConfigSHA256: "abcdef0123456789",
			Inputs: 3, InputBytes: 123456, Workers: 2, Seconds: 1.5, MBPerSecond: 0.08, PeakRSSMiB: 40.5,
			Phases: []Phase{{Name: "ingest", Seconds: 1.4, TasksRun: 3}}},
		Languages: langs,
		Mixture:   []MixRow{{Source: "web", Tokens: 410000, Weight: 0.6, Epochs: 0.44}, {Source: "books<&>", Tokens: 12000, Weight: 0.4, Epochs: 2}},
		MixCells: []MixCell{{Source: "web", Language: "en", Docs: 60, Tokens: 400000, Rate: 0.41, SelectedDocs: 25, SelectedTokens: 164000},
			{Source: "books<&>", Language: "fr", Docs: 2, Tokens: 12000, Rate: 2.5, SelectedDocs: 5, SelectedTokens: 30100}},
		MixLanguages: []MixShare{{Key: "en", Target: 0.8, Achieved: 0.8012}, {Key: "other", Target: 0.2, Achieved: 0.1988}},
		Sources: []Source{{
			Name: "web", Kind: "commoncrawl", Weight: 1, Epochs: 1,
			DocsRead: 100, BytesRead: 9000, DocsWritten: 70, BytesWritten: 6800, RecordErrors: 2,
			Funnel:     []Step{{"read", 100, 9000}, {"after gopher", 80, 7500}, {"written", 70, 6800}},
			Drops:      []Drop{{"gopher", 20, 1500}, {"c4", 10, 700}},
			Counters:   []Counter{{"pii.email", 7}},
			Languages:  langs,
			LengthHist: []Bucket{{"<2", 0}, {"<4", 3}, {"<8", 67}},
			ScoreHist:  []Bucket{{"0.0–0.1", 1}, {"0.9–1.0", 69}},
		}},
	}
}

// lookup walks a decoded report.json by a dotted path ("sources.0.drops.1.docs").
func lookup(v any, path string) (any, bool) {
	for _, p := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, v != nil
}

func TestHTMLNumbersMatchJSON(t *testing.T) {
	dir := t.TempDir()
	d := sampleData()
	if err := Write(dir, d); err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	js, _ := os.ReadFile(filepath.Join(dir, "report.json"))
	var doc any
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`data-k="([^"]+)" data-v="([^"]+)"`)
	matches := re.FindAllStringSubmatch(string(html), -1)
	if len(matches) < 40 {
		t.Fatalf("only %d numbers tagged in the HTML", len(matches))
	}
	seen := map[string]bool{}
	for _, m := range matches {
		want, ok := lookup(doc, m[1])
		if !ok {
			t.Errorf("HTML shows %s=%s, absent from report.json", m[1], m[2])
			continue
		}
		got, err := strconv.ParseFloat(m[2], 64)
		if err != nil || got != want.(float64) {
			t.Errorf("%s: HTML %s, JSON %v", m[1], m[2], want)
		}
		seen[m[1]] = true
	}
	// Every headline number of the JSON is shown.
	for _, k := range []string{"run.inputs", "languages.0.bytes", "languages.0.tokens", "languages.4.docs", "mixture.1.tokens",
		"sources.0.funnel.2.docs", "sources.0.drops.1.docs", "sources.0.counters.0.value",
		"sources.0.length_hist.2.count", "sources.0.record_errors", "run.phases.0.tasks_run"} {
		if !seen[k] {
			t.Errorf("report.html does not show %s", k)
		}
	}
	page := string(html)
	// Self-contained: nothing to fetch, nothing to run, names escaped.
	for _, bad := range []string{"<script", "<link", `src="http`, `href="http`, "@import", "books<&>"} {
		if strings.Contains(page, bad) {
			t.Errorf("report.html must be self-contained and escaped: found %q", bad)
		}
	}
	if !strings.Contains(page, "<svg") || !strings.Contains(page, "books&lt;&amp;&gt;") {
		t.Error("charts or escaped source name missing")
	}
}

func TestTopLanguagesFoldsOther(t *testing.T) {
	got := TopLanguages(map[string]Language{"a": {Bytes: 5}, "b": {Bytes: 3}, "c": {Bytes: 1}, "d": {Bytes: 1}}, 2)
	if len(got) != 3 || got[0].Code != "a" || got[2].Code != "other" || got[2].Bytes != 2 {
		t.Fatalf("got %+v", got)
	}
	var share float64
	for _, l := range got {
		share += l.Share
	}
	if share < 0.999 || share > 1.001 {
		t.Errorf("shares sum to %f", share)
	}
}

func TestMarkdownSections(t *testing.T) {
	d := sampleData()
	md := Markdown(d)
	for _, want := range []string{"## Language mix", "## Mixture", "| gopher | 20 | 1500 |", "| after gopher | 80 | 7500 |", "| other |",
		"### Feed by source and language", "| web | en | 60 | 400000 | 0.410 | 25 | 164000 |", "| en | 80.00% | 80.12% |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	d.Mixture = nil
	if strings.Contains(Markdown(d), "## Mixture") || strings.Contains(string(must(HTML(d))), "<h2>Mixture") {
		t.Error("a section with no data must be left out, not shown empty")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
