package dedup

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// benchText is real English prose (a Gutenberg book from the shared
// corpus) when present, else generated words of English-like lengths.
func benchText(b *testing.B) string {
	if root := corpustest.Root(); root != "" {
		if t, err := os.ReadFile(filepath.Join(root, "books", "pg1661.txt")); err == nil {
			return string(t)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	var sb strings.Builder
	for sb.Len() < 600_000 {
		for range 1 + rng.IntN(9) {
			sb.WriteByte(byte('a' + rng.IntN(26)))
		}
		sb.WriteString(" ")
	}
	return sb.String()
}

// perCPUSecond reports MB per CPU-second of this process: the machine is
// shared, so wall-clock MB/s understates the cost per core when other
// processes hold the cores.
func perCPUSecond(b *testing.B, bytesPerOp int, run func()) {
	b.SetBytes(int64(bytesPerOp))
	cpu0 := cpuTime()
	for b.Loop() {
		run()
	}
	if sec := (cpuTime() - cpu0).Seconds(); sec > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/sec/1e6, "MB/cpu-s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExactHash is the exact-dedup key: normalise, then XXH3-128.
func BenchmarkExactHash(b *testing.B) {
	text := benchText(b)
	n := DefaultNormalization()
	var buf []byte
	perCPUSecond(b, len(text), func() {
		buf = n.Append(buf[:0], text)
		_ = HashBytes(buf)
	})
}

// BenchmarkSignature is a full near-dedup signature with FineWeb's
// settings (112 hashes): normalise, shingle word 5-grams, hash, band keys.
func BenchmarkSignature(b *testing.B) {
	for _, c := range []struct {
		name  string
		bands int
	}{{"112hashes", 14}, {"64hashes", 8}} {
		b.Run(c.name, func(b *testing.B) {
			text := benchText(b)
			o := DefaultMinHash()
			o.Bands = c.bands
			m, _ := NewMinHasher(o, DefaultNormalization())
			var sig []uint32
			var keys []Key
			perCPUSecond(b, len(text), func() {
				sig, _ = m.Signature(text, "en", sig[:0])
				keys = m.BandKeys(sig, keys[:0])
			})
		})
	}
}

// BenchmarkSignatureChinese shingles by characters.
func BenchmarkSignatureChinese(b *testing.B) {
	text := strings.Repeat("东京是日本的首都也是最大的城市人口超过一千万，", 20000)
	m, _ := NewMinHasher(DefaultMinHash(), DefaultNormalization())
	var sig []uint32
	perCPUSecond(b, len(text), func() {
		sig, _ = m.Signature(text, "zh", sig[:0])
	})
}

// benchEvalIndex indexes every question and answer of the shared GSM8K
// and LAMBADA test sets (about 0.5M 13-grams), or generated items.
func benchEvalIndex(b *testing.B) *EvalIndex {
	bld := NewEvalIndexBuilder(DefaultNgram)
	bld.AddSet("bench")
	if root := corpustest.Root(); root != "" {
		for _, s := range []EvalSet{
			{Path: filepath.Join(root, "evalsets/gsm8k/test.jsonl"), Fields: []string{"question", "answer"}},
			{Path: filepath.Join(root, "evalsets/lambada_openai/lambada_openai.jsonl"), Fields: []string{"context", "continuation"}},
		} {
			if err := s.EachItem(func(t string) error { bld.Add(t); return nil }); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		rng := rand.New(rand.NewPCG(2, 2))
		for range 5000 {
			var sb strings.Builder
			for range 100 {
				sb.WriteString(string(rune('a'+rng.IntN(26))) + string(rune('a'+rng.IntN(26))) + " ")
			}
			bld.Add(sb.String())
		}
	}
	path := filepath.Join(b.TempDir(), "idx")
	f, _ := os.Create(path)
	bld.WriteTo(f)
	f.Close()
	x, err := ReadEvalIndex(path)
	if err != nil {
		b.Fatal(err)
	}
	return x
}

// BenchmarkDecontaminate is the filter task's per-document cost: every
// word 13-gram of the text hashed and looked up in the evaluation index.
func BenchmarkDecontaminate(b *testing.B) {
	text := benchText(b)
	x := benchEvalIndex(b)
	g := NewNgrammer(x.N)
	b.ReportMetric(float64(x.Ngrams()), "index-ngrams")
	var spans []Span
	perCPUSecond(b, len(text), func() { spans = x.Matches(g, text, spans) })
}

// BenchmarkParagraphKeys is ingest's paragraph cost: split, normalise,
// hash every paragraph.
func BenchmarkParagraphKeys(b *testing.B) {
	text := benchText(b)
	n := DefaultNormalization()
	var buf []byte
	perCPUSecond(b, len(text), func() {
		EachSpan(text, false, func(s, e int) {
			buf = n.Append(buf[:0], text[s:e])
			_ = HashBytes(buf)
		})
	})
}

// BenchmarkParagraphRange is one paragraph range task: 8 parts of
// docs × 4 paragraph keys (one in ten shared by many documents), range 0
// of 4 merged and counted. Allocated bytes per op stay flat as docs grow:
// the task holds one entry per part, not per key.
func BenchmarkParagraphRange(b *testing.B) {
	for _, docs := range []int{50_000, 200_000} {
		b.Run(fmt.Sprintf("docs-per-part=%d", docs), func(b *testing.B) {
			dir := b.TempDir()
			rng := rand.New(rand.NewPCG(3, 3))
			var paths []string
			for p := range 8 {
				w := NewSigWriter()
				w.Section(SectionParagraphs)
				for row := range docs {
					for range 4 {
						k := Key{rng.Uint64(), rng.Uint64()}
						if rng.IntN(10) == 0 {
							k = Key{uint64(rng.IntN(1000)) * 0x9E3779B97F4A7C15, 1}
						}
						w.Add(SectionParagraphs, k, uint32(row))
					}
				}
				path := filepath.Join(dir, fmt.Sprint(p))
				f, _ := os.Create(path)
				w.WriteTo(f)
				f.Close()
				paths = append(paths, path)
			}
			b.ReportAllocs()
			var entries int64
			for b.Loop() {
				var srcs []Source
				for p, path := range paths {
					f, err := OpenSig(path)
					if err != nil {
						b.Fatal(err)
					}
					er, _ := f.Range(SectionParagraphs, 0, 4)
					srcs = append(srcs, Source{Entries: er, Base: Ref(p, 0), Closer: f})
				}
				n, err := CountRuns(srcs, 2, func(Common) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				entries = n
				for _, s := range srcs {
					s.Closer.Close()
				}
			}
			b.ReportMetric(float64(entries), "entries/op")
		})
	}
}

// BenchmarkNgramHash is the span hashing alone: words split, lower-cased,
// hashed and rolled into 13-grams, without index lookups.
func BenchmarkNgramHash(b *testing.B) {
	text := benchText(b)
	g := NewNgrammer(DefaultNgram)
	var sum uint64
	perCPUSecond(b, len(text), func() {
		g.Each(text, func(h uint64, _, _ int) bool { sum += h; return true })
	})
}
