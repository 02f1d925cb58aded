package dedup

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// DocInfo is what clustering needs of one document, kept beside its part
// in a docs file (row order): its keys for telling the removal's kind, and
// what the survivor choice compares.
type DocInfo struct {
	Exact  Key
	URL    Key // zero when the document has none
	Length int64
	Score  float32
	ID     string
}

const (
	docMagic     = "CURDOC01"
	pairMagic    = "CURPAIR1"
	clusterMagic = "CURCLU01"
)

// recordWriter writes a magic and then records through a buffer.
type recordWriter struct {
	w   *bufio.Writer
	tmp []byte
}

func newRecordWriter(w io.Writer, magic string) (*recordWriter, error) {
	rw := &recordWriter{w: bufio.NewWriterSize(w, 256<<10)}
	_, err := rw.w.WriteString(magic)
	return rw, err
}

func (rw *recordWriter) write(b []byte) error { _, err := rw.w.Write(b); return err }

// Flush writes what is buffered.
func (rw *recordWriter) Flush() error { return rw.w.Flush() }

// recordReader reads a magic and then records, naming the file and offset
// in every error.
type recordReader struct {
	r    *bufio.Reader
	f    *os.File
	path string
	off  int64
}

func openRecords(path, magic string) (*recordReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	rr := &recordReader{r: bufio.NewReaderSize(f, 256<<10), f: f, path: path}
	var m [8]byte
	if _, err := io.ReadFull(rr.r, m[:]); err != nil || string(m[:]) != magic {
		f.Close()
		return nil, fmt.Errorf("%s: not a curate %s file (bad magic)", path, magic)
	}
	rr.off = 8
	return rr, nil
}

func (rr *recordReader) Close() error { return rr.f.Close() }

func (rr *recordReader) full(b []byte) error {
	n, err := io.ReadFull(rr.r, b)
	rr.off += int64(n)
	if err != nil {
		return rr.errf("truncated record: %w", err)
	}
	return nil
}

func (rr *recordReader) uvarint() (uint64, error) {
	v, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return 0, rr.errf("truncated varint: %w", err)
	}
	rr.off += int64(uvarintLen(v))
	return v, nil
}

func (rr *recordReader) str(max uint64) (string, error) {
	n, err := rr.uvarint()
	if err != nil {
		return "", err
	}
	if n > max {
		return "", rr.errf("string of %d bytes exceeds %d", n, max)
	}
	b := make([]byte, n)
	if err := rr.full(b); err != nil {
		return "", err
	}
	return string(b), nil
}

// atEOF reports a clean end between records.
func (rr *recordReader) atEOF() bool {
	_, err := rr.r.Peek(1)
	return errors.Is(err, io.EOF)
}

func (rr *recordReader) errf(format string, a ...any) error {
	return fmt.Errorf("%s: offset %d: %w", rr.path, rr.off, fmt.Errorf(format, a...))
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

const maxIDBytes = 1 << 20

// DocWriter writes a docs file.
type DocWriter struct{ rw *recordWriter }

// NewDocWriter starts a docs file on w.
func NewDocWriter(w io.Writer) (*DocWriter, error) {
	rw, err := newRecordWriter(w, docMagic)
	return &DocWriter{rw}, err
}

// Write appends one document's record.
func (d *DocWriter) Write(x DocInfo) error {
	b := d.rw.tmp[:0]
	b = binary.LittleEndian.AppendUint64(b, x.Exact.Hi)
	b = binary.LittleEndian.AppendUint64(b, x.Exact.Lo)
	b = binary.LittleEndian.AppendUint64(b, x.URL.Hi)
	b = binary.LittleEndian.AppendUint64(b, x.URL.Lo)
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x.Score))
	b = binary.AppendUvarint(b, uint64(x.Length))
	b = binary.AppendUvarint(b, uint64(len(x.ID)))
	b = append(b, x.ID...)
	d.rw.tmp = b
	return d.rw.write(b)
}

// Flush writes what is buffered.
func (d *DocWriter) Flush() error { return d.rw.Flush() }

// DocReader reads a docs file in row order.
type DocReader struct{ rr *recordReader }

// OpenDocs opens a docs file.
func OpenDocs(path string) (*DocReader, error) {
	rr, err := openRecords(path, docMagic)
	if err != nil {
		return nil, err
	}
	return &DocReader{rr}, nil
}

// Close closes the file.
func (d *DocReader) Close() error { return d.rr.Close() }

// Next returns the next row's record, or io.EOF.
func (d *DocReader) Next() (DocInfo, error) {
	if d.rr.atEOF() {
		return DocInfo{}, io.EOF
	}
	var b [36]byte
	if err := d.rr.full(b[:]); err != nil {
		return DocInfo{}, err
	}
	x := DocInfo{
		Exact: Key{binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:])},
		URL:   Key{binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:])},
		Score: math.Float32frombits(binary.LittleEndian.Uint32(b[32:])),
	}
	n, err := d.rr.uvarint()
	if err != nil {
		return DocInfo{}, err
	}
	x.Length = int64(n)
	if x.ID, err = d.rr.str(maxIDBytes); err != nil {
		return DocInfo{}, err
	}
	return x, nil
}

