package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/shards"
	"github.com/curate-dev/curate/sources"
)

func TestNumericOptionsChecked(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.jsonl")
	writeFile(t, in, []byte(`{"text":"x"}`+"\n"))
	src := "sources:\n  - name: s\n    inputs: [" + in + "]\n    jsonl: {}\n"
	cases := []struct {
		name, body string
		want       string
	}{
		// .nan once panicked in hashJSON when a tokenizer block was set.
		{"weight nan with tokenizer", "sources:\n  - name: s\n    inputs: [" + in + "]\n    weight: .nan\n    jsonl: {}\ntokenizer:\n  train: {vocab_size: 300}\n",
			"c.yaml:4:13: weight must be a finite number, got .nan"},
		{"epochs inf", "sources:\n  - name: s\n    inputs: [" + in + "]\n    epochs: .inf\n    jsonl: {}\n", "c.yaml:4:13: epochs must be a finite number, got .inf"},
		{"negative inf", "sources:\n  - name: s\n    inputs: [" + in + "]\n    weight: -.Inf\n    jsonl: {}\n", "c.yaml:4:13: weight must be a finite number"},
		{"nested nan", "sources:\n  - name: s\n    inputs: [" + in + "]\n    jsonl: {}\n    filter:\n      preset: web\n      gopher_quality: {max_symbol_word_ratio: .NaN}\n",
			"c.yaml:7:47: max_symbol_word_ratio must be a finite number"},
		{"zstd level", "parquet: {zstd_level: 99}\n" + src, "c.yaml:1:11: parquet.zstd_level must be 1 to 22, got 99"},
		{"row group overflow", "parquet: {row_group_mb: 99999999999999}\n" + src, "c.yaml:1:11: parquet.row_group_mb must be at most 1024"},
		{"negative min_chars", "sources:\n  - name: s\n    inputs: [" + in + "]\n    min_chars: -5\n    jsonl: {}\n", "c.yaml:4:5: min_chars must be 0 or more, got -5"},
		{"negative weight", "sources:\n  - name: s\n    inputs: [" + in + "]\n    weight: -1\n    jsonl: {}\n", "c.yaml:4:5: weight must be positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "c.yaml")
			writeFile(t, path, []byte(c.body))
			_, err := LoadConfig(path)
			if err == nil {
				t.Fatal("want a config error")
			}
			var ce ConfigErrors
			if !errors.As(err, &ce) {
				t.Fatalf("%v is not a ConfigErrors", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nshould contain %q", err, c.want)
			}
		})
	}
}

// jsonlRun writes n small jsonl inputs and returns a config over them.
func jsonlRun(t *testing.T, dir, out string, n int) *Config {
	t.Helper()
	jsonlCorpus(t, filepath.Join(dir, "in"), n, 50)
	return configFor(t, dir, fmt.Sprintf("output: %s\nsources:\n  - name: web\n    inputs: [%s/in/*.jsonl.gz]\n    jsonl: {}\n", out, dir))
}

func TestSecondRunOnSameOutputRefused(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := jsonlRun(t, dir, out, 2)
	os.MkdirAll(out, 0o755)
	held, err := lockOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), cfg, RunOptions{})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("a second run on a locked output must refuse, got %v", err)
	}
	host, _ := os.Hostname()
	for _, want := range []string{out, fmt.Sprintf("pid %d", os.Getpid()), host, "in use by another curate run"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q should name %q", err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, IngestDir)); err == nil {
		t.Error("the refused run wrote outputs")
	}
	held.release()

	// A lock left by a killed run (the file stays, its flock is gone) is
	// stale: the next run takes it over and finishes, then removes it.
	writeFile(t, filepath.Join(out, LockFile), []byte(`{"pid":999999999,"host":"gone","started":"2020-01-01T00:00:00Z"}`+"\n"))
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatalf("a stale lock must not block the run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, LockFile)); !os.IsNotExist(err) {
		t.Errorf("lock file left after a finished run: %v", err)
	}
}

