package corpustext

import (
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

func TestAll(t *testing.T) {
	root := corpustest.Dir(t, ".")
	// A bounded read by default; the whole corpus with -corpus.full.
	const limit = 1 << 20
	var docs []Doc
	var err error
	if corpustest.Full() {
		docs, err = All(root)
	} else {
		docs, err = AllPrefix(root, limit)
	}
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	bytes := map[string]int{}
	perDump := map[string]int{}
	for _, d := range docs {
		k := d.Name[:4]
		counts[k]++
		bytes[k] += len(d.Text)
		if k == "wiki" {
			perDump[strings.Split(d.Name, "#")[0]] += len(d.Text)
		}
	}
	for _, k := range []string{"book", "wiki", "redd"} {
		if counts[k] == 0 || bytes[k] < 100000 {
			t.Errorf("%s: %d docs, %d bytes; want real text", k, counts[k], bytes[k])
		}
	}
	if len(perDump) < 7 {
		t.Errorf("text from %d Wikipedia dumps, want all 7 (%v)", len(perDump), perDump)
	}
	for dump, n := range perDump {
		// UTF-16 is decoded after the cut, so its UTF-8 text may be larger.
		if !corpustest.Full() && n > 2*limit {
			t.Errorf("%s: %d bytes read with a limit of %d", dump, n, limit)
		}
	}
	t.Logf("docs %v bytes %v", counts, bytes)
}
