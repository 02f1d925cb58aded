package commoncrawl

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// samplePath is the small WARC shipped for configs/mix.yaml.
const samplePath = "../../testdata/sample/commoncrawl/sample.warc.gz"

// sampleRecords picks whole records (by index) from corpus files: CC WARC,
// WET and WAT, a revisit, a chunked response, windows-1251 and GBK pages
// and a ClueWeb09 EUC-JP page (WARC/0.18), so one small file exercises
// every path of the reader.
var sampleRecords = []struct {
	file  string
	index []int // record numbers to copy, 0-based
}{
	{"whirlwind__whirlwind.warc.gz", []int{0, 1, 2, 3}},
	{"whirlwind__whirlwind.warc.wet.gz", []int{1}},
	{"whirlwind__whirlwind.warc.wat.gz", []int{1}},
	{"warcio__example.warc.gz", []int{0, 1, 2, 3, 4, 5}},
	{"warcio__example-iana.org-chunked.warc", []int{2}},
	{"resiliparse__warcfile.warc.gz", []int{1, 2, 3, 4, 5, 6, 7, 8, 9}},
	{"resiliparse__clueweb-quirk.warc.gz", []int{1, 2}},
	{"dolma__sample-0000.warc.gz", []int{1, 2, 3, 4}},
}

//go:generate go test -run ^$ . -args -write-sample

// writeSample makes the test binary rebuild the sample and exit instead of
// running tests; `go generate ./sources/commoncrawl` sets it (the directive
// above), so the generator is no test that always skips.
var writeSample = flag.Bool("write-sample", false, "rebuild "+samplePath+" from the shared corpus and exit")

func TestMain(m *testing.M) {
	flag.Parse()
	if *writeSample {
		if err := writeSampleFile(); err != nil {
			fmt.Fprintln(os.Stderr, "write sample:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writeSampleFile rebuilds the sample from the corpus: records are copied
// byte for byte (gzip members as they are, plain records gzipped one per
// member).
func writeSampleFile() error {
	root := corpustest.Root()
	if root == "" {
		return fmt.Errorf("shared corpus not found (../shared/corpus or CURATE_CORPUS)")
	}
	dir := filepath.Join(root, "commoncrawl")
	var out bytes.Buffer
	for _, sr := range sampleRecords {
		data, err := os.ReadFile(filepath.Join(dir, sr.file))
		if err != nil {
			return err
		}
		w, err := newWarcReader(bytes.NewReader(data), 0)
		if err != nil {
			return fmt.Errorf("%s: %w", sr.file, err)
		}
		var offs []int64
		for {
			rec, err := w.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", sr.file, err)
			}
			offs = append(offs, rec.offset)
		}
		offs = append(offs, int64(len(data)))
		for _, i := range sr.index {
			raw := data[offs[i]:offs[i+1]]
			if w.gz != nil {
				out.Write(raw)
				continue
			}
			zw := gzip.NewWriter(&out)
			zw.Write(raw)
			zw.Close()
		}
	}
	if out.Len() > 300<<10 {
		return fmt.Errorf("sample is %d bytes, want < 300 KB", out.Len())
	}
	return os.WriteFile(samplePath, out.Bytes(), 0o644)
}

// TestSample reads the shipped sample (no corpus needed).
func TestSample(t *testing.T) {
	if _, err := os.Stat(samplePath); err != nil {
		t.Fatalf("sample missing: %v", err)
	}
	docs, stats, recErrs, err := readAll(t, mustNew(t, DefaultOptions()), samplePath)
	if err != nil || len(recErrs) > 0 {
		t.Fatal(err, recErrs)
	}
	for k, v := range map[string]int64{"doc.html": 9, "doc.wet": 1, "record.revisit": 1, "record.wat": 1, "record.warcinfo": 3} {
		if stats[k] != v {
			t.Errorf("stats[%s] = %d, want %d (%v)", k, stats[k], v, stats)
		}
	}
	charsets := map[string]bool{}
	for _, d := range docs {
		charsets[d.Meta["charset"]] = true
		if htmlTag.MatchString(d.Text) || strings.Contains(d.Text, "<script") {
			t.Errorf("%s: markup left", d.URL)
		}
	}
	for _, cs := range []string{"utf-8", "windows-1251", "euc-jp"} {
		if !charsets[cs] {
			t.Errorf("no %s page in the sample (%v)", cs, charsets)
		}
	}
}
