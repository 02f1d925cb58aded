package torture

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline"
	"github.com/curate-dev/curate/shards"
)

// curateBin builds the CLI once for the process-fault tests.
var curateBin = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "curate-torture-bin")
	if err != nil {
		return "", err
	}
	builtDir = dir
	bin := filepath.Join(dir, "curate")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/curate-dev/curate/cmd/curate")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// builtDir is where curateBin put the CLI, "" until a test asked for it.
var builtDir string

// removeCurateBin deletes the built CLI, if a test built it.
func removeCurateBin() {
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
}

// processConfig is a run over the shipped samples with every phase:
// ingest of five source kinds, dedup (documents and paragraphs), a trained
// tokenizer, publish with tokens, and the training feed.
// (The code source is left out: its licence classifier takes seconds to
// build in each new process, which would dominate every run here.)
func processConfig(t *testing.T, dir string) string {
	t.Helper()
	sample, err := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`output: %[2]s/out
workers: 2
on_error: skip
parquet: {row_group_mb: 1}
sources:
  - name: books
    inputs: [%[1]s/books/*.txt]
    books: {}
  - name: notes
    inputs: [%[1]s/jsonl/*.jsonl]
    jsonl: {}
  - name: web
    inputs: [%[1]s/commoncrawl/*.warc.gz]
    commoncrawl: {}
  - name: wiki
    inputs: [%[1]s/wikipedia/*-multistream.xml.bz2]
    wikipedia: {unit_bytes: 10000}
  - name: reddit
    inputs: [%[1]s/reddit/*.zst]
    reddit: {}
dedup:
  paragraphs: {keep: first}
tokenizer:
  train: {vocab_size: 400, sample_bytes: 300000}
  export: [gpt2, llmc]
feed:
  seq_len: 64
  val_fraction: 0.05
  formats: [parquet, llmc, megatron, nanotron]
`, sample, dir)
	path := filepath.Join(dir, "run.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// outputFiles reads every output but the per-invocation facts (run.json,
// the report with its timings) and the bookkeeping under .curate.
func outputFiles(t *testing.T, out string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		if strings.HasPrefix(rel, ".curate") || rel == "run.json" || strings.HasPrefix(rel, "report.") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[rel] = b
		return nil
	})
	return files
}

func sameFiles(t *testing.T, what string, got, want map[string][]byte) bool {
	t.Helper()
	ok := len(got) == len(want)
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s: %s differs from the uninterrupted run", what, name)
			ok = false
		}
	}
	for name := range got {
		if _, in := want[name]; !in {
			t.Errorf("%s: extra file %s", what, name)
			ok = false
		}
	}
	return ok
}

// partsWhole checks that every Parquet file under a final name reads to
// its end: nothing incomplete is ever visible.
func partsWhole(t *testing.T, what, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		if strings.Contains(p, string(filepath.Separator)+"tokens"+string(filepath.Separator)) {
			return nil // token shards: a different schema, same atomic writer
		}
		r, err := shards.OpenDocs(p)
		if err != nil {
			t.Errorf("%s: partial file under a final name %s: %v", what, p, err)
			return nil
		}
		defer r.Close()
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s: %s: %v", what, p, err)
				break
			}
		}
		return nil
	})
}

// ref is one uninterrupted run, shared by the process-fault tests.
type refRun struct {
	files map[string][]byte
	took  time.Duration
}

var refOnce sync.Once
var ref refRun

func uninterrupted(t *testing.T) refRun {
	t.Helper()
	refOnce.Do(func() {
		dir, err := os.MkdirTemp("", "curate-torture-ref")
		if err != nil {
			t.Fatal(err)
		}
		r := curate(t, processConfig(t, dir), 0)
		if r.code != 0 {
			t.Fatalf("reference run: exit %d\n%s", r.code, r.stderr)
		}
		ref = refRun{files: outputFiles(t, filepath.Join(dir, "out")), took: r.took}
		os.RemoveAll(dir)
	})
	if ref.files == nil {
		t.Fatal("no reference run")
	}
	return ref
}

type run struct {
	code   int
	stderr string
	took   time.Duration
}

