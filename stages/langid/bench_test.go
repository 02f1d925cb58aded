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

// BenchmarkDetectShort is the fast path on short texts: UDHR sentences and
// 100-character snippets, and Debian gettext messages when installed. Each
// script's 4- and 5-gram tables are loaded before timing.
func BenchmarkDetectShort(b *testing.B) {
	tg := tagger(b)
	sets := map[string][]string{}
	udhr := evalItems(b)
	for _, it := range evalset.Sentences(udhr, 10) {
		sets["udhr-sentence"] = append(sets["udhr-sentence"], it.Text)
	}
	for _, it := range evalset.Snippets(udhr, "udhr", 100) {
		sets["udhr-snippet100"] = append(sets["udhr-snippet100"], it.Text)
	}
	codes := map[string]bool{}
	for _, l := range lingua.AllLanguages() {
		codes[Code(l)] = true
	}
	if msgs, err := evalset.Gettext(evalset.LocaleDir, "gtk20-properties", codes, 60, 15); err == nil {
		for _, it := range msgs {
			sets["gettext-gtk20-properties"] = append(sets["gettext-gtk20-properties"], it.Text)
		}
	}
	for _, texts := range sets {
		for _, s := range texts {
			tg.Detect(s) // loads the tables
		}
	}
	for _, k := range []string{"udhr-sentence", "udhr-snippet100", "gettext-gtk20-properties"} {
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
