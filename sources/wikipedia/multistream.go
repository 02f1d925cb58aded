package wikipedia

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"

	dbzip2 "github.com/dsnet/compress/bzip2"

	"github.com/curate-dev/curate/sources"
)

// multistream is the stream layout of one multistream dump.
type multistream struct {
	// offsets are the distinct, ascending starts of the page streams; the
	// stream before offsets[0] holds <mediawiki> and <siteinfo>.
	offsets []int64
	size    int64
	site    siteInfo
	// repeats lists, for each page id the index names more than once, the
	// stream offset of every occurrence in dump order. Units read in
	// parallel number a repeated page as a whole-file read would ("7",
	// "7#2", ...), so ids stay unique across the tasks of one dump.
	repeats map[string][]int64
}

// Wikimedia names the index after the dump:
//
//	enwiki-20240101-pages-articles-multistream.xml.bz2
//	enwiki-20240101-pages-articles-multistream-index.txt.bz2
//	enwiki-20240101-pages-articles-multistream1.xml-p1p41242.bz2
//	enwiki-20240101-pages-articles-multistream-index1.txt-p1p41242.bz2
var (
	dumpName  = regexp.MustCompile(`^(.*multistream)(\d*)\.xml(-p\d+p\d+)?\.bz2$`)
	indexName = regexp.MustCompile(`multistream-index\d*\.txt(-p\d+p\d+)?(\.bz2)?$`)
)

// indexPathFor returns the path the index of a multistream dump would have,
// or "" when the name is not that of a multistream dump.
func indexPathFor(path string) string {
	m := dumpName.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return ""
	}
	return filepath.Join(filepath.Dir(path), m[1]+"-index"+m[2]+".txt"+m[3]+".bz2")
}

func isIndexName(path string) bool { return indexName.MatchString(filepath.Base(path)) }

// multistream returns the layout of a multistream dump, loading its index
// once; nil (and no error) when the input has no index beside it.
func (s *Source) multistream(path string) (*multistream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ms, ok := s.index[path]; ok {
		return ms, nil
	}
	ms, err := loadMultistream(path)
	if err != nil {
		return nil, err
	}
	s.index[path] = ms
	return ms, nil
}

func loadMultistream(path string) (*multistream, error) {
	ip := indexPathFor(path)
	if ip == "" {
		return nil, nil
	}
	if _, err := os.Stat(ip); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	offsets, repeats, err := readIndex(ip)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("wikipedia: %w", err)
	}
	if len(offsets) == 0 {
		return nil, fmt.Errorf("%s: index lists no streams", ip)
	}
	if last := offsets[len(offsets)-1]; last >= st.Size() {
		return nil, fmt.Errorf("%s: index offset %d is beyond the end of %s (%d bytes): index and dump do not match", ip, last, path, st.Size())
	}
	ms := &multistream{offsets: offsets, size: st.Size(), repeats: repeats}
	// The siteinfo stream is small: decode it once for every unit.
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wikipedia: %w", err)
	}
	defer f.Close()
	head, err := io.ReadAll(decodeBOM(newBzip2(path, io.NewSectionReader(f, 0, offsets[0]), 0)))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the siteinfo stream: %w", path, err)
	}
	if !bytes.Contains(head, []byte("<siteinfo>")) {
		return nil, fmt.Errorf("%s: first stream (bytes 0-%d) holds no <siteinfo>: index and dump do not match", path, offsets[0])
	}
	ms.site = parseSiteInfo(head)
	return ms, nil
}

// readIndex reads "offset:page_id:title" lines and returns the distinct
// stream offsets in ascending order, and the page ids listed more than once
// with the offsets of their streams. Ids seen are kept as a bitset over the
// numeric id (enwiki's ~80M ids: 10 MB), not a map; only when some id
// repeats is the index read a second time for where its occurrences are.
func readIndex(path string) ([]int64, map[string][]int64, error) {
	var out []int64
	var seen []uint64
	var repeated map[string]bool
	err := scanIndex(path, func(off int64, id []byte) {
		if n := len(out); n == 0 || out[n-1] != off {
			out = append(out, off)
		}
		v, err := strconv.ParseUint(string(id), 10, 32)
		if err != nil {
			return
		}
		word, bit := v/64, uint64(1)<<(v%64)
		if word >= uint64(len(seen)) {
			seen = append(seen, make([]uint64, int(word)+1-len(seen))...)
		}
		if seen[word]&bit != 0 {
			if repeated == nil {
				repeated = map[string]bool{}
			}
			repeated[string(id)] = true
		}
		seen[word] |= bit
	})
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(repeated) == 0 {
		return out, nil, nil
	}
	repeats := map[string][]int64{}
	err = scanIndex(path, func(off int64, id []byte) {
		if repeated[string(id)] {
			repeats[string(id)] = append(repeats[string(id)], off)
		}
	})
	return out, repeats, err
}

