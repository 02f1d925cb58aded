package commoncrawl

import (
	"io"
	"strings"
	"testing"
)

// bombReader yields head, n bytes of fill, then tail, holding none of it.
type bombReader struct {
	head, tail []byte
	fill       byte
	n          int64
}

func (r *bombReader) Read(p []byte) (int, error) {
	switch {
	case len(r.head) > 0:
		k := copy(p, r.head)
		r.head = r.head[k:]
		return k, nil
	case r.n > 0:
		k := int(min(int64(len(p)), r.n))
		for i := range p[:k] {
			p[i] = r.fill
		}
		r.n -= int64(k)
		return k, nil
	case len(r.tail) > 0:
		k := copy(p, r.tail)
		r.tail = r.tail[k:]
		return k, nil
	}
	return 0, io.EOF
}

func TestWARCHeaderBombsEndCleanly(t *testing.T) {
	rec := "WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"
	for _, c := range []struct {
		name string
		r    io.Reader
		want string
	}{
		{"3 GiB-style header line", &bombReader{head: []byte(rec + "WARC/1.0\r\nWARC-Target-URI: "), fill: 'a', n: 64 << 20}, "WARC header line longer than 64 KiB"},
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
