package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/stages/dedup"
)

// spanDocs writes one JSONL input of texts (ids d0, d1, ...).
func spanDocs(t *testing.T, path string, texts []string) {
	var b strings.Builder
	for i, s := range texts {
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("d%d", i), "text": s})
		b.Write(append(line, '\n'))
	}
	writeFile(t, path, []byte(b.String()))
}

func readStats(t *testing.T, out string) *Stats {
	b, err := os.ReadFile(filepath.Join(out, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st Stats
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return &st
}

func TestParagraphDedupHandMade(t *testing.T) {
	const (
		a  = "We use cookies to improve your experience on this site."
		b  = "Posted by the forum moderator team, all rights reserved."
		u0 = "Cats sleep for most of the day and hunt at dusk."
		u1 = "The spring weather was mild, with rain every other week."
		u2 = "A sourdough starter needs flour, water and patience."
		u4 = "This paragraph repeats inside one document only, twice."
	)
	texts := []string{
		u0 + "\n\n" + a,
		strings.ToUpper(a) + "\n\n" + u1 + "\n\n" + b, // case differs: same normalised paragraph
		u2 + "\n\n  " + a + "!\n",
		b,
		u4 + "\n\n" + u4,
	}
	cases := []struct {
		keep string
		want map[string]string // by input order; "" = dropped
	}{
		{"none", map[string]string{"d0": u0, "d1": u1, "d2": u2, "d3": "", "d4": texts[4]}},
		{"first", map[string]string{"d0": texts[0], "d1": u1 + "\n\n" + b, "d2": u2, "d3": "", "d4": texts[4]}},
	}
	for _, c := range cases {
		t.Run(c.keep, func(t *testing.T) {
			dir := t.TempDir()
			spanDocs(t, filepath.Join(dir, "in", "a.jsonl"), texts)
			out := filepath.Join(dir, "out")
			extra := fmt.Sprintf("  exact: false\n  url: false\n  near: false\n  ranges: 2\n  paragraphs: {keep: %s}\n", c.keep)
			if _, err := Run(context.Background(), configFor(t, dir, dedupConfig(out, dir+"/in/*.jsonl", extra)), RunOptions{}); err != nil {
				t.Fatal(err)
			}
			got := docsByText(t, out, texts)
			for id, want := range c.want {
				if got[id] != want {
					t.Errorf("%s: got %q, want %q", id, got[id], want)
				}
			}
			st := readStats(t, out).Sources["web"]
			ps := st.Dedup.Paragraphs
			removed := map[string]int64{"none": 5, "first": 3}[c.keep]
			if ps.Removed != removed || st.Dropped["dedup_cut_short"].Docs != 1 {
				t.Errorf("removed %d paragraphs (want %d), cut_short %+v", ps.Removed, removed, st.Dropped["dedup_cut_short"])
			}
			if len(ps.Top) != 2 || ps.Top[0].Docs != 3 || !strings.EqualFold(ps.Top[0].Text, a) && !strings.HasPrefix(ps.Top[0].Text, a) || ps.Top[1].Docs != 2 {
				t.Errorf("top paragraphs: %+v", ps.Top)
			}
			if st.DocsWritten != 4 {
				t.Errorf("docs written %d, want 4", st.DocsWritten)
			}
			md, _ := os.ReadFile(filepath.Join(out, "report.md"))
			if !strings.Contains(string(md), "most frequent removed paragraphs") || !strings.Contains(strings.ToLower(string(md)), strings.ToLower(a)) {
				t.Errorf("report.md lists no removed paragraphs:\n%s", md)
			}
			checkFunnelBalances(t, out)
		})
	}
}

// docsByText maps each input's "dN" to its published text (ids are
// <source>/<input>/<record id>); a dropped one is absent.
func docsByText(t *testing.T, out string, texts []string) map[string]string {
	got := map[string]string{}
	for _, d := range readAll(t, filepath.Join(out, DataDir, "*", "*.parquet")) {
		got[d.ID[strings.LastIndexByte(d.ID, '/')+1:]] = d.Text
	}
	return got
}

// readEvalIndexInfo reads the items per set of the run's evaluation index.
func readEvalIndexInfo(t *testing.T, out string) map[string]int64 {
	x, err := dedup.ReadEvalIndex(filepath.Join(out, DedupEvalIndexFile))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, s := range x.Sets {
		got[s.Name] = s.Items
	}
	return got
}

// gsmItem is a real GSM8K test question, as the file has it.
const gsmItem = "Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?"

func TestDecontaminate13And12Words(t *testing.T) {
	words := strings.Fields(gsmItem)
	// 13 words of the item, re-cased, re-punctuated and re-spaced.
	planted13 := strings.ToUpper(strings.Join(words[3:10], "  \n")) + " ,, " + strings.Join(words[10:16], " -- ")
	planted12 := strings.Join(words[3:15], " ")
	filler := "Our garden club met on Tuesday to plan the summer flower show and the bake sale."
	texts := []string{
		filler + " " + planted13 + ". " + filler,
		filler + " " + planted12 + ". " + filler,
		filler,
	}
	for _, action := range []string{"drop", "excise"} {
		t.Run(action, func(t *testing.T) {
			dir := t.TempDir()
			spanDocs(t, filepath.Join(dir, "in", "a.jsonl"), texts)
			evals := filepath.Join(dir, "gsm.jsonl")
			line, _ := json.Marshal(map[string]string{"question": gsmItem, "answer": "Janet sells 16 - 3 - 4 = 9 duck eggs a day.\n#### 18"})
			writeFile(t, evals, append(line, '\n'))
			out := filepath.Join(dir, "out")
			extra := fmt.Sprintf("  exact: false\n  url: false\n  near: false\n  decontaminate:\n    action: %s\n    sets: [{name: gsm8k, path: %s, fields: [question, answer]}]\n", action, evals)
			if _, err := Run(context.Background(), configFor(t, dir, dedupConfig(out, dir+"/in/*.jsonl", extra)), RunOptions{}); err != nil {
				t.Fatal(err)
			}
			got := docsByText(t, out, texts)
			if got["d1"] != texts[1] || got["d2"] != texts[2] {
				t.Errorf("12-word and clean documents changed: %q / %q", got["d1"], got["d2"])
			}
			st := readStats(t, out).Sources["web"]
			e := st.Dedup.Decontam["gsm8k"]
			if e == nil || e.Docs != 1 || e.Spans != 1 {
				t.Fatalf("gsm8k counts %+v, want 1 doc, 1 span", e)
			}
			switch action {
			case "drop":
				if _, ok := got["d0"]; ok || st.Dropped["dedup_decontam"].Docs != 1 {
					t.Errorf("13-word document kept: %q (drops %+v)", got["d0"], st.Dropped)
				}
			case "excise":
				want := filler + " . " + filler
				if got["d0"] != want {
					t.Errorf("excised: %q, want %q", got["d0"], want)
				}
				checkFunnelBalances(t, out)
			}
		})
	}
}

// TestDecontaminateRealEvalSets loads the four evaluation sets of the
// shared corpus in their own formats and finds a planted item of each.
func TestDecontaminateRealEvalSets(t *testing.T) {
	evals := corpustest.Dir(t, "evalsets")
	dir := t.TempDir()
	planted := []string{
		// GSM8K question, lower-cased, its punctuation gone.
		strings.NewReplacer(".", "", ",", "", "?", "").Replace(strings.ToLower(gsmItem)),
		// HumanEval/0's docstring, re-wrapped.
		"Check if in given list of numbers, are any two numbers closer to each other than\n given threshold.",
		// ARC-Challenge test question 0 without the llm-foundry prefix.
		"An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most likely effect of this increase in rotation?",
		"Nothing here comes from any benchmark at all, it is a note about tomatoes and the garden hose we bought.",
	}
	spanDocs(t, filepath.Join(dir, "in", "a.jsonl"), planted)
	out := filepath.Join(dir, "out")
	extra := fmt.Sprintf(`  exact: false
  url: false
  near: false
  decontaminate:
    sets:
      - {name: gsm8k, path: %[1]s/gsm8k/test.jsonl, fields: [question, answer]}
      - {name: humaneval, path: %[1]s/humaneval/HumanEval.jsonl.gz, fields: [prompt, canonical_solution]}
      - {name: arc_challenge, path: %[1]s/arc_challenge/arc_challenge.jsonl, fields: [query]}
      - {name: lambada, path: %[1]s/lambada_openai/lambada_openai.jsonl, fields: [context, continuation]}
`, evals)
	if _, err := Run(context.Background(), configFor(t, dir, dedupConfig(out, dir+"/in/*.jsonl", extra)), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	got := docsByText(t, out, planted)
	if len(got) != 1 || got["d3"] != planted[3] {
		t.Errorf("kept %v, want only the tomato note", got)
	}
	st := readStats(t, out).Sources["web"]
	for _, name := range []string{"gsm8k", "humaneval", "arc_challenge"} {
		if e := st.Dedup.Decontam[name]; e == nil || e.Docs != 1 {
			t.Errorf("%s: %+v, want 1 document", name, e)
		}
	}
	// The index counts every item of each file.
	idx := readEvalIndexInfo(t, out)
	for name, items := range map[string]int64{"gsm8k": 1319, "humaneval": 164, "arc_challenge": 1172, "lambada": 5153} {
		if idx[name] != items {
			t.Errorf("%s: %d items in the index, want %d", name, idx[name], items)
		}
	}
}

// plantSpans adds span work to a planted corpus: a boilerplate paragraph
// in every fourth document, and an evaluation set made of 20-word pieces
// of a few documents (so some are dropped). It returns the dedup block's
// lines that turn both on.
func plantSpans(t *testing.T, dir string) string {
	paths, _ := filepath.Glob(filepath.Join(dir, "in", "*.jsonl"))
	var evals strings.Builder
	for fi, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var row map[string]any
			if err := json.Unmarshal([]byte(line), &row); err != nil {
				t.Fatal(err)
			}
			text := row["text"].(string)
			if i%4 == 0 {
				row["text"] = text + "\n\nShare this page with your friends and subscribe to our newsletter."
			}
			if i%25 == 7 && fi%2 == 1 {
				words := strings.Fields(text)
				item, _ := json.Marshal(map[string]string{"q": strings.Join(words[40:60], " ")})
				evals.Write(append(item, '\n'))
			}
			nl, _ := json.Marshal(row)
			out.Write(append(nl, '\n'))
		}
		writeFile(t, p, []byte(out.String()))
	}
	ev := filepath.Join(dir, "evals.jsonl")
	writeFile(t, ev, []byte(evals.String()))
	return fmt.Sprintf("  paragraphs: {keep: first}\n  decontaminate: {action: excise, sets: [{path: %s, fields: [q]}]}\n", ev)
}

// checkFunnelBalances checks the report's last step before "written"
// equals it: drops and cuts account for every byte.
func checkFunnelBalances(t *testing.T, out string) {
	t.Helper()
	js, _ := os.ReadFile(filepath.Join(out, "report.json"))
	var rep struct {
		Sources []struct {
			Funnel []struct {
				Label       string
				Docs, Bytes int64
			}
		}
	}
	if err := json.Unmarshal(js, &rep); err != nil || len(rep.Sources) == 0 {
		t.Fatalf("report.json: %v", err)
	}
	for _, s := range rep.Sources {
		f := s.Funnel
		if n := len(f); n < 2 || f[n-2].Docs != f[n-1].Docs || f[n-2].Bytes != f[n-1].Bytes {
			t.Errorf("funnel does not balance: %+v", f)
		}
	}
}

// TestParagraphsCountSurvivorsOnly: a document removed as an exact copy
// neither counts towards min_docs nor is the "first" that keeps a
// paragraph.
func TestParagraphsCountSurvivorsOnly(t *testing.T) {
	const (
		a  = "Subscribe to our newsletter for weekly garden tips and offers."
		u0 = "Tomatoes want full sun and deep, regular watering in July."
		u2 = "Roses are pruned in late winter, just before new growth."
		u3 = "Compost turns kitchen scraps into dark, crumbly soil."
	)
	texts := []string{
		u0 + "\n\n" + a,        // removed: an exact copy of d1, which is longer
		u0 + "!!\n\n" + a + "", // survivor of the pair: first holder of a
		u2 + "\n\n" + a,        // loses a
		u3,
	}
	dir := t.TempDir()
	spanDocs(t, filepath.Join(dir, "in", "a.jsonl"), texts)
	out := filepath.Join(dir, "out")
	extra := "  url: false\n  near: false\n  paragraphs: {keep: first, min_docs: 2}\n"
	if _, err := Run(context.Background(), configFor(t, dir, dedupConfig(out, dir+"/in/*.jsonl", extra)), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	got := docsByText(t, out, texts)
	want := map[string]string{"d1": texts[1], "d2": u2, "d3": u3}
	if len(got) != len(want) {
		t.Errorf("kept %q", got)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q", id, got[id], w)
		}
	}
}
