package github

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

func TestManifestLicense(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"Cargo dual licence", "[package]\nname = \"x\"\nlicense = \"MIT OR Apache-2.0\"\n", "MIT OR Apache-2.0"},
		{"Cargo old slash form is not SPDX", "[package]\nlicense = \"MIT/Apache-2.0\"\n", ""},
		{"Cargo workspace", "[workspace.package]\nlicense = \"Apache-2.0 WITH LLVM-exception\"\n", "Apache-2.0 WITH LLVM-exception"},
		{"Cargo dependency tables ignored", "[dependencies]\nlicense = \"GPL-3.0-only\"\n", ""},
		{"package.json", `{"name": "x", "license": "(MIT OR CC0-1.0)"}`, "(MIT OR CC0-1.0)"},
		{"package.json old object", `{"license": {"type": "MIT", "url": "x"}}`, "MIT"},
		{"package.json licenses list", `{"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}`, "MIT OR Apache-2.0"},
		{"package.json not SPDX", `{"license": "SEE LICENSE IN LICENSE.txt"}`, ""},
		// apache/thrift keeps the deprecated "licenses" beside "license"
		// for old tools: one licence, not "Apache-2.0 OR Apache-2.0".
		{"package.json license and deprecated licenses", `{"license": "Apache-2.0", "licenses": [{"type": "Apache-2.0", "url": "http://www.apache.org/licenses/LICENSE-2.0"}]}`, "Apache-2.0"},
		{"package.json licenses list repeating one", `{"licenses": [{"type": "MIT"}, "MIT"]}`, "MIT"},
		{"pyproject PEP 621 table", "[project]\nname = \"x\"\nlicense = {text = \"Apache-2.0\"}\n", "Apache-2.0"},
		{"pyproject PEP 639 string", "[project]\nlicense = \"mit and bsd-3-clause\"\n", "MIT AND BSD-3-Clause"},
		{"poetry", "[tool.poetry]\nlicense = \"BSD-3-Clause\"\n", "BSD-3-Clause"},
		{"setup.cfg name, not SPDX", "[metadata]\nlicense = BSD License\n", ""},
		{"setup.cfg", "[metadata]\nname = x\nlicense = MIT\n", "MIT"},
		{"gemspec list", "Gem::Specification.new do |spec|\n  spec.licenses = ['MIT', 'Apache-2.0']\nend\n", "MIT OR Apache-2.0"},
		{"gemspec words", "  s.licenses = %w[MIT GPL-2.0-only]\n", "MIT OR GPL-2.0-only"},
		{"gemspec single", "  s.license = \"BSD-2-Clause\"\n", "BSD-2-Clause"},
		{"composer list is a choice", `{"license": ["LGPL-2.1-only", "GPL-3.0-or-later"]}`, "LGPL-2.1-only OR GPL-3.0-or-later"},
	}
	names := map[string]string{"Cargo": "Cargo.toml", "package.json": "package.json", "pyproject": "pyproject.toml", "poetry": "pyproject.toml",
		"setup.cfg": "setup.cfg", "gemspec": "x.gemspec", "composer": "composer.json"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := names[strings.Fields(tc.name)[0]]
			if file == "" {
				t.Fatalf("no manifest name for %q", tc.name)
			}
			if got := manifestLicense(file, []byte(tc.file)); got != tc.want {
				t.Errorf("%s: %q, want %q", file, got, tc.want)
			}
		})
	}
}

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

// TestRepoLicence: a crate with LICENSE-MIT and LICENSE-APACHE is what its
// Cargo.toml says (a choice), not both at once; without a manifest the
// licence files are all that is known.
func TestRepoLicence(t *testing.T) {
	mit, apache := realLicences(t)
	code := []byte("pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n")
	for _, tc := range []struct {
		name  string
		cargo string
		want  string
	}{
		{"manifest", "[package]\nname = \"adder\"\nlicense = \"MIT OR Apache-2.0\"\n", "MIT OR Apache-2.0"},
		{"no manifest", "", "Apache-2.0 AND MIT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "adder")
			files := map[string][]byte{"LICENSE-MIT": mit, "LICENSE-APACHE": apache, "src/lib.rs": code}
			if tc.cargo != "" {
				files["Cargo.toml"] = []byte(tc.cargo)
			}
			writeTree(t, root, files)
			docs, _, _, err := readAll(t, mustNew(t, DefaultOptions()), root)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				if d.Meta["path"] == "src/lib.rs" && d.Meta["license"] != tc.want {
					t.Errorf("license %q, want %q", d.Meta["license"], tc.want)
				}
			}
		})
	}
	// The corpus repositories that have manifests say the same as their
	// licence files: express (package.json) MIT, requests (pyproject) Apache-2.0.
	dir := corpustest.Dir(t, "code")
	for file, want := range map[string]string{"expressjs-express-a3714473feb3.tar.gz": "MIT", "psf-requests-1f6589ec3a1e.tar.gz": "Apache-2.0"} {
		docs, _, _, err := readAll(t, mustNew(t, DefaultOptions()), filepath.Join(dir, file))
		if err != nil || len(docs) == 0 || docs[0].Meta["license"] != want {
			t.Errorf("%s: %v, license %q, want %q", file, err, docs[0].Meta["license"], want)
		}
	}
}

