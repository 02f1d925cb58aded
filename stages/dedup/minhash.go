package dedup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/zeebo/xxh3"
)

// Key is a 128-bit hash: of a normalised text, a URL, or one MinHash band.
// Keys sort by (Hi, Lo); a hash range is a contiguous run of Hi.
type Key struct{ Hi, Lo uint64 }

// Less orders keys.
func (k Key) Less(o Key) bool { return k.Hi < o.Hi || (k.Hi == o.Hi && k.Lo < o.Lo) }

// IsZero reports the zero key, which stands for "none" (a document
// without a URL).
func (k Key) IsZero() bool { return k.Hi == 0 && k.Lo == 0 }

// HashBytes is the 128-bit hash every key uses (XXH3-128).
func HashBytes(b []byte) Key {
	h := xxh3.Hash128(b)
	return Key{h.Hi, h.Lo}
}

// HashString hashes a string the same way.
func HashString(s string) Key {
	h := xxh3.HashString128(s)
	return Key{h.Hi, h.Lo}
}

// Range is the hash range (0..n-1) of a key when the key space is cut into
// n equal runs of Hi.
func (k Key) Range(n int) int {
	hi, _ := bits.Mul64(k.Hi, uint64(n))
	return int(hi)
}

// RangeStart is the smallest Hi in range r of n, for 0 <= r < n.
func RangeStart(r, n int) uint64 {
	if r <= 0 || r >= n {
		return 0
	}
	// ceil(r * 2^64 / n): the first Hi whose Range is r.
	q, rem := bits.Div64(uint64(r), 0, uint64(n))
	if rem != 0 {
		q++
	}
	return q
}

// MinHashOptions are the near-duplicate settings. The defaults are
// FineWeb's: word 5-grams, 14 bands of 8 rows (112 hashes), seed 1.
type MinHashOptions struct {
	// NGram is the shingle length in words.
	NGram int `yaml:"ngram"`
	// Bands and Rows: two documents become a candidate pair when all Rows
	// hashes of at least one band agree; the detection probability at
	// Jaccard similarity s is 1-(1-s^Rows)^Bands.
	Bands int `yaml:"bands"`
	Rows  int `yaml:"rows"`
	// Seed fixes the hash functions, so signatures are reproducible and
	// comparable across runs.
	Seed uint64 `yaml:"seed"`
	// CharNGram is the shingle length in characters for the languages in
	// CharLanguages: text written without spaces between words.
	CharNGram int `yaml:"char_ngram"`
	// CharLanguages are the language codes shingled by characters; "code"
	// stands for every code:<lang>.
	CharLanguages []string `yaml:"char_languages"`
}

// DefaultMinHash returns FineWeb's MinHash settings.
func DefaultMinHash() MinHashOptions {
	return MinHashOptions{NGram: 5, Bands: 14, Rows: 8, Seed: 1, CharNGram: 5, CharLanguages: []string{"zh", "ja", "th"}}
}

// Validate checks the settings.
func (o MinHashOptions) Validate() error {
	switch {
	case o.NGram < 1:
		return errors.New("ngram must be at least 1")
	case o.CharNGram < 1:
		return errors.New("char_ngram must be at least 1")
	case o.Bands < 1 || o.Rows < 1:
		return errors.New("bands and rows must be at least 1")
	case o.Bands*o.Rows > 1024:
		return fmt.Errorf("bands × rows = %d hashes; at most 1024", o.Bands*o.Rows)
	}
	return nil
}

// Threshold is the similarity at which detection is about 50%: (1/b)^(1/r).
func (o MinHashOptions) Threshold() float64 {
	return math.Pow(1/float64(o.Bands), 1/float64(o.Rows))
}

// DetectionProbability is the LSH S-curve 1-(1-s^r)^b.
func (o MinHashOptions) DetectionProbability(s float64) float64 {
	return 1 - math.Pow(1-math.Pow(s, float64(o.Rows)), float64(o.Bands))
}

// MinHasher computes signatures. It keeps buffers between calls, so one
// MinHasher serves one goroutine.
type MinHasher struct {
	opts     MinHashOptions
	norm     Normalization
	a, b     []uint64 // hash i of shingle h is (a[i]*h + b[i]) >> 32
	charLang map[string]bool
	charCode bool
	buf      []byte
	toks     []uint64
	band     []byte
}

// NewMinHasher builds the hash functions from the seed.
func NewMinHasher(o MinHashOptions, n Normalization) (*MinHasher, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	k := o.Bands * o.Rows
	m := &MinHasher{opts: o, norm: n, a: make([]uint64, k), b: make([]uint64, k), charLang: map[string]bool{}}
	state := o.Seed
	for i := range k {
		m.a[i] = splitmix64(&state) | 1 // odd: multiplication is then a bijection
		m.b[i] = splitmix64(&state)
	}
	for _, l := range o.CharLanguages {
		if l == "code" {
			m.charCode = true
		}
		m.charLang[l] = true
	}
	return m, nil
}

// Options returns the settings the MinHasher was built with.
func (m *MinHasher) Options() MinHashOptions { return m.opts }

func splitmix64(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ (h >> 33)
}

// CharShingled reports whether a language is shingled by characters.
func (m *MinHasher) CharShingled(lang string) bool {
	return m.charLang[lang] || (m.charCode && strings.HasPrefix(lang, "code:"))
}

