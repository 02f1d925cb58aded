package reddit

import "testing"

func TestUnescapeMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"named, stored once escaped", "Fish &amp; chips &gt; pizza", "Fish & chips > pizza"},
		{"apostrophe as decimal reference", "it&amp;#39;s", "it's"},
		{"reference stored unescaped", "it&#39;s", "it's"},
		{"hex reference", "a&amp;#x2014;b", "a\u2014b"},
		{"editor's zero-width spacer paragraph", "First.\n\n&amp;#x200B;\n\nSecond.", "First.\n\n\n\nSecond."},
		{"spacer inside text stays a character", "a&amp;#x200B;b", "a\u200bb"},
		{"named reference the user typed stays", "write &amp;amp; in HTML", "write &amp; in HTML"},
		{"not a reference", "&amp;#zz; and &amp;#;", "&#zz; and &#;"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unescapeMarkdown(tc.in); got != tc.want {
				t.Errorf("unescapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
