package commoncrawl

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

var metaCharsetRe = regexp.MustCompile(`(?i)<meta[^>]*charset[^>]*>`)

// TestLyingCharsetOnRealPage takes the corpus's real GBK page, removes its
// declarations and puts an archive toolbar's <script charset="utf-8"> at
// the top, the case issue 17 names: the page must still decode as GB
// Chinese, by detection, not as windows-1252 mojibake.
func TestLyingCharsetOnRealPage(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	f, err := os.Open(filepath.Join(dir, "resiliparse__warcfile.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := newWarcReader(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for {
		rec, err := w.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.get("WARC-Type") != "response" {
			continue
		}
		block, _ := io.ReadAll(rec.block)
		p, err := parseHTTP(block)
		if err != nil || !isHTML(p) {
			continue
		}
		want, cs := toUTF8(p.body, p.charsetHdr)
		if cs != "gbk" {
			continue
		}
		lying := append([]byte(`<html><head><script charset="utf-8" src="/static/toolbar.js"></script>`), metaCharsetRe.ReplaceAll(p.body, nil)...)
		got, gotCS := toUTF8(lying, "")
		if gotCS != "gb18030" && gotCS != "gbk" {
			t.Errorf("%s: decoded as %s, want GB detection", rec.get("WARC-Target-URI"), gotCS)
		}
		han := hanRun(string(want))
		if len(han) < 8 || !strings.Contains(string(got), han) {
			t.Errorf("%s: Chinese text %q missing after detection", rec.get("WARC-Target-URI"), han)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no GBK page in the corpus file")
	}
}

// hanRun is the first run of at least 8 Han characters.
func hanRun(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			b.WriteRune(r)
			continue
		}
		if b.Len() >= 8*3 {
			return b.String()
		}
		b.Reset()
	}
	return b.String()
}

// TestExtractLimitsCounted runs a corpus file with a tiny HTML size limit:
// every HTML page is skipped and counted as skip.extract_too_large.
func TestExtractLimitsCounted(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	o := DefaultOptions()
	o.MaxHTMLBytes = 100
	docs, stats, _, err := readAll(t, mustNew(t, o), filepath.Join(dir, "dolma__sample-0000.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 0 || stats["skip.extract_too_large"] != 22 {
		t.Errorf("%d docs, stats %v; want 0 docs and 22 skip.extract_too_large", len(docs), stats)
	}
}
