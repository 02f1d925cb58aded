package filter

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
)

var updateGolden = flag.Bool("update-decisions", false, "rewrite testdata/decisions.golden from the current code")

// decisionDigest runs a preset's chain over docs and summarises every
// decision: per preset, the drop count per rule, the counters, and a
// SHA-256 over (file, id, rule, resulting text) of every document in order,
// so that any changed drop decision or rewritten byte changes the line.
func decisionDigest(t *testing.T, preset string, docs []corpusDoc) string {
	stages, err := New(Preset(preset))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	counts := doc.Counts{}
	rules := map[string]int{}
	for _, cd := range docs {
		d := cd.Document
		rule := Run(stages, &d, counts)
		rules[rule]++
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%s\x00", cd.file, cd.ID, rule, len(d.Text), d.Text)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s docs=%d sha256=%x\n", preset, len(docs), h.Sum(nil))
	for _, k := range slices.Sorted(maps.Keys(rules)) {
		fmt.Fprintf(&b, "%s rule %q %d\n", preset, k, rules[k])
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "%s counter %s %d\n", preset, k, counts[k])
	}
	return b.String()
}

// TestDecisionsGolden compares every preset's decisions on the corpus
// extraction with a golden digest. With -corpus.full it runs on the whole
// extraction against testdata/decisions.golden, which was written by the
// code before the speed work (commit 5bdf51d): the speed work must not
// change a single drop rule, counter or rewritten byte. By default it runs
// on the bounded sample of decisionDocs against
// testdata/decisions-sample.golden (written by code that matched the full
// golden), and also demands that every rule and counter the full golden
// lists fires on the sample, so the sample keeps every decision's case.
//
// To rewrite all three files after an intended change:
//
//	go test ./stages/filter -run TestDecisionsGolden -update-decisions -corpus.full
func TestDecisionsGolden(t *testing.T) {
	docs := decisionDocs(t)
	if *updateGolden {
		if !corpustest.Full() {
			t.Fatal("-update-decisions needs -corpus.full: the sample's hard cases come from the whole corpus")
		}
		full := digestAll(t, docs)
		ids := hardCases(t, docs)
		writeFile(t, fullGoldenPath, full)
		writeFile(t, hardCasesPath, strings.Join(ids, "\n")+"\n")
		writeFile(t, sampleGoldenPath, digestAll(t, sampleOf(t, docs)))
		return
	}
	got := digestAll(t, docs)
	path := sampleGoldenPath
	if corpustest.Full() {
		path = fullGoldenPath
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("decisions differ from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
	full, err := os.ReadFile(fullGoldenPath)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, r := range goldenRules(got) {
		have[r] = true
	}
	for _, r := range goldenRules(string(full)) {
		if !have[r] {
			t.Errorf("%s on the whole corpus, never on the sample: the sample lost a case", r)
		}
	}
}

// digestAll is decisionDigest for every preset.
func digestAll(t *testing.T, docs []corpusDoc) string {
	var b strings.Builder
	for _, preset := range presetNames {
		b.WriteString(decisionDigest(t, preset, docs))
	}
	return b.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
