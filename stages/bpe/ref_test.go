package bpe

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/stages/bpe/internal/corpustext"
)

// nodeDir returns bench/bpe/node with its installed packages, or skips.
func nodeDir(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		tb.Skip("node not installed: run .ci/setup.d/bpe.sh")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "bench", "bpe", "node"))
	for _, pkg := range []string{"tiktoken", "@huggingface/tokenizers", "tokenizers"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			tb.Skipf("npm package %s not installed in %s: run .ci/setup.d/bpe.sh", pkg, dir)
		}
	}
	return dir
}

// corpusDocs loads the corpus text once per test binary. The sample is
// drawn from all of it: reading only a prefix of each Wikipedia dump saved
// little (decompression is not most of the load) and lost three scripts
// that appear only further in.
var corpusDocs = sync.OnceValues(func() ([]corpustext.Doc, error) {
	root := corpustest.Root()
	if root == "" {
		return nil, nil
	}
	return corpustext.All(root)
})

func loadCorpus(tb testing.TB) []corpustext.Doc {
	tb.Helper()
	corpustest.Dir(tb, ".")
	docs, err := corpusDocs()
	if err != nil {
		tb.Fatal(err)
	}
	if testing.Short() {
		// One document in 20, so -short still sees every source.
		var out []corpustext.Doc
		for i := 0; i < len(docs); i += 20 {
			out = append(out, docs[i])
		}
		return out
	}
	return docs
}

// Sample bounds for the differential tests' default run: the corpus is cut
// into windows of sampleWindow bytes (at line ends), each source file gives
// at most sampleGroupBytes of them spread over the file, and for every
// feature of corpustest.Features (script, emoji, combining marks, CRLF,
// long whitespace runs, BOM, U+FFFD, ...) the two smallest windows that
// have it are added. About 0.5 MB in all instead of 76 MB.
const (
	sampleWindow     = 4 << 10
	sampleGroupBytes = 10 << 10
)

// corpusSample is the bounded sample of corpusDocs, cut once per binary,
// with the features (corpustest.Features) the loaded corpus has and the
// sample misses (none, unless the sampler regressed).
var corpusSample = sync.OnceValues(func() (sampled, error) {
	docs, err := corpusDocs()
	if err != nil {
		return sampled{}, err
	}
	return sampleOf(docs), nil
})

// sampleOf cuts docs into windows and picks the bounded sample.
func sampleOf(docs []corpustext.Doc) sampled {
	var wins []corpustext.Doc
	var groups []string
	for _, d := range docs {
		for j, w := range corpustest.Windows(d.Text, sampleWindow) {
			wins = append(wins, corpustext.Doc{Name: fmt.Sprintf("%s@%d", d.Name, j), Text: w})
			groups = append(groups, sourceFile(d.Name))
		}
	}
	idx, found := corpustest.SampleFound(len(wins), func(i int) string { return groups[i] }, func(i int) string { return wins[i].Text },
		corpustest.SampleOptions{GroupBytes: sampleGroupBytes, PerFeature: 2})
	out := sampled{docs: make([]corpustext.Doc, len(idx))}
	for k, i := range idx {
		out.docs[k] = wins[i]
	}
	// The sample is scanned on its own, apart from the selection, against
	// the features the selection's scan found in the whole input.
	out.missing = corpustest.Uncovered(found, texts(out.docs))
	out.features = found
	return out
}

type sampled struct {
	docs              []corpustext.Doc
	missing, features []string
}

// sourceFile is the corpus file a document name comes from
// ("wikipedia/x.xml.xz#3" and "reddit/RC.zst:12/body" name their file).
func sourceFile(name string) string {
	if i := strings.IndexAny(name, "#:"); i >= 0 {
		return name[:i]
	}
	return name
}

// differentialDocs is the text the peer comparisons run on: the bounded
// sample by default, the whole corpus with -corpus.full. The sample is
// checked to have every feature the whole corpus has, so it cannot
// silently stop covering a script or hard case.
func differentialDocs(tb testing.TB) []corpustext.Doc {
	tb.Helper()
	if corpustest.Full() {
		return loadCorpus(tb)
	}
	all := loadCorpus(tb)
	smp, err := corpusSample()
	if err != nil {
		tb.Fatal(err)
	}
	if len(smp.missing) > 0 {
		tb.Fatalf("corpus sample lacks features the corpus has: %q", smp.missing)
	}
	n := 0
	for _, d := range smp.docs {
		n += len(d.Text)
	}
	tb.Logf("bounded sample: %d windows, %d bytes from every file, with all %d features of the %d documents (-corpus.full for all): %q",
		len(smp.docs), n, len(smp.features), len(all), smp.features)
	return smp.docs
}

