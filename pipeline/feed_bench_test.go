package pipeline

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// feedProbe times the publish (tokenize) and feed phases and samples the
// heap while the feed phases run.
type feedProbe struct {
	nopProgress
	mu       sync.Mutex
	start    map[string]time.Time
	seconds  map[string]float64
	stop     chan struct{}
	done     chan struct{}
	peakHeap uint64
	base     uint64
}

func (p *feedProbe) PhaseStart(phase string, _ int, _ int64) {
	p.mu.Lock()
	p.start[phase] = time.Now()
	p.mu.Unlock()
	if phase == "feed-spool" {
		runtime.GC()
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(live)
		p.base = live[0].Value.Uint64()
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go func() {
			defer close(p.done)
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-p.stop:
					return
				case <-t.C:
					// The live heap at the last GC: what the phase holds,
					// not the garbage GC pacing lets pile up.
					metrics.Read(live)
					if v := live[0].Value.Uint64(); v > p.peakHeap {
						p.peakHeap = v
					}
				}
			}
		}()
	}
}

func (p *feedProbe) PhaseEnd(phase string) {
	p.mu.Lock()
	p.seconds[phase] = time.Since(p.start[phase]).Seconds()
	p.mu.Unlock()
	if phase == "feed-manifest" {
		close(p.stop)
		<-p.done
	}
}

// BenchmarkFeed runs the whole pipeline on synthetic corpora of growing
// size and reports tokenize (publish) and feed throughput, and the feed
// phases' peak live heap above what was live when they began: it must stay
// flat as the corpus grows (the shuffle works on ranges and windows).
//
//	go test ./pipeline/ -run '^$' -bench BenchmarkFeed -benchtime 1x
func BenchmarkFeed(b *testing.B) {
	for _, files := range []int{2, 8, 24} {
		b.Run(fmt.Sprintf("files=%d", files), func(b *testing.B) {
			dir := b.TempDir()
			seededCorpus(b, filepath.Join(dir, "web"), 1, files, 800)
			seededCorpus(b, filepath.Join(dir, "books"), 2, files/2, 1500)
			block := "  seq_len: 1023\n  shard_tokens: 500000\n  shuffle_window_tokens: 1048576\n  val_fraction: 0.01\n  formats: [parquet, llmc, megatron, nanotron]"
			for i := 0; i < b.N; i++ {
				out := filepath.Join(dir, fmt.Sprint("out", i))
				p := &feedProbe{start: map[string]time.Time{}, seconds: map[string]float64{}}
				cfg := configFor(b, dir, feedConfig(dir, out, block))
				cfg.Sources[1].MaxEpochs = 0
				res, err := Run(context.Background(), cfg, RunOptions{Progress: p, Workers: 2})
				if err != nil {
					b.Fatal(err)
				}
				var text, tokens int64
				for _, s := range res.Stats.Sources {
					text += s.TextBytesWritten
					tokens += s.Tokens
				}
				feedSec := p.seconds["feed-spool"] + p.seconds["feed"] + p.seconds["feed-manifest"]
				b.ReportMetric(float64(text)/1e6/p.seconds["publish"], "tokenize-MB/s")
				b.ReportMetric(float64(tokens)/p.seconds["publish"], "tokenize-tokens/s")
				b.ReportMetric(float64(tokens)/feedSec, "feed-tokens/s")
				b.ReportMetric(float64(text)/1e6/feedSec, "feed-MB/s")
				b.ReportMetric(float64(tokens), "corpus-tokens")
				b.ReportMetric(float64(p.peakHeap-min(p.base, p.peakHeap))/(1<<20), "feed-peak-live-heap-MiB")
				b.ReportMetric(float64(p.base)/(1<<20), "live-heap-before-feed-MiB")
			}
		})
	}
}
