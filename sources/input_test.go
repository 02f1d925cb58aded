package sources

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

func compressWith(t *testing.T, kind Compression, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch kind {
	case Gzip:
		w := gzip.NewWriter(&buf)
		w.Write(data)
		w.Close()
	case Zstd:
		w, _ := zstd.NewWriter(&buf, zstd.WithWindowSize(1<<22))
		w.Write(data)
		w.Close()
	case XZ:
		w, _ := xz.NewWriter(&buf)
		w.Write(data)
		w.Close()
	case Bzip2:
		if _, err := exec.LookPath("bzip2"); err != nil {
			t.Skip("bzip2 binary not installed; Go has no bzip2 writer")
		}
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return out
	default:
		return data
	}
	return buf.Bytes()
}

func TestOpenDetectsAndReportsTruncation(t *testing.T) {
	data := bytes.Repeat([]byte("All work and no play makes Jack a dull boy.\n"), 20000)
	for _, kind := range []Compression{Plain, Gzip, Bzip2, XZ, Zstd} {
		t.Run(string(kind), func(t *testing.T) {
			dir := t.TempDir()
			comp := compressWith(t, kind, data)
			full := filepath.Join(dir, "full.bin")
			os.WriteFile(full, comp, 0o644)
			s, err := Open(full)
			if err != nil {
				t.Fatal(err)
			}
			if s.Compression != kind {
				t.Fatalf("detected %s, want %s", s.Compression, kind)
			}
			got, err := io.ReadAll(s)
			s.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("round trip failed: %v (%d bytes)", err, len(got))
			}
			if kind == Plain {
				return
			}
			cut := filepath.Join(dir, "cut.bin")
			os.WriteFile(cut, comp[:len(comp)/2], 0o644)
			s, err = Open(cut)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, err = io.ReadAll(s)
			if err == nil {
				t.Fatal("truncated input read without error")
			}
			if !strings.Contains(err.Error(), cut) || !strings.Contains(err.Error(), "compressed byte") {
				t.Fatalf("error should name file and offset: %v", err)
			}
		})
	}
}

func TestOpenBadPaths(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.txt"), "no such file"},
		{dir, "is a directory"},
	}
	for _, c := range cases {
		_, err := Open(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("Open(%s): %v, want %q", c.path, err, c.want)
		}
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.txt", "a.txt", "c.json"} {
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644)
	}
	os.Mkdir(filepath.Join(dir, "sub.txt"), 0o755)
	got, err := Expand(dir, []string{"*.txt", "a.txt", "https://example.org/x.warc.gz"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range got {
		names = append(names, filepath.Base(in.Path))
	}
	if strings.Join(names, ",") != "a.txt,b.txt,x.warc.gz" {
		t.Errorf("got %v", names)
	}
	if _, err := Expand(dir, []string{"*.none"}); err == nil || !strings.Contains(err.Error(), "no file matches") {
		t.Errorf("empty glob: %v", err)
	}
	if _, err := Expand(dir, []string{"sub.txt"}); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: %v", err)
	}
}
