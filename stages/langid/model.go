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
	"runtime"
	"slices"
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
	logp  []float32         // natural log of lingua's probability
}

// lookup returns the entries of key (nil, nil when absent).
func (t *table) lookup(key uint64) ([]uint8, []float32) {
	v, ok := t.index[key]
	if !ok {
		return nil, nil
	}
	off, n := v>>8, v&0xff
	return t.langs[off : off+n], t.logp[off : off+n]
}

// models holds one table per n-gram order (index 0: unigrams ... 4:
// fivegrams). Trigrams are what lingua scores texts of 120+ letters with,
// bigrams and unigrams its fallbacks when a language lacks a trigram
// (rangeOfLowerOrderNgrams); 4- and 5-grams are loaded only in high-accuracy
// mode, for shorter texts.
type models struct {
	tables   [maxOrder]table
	maxOrder int // highest order loaded
	count    int // total entries, for the benchmark report
}

const maxOrder = 5

// key returns the table key of an n-gram. Up to three runes (each below
// 0x110000, 21 bits) are packed exactly; 4- and 5-grams do not fit in 64
// bits and are hashed (a false hit needs a 64-bit collision among ~7M keys:
// about 1 in 10^12 per lookup).
func key(rs []rune) uint64 {
	if len(rs) <= 3 {
		var k uint64
		for _, r := range rs {
			k = k<<21 | uint64(r)
		}
		return k
	}
	h := uint64(0x9e3779b97f4a7c15)
	for _, r := range rs {
		h ^= uint64(r)
		h *= 0xff51afd7ed558ccd
		h ^= h >> 32
	}
	return h
}

// ngramSet is one language's model of one order, as decoded from lingua.
type ngramSet struct {
	keys []uint64
	logp []float32
}

// loadModel decodes lingua's model of the given order (1-5) for language l.
func loadModel(l lingua.Language, order int) (ngramSet, error) {
	names := [...]string{"", "unigrams", "bigrams", "trigrams", "quadrigrams", "fivegrams"}
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
	set := ngramSet{keys: make([]uint64, 0, m.TotalNgrams), logp: make([]float32, 0, m.TotalNgrams)}
	var rs []rune
	for _, ns := range m.NgramSets {
		// float32 keeps 7 digits of a log probability: sums over a window
		// differ from lingua's float64 ones by far less than its confidence
		// resolution (TestAgreesWithLingua checks 1e-6).
		lp := float32(math.Log(ns.Probability))
		for _, g := range ns.Ngrams {
			rs = append(rs[:0], []rune(g)...)
			if len(rs) != order {
				return ngramSet{}, fmt.Errorf("langid: lingua model %s holds %q, not a %d-gram", path, g, order)
			}
			set.keys = append(set.keys, key(rs))
			set.logp = append(set.logp, lp)
		}
	}
	return set, nil
}

// loadModels decodes the models of orders 1..top of langs and merges them,
// one order at a time so that only one order's decoded sets are in memory.
// Languages decode in parallel (decoding is most of a Tagger's start-up);
// the merge runs in language order, so the tables are the same on every run.
func loadModels(langs []lingua.Language, top int) (*models, error) {
	m := &models{maxOrder: top}
	for o := range top {
		sets := make([]ngramSet, len(langs))
		errs := make([]error, len(langs))
		var wg sync.WaitGroup
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		for i, l := range langs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				sets[i], errs[i] = loadModel(l, o+1)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		// One map serves twice: first it counts each key's entries (low
		// byte), then it holds each key's offset, so that a key's entries
		// land contiguously; a second map would double the peak memory.
		t := &m.tables[o]
		t.index = make(map[uint64]uint64)
		total := 0
		for _, s := range sets {
			for _, k := range s.keys {
				t.index[k]++
			}
			total += len(s.keys)
		}
		t.langs = make([]uint8, total)
		t.logp = make([]float32, total)
		off := uint64(0)
		for k, n := range t.index {
			t.index[k] = off << 8 // the count (low byte) grows again as entries land
			off += n
		}
		for i, l := range langs {
			for j, k := range sets[i].keys {
				v := t.index[k]
				pos := v>>8 + v&0xff
				t.langs[pos] = uint8(l)
				t.logp[pos] = sets[i].logp[j]
				t.index[k] = v + 1
			}
			sets[i] = ngramSet{} // let the decoded set go
		}
		m.count += total
	}
	return m, nil
}

// dense holds, for the trigram path, one row per n-gram with a column per
// model language: the log probability lingua would use for that language,
// already resolved through lingua's fallback (a trigram the language lacks
// takes its bigram prefix's value, else its first letter's), and 0 where
// the language has none of them. Scoring a trigram is then one lookup and
// one add per candidate. A 0 adds nothing, and a language whose sum stays
// 0 is dropped, exactly as lingua drops a language that found no n-gram.
type dense struct {
	cols  int
	rows  [3]map[uint64]uint32 // per order (0: unigrams): key -> row
	data  [3][]float32
	colOf [numLang]int16 // language -> column, -1 without models
}

// row returns the resolved row of key at order o+1, or nil.
func (d *dense) row(o int, key uint64) []float32 {
	r, ok := d.rows[o][key]
	if !ok {
		return nil
	}
	return d.data[o][int(r)*d.cols : int(r+1)*d.cols]
}

// buildDense resolves the unigram, bigram and trigram tables of m into
// dense rows over langs (the languages m was loaded for).
func buildDense(m *models, langs []lingua.Language) *dense {
	d := &dense{cols: len(langs)}
	for i := range d.colOf {
		d.colOf[i] = -1
	}
	for c, l := range langs {
		d.colOf[l] = int16(c)
	}
	for o := range 3 {
		t := &m.tables[o]
		keys := make([]uint64, 0, len(t.index))
		for k := range t.index {
			keys = append(keys, k)
		}
		slices.Sort(keys) // deterministic row numbers
		d.rows[o] = make(map[uint64]uint32, len(keys))
		d.data[o] = make([]float32, len(keys)*d.cols)
		for r, k := range keys {
			d.rows[o][k] = uint32(r)
			row := d.data[o][r*d.cols : (r+1)*d.cols]
			// Start from the lower order's resolved row of the prefix.
			if o > 0 {
				if lower := d.row(o-1, k>>21); lower != nil {
					copy(row, lower)
				} else if o == 2 {
					if uni := d.row(0, k>>42); uni != nil {
						copy(row, uni)
					}
				}
			}
			ls, lp := t.lookup(k)
			for i, l := range ls {
				row[d.colOf[l]] = lp[i]
			}
		}
	}
	return d
}
