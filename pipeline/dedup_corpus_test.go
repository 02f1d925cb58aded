package pipeline

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/stages/dedup"
)

// TestDedupCorpusBooks runs real Gutenberg editions of the same books
// through the phases: each set of editions collapses to one document, and
// no two different books share a cluster.
func TestDedupCorpusBooks(t *testing.T) {
	books := corpustest.Dir(t, "books")
	editions := [][]string{
		{"pandp10.txt", "pandp12.txt", "1342-0.txt", "pg1342.txt"},
		{"1184-0.txt", "pg1184.txt"},
		{"11-0.txt", "gutenbergbooks-11-0.txt"},
	}
	// Different books, two of them by the same author and one sharing a
	// character: none may cluster with anything.
	others := []string{"pg1661.txt", "pg108.txt", "pg42078.txt", "pg768.txt", "43-0.txt", "Candide.txt"}
	var inputs []string
	for _, set := range editions {
		for _, f := range set {
			inputs = append(inputs, filepath.Join(books, f))
		}
	}
	for _, f := range others {
		inputs = append(inputs, filepath.Join(books, f))
	}
	if *dedupCorpusFull {
		// Every book of the corpus: the only clusters are the editions.
		all, _ := filepath.Glob(filepath.Join(books, "*.txt"))
		inputs, others = all, nil
		inEditions := map[string]bool{}
		for _, set := range editions {
			for _, f := range set {
				inEditions[f] = true
			}
		}
		for _, p := range all {
			if !inEditions[filepath.Base(p)] {
				others = append(others, filepath.Base(p))
			}
		}
	}
	// All checks, then MinHash alone: the editions must collapse by their
	// text, not only by the ebook URL the books source gives them. The
	// first two runs differ only in tasks and workers: same bytes.
	var outs []map[string][]byte
	for _, c := range []struct {
		block   string
		workers int
	}{{"{ranges: 1}", 1}, {"{ranges: 4}", 4}, {"{exact: false, url: false}", 0}} {
		t.Run(c.block, func(t *testing.T) {
			outs = append(outs, checkBookEditions(t, inputs, editions, others, c.block, c.workers))
		})
	}
	if len(outs) == 3 {
		a, b := outs[0], outs[1]
		for name, bytes1 := range a {
			if !bytes.Equal(bytes1, b[name]) {
				t.Errorf("%s differs between 1 range/1 worker and 4 ranges/4 workers", name)
			}
		}
		if len(a) != len(b) || len(a) < 5 {
			t.Errorf("file sets differ: %d vs %d", len(a), len(b))
		}
	}
}

var dedupCorpusFull = flag.Bool("dedup.corpus.full", false, "run the dedup corpus test over every book of the shared corpus")

