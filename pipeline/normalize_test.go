package pipeline

import (
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/curate-dev/curate/pipeline/doc"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		counts         doc.Counts
	}{
		{"clean text is left alone", "Plain café, 日本語.", "Plain café, 日本語.", doc.Counts{}},
		{"empty", "", "", doc.Counts{}},
		{"invalid bytes become U+FFFD", "caf\xe9 \xff\xfe!", "caf\uFFFD \uFFFD!", doc.Counts{"normalize.invalid_utf8_docs": 1}},
		{"truncated sequence", "日本\xe8\xaa", "日本\uFFFD", doc.Counts{"normalize.invalid_utf8_docs": 1}},
		{"NUL bytes removed", "a\x00b\x00\x00c", "abc", doc.Counts{"normalize.nul_docs": 1}},
		{"NFD to NFC", "cafe\u0301 A\u030a", "café Å", doc.Counts{"normalize.nfc_docs": 1}},
		{"Hangul jamo composed", "\u1112\u1161\u11ab", "한", doc.Counts{"normalize.nfc_docs": 1}},
		{"singleton (Ohm sign) to NFC", "\u2126", "\u03a9", doc.Counts{"normalize.nfc_docs": 1}},
		{"all three at once, counted once each", "\xff\x00e\u0301\x00\xc0", "\uFFFDé\uFFFD",
			doc.Counts{"normalize.invalid_utf8_docs": 1, "normalize.nul_docs": 1, "normalize.nfc_docs": 1}},
		{"NUL removal joins a base and its mark", "e\x00\u0301", "é", doc.Counts{"normalize.nul_docs": 1, "normalize.nfc_docs": 1}},
		{"windows line endings", "Who knew?\r\n\r\nMuch fun!\r\n", "Who knew?\n\nMuch fun!\n", doc.Counts{"normalize.crlf_docs": 1}},
		{"bare carriage return", "one\rtwo", "one\ntwo", doc.Counts{"normalize.crlf_docs": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &doc.Document{Text: tc.in}
			c := doc.Counts{}
			normalize(d, c)
			if d.Text != tc.want {
				t.Errorf("text %q, want %q", d.Text, tc.want)
			}
			if !maps.Equal(c, tc.counts) {
				t.Errorf("counters %v, want %v", c, tc.counts)
			}
			// Normalising again changes and counts nothing.
			again := doc.Counts{}
			before := d.Text
			normalize(d, again)
			if d.Text != before || len(again) != 0 {
				t.Errorf("second pass changed %q to %q, counted %v", before, d.Text, again)
			}
		})
	}
}

// TestNormalizeRandom feeds random byte strings built from the pieces that
// break text (invalid bytes, NUL, combining marks, decomposed letters) and
// checks the contract every stage relies on.
func TestNormalizeRandom(t *testing.T) {
	pieces := []string{"a", "e", " ", "\x00", "\xff", "\xe8\xaa", "\u0301", "\u0308", "\u1100", "\u1161", "é", "日", "\r\n", "\r", "\uFEFF"}
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 3000; i++ {
		var b strings.Builder
		for n := r.IntN(30); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		in := b.String()
		d := &doc.Document{Text: in}
		c := doc.Counts{}
		normalize(d, c)
		out := d.Text
		if !utf8.ValidString(out) || strings.IndexByte(out, 0) >= 0 || !norm.NFC.IsNormalString(out) {
			t.Fatalf("normalize(%q) = %q: not valid NFC UTF-8 without NUL", in, out)
		}
		if (c["normalize.invalid_utf8_docs"] == 1) == utf8.ValidString(in) {
			t.Fatalf("normalize(%q): invalid_utf8_docs = %d", in, c["normalize.invalid_utf8_docs"])
		}
		if (c["normalize.nul_docs"] == 1) != strings.Contains(in, "\x00") {
			t.Fatalf("normalize(%q): nul_docs = %d", in, c["normalize.nul_docs"])
		}
		if (c["normalize.crlf_docs"] == 1) != strings.Contains(in, "\r") || strings.IndexByte(out, '\r') >= 0 {
			t.Fatalf("normalize(%q) = %q: crlf_docs = %d", in, out, c["normalize.crlf_docs"])
		}
		lf := strings.NewReplacer("\r\n", "\n", "\r", "\n")
		if want := norm.NFC.String(lf.Replace(strings.ReplaceAll(strings.ToValidUTF8(in, "\uFFFD"), "\x00", ""))); out != want {
			t.Fatalf("normalize(%q) = %q, want %q", in, out, want)
		}
	}
}