func TestLicenceExpressionAllowed(t *testing.T) {
	o := DefaultOptions()
	o.Licenses = []string{"MIT", "Apache-2.0", "BSD-3-Clause"}
	s := mustNew(t, o)
	for expr, want := range map[string]bool{
		"MIT OR Apache-2.0":                      true,
		"MIT OR GPL-3.0-only":                    true,
		"GPL-3.0-only OR MIT":                    true,
		"MIT AND GPL-3.0-only":                   false,
		"(MIT OR GPL-3.0-only) AND BSD-3-Clause": true,
		"GPL-3.0-only OR (MIT AND GPL-2.0-only)": false,
		"Apache-2.0 WITH LLVM-exception":         true,
		"Apache-2.0 AND MIT":                     true,
	} {
		if got := s.licenseAllowed(expr); got != want {
			t.Errorf("licenseAllowed(%q) = %v, want %v", expr, got, want)
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
		// The root's terms and holder, re-dated or without the notice:
		// first-party. The same terms under another holder: copied in.
		"packages/redated/LICENSE":   bytes.Replace(mit, []byte("2009-2017"), []byte("2021, 2024"), 1),
		"packages/redated/r.go":      src,
		"packages/bare/LICENSE":      mit[bytes.IndexByte(mit, '\n'):],
		"packages/bare/b.go":         src,
		"third_party/copied/COPYING": bytes.Replace(mit, []byte("Dave Gamble and cJSON contributors"), []byte("Jane Roe"), 1),
		"third_party/copied/c.go":    src,
	})
	docs, stats, _, err := readAll(t, mustNew(t, DefaultOptions()), root)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, d := range docs {
		kept[d.Meta["path"]] = true
	}
	if !bytes.HasPrefix(mit, []byte("Copyright (c) 2009-2017 Dave Gamble and cJSON contributors\n")) {
		t.Fatalf("cJSON's LICENSE changed: %.60q", mit)
	}
	for _, p := range []string{"main.go", "packages/core/core.go", "docs/conf.py", "packages/redated/r.go", "packages/bare/b.go"} {
		if !kept[p] {
			t.Errorf("%s dropped (stats %v)", p, stats)
		}
	}
	for _, p := range []string{"third_party/lib/lib.go", "third_party/other/other.go", "third_party/copied/c.go"} {
		if kept[p] {
			t.Errorf("%s kept: its folder has a licence of its own", p)
		}
	}
	if stats["skip.vendored"] != 6 { // three sources and their three licence files
		t.Errorf("skip.vendored %d, want 6 (stats %v)", stats["skip.vendored"], stats)
	}
}

// TestNestedLicenceWithoutRootText: a monorepo whose root has a manifest
// but no LICENSE keeps the packages that carry the licence the manifest
// names, drops one under another licence; a repository with no root
// licence at all has nothing for a nested licence to differ from.
func TestNestedLicenceWithoutRootText(t *testing.T) {
	mit, apache := realLicences(t)
	src := []byte("export function add(a, b) {\n  // the sum of a and b\n  return a + b;\n}\n")
	for _, tc := range []struct {
		name     string
		files    map[string][]byte
		kept     []string
		dropped  []string
		wantVend int64
	}{
		{"manifest names the licence", map[string][]byte{
			"package.json":           []byte(`{"name": "mono", "private": true, "license": "MIT", "workspaces": ["packages/*"]}`),
			"packages/a/LICENSE":     mit,
			"packages/a/index.js":    src,
			"packages/b/LICENSE.md":  mit,
			"packages/b/index.js":    src,
			"docs/license.rst":       []byte("License\n=======\n\n.. include:: ../packages/a/LICENSE\n"),
			"docs/conf.py":           []byte("project = 'mono'\nrelease = '1.0'\n"),
			"vendor-copy/x/LICENSE":  apache,
			"vendor-copy/x/index.js": src,
		}, []string{"packages/a/index.js", "packages/b/index.js", "docs/conf.py"}, []string{"vendor-copy/x/index.js"}, 2},
		{"no root licence at all", map[string][]byte{
			"README.md":     []byte("# tools\n"),
			"tool/LICENSE":  apache,
			"tool/index.js": src,
		}, []string{"tool/index.js"}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "repo")
			writeTree(t, root, tc.files)
			o := DefaultOptions()
			o.Licenses, o.AllowUnlicensed = nil, true // only vendoring decides
			docs, stats, _, err := readAll(t, mustNew(t, o), root)
			if err != nil {
				t.Fatal(err)
			}
			kept := map[string]bool{}
			for _, d := range docs {
				kept[d.Meta["path"]] = true
			}
			for _, p := range tc.kept {
				if !kept[p] {
					t.Errorf("%s dropped (stats %v)", p, stats)
				}
			}
			for _, p := range tc.dropped {
				if kept[p] {
					t.Errorf("%s kept: its licence is not the one the manifest names", p)
				}
			}
			if stats["skip.vendored"] != tc.wantVend {
				t.Errorf("skip.vendored %d, want %d (stats %v)", stats["skip.vendored"], tc.wantVend, stats)
			}
		})
	}
}

func TestIsLicenseFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"LICENSE", true},
		{"LICENSE.txt", true},
		{"LICENSE.md", true},
		{"licence.rst", true},
		{"LICENSE.MIT", true},
		{"LICENSE-APACHE", true},
		{"COPYING", true},
		{"COPYING.LESSER", true},
		{"UNLICENSE", true},
		{"LICENSE.html", true},
		// Code about licences (google/licensecheck's old/license.go,
		// SPDX tooling) is code, not a licence text.
		{"license.go", false},
		{"License.java", false},
		{"licence.py", false},
		{"license.js", false},
		{"license.rs", false},
		{"license_test.go", false},
		{"licensecheck.go", false},
		{"README.md", false},
	} {
		if got := isLicenseFile(tc.name); got != tc.want {
			t.Errorf("isLicenseFile(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
