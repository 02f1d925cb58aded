package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/shards"
	"github.com/curate-dev/curate/stages/bpe"
)

// TestMain lets the resume test run a real pipeline in a child process it
// can SIGKILL.
func TestMain(m *testing.M) {
	if cfgPath := os.Getenv("CURATE_TEST_CHILD_CONFIG"); cfgPath != "" {
		cfg, err := LoadConfig(cfgPath)
		if err == nil {
			_, err = Run(context.Background(), cfg, RunOptions{Workers: 1})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// jsonlCorpus writes n gzip-compressed JSONL files of pseudo-random words.
func jsonlCorpus(t testing.TB, dir string, n, docsPerFile int) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the of and to in a is that for it as was with be by on not he this are or his from at which but have an they")
	for f := 0; f < n; f++ {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		for d := 0; d < docsPerFile; d++ {
			var sb strings.Builder
			for w := 0; w < 200+rng.IntN(400); w++ {
				sb.WriteString(words[rng.IntN(len(words))])
				sb.WriteByte(' ')
			}
			line, _ := json.Marshal(map[string]any{"id": fmt.Sprint(d), "text": sb.String(), "n": d})
			zw.Write(append(line, '\n'))
		}
		zw.Close()
		writeFile(t, filepath.Join(dir, fmt.Sprintf("in-%03d.jsonl.gz", f)), buf.Bytes())
	}
}

func configFor(t testing.TB, dir, body string) *Config {
	t.Helper()
	path := filepath.Join(dir, "c.yaml")
	writeFile(t, path, []byte(body))
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// outputBytes reads every output file of a run except markers and the
// per-run facts (run.json and the report, which hold timings and memory).
func outputBytes(t testing.TB, out string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, ".curate") {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		if rel == "run.json" || strings.HasPrefix(rel, "report.") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[rel] = b
		return nil
	})
	return files
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.txt"), []byte("x"))
	in := filepath.Join(dir, "a.txt")
	cases := []struct {
		name, body string
		want       []string
	}{
		{"unknown top key", "output: o\nworkrs: 2\nsources:\n  - name: b\n    inputs: [" + in + "]\n    books: {}\n",
			[]string{"c.yaml:2:1: unknown key \"workrs\""}},
		{"unknown nested key", "sources:\n  - name: b\n    inputs: [" + in + "]\n    books:\n      max_byte: 10\n",
			[]string{"c.yaml:5:7: unknown key \"max_byte\""}},
		{"all unknown keys listed", "sources:\n  - name: b\n    inputz: [x]\n    books: {keep: true}\n",
			[]string{"c.yaml:3:5: unknown key \"inputz\"", "c.yaml:4:13: unknown key \"keep\""}},
		{"wrong type", "workers: many\nsources: []\n",
			[]string{"c.yaml:1:1: key \"workers\": cannot unmarshal !!str `many` into int"}},
		{"missing input", "sources:\n  - name: b\n    on_error: fail\n    inputs:\n      - " + filepath.Join(dir, "nope.txt") + "\n    books: {}\n",
			[]string{"c.yaml:5:9: source \"b\": input", "nope.txt: no such file"}},
		{"no kind", "sources:\n  - name: b\n    inputs: [" + in + "]\n",
			[]string{"c.yaml:2:5: source \"b\" needs exactly one kind block"}},
		{"two kinds", "sources:\n  - name: b\n    inputs: [" + in + "]\n    books: {}\n    jsonl: {}\n",
			[]string{"has 2"}},
		{"bad on_error", "on_error: ignore\nsources:\n  - name: b\n    inputs: [" + in + "]\n    books: {}\n",
			[]string{"c.yaml:1:1: on_error must be skip or fail"}},
		{"duplicate names", "sources:\n  - name: b\n    inputs: [" + in + "]\n    books: {}\n  - name: b\n    inputs: [" + in + "]\n    books: {}\n",
			[]string{"c.yaml:5:5: source name \"b\" used twice"}},
		{"bad option value", "sources:\n  - name: b\n    inputs: [" + in + "]\n    books: {max_bytes: -1}\n",
			[]string{"c.yaml:4:5: source \"b\": books: max_bytes must be positive"}},
		{"syntax", "sources: [\n", []string{"c.yaml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "c.yaml")
			writeFile(t, path, []byte(c.body))
			cfg, err := LoadConfig(path)
			if err == nil && cfg != nil {
				_, err = Plan(cfg)
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nshould contain %q", err, w)
				}
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(dir, "absent.yaml")); err == nil || !strings.Contains(err.Error(), "absent.yaml: config file not found") {
		t.Errorf("missing config file: %v", err)
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	dir := t.TempDir()
	jsonlCorpus(t, filepath.Join(dir, "in"), 6, 300)
	var outs []map[string][]byte
	for _, workers := range []int{1, 4} {
		out := filepath.Join(dir, fmt.Sprintf("out-%d", workers))
		cfg := configFor(t, dir, fmt.Sprintf(`
output: %s
parquet: {row_group_mb: 1}
sources:
  - name: web
    inputs: [%s/in/*.jsonl.gz]
    min_chars: 1500
    jsonl: {}
tokenizer:
  train: {vocab_size: 400, sample_bytes: 2000000, threads: %d}
  export: [gpt2, llmc]
`, out, dir, workers))
		if _, err := Run(context.Background(), cfg, RunOptions{Workers: workers}); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, outputBytes(t, out))
	}
	if len(outs[0]) < 8 {
		t.Fatalf("too few outputs: %d", len(outs[0]))
	}
	for name, b := range outs[0] {
		if !bytes.Equal(b, outs[1][name]) {
			t.Errorf("%s differs between --workers 1 and --workers 4", name)
		}
	}
	if len(outs[0]) != len(outs[1]) {
		t.Errorf("file sets differ: %d vs %d", len(outs[0]), len(outs[1]))
	}
}

func readManifest(t testing.TB, out string) Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestResumeAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child pipeline")
	}
	dir := t.TempDir()
	jsonlCorpus(t, filepath.Join(dir, "in"), 40, 400)
	body := func(out string) string {
		return fmt.Sprintf("output: %s\nworkers: 1\nsources:\n  - name: web\n    inputs: [%s/in/*.jsonl.gz]\n    jsonl: {}\n", out, dir)
	}
	// The reference: one uninterrupted run.
	ref := filepath.Join(dir, "ref")
	if _, err := Run(context.Background(), configFor(t, dir, body(ref)), RunOptions{Workers: 1}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "killed")
	cfgPath := filepath.Join(dir, "killed.yaml")
	writeFile(t, cfgPath, []byte(body(out)))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CURATE_TEST_CHILD_CONFIG="+cfgPath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	markers := filepath.Join(out, ".curate", "markers", "ingest", "web")
	// The kill lands mid-ingest: some parts finished, the rest not begun.
	deadline := time.Now().Add(60 * time.Second)
	killed := false
	for time.Now().Before(deadline) {
		if countMarkers(markers) >= 3 {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Wait()
	if !killed {
		t.Fatal("child never got far enough to be killed")
	}
	if countMarkers(markers) >= 40 {
		t.Skip("child finished before the kill landed; machine too fast for this workload")
	}
	// Nothing under a final name may be partial: every part must read whole.
	parts, _ := filepath.Glob(filepath.Join(out, IngestDir, "web", "*.parquet"))
	for _, p := range parts {
		r, err := shards.OpenDocs(p)
		if err != nil {
			t.Fatalf("partial file under final name %s: %v", p, err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
		r.Close()
	}
	res, err := Run(context.Background(), configFor(t, dir, body(out)), RunOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.TasksSkipped < 3 || res.TasksRun == 0 {
		t.Errorf("resume ran %d and skipped %d tasks; want the finished ones skipped", res.TasksRun, res.TasksSkipped)
	}
	got, want := readManifest(t, out), readManifest(t, ref)
	if len(got.Outputs) != len(want.Outputs) {
		t.Fatalf("outputs %d, want %d", len(got.Outputs), len(want.Outputs))
	}
	for i := range want.Outputs {
		if got.Outputs[i] != want.Outputs[i] {
			t.Errorf("output %d: %+v, want %+v", i, got.Outputs[i], want.Outputs[i])
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(out, DataDir, "web", ".*tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left after resume: %v", leftovers)
	}
}

// countMarkers counts finished markers, not ones still being written.
func countMarkers(dir string) int {
	ents, _ := os.ReadDir(dir)
	n := 0
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}

func TestRerunSkipsAndChangeInvalidates(t *testing.T) {
	dir := t.TempDir()
	jsonlCorpus(t, filepath.Join(dir, "in"), 3, 20)
	out := filepath.Join(dir, "out")
	body := "output: " + out + "\nsources:\n  - name: web\n    inputs: [" + dir + "/in/*.jsonl.gz]\n    min_chars: %d\n    jsonl: {}\n"
	run := func(minChars int, force bool) *Result {
		res, err := Run(context.Background(), configFor(t, dir, fmt.Sprintf(body, minChars)), RunOptions{Force: force})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// Three inputs: three ingest tasks and three publish tasks.
	if r := run(10, false); r.TasksRun != 6 {
		t.Fatalf("first run ran %d tasks", r.TasksRun)
	}
	if r := run(10, false); r.TasksRun != 0 || r.TasksSkipped != 6 {
		t.Fatalf("rerun ran %d, skipped %d", r.TasksRun, r.TasksSkipped)
	}
	if r := run(2000, false); r.TasksRun != 6 {
		t.Fatalf("changed config ran %d tasks, want 6", r.TasksRun)
	}
	if r := run(2000, true); r.TasksRun != 6 {
		t.Fatalf("--force ran %d tasks, want 6", r.TasksRun)
	}
	// Fewer inputs: the old part must not linger.
	os.Remove(filepath.Join(dir, "in", "in-002.jsonl.gz"))
	run(2000, false)
	if _, err := os.Stat(filepath.Join(out, DataDir, "web", "part-00002.parquet")); err == nil {
		t.Errorf("stale part-00002 left after its input went away")
	}
}

func compress(t testing.TB, kind string, data []byte) []byte {
	var buf bytes.Buffer
	switch kind {
	case "gz":
		w := gzip.NewWriter(&buf)
		w.Write(data)
		w.Close()
	case "zst":
		w, _ := zstd.NewWriter(&buf)
		w.Write(data)
		w.Close()
	case "xz":
		w, _ := xz.NewWriter(&buf)
		w.Write(data)
		w.Close()
	case "bz2":
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err != nil {
			t.Skip("bzip2 not installed")
		}
		return out
	}
	return buf.Bytes()
}

func TestBadInput(t *testing.T) {
	// Enough varied text that every format has many blocks, so a cut
	// leaves whole blocks before it to keep (bzip2 blocks are 900 kB).
	var lines bytes.Buffer
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; lines.Len() < 4<<20; i++ {
		fmt.Fprintf(&lines, `{"id":"%d","text":"document %d:`, i, i)
		for w := 0; w < 60; w++ {
			fmt.Fprintf(&lines, " w%x", rng.Uint32()%50000)
		}
		lines.WriteString("\"}\n")
	}
	type bad struct {
		name  string
		file  string
		data  func(t testing.TB) []byte
		want  string // in the error
		isDir bool
	}
	cut := func(kind string) func(t testing.TB) []byte {
		return func(t testing.TB) []byte {
			c := compress(t, kind, lines.Bytes())
			return c[:len(c)/2]
		}
	}
	cases := []bad{
		{name: "truncated gzip", file: "x.jsonl.gz", data: cut("gz"), want: "gzip stream truncated near compressed byte"},
		{name: "truncated bzip2", file: "x.jsonl.bz2", data: cut("bz2"), want: "bzip2 stream"},
		{name: "truncated xz", file: "x.jsonl.xz", data: cut("xz"), want: "xz stream"},
		{name: "truncated zstd", file: "x.jsonl.zst", data: cut("zst"), want: "zstd stream"},
		{name: "non-utf8", file: "x.jsonl", data: func(testing.TB) []byte {
			return []byte("{\"text\":\"ok\"}\n{\"text\":\"caf\xe9\"}\n{\"text\":\"fine\"}\n")
		}, want: "line 2 (offset 14): invalid UTF-8"},
		{name: "missing path", file: "missing.jsonl", want: "no such file"},
		{name: "directory", file: "adir.jsonl", isDir: true, want: "is a directory"},
	}
	for _, c := range cases {
		// Compressing 4 MiB (xz, bzip2) is most of this test's time: once
		// per case, shared by both on_error modes.
		var data []byte
		if c.data != nil {
			data = c.data(t)
		}
		for _, onError := range []string{"skip", "fail"} {
			t.Run(c.name+"/"+onError, func(t *testing.T) {
				dir := t.TempDir()
				good := filepath.Join(dir, "good.jsonl")
				writeFile(t, good, []byte(`{"text":"a good document"}`+"\n"))
				path := filepath.Join(dir, c.file)
				if c.isDir {
					os.Mkdir(path, 0o755)
				} else if c.data != nil {
					writeFile(t, path, data)
				}
				out := filepath.Join(dir, "out")
				cfgBody := fmt.Sprintf("output: %s\non_error: %s\nsources:\n  - name: s\n    inputs:\n      - %s\n      - %s\n    jsonl: {}\n", out, onError, good, path)
				cfgPath := filepath.Join(dir, "c.yaml")
				writeFile(t, cfgPath, []byte(cfgBody))
				cfg, err := LoadConfig(cfgPath)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Run(context.Background(), cfg, RunOptions{})
				if onError == "fail" {
					if err == nil {
						t.Fatal("on_error: fail must stop the run")
					}
					if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
						t.Fatalf("error %q should name %s and say %q", err, c.file, c.want)
					}
					if strings.Contains(err.Error(), "\n") {
						t.Errorf("error should be one line: %q", err)
					}
					// Nothing half-written under a final name.
					parts, _ := filepath.Glob(filepath.Join(out, DataDir, "s", "*"))
					for _, p := range parts {
						if _, err := shards.OpenDocs(p); err != nil {
							t.Errorf("unreadable output %s: %v", p, err)
						}
					}
					return
				}
				if err != nil {
					t.Fatalf("on_error: skip must complete: %v", err)
				}
				rep, _ := os.ReadFile(filepath.Join(out, "errors.json"))
				var er ErrorReport
				if err := json.Unmarshal(rep, &er); err != nil {
					t.Fatal(err)
				}
				if len(er.Entries) != 1 || !strings.Contains(er.Entries[0].Error, c.want) || !strings.Contains(er.Entries[0].Error, c.file) {
					t.Fatalf("error report %+v should list one entry naming %s with %q", er.Entries, c.file, c.want)
				}
				s := res.Stats.Sources["s"]
				if s.RecordErrors+s.InputErrors != 1 {
					t.Errorf("stats count %d record and %d input errors, want one", s.RecordErrors, s.InputErrors)
				}
				if s.DocsWritten < 1 {
					t.Errorf("the good input's document was lost")
				}
				if strings.HasPrefix(c.name, "truncated") && s.DocsWritten < 100 {
					t.Errorf("only %d documents kept from before the break", s.DocsWritten)
				}
			})
		}
	}
}

func TestTokenizerPhase(t *testing.T) {
	dir := t.TempDir()
	jsonlCorpus(t, filepath.Join(dir, "in"), 3, 50)
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf(`
output: %s
sources:
  - name: web
    inputs: [%s/in/*.jsonl.gz]
    jsonl: {}
tokenizer:
  train: {vocab_size: 300}
`, out, dir))
	res, err := Run(context.Background(), cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := bpe.Load(filepath.Join(out, TokenizerDir))
	if err != nil {
		t.Fatal(err)
	}
	if tok.NVocab() != 300 {
		t.Errorf("vocab %d, want 300", tok.NVocab())
	}
	for _, f := range []string{"tokenizer.json", "tokenizer.tiktoken", "vocab.json", "merges.txt"} {
		if _, err := os.Stat(filepath.Join(out, TokenizerDir, f)); err != nil {
			t.Errorf("tokenizer export missing: %v", err)
		}
	}
	// data/ has token_count, tokens/ has ids that decode back to the text.
	texts := map[string]*doc.Document{}
	parts, _ := filepath.Glob(filepath.Join(out, DataDir, "web", "*.parquet"))
	var total int64
	for _, p := range parts {
		if err := eachDoc(p, func(d *doc.Document) error {
			if d.TokenCount <= 0 {
				t.Errorf("%s: token_count %d", d.ID, d.TokenCount)
			}
			total += d.TokenCount
			texts[d.ID] = d
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if total != res.Stats.Sources["web"].Tokens || total == 0 {
		t.Errorf("token_count sums to %d, stats say %d", total, res.Stats.Sources["web"].Tokens)
	}
	tparts, _ := filepath.Glob(filepath.Join(out, TokensDir, "web", "*.parquet"))
	if len(tparts) != 3 {
		t.Fatalf("token shards: %v", tparts)
	}
	pf, err := file.OpenParquetFile(tparts[0], false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	fr, _ := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.NewGoAllocator())
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	checked := 0
	for c := range tbl.Column(0).Data().Chunks() {
		ids := tbl.Column(0).Data().Chunk(c).(*array.String)
		lists := tbl.Column(2).Data().Chunk(c).(*array.List)
		vals := lists.ListValues().(*array.Uint32).Uint32Values()
		for i := 0; i < ids.Len(); i++ {
			s, e := lists.ValueOffsets(i)
			row := vals[s:e]
			if row[len(row)-1] != tok.EOT() {
				t.Fatalf("row %d does not end with the end-of-text id", i)
			}
			text, err := tok.Decode(row[:len(row)-1], nil)
			if err != nil {
				t.Fatal(err)
			}
			d := texts[ids.Value(i)]
			if d == nil || string(text) != d.Text || int64(len(row)-1) != d.TokenCount {
				t.Fatalf("row %d (%s) does not decode to its document", i, ids.Value(i))
			}
			checked++
		}
	}
	if checked != 50 {
		t.Errorf("checked %d rows, want 50", checked)
	}
	rep, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(rep), "## Mixture") {
		t.Error("report lacks the mixture table once tokens exist")
	}
}

func TestKeepRejectedWritesReasons(t *testing.T) {
	dir := t.TempDir()
	jsonlCorpus(t, filepath.Join(dir, "in"), 2, 40)
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf(`
output: %s
keep_rejected: true
sources:
  - name: web
    inputs: [%s/in/*.jsonl.gz]
    min_chars: 800
    jsonl: {}
    filter:
      preset: books
      length: {enabled: true, min_words: 238}
`, out, dir))
	res, err := Run(context.Background(), cfg, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stats.Sources["web"]
	var dropped int64
	for _, d := range st.Dropped {
		dropped += d.Docs
	}
	if dropped == 0 || st.DocsWritten == 0 || len(st.Dropped) < 2 {
		t.Fatalf("want documents dropped by two rules and some kept: %+v", st)
	}
	reasons := map[string]int64{}
	parts, _ := filepath.Glob(filepath.Join(out, RejectedDir, "web", "*.parquet"))
	for _, p := range parts {
		if err := eachDoc(p, func(d *doc.Document) error {
			reasons[d.Meta[shards.ColReason]]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	for rule, c := range reasons {
		if st.Dropped[rule] == nil || st.Dropped[rule].Docs != c {
			t.Errorf("rejected/ holds %d documents for %q, stats say %+v", c, rule, st.Dropped[rule])
		}
		n += c
	}
	if n != dropped {
		t.Errorf("rejected/ holds %d documents, %d were dropped", n, dropped)
	}
}

// recordingProgress checks the Progress contract: Advance calls add up to
// the bytes announced at PhaseStart.
type recordingProgress struct {
	mu       sync.Mutex
	total    map[string]int64
	advanced map[string]int64
	done     map[string]int
}

func (p *recordingProgress) PhaseStart(phase string, tasks int, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total[phase] = bytes
}
func (p *recordingProgress) Advance(phase string, n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.advanced[phase] += n
}
func (p *recordingProgress) TaskDone(phase string, _ *Task, _ *Marker, _ bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done[phase]++
}
func (p *recordingProgress) PhaseEnd(string) {}

func TestProgressAddsUp(t *testing.T) {
	dir := t.TempDir()
	jsonlCorpus(t, filepath.Join(dir, "in"), 4, 200)
	out := filepath.Join(dir, "out")
	cfg := configFor(t, dir, fmt.Sprintf("output: %s\nsources:\n  - name: web\n    inputs: [%s/in/*.jsonl.gz]\n    jsonl: {}\n", out, dir))
	for _, force := range []bool{true, false} { // run, then resume with every task skipped
		p := &recordingProgress{total: map[string]int64{}, advanced: map[string]int64{}, done: map[string]int{}}
		if _, err := Run(context.Background(), cfg, RunOptions{Progress: p, Force: force}); err != nil {
			t.Fatal(err)
		}
		for _, phase := range []string{"ingest", "publish"} {
			if p.total[phase] == 0 || p.advanced[phase] != p.total[phase] || p.done[phase] != 4 {
				t.Errorf("force=%v %s: advanced %d of %d bytes, %d tasks done", force, phase, p.advanced[phase], p.total[phase], p.done[phase])
			}
		}
	}
}
