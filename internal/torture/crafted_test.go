package torture

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBombs feeds every line- and record-reading source a small file that
// expands to far more than any record may hold: memory must stay bounded,
// and the oversized record must be reported, not buffered.
func TestBombs(t *testing.T) {
	size := int64(128 << 20)
	if *full {
		size = 3 << 30
	}
	for _, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			kind := k.build(t)
			data := GzipBomb(size, 'a', k.bombLine)
			if strings.HasSuffix(k.bombName, ".zst") {
				data = ZstdBomb(size, 'a', k.bombLine)
			}
			if k.kind == "wikipedia" {
				// No <page> after the opening: the header scan must not hold it.
				var b bytes.Buffer
				b.WriteString("<mediawiki><siteinfo><sitename>Bomb</sitename></siteinfo>")
				data = append(gzipOf(t, b.Bytes()), data...)
			}
			m := Mutant{Class: "decompression bomb", Name: k.bombName, Data: data, Cut: 0}
			res := runCase(t, k, kind, k.bombName, m, nil, AnyDocs)
			t.Logf("%s: %d KiB expanding to %d MiB: heap +%d MiB, %d docs, %d skipped, final %v", k.bombName, len(data)>>10, size>>20, res.PeakHeap>>20, len(res.Docs), len(res.Skipped), res.Final)
		})
	}
}

func gzipOf(t *testing.T, b []byte) []byte {
	var out bytes.Buffer
	zw := newGzip(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// TestArchiveTraps: names that climb out of the archive, and declared sizes
// no archive holds.
func TestArchiveTraps(t *testing.T) {
	k := kinds[len(kinds)-1] // github, here taking files of no known licence
	k.block = "github: {allow_unlicensed: true}"
	kind := k.build(t)
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	add := func(name string, body string, size int64) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)})
		tw.Write([]byte(body))
	}
	code := func(pkg string) string {
		var b strings.Builder
		b.WriteString("// Package " + pkg + " is a test fixture.\npackage " + pkg + "\n\nimport \"fmt\"\n\n")
		for i := 0; i < 20; i++ {
			fmt.Fprintf(&b, "// F%d prints its number.\nfunc F%d() { fmt.Println(%d) }\n\n", i, i, i)
		}
		return b.String()
	}
	for _, n := range []string{"repo/main.go", "../../evil.go", "repo/../../../etc/passwd.go"} {
		body := code(strings.TrimSuffix(filepath.Base(n), ".go"))
		add(n, body, int64(len(body)))
	}
	tw.Flush()
	raw := tb.Bytes()
	// An entry declaring a terabyte, with a few bytes behind it.
	var huge bytes.Buffer
	htw := tar.NewWriter(&huge)
	htw.WriteHeader(&tar.Header{Name: "repo/big.go", Mode: 0o644, Size: 1 << 40, Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)})
	hb := append(bytes.Clone(raw[:len(raw)-0]), huge.Bytes()[:512]...)
	hb = append(hb, []byte("package big\n")...)

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for _, n := range []string{"repo/ok.go", "../evil.go", "/abs/root.go"} {
		w, _ := zw.Create(n)
		w.Write([]byte(code("x")))
	}
	zw.Close()

	for _, c := range []struct {
		name string
		data []byte
	}{{"traversal.tar", raw}, {"absurd-size.tar", hb}, {"traversal.zip", zb.Bytes()}} {
		m := Mutant{Class: "archive trap", Name: c.name, Data: c.data, Cut: 0}
		res := runCase(t, k, kind, c.name, m, nil, AnyDocs)
		for _, d := range res.Docs {
			if strings.Contains(d.ID, "..") || strings.HasPrefix(d.Meta["path"], "/") {
				t.Errorf("%s: document %q escapes the archive", c.name, d.ID)
			}
		}
		if c.name != "absurd-size.tar" && len(res.Docs) < 2 {
			t.Errorf("%s: %d documents; the files must still be read, under safe names", c.name, len(res.Docs))
		}
		if c.name == "absurd-size.tar" && res.Final == nil {
			t.Errorf("%s: a terabyte entry with no data behind it must end the input with an error", c.name)
		}
		t.Logf("%s: %d docs, final %v", c.name, len(res.Docs), res.Final)
	}
}

// TestMarkupTraps: an XML entity-expansion bomb, a WARC record whose
// Content-Length runs past the file, a directory and a symlink loop where
// a file is expected.
func TestMarkupTraps(t *testing.T) {
	wiki, warc, books := kinds[3], kinds[2], kinds[0]
	var lol strings.Builder
	lol.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n")
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := "lol" + string(rune('0'+i))
		lol.WriteString("<!ENTITY " + name + " \"" + strings.Repeat("&"+prev+";", 10) + "\">\n")
		prev = name
	}
	lol.WriteString("]>\n<mediawiki><siteinfo><sitename>X</sitename></siteinfo><page><title>Lol</title><ns>0</ns><id>1</id><revision><id>1</id><text>&lol9; and some real words here</text></revision></page></mediawiki>\n")
	res := runCase(t, wiki, wiki.build(t), "lolz.xml", Mutant{Class: "xml entity bomb", Name: "billion laughs", Data: []byte(lol.String())}, nil, AnyDocs)
	for _, d := range res.Docs {
		if len(d.Text) > 1<<20 {
			t.Errorf("entity bomb expanded to %d bytes", len(d.Text))
		}
	}

	rec := "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://example.com/\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
	body := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>" + strings.Repeat("A real paragraph of text. ", 20) + "</p></body></html>"
	good := strings.Replace(rec, "%d", itoa(len(body)), 1) + body + "\r\n\r\n"
	past := strings.Replace(rec, "%d", "99999999", 1) + body
	res = runCase(t, warc, warc.build(t), "past-eof.warc", Mutant{Class: "warc content-length past eof", Name: "99999999 declared", Data: []byte(good + past)}, nil, AnyDocs)
	if res.Final == nil || len(res.Docs) != 1 {
		t.Errorf("Content-Length past the end: %d docs, final %v; want the good record and an error", len(res.Docs), res.Final)
	}

	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "adir.txt"), 0o755)
	os.Symlink(filepath.Join(dir, "loop-b.txt"), filepath.Join(dir, "loop-a.txt"))
	os.Symlink(filepath.Join(dir, "loop-a.txt"), filepath.Join(dir, "loop-b.txt"))
	bk := books.build(t)
	for _, name := range []string{"adir.txt", "loop-a.txt"} {
		p := filepath.Join(dir, name)
		r := Read(bk, p, -1, limits().Time)
		var bad []string
		if r.Panic != nil || r.Hung {
			bad = append(bad, "panic or hang")
		}
		if r.Final == nil || !strings.Contains(r.Final.Error(), name) {
			// The path is the whole location here: there is no offset.
			bad = append(bad, fmt.Sprintf("want an error naming %s, got %v", name, r.Final))
		}
		if len(bad) > 0 {
			t.Errorf("%s: %s", name, strings.Join(bad, "; "))
		}
		report.Add("Input faults", "not a file (directory, symlink loop)", "books", "input refused", len(bad) > 0, r.PeakHeap)
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n))
}
