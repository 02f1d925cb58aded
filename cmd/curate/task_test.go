package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline"
)

// runCLI runs curate in-process and returns its exit code and output.
func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, nil, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// outputFiles reads every file of an output except the per-process
// bookkeeping (.curate/) and the per-run facts (timings in run.json and
// the report).
func outputFiles(t *testing.T, out string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		if strings.HasPrefix(rel, ".curate") || rel == "run.json" || strings.HasPrefix(rel, "report.") {
			return nil
		}
		b, err := os.ReadFile(path)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameFiles(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, the local run %d", what, len(got), len(want))
	}
	for name, b := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s missing", what, name)
		} else if !bytes.Equal(g, b) {
			t.Errorf("%s: %s differs from the local run's", what, name)
		}
	}
}

// taskTestConfig has every phase of configs/mix.yaml over part of its
// sample, without language tagging, whose model load would dominate a
// test that starts a process per task.
const taskTestConfig = `
sources:
  - name: books
    inputs: [testdata/sample/books/*.txt]
    max_epochs: 4
    books: {}
  - name: notes
    inputs: [testdata/sample/jsonl/*.jsonl]
    weight: 0.5
    max_epochs: 10
    jsonl: {}
  - name: wikipedia
    inputs: [testdata/sample/wikipedia/*-multistream.xml.bz2]
    max_epochs: 4
    wikipedia: {}
dedup:
  ranges: 2
  paragraphs: {min_docs: 2}
tokenizer:
  train: {vocab_size: 300}
feed:
  seq_len: 63
  total_tokens: 20000
  shard_tokens: 4000
  val_fraction: 0.05
  formats: [parquet, llmc, megatron, nanotron]
`

