package filter

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
)

// tally is what one group of documents went through.
type tally struct {
	docs, dropped int
	chars, charsD int
	rules         map[string]int
}

func (t *tally) add(d corpusDoc, rule string) {
	if t.rules == nil {
		t.rules = map[string]int{}
	}
	t.docs++
	t.chars += len(d.Text)
	if rule != "" {
		t.dropped++
		t.charsD += len(d.Text)
		t.rules[rule]++
	}
}

func (t *tally) rate() float64 {
	if t.docs == 0 {
		return 0
	}
	return float64(t.dropped) / float64(t.docs)
}

func (t *tally) String() string {
	var rs []string
	for _, k := range slices.Sorted(maps.Keys(t.rules)) {
		rs = append(rs, fmt.Sprintf("%s=%d", k, t.rules[k]))
	}
	return fmt.Sprintf("%5d docs, %5.1f%% dropped (%5.1f%% of bytes) %s",
		t.docs, 100*t.rate(), 100*float64(t.charsD)/float64(max(t.chars, 1)), strings.Join(rs, " "))
}

// runCorpus runs a preset over docs and tallies per file and per label.
func runCorpus(t *testing.T, preset string, docs []corpusDoc) (perFile, perLabel map[string]*tally, counts doc.Counts, dropped map[string]string) {
	t.Helper()
	stages, err := New(Preset(preset))
	if err != nil {
		t.Fatal(err)
	}
	perFile, perLabel = map[string]*tally{}, map[string]*tally{}
	counts = doc.Counts{}
	dropped = map[string]string{}
	total := &tally{}
	for _, cd := range docs {
		d := cd.Document
		rule := Run(stages, &d, counts)
		for key, m := range map[string]map[string]*tally{cd.file: perFile, "label:" + cd.label: perLabel} {
			key = strings.TrimPrefix(key, "label:")
			if m[key] == nil {
				m[key] = &tally{}
			}
			m[key].add(cd, rule)
		}
		total.add(cd, rule)
		if rule != "" {
			dropped[cd.file+" "+cd.ID] = rule
		}
	}
	t.Logf("%-9s preset %-9s total: %s", preset, "", total)
	for _, f := range slices.Sorted(maps.Keys(perFile)) {
		t.Logf("  %-70s %s", f, perFile[f])
	}
	for _, l := range slices.Sorted(maps.Keys(perLabel)) {
		if l != "" {
			t.Logf("  label %-64q %s", l, perLabel[l])
		}
	}
	t.Logf("  counters: %v", counts)
	return
}

func TestCorpusBooks(t *testing.T) {
	docs := bookDocs(t, corpustest.Dir(t, "books"))
	perFile, _, _, dropped := runCorpus(t, "books", docs)
	for f, tl := range perFile {
		if tl.dropped > 0 {
			t.Errorf("book %s dropped by %v: Gutenberg bodies must be kept", f, tl.rules)
		}
	}
	_ = dropped
	// The English-only rules must not touch French, Spanish and Dutch books
	// even when the full web chain runs on them.
	var foreign []corpusDoc
	for _, d := range docs {
		if d.Language != "en" {
			foreign = append(foreign, d)
		}
	}
	if len(foreign) < 4 {
		t.Fatalf("expected the French, Spanish and Dutch books, found %d non-English", len(foreign))
	}
	stages, err := New(Options{GopherQuality: func() GopherQualityOptions {
		g := defaultGopherQuality()
		g.Enabled = true
		g.MaxDocWords = 0
		return g
	}()})
	if err != nil {
		t.Fatal(err)
	}
	c := doc.Counts{}
	for _, d := range foreign {
		dd := d.Document
		if rule := Run(stages, &dd, c); rule != "" {
			t.Errorf("%s (%s) dropped by %s", d.file, d.Language, rule)
		}
	}
	if c["gopher_quality.language_rules_skipped"] != int64(len(foreign)) {
		t.Errorf("language_rules_skipped = %d, want %d", c["gopher_quality.language_rules_skipped"], len(foreign))
	}
	// The same books labelled English do fail the English stop-word rule:
	// the per-language switch is what saves them, not luck.
	failed := 0
	for _, d := range foreign {
		dd := d.Document
		dd.Language = "en"
		if Run(stages, &dd, c) != "" {
			failed++
		}
	}
	t.Logf("non-English books judged as English: %d of %d dropped", failed, len(foreign))
}

func TestCorpusWikipedia(t *testing.T) {
	docs := wikiDocs(t, corpustest.Dir(t, "wikipedia"))
	if len(docs) < 500 {
		t.Fatalf("extracted only %d articles", len(docs))
	}
	perFile, _, _, _ := runCorpus(t, "wikipedia", docs)
	for f, tl := range perFile {
		if tl.rate() > 0.10 {
			t.Errorf("%s: %.1f%% of articles dropped (%v); want almost all kept", f, 100*tl.rate(), tl.rules)
		}
	}
}

func TestCorpusReddit(t *testing.T) {
	docs := redditDocs(t, corpustest.Dir(t, "reddit"))
	_, perLabel, _, _ := runCorpus(t, "reddit", docs)
	if r := perLabel["removed"]; r == nil || r.docs < 1000 || r.dropped != r.docs {
		t.Errorf("[removed]/[deleted] posts: %v; want every one dropped", r)
	}
	if r := perLabel[""]; r == nil || r.rate() > 0.6 {
		t.Errorf("ordinary Reddit posts: %v; want most kept", r)
	}
}

func TestCorpusWeb(t *testing.T) {
	docs := webDocs(t, corpustest.Dir(t, "commoncrawl"))
	_, perLabel, counts, dropped := runCorpus(t, "web", docs)
	if r := perLabel["error"]; r == nil || r.dropped != r.docs {
		t.Errorf("WARC error pages: %v; want every one dropped", r)
	}
	if r := perLabel[""]; r == nil || r.dropped == 0 || r.dropped == r.docs {
		t.Errorf("ordinary pages: %v; want some kept and some dropped", r)
	}
	if counts["c4.lines_removed"] == 0 {
		t.Errorf("C4 removed no line from real web pages")
	}
	_ = dropped
}

func TestCorpusCode(t *testing.T) {
	docs := codeDocs(t, corpustest.Dir(t, "code"))
	perFile, _, _, _ := runCorpus(t, "code", docs)
	for f, tl := range perFile {
		if tl.rate() > 0.35 {
			t.Errorf("%s: %.1f%% of files dropped (%v); want most of a well-kept repository kept", f, 100*tl.rate(), tl.rules)
		}
	}
}