// scanIndex calls fn with the stream offset and page id of every line.
func scanIndex(path string, fn func(off int64, id []byte)) error {
	st, err := sources.Open(path)
	if err != nil {
		return fmt.Errorf("wikipedia index: %w", err)
	}
	defer st.Close()
	sc := bufio.NewScanner(st)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		i := bytes.IndexByte(b, ':')
		if i <= 0 {
			if len(bytes.TrimSpace(b)) == 0 {
				continue
			}
			return fmt.Errorf("%s: line %d: expected offset:page_id:title", path, line)
		}
		off, err := strconv.ParseInt(string(b[:i]), 10, 64)
		if err != nil || off <= 0 {
			return fmt.Errorf("%s: line %d: bad stream offset %q", path, line, b[:i])
		}
		id, _, _ := bytes.Cut(b[i+1:], []byte(":"))
		fn(off, id)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("wikipedia index %s (line %d): %w", path, line, err)
	}
	return nil
}

// priorOccurrences counts, for each repeated page id, its occurrences in
// streams before start: where a unit's numbering of that id begins.
func (ms *multistream) priorOccurrences(start int64) map[string]int {
	if len(ms.repeats) == 0 {
		return nil
	}
	prior := map[string]int{}
	for id, offs := range ms.repeats {
		n := 0
		for _, o := range offs {
			if o < start {
				n++
			}
		}
		prior[id] = n
	}
	return prior
}

// split groups consecutive page streams into units of about unitBytes
// compressed bytes: [start, end) pairs, the last ending at -1 (end of file,
// which also takes the stream holding </mediawiki>).
func (ms *multistream) split(unitBytes int64) [][2]int64 {
	var out [][2]int64
	start := ms.offsets[0]
	for _, off := range ms.offsets[1:] {
		if off-start >= unitBytes {
			out = append(out, [2]int64{start, off})
			start = off
		}
	}
	return append(out, [2]int64{start, -1})
}

// streamsIn lists the [start, end) byte ranges of the streams in a unit.
func (ms *multistream) streamsIn(start, end int64) [][2]int64 {
	if end < 0 {
		end = ms.size
	}
	i, _ := slices.BinarySearch(ms.offsets, start)
	var out [][2]int64
	for ; i < len(ms.offsets) && ms.offsets[i] < end; i++ {
		e := end
		if i+1 < len(ms.offsets) && ms.offsets[i+1] < end {
			e = ms.offsets[i+1]
		}
		out = append(out, [2]int64{ms.offsets[i], e})
	}
	if len(out) == 0 || out[0][0] != start {
		// A unit not on a stream boundary: decode its bytes as they come.
		return [][2]int64{{start, end}}
	}
	return out
}

// bzip2Reader decodes bzip2 (concatenated streams included) and reports
// errors with the file and the compressed offset reached.
type bzip2Reader struct {
	path string
	cr   *countReader
	zr   *dbzip2.Reader
	err  error
}