func curate(t *testing.T, cfg string, killAfter time.Duration, wrap ...string) run {
	t.Helper()
	return curateSignal(t, cfg, killAfter, syscall.SIGKILL, wrap...)
}

// curateSignal runs the CLI, sending sig after the given time (0: never).
// A hang guard kills it after ten minutes.
func curateSignal(t *testing.T, cfg string, after time.Duration, sig syscall.Signal, wrap ...string) run {
	t.Helper()
	killAfter := after
	bin, err := curateBin()
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, wrap...), bin, "run", cfg)
	cmd := exec.Command(args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if killAfter > 0 {
		fire := func() { cmd.Process.Signal(sig) }
		if sig == syscall.SIGTERM {
			// Signal once the run holds its output lock: the handler is
			// installed by then (before it, start-up, the default action
			// ends the process like a kill, which the kill test covers).
			lock := filepath.Join(filepath.Dir(cfg), "out", pipeline.LockFile)
			fire = func() {
				for i := 0; i < 2000; i++ {
					if _, err := os.Stat(lock); err == nil {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				time.Sleep(killAfter / 4)
				cmd.Process.Signal(sig)
			}
			killAfter = time.Millisecond
		}
		timer := time.AfterFunc(killAfter, fire)
		defer timer.Stop()
	}
	guard := time.AfterFunc(10*time.Minute, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer guard.Stop()
	err = cmd.Wait()
	r := run{stderr: stderr.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestKillAndResume SIGKILLs a run at seeded moments spread over its
// phases, reruns it (killing some reruns too), and wants the finished
// output byte-identical to an uninterrupted run's.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI")
	}
	dir := t.TempDir()
	ref := uninterrupted(t)
	want := ref.files
	t.Logf("uninterrupted run: %s", ref.took)
	moments := 1
	if *full {
		moments = 20
	}
	rng := rand.New(rand.NewPCG(16, 20))
	for i := 0; i < moments; i++ {
		// Kill at a fraction of the reference duration, so the moments
		// fall in every phase whatever the machine's speed.
		at := time.Duration(float64(ref.took) * (0.05 + 0.9*rng.Float64()))
		caseDir := filepath.Join(dir, fmt.Sprintf("kill-%02d", i))
		os.Mkdir(caseDir, 0o755)
		cfg := processConfig(t, caseDir)
		out := filepath.Join(caseDir, "out")
		first := curate(t, cfg, at)
		partsWhole(t, fmt.Sprintf("kill %d at %s", i, at), out)
		if i%2 == 0 {
			// Kill the resume as well, earlier in its life.
			curate(t, cfg, at/2)
			partsWhole(t, fmt.Sprintf("kill %d, rerun killed", i), out)
		}
		res := curate(t, cfg, 0)
		if res.code != 0 {
			t.Fatalf("kill %d at %s: rerun exit %d\n%s", i, at, res.code, res.stderr)
		}
		ok := sameFiles(t, fmt.Sprintf("kill %d at %s", i, at), outputFiles(t, out), want)
		outcome := "killed, resumed to identical bytes"
		if first.code == 0 {
			outcome = "finished before the kill, identical bytes"
		}
		if !ok {
			outcome = "FAILED"
		}
		report.Add("Process faults", "kill -9 at a seeded moment, rerun", "all phases", outcome, !ok, 0)
	}
}

// TestConcurrentRunsRefused starts two runs on one output at once: the
// second must refuse with a clear message, never interleave.
func TestConcurrentRunsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI")
	}
	dir := t.TempDir()
	cfg := processConfig(t, dir)
	want := uninterrupted(t).files
	var wg sync.WaitGroup
	runs := make([]run, 2)
	for i := range runs {
		wg.Add(1)
		go func() { defer wg.Done(); runs[i] = curate(t, cfg, 0) }()
	}
	wg.Wait()
	ok := 0
	for _, r := range runs {
		switch {
		case r.code == 0:
			ok++
		case !strings.Contains(r.stderr, "is in use by another curate run (pid"):
			t.Errorf("a concurrent run failed without the lock message: exit %d\n%s", r.code, r.stderr)
		}
	}
	if ok == 0 {
		t.Fatal("neither run finished")
	}
	same := sameFiles(t, "after two concurrent runs", outputFiles(t, filepath.Join(dir, "out")), want)
	outcome := "second refused (lock held)"
	if ok == 2 {
		outcome = "ran one after the other"
	}
	report.Add("Process faults", "two runs on one output at once", "all phases", outcome, !same, 0)
}

// TestFullDisk runs with a file-size limit (prlimit --fsize) that each
// phase's outputs hit in turn: a clear error, nothing incomplete under a
// final name, and a rerun with room completes to the same bytes.
func TestFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI")
	}
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit (util-linux) not installed")
	}
	dir := t.TempDir()
	want := uninterrupted(t).files
	var largest int
	for _, b := range want {
		largest = max(largest, len(b))
	}
	limits := []int{largest / 2}
	if *full {
		limits = []int{1 << 10, 4 << 10, largest / 8, largest / 4, largest / 2, largest - 1}
	}
	for _, limit := range limits {
		caseDir := filepath.Join(dir, fmt.Sprintf("fsize-%d", limit))
		os.Mkdir(caseDir, 0o755)
		cfg := processConfig(t, caseDir)
		out := filepath.Join(caseDir, "out")
		r := curate(t, cfg, 0, "prlimit", fmt.Sprintf("--fsize=%d", limit))
		bad := false
		if r.code == 0 {
			t.Errorf("fsize %d: the run succeeded though a %d-byte output cannot be written", limit, largest)
			bad = true
		} else if !strings.Contains(r.stderr, "file too large") {
			t.Errorf("fsize %d: exit %d without saying why:\n%s", limit, r.code, r.stderr)
			bad = true
		}
		partsWhole(t, fmt.Sprintf("fsize %d", limit), out)
		if _, err := os.Stat(filepath.Join(out, "manifest.json")); err == nil {
			t.Errorf("fsize %d: a manifest after a failed run", limit)
			bad = true
		}
		res := curate(t, cfg, 0)
		if res.code != 0 {
			t.Fatalf("fsize %d: rerun with room: exit %d\n%s", limit, res.code, res.stderr)
		}
		if !sameFiles(t, fmt.Sprintf("fsize %d then rerun", limit), outputFiles(t, out), want) {
			bad = true
		}
		outcome := "clear error, rerun to identical bytes"
		if bad {
			outcome = "FAILED"
		}
		report.Add("Process faults", "full disk (prlimit --fsize)", "all phases", outcome, bad, 0)
	}
}

