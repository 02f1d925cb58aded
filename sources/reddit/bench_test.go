//go:build unix

package reddit

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources"
)

// BenchmarkSource reads the corpus dumps through the source (zstd decode,
// JSON parse, filters). MB/s is of uncompressed NDJSON; compressed-MB/s is
// reported beside it.
func BenchmarkSource(b *testing.B) {
	dir := corpustest.Dir(b, "reddit")
	for _, tc := range []struct {
		file    string
		workers int
	}{{"RS_2019-10.zst", 1}, {"RS_2019-10.zst", 2}, {"RC_2006-01.zst", 1}, {"RC_2006-01.zst", 2}} {
		b.Run(fmt.Sprintf("%s/workers=%d", tc.file, tc.workers), func(b *testing.B) {
			p := filepath.Join(dir, tc.file)
			st, _ := os.Stat(p)
			raw, err := sources.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			plain, _ := io.Copy(io.Discard, raw)
			raw.Close()
			o := DefaultOptions()
			o.ParseWorkers = tc.workers
			s := mustNew(b, o)
			// Warm the decoder pool: the first open of a 2 GiB-window file
			// allocates the decoder's ring once per Source, not per file.
			if r, err := s.Open(sources.Unit{Input: sources.Input{Path: p}, End: -1}); err == nil {
				r.Close()
			}
			b.SetBytes(plain)
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				r, err := s.Open(sources.Unit{Input: sources.Input{Path: p}, End: -1})
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := r.Next(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
				r.Close()
			}
			b.ReportMetric(float64(st.Size())*float64(b.N)/b.Elapsed().Seconds()/1e6, "compressed-MB/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkDecompressOnly is the floor: the same files through the same
// (pooled) zstd decoder alone.
func BenchmarkDecompressOnly(b *testing.B) {
	dir := corpustest.Dir(b, "reddit")
	for _, file := range []string{"RS_2019-10.zst", "RC_2006-01.zst"} {
		b.Run(file, func(b *testing.B) {
			p := filepath.Join(dir, file)
			var plain int64
			cpu0 := cpuTime()
			for b.Loop() {
				in, err := sources.Open(p)
				if err != nil {
					b.Fatal(err)
				}
				plain, err = io.Copy(io.Discard, in)
				in.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(plain)
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
