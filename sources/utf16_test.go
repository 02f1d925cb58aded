package sources

import (
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func TestSniffUTF16(t *testing.T) {
	enc := func(order unicode.Endianness, s string) []byte {
		b, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	text := "<mediawiki>\n  <page>\n    <title>Mërė</title> Šveicarėjė, 1234 — kalba\n"
	cases := []struct {
		name string
		in   []byte
		want TextEncoding
	}{
		{"utf-8", []byte(text), NotUTF16},
		{"latin-1", []byte("caf\xe9 na\xefve r\xe9sum\xe9 \xa9 1999"), NotUTF16},
		{"utf-16le", enc(unicode.LittleEndian, text), UTF16LE},
		{"utf-16be", enc(unicode.BigEndian, text), UTF16BE},
		{"cjk utf-16le with markup", enc(unicode.LittleEndian, "<text>日本語の文章です。\n東京都</text>\n"), UTF16LE},
		{"binary", []byte("\x00\x00\x01\x02PK\x03\x04\x00\x00\x00\x08\x00\x00abc\x00\x00\x00\x00"), Binary},
		{"tiny", []byte("ab"), NotUTF16},
	}
	for _, c := range cases {
		if got := SniffUTF16(c.in); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
