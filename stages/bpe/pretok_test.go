package bpe

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
)

var allPatterns = []Pattern{PatternGPT2, PatternCL100K, PatternO200K, PatternLlama3}

// refRegex compiles the published expression with regexp2, which supports
// the lookahead that RE2 lacks. Compiled once per pattern.
var refRegex = sync.OnceValue(func() map[Pattern]*regexp2.Regexp {
	m := map[Pattern]*regexp2.Regexp{}
	for _, p := range allPatterns {
		m[p] = regexp2.MustCompile(PatternRegex[p], regexp2.None)
	}
	return m
})

func refSplit(tb testing.TB, p Pattern, s string) []string {
	tb.Helper()
	re := refRegex()[p]
	var out []string
	m, err := re.FindStringMatch(s)
	for ; m != nil && err == nil; m, err = re.FindNextMatch(m) {
		out = append(out, m.String())
	}
	if err != nil {
		tb.Fatalf("regexp2: %v", err)
	}
	return out
}

func ourSplit(p Pattern, s string) []string {
	var out []string
	p.Split(s, func(piece string) bool { out = append(out, piece); return true })
	return out
}

func TestSplitKnown(t *testing.T) {
	tests := []struct {
		p    Pattern
		in   string
		want []string
	}{
		{PatternGPT2, "Hello world's  end\n\n x", []string{"Hello", " world", "'s", " ", " end", "\n\n", " x"}},
		{PatternGPT2, "I'M 1234 ??!", []string{"I", "'", "M", " 1234", " ??!"}},
		{PatternCL100K, "I'M 1234 ??!\r\n\r\nok", []string{"I", "'M", " ", "123", "4", " ??!\r\n\r\n", "ok"}},
		{PatternCL100K, "  \n\n  x(y", []string{"  \n\n", " ", " x", "(y"}},
		{PatternO200K, "HELLOworld don't URLs/a", []string{"HELLOworld", " don't", " URLs", "/a"}},
		{PatternO200K, "a//b\n", []string{"a", "//", "b", "\n"}},
		{PatternO200K, "日本語のテキスト", []string{"日本語のテキスト"}},
		{PatternCL100K, "\xff\xfeab", []string{"\xff\xfe", "ab"}},
		{PatternCL100K, "'ſa 'Ss", []string{"'ſ", "a", " '", "Ss"}},
	}
	for _, tc := range tests {
		if got := ourSplit(tc.p, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: got %q want %q", tc.p, tc.in, got, tc.want)
		}
		if utf8.ValidString(tc.in) {
			if ref := refSplit(t, tc.p, tc.in); !slices.Equal(ref, tc.want) {
				t.Errorf("%s %q: regexp2 gives %q, table says %q", tc.p, tc.in, ref, tc.want)
			}
		}
	}
}

// goUnicodeClass classifies r as regexp2 does: with Go's unicode tables,
// whose Unicode version (unicode.Version) is older than the generated ones.
func goUnicodeClass(r rune) uint8 {
	var f uint8
	switch {
	case unicode.Is(unicode.Lu, r) || unicode.Is(unicode.Lt, r):
		f |= cL | cUpper
	case unicode.Is(unicode.Ll, r):
		f |= cL | cLower
	case unicode.Is(unicode.Lm, r) || unicode.Is(unicode.Lo, r):
		f |= cL | cLmLo
	case unicode.IsNumber(r):
		f |= cN
	case unicode.Is(unicode.M, r):
		f |= cM
	}
	if unicode.Is(unicode.White_Space, r) {
		f |= cS
	}
	if r == '\r' || r == '\n' {
		f |= cNL
	}
	return f
}

// regexp2Comparable reports whether regexp2 classifies every character of s
// as the scanners do, so that comparing with it is meaningful. Characters
// assigned after Go's Unicode version are checked against tiktoken itself by
// TestUnicodeSweepTiktoken instead.
func regexp2Comparable(s string) bool {
	for _, r := range s {
		if goUnicodeClass(r) != classifyRune(r) {
			return false
		}
	}
	return true
}

