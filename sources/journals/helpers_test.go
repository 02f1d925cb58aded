package journals

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// readInput runs one input through a source the way the pipeline does:
// Units over the given inputs, then Open and ReadAll on the one asked for.
func readInput(t testing.TB, o Options, path string, all ...string) (docs []*doc.Document, skipped []*doc.RecordError, counts doc.Counts, err error) {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		all = []string{path}
	}
	var ins []sources.Input
	for _, p := range all {
		ins = append(ins, sources.Input{Path: p, Size: -1})
	}
	if _, err := s.Units(ins); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(sources.Unit{Input: sources.Input{Path: path, Size: -1}, End: -1})
	if err != nil {
		return nil, nil, nil, err
	}
	defer r.Close()
	docs, skipped, err = doc.ReadAll(r)
	counts = r.(interface{ Stats() doc.Counts }).Stats()
	return docs, skipped, counts, err
}

// corpusInputs lists the journals corpus inputs: every file, and every
// unpacked arXiv tree as one input.
func corpusInputs(t testing.TB) (root string, inputs []string) {
	root = corpustest.Dir(t, "journals")
	trees, _ := filepath.Glob(filepath.Join(root, "arxiv", "engrafo", "*"))
	inputs = append(inputs, trees...)
	filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || strings.Contains(p, "/engrafo/") || strings.HasSuffix(p, ".md5") || strings.HasSuffix(p, ".md") {
			return nil
		}
		inputs = append(inputs, p)
		return nil
	})
	sort.Strings(inputs)
	return root, inputs
}

func TestDumpCorpus(t *testing.T) {
	out := os.Getenv("JOURNALS_DUMP")
	if out == "" {
		t.Skip("set JOURNALS_DUMP=dir to write every document's text there")
	}
	_, inputs := corpusInputs(t)
	for _, in := range inputs {
		docs, skipped, counts, err := readInput(t, DefaultOptions(), in)
		t.Logf("%s: %d docs, %d skipped, counts %v, err %v", in, len(docs), len(skipped), counts, err)
		for _, s := range skipped {
			t.Logf("  skipped: %v", s)
		}
		for _, d := range docs {
			name := strings.NewReplacer("/", "_").Replace(d.ID)
			var meta []string
			for _, k := range sortedKeys(d.Meta) {
				meta = append(meta, k+"="+d.Meta[k])
			}
			os.WriteFile(filepath.Join(out, name+".txt"), []byte(d.URL+"\n"+strings.Join(meta, "\n")+"\n-----\n"+d.Text), 0o644)
		}
	}
}
