// Package corpustest finds the shared real-data corpus for tests and
// benchmarks and bounds what they read of it. The corpus lives beside the
// checkout (../shared/corpus), never inside it; CURATE_CORPUS overrides the
// location. Corpus tests run on a deterministic sample (Sample) that keeps
// every source file, script and hard case (Features) by default, and on
// everything with -corpus.full or CURATE_CORPUS_FULL=1 (Full).
package corpustest

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the corpus directory, or "" when it cannot be found.
func Root() string {
	if d := os.Getenv("CURATE_CORPUS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			c := filepath.Join(dir, "..", "shared", "corpus")
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return c
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Dir returns the corpus sub-directory sub (e.g. "books"), skipping the test
// with a clear message when the corpus is absent.
func Dir(tb testing.TB, sub string) string {
	tb.Helper()
	root := Root()
	if root == "" {
		tb.Skip("real corpus not found: expected ../shared/corpus beside the checkout (or set CURATE_CORPUS)")
	}
	d := filepath.Join(root, sub)
	if _, err := os.Stat(d); err != nil {
		tb.Skipf("real corpus folder %s missing: %v", d, err)
	}
	return d
}
