package github

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// TestDamagedTarKeepsEntriesBefore cuts and corrupts a real repository
// archive: the files before the damage come out unchanged (as Python's
// tarfile gives them) and the error names the entry and the offset. A
// damaged archive used to yield no file at all.
func TestDamagedTarKeepsEntriesBefore(t *testing.T) {
	dir := corpustest.Dir(t, "code")
	src := filepath.Join(dir, "spf13-cobra-adbc8813901b.tar.gz")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s := mustNew(t, DefaultOptions())
	want, _, _, err := readAll(t, s, src)
	if err != nil || len(want) < 20 {
		t.Fatalf("reference: %d docs, %v", len(want), err)
	}
	for _, c := range []struct {
		name string
		data func() []byte
	}{
		{"truncated at 60%", func() []byte { return raw[:len(raw)*6/10] }},
		{"bytes flipped at 60%", func() []byte {
			b := append([]byte(nil), raw...)
			for i := len(b) * 6 / 10; i < len(b)*6/10+64; i++ {
				b[i] ^= 0xa5
			}
			return b
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "spf13-cobra-adbc8813901b.tar.gz")
			os.WriteFile(p, c.data(), 0o644)
			got, _, _, err := readAll(t, s, p)
			if err == nil {
				t.Fatal("damage must be reported")
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "compressed byte") {
				t.Errorf("error %q should name the file and the offset", err)
			}
			if len(got) == 0 || len(got) >= len(want) {
				t.Fatalf("%d of %d files kept; the ones before the damage must come out", len(got), len(want))
			}
			for i, d := range got {
				if d.ID != want[i].ID || d.Text != want[i].Text {
					t.Fatalf("file %d (%s) before the damage changed", i, d.ID)
				}
			}
		})
	}
}
