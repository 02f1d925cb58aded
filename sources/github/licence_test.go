package github

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// realLicences returns the MIT text of cJSON and the Apache-2.0 text of
// requests, from the corpus archives.
func realLicences(t *testing.T) (mit, apache []byte) {
	dir := corpustest.Dir(t, "code")
	tmp := t.TempDir()
	untar(t, filepath.Join(dir, "DaveGamble-cJSON-a29814f285cc.tar.gz"), tmp)
	untar(t, filepath.Join(dir, "psf-requests-1f6589ec3a1e.tar.gz"), tmp)
	mit, err := os.ReadFile(filepath.Join(tmp, "DaveGamble-cJSON", "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	apache, err = os.ReadFile(filepath.Join(tmp, "psf-requests", "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	return mit, apache
}

func writeTree(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	for rel, b := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNestedLicenceCopies: a folder whose licence file is the root's (a
// monorepo package) or a docs page that includes or quotes it is
// first-party; a folder with another licence is vendored.
func TestNestedLicenceCopies(t *testing.T) {
	mit, apache := realLicences(t)
	src := []byte("package core\n\n// Add returns the sum of a and b.\nfunc Add(a, b int) int { return a + b }\n")
	quoted := append([]byte("License\n=======\n\nThis project is released under the following terms:\n\n"), []byte(strings.ReplaceAll(string(mit), "\n", " \n  "))...)
	root := filepath.Join(t.TempDir(), "mono")
	writeTree(t, root, map[string][]byte{
		"LICENSE":                    mit,
		"main.go":                    src,
		"packages/core/LICENSE":      mit, // byte-identical copy
		"packages/core/core.go":      src,
		"docs/license.rst":           []byte("License\n=======\n\n.. include:: ../LICENSE\n"),
		"docs/LICENSE.md":            quoted,
		"docs/conf.py":               []byte("project = 'mono'\nauthor = 'someone'\nrelease = '1.0'\n"),
		"third_party/lib/LICENSE":    apache,
		"third_party/lib/lib.go":     src,
		"third_party/other/LICENSE":  []byte("Copyright 2001 Someone Else. All rights reserved.\n"),
		"third_party/other/other.go": src,
	})
	docs, stats, _, err := readAll(t, mustNew(t, DefaultOptions()), root)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, d := range docs {
		kept[d.Meta["path"]] = true
	}
	for _, p := range []string{"main.go", "packages/core/core.go", "docs/conf.py"} {
		if !kept[p] {
			t.Errorf("%s dropped (stats %v)", p, stats)
		}
	}
	for _, p := range []string{"third_party/lib/lib.go", "third_party/other/other.go"} {
		if kept[p] {
			t.Errorf("%s kept: its folder has a licence of its own", p)
		}
	}
	if stats["skip.vendored"] != 4 { // two sources and their two licence files
		t.Errorf("skip.vendored %d, want 4 (stats %v)", stats["skip.vendored"], stats)
	}
}
