package shards

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
)

// peerReader returns the path of bench/shards/node/read.mjs when node and
// its packages are installed (CI's .ci/setup.d/shards.sh does it).
func peerReader(t *testing.T) string {
	t.Helper()
	script, _ := filepath.Abs("../bench/shards/node/read.mjs")
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed: peer Parquet readers not checked")
	}
	for _, pkg := range []string{"hyparquet", "hyparquet-compressors", "@duckdb/node-api"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", pkg, "package.json")); err != nil {
			t.Skipf("npm package %s missing: run `npm ci --prefix bench/shards/node` (.ci/setup.d/shards.sh)", pkg)
		}
	}
	return script
}

func peerRows(t *testing.T, script, engine, path string) []map[string]any {
	t.Helper()
	cmd := exec.Command("node", script, engine, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s could not read %s: %v\n%s", engine, path, err, stderr.String())
	}
	var rows []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}

// DuckDB and hyparquet (the readers behind many Python/JS loaders) read
// curate's document and token shards with the same values curate wrote:
// the output loads in other tools without conversion.
func TestPeersReadShards(t *testing.T) {
	script := peerReader(t)
	dir := t.TempDir()
	docs := sampleDocs(1500)
	docs[3].Text = "Ünïcödé — 日本語のテキスト 🙂"
	docs[4].Meta = nil
	docs[5].TokenCount = 0
	docPath := filepath.Join(dir, "docs.parquet")
	writeDocs(t, docPath, docs, WriterOptions{RowGroupBytes: 128 << 10, BatchBytes: 16 << 10})

	tokPath := filepath.Join(dir, "tokens.parquet")
	f, err := os.Create(tokPath)
	if err != nil {
		t.Fatal(err)
	}
	tw, err := NewTokenWriter(f, WriterOptions{RowGroupBytes: 64 << 10, BatchBytes: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := make([][]uint32, 300)
	for i := range wantIDs {
		for j := 0; j < i%50; j++ {
			wantIDs[i] = append(wantIDs[i], uint32(i*7919+j*104729)%200000)
		}
		if err := tw.Write(fmt.Sprint("t", i), "web", wantIDs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, engine := range []string{"duckdb", "hyparquet"} {
		t.Run(engine, func(t *testing.T) {
			rows := peerRows(t, script, engine, docPath)
			if len(rows) != len(docs) {
				t.Fatalf("%d rows, want %d", len(rows), len(docs))
			}
			for i, r := range rows {
				checkDocRow(t, i, r, docs[i])
			}
			trows := peerRows(t, script, engine, tokPath)
			if len(trows) != len(wantIDs) {
				t.Fatalf("%d token rows, want %d", len(trows), len(wantIDs))
			}
			for i, r := range trows {
				got := fmt.Sprint(r["input_ids"])
				want := fmt.Sprint(toAny(wantIDs[i]))
				if r["id"] != fmt.Sprint("t", i) || got != want {
					t.Fatalf("token row %d: %v %s, want %s", i, r["id"], got, want)
				}
			}
		})
	}
}

func toAny(ids []uint32) []any {
	out := make([]any, len(ids))
	for i, v := range ids {
		out[i] = float64(v)
	}
	return out
}

func checkDocRow(t *testing.T, i int, r map[string]any, d *doc.Document) {
	t.Helper()
	for col, want := range map[string]string{ColID: d.ID, ColText: d.Text, ColSource: d.Source, ColURL: d.URL, ColLanguage: d.Language} {
		if r[col] != want {
			t.Fatalf("row %d column %s: %q, want %q", i, col, r[col], want)
		}
	}
	if score, _ := r[ColLanguageScore].(float64); fmt.Sprintf("%.5f", score) != fmt.Sprintf("%.5f", d.LanguageScore) {
		t.Fatalf("row %d language_score %v, want %v", i, r[ColLanguageScore], d.LanguageScore)
	}
	if d.TokenCount == 0 {
		if r[ColTokenCount] != nil {
			t.Fatalf("row %d token_count %v, want null", i, r[ColTokenCount])
		}
	} else if r[ColTokenCount] != float64(d.TokenCount) {
		t.Fatalf("row %d token_count %v, want %d", i, r[ColTokenCount], d.TokenCount)
	}
	meta, _ := r[ColMeta].(map[string]any)
	if len(meta) != len(d.Meta) {
		t.Fatalf("row %d meta %v, want %v", i, meta, d.Meta)
	}
	for k, v := range d.Meta {
		if meta[k] != v {
			t.Fatalf("row %d meta[%s] = %v, want %q", i, k, meta[k], v)
		}
	}
}
