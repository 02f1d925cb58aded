package reddit

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources"
)

// BenchmarkSource reads the corpus dumps through the source (zstd decode,
// JSON parse, filters). MB/s is of uncompressed NDJSON; compressed-MB/s is
// reported beside it.
func BenchmarkSource(b *testing.B) {
	dir := corpustest.Dir(b, "reddit")
	for _, file := range []string{"RS_2019-10.zst", "RC_2006-01.zst"} {
		b.Run(file, func(b *testing.B) {
			p := filepath.Join(dir, file)
			st, _ := os.Stat(p)
			raw, err := sources.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			plain, _ := io.Copy(io.Discard, raw)
			raw.Close()
			s := mustNew(b, DefaultOptions())
			b.SetBytes(plain)
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
		})
	}
}

// BenchmarkDecompressOnly is the floor: the same files through the zstd
// decoder alone.
func BenchmarkDecompressOnly(b *testing.B) {
	dir := corpustest.Dir(b, "reddit")
	p := filepath.Join(dir, "RS_2019-10.zst")
	var plain int64
	for b.Loop() {
		raw, err := sources.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		plain, _ = io.Copy(io.Discard, raw)
		raw.Close()
	}
	b.SetBytes(plain)
}
