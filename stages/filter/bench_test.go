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
	benchDocs []doc.Document
)

// benchCorpus is real text in web-page-sized documents: Gutenberg books cut
// into ~10 KB pieces at paragraph breaks, Wikipedia articles (en, ja, el,
// uk, ltg), the WARC pages and Reddit posts.
func benchCorpus(b *testing.B) []doc.Document {
	corpustest.Dir(b, "books")
	benchOnce.Do(func() {
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
				benchDocs = append(benchDocs, dd)
				text = strings.TrimLeft(text[cut:], "\n")
			}
		}
		for _, src := range [][]corpusDoc{
			wikiDocs(b, corpustest.Dir(b, "wikipedia")),
			webDocs(b, corpustest.Dir(b, "commoncrawl")),
			redditDocs(b, corpustest.Dir(b, "reddit")),
		} {
			for _, d := range src {
				benchDocs = append(benchDocs, d.Document)
			}
		}
	})
	return benchDocs
}

func benchStages(b *testing.B, stages []doc.Stage) {
	docs := benchCorpus(b)
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

// BenchmarkChain is the full web chain (every prose rule and PII) on one
// core; every document pays for every stage it reaches, as in a run.
func BenchmarkChain(b *testing.B) {
	for _, preset := range []string{"web", "books", "wikipedia", "reddit"} {
		b.Run(preset, func(b *testing.B) {
			stages, err := New(Preset(preset))
			if err != nil {
				b.Fatal(err)
			}
			benchStages(b, stages)
		})
	}
}

// BenchmarkStage times each stage alone on every document (no earlier stage
// drops anything), the worst case per stage.
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
		b.Run(s.Name(), func(b *testing.B) { benchStages(b, []doc.Stage{s}) })
	}
}
