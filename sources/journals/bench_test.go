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
	"syscall"
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
// MEDLINE (after gunzip); for arXiv the input bytes as stored, since the
// gunzip of figures inside the archives is most of the work
// (BenchmarkArxivClean measures the LaTeX cleaning alone).
func formatBytes(b *testing.B, format string, inputs []string) int64 {
	var n int64
	for _, in := range inputs {
		if format == "arxiv" {
			n += diskSize(b, in)
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

// diskSize is a file's size, or the total of a directory's files.
func diskSize(b *testing.B, p string) int64 {
	var n int64
	err := filepath.WalkDir(p, func(_ string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		info, err := de.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
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

// BenchmarkFormat reads every corpus file of each format on one core,
// from the file to the document. MB/s is over the bytes the format parses
// (see formatBytes); text-MB/s is the text written out.
func BenchmarkFormat(b *testing.B) {
	for _, format := range []string{"arxiv", "jats", "medline"} {
		b.Run(format, func(b *testing.B) {
			s, _ := New(DefaultOptions())
			inputs := benchInputs(b, format)
			in := formatBytes(b, format, inputs)
			b.SetBytes(in)
			var text int64
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				text = drain(b, s, inputs)
			}
			reportCPU(b, cpu0, in, text)
		})
	}
}

// BenchmarkArxivClean is the LaTeX side alone over the corpus's arXiv
// submissions, already loaded: main file, \input inlining, cleaning.
// MB/s is over the TeX bytes of the submissions.
func BenchmarkArxivClean(b *testing.B) {
	s, _ := New(DefaultOptions())
	var subs []*submission
	var n int64
	for _, in := range benchInputs(b, "arxiv") {
		sub := loadForBench(b, s, in)
		subs = append(subs, sub)
		n += sub.size
	}
	b.SetBytes(n)
	b.ResetTimer()
	cpu0 := cpuTime()
	var text int64
	for i := 0; i < b.N; i++ {
		text = 0
		for _, sub := range subs {
			d, _, err := s.paper(sub, doc.Counts{})
			if err != nil {
				b.Fatal(err)
			}
			if d != nil {
				text += int64(len(d.Text))
			}
		}
	}
	reportCPU(b, cpu0, n, text)
}

// reportCPU adds MB/cpu-s: the machine is shared, so wall-clock MB/s
// understates the reader when other processes hold the cores; process CPU
// time (GC included) gives what a core really does. text-MB/cpu-s is the
// text written out per CPU second.
func reportCPU(b *testing.B, cpu0 time.Duration, inPerOp, textPerOp int64) {
	sec := (cpuTime() - cpu0).Seconds()
	if sec <= 0 {
		return
	}
	b.ReportMetric(float64(inPerOp)*float64(b.N)/sec/1e6, "MB/cpu-s")
	b.ReportMetric(float64(textPerOp)*float64(b.N)/sec/1e6, "text-MB/cpu-s")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
