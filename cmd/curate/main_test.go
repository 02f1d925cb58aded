package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLI(t *testing.T) {
	// The CLI runs from the repository root, where configs/mix.yaml's
	// relative sample paths resolve.
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "mix")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("sources:\n  - name: b\n    inputs: [testdata/sample/books/*.txt]\n    bookz: {}\n"), 0o644)
	cases := []struct {
		name     string
		args     []string
		code     int
		inStdout []string
		inStderr []string
	}{
		{"no args", nil, exitUsage, nil, []string{"Usage:"}},
		{"unknown command", []string{"frobnicate"}, exitUsage, nil, []string{`unknown command "frobnicate"`}},
		{"version", []string{"version"}, exitOK, []string{"curate "}, nil},
		{"validate sample", []string{"validate", "configs/mix.yaml"}, exitOK, []string{"configs/mix.yaml: ok", "source books (books)", "pg1342-excerpt.txt"}, nil},
		{"validate bad", []string{"validate", bad}, exitUsage, nil, []string{"bad.yaml:4:5: unknown key \"bookz\""}},
		{"validate missing", []string{"validate", "nope.yaml"}, exitUsage, nil, []string{"nope.yaml: config file not found"}},
		{"run sample", []string{"run", "configs/mix.yaml", "--output", out, "--workers", "2"}, exitOK, []string{"tasks run, 0 already finished", "books", "wrote 3 docs", "web", "code", "wikipedia", "reddit"}, nil},
		{"rerun resumes", []string{"run", "--output", out, "configs/mix.yaml"}, exitOK, []string{"done in", ": 0 tasks run, "}, nil},
		{"inspect", []string{"inspect", out}, exitOK, []string{"parquet files", "books", "notes", "code:go"}, nil},
		{"report", []string{"report", out}, exitOK, []string{"report.html"}, nil},
		{"feed inspect", []string{"feed", "inspect", out, "-n", "1"}, exitOK, []string{"feed mix:", "seq_len 256", "mixture: budget", "wikipedia", "--- train sequence 0 (257 tokens)"}, nil},
		{"feed verify", []string{"feed", "verify", out}, exitOK, []string{"every checksum, header and size matches"}, nil},
		{"feed usage", []string{"feed", "frob", out}, exitUsage, nil, []string{"curate feed verify DIR"}},
		{"report not an output", []string{"report", t.TempDir()}, exitFailed, nil, []string{"not a curate output"}},
		{"inspect missing", []string{"inspect", filepath.Join(out, "nope")}, exitUsage, nil, []string{"not a directory"}},
		{"run output is a file", []string{"run", "configs/mix.yaml", "--output", bad}, exitUsage, nil, []string{"--output: output " + bad + " exists and is not a directory"}},
		{"run bad flag", []string{"run", "configs/mix.yaml", "--workers", "-3"}, exitUsage, nil, []string{"--workers must be positive"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, nil, &stdout, &stderr)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, stdout.String(), stderr.String())
			}
			for _, s := range c.inStdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range c.inStderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
		})
	}
	// A flipped byte in a shard is caught.
	bin := filepath.Join(out, "feed", "llmc", "mix_train_000000.bin")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	b[2000] ^= 1
	os.WriteFile(bin, b, 0o644)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"feed", "verify", out}, nil, &stdout, &stderr); code != exitFailed || !strings.Contains(stderr.String(), "mix_train_000000.bin: sha256") {
		t.Fatalf("corrupted shard: exit %d, %s", code, stderr.String())
	}
}