// checkSame fails if our scanner and the reference regex split s
// differently. Strings regexp2 cannot judge (see regexp2Comparable) pass.
func checkSame(tb testing.TB, p Pattern, name, s string) bool {
	tb.Helper()
	if !regexp2Comparable(s) {
		return true
	}
	got, want := ourSplit(p, s), refSplit(tb, p, s)
	if slices.Equal(got, want) {
		return true
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	ctx := strings.Join(want[max(0, i-3):min(len(want), i+3)], "|")
	var g, w string
	if i < len(got) {
		g = got[i]
	}
	if i < len(want) {
		w = want[i]
	}
	tb.Errorf("%s %s: piece %d differs: ours %q, regex %q (regex context %q)", p, name, i, g, w, ctx)
	return false
}

// interesting runes: every class the patterns distinguish, with the
// classes o200k's letter alternatives overlap on (Lm, Lo, M).
var interesting = []rune{
	'a', 'Z', 'é', 'É', 'ǅ' /* Lt */, 'ʰ' /* Lm */, '日', 'ア', '\u0301' /* Mn */, '\u0903', /* Mc */
	'0', '٣', 'Ⅻ' /* Nl */, '½' /* No */, ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u2003', '\u3000', '\u2028', '\u0085',
	'\'', 's', 'S', 't', 'r', 'e', 'v', 'm', 'l', 'L', 'd', 'D', '/', '.', '!', '-', '😀', '\uFEFF', '\u200d', 'ſ', 'K', '\U0001D400', /* Lu, astral */
}

// TestGoUnicodeAgreesOutsideNewCharacters guards regexp2Comparable: the
// generated tables may only add to Go's (a newer Unicode version assigns
// unassigned code points; it never moves the ones the patterns test), so
// every code point Go assigns to a class must keep it.
func TestGoUnicodeAgreesOutsideNewCharacters(t *testing.T) {
	moved := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if g := goUnicodeClass(r); g != 0 && g != classifyRune(r) {
			if moved++; moved <= 5 {
				t.Errorf("U+%04X: Go's unicode class %08b, generated %08b", r, g, classifyRune(r))
			}
		}
	}
	if t.Failed() {
		t.Errorf("%d code points changed class between Unicode %s and %s", moved, unicode.Version, ucdVersion)
	}
}

func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(interesting[r.IntN(len(interesting))])
	}
	return b.String()
}

func TestSplitDifferentialRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range allPatterns {
		fails := 0
		for i := 0; i < 20000 && fails < 5; i++ {
			s := randomText(r, 1+r.IntN(12))
			if !checkSame(t, p, "random", s) {
				fails++
			}
		}
	}
}

// TestSplitDifferentialCorpus compares the scanners with the regexes on real
// text: by default the bounded sample of differentialDocs (every file, every
// script and hard case); with -corpus.full a window of every document of the
// corpus (the backtracking engine is slow, so not all of it).
func TestSplitDifferentialCorpus(t *testing.T) {
	docs := differentialDocs(t)
	budget := 64 << 10
	if testing.Short() {
		budget = 4 << 10
	}
	var total int
	for _, p := range allPatterns {
		fails := 0
		for _, d := range docs {
			s := d.Text
			if len(s) > budget {
				// A window from the middle; cut at a line start so both
				// splitters see the same string.
				off := len(s)/2 - budget/2
				if j := strings.IndexByte(s[off:], '\n'); j >= 0 {
					off += j + 1
				}
				s = strings.ToValidUTF8(s[off:min(len(s), off+budget)], "")
			}
			total += len(s)
			if !checkSame(t, p, d.Name, s) {
				fails++
				if fails > 5 {
					break
				}
			}
		}
	}
	t.Logf("compared %d bytes of corpus text", total)
}

// FuzzSplit checks the scanners against the regexes on fuzzer input.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"Hello world's  end\n\n x", "I'M 1234 ??!\r\n", "HELLOworld don't", "ʰa\u0301B'S", " \u00a0\n\t x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			// Invalid bytes are one-byte "other" characters for us; the
			// regexes see U+FFFD instead. Check the round trip only.
			for _, p := range allPatterns {
				if strings.Join(ourSplit(p, s), "") != s {
					t.Fatalf("%s: pieces do not cover %q", p, s)
				}
			}
			return
		}
		for _, p := range allPatterns {
			checkSame(t, p, "fuzz", s)
		}
	})
}
