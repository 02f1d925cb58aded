package sources

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestReadLineBounded(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	in := "short\n" + long + "\nafter\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 4096)
	type got struct {
		line    string
		n       int64
		tooLong bool
	}
	want := []got{{"short\n", 6, false}, {"", int64(len(long) + 1), true}, {"after\n", 6, false}, {"last", 4, false}}
	var buf []byte
	for i, w := range want {
		line, n, tooLong, err := ReadLine(br, 64<<10, buf)
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if string(line) != w.line || n != w.n || tooLong != w.tooLong {
			t.Errorf("line %d: %q %d %v, want %q %d %v", i, trunc(line), n, tooLong, w.line, w.n, w.tooLong)
		}
		if cap(line) > 128<<10 {
			t.Errorf("line %d: %d bytes held for a 64 KiB bound", i, cap(line))
		}
		buf = line
	}
	if _, n, _, err := ReadLine(br, 64<<10, buf); err != io.EOF || n != 0 {
		t.Errorf("after the last line: n=%d err=%v, want io.EOF", n, err)
	}
}

func trunc(b []byte) string {
	if len(b) > 20 {
		return string(b[:20]) + "..."
	}
	return string(b)
}
