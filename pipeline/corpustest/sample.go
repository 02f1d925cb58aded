package corpustest

import (
	"flag"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// fullFlag is -corpus.full. It exists only in test binaries, so a tool that
// imports this package for Root keeps its own flag set clean.
var fullFlag *bool

func init() {
	if testing.Testing() {
		fullFlag = flag.Bool("corpus.full", false, "run corpus tests over the whole shared corpus instead of their bounded sample (also CURATE_CORPUS_FULL=1)")
	}
}

// Full reports whether corpus tests should sweep the whole corpus: the test
// flag -corpus.full, or CURATE_CORPUS_FULL=1 in the environment, which also
// reaches every package of `go test ./...` (a flag would fail in the
// packages that do not define it).
func Full() bool {
	if fullFlag != nil && *fullFlag {
		return true
	}
	v := os.Getenv("CURATE_CORPUS_FULL")
	return v != "" && v != "0" && v != "false"
}

// SampleOptions bound a corpus sample.
type SampleOptions struct {
	// GroupBytes is how many bytes of items each group (source file) gives
	// at most, taken evenly spread through the group.
	GroupBytes int
	// PerFeature is how many items are added for each feature of Features
	// found in the input (the smallest items that have it), on top of the
	// spread, so rare hard cases are always in.
	PerFeature int
	// Keys, if set, names more features of item i that the caller knows
	// (its language, a label, its file), covered like those of Features.
	Keys func(i int) []string
}

// Sample picks a deterministic, bounded subset of n items and returns their
// indices in input order. group names an item's group (usually its source
// file) and text its content. From each group it takes items spread evenly
// by bytes, the first one always, until GroupBytes is reached; then, for
// every feature that Features finds in any item, it adds the PerFeature
// smallest items that have it. So the sample covers every script, encoding
// oddity and hard case of the input (see Missing), whatever its size.
func Sample(n int, group func(i int) string, text func(i int) string, o SampleOptions) []int {
	idx, _ := SampleFound(n, group, text, o)
	return idx
}

// SampleFound is Sample that also returns the features (Features, and Keys
// as "key:..." ) found in the whole input, from the same scan, so a test
// can check the sample against them with Uncovered without scanning the
// input again.
func SampleFound(n int, group func(i int) string, text func(i int) string, o SampleOptions) (idx []int, found []string) {
	if o.PerFeature <= 0 {
		o.PerFeature = 1
	}
	picked := make([]bool, n)
	groupTotal, groupCount := map[string]int{}, map[string]int{}
	for i := range n {
		groupTotal[group(i)] += len(text(i))
		groupCount[group(i)]++
	}
	seen, taken := map[string]int{}, map[string]int{}
	for i := range n {
		g, size := group(i), len(text(i))
		before := seen[g]
		seen[g] += size
		if taken[g] >= o.GroupBytes {
			continue
		}
		// Systematic sampling by bytes: about GroupBytes/average-size
		// points evenly spaced through the group; an item is taken when a
		// point falls in it (the group's first item always), so the picks
		// spread over the whole group.
		total := groupTotal[g]
		points := max(1, o.GroupBytes*groupCount[g]/max(1, total))
		step := max(1, total/points)
		if before == 0 || total <= o.GroupBytes || before/step != seen[g]/step {
			picked[i] = true
			taken[g] += size
		}
	}
	// Feature coverage: the smallest items per feature.
	byFeature := map[string][]int{}
	sc := newScanner()
	for i := range n {
		for _, f := range sc.features(text(i)) {
			byFeature[f] = append(byFeature[f], i)
		}
		if o.Keys != nil {
			for _, k := range o.Keys(i) {
				byFeature["key:"+k] = append(byFeature["key:"+k], i)
			}
		}
	}
	for _, f := range slices.Sorted(maps.Keys(byFeature)) {
		items := byFeature[f]
		sort.SliceStable(items, func(a, b int) bool { return len(text(items[a])) < len(text(items[b])) })
		have := 0
		for _, i := range items {
			if picked[i] {
				have++
			}
		}
		for _, i := range items {
			if have >= o.PerFeature {
				break
			}
			if !picked[i] {
				picked[i] = true
				have++
			}
		}
	}
	var out []int
	for i, p := range picked {
		if p {
			out = append(out, i)
		}
	}
	return out, slices.Sorted(maps.Keys(byFeature))
}

// Uncovered returns the features of found (as SampleFound returns them,
// without the "key:" ones) that none of the sample's texts has, sorted.
func Uncovered(found, sample []string) []string {
	have := map[string]bool{}
	sc := newScanner()
	for _, s := range sample {
		for _, f := range sc.features(s) {
			have[f] = true
		}
	}
	var out []string
	for _, f := range found {
		if !strings.HasPrefix(f, "key:") && !have[f] {
			out = append(out, f)
		}
	}
	return out
}

// Missing returns the features found in the full texts but in none of the
// sample's, sorted: a sampled test asserts it is empty, so a sample that
// stops covering a case of the full sweep fails.
func Missing(full, sample []string) []string {
	have := map[string]bool{}
	sc := newScanner()
	for _, s := range sample {
		for _, f := range sc.features(s) {
			have[f] = true
		}
	}
	var out []string
	for _, s := range full {
		for _, f := range sc.features(s) {
			if !have[f] {
				have[f] = true
				out = append(out, f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// wsRun is the length from which a run of whitespace counts as long: the
// BPE patterns treat runs specially (\s+(?!\S)), filters count them.
const wsRun = 16

// Features names the hard cases in s that corpus tests must keep seeing:
// each Unicode script of its letters ("script:Cyrillic"; Common and
// Inherited are left out), combining marks ("mark"), emoji ("emoji"), the
// zero-width joiner ("zwj"), characters beyond the BMP ("astral"), CRLF
// line ends ("crlf"), a CR alone ("cr"), tabs ("tab"), a run of at least 16
// whitespace characters ("ws-run"), non-ASCII spaces ("nbsp"), the byte
// order mark ("bom"), U+FFFD from invalid bytes ("fffd"), non-ASCII
// digits ("digit:other") and invalid UTF-8 ("invalid-utf8").
func Features(s string) []string {
	return newScanner().features(s)
}

// scanner caches the feature of each non-ASCII rune it has met, so scanning
// a corpus costs a map look-up per rune instead of a search of the Unicode
// tables.
type scanner struct {
	runes map[rune]string // "" for a rune with no feature of its own
}

func newScanner() *scanner { return &scanner{runes: map[rune]string{}} }

// runeFeature is the feature a non-ASCII, non-space rune contributes.
func runeFeature(r rune) string {
	switch {
	case r == 0xFEFF:
		return "bom"
	case r == 0xFFFD:
		return "fffd"
	case r == 0x200D:
		return "zwj"
	case unicode.Is(unicode.Mark, r):
		return "mark"
	case isEmoji(r):
		return "emoji"
	case unicode.IsDigit(r):
		return "digit:other"
	case unicode.IsLetter(r):
		return "script:" + script(r)
	}
	return ""
}

func (sc *scanner) features(s string) []string {
	set := map[string]bool{}
	run := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case '\r':
				if i < len(s) && s[i] == '\n' {
					set["crlf"] = true
				} else {
					set["cr"] = true
				}
			case '\t':
				set["tab"] = true
			}
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' {
				run++
				if run >= wsRun {
					set["ws-run"] = true
				}
			} else {
				run = 0
				if !set["script:Latin"] && (c|0x20 >= 'a' && c|0x20 <= 'z') {
					set["script:Latin"] = true
				}
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			set["invalid-utf8"] = true
			run = 0
			continue
		}
		if unicode.IsSpace(r) {
			run++
			if run >= wsRun {
				set["ws-run"] = true
			}
			set["nbsp"] = true
			continue
		}
		run = 0
		f, ok := sc.runes[r]
		if !ok {
			f = runeFeature(r)
			sc.runes[r] = f
		}
		if f != "" {
			set[f] = true
		}
		if r > 0xFFFF {
			set["astral"] = true
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// isEmoji is true for the pictographic blocks emoji come from.
func isEmoji(r rune) bool {
	return r >= 0x1F300 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x1F000 && r <= 0x1F2FF
}

// commonScripts are tried first: they hold nearly every letter of the
// corpus, so the full table is scanned rarely.
var commonScripts = []string{"Latin", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Arabic", "Hebrew", "Devanagari", "Thai"}

// script names the Unicode script of letter r.
func script(r rune) string {
	for _, name := range commonScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	names := make([]string, 0, len(unicode.Scripts))
	for name := range unicode.Scripts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name != "Common" && name != "Inherited" && unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	return "Other"
}

// Windows cuts s into consecutive pieces of about size bytes, each ending
// at a line end when one is near (so both sides of a differential check see
// whole lines) and never inside a UTF-8 sequence. Concatenated they give s.
func Windows(s string, size int) []string {
	var out []string
	for len(s) > 0 {
		n := min(len(s), size)
		if n < len(s) {
			if j := strings.LastIndexByte(s[n/2:n], '\n'); j >= 0 {
				n = n/2 + j + 1
			} else {
				for n > 0 && !utf8.RuneStart(s[n]) {
					n--
				}
				if n == 0 {
					n = min(len(s), size)
				}
			}
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}
