package journals

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// benchInputs picks the corpus inputs of one format.
func benchInputs(b *testing.B, format string) []string {
	_, inputs := corpusInputs(b)
	var out []string
	for _, in := range inputs {
		switch {
		case format == "arxiv" && strings.Contains(in, "/arxiv/"),
			format == "jats" && strings.Contains(in, "/pmc/"),
			format == "medline" && strings.Contains(in, "/medline/"):
			out = append(out, in)
		}
	}
	return out
}

// drain reads every input once and returns the text bytes out.
func drain(b *testing.B, s *Source, inputs []string) int64 {
	var n int64
	for _, in := range inputs {
		r, err := s.Open(sources.Unit{Input: sources.Input{Path: in, Size: -1}, End: -1})
		if err != nil {
			b.Fatal(err)
		}
		docs, _, err := doc.ReadAll(r)
		r.Close()
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range docs {
			n += int64(len(d.Text))
		}
	}
	return n
}

// formatBytes is what a format's reader parses: XML bytes for JATS and
// MEDLINE (after gunzip), TeX bytes for arXiv (figures in the archives are
// skipped unread, so they are not counted).
func formatBytes(b *testing.B, s *Source, format string, inputs []string) int64 {
	var n int64
	for _, in := range inputs {
		if format == "arxiv" {
			sub := loadForBench(b, s, in)
			n += sub.size
			continue
		}
		st, err := sources.Open(in)
		if err != nil {
			b.Fatal(err)
		}
		m, _ := io.Copy(io.Discard, st)
		st.Close()
		n += m
	}
	return n
}

func loadForBench(b *testing.B, s *Source, in string) *submission {
	r, err := s.Open(sources.Unit{Input: sources.Input{Path: in, Size: -1}, End: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	sub, err := r.(*arxivReader).next()
	if err != nil {
		b.Fatal(err)
	}
	return sub
}

// BenchmarkFormat reads every corpus file of each format on one core.
// MB/s is over the bytes the format parses (XML, or TeX); text-MB/s is the
// text written out.
func BenchmarkFormat(b *testing.B) {
	for _, format := range []string{"arxiv", "jats", "medline"} {
		b.Run(format, func(b *testing.B) {
			s, _ := New(DefaultOptions())
			inputs := benchInputs(b, format)
			b.SetBytes(formatBytes(b, s, format, inputs))
			var text int64
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				text = drain(b, s, inputs)
			}
			b.ReportMetric(float64(text)*float64(b.N)/time.Since(start).Seconds()/1e6, "text-MB/s")
		})
	}
}

// BenchmarkMedlineMemory reads a MEDLINE file of 30×k citations (the
// corpus sample repeated) and reports the peak heap: it stays flat as the
// file grows, since citations are decoded one at a time.
func BenchmarkMedlineMemory(b *testing.B) {
	raw := gunzipB(b, readCorpusB(b, "medline/pmparser/baseline/pubmed26n1334.xml.gz"))
	open := bytes.Index(raw, []byte("<PubmedArticle>"))
	end := bytes.LastIndex(raw, []byte("</PubmedArticleSet>"))
	for _, k := range []int{10, 100} {
		b.Run(strconv.Itoa(k*30)+"-citations", func(b *testing.B) {
			var buf bytes.Buffer
			buf.Write(raw[:open])
			for i := 0; i < k; i++ {
				buf.Write(raw[open:end])
			}
			buf.Write(raw[end:])
			path := filepath.Join(b.TempDir(), "pubmed26n0001.xml")
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				b.Fatal(err)
			}
			s, _ := New(DefaultOptions())
			b.SetBytes(int64(buf.Len()))
			buf = bytes.Buffer{}
			runtime.GC()
			var peak atomic.Uint64
			stop := make(chan struct{})
			go func() {
				var ms runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > peak.Load() {
							peak.Store(ms.HeapAlloc)
						}
					}
				}
			}()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r, err := s.Open(sources.Unit{Input: sources.Input{Path: path, Size: -1}, End: -1})
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				r.Close()
			}
			close(stop)
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		})
	}
}

func readCorpusB(b *testing.B, rel string) []byte {
	root, _ := corpusInputs(b)
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func gunzipB(b *testing.B, data []byte) []byte {
	st, err := sources.NewStream("x.gz", bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	out, err := io.ReadAll(st)
	if err != nil {
		b.Fatal(err)
	}
	return out
}
