package github

import (
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/google/licensecheck"
)

// licenceFiles gathers what a repository says about its licence while a
// walker lists it: root licence files, root package manifests, and licence
// files deeper in the tree (candidates for vendored sub-projects).
type licenceFiles struct {
	root      [][]byte
	manifests map[string][]byte
	nested    map[string][]byte // by path relative to the repository root
}

// maxLicenceBytes bounds what is read of one licence or manifest file.
const maxLicenceBytes = 1 << 20

// wants reports whether a file (path relative to the repository root)
// is one to read for the licence.
func (lf *licenceFiles) wants(rel string) bool {
	base := path.Base(rel)
	if isLicenseFile(base) {
		return true
	}
	return !strings.Contains(rel, "/") && isManifest(base)
}

func (lf *licenceFiles) add(rel string, b []byte) {
	base := path.Base(rel)
	switch {
	case !strings.Contains(rel, "/") && isManifest(base):
		if lf.manifests == nil {
			lf.manifests = map[string][]byte{}
		}
		lf.manifests[base] = b
	case !strings.Contains(rel, "/"):
		lf.root = append(lf.root, b)
	default:
		if lf.nested == nil {
			lf.nested = map[string][]byte{}
		}
		lf.nested[rel] = b
	}
}

// resolve names the repository's licence and the roots of vendored
// sub-projects. The licence is the first manifest's SPDX expression, as
// written (OR stays OR), else what the root licence files are recognised
// as. A nested licence file marks a sub-project only when it is some other
// licence: a copy of the root's licence (monorepo packages, first-party
// folders) or a docs page that quotes or includes it is first-party.
func (lf *licenceFiles) resolve() (license string, vendored []string) {
	names := slices.SortedFunc(maps.Keys(lf.manifests), func(a, b string) int {
		if d := manifestRank(a) - manifestRank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, n := range names {
		if l := manifestLicense(n, lf.manifests[n]); l != "" {
			license = l
			break
		}
	}
	if license == "" {
		license = detectLicense(lf.root)
	}
	roots := make([]string, 0, len(lf.root))
	for _, r := range lf.root {
		if w := licenceWords(r); w != "" {
			roots = append(roots, w)
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(lf.nested)) {
		if isOtherLicence(rel, lf.nested[rel], roots) {
			vendored = append(vendored, nestedRoot(rel))
		}
	}
	slices.Sort(vendored)
	return license, slices.Compact(vendored)
}

// isOtherLicence reports whether a nested licence file is evidence of
// third-party code.
func isOtherLicence(rel string, text []byte, rootWords []string) bool {
	words := licenceWords(text)
	for _, r := range rootWords {
		if strings.Contains(words, r) {
			return false // the root's own licence, copied or quoted
		}
	}
	if inDocs(rel) && licensecheck.Scan(text).Percent < 50 {
		// A documentation page about the licence ("License", an include
		// of ../LICENSE), not a licence of its own.
		return false
	}
	return true
}

// licenceWords reduces a licence text to its words, lower case, one space
// apart, so that re-wrapping, Markdown or reStructuredText markup and line
// endings do not hide a copy.
func licenceWords(b []byte) string {
	f := strings.FieldsFunc(strings.ToLower(string(b)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(f, " ")
}

func inDocs(rel string) bool {
	for _, part := range strings.Split(path.Dir(rel), "/") {
		switch strings.ToLower(part) {
		case "doc", "docs", "documentation":
			return true
		}
	}
	return false
}