// Signature appends the document's Bands×Rows minimum hashes to sig and
// returns it, or returns sig unchanged with ok false when the normalised
// text has no token at all. A text shorter than one shingle is one shingle.
func (m *MinHasher) Signature(text, lang string, sig []uint32) (_ []uint32, ok bool) {
	m.buf = m.norm.Append(m.buf[:0], text)
	return m.SignatureOfNormalized(m.buf, lang, sig)
}

// SignatureOfNormalized is Signature over text the caller already put
// through the MinHasher's normalisation (the pipeline normalises once for
// the exact hash and the signature).
func (m *MinHasher) SignatureOfNormalized(normed []byte, lang string, sig []uint32) (_ []uint32, ok bool) {
	n := m.opts.NGram
	if m.CharShingled(lang) {
		m.toks = runeTokens(normed, m.toks[:0])
		n = m.opts.CharNGram
	} else {
		m.toks = wordTokens(normed, m.toks[:0])
	}
	if len(m.toks) == 0 {
		return sig, false
	}
	k := len(m.a)
	start := len(sig)
	sig = slices.Grow(sig, k)[:start+k]
	mins := sig[start : start+k]
	for i := range mins {
		mins[i] = math.MaxUint32
	}
	shingles := len(m.toks) - n + 1
	if shingles < 1 {
		shingles, n = 1, len(m.toks)
	}
	for s := 0; s < shingles; s++ {
		m.update(mins, shingleHash(m.toks[s:s+n]))
	}
	return sig, true
}

// update folds one shingle hash into the minimums: k multiply-adds and
// compares, whose branch the predictor stops missing once the minimums
// settle.
func (m *MinHasher) update(mins []uint32, h uint64) {
	a, b := m.a[:len(mins)], m.b[:len(mins)]
	for i := range mins {
		v := uint32((a[i]*h + b[i]) >> 32)
		if v < mins[i] {
			mins[i] = v
		}
	}
}

// SignatureOfShingles is Signature over given shingle hashes (tests, and
// callers that shingle their own way).
func (m *MinHasher) SignatureOfShingles(hs []uint64, sig []uint32) []uint32 {
	k := len(m.a)
	start := len(sig)
	sig = slices.Grow(sig, k)[:start+k]
	mins := sig[start : start+k]
	for i := range mins {
		mins[i] = math.MaxUint32
	}
	for _, h := range hs {
		m.update(mins, h)
	}
	return sig
}

// shingleHash combines the token hashes of one shingle, order-sensitive.
func shingleHash(toks []uint64) uint64 {
	h := uint64(len(toks))
	for _, t := range toks {
		h = bits.RotateLeft64(h^t, 27)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	}
	return fmix64(h)
}

// wordTokens hashes the space-separated words of normalised text.
func wordTokens(b []byte, dst []uint64) []uint64 {
	start := 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == ' ' || b[i] == '\n' || b[i] == '\t' {
			if i > start {
				dst = append(dst, xxh3.Hash(b[start:i]))
			}
			start = i + 1
		}
	}
	return dst
}

// runeTokens makes every non-space character a token.
func runeTokens(b []byte, dst []uint64) []uint64 {
	for _, r := range string(b) {
		if r == ' ' || r == '\n' || r == '\t' {
			continue
		}
		dst = append(dst, fmix64(uint64(r)+0x51ed27))
	}
	return dst
}

// BandKeys appends one key per band of sig: the 128-bit hash of the band's
// Rows values, salted by the band number so equal values in different
// bands never share a key.
func (m *MinHasher) BandKeys(sig []uint32, dst []Key) []Key {
	r := m.opts.Rows
	need := 4 + 4*r
	if cap(m.band) < need {
		m.band = make([]byte, need)
	}
	buf := m.band[:need]
	for band := 0; band < m.opts.Bands; band++ {
		binary.LittleEndian.PutUint32(buf, uint32(band))
		for j, v := range sig[band*r : (band+1)*r] {
			binary.LittleEndian.PutUint32(buf[4+4*j:], v)
		}
		dst = append(dst, HashBytes(buf))
	}
	return dst
}

// Jaccard is the exact Jaccard similarity of two token-hash sets, for
// tests and checks.
func Jaccard(a, b []uint64) float64 {
	sa := map[uint64]bool{}
	for _, x := range a {
		sa[x] = true
	}
	sb := map[uint64]bool{}
	for _, x := range b {
		sb[x] = true
	}
	inter := 0
	for x := range sa {
		if sb[x] {
			inter++
		}
	}
	union := len(sa) + len(sb) - inter
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}

// Shingles returns the shingle hashes of a text as Signature sees them,
// for tests that need exact Jaccard similarity.
func (m *MinHasher) Shingles(text, lang string) []uint64 {
	buf := m.norm.Append(nil, text)
	n := m.opts.NGram
	var toks []uint64
	if m.CharShingled(lang) {
		toks, n = runeTokens(buf, nil), m.opts.CharNGram
	} else {
		toks = wordTokens(buf, nil)
	}
	if len(toks) == 0 {
		return nil
	}
	if len(toks) < n {
		n = len(toks)
	}
	var out []uint64
	for s := 0; s+n <= len(toks); s++ {
		out = append(out, shingleHash(toks[s:s+n]))
	}
	return out
}
