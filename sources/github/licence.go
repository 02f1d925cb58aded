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
// walker lists it: root licence files, and licence files deeper in the tree
// (candidates for vendored sub-projects).
type licenceFiles struct {
	root   [][]byte
	nested map[string][]byte // by path relative to the repository root
}

// maxLicenceBytes bounds what is read of one licence file.
const maxLicenceBytes = 1 << 20

// wants reports whether a file (path relative to the repository root)
// is one to read for the licence.
func (lf *licenceFiles) wants(rel string) bool {
	return isLicenseFile(path.Base(rel))
}

func (lf *licenceFiles) add(rel string, b []byte) {
	switch {
	case !strings.Contains(rel, "/"):
		lf.root = append(lf.root, b)
	default:
		if lf.nested == nil {
			lf.nested = map[string][]byte{}
		}
		lf.nested[rel] = b
	}
}

// resolve names the repository's licence (what the root licence files are
// recognised as) and the roots of vendored sub-projects. A nested licence
// file marks a sub-project only when it is some other licence: a copy of
// the root's licence (monorepo packages, first-party folders) or a docs
// page that quotes or includes it is first-party.
func (lf *licenceFiles) resolve() (license string, vendored []string) {
	license = detectLicense(lf.root)
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
