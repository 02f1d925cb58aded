package github

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources"
)

const sampleDir = "../../testdata/sample/code"

// sampleFiles are taken from the cobra archive (Apache-2.0, its LICENSE.txt
// included) into a small git-archive-style tar.gz; go.sum, the licence and
// the .github YAML show the skip rules at work.
var sampleFiles = []string{
	"LICENSE.txt", "README.md", "go.mod", "go.sum", ".github/dependabot.yml",
	"args.go", "cobra.go", "command.go", "command_notwin.go", "flag_groups.go",
}

//go:generate go test -run ^$ . -args -write-sample

// writeSample makes the test binary rebuild testdata/sample/code and exit
// instead of running tests; `go generate ./sources/github` sets it (the
// directive above), so the generator is no test that always skips.
var writeSample = flag.Bool("write-sample", false, "rebuild "+sampleDir+" from the shared corpus and exit")

func TestMain(m *testing.M) {
	flag.Parse()
	if *writeSample {
		if err := writeSampleFiles(); err != nil {
			fmt.Fprintln(os.Stderr, "write sample:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writeSampleFiles rebuilds testdata/sample/code: spf13-cobra-sample.tar.gz
// and a Stack-layout JSONL of three of its files.
func writeSampleFiles() error {
	root := corpustest.Root()
	if root == "" {
		return fmt.Errorf("shared corpus not found (../shared/corpus or CURATE_CORPUS)")
	}
	dir := filepath.Join(root, "code")
	st, err := sources.Open(filepath.Join(dir, "spf13-cobra-adbc8813901b.tar.gz"))
	if err != nil {
		return err
	}
	defer st.Close()
	want := map[string]bool{}
	for _, f := range sampleFiles {
		want["spf13-cobra/"+f] = true
	}
	var tgz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&tgz, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	var jsonl bytes.Buffer
	tr := tar.NewReader(st)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("cobra archive: %w", err)
		}
		if !want[h.Name] {
			continue
		}
		b, _ := io.ReadAll(tr)
		// Fixed header fields keep the archive byte-identical on rebuild.
		tw.WriteHeader(&tar.Header{Name: h.Name, Mode: 0o644, Size: int64(len(b)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Format: tar.FormatPAX})
		tw.Write(b)
		if strings.HasSuffix(h.Name, ".go") && len(b) < 8000 {
			row, _ := json.Marshal(map[string]any{"content": string(b), "max_stars_repo_path": strings.TrimPrefix(h.Name, "spf13-cobra/"),
				"max_stars_repo_name": "spf13/cobra", "max_stars_repo_licenses": []string{"Apache-2.0"}})
			jsonl.Write(row)
			jsonl.WriteByte('\n')
		}
	}
	tw.Close()
	zw.Close()
	if tgz.Len()+jsonl.Len() > 200<<10 {
		return fmt.Errorf("sample is %d bytes, want < 200 KB", tgz.Len()+jsonl.Len())
	}
	os.MkdirAll(sampleDir, 0o755)
	if err := os.WriteFile(filepath.Join(sampleDir, "spf13-cobra-sample.tar.gz"), tgz.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(sampleDir, "the-stack-sample.jsonl"), jsonl.Bytes(), 0o644)
}

// TestSample reads the shipped samples (no corpus needed).
func TestSample(t *testing.T) {
	s := mustNew(t, DefaultOptions())
	inputs, err := sources.ExpandDirs(sampleDir, []string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 2 {
		t.Fatalf("inputs %v", inputs)
	}
	for _, in := range inputs {
		docs, stats, recErrs, err := readAll(t, s, in.Path)
		if err != nil || len(recErrs) > 0 {
			t.Fatal(err, recErrs)
		}
		if len(docs) == 0 || stats["doc"] != int64(len(docs)) {
			t.Fatalf("%s: %d docs, stats %v", in.Path, len(docs), stats)
		}
		for _, d := range docs {
			checkDoc(t, s, d)
			if d.Meta["license"] != "Apache-2.0" {
				t.Errorf("%s: license %q", d.ID, d.Meta["license"])
			}
		}
		if strings.HasSuffix(in.Path, ".tar.gz") && (stats["skip.license_file"] != 1 || stats["skip.type_data"] < 1 || stats["lang.go"] != 5) {
			t.Errorf("%s: stats %v", in.Path, stats)
		}
	}
}
