package pipeline

import (
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		counter        string
	}{
		{"already clean", "a\nb", "a\nb", ""},
		{"windows line endings", "Who knew?\r\n\r\nMuch fun!\r\n", "Who knew?\n\nMuch fun!\n", "normalize.crlf_docs"},
		{"bare carriage return", "one\rtwo", "one\ntwo", "normalize.crlf_docs"},
		{"NUL", "a\x00b", "ab", "normalize.nul_docs"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb", "normalize.invalid_utf8_docs"},
		{"NFC", "e\u0301", "\u00e9", "normalize.nfc_docs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &doc.Document{Text: tc.in}
			c := doc.Counts{}
			normalize(d, c)
			if d.Text != tc.want {
				t.Errorf("got %q, want %q", d.Text, tc.want)
			}
			if tc.counter != "" && c[tc.counter] != 1 {
				t.Errorf("counters %v, want %s", c, tc.counter)
			}
			if tc.counter == "" && len(c) != 0 {
				t.Errorf("counters %v for clean text", c)
			}
		})
	}
}