func checkBookEditions(t *testing.T, inputs []string, editions [][]string, others []string, block string, workers int) map[string][]byte {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf(`
output: %s
keep_rejected: true
sources:
  - name: books
    inputs: [%s]
    books: {keep_unmarked: true}
dedup: %s
`, out, strings.Join(inputs, ", "), block))
	res, err := Run(context.Background(), cfg, RunOptions{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	fileOf := func(id string) string { return strings.Split(id, "/")[1] }
	kept := map[string]*doc.Document{}
	for _, d := range readAll(t, filepath.Join(out, DataDir, "books", "*.parquet")) {
		kept[fileOf(d.ID)] = d
	}
	removed := map[string]string{} // file -> survivor's file
	for _, d := range readAll(t, filepath.Join(out, RejectedDir, "books", "dedup-*.parquet")) {
		removed[fileOf(d.ID)] = fileOf(d.Meta["dedup_survivor"])
	}
	for _, set := range editions {
		var survivors []string
		for _, f := range set {
			if kept[f] != nil {
				survivors = append(survivors, f)
			}
		}
		if len(survivors) != 1 {
			t.Errorf("editions %v: kept %v, want exactly one", set, survivors)
			continue
		}
		s := survivors[0]
		if got := kept[s].Meta["dedup_cluster_size"]; got != fmt.Sprint(len(set)) {
			t.Errorf("survivor %s: dedup_cluster_size %q, want %d", s, got, len(set))
		}
		for _, f := range set {
			if f != s && removed[f] != s {
				t.Errorf("%s removed for %q, want its edition %s", f, removed[f], s)
			}
		}
	}
	for _, f := range others {
		if kept[f] == nil || kept[f].Meta["dedup_cluster_size"] != "" {
			t.Errorf("%s is a book of its own: it must be kept and in no cluster (removed for %q)", f, removed[f])
		}
	}
	st := res.Stats.Sources["books"]
	var n int64
	for rule, d := range st.Dropped {
		if strings.HasPrefix(rule, "dedup_") {
			n += d.Docs
		}
	}
	if n != 5 || st.Dedup == nil || st.Dedup.Clusters != 3 {
		t.Errorf("stats: %d dedup removals, clusters %+v; want 5 removals in 3 clusters (drops %v)", n, st.Dedup, st.Dropped)
	}
	for rule, d := range st.Dropped {
		t.Logf("%s: %d documents, %d bytes", rule, d.Docs, d.TextBytes)
	}
	for f, s := range removed {
		t.Logf("%s removed for %s", f, s)
	}
	return dedupOutputs(t, out)
}

// treeSums checksums every file under dir.
func treeSums(t testing.TB, dir string) map[string]string {
	sums := map[string]string{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		sum, _, err := fileSHA256(path)
		if err != nil {
			t.Fatal(err)
		}
		sums[path] = sum
		return nil
	})
	return sums
}

