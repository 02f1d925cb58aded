package filter

import (
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
)

var (
	benchOnce sync.Once
	benchSets map[string][]doc.Document
)

// benchCorpus is real text in web-page-sized documents, per source: the
// Gutenberg books cut into ~10 KB pieces at paragraph breaks, the Wikipedia
// articles (en, ja, el, uk, ltg), the WARC pages, the Reddit posts; "all" is
// their union.
func benchCorpus(b *testing.B, set string) []doc.Document {
	corpustest.Dir(b, "books")
	benchOnce.Do(func() {
		benchSets = map[string][]doc.Document{}
		for _, d := range bookDocs(b, corpustest.Dir(b, "books")) {
			text := d.Text
			for len(text) > 0 {
				cut := min(len(text), 10000)
				if cut < len(text) {
					if i := strings.Index(text[cut:], "\n\n"); i >= 0 {
						cut += i
					} else {
						cut = len(text)
					}
				}
				dd := d.Document
				dd.Text = text[:cut]
				benchSets["books"] = append(benchSets["books"], dd)
				text = strings.TrimLeft(text[cut:], "\n")
			}
		}
		for name, src := range map[string][]corpusDoc{
			"wikipedia": wikiDocs(b, corpustest.Dir(b, "wikipedia")),
			"web":       webDocs(b, corpustest.Dir(b, "commoncrawl")),
			"reddit":    redditDocs(b, corpustest.Dir(b, "reddit")),
		} {
			for _, d := range src {
				benchSets[name] = append(benchSets[name], d.Document)
			}
		}
		for _, name := range []string{"books", "wikipedia", "web", "reddit"} {
			benchSets["all"] = append(benchSets["all"], benchSets[name]...)
		}
	})
	return benchSets[set]
}

func benchStages(b *testing.B, set string, stages []doc.Stage) {
	docs := benchCorpus(b, set)
	var total int64
	for _, d := range docs {
		total += int64(len(d.Text))
	}
	c := doc.Counts{}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		for i := range docs {
			d := docs[i] // a copy: C4 and PII rewrite d.Text
			Run(stages, &d, c)
		}
	}
	// The machine is shared, so wall-clock MB/s understates the stage when
	// other processes hold the cores; process CPU time (this goroutine plus
	// the GC's) gives the MB/s per core the stage really costs.
	if sec := (cpuTime() - cpu0).Seconds(); sec > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/sec/1e6, "MB/cpu-s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkChain runs whole preset chains on one core, as in a run: every
// document pays for every stage until one drops it. "web/all" is the worst
// case, the full web chain over text that is mostly kept (books, Wikipedia),
// so every stage runs on almost every byte.
func BenchmarkChain(b *testing.B) {
	for _, c := range []struct{ preset, set string }{
		{"web", "all"}, {"web", "web"}, {"books", "books"}, {"wikipedia", "wikipedia"}, {"reddit", "reddit"},
	} {
		b.Run(c.preset+"/"+c.set, func(b *testing.B) {
			stages, err := New(Preset(c.preset))
			if err != nil {
				b.Fatal(err)
			}
			benchStages(b, c.set, stages)
		})
	}
}

// BenchmarkStage times each stage alone on every document of "all" (no
// earlier stage drops anything), the worst case per stage.
func BenchmarkStage(b *testing.B) {
	o := Preset("web")
	o.Code.Enabled = true
	o.Length.Enabled = true
	o.Length.MinWords = 50
	o.Placeholder.Enabled = true
	stages, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range stages {
		b.Run(s.Name(), func(b *testing.B) { benchStages(b, "all", []doc.Stage{s}) })
	}
}

// BenchmarkBaselineByteLoop is a yardstick for the shared machine: one
// table look-up per byte over the same text, the least any stage can cost.
// Divide a stage's MB/cpu-s by this figure to compare runs made under
// different load.
func BenchmarkBaselineByteLoop(b *testing.B) {
	docs := benchCorpus(b, "all")
	var total int64
	for _, d := range docs {
		total += int64(len(d.Text))
	}
	b.SetBytes(total)
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		for _, d := range docs {
			for i := 0; i < len(d.Text); i++ {
				if byteInfo[d.Text[i]]&bWord != 0 {
					n++
				}
			}
		}
	}
	if sec := (cpuTime() - cpu0).Seconds(); sec > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/sec/1e6, "MB/cpu-s")
	}
	if n == 0 {
		b.Fatal("no word bytes")
	}
}
