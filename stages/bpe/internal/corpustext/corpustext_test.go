package corpustext

import (
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

func TestAll(t *testing.T) {
	root := corpustest.Dir(t, ".")
	docs, err := All(root)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	bytes := map[string]int{}
	for _, d := range docs {
		k := d.Name[:4]
		counts[k]++
		bytes[k] += len(d.Text)
	}
	for _, k := range []string{"book", "wiki", "redd"} {
		if counts[k] == 0 || bytes[k] < 100000 {
			t.Errorf("%s: %d docs, %d bytes; want real text", k, counts[k], bytes[k])
		}
	}
	t.Logf("docs %v bytes %v", counts, bytes)
}
