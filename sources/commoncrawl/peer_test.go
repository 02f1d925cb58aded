package commoncrawl

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// peerDir holds the warcio.js install (bench/ccgithub/node, set up by
// .ci/setup.d/ccgithub.sh).
const peerDir = "../../bench/ccgithub/node"

// TestPeerWarcio counts records per WARC-Type with Webrecorder's warcio.js
// and expects the same counts from this package's reader on every corpus
// file.
func TestPeerWarcio(t *testing.T) {
	dir := corpustest.Dir(t, "commoncrawl")
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed: peer check against warcio.js skipped")
	}
	if _, err := os.Stat(filepath.Join(peerDir, "node_modules", "warcio")); err != nil {
		t.Skip("warcio.js not installed (run .ci/setup.d/ccgithub.sh): peer check skipped")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	out, err := exec.Command("node", append([]string{filepath.Join(peerDir, "counts.mjs")}, files...)...).Output()
	if err != nil {
		t.Fatalf("warcio.js: %v", err)
	}
	var peer map[string]json.RawMessage
	if err := json.Unmarshal(out, &peer); err != nil {
		t.Fatalf("warcio.js output %q: %v", out, err)
	}
	// warcio.js 2.4.11 misreads one Heritrix 2008 response there (it warns
	// "Content-Length Too Small" and reports a record with no type);
	// gowarc v3 counts 8 responses as this reader does.
	known := map[string]map[string]int64{
		"ukwa__IAH-20080430204825-00000-blackbook-truncated.warc.gz": {"response": 7, "": 1},
	}
	s := mustNew(t, DefaultOptions())
	for _, f := range files {
		name := filepath.Base(f)
		var want map[string]int64
		if err := json.Unmarshal(peer[name], &want); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, stats, _, err := readAll(t, s, f)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for k, v := range stats {
			if t, ok := strings.CutPrefix(k, "record."); ok {
				if t == "wat" {
					t = "metadata"
				}
				got[t] += v
			}
		}
		for typ, n := range want {
			if k, ok := known[name]; ok && k[typ] == n {
				continue
			}
			if got[typ] != n {
				t.Errorf("%s: %s records: warcio.js %d, ours %d", name, typ, n, got[typ])
			}
		}
		for typ, n := range got {
			if _, ok := want[typ]; !ok {
				t.Errorf("%s: %d %s records warcio.js does not see", name, n, typ)
			}
		}
	}
}
