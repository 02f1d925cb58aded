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

// goldenDocs is the whole corpus extraction, every source.
func goldenDocs(t *testing.T) []corpusDoc {
	var docs []corpusDoc
	docs = append(docs, bookDocs(t, corpustest.Dir(t, "books"))...)
	docs = append(docs, wikiDocs(t, corpustest.Dir(t, "wikipedia"))...)
	docs = append(docs, webDocs(t, corpustest.Dir(t, "commoncrawl"))...)
	docs = append(docs, redditDocs(t, corpustest.Dir(t, "reddit"))...)
	docs = append(docs, codeDocs(t, corpustest.Dir(t, "code"))...)
	return docs
}

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
// extraction with testdata/decisions.golden, which was written by the code
// before the speed work (commit 5bdf51d, `-update-decisions`): the speed
// work must not change a single drop rule, counter or rewritten byte.
func TestDecisionsGolden(t *testing.T) {
	docs := goldenDocs(t)
	var got strings.Builder
	for _, preset := range []string{"web", "books", "wikipedia", "reddit", "code"} {
		got.WriteString(decisionDigest(t, preset, docs))
	}
	const path = "testdata/decisions.golden"
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("decisions differ from %s:\ngot:\n%s\nwant:\n%s", path, got.String(), want)
	}
}