// PairWriter writes candidate pairs: two refs per record.
type PairWriter struct {
	rw *recordWriter
	n  int64
	b  [16]byte
}

// NewPairWriter starts a pairs file on w.
func NewPairWriter(w io.Writer) (*PairWriter, error) {
	rw, err := newRecordWriter(w, pairMagic)
	return &PairWriter{rw: rw}, err
}

// Write appends the pair (a, b).
func (p *PairWriter) Write(a, b uint64) error {
	binary.LittleEndian.PutUint64(p.b[:], a)
	binary.LittleEndian.PutUint64(p.b[8:], b)
	p.n++
	return p.rw.write(p.b[:])
}

// Pairs is how many pairs were written.
func (p *PairWriter) Pairs() int64 { return p.n }

// Flush writes what is buffered.
func (p *PairWriter) Flush() error { return p.rw.Flush() }

// ReadPairs calls fn for every pair of a pairs file.
func ReadPairs(path string, fn func(a, b uint64)) error {
	rr, err := openRecords(path, pairMagic)
	if err != nil {
		return err
	}
	defer rr.Close()
	var b [16]byte
	for !rr.atEOF() {
		if err := rr.full(b[:]); err != nil {
			return err
		}
		fn(binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:]))
	}
	return nil
}

// Kind is what a document is in its cluster.
type Kind byte

// Kinds of cluster membership: the survivor, or a removal and how it
// relates to its survivor.
const (
	KindSurvivor Kind = iota
	KindExact         // same normalised text as the survivor
	KindURL           // same normalised URL as the survivor
	KindNear          // MinHash near-duplicate
)

// String names the kind as stats and reports do.
func (k Kind) String() string {
	switch k {
	case KindSurvivor:
		return "survivor"
	case KindExact:
		return "exact"
	case KindURL:
		return "url"
	case KindNear:
		return "near"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

// Decision is a part's row's fate: a survivor with its cluster size, or a
// removal with its kind and its survivor's id.
type Decision struct {
	Row         uint32
	Kind        Kind
	ClusterSize int
	SurvivorID  string
}

// DecisionWriter writes a part's decisions, in row order.
type DecisionWriter struct {
	rw   *recordWriter
	last int64
}

// NewDecisionWriter starts a decisions file on w.
func NewDecisionWriter(w io.Writer) (*DecisionWriter, error) {
	rw, err := newRecordWriter(w, clusterMagic)
	return &DecisionWriter{rw: rw, last: -1}, err
}

// Write appends a decision; rows must increase.
func (d *DecisionWriter) Write(x Decision) error {
	if int64(x.Row) <= d.last {
		return fmt.Errorf("decision rows out of order: %d after %d", x.Row, d.last)
	}
	d.last = int64(x.Row)
	b := d.rw.tmp[:0]
	b = binary.LittleEndian.AppendUint32(b, x.Row)
	b = append(b, byte(x.Kind))
	if x.Kind == KindSurvivor {
		b = binary.AppendUvarint(b, uint64(x.ClusterSize))
	} else {
		b = binary.AppendUvarint(b, uint64(len(x.SurvivorID)))
		b = append(b, x.SurvivorID...)
	}
	d.rw.tmp = b
	return d.rw.write(b)
}

// Flush writes what is buffered.
func (d *DecisionWriter) Flush() error { return d.rw.Flush() }

// DecisionReader reads a decisions file.
type DecisionReader struct {
	rr   *recordReader
	last int64
}

// OpenDecisions opens a decisions file.
func OpenDecisions(path string) (*DecisionReader, error) {
	rr, err := openRecords(path, clusterMagic)
	if err != nil {
		return nil, err
	}
	return &DecisionReader{rr: rr, last: -1}, nil
}

// Close closes the file.
func (d *DecisionReader) Close() error { return d.rr.Close() }

// Next returns the next decision, or io.EOF.
func (d *DecisionReader) Next() (Decision, error) {
	if d.rr.atEOF() {
		return Decision{}, io.EOF
	}
	var b [5]byte
	if err := d.rr.full(b[:]); err != nil {
		return Decision{}, err
	}
	x := Decision{Row: binary.LittleEndian.Uint32(b[:]), Kind: Kind(b[4])}
	if int64(x.Row) <= d.last {
		return Decision{}, d.rr.errf("row %d after row %d", x.Row, d.last)
	}
	d.last = int64(x.Row)
	switch x.Kind {
	case KindSurvivor:
		n, err := d.rr.uvarint()
		if err != nil {
			return Decision{}, err
		}
		x.ClusterSize = int(n)
	case KindExact, KindURL, KindNear:
		s, err := d.rr.str(maxIDBytes)
		if err != nil {
			return Decision{}, err
		}
		x.SurvivorID = s
	default:
		return Decision{}, d.rr.errf("unknown kind %d", b[4])
	}
	return x, nil
}
