package jsonl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

func readAll(t *testing.T, path string, opts Options) (docs []*doc.Document, recErrs []*doc.RecordError, final error) {
	t.Helper()
	src, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := src.Open(sources.Unit{Input: sources.Input{Path: path}, End: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return doc.ReadAll(r)
}

func TestReadLines(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name     string
		content  string
		opts     func(*Options)
		wantIDs  []string
		wantErrs []string // substrings, one per record error
	}{
		{"basic", `{"id":"a","text":"hello","url":"https://x","lang":"en","n":3,"nested":{"x":1}}` + "\n" + `{"text":"no id"}`, nil,
			[]string{"a", "2"}, nil},
		{"crlf and blank lines", "{\"text\":\"x\"}\r\n\r\n{\"text\":\"y\"}", nil, []string{"1", "3"}, nil},
		{"bad json skipped", `{"text":"ok"}` + "\n" + `{"text": oops}` + "\n" + `{"text":"after"}`, nil,
			[]string{"1", "3"}, []string{"line 2 (offset 14): bad JSON"}},
		{"missing text", `{"body":"x"}`, nil, nil, []string{`line 1 (offset 0): no "text" field`}},
		{"invalid utf8", "{\"text\":\"caf\xe9\"}\n{\"text\":\"ok\"}", nil, []string{"2"}, []string{"line 1 (offset 0): invalid UTF-8"}},
		{"custom field", `{"content":"code","path":"a.go"}`, func(o *Options) { o.TextField = "content"; o.MetaFields = []string{"path"} }, []string{"1"}, nil},
		{"line too long", `{"text":"` + strings.Repeat("x", 100) + `"}` + "\n" + `{"text":"y"}`, func(o *Options) { o.MaxLineBytes = 50 }, []string{"2"}, []string{"line 1 (offset 0): line longer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".jsonl")
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := DefaultOptions()
			if c.opts != nil {
				c.opts(&opts)
			}
			docs, errs, final := readAll(t, path, opts)
			if final != nil {
				t.Fatal(final)
			}
			var ids []string
			for _, d := range docs {
				ids = append(ids, d.ID)
			}
			if strings.Join(ids, ",") != strings.Join(c.wantIDs, ",") {
				t.Errorf("ids %v, want %v", ids, c.wantIDs)
			}
			if len(errs) != len(c.wantErrs) {
				t.Fatalf("record errors %v, want %v", errs, c.wantErrs)
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), c.wantErrs[i]) || !strings.Contains(e.Error(), path) {
					t.Errorf("error %q should name the file and contain %q", e.Error(), c.wantErrs[i])
				}
			}
		})
	}
}

func TestMetaAndURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	os.WriteFile(path, []byte(`{"id":7,"text":"t","url":"https://e.org","score":1.5,"ok":true,"arr":[1]}`), 0o644)
	docs, _, err := readAll(t, path, DefaultOptions())
	if err != nil || len(docs) != 1 {
		t.Fatal(err, docs)
	}
	d := docs[0]
	if d.ID != "7" || d.URL != "https://e.org" || d.Meta["score"] != "1.5" || d.Meta["ok"] != "true" {
		t.Errorf("got %+v", d)
	}
	if _, ok := d.Meta["arr"]; ok {
		t.Errorf("arrays must not go into meta")
	}
}

func TestTruncatedCompressedInput(t *testing.T) {
	// A gzip cut short: records before the break are kept, then a final
	// error names the file and the compressed offset.
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		b.WriteString(`{"text":"line number ` + strings.Repeat("x", i%50) + `"}` + "\n")
	}
	gz := gzipBytes(t, []byte(b.String()))
	path := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(path, gz[:len(gz)*2/3], 0o644)
	docs, _, final := readAll(t, path, DefaultOptions())
	if final == nil || !strings.Contains(final.Error(), path) || !strings.Contains(final.Error(), "truncated") {
		t.Fatalf("want a truncation error naming the file, got %v", final)
	}
	if len(docs) < 500 {
		t.Fatalf("only %d records kept before the break", len(docs))
	}
}