// TestSIGTERMStopsAndResumes: SIGTERM mid-run ends the process with a
// failure that says it was interrupted, leaves nothing partial, and a
// rerun completes to the same bytes.
func TestSIGTERMStopsAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI")
	}
	ref := uninterrupted(t)
	dir := t.TempDir()
	cfg := processConfig(t, dir)
	r := curateSignal(t, cfg, ref.took/2, syscall.SIGTERM)
	out := filepath.Join(dir, "out")
	partsWhole(t, "after SIGTERM", out)
	outcome := "stopped, resumed to identical bytes"
	bad := false
	switch {
	case r.code == 0:
		outcome = "finished before the signal, identical bytes"
	case r.code == -1:
		// The signal beat the handler (still starting up, under load):
		// the default action ended it, like a kill.
		outcome = "ended in start-up, resumed to identical bytes"
	case r.code != 1 || !strings.Contains(r.stderr, "context canceled"):
		t.Errorf("SIGTERM: exit %d, want 1 with the cancellation named:\n%s", r.code, r.stderr)
		bad = true
	}
	if res := curate(t, cfg, 0); res.code != 0 {
		t.Fatalf("rerun after SIGTERM: exit %d\n%s", res.code, res.stderr)
	}
	if !sameFiles(t, "after SIGTERM and rerun", outputFiles(t, out), ref.files) {
		bad = true
	}
	if bad {
		outcome = "FAILED"
	}
	t.Logf("SIGTERM at %s: exit %d: %s", ref.took/2, r.code, outcome)
	report.Add("Process faults", "SIGTERM mid-run, rerun", "all phases", outcome, bad, 0)
}
