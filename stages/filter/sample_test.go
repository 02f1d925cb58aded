package filter

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
)

// corpusSources are the corpus folders and their extractions, in the order
// the golden digests list documents.
var corpusSources = []struct {
	dir     string
	extract func(testing.TB, string) []corpusDoc
}{
	{"books", bookDocs}, {"wikipedia", wikiDocs}, {"commoncrawl", webDocs}, {"reddit", redditDocs}, {"code", codeDocs},
}

// extracted keeps each folder's extraction for the test binary: several
// tests read the same source, and extracting Wikipedia alone takes seconds.
// Stages never write a document's Meta, so sharing the documents is safe.
var extracted = struct {
	sync.Mutex
	docs map[string][]corpusDoc
}{docs: map[string][]corpusDoc{}}

// sourceDocs returns the documents of corpus folder dir, extracted once.
func sourceDocs(t testing.TB, dir string) []corpusDoc {
	t.Helper()
	path := corpustest.Dir(t, dir)
	extracted.Lock()
	defer extracted.Unlock()
	if d, ok := extracted.docs[dir]; ok {
		return d
	}
	for _, s := range corpusSources {
		if s.dir == dir {
			d := s.extract(t, path)
			extracted.docs[dir] = d
			return d
		}
	}
	t.Fatalf("no extraction for corpus folder %s", dir)
	return nil
}

// allDocs is the whole corpus extraction, every source.
func allDocs(t testing.TB) []corpusDoc {
	t.Helper()
	var docs []corpusDoc
	for _, s := range corpusSources {
		docs = append(docs, sourceDocs(t, s.dir)...)
	}
	return docs
}

const (
	hardCasesPath    = "testdata/decisions-sample.ids"
	sampleGoldenPath = "testdata/decisions-sample.golden"
	fullGoldenPath   = "testdata/decisions.golden"
	// sampleGroupBytes bounds what each corpus file gives to the sample
	// (the books, one document per file, count as one group).
	sampleGroupBytes = 192 << 10
)

// docKey names a document in testdata/decisions-sample.ids.
func docKey(d corpusDoc) string { return d.file + "\t" + d.ID }

// decisionDocs is what the whole-chain tests run on: every document with
// -corpus.full, else a bounded sample that keeps (1) documents spread over
// every corpus file, (2) the smallest documents of every script, hard case
// (corpustest.Features), language and label, and (3) the hard cases of
// testdata/decisions-sample.ids: for every preset, rule and counter that
// fires on the whole corpus, the smallest document that makes it fire.
// About 6 MB of the 54 MB.
func decisionDocs(t testing.TB) []corpusDoc {
	t.Helper()
	docs := allDocs(t)
	if corpustest.Full() {
		return docs
	}
	return sampleOf(t, docs)
}

func sampleOf(t testing.TB, docs []corpusDoc) []corpusDoc {
	t.Helper()
	hard := map[string]bool{}
	if f, err := os.Open(hardCasesPath); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			hard[sc.Text()] = true
		}
		f.Close()
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	group := func(i int) string {
		if strings.HasSuffix(docs[i].file, ".txt") { // only the books are .txt files
			return "books"
		}
		return docs[i].file
	}
	keys := func(i int) []string {
		k := []string{"lang:" + docs[i].Language, "label:" + docs[i].label}
		if group(i) != "books" {
			k = append(k, "file:"+docs[i].file)
		}
		return k
	}
	idx := corpustest.Sample(len(docs), group, func(i int) string { return docs[i].Text },
		corpustest.SampleOptions{GroupBytes: sampleGroupBytes, PerFeature: 2, Keys: keys})
	picked := map[int]bool{}
	for _, i := range idx {
		picked[i] = true
	}
	found := 0
	for i, d := range docs {
		if hard[docKey(d)] {
			picked[i] = true
			found++
		}
	}
	if found != len(hard) {
		t.Fatalf("%s names %d documents, %d found in the corpus: regenerate it (-update-decisions -corpus.full)", hardCasesPath, len(hard), found)
	}
	var out []corpusDoc
	n := 0
	for _, i := range slices.Sorted(maps.Keys(picked)) {
		out = append(out, docs[i])
		n += len(docs[i].Text)
	}
	t.Logf("bounded sample: %d of %d documents, %d bytes, %d hard cases (-corpus.full for all)", len(out), len(docs), n, len(hard))
	return out
}

// hardCases returns, for every preset and every rule and counter that fires
// on docs, the smallest document that makes it fire, as docKey lines.
func hardCases(t testing.TB, docs []corpusDoc) []string {
	t.Helper()
	best := map[string]int{} // "preset rule|counter name" -> doc index
	consider := func(what string, i int) {
		if j, ok := best[what]; !ok || len(docs[i].Text) < len(docs[j].Text) {
			best[what] = i
		}
	}
	for _, preset := range presetNames {
		stages, err := New(Preset(preset))
		if err != nil {
			t.Fatal(err)
		}
		for i, cd := range docs {
			d := cd.Document
			c := doc.Counts{}
			consider(fmt.Sprintf("%s rule %q", preset, Run(stages, &d, c)), i)
			for k := range c {
				consider(fmt.Sprintf("%s counter %s", preset, k), i)
			}
		}
	}
	set := map[string]bool{}
	for _, i := range best {
		set[docKey(docs[i])] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// presetNames are the presets the whole-chain tests run.
var presetNames = []string{"web", "books", "wikipedia", "reddit", "code"}

// goldenRules returns the "preset rule ..." and "preset counter name"
// entries of a golden digest (without their counts).
func goldenRules(digest string) []string {
	var out []string
	for _, line := range strings.Split(digest, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && (f[1] == "rule" || f[1] == "counter") {
			out = append(out, strings.Join(f[:len(f)-1], " "))
		}
	}
	return out
}
