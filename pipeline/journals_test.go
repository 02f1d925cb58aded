package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestJournalsSource runs the journals sample (an arXiv submission, a JATS
// article, a MEDLINE file) through a whole run with 1 and 4 workers: same
// bytes out, the source's counters in the stats.
func TestJournalsSource(t *testing.T) {
	dir := t.TempDir()
	sample, err := filepath.Abs(filepath.Join("..", "testdata", "sample", "journals"))
	if err != nil {
		t.Fatal(err)
	}
	var outs []map[string][]byte
	for _, workers := range []int{1, 4} {
		out := filepath.Join(dir, fmt.Sprintf("out-%d", workers))
		cfg := configFor(t, dir, fmt.Sprintf(`
output: %s
sources:
  - name: journals
    inputs: [%s/*]
    journals: {jats: {tables: true}}
`, out, sample))
		res, err := Run(context.Background(), cfg, RunOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		st := res.Stats.Sources["journals"]
		if st == nil || st.DocsWritten != 4 || st.Counters["journals.arxiv.paper"] != 1 || st.Counters["journals.jats.article"] != 1 ||
			st.Counters["journals.medline.skip.no_abstract"] != 1 || st.Counters["journals.medline.delete_citation"] != 1 {
			t.Fatalf("stats %+v", st)
		}
		outs = append(outs, outputBytes(t, out))
	}
	for name, b := range outs[0] {
		if !bytes.Equal(b, outs[1][name]) {
			t.Errorf("%s differs between 1 and 4 workers", name)
		}
	}

	path := filepath.Join(dir, "bad.yaml")
	writeFile(t, path, []byte("sources:\n  - name: j\n    inputs: ["+sample+"/*]\n    journals:\n      jats: {table: true}\n"))
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), `bad.yaml:5:14: unknown key "table"`) {
		t.Errorf("unknown key: %v", err)
	}
	writeFile(t, path, []byte("sources:\n  - name: j\n    inputs: ["+sample+"/*]\n    journals: {jats: {notices: drop}}\n"))
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), "journals: jats.notices must be flag or skip") {
		t.Errorf("bad value: %v", err)
	}
}
