package torture

import (
	"bytes"
	"compress/bzip2"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/curate-dev/curate/pipeline"
	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

var (
	full       = flag.Bool("torture.full", false, "run the full sweep: every corpus file, more offsets, seeds and kill moments, GiB bombs")
	reportPath = flag.String("torture.report", "", "write the outcome table to this file (RELIABILITY.md)")
	report     Report
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	removeCurateBin()
	mode := ""
	if *full {
		mode = "-torture.full"
	}
	if err := report.WriteFile(*reportPath, mode); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// kindSpec is how one source kind is configured and what its inputs are.
type kindSpec struct {
	kind  string // the config's kind block name
	block string // its YAML
	// samples are the testdata inputs (always present), corpus the
	// sub-directory and file-name suffixes of the shared corpus to use.
	samples  []string
	corpus   string
	suffixes []string
	// text says the input is plain text (or decompresses to it), so
	// re-encodings and long lines apply to its decompressed bytes.
	text bool
	// bombName is the file name a decompression bomb gets.
	bombName string
	// bombLine: lines in the bomb's content (0: one endless line).
	bombLine int
	// cutOrder is what a cut input must keep (Prefix for most).
	cutOrder Order
}

var kinds = []kindSpec{
	{kind: "books", block: "books: {keep_unmarked: true}", samples: []string{"books/pg1342-excerpt.txt"}, corpus: "books", suffixes: []string{".txt"}, text: true, bombName: "bomb.txt.gz", cutOrder: Prefix},
	{kind: "jsonl", block: "jsonl: {}", samples: []string{"jsonl/notes.jsonl"}, text: true, bombName: "bomb.jsonl.gz", cutOrder: Prefix},
	{kind: "commoncrawl", block: "commoncrawl: {}", samples: []string{"commoncrawl/sample.warc.gz"}, corpus: "commoncrawl", suffixes: []string{".warc.gz", ".warc", ".wet.gz", ".wat.gz"}, bombName: "bomb.warc.gz", cutOrder: Prefix},
	{kind: "wikipedia", block: "wikipedia: {}", samples: []string{"wikipedia/enwiki-sample-pages-articles-multistream.xml.bz2"}, corpus: "wikipedia", suffixes: []string{".xml.bz2"}, text: true, bombName: "bomb.xml.gz", cutOrder: Prefix},
	// Pushshift frames declare a 2 GiB window and no content size: the
	// decoder starts at 8 MiB and grows only when the data it has decoded
	// is longer than its window, so a flipped byte that forges a far
	// back-reference fails the stream instead of growing it: the default
	// heap bound holds.
	{kind: "reddit", block: "reddit: {}", samples: []string{"reddit/RC_2013-05.zst", "reddit/RS_2013-05.zst"}, bombName: "RC_bomb.zst", cutOrder: Prefix},
	{kind: "github", block: "github: {}", samples: []string{"code/spf13-cobra-sample.tar.gz", "code/the-stack-sample.jsonl"}, corpus: "code", suffixes: []string{".tar.gz"}, bombName: "bomb.jsonl.gz", cutOrder: Unchanged},
}

func (k kindSpec) build(t *testing.T) sources.Kind {
	t.Helper()
	body := fmt.Sprintf("sources:\n  - name: t\n    inputs: [x]\n    %s\n", k.block)
	cfg, err := pipeline.ParseConfig("torture.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	kind, err := cfg.Sources[0].Build()
	if err != nil {
		t.Fatal(err)
	}
	return kind
}

// inputsOf lists the inputs a kind is tortured with: the samples, and in
// the full form every corpus file of the kind.
func (k kindSpec) inputsOf(t *testing.T) []string {
	var out []string
	for _, s := range k.samples {
		out = append(out, filepath.Join("..", "..", "testdata", "sample", s))
	}
	// The short form keeps to the shipped samples (real excerpts, small);
	// the corpus files are the full form's.
	if k.corpus == "" || corpustest.Root() == "" || !*full {
		return out
	}
	ents, _ := os.ReadDir(filepath.Join(corpustest.Root(), k.corpus))
	for _, e := range ents {
		for _, suf := range k.suffixes {
			if strings.HasSuffix(e.Name(), suf) {
				out = append(out, filepath.Join(corpustest.Root(), k.corpus, e.Name()))
				break
			}
		}
	}
	return out
}

func limits() Limits {
	if *full {
		return Limits{Time: 10 * time.Minute, Heap: 1 << 30}
	}
	return Limits{Time: time.Minute, Heap: 512 << 20}
}

// plainText is the decompressed input as UTF-8 (a UTF-16 copy with a BOM
// and a Latin-1 book are decoded first), ready to be re-encoded.
func plainText(path string, data []byte) []byte {
	b := rawText(path, data)
	if bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")) {
		if u, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b); err == nil {
			return u
		}
	}
	if !utf8.Valid(b) {
		if u, err := charmap.ISO8859_1.NewDecoder().Bytes(b); err == nil {
			return u
		}
	}
	return b
}

func rawText(path string, data []byte) []byte {
	st, err := sources.NewStream(path, bytes.NewReader(data))
	if err != nil {
		return nil
	}
	defer st.Close()
	if st.Compression == sources.Bzip2 {
		b, _ := io.ReadAll(bzip2.NewReader(bytes.NewReader(data)))
		return b
	}
	b, _ := io.ReadAll(st)
	return b
}

// runCase writes a mutant under name and reads it.
func runCase(t *testing.T, k kindSpec, kind sources.Kind, name string, m Mutant, want []*doc.Document, order Order) *Result {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, m.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	res := Read(kind, p, int64(len(m.Data)), limits().Time)
	lim := limits()
	bad := Check(res, p, want, order, lim)
	if at := m.Cut - decoderSlack(m.Data); m.Cut > 0 && at > 0 && m.Cut < len(m.Data) && m.Class != "truncate" && m.Class != "utf16" && len(bad) == 0 {
		// What a cut before the damage yields must survive the damage.
		cp := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(cp, m.Data[:at], 0o644); err != nil {
			t.Fatal(err)
		}
		cut := Read(kind, cp, int64(at), lim.Time)
		if k.cutOrder == Prefix {
			bad = append(bad, BeforeDamage(res, cut.Docs, true)...)
		} else {
			// How much of an archive is read decides which files are
			// vendored or licensed; records both reads keep must agree.
			bad = append(bad, Check(res, p, cut.Docs, Unchanged, lim)...)
		}
	}
	outcome := "clean end"
	switch {
	case len(bad) > 0:
		outcome = "FAILED"
		t.Errorf("%s %s %s (%s): %s", k.kind, filepath.Base(name), m.Class, m.Name, strings.Join(bad, "; "))
	case res.Final != nil && len(res.Docs) > 0:
		outcome = "records kept, input cut short"
	case res.Final != nil:
		outcome = "input refused"
	case len(res.Skipped) > 0:
		outcome = "bad records skipped"
	}
	report.Add("Input faults", m.Class, k.kind, outcome, len(bad) > 0, res.PeakHeap)
	return res
}

func TestInputFaults(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			cuts, flips, nuls := 5, 2, 4
			if *full {
				cuts, flips, nuls = 32, 16, 64
			}
			kind := k.build(t)
			inputs := k.inputsOf(t)
			for i, in := range inputs {
				data, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Base(in)
				ref := Read(kind, in, int64(len(data)), limits().Time)
				if ref.Final != nil || ref.Panic != nil {
					t.Fatalf("intact %s: %v %v", in, ref.Final, ref.Panic)
				}
				want := ref.Docs
				var mutants []Mutant
				mutants = append(mutants, Truncations(data, cuts)...)
				mutants = append(mutants, Flips(data, flips, uint64(i+1))...)
				if nuls > 0 {
					mutants = append(mutants, NULs(data, nuls, uint64(i+7)))
				}
				if other := inputs[(i+1)%len(inputs)]; other != in && filepath.Ext(other) == filepath.Ext(in) {
					od, _ := os.ReadFile(other)
					mutants = append(mutants, Splice(data, od))
				}
				for _, m := range mutants {
					order := AnyDocs
					if m.Class == "truncate" {
						order = k.cutOrder
					}
					runCase(t, k, kind, name, m, want, order)
				}
				if k.text {
					text := plainText(in, data)
					plainName := strings.TrimSuffix(strings.TrimSuffix(name, ".bz2"), ".gz")
					u := UTF16(text)
					res := runCase(t, k, kind, plainName, u, want, AnyDocs)
					if k.kind != "jsonl" && !sameDocs(res.Docs, want) {
						t.Errorf("%s %s: UTF-16 without BOM gave %d documents (%d differ); want the same %d", k.kind, name, len(res.Docs), diffCount(res.Docs, want), len(want))
					}
					long := 8 << 20
					if *full {
						long = 200 << 20
					}
					runCase(t, k, kind, plainName, LongLine(text, long), want, k.cutOrder)
				}
			}
			for _, m := range Empties() {
				name := map[string]string{"zero bytes": "empty" + ext(k), "empty gzip": "empty" + ext(k) + ".gz", "empty zstd": "empty" + ext(k) + ".zst"}[m.Name]
				res := runCase(t, k, kind, name, m, nil, AnyDocs)
				if len(res.Docs) != 0 {
					t.Errorf("%s %s: %d documents from an empty file", k.kind, name, len(res.Docs))
				}
			}
		})
	}
}

func ext(k kindSpec) string {
	switch k.kind {
	case "books":
		return ".txt"
	case "commoncrawl":
		return ".warc"
	case "wikipedia":
		return ".xml"
	case "github":
		return ".jsonl"
	}
	return ".jsonl"
}

func sameDocs(a, b []*doc.Document) bool { return len(a) == len(b) && diffCount(a, b) == 0 }

func diffCount(a, b []*doc.Document) int {
	n := 0
	for i := range min(len(a), len(b)) {
		if a[i].ID != b[i].ID || a[i].Text != b[i].Text {
			n++
		}
	}
	return n
}

// decoderSlack is how far before a corruption a decompressor may stop
// delivering bytes: it decodes in steps (a deflate window, a zstd block, a
// bzip2 block of up to 900 kB) and reports a corrupt step without the good
// bytes at its start, where a clean cut hands them over. The records
// before the damage are held to what a cut that much earlier yields.
func decoderSlack(data []byte) int {
	switch sources.Detect(data[:min(len(data), 6)]) {
	case sources.Gzip:
		return 64 << 10
	case sources.Zstd:
		return 256 << 10
	case sources.Bzip2:
		return 1 << 20
	}
	return 0
}
