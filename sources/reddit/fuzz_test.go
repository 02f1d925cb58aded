package reddit

import (
	"bytes"
	"io"
	"testing"

	"github.com/valyala/fastjson"
)

// FuzzLineDecoder: Pushshift line splitting and record decoding never
// panic; every line comes back whole or as an error.
func FuzzLineDecoder(f *testing.F) {
	f.Add([]byte(`{"id":"c1","body":"hello","author":"a","subreddit":"x","score":5,"created_utc":1367000000,"link_id":"t3_1","parent_id":"t3_1"}` + "\n"))
	f.Add([]byte(`{"id":"s1","title":"t","selftext":"[deleted]","score":"7","created_utc":"1367000000","url":"http://x"}` + "\n{\n"))
	f.Add([]byte("\n\n{\"id\":1}\r\n" + `{"body":null,"score":1e400}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		lr := newLineReader(bytes.NewReader(b))
		lr.max = 1 << 12
		var p fastjson.Parser
		total := 0
		for {
			line, _, _, err := lr.next()
			if err == io.EOF {
				break
			}
			if err == errLineTooLong {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			total += len(line)
			if v, err := p.ParseBytes(line); err == nil {
				decodeRecord(v)
			}
		}
		if total > len(b) {
			t.Fatalf("%d line bytes from %d of input", total, len(b))
		}
	})
}
