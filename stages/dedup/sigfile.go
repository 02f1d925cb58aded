package dedup

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
)

// Section numbers of a signature file. MinHash bands are 0..Bands-1.
const (
	SectionExact = 1000
	SectionURL   = 1001
	// Span sections (paragraph dedup, decontamination) start here.
	SectionSpanBase = 2000
)

// Entry is one key of one document: which row of its part holds it.
type Entry struct {
	Key Key
	Row uint32
}

const (
	sigMagic     = "CURSIG01"
	entryBytes   = 20
	sectionBytes = 24
)

// SigWriter gathers a part's keys by section and writes them sorted. It
// holds at most its spill limit of entries (20 bytes each) in memory:
// past it, the entries are sorted and spilled to an unlinked temporary
// file, and WriteTo merges the spilled runs, so memory stays flat however
// large the part.
type SigWriter struct {
	sections map[uint32][]Entry
	held     int
	limit    int
	spillDir string
	runs     []*sigRun
}

// sigRun is one spilled, sorted run: its sections' offsets and counts.
type sigRun struct {
	f        *os.File
	sections map[uint32][2]int64
}

// NewSigWriter returns an empty writer that holds everything in memory.
func NewSigWriter() *SigWriter { return &SigWriter{sections: map[uint32][]Entry{}} }

// NewSpillingSigWriter returns a writer that spills to dir once it holds
// limit entries.
func NewSpillingSigWriter(dir string, limit int) *SigWriter {
	w := NewSigWriter()
	w.spillDir, w.limit = dir, limit
	return w
}

// Section declares a section so it is written even when empty: readers
// then tell "no keys" from "section missing".
func (w *SigWriter) Section(id uint32) {
	if _, ok := w.sections[id]; !ok {
		w.sections[id] = nil
	}
}

// Add records key k of row in section id. Rows must not decrease.
func (w *SigWriter) Add(id uint32, k Key, row uint32) error {
	w.sections[id] = append(w.sections[id], Entry{k, row})
	w.held++
	if w.limit > 0 && w.held >= w.limit {
		return w.spill()
	}
	return nil
}

// Entries is how many keys the writer holds in memory.
func (w *SigWriter) Entries() int { return w.held }

// Close drops spilled runs; safe after WriteTo.
func (w *SigWriter) Close() error {
	for _, r := range w.runs {
		r.f.Close()
	}
	w.runs = nil
	return nil
}

func sortEntries(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int {
		if a.Key != b.Key {
			if a.Key.Less(b.Key) {
				return -1
			}
			return 1
		}
		return int(a.Row) - int(b.Row)
	})
}