// Every task of every phase run one at a time, as the pods of Kubernetes
// Indexed Jobs run them (index from JOB_COMPLETION_INDEX, in reverse
// order to show the order does not matter), then finalize, gives the bytes
// of a local --workers 1 run.
func TestTaskPerIndexMatchesLocalRun(t *testing.T) {
	chdirRepoRoot(t)
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	// With decontamination too, so every phase a config can have runs.
	evalSet := filepath.Join(t.TempDir(), "items.txt")
	if err := os.WriteFile(evalSet, []byte("It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	decontam := strings.Replace(taskTestConfig, "  paragraphs: {min_docs: 2}\n",
		"  paragraphs: {min_docs: 2}\n  decontaminate:\n    ngram: 8\n    sets: [{name: austen, path: "+evalSet+", format: text}]\n", 1)
	if err := os.WriteFile(cfgPath, []byte(decontam), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := pipeline.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "local")
	if code, _, stderr := runCLI("run", cfgPath, "--output", local, "--workers", "1"); code != exitOK {
		t.Fatalf("local run: %s", stderr)
	}
	want := outputFiles(t, local)
	feeds := 0
	for name := range want {
		if strings.HasPrefix(name, "feed/") {
			feeds++
		}
	}
	if feeds < 8 {
		t.Fatalf("the local run wrote only %d feed files", feeds)
	}

	out := filepath.Join(t.TempDir(), "tasks")
	phases := pipeline.PhaseNames(cfg)
	var man pipeline.Manifest
	if err := json.Unmarshal(want["manifest.json"], &man); err != nil {
		t.Fatal(err)
	}
	var ran []string
	for _, ph := range man.Phases {
		ran = append(ran, ph.Name)
	}
	if !slices.Equal(ran, phases) {
		t.Fatalf("PhaseNames %v, the run's phases %v", phases, ran)
	}
	if !slices.Contains(phases, "dedup-paragraphs") || !slices.Contains(phases, "dedup-evalindex") {
		t.Fatalf("phases %v lack the span dedup phases", phases)
	}
	// A phase cannot start before the one it reads.
	if code, _, stderr := runCLI("task", "--phase", phases[1], "--index", "0", "--output", out, cfgPath); code != exitFailed || !strings.Contains(stderr, "phase ingest is not complete") {
		t.Fatalf("task of %s before ingest: exit %d, %s", phases[1], code, stderr)
	}
	if code, _, stderr := runCLI("task", "--phase", "nosuch", "--index", "0", "--output", out, cfgPath); code != exitFailed || !strings.Contains(stderr, `no phase "nosuch"`) {
		t.Fatalf("unknown phase: exit %d, %s", code, stderr)
	}
	tasksRun := 0
	for _, phase := range phases {
		code, stdout, stderr := runCLI("task", "--phase", phase, "--plan", "--output", out, cfgPath)
		if code != exitOK {
			t.Fatalf("plan %s: %s", phase, stderr)
		}
		n, err := strconv.Atoi(strings.TrimSpace(stdout))
		if err != nil {
			t.Fatalf("plan %s printed %q", phase, stdout)
		}
		plan, err := pipeline.ReadPlan(out, phase)
		if err != nil || len(plan.Tasks) != n {
			t.Fatalf("plan file of %s: %v, %d tasks, printed %d", phase, err, len(plan.Tasks), n)
		}
		if phase == "dedup-buckets" {
			checkFailedTaskStatus(t, out, cfgPath, n-1)
		}
		for i := n - 1; i >= 0; i-- {
			t.Setenv("JOB_COMPLETION_INDEX", strconv.Itoa(i))
			code, stdout, stderr := runCLI("task", "--phase", phase, "--output", out, cfgPath)
			if code != exitOK || !strings.Contains(stdout, "done") {
				t.Fatalf("%s task %d: exit %d, %s%s", phase, i, code, stdout, stderr)
			}
			tasksRun++
		}
		// Run again, a task finds itself complete.
		t.Setenv("JOB_COMPLETION_INDEX", "0")
		if n > 0 {
			if code, stdout, _ := runCLI("task", "--phase", phase, "--output", out, cfgPath); code != exitOK || !strings.Contains(stdout, "already complete") {
				t.Fatalf("%s task 0 rerun: exit %d, %s", phase, code, stdout)
			}
		}
	}
	if tasksRun < len(phases)+3 {
		t.Fatalf("only %d tasks over %d phases", tasksRun, len(phases))
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err == nil {
		t.Fatal("manifest written before finalize")
	}
	if code, _, stderr := runCLI("task", "--phase", "finalize", "--output", out, cfgPath); code != exitOK {
		t.Fatalf("finalize: %s", stderr)
	}
	sameFiles(t, "per-index tasks", outputFiles(t, out), want)
	// A task rerun after finalize (a scheduler's retry) finds itself
	// complete and leaves the finished output finished.
	if code, stdout, _ := runCLI("task", "--phase", "publish", "--index", "0", "--output", out, cfgPath); code != exitOK || !strings.Contains(stdout, "already complete") {
		t.Fatalf("publish task 0 after finalize: exit %d, %s", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
		t.Fatalf("a complete task's rerun removed the manifest: %v", err)
	}
	code, stdout, _ := runCLI("status", out)
	if code != exitOK || !strings.Contains(stdout, "finalized: ") || strings.Contains(stdout, "failed:") {
		t.Fatalf("status of the finished run:\n%s", stdout)
	}
	for _, phase := range phases {
		if !strings.Contains(stdout, phase+" ") {
			t.Errorf("status lacks phase %s:\n%s", phase, stdout)
		}
	}
}

// chdirRepoRoot moves to the repository root, where configs/mix.yaml's
// relative sample paths resolve (TestCLI may already have moved there).
func chdirRepoRoot(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("configs/mix.yaml"); err == nil {
		return
	}
	t.Chdir("../..")
}

// checkFailedTaskStatus fails a dedup-buckets task by putting a file where
// its output directory goes: it exits non-zero, and curate status lists it
// as failed with its log file; with the file gone it runs.
func checkFailedTaskStatus(t *testing.T, out, cfgPath string, index int) {
	t.Helper()
	plan, err := pipeline.ReadPlan(out, "dedup-buckets")
	if err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Dir(filepath.Join(out, pipeline.DedupPairsDir, plan.Tasks[index].ID))
	if err := os.MkdirAll(filepath.Dir(blocker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CURATE_TASK_LOG", "/logs/dedup-buckets-7_3.log")
	code, _, stderr := runCLI("task", "--phase", "dedup-buckets", "--index", strconv.Itoa(index), "--output", out, cfgPath)
	if code != exitFailed {
		t.Fatalf("task without its output directory: exit %d, %s", code, stderr)
	}
	code, stdout, _ := runCLI("status", out)
	if code != exitOK || !strings.Contains(stdout, "failed: dedup-buckets task "+strconv.Itoa(index)) ||
		!strings.Contains(stdout, "log: /logs/dedup-buckets-7_3.log") || !strings.Contains(stdout, "not finalized") {
		t.Fatalf("status after a failure:\n%s", stdout)
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
}

// The tasks of a phase started all at once, before any of them has
// written the phase's plan (as an array's tasks start), agree on the plan
// and together give the local run's bytes.
func TestTasksAtOnceMatchLocalRun(t *testing.T) {
	chdirRepoRoot(t)
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfgPath, []byte(taskTestConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := pipeline.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "local")
	if code, _, stderr := runCLI("run", cfgPath, "--output", local, "--workers", "1"); code != exitOK {
		t.Fatalf("local run: %s", stderr)
	}
	plans, err := os.ReadDir(filepath.Join(local, pipeline.PlansDir))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "tasks")
	for _, phase := range pipeline.PhaseNames(cfg) {
		// The local run's plan says how many tasks to start; this output
		// has none yet, so they race to write it.
		plan, err := pipeline.ReadPlan(local, phase)
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan string, len(plan.Tasks))
		for i := range plan.Tasks {
			go func() {
				code, stdout, stderr := runCLI("task", "--phase", phase, "--index", strconv.Itoa(i), "--output", out, cfgPath)
				if code != exitOK {
					errs <- fmt.Sprintf("%s task %d: exit %d: %s%s", phase, i, code, stdout, stderr)
					return
				}
				errs <- ""
			}()
		}
		for range plan.Tasks {
			if e := <-errs; e != "" {
				t.Fatal(e)
			}
		}
	}
	if code, _, stderr := runCLI("task", "--phase", "finalize", "--output", out, cfgPath); code != exitOK {
		t.Fatalf("finalize: %s", stderr)
	}
	sameFiles(t, "tasks at once", outputFiles(t, out), outputFiles(t, local))
	if got, _ := os.ReadDir(filepath.Join(out, pipeline.PlansDir)); len(got) != len(plans) {
		t.Errorf("%d plan files, the local run %d (a temporary file left behind?)", len(got), len(plans))
	}
}
