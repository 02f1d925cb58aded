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
	roots := make([]licenceText, 0, len(lf.root))
	for _, r := range lf.root {
		if l := parseLicence(r); l.words != "" {
			roots = append(roots, l)
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(lf.nested)) {
		if isOtherLicence(rel, lf.nested[rel], roots, license) {
			vendored = append(vendored, nestedRoot(rel))
		}
	}
	slices.Sort(vendored)
	return license, slices.Compact(vendored)
}

// isOtherLicence reports whether a nested licence file is evidence of
// third-party code. It is not when it is the root's licence: copied or
// quoted whole, or the same terms under the same copyright holders with
// other years or none named (monorepo packages re-dated, a LICENSE kept
// without its notice). The same terms under another holder (a library
// copied in with its own notice) are third-party.
func isOtherLicence(rel string, text []byte, roots []licenceText, repoLicense string) bool {
	if inDocs(rel) && licensecheck.Scan(text).Percent < 50 {
		// A documentation page about the licence ("License", an include
		// of ../LICENSE), not a licence of its own.
		return false
	}
	if len(roots) == 0 {
		// No licence text at the root to differ from: a monorepo whose
		// packages carry the LICENSE its manifest names, or a repository
		// with no root licence at all. Only a licence other than the one
		// the manifest declares marks third-party code.
		return repoLicense != "" && !sameLicences(text, repoLicense)
	}
	nested := parseLicence(text)
	for _, r := range roots {
		if strings.Contains(nested.words, r.words) {
			return false // the root's own licence, copied or quoted
		}
		if sameTerms(nested.terms, r.terms) && subset(nested.holders, r.holders) {
			return false
		}
	}
	return true
}

// sameLicences reports whether every licence recognised in text is one
// the repository's SPDX expression names.
func sameLicences(text []byte, expr string) bool {
	ids := strings.Fields(detectLicense([][]byte{text}))
	if len(ids) == 0 {
		return false
	}
	declared := strings.FieldsFunc(expr, func(r rune) bool { return r == ' ' || r == '(' || r == ')' })
	for _, id := range ids {
		if id != "AND" && !slices.Contains(declared, id) {
			return false
		}
	}
	return true
}

// licenceText is a licence file reduced for comparison: all its words;
// its terms (the words of every line but the copyright notices); and the
// holders those notices name, without years, sorted.
type licenceText struct {
	words, terms string
	holders      []string
}

// minTermsWords is how long shared terms must be to count as the same
// licence: a stub ("See LICENSE") or a bare notice has none to compare.
const minTermsWords = 20

func parseLicence(b []byte) licenceText {
	var terms []string
	var holders []string
	for line := range strings.Lines(string(b)) {
		w := licenceWords([]byte(line))
		if strings.HasPrefix(strings.TrimSpace(line), "©") {
			w = "copyright " + w
		}
		if h, ok := copyrightHolder(w); ok {
			if h != "" {
				holders = append(holders, h)
			}
			continue
		}
		if w != "" {
			terms = append(terms, w)
		}
	}
	slices.Sort(holders)
	return licenceText{words: licenceWords(b), terms: strings.Join(terms, " "), holders: slices.Compact(holders)}
}

// copyrightHolder reads a copyright notice line (as licenceWords gives
// it): "copyright c 2012 2019 the go authors all rights reserved" names
// "the go authors"; "(c) 2012 Name" and "© 2012 Name" are notices too.
// ok is false for any other line.
func copyrightHolder(words string) (holder string, ok bool) {
	f := strings.Fields(words)
	isYear := func(w string) bool { return strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 }
	switch {
	case len(f) > 0 && f[0] == "copyright":
	case len(f) > 1 && f[0] == "c" && isYear(f[1]): // "(c) 2012 Name"
	default:
		return "", false
	}
	var h []string
	for _, w := range f[1:] {
		if w != "c" && w != "by" && !isYear(w) {
			h = append(h, w)
		}
	}
	return strings.TrimSuffix(strings.Join(h, " "), " all rights reserved"), true
}

// sameTerms reports whether two licences' terms agree, one holding the
// other whole (a root LICENSE may add notices for bundled parts).
func sameTerms(a, b string) bool {
	if len(strings.Fields(a)) < minTermsWords || len(strings.Fields(b)) < minTermsWords {
		return false
	}
	return strings.Contains(a, b) || strings.Contains(b, a)
}

func subset(a, b []string) bool {
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			return false
		}
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
