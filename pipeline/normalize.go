package pipeline

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/curate-dev/curate/pipeline/doc"
)

// normalize makes text what every stage may assume: valid UTF-8, NFC, no
// NUL bytes, lines ending in "\n" alone. It runs here, once for every
// source, because dumps keep whatever line endings their writers used
// (Reddit bodies typed on Windows keep "\r\n", old Mac files a bare "\r"),
// and a stray "\r" splits words for the filters, the tokenizer and dedup.
// What it changed is counted so a source that feeds such bytes shows in the
// report.
func normalize(d *doc.Document, c doc.Counter) {
	t := d.Text
	if !utf8.ValidString(t) {
		t = strings.ToValidUTF8(t, "\uFFFD")
		c.Add("normalize.invalid_utf8_docs", 1)
	}
	if strings.IndexByte(t, 0) >= 0 {
		t = strings.ReplaceAll(t, "\x00", "")
		c.Add("normalize.nul_docs", 1)
	}
	if strings.IndexByte(t, '\r') >= 0 {
		t = strings.ReplaceAll(t, "\r\n", "\n")
		t = strings.ReplaceAll(t, "\r", "\n")
		c.Add("normalize.crlf_docs", 1)
	}
	// The quick check answers "already NFC" for almost all text without
	// allocating; only the rest pays for the transform.
	if !norm.NFC.IsNormalString(t) {
		t = norm.NFC.String(t)
		c.Add("normalize.nfc_docs", 1)
	}
	d.Text = t
}
