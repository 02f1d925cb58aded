// Command dedupscale measures the dedup bucket and cluster stages at scale
// on synthetic documents with planted duplicates: it writes the per-part
// signature and docs files ingest would write (14 MinHash bands and the
// exact hash per document), runs one bucket merge per (section × range)
// and the cluster step, with stages/dedup's own code, and prints wall time,
// peak RSS, file bytes per document and heap bytes per clustered document.
//
//	go run ./bench/dedup/dedupscale -docs 1000000
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/curate-dev/curate/stages/dedup"
)

func main() {
	docs := flag.Int("docs", 1_000_000, "documents")
	parts := flag.Int("parts", 64, "ingest parts")
	ranges := flag.Int("ranges", 4, "hash ranges per section")
	dupRate := flag.Float64("dup", 0.1, "share of documents that copy an earlier one (half exact, half near)")
	bands := flag.Int("bands", 14, "MinHash bands")
	dir := flag.String("dir", "", "work directory (default: a temporary one, removed at the end)")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "dedupscale-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	sections := []uint32{dedup.SectionExact}
	for b := range *bands {
		sections = append(sections, uint32(b))
	}

	// 1. What ingest writes: per part, keys sorted by section, and records.
	t0 := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	type keys struct {
		exact dedup.Key
		bands []dedup.Key
	}
	// Originals' keys are regenerated from their index, so the generator
	// holds nothing per document.
	keyOf := func(i int) keys {
		r := rand.New(rand.NewPCG(uint64(i), 77))
		k := keys{exact: dedup.Key{Hi: r.Uint64(), Lo: r.Uint64()}}
		for range *bands {
			k.bands = append(k.bands, dedup.Key{Hi: r.Uint64(), Lo: r.Uint64()})
		}
		return k
	}
	planted := 0
	// copied marks planted copies (a bit per document): a copy's keys are
	// not keyOf(its index), so only originals are copied.
	copied := make([]uint64, *docs/64+1)
	perPart := (*docs + *parts - 1) / *parts
	var sigBytes, docBytes int64
	maxSigWriter := 0
	for p := range *parts {
		sw := dedup.NewSpillingSigWriter(*dir, spillLimit)
		for _, s := range sections {
			sw.Section(s)
		}
		df, err := os.Create(filepath.Join(*dir, fmt.Sprintf("docs-%05d", p)))
		if err != nil {
			log.Fatal(err)
		}
		dw, _ := dedup.NewDocWriter(df)
		for row := 0; row < perPart; row++ {
			i := p*perPart + row
			if i >= *docs {
				break
			}
			k := keyOf(i)
			if i > 0 && rng.Float64() < *dupRate {
				j := rng.IntN(i)
				for copied[j/64]&(1<<(j%64)) != 0 {
					j = rng.IntN(i)
				}
				src := keyOf(j)
				copied[i/64] |= 1 << (i % 64)
				planted++
				if rng.IntN(2) == 0 {
					k = src // exact copy: every key agrees
				} else {
					// near copy: other text, a few bands agree
					for _, b := range rng.Perm(*bands)[:1+rng.IntN(3)] {
						k.bands[b] = src.bands[b]
					}
				}
			}
			if err := sw.Add(dedup.SectionExact, k.exact, uint32(row)); err != nil {
				log.Fatal(err)
			}
			for b, key := range k.bands {
				if err := sw.Add(uint32(b), key, uint32(row)); err != nil {
					log.Fatal(err)
				}
			}
			if err := dw.Write(dedup.DocInfo{Exact: k.exact, Length: int64(500 + rng.IntN(5000)), Score: rng.Float32(), ID: fmt.Sprintf("synthetic/part-%05d/%d", p, row)}); err != nil {
				log.Fatal(err)
			}
		}
		maxSigWriter = max(maxSigWriter, sw.Entries())
		sf, err := os.Create(filepath.Join(*dir, fmt.Sprintf("sig-%05d", p)))
		if err != nil {
			log.Fatal(err)
		}
		n, err := sw.WriteTo(sf)
		if err != nil {
			log.Fatal(err)
		}
		sw.Close()
		sigBytes += n
		dw.Flush()
		st, _ := df.Stat()
		docBytes += st.Size()
		sf.Close()
		df.Close()
	}
	write := time.Since(t0)
	rssWrite := peakRSS()

	// 2. Buckets: one merge per (section, range), every part's slice.
	t1 := time.Now()
	var pairFiles []string
	var pairs, entries int64
	for _, s := range sections {
		for r := range *ranges {
			var srcs []dedup.Source
			for p := range *parts {
				f, err := dedup.OpenSig(filepath.Join(*dir, fmt.Sprintf("sig-%05d", p)))
				if err != nil {
					log.Fatal(err)
				}
				er, err := f.Range(s, r, *ranges)
				if err != nil {
					log.Fatal(err)
				}
				srcs = append(srcs, dedup.Source{Entries: er, Base: dedup.Ref(p, 0), Closer: f})
			}
			path := filepath.Join(*dir, fmt.Sprintf("pairs-%d-%d", s, r))
			pf, err := os.Create(path)
			if err != nil {
				log.Fatal(err)
			}
			pw, _ := dedup.NewPairWriter(pf)
			st, err := dedup.Merge(srcs, pw.Write)
			if err != nil {
				log.Fatal(err)
			}
			pw.Flush()
			pf.Close()
			for _, s := range srcs {
				s.Closer.Close()
			}
			pairs += st.Pairs
			entries += st.Entries
			pairFiles = append(pairFiles, path)
		}
	}
	buckets := time.Since(t1)
	rssBuckets := peakRSS()

	// 3. Cluster: union–find, gather clustered records, decide.
	t2 := time.Now()
	heap0 := heapInUse()
	c := dedup.NewClusterer(dedup.PreferLongest)
	for _, p := range pairFiles {
		if err := c.AddPairs(p); err != nil {
			log.Fatal(err)
		}
	}
	wanted := c.Parts()
	for p := range *parts {
		if wanted[[2]int{-1, p}] {
			if err := c.Gather(filepath.Join(*dir, fmt.Sprintf("docs-%05d", p)), dedup.Ref(p, 0), 0); err != nil {
				log.Fatal(err)
			}
		}
	}
	heap1 := heapInUse()
	removed, clusters := 0, 0
	if err := c.Decide(true, false, func(m *dedup.Member, d dedup.Decision) error {
		if d.Kind == dedup.KindSurvivor {
			clusters++
		} else {
			removed++
		}
		return nil
	}); err != nil {
		log.Fatal(err)
	}
	cluster := time.Since(t2)
	rssCluster := peakRSS()

	fmt.Printf("docs %d in %d parts, %d sections x %d ranges, planted duplicates %d (%.0f%%)\n", *docs, *parts, len(sections), *ranges, planted, 100**dupRate)
	fmt.Printf("write keys:  %6.1f s  sig files %.1f B/doc, docs files %.1f B/doc; a SigWriter holds %d B/doc and spills past %d entries (%.0f MiB); most held at the end of a part: %d\n",
		write.Seconds(), float64(sigBytes)/float64(*docs), float64(docBytes)/float64(*docs), 20*len(sections), spillLimit, float64(spillLimit*20)/(1<<20), maxSigWriter)
	fmt.Printf("buckets:     %6.1f s  %d entries merged, %d pairs (%.1f MB of pair files)\n", buckets.Seconds(), entries, pairs, float64(pairs*16)/1e6)
	fmt.Printf("cluster:     %6.1f s  %d documents in %d clusters, %d removed (planted %d); heap for union-find + records %.1f MiB = %.0f B per clustered document\n",
		cluster.Seconds(), c.Documents(), clusters, removed, planted, float64(heap1-heap0)/(1<<20), float64(heap1-heap0)/float64(max(c.Documents(), 1)))
	fmt.Printf("peak RSS:    after keys %.0f MiB, after buckets %.0f MiB, after cluster %.0f MiB\n", rssWrite, rssBuckets, rssCluster)
	if removed != planted {
		log.Fatalf("removed %d, planted %d", removed, planted)
	}
}

// spillLimit is the pipeline's: 2M entries (40 MiB) per ingest task.
const spillLimit = 2 << 20

func peakRSS() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024
}

func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}
