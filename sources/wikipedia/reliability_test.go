package wikipedia

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// TestMultistreamCorruptLastStream damages the last bzip2 stream of a unit:
// it used to be dropped with no error at all, because failed streams were
// only reported at the start of the next Next call and none came.
func TestMultistreamCorruptLastStream(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	tmp := t.TempDir()
	name := "DERIVED-ltgwiki-pages-articles-multistream"
	raw, err := os.ReadFile(filepath.Join(dir, name+".xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := os.ReadFile(filepath.Join(dir, name+"-index.txt.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMultistream(filepath.Join(dir, name+".xml.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.UnitBytes = 1 << 30
	good, _, _ := readAll(t, mustNew(t, o), filepath.Join(dir, name+".xml.bz2"))
	// The last page stream, before the closing </mediawiki> one if the dump
	// has it: damage its middle.
	last := ms.offsets[len(ms.offsets)-1]
	if len(ms.offsets) > 1 && int64(len(raw))-last < 200 {
		last = ms.offsets[len(ms.offsets)-2]
	}
	bad := bytes.Clone(raw)
	for i := last + 60; i < last+120; i++ {
		bad[i] ^= 0x5a
	}
	os.WriteFile(filepath.Join(tmp, name+".xml.bz2"), bad, 0o644)
	os.WriteFile(filepath.Join(tmp, name+"-index.txt.bz2"), idx, 0o644)
	docs, recErrs, final := readAll(t, mustNew(t, o), filepath.Join(tmp, name+".xml.bz2"))
	if final != nil {
		t.Fatalf("final error %v", final)
	}
	if len(recErrs) != 1 || !strings.Contains(recErrs[0].Error(), "dropped") {
		t.Fatalf("the damaged last stream must be reported once, got %v", recErrs)
	}
	if len(docs) >= len(good) || len(docs) == 0 {
		t.Fatalf("%d of %d documents: want those before the last stream", len(docs), len(good))
	}
	for i, d := range docs {
		if d.ID != good[i].ID || d.Text != good[i].Text {
			t.Fatalf("document %d before the damage changed", i)
		}
	}
}
