// Package peer benchmarks curate's MinHash signatures side by side with
// ekzhu/minhash-lsh (the Go MinHash LSH by datasketch's author, on
// dgryski/go-minhash), over the same normalised text and word 5-gram
// shingles, 112 hash functions each. It is a module of its own so that
// curate does not depend on the peer.
//
//	cd bench/dedup/peer && go test -bench . -benchtime 20x
package peer

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	minhashlsh "github.com/ekzhu/minhash-lsh"

	"github.com/curate-dev/curate/stages/dedup"
)

// book is The Adventures of Sherlock Holmes from the shared corpus.
func book(b *testing.B) string {
	t, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "corpus", "books", "pg1661.txt"))
	if err != nil {
		b.Skipf("shared corpus not found: %v", err)
	}
	return string(t)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func perCPUSecond(b *testing.B, n int, run func()) {
	b.SetBytes(int64(n))
	cpu0 := cpuTime()
	for b.Loop() {
		run()
	}
	if sec := (cpuTime() - cpu0).Seconds(); sec > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/sec/1e6, "MB/cpu-s")
	}
}

func BenchmarkCurate112(b *testing.B) {
	text := book(b)
	m, _ := dedup.NewMinHasher(dedup.DefaultMinHash(), dedup.DefaultNormalization())
	var sig []uint32
	perCPUSecond(b, len(text), func() { sig, _ = m.Signature(text, "en", sig[:0]) })
}

func BenchmarkEkzhuMinhashLSH112(b *testing.B) {
	text := book(b)
	norm := dedup.DefaultNormalization()
	var buf []byte
	var starts, ends []int
	perCPUSecond(b, len(text), func() {
		// The same normalisation and word 5-grams, each pushed as bytes.
		buf = norm.Append(buf[:0], text)
		starts, ends = starts[:0], ends[:0]
		for i := 0; i < len(buf); {
			j := bytes.IndexByte(buf[i:], ' ')
			if j < 0 {
				j = len(buf) - i
			}
			starts, ends = append(starts, i), append(ends, i+j)
			i += j + 1
		}
		mh := minhashlsh.NewMinhash(1, 112)
		for w := 0; w+5 <= len(starts); w++ {
			mh.Push(buf[starts[w]:ends[w+4]])
		}
		_ = mh.Signature()
	})
}
