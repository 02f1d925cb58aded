package commoncrawl

import (
	"bytes"
	"io"
	"testing"

	"github.com/curate-dev/curate/internal/torture"
	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources/commoncrawl/extract"
)

// FuzzWARCReader: the record reader over plain and gzip WARC never panics
// and never hands out more block bytes than the input holds.
func FuzzWARCReader(f *testing.F) {
	f.Add([]byte("WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 4\r\n\r\nabcd\r\n\r\n"))
	for _, s := range torture.Seeds(32<<10, []string{".warc", ".warc.gz"}, "../../testdata/sample/commoncrawl", corpustest.Root()+"/commoncrawl") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := newWarcReader(bytes.NewReader(b), 0)
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			rec, err := w.next()
			if err != nil {
				if !w.resync() {
					return
				}
				continue
			}
			n, _ := io.Copy(io.Discard, rec.block)
			if n > int64(len(b))*1100 {
				t.Fatalf("block of %d bytes from %d of input", n, len(b))
			}
		}
	})
}

// FuzzHTTPAndHTML: the HTTP envelope parser and the HTML extraction entry
// never panic on a record block.
func FuzzHTTPAndHTML(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<html><head><title>t</title></head><body><p>Hello w\xe9rld, a paragraph of text.</p></body></html>"))
	f.Add([]byte("HTTP/1.0 301\r\nLocation: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200\r\n\r\n<meta charset=shift_jis><p>\x82\xa0</p>"))
	extractors := []extract.Extractor{extract.NewFast(extract.Options{}), extract.NewTrafilatura(extract.Options{})}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseHTTP(b)
		if err != nil || !isHTML(p) {
			return
		}
		body, _ := toUTF8(p.body, "")
		for _, x := range extractors {
			x.Extract(body, "http://example.com/")
		}
	})
}
