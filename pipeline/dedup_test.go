package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/shards"
	"github.com/curate-dev/curate/stages/dedup"
)

// plantedCorpus writes JSONL files of distinct documents with planted
// duplicates: reformatted exact copies, near copies (one word in 100
// changed, Jaccard about 0.9) and pages whose URL repeats with new text.
// Every copy is of a different document of the first file, so each
// planted copy is exactly one removal of its kind.
func plantedCorpus(t testing.TB, dir string, files, docsPerFile int, seed uint64) (exact, near, url int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	vocab := make([]string, 5000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	fresh := func() []string {
		var words []string
		for range 300 + rng.IntN(300) {
			words = append(words, vocab[rng.IntN(len(vocab))])
		}
		return words
	}
	var originals [][]string
	var originalURLs []string
	next := 0 // the next original not copied yet
	for f := 0; f < files; f++ {
		var buf bytes.Buffer
		for d := 0; d < docsPerFile; d++ {
			u := fmt.Sprintf("https://site%d.example/page/%d-%d", seed, f, d)
			var words []string
			switch {
			case f == 0 || next >= len(originals) || (d%10 != 3 && d%10 != 6 && d%10 != 8):
				words = fresh()
				if f == 0 {
					originals = append(originals, words)
					originalURLs = append(originalURLs, u)
				}
			case d%10 == 3:
				// Case and punctuation differ; normalised text is equal.
				words = slices.Clone(originals[next])
				words[0] = strings.ToUpper(words[0]) + ","
				next++
				exact++
			case d%10 == 6:
				words = slices.Clone(originals[next])
				for i := 5; i < len(words); i += 100 {
					words[i] = "c"
				}
				next++
				near++
			default:
				// The same page, upper-cased host, the default port, a fragment.
				words = fresh()
				u = strings.Replace(originalURLs[next], "https://site", "HTTPS://SITE", 1)
				u = strings.Replace(u, ".example/", ".example:443/", 1) + "#comments"
				next++
				url++
			}
			line, _ := json.Marshal(map[string]any{"id": fmt.Sprint(d), "text": strings.Join(words, " "), "url": u})
			buf.Write(append(line, '\n'))
		}
		writeFile(t, filepath.Join(dir, fmt.Sprintf("in-%03d.jsonl", f)), buf.Bytes())
	}
	return exact, near, url
}

func dedupConfig(out, inputs, extra string) string {
	return fmt.Sprintf(`
output: %s
keep_rejected: true
parquet: {row_group_mb: 1}
sources:
  - name: web
    inputs: [%s]
    jsonl: {}
dedup:
%s`, out, inputs, extra)
}

// readAll reads every document of the parquet files matching glob.
func readAll(t testing.TB, glob string) []*doc.Document {
	t.Helper()
	paths, _ := filepath.Glob(glob)
	slices.Sort(paths)
	var docs []*doc.Document
	for _, p := range paths {
		if err := eachDoc(p, func(d *doc.Document) error { docs = append(docs, d); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	return docs
}

func TestDedupPlantedDuplicates(t *testing.T) {
	dir := t.TempDir()
	exact, near, url := plantedCorpus(t, filepath.Join(dir, "in"), 5, 120, 1)
	out := filepath.Join(dir, "out")
	res, err := Run(context.Background(), configFor(t, dir, dedupConfig(out, dir+"/in/*.jsonl", "  ranges: 3\n")), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stats.Sources["web"]
	got := map[string]int64{}
	for rule, d := range st.Dropped {
		got[rule] = d.Docs
	}
	want := map[string]int64{"dedup_exact": int64(exact), "dedup_near": int64(near), "dedup_url": int64(url)}
	for rule, n := range want {
		if got[rule] != n {
			t.Errorf("%s removed %d, planted %d (all drops %v)", rule, got[rule], n, got)
		}
	}
	kept := readAll(t, filepath.Join(out, DataDir, "web", "*.parquet"))
	if int64(len(kept)) != st.DocsWritten || st.DocsWritten != 600-int64(exact+near+url) {
		t.Errorf("data/ holds %d documents, stats say %d, want %d", len(kept), st.DocsWritten, 600-exact-near-url)
	}
	ids := map[string]bool{}
	survivors := 0
	for _, d := range kept {
		ids[d.ID] = true
		if d.Meta["dedup_cluster_size"] != "" {
			survivors++
		}
	}
	if st.Dedup == nil || st.Dedup.Clusters != int64(survivors) || survivors == 0 {
		t.Errorf("%d survivors carry dedup_cluster_size; stats say %+v", survivors, st.Dedup)
	}
	// The report's funnel ends with the dedup steps; the histogram shows.
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| after dedup_exact | ", "| after dedup_near | ", "| after dedup_url | ", "| duplicate cluster size | clusters |\n|---|---:|\n| 2 | "} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	var rep struct {
		Sources []struct {
			Funnel []struct{ Label string }
		}
	}
	js, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(js, &rep); err != nil || len(rep.Sources) != 1 {
		t.Fatalf("report.json: %v", err)
	}
	seenDedup := false
	for _, st := range rep.Sources[0].Funnel {
		isDedup := strings.HasPrefix(st.Label, "after dedup_")
		if seenDedup && !isDedup && st.Label != "written" {
			t.Errorf("funnel step %q comes after the dedup steps", st.Label)
		}
		seenDedup = seenDedup || isDedup
	}
	rej := readAll(t, filepath.Join(out, RejectedDir, "web", "dedup-*.parquet"))
	if len(rej) != exact+near+url {
		t.Errorf("rejected/ holds %d dedup removals, want %d", len(rej), exact+near+url)
	}
	for _, d := range rej {
		if s := d.Meta["dedup_survivor"]; !ids[s] {
			t.Errorf("%s removed for %q, which is not a kept document", d.ID, s)
		}
		if !strings.HasPrefix(d.Meta[shards.ColReason], "dedup_") {
			t.Errorf("%s: reason %q", d.ID, d.Meta[shards.ColReason])
		}
	}
}

// dedupOutputs are the bytes a dedup run must reproduce: the published
// parts, the rejects, the stats and the decisions.
func dedupOutputs(t testing.TB, out string) map[string][]byte {
	files := map[string][]byte{}
	for rel, b := range outputBytes(t, out) {
		if strings.HasPrefix(rel, DataDir+"/") || strings.HasPrefix(rel, RejectedDir+"/") ||
			strings.HasPrefix(rel, DedupClustersDir+"/") ||
			rel == "stats.json" || rel == DedupIndexFile || rel == DedupEvalIndexFile {
			files[rel] = b
		}
	}
	return files
}

func TestDedupSameBytesWhateverTasksAndWorkers(t *testing.T) {
	dir := t.TempDir()
	plantedCorpus(t, filepath.Join(dir, "in"), 6, 100, 2)
	spans := plantSpans(t, dir)
	var ref map[string][]byte
	for _, c := range []struct{ ranges, workers int }{{1, 1}, {4, 4}, {3, 2}} {
		out := filepath.Join(dir, fmt.Sprintf("out-%d-%d", c.ranges, c.workers))
		body := dedupConfig(out, dir+"/in/*.jsonl", fmt.Sprintf("  ranges: %d\n", c.ranges)+spans)
		if _, err := Run(context.Background(), configFor(t, dir, body), RunOptions{Workers: c.workers}); err != nil {
			t.Fatal(err)
		}
		got := dedupOutputs(t, out)
		if ref == nil {
			ds := readStats(t, out).Sources["web"].Dedup
			if ds.Paragraphs == nil || ds.Paragraphs.Removed == 0 || ds.Decontam["evals"] == nil || ds.Decontam["evals"].Spans == 0 {
				t.Fatalf("planted spans not found: %+v %+v", ds.Paragraphs, ds.Decontam)
			}
			ref = got
			if len(ref) < 10 {
				t.Fatalf("too few outputs: %d", len(ref))
			}
			continue
		}
		if len(got) != len(ref) {
			t.Errorf("ranges %d, workers %d: %d files, want %d", c.ranges, c.workers, len(got), len(ref))
		}
		for name, b := range ref {
			if !bytes.Equal(b, got[name]) {
				t.Errorf("ranges %d, workers %d: %s differs", c.ranges, c.workers, name)
			}
		}
	}
}

// TestDedupResumeAfterSIGKILL kills one run twice, first inside the bucket
// phase, then (resumed) inside the filter phase, and checks the run that
// finishes it writes the same bytes as an uninterrupted one.
func TestDedupResumeAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child pipeline")
	}
	dir := t.TempDir()
	const files = 16
	plantedCorpus(t, filepath.Join(dir, "in"), files, 80, 3)
	spans := plantSpans(t, dir)
	// Many ranges make the bucket phase long enough to land a kill in.
	body := func(out string) string {
		return "workers: 1\n" + dedupConfig(out, dir+"/in/*.jsonl", "  ranges: 8\n"+spans)
	}
	ref := filepath.Join(dir, "ref")
	if _, err := Run(context.Background(), configFor(t, dir, body(ref)), RunOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "killed")
	cfgPath := filepath.Join(dir, "killed.yaml")
	writeFile(t, cfgPath, []byte(body(out)))
	for _, c := range []struct {
		phase string
		tasks int
	}{{"dedup-buckets", 16 * 8}, {"dedup-filter", files}} {
		markers := filepath.Join(out, ".curate", "markers", c.phase)
		if !killChildWhen(t, cfgPath, func() bool { return countMarkersUnder(markers) >= 3 }) {
			t.Skip("child finished before the kill landed; machine too fast for this workload")
		}
		if n := countMarkersUnder(markers); n >= c.tasks {
			t.Skipf("the kill landed after %s had finished (%d markers)", c.phase, n)
		}
	}
	res, err := Run(context.Background(), configFor(t, dir, body(out)), RunOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TasksSkipped == 0 || res.TasksRun == 0 {
		t.Errorf("resume ran %d and skipped %d tasks; want the finished ones skipped", res.TasksRun, res.TasksSkipped)
	}
	want, got := dedupOutputs(t, ref), dedupOutputs(t, out)
	for name, b := range want {
		if !bytes.Equal(b, got[name]) {
			t.Errorf("%s differs after kill and resume", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d files after resume, want %d", len(got), len(want))
	}
}

// killChildWhen runs the pipeline in a child process and SIGKILLs it once
// ready() holds; false means the child finished first.
func killChildWhen(t *testing.T, cfgPath string, ready func() bool) bool {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CURATE_TEST_CHILD_CONFIG="+cfgPath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(120 * time.Second)
	for {
		select {
		case <-done:
			return false
		case <-deadline:
			cmd.Process.Kill()
			<-done
			t.Fatal("child never got far enough to be killed")
		default:
		}
		if ready() {
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			return true
		}
		time.Sleep(time.Millisecond)
	}
}

// countMarkersUnder counts finished markers in a phase's marker tree.
func countMarkersUnder(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

func TestDedupConfigErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.jsonl")
	writeFile(t, in, []byte(`{"text":"x"}`+"\n"))
	head := "sources:\n  - name: web\n    inputs: [" + in + "]\n    jsonl: {}\n"
	cases := []struct{ name, dedup, want string }{
		{"unknown key", "dedup:\n  exakt: true\n", `c.yaml:6:3: unknown key "exakt"`},
		{"unknown nested key", "dedup:\n  minhash: {band: 3}\n", `unknown key "band"`},
		{"bad prefer", "dedup:\n  prefer: shortest\n", `c.yaml:6:3: dedup: prefer must be longest or language_score, not "shortest"`},
		{"priority names no source", "dedup:\n  priority: [web, books]\n", `c.yaml:6:19: dedup.priority: no source named "books"`},
		{"ranges", "dedup:\n  ranges: 0\n", "dedup.ranges must be 1..4096, got 0"},
		{"minhash", "dedup:\n  minhash: {rows: 0}\n", "dedup.minhash: bands and rows must be at least 1"},
		{"against a folder without an index", "dedup:\n  against: [" + dir + "]\n", "is not a curate output with a dedup index"},
		{"all off", "dedup: {exact: false, url: false, near: false}\n", "exact, url, near, paragraphs and decontaminate are all off"},
		{"bad action", "dedup:\n  decontaminate: {action: cut, sets: [{path: c.yaml, format: text}]}\n", "c.yaml:6:19: dedup.decontaminate.action must be drop or excise"},
		{"no sets", "dedup:\n  decontaminate: {}\n", "dedup.decontaminate.sets: list 1..64 evaluation files"},
		{"jsonl needs fields", "dedup:\n  decontaminate: {sets: [{path: a.jsonl}]}\n", "a.jsonl: fields: name the field(s) holding the text"},
		{"missing set", "dedup:\n  decontaminate: {sets: [{path: /nonexistent/e.txt}]}\n", "evaluation set e: stat /nonexistent/e.txt: no such file"},
		{"bad keep", "dedup:\n  paragraphs: {keep: last}\n", "dedup.paragraphs.keep must be none or first"},
		{"bad min_docs", "dedup:\n  paragraphs: {min_docs: 1}\n", "dedup.paragraphs.min_docs must be >= 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "c.yaml")
			writeFile(t, path, []byte(head+c.dedup))
			_, err := LoadConfig(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v\nshould contain %q", err, c.want)
			}
		})
	}
}

// TestDedupSourcePriority: the same text in two sources survives in the
// one listed first in dedup.priority, whatever the other tie-breaks say.
func TestDedupSourcePriority(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("the same paragraph of text in two dumps ", 40)
	writeFile(t, filepath.Join(dir, "a.jsonl"), []byte(fmt.Sprintf(`{"id":"1","text":%q}`+"\n", text+" and a longer tail here")))
	writeFile(t, filepath.Join(dir, "b.jsonl"), []byte(fmt.Sprintf(`{"id":"1","text":%q}`+"\n", text)))
	for _, c := range []struct{ priority, want string }{{"[]", "long/a.jsonl/1"}, {"[short]", "short/b.jsonl/1"}} {
		out := filepath.Join(dir, "out-"+strings.Trim(c.priority, "[]"))
		cfg := configFor(t, dir, fmt.Sprintf(`
output: %s
sources:
  - name: long
    inputs: [%s/a.jsonl]
    jsonl: {}
  - name: short
    inputs: [%s/b.jsonl]
    jsonl: {}
dedup: {priority: %s}
`, out, dir, dir, c.priority))
		if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := keptIDs(t, out); len(got) != 1 || got[0] != c.want {
			t.Errorf("priority %s: kept %v, want %s", c.priority, got, c.want)
		}
	}
}

// TestDedupRerunsOnlyWhatChanged: a finished run reruns nothing; a new
// range count reruns the bucket and cluster tasks but not ingest, and the
// filter tasks find their decisions unchanged.
func TestDedupRerunsOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	plantedCorpus(t, filepath.Join(dir, "in"), 3, 60, 6)
	out := filepath.Join(dir, "out")
	run := func(extra string) *Result {
		res, err := Run(context.Background(), configFor(t, dir, dedupConfig(out, dir+"/in/*.jsonl", extra)), RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ran := func(*Result) map[string]int {
		m := map[string]int{}
		for _, ph := range readRunInfo(t, out).Phases {
			m[ph.Name] = ph.TasksRun
		}
		return m
	}
	run("  ranges: 2\n")
	before := dedupOutputs(t, out)
	if r := run("  ranges: 2\n"); r.TasksRun != 0 {
		t.Errorf("rerun ran %d tasks", r.TasksRun)
	}
	got := ran(run("  ranges: 5\n"))
	want := map[string]int{"ingest": 0, "dedup-buckets": 16 * 5, "dedup-cluster": 1, "dedup-filter": 0, "publish": 0}
	for ph, n := range want {
		if got[ph] != n {
			t.Errorf("after a new range count %s ran %d tasks, want %d", ph, got[ph], n)
		}
	}
	after := dedupOutputs(t, out)
	for name, b := range before {
		if !bytes.Equal(b, after[name]) {
			t.Errorf("%s changed with the range count", name)
		}
	}
}

func readRunInfo(t testing.TB, out string) RunInfo {
	var info RunInfo
	b, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	return info
}

// TestDedupSignerCodeKeepsPunctuation: prose differing only in case and
// punctuation hashes alike; code differing in one operator does not, and
// a text of punctuation only gets no exact key.
func TestDedupSignerCodeKeepsPunctuation(t *testing.T) {
	cfg, err := ParseConfig("c.yaml", []byte("sources:\n  - name: a\n    inputs: [x]\n    jsonl: {}\ndedup: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := newDedupSigner(cfg.Dedup)
	if err != nil {
		t.Fatal(err)
	}
	key := func(text, lang string) dedup.Key {
		return s.sign(&doc.Document{Text: text, Language: lang}).info.Exact
	}
	if key("Hello, World!", "en") != key("hello world", "en") {
		t.Error("prose differing in case and punctuation must hash alike")
	}
	if key("x := a + b\n", "code:Go") == key("x := a - b\n", "code:Go") {
		t.Error("code differing in an operator must not hash alike")
	}
	if key("x := a + b\n", "code:Go") != key("x := a + b", "code:Go") {
		t.Error("code differing in trailing white space must hash alike")
	}
	if !key("!!! ...", "en").IsZero() {
		t.Error("a text of punctuation only must get no exact key")
	}
}

// TestDedupClusterCrashResumes stands in for a kill inside the single,
// short cluster task: its marker gone, a half-written temporary file and a
// truncated decisions file left behind. The rerun redoes the task and
// writes the same bytes; nothing half-written survives.
func TestDedupClusterCrashResumes(t *testing.T) {
	dir := t.TempDir()
	plantedCorpus(t, filepath.Join(dir, "in"), 3, 60, 7)
	out := filepath.Join(dir, "out")
	body := dedupConfig(out, dir+"/in/*.jsonl", "")
	if _, err := Run(context.Background(), configFor(t, dir, body), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	want := dedupOutputs(t, out)
	os.Remove(filepath.Join(out, ".curate", "markers", "dedup-cluster", "cluster.json"))
	decisions, _ := filepath.Glob(filepath.Join(out, DedupClustersDir, "web", "*.bin"))
	if len(decisions) == 0 {
		files, _ := filepath.Glob(filepath.Join(out, DedupDir, "*", "*"))
		t.Fatalf("no decisions written: %v", files)
	}
	os.Truncate(decisions[0], 11)
	tmp := filepath.Join(out, DedupClustersDir, "web", ".part-00001.bin.tmp-123")
	writeFile(t, tmp, []byte("half"))
	res, err := Run(context.Background(), configFor(t, dir, body), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := dedupOutputs(t, out)
	for name, b := range want {
		if !bytes.Equal(b, got[name]) {
			t.Errorf("%s differs after the cluster task was redone", name)
		}
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("the half-written temporary file survived the rerun")
	}
	if res.TasksRun != 1 {
		t.Errorf("rerun ran %d tasks, want only the cluster task", res.TasksRun)
	}
}

func TestDedupBareBlockMeansDefaults(t *testing.T) {
	head := "sources:\n  - name: a\n    inputs: [x]\n    jsonl: {}\n"
	for _, c := range []struct {
		body string
		on   bool
	}{{"", false}, {"dedup:\n  # everything commented out\n", true}, {"dedup: {}\n", true}, {"dedup: {near: false}\n", true}} {
		cfg, err := ParseConfig("c.yaml", []byte(head+c.body))
		if err != nil {
			t.Fatal(err)
		}
		if (cfg.Dedup != nil) != c.on {
			t.Errorf("%q: dedup on = %v, want %v", c.body, cfg.Dedup != nil, c.on)
		}
		if cfg.Dedup != nil && (cfg.Dedup.MinHash.Bands != 14 || cfg.Dedup.Ranges != 4 || !cfg.Dedup.Exact) {
			t.Errorf("%q: defaults not applied: %+v", c.body, *cfg.Dedup)
		}
	}
}
