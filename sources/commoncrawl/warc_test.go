package commoncrawl

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
)

func warcRec(typ, uri, ctype, body string) string {
	h := "WARC/1.1\r\n"
	if typ != "" {
		h += "WARC-Type: " + typ + "\r\n"
	}
	return h + "WARC-Target-URI: " + uri + "\r\nWARC-Record-ID: <urn:uuid:" + uri + ">\r\nWARC-Date: 2024-01-02T03:04:05Z\r\n" +
		"Content-Type: " + ctype + "\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n" + body + "\r\n\r\n"
}

func fakePage(title, text string) string {
	return "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><title>" + title +
		"</title></head><body><article><p>" + text + "</p></article></body></html>"
}

const longText = "The quick brown fox jumps over the lazy dog near the river bank, and then it runs far away into the forest to find its friends who were waiting there all day long for it to come back home."

func gzEach(recs ...string) string {
	var b bytes.Buffer
	for _, r := range recs {
		w := gzip.NewWriter(&b)
		w.Write([]byte(r))
		w.Close()
	}
	return b.String()
}

func gzWhole(recs ...string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(strings.Join(recs, "")))
	w.Close()
	return b.String()
}

func TestWarcReaderShapes(t *testing.T) {
	page := warcRec("response", "http://a.example/", "application/http; msgtype=response", fakePage("A", longText))
	wet := warcRec("conversion", "http://b.example/", "text/plain", "Plain text of page b.\nSecond line.")
	noType := warcRec("", "http://c.example/", "text/plain", "x")
	tests := []struct {
		name       string
		data       string
		wantDocs   int
		wantRecErr int
		wantErr    string
	}{
		{"plain", page + wet, 2, 0, ""},
		{"gzip per record", gzEach(page, wet), 2, 0, ""},
		{"gzip whole file", gzWhole(page, wet, page), 3, 0, ""},
		{"LF-only headers", strings.ReplaceAll(warcRec("conversion", "http://d/", "text/plain", "hello"), "\r\n", "\n"), 1, 0, ""},
		{"record without WARC-Type is skipped", page + noType + wet, 2, 1, ""},
		{"bad version line ends the input", page + "HTTP/1.1 200 OK\r\n\r\n", 1, 0, "expected a WARC/ version line"},
		{"bad Content-Length", page + strings.Replace(wet, "Content-Length: ", "Content-Length: x", 1), 1, 0, "bad Content-Length"},
		{"block cut short", page + wet[:len(wet)-20], 1, 0, "truncated"},
		// Only the last member's trailer is lost: both records are whole.
		{"gzip trailer cut off", gzEach(page, wet)[:len(gzEach(page, wet))-6], 2, 0, "truncated"},
		{"gzip member cut in the middle", gzEach(page, wet)[:len(gzEach(page))+30], 1, 0, "truncated"},
		{"empty file", "", 0, 0, ""},
	}
	s := mustNew(t, DefaultOptions())
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, fmt.Sprintf("t%d.warc", i))
			os.WriteFile(p, []byte(tc.data), 0o644)
			docs, _, recErrs, err := readAll(t, s, p)
			if tc.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), p)) {
				t.Fatalf("err = %v, want %q naming the file", err, tc.wantErr)
			}
			if len(docs) != tc.wantDocs || len(recErrs) != tc.wantRecErr {
				t.Errorf("%d docs, %d record errors; want %d, %d (%v)", len(docs), len(recErrs), tc.wantDocs, tc.wantRecErr, recErrs)
			}
			for _, e := range recErrs {
				var re *doc.RecordError
				if !errors.As(e, &re) || re.Offset <= 0 {
					t.Errorf("record error without offset: %v", e)
				}
			}
		})
	}
}

func TestWarcReaderOffsets(t *testing.T) {
	a := warcRec("conversion", "http://a/", "text/plain", "alpha")
	b := warcRec("conversion", "http://b/", "text/plain", "beta")
	data := gzEach(a, b)
	first := len(gzEach(a))
	w, err := newWarcReader(strings.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for {
		rec, err := w.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, rec.offset)
	}
	if len(offs) != 2 || offs[0] != 0 || offs[1] != int64(first) {
		t.Errorf("offsets %v, want [0 %d]", offs, first)
	}
}
