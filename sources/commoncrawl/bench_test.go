package commoncrawl

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources"
	"github.com/curate-dev/curate/sources/commoncrawl/extract"
)

// corpusWARCs lists the corpus files and their total decompressed size,
// which is what MB/s in these benchmarks counts.
func corpusWARCs(b *testing.B) ([]string, int64) {
	dir := corpustest.Dir(b, "commoncrawl")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
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
	return files, total
}

// BenchmarkWARC is the whole source: WARC parsing, HTTP decoding,
// transcoding and main-text extraction over every corpus file, with each
// extractor.
func BenchmarkWARC(b *testing.B) {
	files, total := corpusWARCs(b)
	for _, x := range []string{extract.NameFast, extract.NameTrafilatura} {
		b.Run(x, func(b *testing.B) {
			o := DefaultOptions()
			o.Extractor = x
			s := mustNew(b, o)
			b.SetBytes(total)
			b.ResetTimer()
			cpu0 := processCPU()
			pages := 0
			for i := 0; i < b.N; i++ {
				for _, f := range files {
					docs, _, _, err := readAll(b, s, f)
					if err != nil {
						b.Fatal(err)
					}
					pages += len(docs)
				}
			}
			reportCPU(b, total, cpu0)
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkExtractHTML runs only the HTML-to-text step on the same pages
// (already decoded to UTF-8), so its ns/op over BenchmarkWARC's is the share
// of time spent in extraction.
func BenchmarkExtractHTML(b *testing.B) {
	files, _ := corpusWARCs(b)
	type page struct {
		html []byte
		url  string
	}
	var pages []page
	var total int64
	for _, f := range files {
		raw, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		w, err := newWarcReader(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		for {
			rec, err := w.next()
			if err != nil {
				break
			}
			if rec.get("WARC-Type") != "response" {
				continue
			}
			block, _ := io.ReadAll(rec.block)
			p, err := parseHTTP(block)
			if err != nil || p.status != 200 || !isHTML(p) {
				continue
			}
			utf, _ := toUTF8(p.body, p.charsetHdr)
			pages = append(pages, page{utf, rec.get("WARC-Target-URI")})
			total += int64(len(utf))
		}
		raw.Close()
	}
	for _, x := range []string{extract.NameFast, extract.NameTrafilatura} {
		b.Run(x, func(b *testing.B) {
			o := DefaultOptions()
			o.Extractor = x
			s := mustNew(b, o)
			b.SetBytes(total)
			b.ResetTimer()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				for _, p := range pages {
					s.x.Extract(p.html, p.url)
				}
			}
			reportCPU(b, total, cpu0)
			b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkWarcRecords is the record reader alone (gunzip, headers, every
// block read in full), the part comparable with warcio.js in
// bench/ccgithub/peer.sh.
func BenchmarkWarcRecords(b *testing.B) {
	files, total := corpusWARCs(b)
	b.SetBytes(total)
	b.ResetTimer()
	records := 0
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			raw, err := os.Open(f)
			if err != nil {
				b.Fatal(err)
			}
			w, err := newWarcReader(raw, 0)
			if err != nil {
				b.Fatal(err)
			}
			for {
				rec, err := w.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, rec.block)
				records++
			}
			raw.Close()
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// reportCPU adds MB per CPU-second (process user+system time, GC
// included): the MB/s per core the work costs, whatever the machine's load.
func reportCPU(b *testing.B, bytesPerOp int64, cpu0 time.Duration) {
	if sec := (processCPU() - cpu0).Seconds(); sec > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/sec/1e6, "MB/cpu-s")
	}
}