func TestConcurrentRunsNeverInterleave(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := jsonlRun(t, dir, out, 6)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Run(context.Background(), cfg, RunOptions{Workers: 1})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var le *LockedError
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &le):
			t.Errorf("a concurrent run failed otherwise than by refusing: %v", err)
		}
	}
	if ok == 0 {
		t.Fatal("no run finished")
	}
	ref := filepath.Join(dir, "ref")
	if _, err := Run(context.Background(), cfg, RunOptions{Output: ref}); err != nil {
		t.Fatal(err)
	}
	assertSameOutputs(t, outputBytes(t, out), outputBytes(t, ref))
}

func assertSameOutputs(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d output files, want %d", len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs from the reference run", name)
		}
	}
}

func TestOutputThatIsAFileIsAConfigError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "taken")
	writeFile(t, file, []byte("x"))
	cfg := jsonlRun(t, dir, file, 1)
	_, err := Run(context.Background(), cfg, RunOptions{})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "c.yaml:1:1: output "+file+" exists and is not a directory") {
		t.Fatalf("got %v, want a config error at the output key", err)
	}
	_, err = Run(context.Background(), cfg, RunOptions{Output: file})
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "--output") {
		t.Fatalf("got %v, want a config error naming --output", err)
	}
}

func TestOutputInsideInputGlobIsNotRead(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "data", "a", "x.jsonl"), []byte(`{"id":"1","text":"one document"}`+"\n"))
	out := filepath.Join(dir, "data", "out")
	// The glob covers the output's own folders once a run has made them.
	cfg := configFor(t, dir, fmt.Sprintf("output: %s\nsources:\n  - name: s\n    inputs: [%s/data/*/*]\n    jsonl: {}\n", out, dir))
	for run := 0; run < 2; run++ {
		res, err := Run(context.Background(), cfg, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Manifest.Inputs) != 1 || len(res.Errors) != 0 {
			t.Fatalf("run %d read %d inputs with errors %+v; the output must not be an input", run, len(res.Manifest.Inputs), res.Errors)
		}
	}
}

func TestManifestIsAFunctionOfContent(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := jsonlRun(t, dir, out, 2)
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	// Same content: a new mtime on an input, the config under another name.
	later := time.Now().Add(time.Hour)
	ins, _ := filepath.Glob(filepath.Join(dir, "in", "*"))
	os.Chtimes(ins[0], later, later)
	body, _ := os.ReadFile(filepath.Join(dir, "c.yaml"))
	other := filepath.Join(dir, "elsewhere", "renamed.yaml")
	writeFile(t, other, body)
	cfg2, err := LoadConfig(other)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), cfg2, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.TasksRun == 0 {
		t.Error("an input with a new mtime must be re-read (its content may have changed)")
	}
	after, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if !bytes.Equal(before, after) {
		t.Errorf("manifest changed with only an mtime and the config's path:\n%s\n---\n%s", before, after)
	}
}

