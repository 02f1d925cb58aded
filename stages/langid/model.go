package langid

import (
	"archive/zip"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	_ "unsafe" // for go:linkname to lingua's embedded models

	"github.com/pemistahl/lingua-go"
	"google.golang.org/protobuf/encoding/protowire"
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
// while scoring. A key's entries are contiguous.
type table struct {
	index hashIndex // key -> offset<<8 | count into logp and cols
	logp  []float32 // natural log of lingua's probability, per entry
	cols  []uint8   // the entry's language's dense column
}

// lookup returns the entries of key (empty when absent).
func (t *table) lookup(key uint64) ([]float32, []uint8) {
	return t.entriesOf(t.index.get(key))
}

// entriesOf returns the entries an index value points at (empty for 0).
func (t *table) entriesOf(v uint64) ([]float32, []uint8) {
	off, n := v>>8, v&0xff
	return t.logp[off : off+n], t.cols[off : off+n]
}

// models holds the unigram, bigram and trigram tables: trigrams are what
// lingua scores texts of 120+ letters with, bigrams and unigrams its
// fallbacks when a language lacks a trigram (rangeOfLowerOrderNgrams). They
// are resolved into dense rows at New and then dropped; the 4- and 5-gram
// tables of short texts live in shortModels.
type models struct {
	tables [3]table
	count  int // total entries, for the benchmark report
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
	h := uint64(hashSeed)
	for _, r := range rs {
		h = hashStep(h, r)
	}
	return h
}

// hashSeed and hashStep define the key of 4- and 5-grams: hashStep folded
// over the runes from hashSeed, so a 5-gram's key is one hashStep from its
// 4-gram prefix's key (short.go computes them so).
const hashSeed = 0x9e3779b97f4a7c15

func hashStep(h uint64, r rune) uint64 {
	h ^= uint64(r)
	h *= 0xff51afd7ed558ccd
	return h ^ h>>32
}

// ngramSet is one language's model of one order, as decoded from lingua:
// its n-gram keys, in runs of equal probability as lingua stores them.
type ngramSet struct {
	keys []uint64
	runs []probRun
}

// probRun says that the next n keys of a set have log probability logp.
type probRun struct {
	logp float32
	n    int32
}

// eachLogp calls fn with every key of the set and its log probability.
func (s *ngramSet) eachLogp(fn func(k uint64, logp float32)) {
	i := 0
	for _, r := range s.runs {
		for _, k := range s.keys[i : i+int(r.n)] {
			fn(k, r.logp)
		}
		i += int(r.n)
	}
}

// loadModel decodes lingua's model of the given order (1-5) for language l.
func loadModel(l lingua.Language, order int) (ngramSet, error) {
	var scratch []byte
	return loadModelInto(l, order, &scratch)
}

// loadModelInto is loadModel unzipping into *scratch, which it grows as
// needed and leaves for the next call: the unzipped 4- and 5-gram models are
// tens of MB each, and a fresh buffer per language is garbage the collector
// only reclaims once the heap has doubled, which is most of the peak memory
// of loading a script's short-text tables.
func loadModelInto(l lingua.Language, order int, scratch *[]byte) (ngramSet, error) {
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
	need := int(zr.File[0].UncompressedSize64)
	if cap(*scratch) < need+1 {
		*scratch = make([]byte, 0, need+1)
	}
	buf := bytes.NewBuffer((*scratch)[:0])
	_, err = buf.ReadFrom(f)
	data := buf.Bytes()
	*scratch = data[:0]
	f.Close()
	if err != nil {
		return ngramSet{}, fmt.Errorf("langid: unzip lingua model %s: %w", path, err)
	}
	set, err := decodeModel(data, order)
	if err != nil {
		return ngramSet{}, fmt.Errorf("langid: decode lingua model %s: %w", path, err)
	}
	return set, nil
}

// decodeModel reads lingua's SerializableLanguageModel protobuf (field 4:
// repeated SerializableNgramSet{1: double probability, 2: repeated string
// ngrams}) straight from the wire: generated code would allocate a string
// per n-gram, and the 4- and 5-gram models hold millions of them, so this
// is most of the cost of loading them. TestDecodeModelMatchesProto holds it
// to the generated decoder.
func decodeModel(data []byte, order int) (ngramSet, error) {
	var set ngramSet
	rs := make([]rune, 0, order)
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return ngramSet{}, protowire.ParseError(n)
		}
		data = data[n:]
		if num == 3 && typ == protowire.VarintType && set.keys == nil {
			// total_ngrams precedes the sets: size the slices once.
			total, n := protowire.ConsumeVarint(data)
			if n < 0 {
				return ngramSet{}, protowire.ParseError(n)
			}
			data = data[n:]
			if total > 0 && total < 1<<26 {
				set.keys = make([]uint64, 0, total)
			}
			continue
		}
		if num != 4 || typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(num, typ, data); n < 0 {
				return ngramSet{}, protowire.ParseError(n)
			}
			data = data[n:]
			continue
		}
		msg, n := protowire.ConsumeBytes(data)
		if n < 0 {
			return ngramSet{}, protowire.ParseError(n)
		}
		data = data[n:]
		first := len(set.keys)
		var prob float64
		for len(msg) > 0 {
			num, typ, n := protowire.ConsumeTag(msg)
			if n < 0 {
				return ngramSet{}, protowire.ParseError(n)
			}
			msg = msg[n:]
			switch {
			case num == 1 && typ == protowire.Fixed64Type:
				v, n := protowire.ConsumeFixed64(msg)
				if n < 0 {
					return ngramSet{}, protowire.ParseError(n)
				}
				prob, msg = math.Float64frombits(v), msg[n:]
			case num == 2 && typ == protowire.BytesType:
				g, n := protowire.ConsumeBytes(msg)
				if n < 0 {
					return ngramSet{}, protowire.ParseError(n)
				}
				msg = msg[n:]
				rs = rs[:0]
				for len(g) > 0 {
					r, w := utf8.DecodeRune(g)
					rs, g = append(rs, r), g[w:]
				}
				if len(rs) != order {
					return ngramSet{}, fmt.Errorf("n-gram %q is not a %d-gram", string(rs), order)
				}
				set.keys = append(set.keys, key(rs))
			default:
				if n = protowire.ConsumeFieldValue(num, typ, msg); n < 0 {
					return ngramSet{}, protowire.ParseError(n)
				}
				msg = msg[n:]
			}
		}
		// float32 keeps 7 digits of a log probability: sums over a window
		// differ from lingua's float64 ones by far less than its confidence
		// resolution (TestAgreesWithLingua checks 1e-4).
		if n := len(set.keys) - first; n > 0 {
			set.runs = append(set.runs, probRun{float32(math.Log(prob)), int32(n)})
		}
	}
	return set, nil
}

