package commoncrawl

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/curate-dev/curate/internal/torture"
	"github.com/curate-dev/curate/pipeline/corpustest"
)

func TestWARCHeaderBombsEndCleanly(t *testing.T) {
	rec := "WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"
	for _, c := range []struct {
		name string
		r    io.Reader
		want string
	}{
		{"3 GiB-style header line", &torture.BombReader{Head: []byte(rec + "WARC/1.0\r\nWARC-Target-URI: "), Fill: 'a', N: 64 << 20}, "WARC header line longer than 64 KiB"},
		{"endless header", strings.NewReader(rec + "WARC/1.0\r\n" + strings.Repeat("X: y\r\n", 5000)), "WARC header of more than 1000 lines"},
		{"content-length past the end", strings.NewReader(rec + "WARC/1.0\r\nContent-Length: 999999\r\n\r\nshort"), "unexpected EOF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, err := newWarcReader(c.r, 0)
			if err != nil {
				t.Fatal(err)
			}
			first, err := w.next()
			if err != nil {
				t.Fatalf("the record before the damage: %v", err)
			}
			body, _ := io.ReadAll(first.block)
			if string(body) != "hello" {
				t.Errorf("first record %q, want hello", body)
			}
			second, err := w.next()
			if err == nil && second != nil {
				_, err = io.ReadAll(second.block)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// memberStarts lists the offsets of the gzip members of a file.
func memberStarts(t *testing.T, raw []byte) []int64 {
	t.Helper()
	br := bytes.NewReader(raw)
	var starts []int64
	zr := new(gzip.Reader)
	for {
		off := int64(len(raw)) - int64(br.Len())
		if br.Len() == 0 {
			return starts
		}
		if err := zr.Reset(br); err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			t.Fatal(err)
		}
		starts = append(starts, off)
	}
}

// TestWARCResyncAfterBadMember corrupts one gzip member of a real WARC:
// the records after it (in their own members) used to be dropped.
func TestWARCResyncAfterBadMember(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	src := filepath.Join(dir, "dolma__sample-0000.warc.gz")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s := mustNew(t, DefaultOptions())
	want, _, _, err := readAll(t, s, src)
	if err != nil || len(want) < 10 {
		t.Fatalf("reference: %d docs, %v", len(want), err)
	}
	starts := memberStarts(t, raw)
	if len(starts) < 10 {
		t.Skipf("%d gzip members: not a per-record file", len(starts))
	}
	for _, k := range []int{len(starts) / 3, len(starts) / 2} {
		bad := bytes.Clone(raw)
		mid := (starts[k] + starts[k+1]) / 2
		for i := mid; i < mid+16; i++ {
			bad[i] ^= 0x5a
		}
		p := filepath.Join(t.TempDir(), "damaged.warc.gz")
		os.WriteFile(p, bad, 0o644)
		got, _, recErrs, err := readAll(t, s, p)
		if err != nil {
			t.Fatalf("member %d: one bad member must not end the file: %v", k, err)
		}
		if len(recErrs) != 1 || !strings.Contains(recErrs[0].Error(), fmt.Sprintf("(offset %d)", starts[k])) {
			t.Fatalf("member %d at %d: record errors %v; want one at the member's start", k, starts[k], recErrs)
		}
		if lost := len(want) - len(got); lost < 0 || lost > 1 {
			t.Fatalf("member %d: %d of %d documents; one member holds one record", k, len(got), len(want))
		}
		// Every document read is one of the reference's, in order.
		j := 0
		for _, d := range got {
			for j < len(want) && want[j].ID != d.ID {
				j++
			}
			if j == len(want) || want[j].Text != d.Text {
				t.Fatalf("member %d: document %s changed or out of order", k, d.ID)
			}
		}
	}
}

// TestPlainWARCResync: a record with a broken header in an uncompressed
// WARC costs that record; the next one is read.
func TestPlainWARCResync(t *testing.T) {
	rec := func(id, body string) string {
		return "WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <" + id + ">\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n" + body + "\r\n\r\n"
	}
	in := rec("a", "first") + "WARC/1.0\r\nWARC-Type: resource\r\nno colon on this line\r\n\r\nlost\r\n\r\n" + rec("c", "third")
	w, err := newWarcReader(strings.NewReader(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	errs := 0
	for {
		r, err := w.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs++
			if !w.resync() {
				break
			}
			continue
		}
		ids = append(ids, r.get("WARC-Record-ID"))
	}
	if strings.Join(ids, ",") != "<a>,<c>" || errs != 1 {
		t.Errorf("records %v with %d errors; want <a>,<c> and one error", ids, errs)
	}
}