func TestResumeNoticesChangedOutput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := jsonlRun(t, dir, out, 2)
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	want := outputBytes(t, out)
	part := filepath.Join(out, IngestDir, "web", "part-00000.parquet")

	// Touched, not changed: the mtime moved, so the part is hashed and kept.
	later := time.Now().Add(time.Hour)
	os.Chtimes(part, later, later)
	res, err := Run(context.Background(), cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.TasksRun != 0 {
		t.Errorf("a touched but unchanged part reran %d tasks", res.TasksRun)
	}

	// One byte flipped in place, same size: the task is redone.
	f, err := os.OpenFile(part, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	f.ReadAt(b, 100)
	b[0] ^= 0x40
	f.WriteAt(b, 100)
	f.Close()
	res, err = Run(context.Background(), cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.TasksRun == 0 {
		t.Fatal("a part with a flipped byte was trusted on resume")
	}
	assertSameOutputs(t, outputBytes(t, out), want)
}

// phaseSpy checks the output directory's state as each phase starts.
type phaseSpy struct {
	nopProgress
	out  string
	seen []string
	stop context.CancelFunc
}

func (p *phaseSpy) PhaseStart(phase string, _ int, _ int64) {
	_, manErr := os.Stat(filepath.Join(p.out, "manifest.json"))
	_, lockErr := os.Stat(filepath.Join(p.out, LockFile))
	p.seen = append(p.seen, fmt.Sprintf("%s manifest=%v lock=%v", phase, manErr == nil, lockErr == nil))
}

func (p *phaseSpy) TaskDone(string, *Task, *Marker, bool) {
	if p.stop != nil {
		p.stop()
	}
}

func TestRunInProgressHidesOldManifest(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := jsonlRun(t, dir, out, 2)
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	spy := &phaseSpy{out: out}
	if _, err := Run(context.Background(), cfg, RunOptions{Progress: spy, Force: true}); err != nil {
		t.Fatal(err)
	}
	for _, s := range spy.seen {
		if !strings.HasSuffix(s, "manifest=false lock=true") {
			t.Errorf("while running: %s; want no manifest.json and the lock present", s)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
		t.Errorf("finished run has no manifest: %v", err)
	}
}

func TestCancelStopsScheduling(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cfg := jsonlRun(t, dir, out, 40)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	spy := &phaseSpy{out: out, stop: cancel}
	_, err := Run(ctx, cfg, RunOptions{Progress: spy, Workers: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run returned %v", err)
	}
	// Cancelled after the first task: only the tasks already running may
	// finish, not the 40 queued.
	if n := countMarkers(filepath.Join(out, ".curate", "markers", "ingest", "web")); n > 3 {
		t.Errorf("%d tasks finished after the cancel; scheduling must stop", n)
	}
}

func TestBadGlobEntriesSkippedAlone(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	writeFile(t, filepath.Join(in, "a.jsonl"), []byte(`{"text":"good one"}`+"\n"))
	writeFile(t, filepath.Join(in, "b.jsonl"), []byte(`{"text":"good two"}`+"\n"))
	os.Symlink(filepath.Join(in, "nowhere.jsonl"), filepath.Join(in, "dangling.jsonl"))
	os.Symlink(filepath.Join(in, "loop2.jsonl"), filepath.Join(in, "loop1.jsonl"))
	os.Symlink(filepath.Join(in, "loop1.jsonl"), filepath.Join(in, "loop2.jsonl"))
	if err := syscall.Mkfifo(filepath.Join(in, "fifo.jsonl"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, onError := range []string{"skip", "fail"} {
		t.Run(onError, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+onError)
			cfg := configFor(t, dir, fmt.Sprintf("output: %s\non_error: %s\nsources:\n  - name: s\n    inputs: [%s/*.jsonl]\n    jsonl: {}\n", out, onError, in))
			res, err := Run(context.Background(), cfg, RunOptions{})
			if onError == "fail" {
				if err == nil || !strings.Contains(err.Error(), "dangling.jsonl: dangling symlink") {
					t.Fatalf("on_error: fail: got %v, want the dangling link named", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Stats.Sources["s"].DocsWritten; got != 2 {
				t.Errorf("%d documents from the good files, want 2", got)
			}
			var msgs []string
			for _, e := range res.Errors {
				msgs = append(msgs, e.Error)
			}
			all := strings.Join(msgs, "\n")
			for _, want := range []string{"dangling.jsonl: dangling symlink", "loop1.jsonl", "too many levels of symbolic links", "fifo.jsonl: not a regular file (named pipe)"} {
				if !strings.Contains(all, want) {
					t.Errorf("errors lack %q:\n%s", want, all)
				}
			}
		})
	}
}

// splitKind is a source kind whose planning fails for inputs named bad*.
type splitKind struct{ sources.Kind }

func (splitKind) Units(ins []sources.Input) ([]sources.Unit, error) {
	for _, in := range ins {
		if strings.HasPrefix(filepath.Base(in.Path), "bad") {
			return nil, fmt.Errorf("%s: index does not match the dump", in.Path)
		}
	}
	return sources.WholeFile(ins), nil
}

func (splitKind) Open(sources.Unit) (doc.Reader, error) { return nil, errors.New("unused") }

func TestPlanningFailureCostsOneInput(t *testing.T) {
	ins := []sources.Input{{Path: "a"}, {Path: "bad"}, {Path: "c"}}
	units, bad, err := planUnits(splitKind{}, ins, true)
	if err != nil || len(units) != 2 || len(bad) != 1 || bad[0].input != "bad" {
		t.Fatalf("skip: units %v bad %v err %v; want a and c planned, bad reported", units, bad, err)
	}
	if _, _, err := planUnits(splitKind{}, ins, false); err == nil {
		t.Fatal("fail: planning error must stop the run")
	}
}

func TestSameFileNameInTwoFoldersGetsDistinctIDs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "2024-01", "dump.jsonl"), []byte(`{"id":"1","text":"january text"}`+"\n"))
	writeFile(t, filepath.Join(dir, "2024-02", "dump.jsonl"), []byte(`{"id":"1","text":"february text"}`+"\n"))
	writeFile(t, filepath.Join(dir, "2024-02", "solo.jsonl"), []byte(`{"id":"1","text":"alone text"}`+"\n"))
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf("output: %s\nsources:\n  - name: s\n    inputs: [%s/*/*.jsonl]\n    jsonl: {}\n", out, dir))
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	parts, _ := filepath.Glob(filepath.Join(out, DataDir, "s", "*.parquet"))
	for _, p := range parts {
		docs := readDocs(t, p)
		for _, d := range docs {
			if ids[d.ID] {
				t.Errorf("duplicate id %s", d.ID)
			}
			ids[d.ID] = true
		}
	}
	for _, want := range []string{"s/2024-01/dump.jsonl/1", "s/2024-02/dump.jsonl/1", "s/solo.jsonl/1"} {
		if !ids[want] {
			t.Errorf("id %s missing from %v", want, ids)
		}
	}
}

func TestErrorReportCarriesOffsetsAndCountsWhatItLeavesOut(t *testing.T) {
	dir := t.TempDir()
	var lines bytes.Buffer
	for i := 0; i < maxErrorsPerTask+7; i++ {
		lines.WriteString("{not json\n")
	}
	lines.WriteString(`{"text":"the one good line"}` + "\n")
	writeFile(t, filepath.Join(dir, "bad.jsonl"), lines.Bytes())
	gz := compress(t, "gz", bytes.Repeat([]byte(`{"text":"a line of text that repeats"}`+"\n"), 20000))
	writeFile(t, filepath.Join(dir, "cut.jsonl.gz"), gz[:len(gz)/2])
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf("output: %s\nsources:\n  - name: s\n    inputs: [%s/*.jsonl*]\n    jsonl: {}\n", out, dir))
	if _, err := Run(context.Background(), cfg, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(out, "errors.json"))
	var rep ErrorReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.RecordsSkipped["s"] != maxErrorsPerTask+7 || rep.EntriesNotListed != 7 {
		t.Errorf("records_skipped %d, entries_not_listed %d; want %d and 7", rep.RecordsSkipped["s"], rep.EntriesNotListed, maxErrorsPerTask+7)
	}
	var cut *ErrorEntry
	for i := range rep.Entries {
		if rep.Entries[i].Action == "input_cut_short" {
			cut = &rep.Entries[i]
		}
	}
	if cut == nil || cut.Offset <= 0 || cut.Offset > int64(len(gz)) {
		t.Fatalf("truncated input's entry %+v should carry the compressed offset where it broke", cut)
	}
}

func readDocs(t *testing.T, path string) []*doc.Document {
	t.Helper()
	r, err := shards.OpenDocs(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var docs []*doc.Document
	for {
		d, err := r.Next()
		if err == io.EOF {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
}

func TestEmptyAndStubInputsAreCounted(t *testing.T) {
	dir := t.TempDir()
	var gz bytes.Buffer
	gz.Write(compress(t, "gz", nil))
	writeFile(t, filepath.Join(dir, "in", "empty.jsonl"), nil)
	writeFile(t, filepath.Join(dir, "in", "empty.jsonl.gz"), gz.Bytes())
	writeFile(t, filepath.Join(dir, "in", "empty.jsonl.zst"), compress(t, "zst", nil))
	writeFile(t, filepath.Join(dir, "in", "stub.jsonl.zst"), []byte("\x28\xb5\x2f"))
	writeFile(t, filepath.Join(dir, "in", "ok.jsonl"), []byte(`{"text":"one"}`+"\n"))
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf("output: %s\nsources:\n  - name: s\n    inputs: [%s/in/*]\n    jsonl: {}\n", out, dir))
	res, err := Run(context.Background(), cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stats.Sources["s"]
	if st.Counters["input_empty"] != 3 {
		t.Errorf("input_empty = %d, want 3 (zero-length, empty gzip, empty zstd)", st.Counters["input_empty"])
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "stub.jsonl.zst: 3 bytes, cut inside a zstd header") {
		t.Errorf("errors %+v; want the 3-byte .zst named as a cut zstd header", res.Errors)
	}
}

func TestSplitInputBytesAddUp(t *testing.T) {
	in := sources.Input{Path: "dump.xml.bz2", Size: 1000}
	units := []sources.Unit{{Input: in, Part: 0, Start: 100, End: 400}, {Input: in, Part: 1, Start: 400, End: 700}, {Input: in, Part: 2, Start: 700, End: -1}}
	var sum int64
	for _, u := range units {
		sum += unitBytes(u)
	}
	if sum != in.Size {
		t.Errorf("units of a split input account for %d bytes, want its %d", sum, in.Size)
	}
	if got := unitBytes(sources.Unit{Input: in, End: -1}); got != in.Size {
		t.Errorf("a whole input: %d bytes, want %d", got, in.Size)
	}
}

// TestBadMultistreamReadWhole: a truncated multistream dump and one whose
// index belongs to another dump used to abort the whole run at planning
// (exit 1, no output for any source) under on_error: skip. Now each is
// read whole, as a plain bzip2 dump: the cut one keeps its pages before
// the cut, the other all of them.
func TestBadMultistreamReadWhole(t *testing.T) {
	root := corpustest.Dir(t, "wikipedia")
	name := "DERIVED-ltgwiki-pages-articles-multistream"
	dump, err := os.ReadFile(filepath.Join(root, name+".xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := os.ReadFile(filepath.Join(root, name+"-index.txt.bz2"))
	otherIdx, _ := os.ReadFile("../testdata/sample/wikipedia/enwiki-sample-pages-articles-multistream-index.txt.bz2")
	run := func(t *testing.T, files map[string][]byte) (*Result, error) {
		dir := t.TempDir()
		for n, b := range files {
			writeFile(t, filepath.Join(dir, "w", n), b)
		}
		writeFile(t, filepath.Join(dir, "n.jsonl"), []byte(`{"text":"another source"}`+"\n"))
		cfg := configFor(t, dir, fmt.Sprintf("output: %s/out\nsources:\n  - name: wiki\n    inputs: [%s/w/*.xml.bz2]\n    wikipedia: {}\n  - name: notes\n    inputs: [%s/n.jsonl]\n    jsonl: {}\n", dir, dir, dir))
		return Run(context.Background(), cfg, RunOptions{})
	}
	good, err := run(t, map[string][]byte{"c-multistream.xml.bz2": dump, "c-multistream-index.txt.bz2": idx})
	if err != nil {
		t.Fatal(err)
	}
	all := good.Stats.Sources["wiki"].DocsWritten
	for _, c := range []struct {
		name  string
		files map[string][]byte
		cut   bool
	}{
		{"cut dump", map[string][]byte{"a-multistream.xml.bz2": dump[:len(dump)/2], "a-multistream-index.txt.bz2": idx}, true},
		{"index of another dump", map[string][]byte{"b-multistream.xml.bz2": dump, "b-multistream-index.txt.bz2": otherIdx}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := run(t, c.files)
			if err != nil {
				t.Fatalf("one bad dump must not stop the run: %v", err)
			}
			var actions []string
			for _, e := range res.Errors {
				actions = append(actions, e.Action)
			}
			want := "input_read_whole"
			if c.cut {
				want += ",input_cut_short"
			}
			if strings.Join(actions, ",") != want {
				t.Errorf("error actions %v, want %s", actions, want)
			}
			got := res.Stats.Sources["wiki"].DocsWritten
			if (c.cut && (got == 0 || got >= all)) || (!c.cut && got != all) {
				t.Errorf("%d of %d pages written", got, all)
			}
			if res.Stats.Sources["notes"].DocsWritten != 1 {
				t.Error("the other source was not read")
			}
		})
	}
}
