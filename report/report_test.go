package report

import (
	"encoding/json"
	"math"
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

// shownValue reads a number as a reader sees it on the page ("46",
// "1.50", "67.5%", "12.1 KiB", "300 B") and returns it with the rounding
// its format allows, independently of the report's own formatting code.
func shownValue(s string) (v, tol float64, err error) {
	s = strings.TrimSpace(s)
	scale := 1.0
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"%", 0.01}, {" GiB", 1 << 30}, {" MiB", 1 << 20}, {" KiB", 1 << 10}, {" B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, scale = strings.TrimSuffix(s, u.suffix), u.scale
			break
		}
	}
	v, err = strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, err
	}
	half := 0.5 // half a unit of the last digit shown
	if i := strings.IndexByte(s, '.'); i >= 0 {
		half = 0.5 * math.Pow(10, -float64(len(s)-i-1))
	} else {
		half = 0
	}
	return v * scale, half*scale + 1e-9, nil
}

// TestHTMLNumbersMatchJSON checks every number a reader sees on the page
// against report.json: the text of each tagged cell (as shown: "12.1 KiB",
// "67.5%"), the bar labels and tooltips of the charts, and the bar widths.
// The data-v attributes come from the same struct as the JSON, so they are
// only the map from what is shown to where it is in the JSON.
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
	jsonNumber := func(key string) (float64, bool) {
		v, ok := lookup(doc, key)
		f, isNum := v.(float64)
		return f, ok && isNum
	}
	seen := map[string]bool{}
	cells := regexp.MustCompile(`<(b|td) data-k="([^"]+)" data-v="[^"]*">([^<]*)</(?:b|td)>`).FindAllStringSubmatch(string(html), -1)
	if len(cells) < 30 {
		t.Fatalf("only %d numbers tagged in the HTML", len(cells))
	}
	for _, m := range cells {
		key, text := m[2], m[3]
		want, ok := jsonNumber(key)
		if !ok {
			t.Errorf("HTML shows %s = %q, not a number in report.json", key, text)
			continue
		}
		got, tol, err := shownValue(text)
		if err != nil || math.Abs(got-want) > tol {
			t.Errorf("%s: the page shows %q, report.json has %v", key, text, want)
		}
		seen[key] = true
	}
	// Chart bars: the tooltip shows the value, the label beside the bar the
	// language's share (or the bucket's count), the width is proportional.
	bars := regexp.MustCompile(`<rect [^>]*width="([0-9.]+)" data-k="([^"]+)" data-v="[^"]*"><title>[^<]*: ([^<]*)</title></rect><text [^>]*>([^<]*)</text>`).FindAllStringSubmatch(string(html), -1)
	if len(bars) < 10 {
		t.Fatalf("only %d chart bars in the HTML", len(bars))
	}
	widest := map[string]float64{} // chart key prefix -> largest value
	for _, m := range bars {
		v, _ := jsonNumber(m[2])
		p := m[2][:strings.LastIndexByte(m[2], '.')]
		p = p[:strings.LastIndexByte(p, '.')]
		widest[p] = max(widest[p], v)
	}
	for _, m := range bars {
		width, key, tip, label := m[1], m[2], m[3], m[4]
		want, ok := jsonNumber(key)
		if !ok {
			t.Errorf("chart bar %s is not a number in report.json", key)
			continue
		}
		if got, err := strconv.ParseFloat(tip, 64); err != nil || got != want {
			t.Errorf("bar %s: tooltip %q, report.json %v", key, tip, want)
		}
		labelKey := key
		if strings.HasSuffix(key, ".bytes") {
			labelKey = strings.TrimSuffix(key, ".bytes") + ".share"
		}
		lw, _ := jsonNumber(labelKey)
		if got, tol, err := shownValue(label); err != nil || math.Abs(got-lw) > tol {
			t.Errorf("bar %s: label %q, report.json %s = %v", key, label, labelKey, lw)
		}
		p := key[:strings.LastIndexByte(key, '.')]
		p = p[:strings.LastIndexByte(p, '.')]
		if w, _ := strconv.ParseFloat(width, 64); widest[p] > 0 && math.Abs(w-360*want/widest[p]) > 0.06 {
			t.Errorf("bar %s: width %s for %v of at most %v", key, width, want, widest[p])
		}
		seen[key] = true
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
