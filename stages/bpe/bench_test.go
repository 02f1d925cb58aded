package bpe

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkoukk/tiktoken-go"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/stages/bpe/internal/corpustext"
)

func benchBooks(b *testing.B) ([]corpustext.Doc, int64) {
	b.Helper()
	docs, err := corpustext.Books(corpustest.Dir(b, "."), true)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, d := range docs {
		n += int64(len(d.Text))
	}
	return docs, n
}

// BenchmarkEncode encodes all book text with cl100k_base and o200k_base on
// one goroutine (MB/s per core).
func BenchmarkEncode(b *testing.B) {
	docs, n := benchBooks(b)
	for _, enc := range []string{"cl100k_base", "o200k_base"} {
		b.Run(enc, func(b *testing.B) {
			tok := loadNPMEncoding(b, enc)
			b.SetBytes(n)
			var ids []uint32
			cpu := processCPU()
			for b.Loop() {
				for _, d := range docs {
					ids = tok.Encode(d.Text, ids[:0])
				}
			}
			reportCPU(b, n, cpu)
		})
	}
}

// BenchmarkEncodeParallel encodes the books split into 64 KiB documents on
// GOMAXPROCS goroutines, to show scaling across cores (-cpu 1,2).
func BenchmarkEncodeParallel(b *testing.B) {
	docs, n := benchBooks(b)
	var parts []string
	for _, d := range docs {
		for s := d.Text; len(s) > 0; {
			k := cutPoint(s, 64<<10)
			parts = append(parts, s[:k])
			s = s[k:]
		}
	}
	tok := loadNPMEncoding(b, "cl100k_base")
	b.SetBytes(n)
	cpu := processCPU()
	for b.Loop() {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ids []uint32
				for {
					i := int(next.Add(1) - 1)
					if i >= len(parts) {
						return
					}
					ids = tok.Encode(parts[i], ids[:0])
				}
			}()
		}
		wg.Wait()
	}
	reportCPU(b, n, cpu)
}

// reportCPU adds MB per CPU-second (all goroutines of the process) since
// start: per-core throughput that a busy shared machine distorts less than
// wall time.
func reportCPU(b *testing.B, bytesPerOp int64, start time.Duration) {
	if d := processCPU() - start; d > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/d.Seconds()/1e6, "MB/cpu-s")
	}
}

// npmRanksLoader serves tiktoken-go the cl100k_base ranks from the npm
// package's file instead of downloading them.
type npmRanksLoader struct{ ranks map[string]int }

func (l npmRanksLoader) LoadTiktokenBpe(string) (map[string]int, error) { return l.ranks, nil }

// BenchmarkTiktokenGo is the peer: github.com/pkoukk/tiktoken-go on the same
// text with the same cl100k_base ranks. It also checks that its ids equal
// ours.
func BenchmarkTiktokenGo(b *testing.B) {
	docs, n := benchBooks(b)
	tok := loadNPMEncoding(b, "cl100k_base")
	ranks := make(map[string]int, len(tok.ranks))
	for s, id := range tok.ranks {
		ranks[s] = int(id)
	}
	tiktoken.SetBpeLoader(npmRanksLoader{ranks})
	enc, err := tiktoken.GetEncoding("cl100k_base")
	if err != nil {
		b.Fatal(err)
	}
	got := enc.EncodeOrdinary(docs[0].Text)
	want := tok.Encode(docs[0].Text, nil)
	if len(got) != len(want) || !slices.EqualFunc(got, want, func(a int, b uint32) bool { return a == int(b) }) {
		b.Fatalf("tiktoken-go and curate disagree on %s", docs[0].Name)
	}
	b.SetBytes(n)
	cpu := processCPU()
	for b.Loop() {
		for _, d := range docs {
			enc.EncodeOrdinary(d.Text)
		}
	}
	reportCPU(b, n, cpu)
}

// BenchmarkTrain trains a 30,000-id vocabulary with GPT-2's pattern on all
// book text (the peer comparison of bench/bpe/train_peers.sh).
func BenchmarkTrain(b *testing.B) {
	docs, n := benchBooks(b)
	o := DefaultOptions()
	o.VocabSize = 30000
	o.Pattern = PatternGPT2
	o.MinFrequency = 1
	o.SampleBytes = 0
	b.SetBytes(n)
	for b.Loop() {
		tr, err := NewTrainer(o)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range docs {
			tr.Add(d.Text)
		}
		if _, err := tr.Finish(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