func keptIDs(t testing.TB, out string) []string {
	var ids []string
	for _, d := range readAll(t, filepath.Join(out, DataDir, "*", "*.parquet")) {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestDedupAgainstEarlierRun: run A; run B over A's inputs plus new ones
// against A. B keeps exactly what the new inputs alone would keep, every
// removal names one of A's documents or a new one, and A is untouched.
func TestDedupAgainstEarlierRun(t *testing.T) {
	dir := t.TempDir()
	oldIn, newIn := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	plantedCorpus(t, oldIn, 3, 100, 4)
	plantedCorpus(t, newIn, 3, 100, 5)
	// New inputs get names of their own (ids hold the file name) and one
	// file of copies of the old documents, recrawled.
	for f := range 3 {
		os.Rename(filepath.Join(newIn, fmt.Sprintf("in-%03d.jsonl", f)), filepath.Join(newIn, fmt.Sprintf("new-%03d.jsonl", f)))
	}
	old, _ := os.ReadFile(filepath.Join(oldIn, "in-001.jsonl"))
	writeFile(t, filepath.Join(newIn, "recrawl.jsonl"), bytes.ToUpper(old))

	a := filepath.Join(dir, "a")
	if _, err := Run(context.Background(), configFor(t, dir, dedupConfig(a, oldIn+"/*.jsonl", "  ranges: 2\n")), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	before := treeSums(t, a)
	alone := filepath.Join(dir, "alone")
	if _, err := Run(context.Background(), configFor(t, dir, dedupConfig(alone, newIn+"/new-*.jsonl", "  ranges: 2\n")), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "b")
	against := fmt.Sprintf("  ranges: 3\n  against: [%s]\n", a)
	res, err := Run(context.Background(), configFor(t, dir, dedupConfig(b, oldIn+"/*.jsonl, "+newIn+"/*.jsonl", against)), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keptIDs(t, b), keptIDs(t, alone); !slices.Equal(got, want) {
		t.Errorf("B kept %d documents, the new inputs alone keep %d", len(got), len(want))
	}
	aIDs := map[string]bool{}
	for _, id := range keptIDs(t, a) {
		aIDs[id] = true
	}
	bIDs := map[string]bool{}
	for _, id := range keptIDs(t, b) {
		bIDs[id] = true
	}
	rej := readAll(t, filepath.Join(b, RejectedDir, "web", "dedup-*.parquet"))
	var toA int
	for _, d := range rej {
		s := d.Meta["dedup_survivor"]
		switch {
		case aIDs[s]:
			toA++
		case !bIDs[s]:
			t.Errorf("%s removed for %q, kept neither by A nor by B", d.ID, s)
		}
	}
	// Every old input's document and every recrawled one goes to A.
	if n := res.Stats.Sources["web"].DocsRead - int64(len(keptIDs(t, alone))); int64(len(rej)) != n {
		t.Errorf("B removed %d documents, want %d", len(rej), n)
	}
	if toA < 300 {
		t.Errorf("only %d removals name one of A's documents, want all 300 old ones and the recrawl", toA)
	}
	after := treeSums(t, a)
	if len(after) != len(before) {
		t.Errorf("A has %d files after B, %d before", len(after), len(before))
	}
	for p, s := range before {
		if after[p] != s {
			t.Errorf("B changed A's %s", p)
		}
	}

	// Keys written with other settings cannot be compared: a clear error.
	c := filepath.Join(dir, "c")
	_, err = Run(context.Background(), configFor(t, dir, dedupConfig(c, newIn+"/*.jsonl", against+"  minhash: {ngram: 3}\n")), RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "other normalisation or MinHash settings") {
		t.Errorf("against a run with other MinHash settings: %v", err)
	}
}

// TestParagraphDedupCorpusBooks runs paragraph dedup alone over two real
// editions of Pride and Prejudice and two other books: whatever is
// removed is explained paragraph by paragraph. The first edition in run
// order keeps everything, the second loses most of its text (the editions
// share it), the other books lose at most a handful of stock lines, and
// the per-source count equals the paragraphs that went.
func TestParagraphDedupCorpusBooks(t *testing.T) {
	books := corpustest.Dir(t, "books")
	files := []string{"pandp12.txt", "1342-0.txt", "pg1661.txt", "pg768.txt"}
	var inputs []string
	for _, f := range files {
		inputs = append(inputs, filepath.Join(books, f))
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf(`
output: %s
sources:
  - name: books
    inputs: [%s]
    books: {keep_unmarked: true}
dedup: {exact: false, url: false, near: false, paragraphs: {keep: first}}
`, out, strings.Join(inputs, ", ")))
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	paras := func(glob string) map[string]int {
		n := map[string]int{}
		for _, d := range readAll(t, filepath.Join(out, glob)) {
			f := strings.Split(d.ID, "/")[1]
			dedup.EachSpan(d.Text, false, func(int, int) { n[f]++ })
		}
		return n
	}
	before, after := paras("ingest/books/*.parquet"), paras("data/books/*.parquet")
	var gone int
	for _, f := range files {
		gone += before[f] - after[f]
		t.Logf("%s: %d paragraphs, %d removed", f, before[f], before[f]-after[f])
	}
	first, second := files[0], files[1]
	if after[first] != before[first] && after[second] != before[second] {
		t.Errorf("neither edition kept all its paragraphs")
	}
	if a, b := min(after[first], after[second]), max(before[first], before[second]); float64(a) > 0.2*float64(b) {
		t.Errorf("the later edition kept %d of ~%d paragraphs; most are in the other edition", a, b)
	}
	for _, f := range files[2:] {
		if lost := before[f] - after[f]; lost > before[f]/100 {
			t.Errorf("%s lost %d of %d paragraphs; different books share few", f, lost, before[f])
		}
	}
	ps := readStats(t, out).Sources["books"].Dedup.Paragraphs
	if ps == nil || ps.Removed != int64(gone) {
		t.Errorf("stats count %+v removed paragraphs, the texts lost %d", ps, gone)
	}
}
