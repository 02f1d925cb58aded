package reddit

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/curate-dev/curate/internal/torture"
)

func TestLongLineSkippedInBoundedMemory(t *testing.T) {
	for _, c := range []struct {
		name string
		tail string // what follows the long line
		want []string
	}{
		{"line then more", "\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}},
		{"long last line", "", []string{`{"a":1}`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lr := newLineReader(&torture.BombReader{Head: []byte("{\"a\":1}\n{\"body\":\""), Fill: 'x', N: 40 << 20, Tail: []byte(c.tail)})
			lr.max = 1 << 20
			var got []string
			long := 0
			for {
				line, no, off, err := lr.next()
				if err == io.EOF {
					break
				}
				if err == errLineTooLong {
					long++
					if no != 2 || off != 8 {
						t.Errorf("too-long line reported as line %d offset %d, want line 2 offset 8", no, off)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if cap(lr.buf) > 8<<20 {
					t.Fatalf("line reader holds %d bytes for a 1 MiB bound", cap(lr.buf))
				}
				got = append(got, string(bytes.Clone(line)))
			}
			if long != 1 || strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("lines %q, %d too long; want %q and one", got, long, c.want)
			}
		})
	}
}
