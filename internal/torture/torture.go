// Package torture breaks curate's inputs and processes on purpose and checks
// that every fault ends the boring way: no panic, no hang, bounded memory,
// an error that names the file and the offset or record, and every record
// before the damage unchanged.
//
// The mutators here are deterministic (seeded), so a failure found once is
// found again. The tests beside them run a short, bounded form by default
// and the full sweep with -torture.full; -torture.report=PATH rewrites the
// RELIABILITY.md table from the outcomes.
package torture

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/unicode"
)

// Mutant is one broken copy of an input.
type Mutant struct {
	// Class is the fault class ("truncate", "flip", ...) for the report.
	Class string
	// Name says which case of the class ("at 37%", "seed 3").
	Name string
	Data []byte
	// Cut is where the damage starts in Data (for truncations and splices
	// it is exact); -1 when the damage is everywhere (re-encodings).
	Cut int
}

// Truncations cuts data at n offsets spread over the file, always including
// inside the first bytes (compression headers) and one byte short.
func Truncations(data []byte, n int) []Mutant {
	var out []Mutant
	seen := map[int]bool{}
	add := func(at int) {
		if at < 0 || at >= len(data) || seen[at] {
			return
		}
		seen[at] = true
		out = append(out, Mutant{Class: "truncate", Name: fmt.Sprintf("at byte %d of %d", at, len(data)), Data: data[:at:at], Cut: at})
	}
	add(0)
	add(3)
	add(min(12, len(data)-1))
	for i := 1; i <= n; i++ {
		add(len(data) * i / (n + 1))
	}
	add(len(data) - 1)
	return out
}

// Flips flips a run of bytes at seeded random places.
func Flips(data []byte, n int, seed uint64) []Mutant {
	rng := rand.New(rand.NewPCG(seed, 0xf11b))
	var out []Mutant
	for i := 0; i < n && len(data) > 0; i++ {
		at := rng.IntN(len(data))
		run := 1 + rng.IntN(16)
		b := bytes.Clone(data)
		for j := at; j < min(at+run, len(b)); j++ {
			b[j] ^= byte(1 + rng.IntN(255))
		}
		out = append(out, Mutant{Class: "flip", Name: fmt.Sprintf("%d bytes at %d", run, at), Data: b, Cut: at})
	}
	return out
}

// Splice joins the first half of a with the second half of b.
func Splice(a, b []byte) Mutant {
	cut := len(a) / 2
	d := append(bytes.Clone(a[:cut]), b[len(b)/2:]...)
	return Mutant{Class: "splice", Name: fmt.Sprintf("half + half at %d", cut), Data: d, Cut: cut}
}

// UTF16 re-encodes (uncompressed) text as UTF-16LE without a byte-order
// mark.
func UTF16(text []byte) Mutant {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes(text)
	if err != nil {
		b = nil
	}
	return Mutant{Class: "utf16", Name: "UTF-16LE without BOM", Data: b, Cut: -1}
}

// NULs inserts NUL bytes at n seeded places.
func NULs(data []byte, n int, seed uint64) Mutant {
	rng := rand.New(rand.NewPCG(seed, 0x0))
	b := bytes.Clone(data)
	first := len(b)
	for i := 0; i < n; i++ {
		at := rng.IntN(len(b) + 1)
		first = min(first, at)
		b = append(b[:at], append([]byte{0}, b[at:]...)...)
	}
	return Mutant{Class: "nul", Name: fmt.Sprintf("%d NULs", n), Data: b, Cut: first}
}

// LongLine appends one line of n bytes (no newline inside) to data.
func LongLine(data []byte, n int) Mutant {
	b := append(bytes.Clone(data), bytes.Repeat([]byte("x"), n)...)
	b = append(b, '\n')
	return Mutant{Class: "long_line", Name: fmt.Sprintf("%d MiB line", n>>20), Data: b, Cut: len(data)}
}

// Empties are the empty files of each container: zero bytes, an empty
// gzip member, an empty zstd frame.
func Empties() []Mutant {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Close()
	enc, _ := zstd.NewWriter(nil)
	zs := enc.EncodeAll(nil, nil)
	return []Mutant{
		{Class: "empty", Name: "zero bytes", Data: []byte{}, Cut: 0},
		{Class: "empty", Name: "empty gzip", Data: gz.Bytes(), Cut: 0},
		{Class: "empty", Name: "empty zstd", Data: zs, Cut: 0},
	}
}

// GzipBomb is a small gzip file that expands to n bytes of one byte
// value (with a newline every line bytes, 0 for none).
func GzipBomb(n int64, fill byte, line int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	writeRepeat(zw, n, fill, line)
	zw.Close()
	return buf.Bytes()
}

// ZstdBomb is GzipBomb in zstd.
func ZstdBomb(n int64, fill byte, line int) []byte {
	var buf bytes.Buffer
	zw, _ := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest))
	writeRepeat(zw, n, fill, line)
	zw.Close()
	return buf.Bytes()
}

func writeRepeat(w interface{ Write([]byte) (int, error) }, n int64, fill byte, line int) {
	chunk := bytes.Repeat([]byte{fill}, 1<<20)
	if line > 0 {
		for i := line - 1; i < len(chunk); i += line {
			chunk[i] = '\n'
		}
	}
	for n > 0 {
		k := min(n, int64(len(chunk)))
		w.Write(chunk[:k])
		n -= k
	}
}

func newGzip(w io.Writer) *gzip.Writer { return gzip.NewWriter(w) }

func fmtInt(n int) string { return strconv.Itoa(n) }

// BombReader yields Head, then N bytes of Fill, then Tail, holding none of
// the fill: an input of any size (a 3 GiB line, page or header) in constant
// memory, for the readers' record-size bounds.
type BombReader struct {
	Head, Tail []byte
	Fill       byte
	N          int64
}

func (r *BombReader) Read(p []byte) (int, error) {
	switch {
	case len(r.Head) > 0:
		k := copy(p, r.Head)
		r.Head = r.Head[k:]
		return k, nil
	case r.N > 0:
		k := int(min(int64(len(p)), r.N))
		for i := range p[:k] {
			p[i] = r.Fill
		}
		r.N -= int64(k)
		return k, nil
	case len(r.Tail) > 0:
		k := copy(p, r.Tail)
		r.Tail = r.Tail[k:]
		return k, nil
	}
	return 0, io.EOF
}