func texts(docs []corpustext.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Text
	}
	return out
}

// runNode encodes docs with encode.cjs and returns the ids per document.
func runNode(tb testing.TB, docs []corpustext.Doc, args ...string) [][]uint32 {
	tb.Helper()
	dir := nodeDir(tb)
	tmp := tb.TempDir()
	in, out := filepath.Join(tmp, "docs.bin"), filepath.Join(tmp, "ids.bin")
	var buf bytes.Buffer
	for _, d := range docs {
		binary.Write(&buf, binary.LittleEndian, uint32(len(d.Text)))
		buf.WriteString(d.Text)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("node", append(append([]string{filepath.Join(dir, "encode.cjs")}, args...), in, out)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("node %v: %v\n%s", args, err, stderr.String())
	}
	tb.Logf("%s", bytes.TrimSpace(stderr.Bytes()))
	raw, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	var all [][]uint32
	for off := 0; off < len(raw); {
		n := int(binary.LittleEndian.Uint32(raw[off:]))
		off += 4
		ids := make([]uint32, n)
		for i := range ids {
			ids[i] = binary.LittleEndian.Uint32(raw[off:])
			off += 4
		}
		all = append(all, ids)
	}
	if len(all) != len(docs) {
		tb.Fatalf("node returned %d documents, want %d", len(all), len(docs))
	}
	return all
}

// compareIDs fails on the first few documents whose ids differ.
func compareIDs(tb testing.TB, tok *Tokenizer, docs []corpustext.Doc, want [][]uint32, what string) {
	tb.Helper()
	bad, total := 0, 0
	var ids []uint32
	for i, d := range docs {
		ids = tok.Encode(d.Text, ids[:0])
		total += len(ids)
		if slices.Equal(ids, want[i]) {
			continue
		}
		bad++
		if bad <= 3 {
			j := 0
			for j < len(ids) && j < len(want[i]) && ids[j] == want[i][j] {
				j++
			}
			tb.Errorf("%s: %s: ids differ at %d of %d/%d: ours %v, reference %v (text near: %q)", what, d.Name, j, len(ids), len(want[i]),
				ids[j:min(len(ids), j+5)], want[i][j:min(len(want[i]), j+5)], decodeNear(tok, ids, j))
		}
	}
	if bad > 0 {
		tb.Errorf("%s: %d of %d documents differ", what, bad, len(docs))
	}
	tb.Logf("%s: %d documents, %d tokens compared", what, len(docs), total)
}

func decodeNear(tok *Tokenizer, ids []uint32, j int) string {
	b, _ := tok.Decode(ids[max(0, j-3):min(len(ids), j+3)], nil)
	return string(b)
}

func loadNPMEncoding(tb testing.TB, name string) *Tokenizer {
	tb.Helper()
	dir := nodeDir(tb)
	tok, err := LoadTiktokenJSON(filepath.Join(dir, "node_modules", "tiktoken", "encoders", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// TestTiktokenReference encodes corpus text (the bounded sample of
// differentialDocs, all of it with -corpus.full) with cl100k_base and
// o200k_base, loaded from the npm tiktoken package's own files, and demands
// the same ids as that package (Rust tiktoken compiled to WASM) under Node.
func TestTiktokenReference(t *testing.T) {
	docs := differentialDocs(t)
	for _, enc := range []string{"cl100k_base", "o200k_base"} {
		t.Run(enc, func(t *testing.T) {
			tok := loadNPMEncoding(t, enc)
			want := runNode(t, docs, "tiktoken", enc)
			compareIDs(t, tok, docs, want, enc)
			// decode(encode(x)) == x on the same text.
			var ids []uint32
			var out []byte
			for _, d := range docs {
				ids = tok.Encode(d.Text, ids[:0])
				out, _ = tok.Decode(ids, out[:0])
				if string(out) != d.Text {
					t.Fatalf("%s: decode(encode(x)) != x", d.Name)
				}
			}
		})
	}
}

func ExampleTokenizer_Encode() {
	// A tiny trained vocabulary; real ones come from Train or Load.
	tok, _ := trainStrings([]string{"low lower lowest low low"}, 262, PatternCL100K)
	ids := tok.Encode("low lowest", nil)
	text, _ := tok.Decode(ids, nil)
	fmt.Println(len(ids) < len("low lowest"), string(text))
	// Output: true low lowest
}
