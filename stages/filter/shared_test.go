package filter

import (
	"maps"
	"strconv"
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
)

// runIsolated is the reference path: every stage starts from a document
// without scratch, so each splits the text itself, as before the word split
// was shared.
func runIsolated(stages []doc.Stage, d *doc.Document, c doc.Counter) string {
	for _, s := range stages {
		d.Scratch = nil
		if rule := s.Apply(d, c); rule != "" {
			return rule
		}
	}
	return ""
}

// TestSharedPathSameDecisions runs every preset over the corpus extraction
// (the bounded sample of decisionDocs, all of it with -corpus.full) twice,
// through the shared path (Run, as the pipeline runs stages) and with each
// stage in isolation, and requires the same drop rule, the same rewritten
// text and the same counters for every document.
func TestSharedPathSameDecisions(t *testing.T) {
	docs := decisionDocs(t)
	for _, preset := range presetNames {
		t.Run(preset, func(t *testing.T) {
			stages, err := New(Preset(preset))
			if err != nil {
				t.Fatal(err)
			}
			shared, isolated := doc.Counts{}, doc.Counts{}
			kept, dropped := 0, 0
			for _, cd := range docs {
				a, b := cd.Document, cd.Document
				ra := Run(stages, &a, shared)
				rb := runIsolated(stages, &b, isolated)
				if ra != rb {
					t.Errorf("%s %s: shared path drops by %q, isolated stages by %q", cd.file, cd.ID, ra, rb)
				}
				if a.Text != b.Text {
					t.Errorf("%s %s: shared path and isolated stages rewrite the text differently", cd.file, cd.ID)
				}
				if ra == "" {
					kept++
				} else {
					dropped++
				}
			}
			if !maps.Equal(shared, isolated) {
				t.Errorf("counters differ:\nshared   %v\nisolated %v", shared, isolated)
			}
			t.Logf("%s: %d docs kept, %d dropped, identical on both paths", preset, kept, dropped)
		})
	}
}

// TestSharedWordsStale checks that gopher_quality ignores a word split left
// for another text (a stage in between rewrote Text) and judges the current
// text.
func TestSharedWordsStale(t *testing.T) {
	stages, err := New(Preset("web"))
	if err != nil {
		t.Fatal(err)
	}
	var rep, qual doc.Stage
	for _, s := range stages {
		switch s.Name() {
		case "gopher_repetition":
			rep = s
		case "gopher_quality":
			qual = s
		}
	}
	short := doc.Document{Language: "en", Text: "Too short to be a document."}
	long := doc.Document{Language: "en"}
	for i := 0; i < 200; i++ { // 200 different words: nothing repeats
		long.Text += "w" + strconv.Itoa(i) + "x "
	}
	if rule := rep.Apply(&long, doc.Counts{}); rule != "" {
		t.Fatalf("repetition drops the long text by %s", rule)
	}
	if _, ok := long.Scratch.(*sharedWords); !ok {
		t.Fatalf("repetition left no word split for gopher_quality")
	}
	short.Scratch = long.Scratch // as if a stage had replaced Text
	if rule := qual.Apply(&short, doc.Counts{}); rule != "gopher_short_doc" {
		t.Errorf("stale word split: got %q, want gopher_short_doc", rule)
	}
	if short.Scratch != nil {
		t.Errorf("gopher_quality left the scratch slot set")
	}
}