// loadModels decodes the unigram, bigram and trigram models of langs.
func loadModels(langs []lingua.Language) (*models, error) {
	m := &models{}
	cols := make([]uint8, len(langs))
	for i := range cols {
		cols[i] = uint8(i) // buildDense's columns
	}
	for o := range 3 {
		n, err := loadTable(&m.tables[o], langs, cols, o+1)
		if err != nil {
			return nil, err
		}
		m.count += n
	}
	return m, nil
}

// loadTable decodes the models of one order of langs and merges them into t,
// each language's entries marked with its dense column cols[i], returning
// the number of entries. Languages decode in parallel (decoding is
// most of the load time); the merge runs in language order, so the table is
// the same on every run.
func loadTable(t *table, langs []lingua.Language, cols []uint8, order int) (int, error) {
	sets := make([]ngramSet, len(langs))
	errs := make([]error, len(langs))
	// A fixed set of decoders, each reusing one unzip buffer.
	next := make(chan int, len(langs))
	for i := range langs {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(langs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []byte
			for i := range next {
				sets[i], errs[i] = loadModelInto(langs[i], order, &scratch)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	// The distinct keys come from sorting all keys, compacted in place (a
	// map would need about twice the memory while it grows); each key's
	// entries then land contiguously, in language order, at the offset its
	// slot holds. Garbage is collected between the steps: the 5-gram tables
	// of the Latin-script languages are ~10M entries, and without it the
	// garbage of one step doubles the next step's peak.
	total := 0
	for _, s := range sets {
		total += len(s.keys)
	}
	keys := make([]uint64, 0, total)
	for _, s := range sets {
		keys = append(keys, s.keys...)
	}
	slices.Sort(keys)
	// A key's entries start where its run starts in the sorted keys.
	nd := 0
	for i, k := range keys {
		if i == 0 || k != keys[i-1] {
			nd++
		}
	}
	offs := make([]uint64, 0, nd)
	j := 0
	for i, k := range keys {
		if i == 0 || k != keys[j-1] {
			keys[j] = k
			j++
			offs = append(offs, uint64(i)<<8)
		}
	}
	t.index = newHashIndexSorted(keys[:nd], offs)
	keys, offs = nil, nil
	runtime.GC()
	t.logp, t.cols = make([]float32, total), make([]uint8, total)
	for i := range langs {
		sets[i].eachLogp(func(k uint64, logp float32) {
			slot := t.index.slot(k)
			v := slot.val
			t.logp[v>>8+v&0xff], t.cols[v>>8+v&0xff] = logp, cols[i]
			slot.val = v + 1 // the count in the low byte grows as entries land
		})
		sets[i] = ngramSet{} // let the decoded set go
	}
	runtime.GC()
	return total, nil
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
	rows  [3]hashIndex // per order (0: unigrams): key -> row+1
	data  [3][]float32
	colOf [numLang]int16 // language -> column, -1 without models
}

// row returns the resolved row of key at order o+1, or nil.
func (d *dense) row(o int, key uint64) []float32 {
	r := int(d.rows[o].get(key)) - 1
	if r < 0 {
		return nil
	}
	return d.data[o][r*d.cols : (r+1)*d.cols]
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
		keys := make([]uint64, 0, len(t.index.slots))
		for _, s := range t.index.slots {
			if s.val != 0 {
				keys = append(keys, s.key)
			}
		}
		slices.Sort(keys) // deterministic row numbers
		rows := make([]uint64, len(keys))
		for r := range rows {
			rows[r] = uint64(r) + 1
		}
		d.rows[o] = newHashIndexSorted(keys, rows)
		d.data[o] = make([]float32, len(keys)*d.cols)
		for r, k := range keys {
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
			lp, cs := t.lookup(k)
			for j, c := range cs {
				row[c] = lp[j]
			}
		}
	}
	for o := range 3 {
		hugePages(d.data[o])
		hugePages(d.rows[o].slots)
	}
	return d
}
