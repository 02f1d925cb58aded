package extract

import (
	"runtime"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources/commoncrawl/extract/evalset"
)

// benchPages loads every benchmark page, decoded to UTF-8.
func benchPages(b *testing.B) ([][]byte, int64) {
	root := corpustest.Dir(b, "html-eval")
	var pages [][]byte
	var total int64
	for _, name := range evalset.All {
		ps, err := evalset.Load(root, name)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			raw, err := evalset.ReadHTML(p.File)
			if err != nil {
				b.Fatal(err)
			}
			page, _ := ToUTF8(raw, "")
			pages = append(pages, page)
			total += int64(len(page))
		}
	}
	return pages, total
}

// BenchmarkExtract is MB/s of HTML per core for each extractor over the
// 302 pages of the three benchmarks (run with -cpu 1).
func BenchmarkExtract(b *testing.B) {
	pages, total := benchPages(b)
	for _, name := range []string{NameFast, NameTrafilatura} {
		x, _ := New(name, Options{})
		b.Run(name, func(b *testing.B) {
			b.SetBytes(total)
			b.ReportAllocs()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				for _, p := range pages {
					if _, err := x.Extract(p, ""); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportCPU(b, total, cpu0)
		})
	}
}

// BenchmarkFastMemory shows the fast extractor's memory is flat in the
// number of pages: the live heap after 1 and after 10 passes over all
// pages is the same (reported as live-MB), since nothing outlives a page.
func BenchmarkFastMemory(b *testing.B) {
	pages, total := benchPages(b)
	x := NewFast(Options{})
	for _, passes := range []int{1, 10} {
		b.Run(map[int]string{1: "1pass", 10: "10passes"}[passes], func(b *testing.B) {
			b.SetBytes(total * int64(passes))
			var live uint64
			for i := 0; i < b.N; i++ {
				for k := 0; k < passes; k++ {
					for _, p := range pages {
						x.Extract(p, "")
					}
				}
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				live = max(live, m.HeapAlloc)
			}
			b.ReportMetric(float64(live)/(1<<20), "live-MB")
		})
	}
}

// reportCPU adds MB per CPU-second (process user+system time, GC
// included): the MB/s per core the work costs, whatever the machine's load.
func reportCPU(b *testing.B, bytesPerOp int64, cpu0 time.Duration) {
	if sec := (processCPU() - cpu0).Seconds(); sec > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/sec/1e6, "MB/cpu-s")
	}
}
