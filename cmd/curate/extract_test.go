package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func TestExtractCommand(t *testing.T) {
	dir := t.TempDir()
	body := "<html><body><nav><a href=/>Home</a> <a href=/x>Sections</a></nav><article>" +
		strings.Repeat("<p>This is a long paragraph of ordinary prose, written so that the extractor sees an article body here.</p>", 4) +
		"<p>Open <strong>data</strong> that can be <strong>accessed</strong> by anyone, for any purpose at all, says the page.</p></article></body></html>"
	plain := filepath.Join(dir, "a.html")
	if err := os.WriteFile(plain, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body))
	zw.Close()
	zipped := filepath.Join(dir, "b.html.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"trafilatura", "fast"} {
		var out, errb bytes.Buffer
		if code := run([]string{"extract", "--extractor", name, plain, zipped}, nil, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errb.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: %d lines, want 2:\n%s", name, len(lines), out.String())
		}
		for i, l := range lines {
			var rec struct{ File, Text string }
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.File != []string{plain, zipped}[i] || !strings.Contains(rec.Text, "Open data that can be accessed by anyone") {
				t.Errorf("%s: line %d = %+v", name, i, rec)
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"extract", "--extractor", "nope", plain}, nil, &out, &errb); code != exitUsage {
		t.Errorf("unknown extractor: exit %d, want %d", code, exitUsage)
	}
}
