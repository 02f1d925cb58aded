//go:build unix

package wikipedia

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources"
)

// BenchmarkSource reads whole corpus dumps through the source (decode,
// parse, convert). MB/s is of uncompressed XML; compressed-MB/s is reported
// beside it. For the multistream dump the units run one after another, each
// decoding its streams on DecodeWorkers goroutines.
func BenchmarkSource(b *testing.B) {
	dir := corpustest.Dir(b, "wikipedia")
	for _, tc := range []struct {
		name, file string
		workers    int
	}{
		{"enwiki-bz2", "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2", 1},
		{"ltgwiki-bz2", "ltgwiki-smallwiki-latest-pages-articles.xml.bz2", 1},
		{"ltgwiki-multistream-1worker", "DERIVED-ltgwiki-pages-articles-multistream.xml.bz2", 1},
		{"ltgwiki-multistream-2workers", "DERIVED-ltgwiki-pages-articles-multistream.xml.bz2", 2},
		{"jawiki-xz", "jawiki-truncated-100k.xml.xz", 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := filepath.Join(dir, tc.file)
			st, err := os.Stat(p)
			if err != nil {
				b.Fatal(err)
			}
			raw, err := sources.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			plain, err := io.Copy(io.Discard, raw)
			raw.Close()
			if err != nil {
				b.Fatal(err)
			}
			o := DefaultOptions()
			o.DecodeWorkers = tc.workers
			s := mustNew(b, o)
			units, err := s.Units([]sources.Input{{Path: p, Size: st.Size()}})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(plain)
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				for _, u := range units {
					r, err := s.Open(u)
					if err != nil {
						b.Fatal(err)
					}
					for {
						if _, err := r.Next(); err == io.EOF {
							break
						} else if err != nil && tc.name != "jawiki-xz" {
							b.Fatal(err)
						}
					}
					r.Close()
				}
			}
			b.ReportMetric(float64(st.Size())*float64(b.N)/b.Elapsed().Seconds()/1e6, "compressed-MB/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// cpuTime is the CPU time (user + system) the process used so far: on a
// shared machine wall time depends on the neighbours, CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecompressOnly is the floor for the source: the same bzip2
// decoder over the same files, output discarded.
func BenchmarkDecompressOnly(b *testing.B) {
	dir := corpustest.Dir(b, "wikipedia")
	for _, tc := range []struct{ name, file string }{
		{"enwiki-bz2", "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"},
		{"ltgwiki-bz2", "ltgwiki-smallwiki-latest-pages-articles.xml.bz2"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			p := filepath.Join(dir, tc.file)
			var plain int64
			cpu0 := cpuTime()
			for b.Loop() {
				f, err := os.Open(p)
				if err != nil {
					b.Fatal(err)
				}
				plain, err = io.Copy(io.Discard, newBzip2(p, f, 0))
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(plain)
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}
