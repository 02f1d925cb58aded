package github

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources"
)

// BenchmarkCode reads the four corpus repositories (tar.gz) with the
// default rules; MB/s counts uncompressed tar bytes, files/s every file
// looked at, docs/s the files kept.
func BenchmarkCode(b *testing.B) {
	dir := corpustest.Dir(b, "code")
	files, _ := filepath.Glob(filepath.Join(dir, "*.tar.gz"))
	var total int64
	for _, f := range files {
		st, err := sources.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, st)
		st.Close()
		total += n
	}
	s := mustNew(b, DefaultOptions())
	detectLicense([][]byte{[]byte("warm up licensecheck's one-time matcher build")})
	b.SetBytes(total)
	b.ResetTimer()
	var seen, kept int64
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			docs, stats, _, err := readAll(b, s, f)
			if err != nil {
				b.Fatal(err)
			}
			seen += stats["file"]
			kept += int64(len(docs))
		}
	}
	b.ReportMetric(float64(seen)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(float64(kept)/b.Elapsed().Seconds(), "docs/s")
}
