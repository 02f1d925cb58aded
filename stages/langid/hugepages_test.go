//go:build linux

package langid

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// anonHugeKB is the process's memory in transparent huge pages.
func anonHugeKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skipf("no smaps_rollup: %v", err)
	}
	for _, ln := range strings.Split(string(b), "\n") {
		if f := strings.Fields(ln); len(f) >= 2 && f[0] == "AnonHugePages:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Skip("smaps_rollup has no AnonHugePages")
	return 0
}

// TestHugePages: the advice keeps a table's contents and, where the
// system grants huge pages on request, moves it to them.
func TestHugePages(t *testing.T) {
	s := make([]uint64, 16<<20/8)
	for i := range s {
		s[i] = uint64(i) * 0x9e3779b97f4a7c15
	}
	before := anonHugeKB(t)
	collapsed := hugePages(s)
	after := anonHugeKB(t)
	for i := range s {
		if s[i] != uint64(i)*0x9e3779b97f4a7c15 {
			t.Fatalf("word %d changed", i)
		}
	}
	if hugePages(s[:10]) || hugePages([]uint64(nil)) {
		t.Error("collapsed less than a huge page")
	}
	if !collapsed {
		mode, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
		t.Skipf("MADV_COLLAPSE refused here (huge pages %q, kernel before 6.1?): only the contents were checked", strings.TrimSpace(string(mode)))
	}
	t.Logf("AnonHugePages %d -> %d KB", before, after)
	if after-before < 12<<10 {
		t.Errorf("AnonHugePages grew by %d KB for a 16 MiB table, want at least 12 MiB", after-before)
	}
}