func (w *SigWriter) ids() []uint32 {
	ids := make([]uint32, 0, len(w.sections))
	for id := range w.sections {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (w *SigWriter) spill() error {
	f, err := os.CreateTemp(w.spillDir, ".sig-spill-*")
	if err != nil {
		return fmt.Errorf("dedup spill: %w", err)
	}
	// Unlinked at once: a killed run leaves nothing behind.
	os.Remove(f.Name())
	run := &sigRun{f: f, sections: map[uint32][2]int64{}}
	bw := bufio.NewWriterSize(f, 1<<20)
	var off int64
	var e [entryBytes]byte
	for _, id := range w.ids() {
		es := w.sections[id]
		sortEntries(es)
		run.sections[id] = [2]int64{off, int64(len(es))}
		for _, x := range es {
			putEntry(e[:], x)
			if _, err := bw.Write(e[:]); err != nil {
				f.Close()
				return fmt.Errorf("dedup spill: %w", err)
			}
		}
		off += int64(len(es)) * entryBytes
		w.sections[id] = es[:0]
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("dedup spill: %w", err)
	}
	w.runs = append(w.runs, run)
	w.held = 0
	return nil
}

// WriteTo writes the file: magic, section count, a table of (id, offset,
// count), then each section's entries sorted by (key, row), all
// little-endian. Fixed-size entries let a reader binary-search a range.
func (w *SigWriter) WriteTo(out io.Writer) (int64, error) {
	if len(w.runs) > 0 && w.held > 0 {
		if err := w.spill(); err != nil {
			return 0, err
		}
	}
	ids := w.ids()
	count := func(id uint32) int64 {
		n := int64(len(w.sections[id]))
		for _, r := range w.runs {
			n += r.sections[id][1]
		}
		return n
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	hdr := make([]byte, 16+sectionBytes*len(ids))
	copy(hdr, sigMagic)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(len(ids)))
	off := uint64(len(hdr))
	for i, id := range ids {
		n := count(id)
		t := hdr[16+sectionBytes*i:]
		binary.LittleEndian.PutUint32(t, id)
		binary.LittleEndian.PutUint64(t[8:], off)
		binary.LittleEndian.PutUint64(t[16:], uint64(n))
		off += uint64(n) * entryBytes
	}
	n, err := bw.Write(hdr)
	total := int64(n)
	if err != nil {
		return total, err
	}
	var e [entryBytes]byte
	put := func(x Entry) error {
		putEntry(e[:], x)
		n, err := bw.Write(e[:])
		total += int64(n)
		return err
	}
	for _, id := range ids {
		if len(w.runs) == 0 {
			es := w.sections[id]
			sortEntries(es)
			for _, x := range es {
				if err := put(x); err != nil {
					return total, err
				}
			}
			continue
		}
		// Merge the runs' slices of this section; ties on the key go to
		// the smaller row, as the in-memory sort orders them.
		var srcs []Source
		for _, r := range w.runs {
			sec := r.sections[id]
			sr := io.NewSectionReader(r.f, sec[0], sec[1]*entryBytes)
			srcs = append(srcs, Source{Entries: &EntryReader{r: bufio.NewReaderSize(sr, 64<<10), left: uint64(sec[1]), path: "spill"}})
		}
		if err := mergeEntries(srcs, put); err != nil {
			return total, err
		}
	}
	return total, bw.Flush()
}

// mergeEntries calls fn for every entry of srcs in (key, row) order.
func mergeEntries(srcs []Source, fn func(Entry) error) error {
	h := make(mergeHeap, 0, len(srcs))
	next := func(i int) error {
		e, err := srcs[i].Entries.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		heap.Push(&h, mergeItem{e: e, ref: uint64(e.Row), src: i})
		return nil
	}
	for i := range srcs {
		if err := next(i); err != nil {
			return err
		}
	}
	for h.Len() > 0 {
		it := heap.Pop(&h).(mergeItem)
		if err := fn(it.e); err != nil {
			return err
		}
		if err := next(it.src); err != nil {
			return err
		}
	}
	return nil
}

func putEntry(b []byte, x Entry) {
	binary.LittleEndian.PutUint64(b, x.Key.Hi)
	binary.LittleEndian.PutUint64(b[8:], x.Key.Lo)
	binary.LittleEndian.PutUint32(b[16:], x.Row)
}

func getEntry(b []byte) Entry {
	return Entry{Key{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}, binary.LittleEndian.Uint32(b[16:])}
}

// SigFile is an open signature file.
type SigFile struct {
	path     string
	f        *os.File
	size     int64
	sections map[uint32][2]uint64 // offset, count
}

// OpenSig opens a signature file and reads its section table.
func OpenSig(path string) (*SigFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s := &SigFile{path: path, f: f, sections: map[uint32][2]uint64{}}
	if err := s.readHeader(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func (s *SigFile) readHeader() error {
	st, err := s.f.Stat()
	if err != nil {
		return err
	}
	s.size = st.Size()
	var hdr [16]byte
	if _, err := io.ReadFull(s.f, hdr[:]); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if string(hdr[:8]) != sigMagic {
		return errors.New("not a curate signature file (bad magic)")
	}
	n := binary.LittleEndian.Uint32(hdr[8:])
	if int64(n)*sectionBytes+16 > s.size {
		return fmt.Errorf("section table of %d entries runs past the end", n)
	}
	tab := make([]byte, sectionBytes*int(n))
	if _, err := io.ReadFull(s.f, tab); err != nil {
		return fmt.Errorf("section table: %w", err)
	}
	for i := range int(n) {
		t := tab[sectionBytes*i:]
		id := binary.LittleEndian.Uint32(t)
		off, cnt := binary.LittleEndian.Uint64(t[8:]), binary.LittleEndian.Uint64(t[16:])
		if off+cnt*entryBytes > uint64(s.size) {
			return fmt.Errorf("section %d (offset %d, %d entries) runs past the end (%d bytes)", id, off, cnt, s.size)
		}
		s.sections[id] = [2]uint64{off, cnt}
	}
	return nil
}

// Close closes the file.
func (s *SigFile) Close() error { return s.f.Close() }

// Path is the file's path.
func (s *SigFile) Path() string { return s.path }

// HasSection reports whether section id was written.
func (s *SigFile) HasSection(id uint32) bool { _, ok := s.sections[id]; return ok }

// Count is the number of entries in section id.
func (s *SigFile) Count(id uint32) int64 { return int64(s.sections[id][1]) }

// entryAt reads entry i of a section.
func (s *SigFile) entryAt(off uint64, i uint64) (Entry, error) {
	var b [entryBytes]byte
	if _, err := s.f.ReadAt(b[:], int64(off+i*entryBytes)); err != nil {
		return Entry{}, fmt.Errorf("%s: entry at offset %d: %w", s.path, off+i*entryBytes, err)
	}
	return getEntry(b[:]), nil
}

// Range returns a reader of the entries of section id whose key lies in
// hash range r of n, in key order. Binary search finds both ends, so a
// range task reads only its slice of every part.
func (s *SigFile) Range(id uint32, r, n int) (*EntryReader, error) {
	sec, ok := s.sections[id]
	if !ok {
		return &EntryReader{}, nil
	}
	off, cnt := sec[0], sec[1]
	var searchErr error
	lowerBound := func(hi uint64) uint64 {
		return uint64(sort.Search(int(cnt), func(i int) bool {
			e, err := s.entryAt(off, uint64(i))
			if err != nil {
				searchErr = err
				return true
			}
			return e.Key.Hi >= hi
		}))
	}
	from, to := uint64(0), cnt
	if r > 0 {
		from = lowerBound(RangeStart(r, n))
	}
	if r+1 < n {
		to = lowerBound(RangeStart(r+1, n))
	}
	if searchErr != nil {
		return nil, searchErr
	}
	sr := io.NewSectionReader(s.f, int64(off+from*entryBytes), int64((to-from)*entryBytes))
	return &EntryReader{r: bufio.NewReaderSize(sr, 64<<10), left: to - from, path: s.path}, nil
}

// EntryReader streams entries.
type EntryReader struct {
	r    *bufio.Reader
	left uint64
	path string
	buf  [entryBytes]byte
}

// Next returns the next entry, or io.EOF.
func (e *EntryReader) Next() (Entry, error) {
	if e.left == 0 {
		return Entry{}, io.EOF
	}
	if _, err := io.ReadFull(e.r, e.buf[:]); err != nil {
		return Entry{}, fmt.Errorf("%s: %w", e.path, err)
	}
	e.left--
	return getEntry(e.buf[:]), nil
}
