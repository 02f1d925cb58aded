package filter

import (
	"strings"
	"testing"
)

// TestLowerASCII checks the eight-bytes-at-a-time lowering against the
// byte loop on every byte value at every offset, and on real-looking text.
func TestLowerASCII(t *testing.T) {
	var all []byte
	for b := 0; b < 256; b++ {
		all = append(all, byte(b))
	}
	inputs := []string{"", "A", "Hello, World! JAVASCRIPT Lorem Ipsum", "ÄÖÜ Größe ΑΒΓ Привет @[`{", strings.Repeat("AZaz@[`{", 9)}
	for off := 0; off < 8; off++ {
		inputs = append(inputs, string(all[off:]))
	}
	for _, in := range inputs {
		want := []byte(in)
		for i, c := range want {
			if c >= 'A' && c <= 'Z' {
				want[i] = c + 'a' - 'A'
			}
		}
		if got := lowerASCII(nil, in); string(got) != string(want) {
			t.Errorf("lowerASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestASCIIChunksLowerBound checks that the run count enoughTokens uses as
// a shortcut never exceeds the token count, including runs of Unicode
// spaces, CJK without spaces and punctuation-only runs.
func TestASCIIChunksLowerBound(t *testing.T) {
	for _, in := range []string{
		"", " ", "a", "a b c", "... -- !!", "\u00a0 \u3000 \u2003 x", "日本語の文章です。 そして",
		"don't e-mail 3.14 U.S.A.", "\t\n\r\v\f", "a\u00a0b c", "Ελληνικά κείμενα, Привет мир!",
	} {
		toks := len(tokenize(in, nil))
		for k := 1; k <= toks+2; k++ {
			if asciiChunksAtLeast(in, k) && toks < k {
				t.Errorf("%q: run count claims >= %d, tokens %d", in, k, toks)
			}
		}
	}
}
