package langid

import (
	"archive/zip"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strings"
	"sync"
	_ "unsafe" // for go:linkname to lingua's embedded models

	"github.com/pemistahl/lingua-go"
	"github.com/pemistahl/lingua-go/serialization"
	"google.golang.org/protobuf/proto"
)

// linguaModels is lingua-go's own embedded model folder. lingua keeps it
// unexported and offers no way to read an n-gram probability, yet the fast
// scorer must use exactly lingua's models to keep lingua's accuracy. Linking
// to the variable reads the very bytes the pinned lingua-go version ships,
// instead of a copy of them that could drift. TestModelsReadable fails loudly
// if a lingua-go upgrade renames it.
//
//go:linkname linguaModels github.com/pemistahl/lingua-go.languageModels
var linguaModels embed.FS

// table holds, for one n-gram order, every configured language's log
// probability of every n-gram, merged so that one hash lookup per n-gram gives
// all languages at once (lingua does one map lookup per language instead).
// An n-gram is keyed by its runes packed 21 bits each, so no strings are built
// while scoring.
type table struct {
	index map[uint64]uint64 // key -> offset<<8 | count into langs/logp
	langs []uint8           // lingua.Language of each entry
	logp  []float64         // natural log of lingua's probability
}

// lookup returns the entries of key (nil, nil when absent).
func (t *table) lookup(key uint64) ([]uint8, []float64) {
	v, ok := t.index[key]
	if !ok {
		return nil, nil
	}
	off, n := v>>8, v&0xff
	return t.langs[off : off+n], t.logp[off : off+n]
}

// models is the trigram table plus the bigram and unigram tables lingua falls
// back to when a language lacks a trigram (rangeOfLowerOrderNgrams).
type models struct {
	tables [3]table // index 0: unigrams, 1: bigrams, 2: trigrams
	count  int      // total entries, for the benchmark report
}

// packKey packs up to three runes (each < 0x110000, 21 bits) into a key.
func packKey(rs []rune) uint64 {
	var k uint64
	for _, r := range rs {
		k = k<<21 | uint64(r)
	}
	return k
}

// ngramSet is one language's model of one order, as decoded from lingua.
type ngramSet struct {
	keys []uint64
	logp []float64
}

// loadModel decodes lingua's model of the given order (1-3) for language l.
func loadModel(l lingua.Language, order int) (ngramSet, error) {
	names := [...]string{"", "unigrams", "bigrams", "trigrams"}
	iso := strings.ToLower(l.IsoCode639_1().String())
	path := fmt.Sprintf("language-models/%s/%s.pb.bin.zip", iso, names[order])
	raw, err := linguaModels.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		// lingua ships no model of some orders for some languages (no
		// bigrams for Chinese): lingua then finds no probability, and so
		// do we.
		return ngramSet{}, nil
	}
	if err != nil {
		return ngramSet{}, fmt.Errorf("langid: read lingua model %s: %w", path, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil || len(zr.File) == 0 {
		return ngramSet{}, fmt.Errorf("langid: lingua model %s is not a zip with one file: %v", path, err)
	}
	f, err := zr.File[0].Open()
	if err != nil {
		return ngramSet{}, fmt.Errorf("langid: open lingua model %s: %w", path, err)
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return ngramSet{}, fmt.Errorf("langid: unzip lingua model %s: %w", path, err)
	}
	var m serialization.SerializableLanguageModel
	if err := proto.Unmarshal(data, &m); err != nil {
		return ngramSet{}, fmt.Errorf("langid: decode lingua model %s: %w", path, err)
	}
	set := ngramSet{keys: make([]uint64, 0, m.TotalNgrams), logp: make([]float64, 0, m.TotalNgrams)}
	var rs []rune
	for _, ns := range m.NgramSets {
		lp := math.Log(ns.Probability)
		for _, g := range ns.Ngrams {
			rs = append(rs[:0], []rune(g)...)
			if len(rs) != order {
				return ngramSet{}, fmt.Errorf("langid: lingua model %s holds %q, not a %d-gram", path, g, order)
			}
			set.keys = append(set.keys, packKey(rs))
			set.logp = append(set.logp, lp)
		}
	}
	return set, nil
}

// loadModels decodes the unigram, bigram and trigram models of langs (in
// parallel: decoding is most of a Tagger's start-up) and merges them. The
// merge runs in language order, so the tables are the same on every run.
func loadModels(langs []lingua.Language) (*models, error) {
	sets := make([][3]ngramSet, len(langs))
	errs := make([]error, len(langs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, l := range langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			for order := 1; order <= 3; order++ {
				s, err := loadModel(l, order)
				if err != nil {
					errs[i] = err
					return
				}
				sets[i][order-1] = s
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	m := &models{}
	for o := range 3 {
		// Count entries per key first so each key's entries are contiguous.
		counts := make(map[uint64]uint64)
		total := 0
		for i := range langs {
			for _, k := range sets[i][o].keys {
				counts[k]++
			}
			total += len(sets[i][o].keys)
		}
		t := &m.tables[o]
		t.index = make(map[uint64]uint64, len(counts))
		t.langs = make([]uint8, total)
		t.logp = make([]float64, total)
		off := uint64(0)
		for k, n := range counts {
			t.index[k] = off << 8 // count filled in below as entries land
			off += n
		}
		for i, l := range langs {
			s := sets[i][o]
			for j, k := range s.keys {
				v := t.index[k]
				pos := v>>8 + v&0xff
				t.langs[pos] = uint8(l)
				t.logp[pos] = s.logp[j]
				t.index[k] = v + 1
			}
			sets[i][o] = ngramSet{} // let the decoded set go
		}
		m.count += total
	}
	return m, nil
}
