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
