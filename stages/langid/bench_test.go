package langid

import (
	"testing"

	"github.com/curate-dev/curate/stages/langid/evalset"
	"github.com/pemistahl/lingua-go"
)

// byKind groups the labelled set's texts by source/kind ("wikipedia/doc",
// "books/para", ...): whole books are sampled while paragraphs are read in
// full, so each kind gets its own MB/s.
func byKind(b *testing.B) map[string][]string {
	out := map[string][]string{}
	for _, it := range evalItems(b) {
		k := it.Source + "-" + it.Kind
		out[k] = append(out[k], it.Text)
	}
	return out
}

func benchKinds(b *testing.B, detect func(string), skip map[string]bool) {
	for _, k := range []string{"books-doc", "books-para", "udhr-doc", "udhr-para", "wikipedia-doc", "wikipedia-para"} {
		texts := byKind(b)[k]
		if len(texts) == 0 || skip[k] {
			continue
		}
		var n int64
		for _, s := range texts {
			n += int64(len(s))
		}
		b.Run(k, func(b *testing.B) {
			b.SetBytes(n)
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range texts {
					detect(s)
				}
			}
			b.ReportMetric(float64(len(texts))*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// BenchmarkDetect is the fast path (go test -bench Detect -run ^$).
func BenchmarkDetect(b *testing.B) {
	tg := tagger(b)
	benchKinds(b, func(s string) { tg.Detect(s) }, nil)
}

// BenchmarkLingua is plain lingua-go (all languages, high accuracy) on the
// same texts, for the ratio. Whole books are left out: one pass takes
// minutes.
func BenchmarkLingua(b *testing.B) {
	// Preloaded (~25 s, ~2 GB) so that model loading is not timed.
	d := lingua.NewLanguageDetectorBuilder().FromAllLanguages().WithPreloadedLanguageModels().Build()
	b.ResetTimer()
	benchKinds(b, func(s string) { d.DetectLanguageOf(s) }, map[string]bool{"books-doc": true})
}

// shortKinds are the kinds of the short-text set (bench/langid/RESULTS.md,
// "Short texts"), in the order the benchmarks run them.
var shortKinds = []string{"udhr-sentence", "udhr-snippet100", "wikipedia-snippet100", "gettext-gtk20-properties", "gettext-glib20"}

// shortSets builds the short-text kinds from the test's labelled set (UDHR,
// the shared Wikipedia dumps' paragraphs when present) and Debian's gettext
// catalogues (when installed), and "all", every kind together.
func shortSets(b *testing.B) map[string][]string {
	sets := map[string][]string{}
	items := evalItems(b)
	add := func(k string, its []evalset.Item) {
		for _, it := range its {
			sets[k] = append(sets[k], it.Text)
		}
	}
	add("udhr-sentence", evalset.Sentences(items, 10))
	add("udhr-snippet100", evalset.Snippets(items, "udhr", 100))
	add("wikipedia-snippet100", evalset.Snippets(items, "wikipedia", 100))
	codes := map[string]bool{}
	for _, l := range lingua.AllLanguages() {
		codes[Code(l)] = true
	}
	for _, domain := range []string{"gtk20-properties", "glib20"} {
		msgs, err := evalset.Gettext(evalset.LocaleDir, domain, codes, 60, 15)
		if err != nil {
			b.Logf("gettext %s: %v (run .ci/setup.d/langid.sh)", domain, err)
			continue
		}
		add("gettext-"+domain, msgs)
	}
	for _, k := range shortKinds {
		sets["all"] = append(sets["all"], sets[k]...)
	}
	return sets
}

// BenchmarkDetectShort is the fast path on every kind of the short-text
// set and on all of it (go test -bench DetectShort -run ^$): UDHR
// sentences and 100-character snippets, Wikipedia snippets, Debian GTK
// property descriptions and GLib messages. Each script's 4- and 5-gram
// tables are loaded before timing. MB/s is the measure (>= 5 per
// core); on a shared machine read it beside the CPU time (-cpuprofile, or
// bench/langid's langidbench, which reports MB per CPU second).
func BenchmarkDetectShort(b *testing.B) {
	tg := tagger(b)
	sets := shortSets(b)
	for _, s := range sets["all"] {
		tg.Detect(s) // loads the tables
	}
	for _, k := range append(shortKinds, "all") {
		texts := sets[k]
		if len(texts) == 0 {
			continue
		}
		var n int64
		for _, s := range texts {
			n += int64(len(s))
		}
		b.Run(k, func(b *testing.B) {
			b.SetBytes(n)
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range texts {
					tg.Detect(s)
				}
			}
			b.ReportMetric(float64(len(texts))*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}
