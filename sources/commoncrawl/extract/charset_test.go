package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

func gbk(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jis(t *testing.T, s string) string {
	t.Helper()
	b, err := japanese.ISO2022JP.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestToUTF8(t *testing.T) {
	zh := "中华人民共和国是世界上人口最多的国家之一，首都北京。这里有悠久的历史和灿烂的文化，每年都有很多游客来参观。"
	tests := []struct {
		name, header string
		body         string
		want, cs     string
	}{
		{"header wins", "windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет", "windows-1251"},
		{"meta charset", "", `<meta charset="koi8-r"><p>` + "\xf0\xd2\xc9\xd7\xc5\xd4", `<meta charset="koi8-r"><p>Привет`, "koi8-r"},
		{"meta http-equiv", "", `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>` + "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет", "windows-1251"},
		{"valid utf-8 without declaration", "", "<p>Grüße, 世界</p>", "<p>Grüße, 世界</p>", "utf-8"},
		{"bom", "", "\xef\xbb\xbf<p>x</p>", "<p>x</p>", "utf-8"},
		// The known bug: a toolbar's <script charset> is no declaration;
		// the GB2312 bytes must be detected, not read as windows-1252.
		{"script charset is not a declaration", "", `<html><head><script charset="utf-8" src="/toolbar.js"></script></head><body><p>` + gbk(t, zh) + `</p></body></html>`, zh, "gb18030"},
		{"content without http-equiv is not a declaration", "", `<meta name="x" content="charset=utf-8"><p>` + gbk(t, zh) + `</p>`, zh, "gb18030"},
		// Declarations the bytes contradict.
		{"latin-1 declared, utf-8 bytes", "", `<meta charset="iso-8859-1"><p>Grüße aus Köln</p>`, "Grüße aus Köln", "utf-8"},
		{"header latin-1, utf-8 bytes", "iso-8859-1", `<p>Grüße aus Köln</p>`, "Grüße aus Köln", "utf-8"},
		{"utf-8 declared, windows-1252 bytes", "", `<meta charset="utf-8"><p>The editors` + "\x92" + ` note: a ` + "\x93" + `new` + "\x94" + ` choice for readers of this page, once more, with feeling.</p>`, "editors’ note: a “new” choice", "windows-1252"},
		{"gbk declared, gbk bytes", "", `<meta charset="gb2312"><p>` + gbk(t, zh), zh, "gbk"},
		{"utf-16 meta on ascii", "", `<meta charset="utf-16"><p>plain</p>`, "<p>plain</p>", "utf-8"},
		{"utf-8 cut mid-character at the end", "", "<p>Grüße 世界" + "\xe4\xb8", "Grüße 世界", "utf-8"},
		{"undeclared iso-2022-jp", "", "<p>" + jis(t, "日本語のテキストです。") + "</p>", "日本語のテキストです。", "iso-2022-jp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cs := ToUTF8([]byte(tc.body), tc.header)
			if !strings.Contains(string(got), tc.want) || cs != tc.cs {
				t.Errorf("got %q (%s), want %q (%s)", got, cs, tc.want, tc.cs)
			}
		})
	}
}

func TestMetaCharsetOnlyMeta(t *testing.T) {
	for html, want := range map[string]string{
		`<script charset="utf-8"></script><meta charset="windows-1251">`:          "windows-1251",
		`<link charset="utf-8"><a charset="koi8-r">x</a>`:                         "",
		`<META HTTP-EQUIV="content-type" CONTENT="text/html; charset=Shift_JIS">`: "shift_jis",
		`<meta content="text/html; charset='euc-kr'" http-equiv="Content-Type">`:  "euc-kr",
		`<meta content="text/html; charset=euc-kr">`:                              "",
		`<!-- <meta charset="koi8-r"> --><meta charset="iso-8859-2">`:             "iso-8859-2",
		`<meta charset="no-such-charset"><meta charset="utf-8">`:                  "utf-8",
	} {
		if _, got := MetaCharset([]byte(html)); got != want {
			t.Errorf("MetaCharset(%s) = %q, want %q", html, got, want)
		}
	}
}

// TestCharsetOfBenchmarkPages decodes real pages whose declarations lie:
// L3S-GN1 pages declare ISO-8859-1 but are UTF-8; three CleanPortalEval
// pages say utf-8 but hold Windows-1252 smart quotes.
func TestCharsetOfBenchmarkPages(t *testing.T) {
	root := corpustest.Dir(t, "html-eval")
	l3s, _ := filepath.Glob(filepath.Join(root, "l3s-gn1", "original", "*.html"))
	if len(l3s) == 0 {
		t.Fatal("no L3S-GN1 pages")
	}
	latin1 := 0
	for _, f := range l3s {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, name := MetaCharset(head(b, 1024)); name == "windows-1252" {
			latin1++
		}
		got, cs := ToUTF8(b, "")
		_, multi, _ := utf8Stats(b)
		// Pure ASCII decodes the same under any declared charset.
		if string(got) != string(b) || (multi > 0 && cs != "utf-8") {
			t.Errorf("%s: decoded as %s, want the UTF-8 bytes unchanged", filepath.Base(f), cs)
		}
	}
	if latin1 < 10 {
		t.Errorf("only %d L3S pages declare Latin-1: the test no longer tests lying pages", latin1)
	}
	for _, stem := range []string{"washingtonpost.com_blog1_0", "washingtonpost.com_blog2_1", "washingtonpost.com_blog2_2"} {
		b, err := os.ReadFile(filepath.Join(root, "cleanportaleval", "input", stem+".html"))
		if err != nil {
			t.Fatal(err)
		}
		got, cs := ToUTF8(b, "utf-8")
		if !utf8.Valid(got) || strings.ContainsRune(string(got), utf8.RuneError) {
			t.Errorf("%s (%s): replacement characters", stem, cs)
		}
		if !strings.ContainsAny(string(got), "‘’") {
			t.Errorf("%s (%s): smart quotes lost", stem, cs)
		}
	}
}