type countReader struct {
	r    io.Reader
	n    int64
	base int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func newBzip2(path string, r io.Reader, base int64) *bzip2Reader {
	cr := &countReader{r: r, base: base}
	zr, _ := dbzip2.NewReader(cr, nil) // never fails: no config to check
	return &bzip2Reader{path: path, cr: cr, zr: zr}
}

func (b *bzip2Reader) Read(p []byte) (n int, err error) {
	if b.err != nil {
		return 0, b.err
	}
	defer func() {
		// dsnet's decoder panics on some corrupt input in older releases
		// and returns io.ErrUnexpectedEOF for cut input; both become an
		// error that names the place.
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
		if err != nil && err != io.EOF {
			what := "corrupt"
			if errors.Is(err, io.ErrUnexpectedEOF) {
				what = "truncated"
			}
			err = fmt.Errorf("%s: bzip2 stream %s near compressed byte %d: %w", b.path, what, b.cr.base+b.cr.n, err)
			b.err = err
		}
	}()
	return b.zr.Read(p)
}

// ahead decodes in its own goroutine, a few chunks ahead of the parser, so
// decompression and wikitext conversion use two cores. Chunk buffers go
// back to the decoding goroutine once read, so the hand-off allocates
// nothing per chunk.
type ahead struct {
	ch   chan chunk
	free chan []byte
	cur  chunk
	buf  []byte // backing array of cur, to recycle
	done chan struct{}
	once sync.Once
}

type chunk struct {
	b   []byte
	err error
}

const aheadChunk = 1 << 20

func newAhead(r io.Reader) *ahead {
	a := &ahead{ch: make(chan chunk, 4), free: make(chan []byte, 6), done: make(chan struct{})}
	go func() {
		defer close(a.ch)
		for {
			var buf []byte
			select {
			case buf = <-a.free:
			default:
				buf = make([]byte, aheadChunk)
			}
			n, err := io.ReadFull(r, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case a.ch <- chunk{b: buf[:n], err: err}:
			case <-a.done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return a
}

func (a *ahead) Read(p []byte) (int, error) {
	for len(a.cur.b) == 0 {
		if a.cur.err != nil {
			return 0, a.cur.err
		}
		if a.buf != nil {
			select {
			case a.free <- a.buf[:cap(a.buf)]:
			default:
			}
			a.buf = nil
		}
		c, ok := <-a.ch
		if !ok {
			return 0, io.EOF
		}
		a.cur, a.buf = c, c.b
	}
	n := copy(p, a.cur.b)
	a.cur.b = a.cur.b[n:]
	return n, nil
}

func (a *ahead) Close() error {
	a.once.Do(func() { close(a.done) })
	return nil
}

// streamDecoder decodes the bzip2 streams of a multistream unit on several
// goroutines and hands their output back in order. At most 2×workers decoded
// streams (about 1-2 MB each in Wikimedia dumps) are held at once.
//
// Streams are independent and hold whole pages, so a stream that fails to
// decode is dropped whole, reported through skipped, and decoding goes on
// with the next one: one bad block costs its 100 pages, not the unit.
type streamDecoder struct {
	queue chan chan streamOut
	cur   []byte
	done  chan struct{}
	once  sync.Once

	mu     sync.Mutex
	failed []error
}

type streamOut struct {
	b   []byte
	r   [2]int64
	err error
}

func newStreamDecoder(f io.ReaderAt, path string, streams [][2]int64, workers int) *streamDecoder {
	workers = max(1, workers)
	d := &streamDecoder{queue: make(chan chan streamOut, 2*workers), done: make(chan struct{})}
	type job struct {
		r   [2]int64
		out chan streamOut
	}
	jobs := make(chan job)
	for range workers {
		go func() {
			for j := range jobs {
				zr := newBzip2(path, io.NewSectionReader(f, j.r[0], j.r[1]-j.r[0]), j.r[0])
				b, err := io.ReadAll(zr)
				j.out <- streamOut{b: b, r: j.r, err: err} // buffered: never blocks
			}
		}()
	}
	go func() {
		defer close(d.queue)
		defer close(jobs)
		for _, r := range streams {
			out := make(chan streamOut, 1)
			// The queue's capacity bounds how far decoding runs ahead.
			select {
			case d.queue <- out:
			case <-d.done:
				return
			}
			select {
			case jobs <- job{r, out}:
			case <-d.done:
				return
			}
		}
	}()
	return d
}

func (d *streamDecoder) Read(p []byte) (int, error) {
	for len(d.cur) == 0 {
		out, ok := <-d.queue
		if !ok {
			return 0, io.EOF
		}
		res := <-out
		if res.err != nil {
			d.mu.Lock()
			d.failed = append(d.failed, fmt.Errorf("bzip2 stream at bytes %d-%d dropped: %w", res.r[0], res.r[1], res.err))
			d.mu.Unlock()
			continue
		}
		d.cur = res.b
	}
	n := copy(p, d.cur)
	d.cur = d.cur[n:]
	return n, nil
}

// skipped returns and forgets the streams dropped so far.
func (d *streamDecoder) skipped() []error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := d.failed
	d.failed = nil
	return f
}

func (d *streamDecoder) Close() error {
	d.once.Do(func() { close(d.done) })
	return nil
}
