package commoncrawl

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/curate-dev/curate/sources"
)

// warcReader reads WARC records from plain or gzip-compressed bytes.
//
// It is this package's own because github.com/nlnwa/gowarc/v3, under its
// default validation (the only setting that keeps payloads intact), blanks
// any header value it finds invalid: wget's "WARC-Target-URI: <https://...>"
// and ClueWeb09's "WARC-Date: 2008-10-294T..." both come back empty, so the
// dolma and ClueWeb files in the corpus lose their URLs and dates. Reading
// the format is simple enough to do here, keeping headers exactly as written
// and knowing each record's byte offset for error messages.
//
// Gzip is read member by member (Multistream(false), set again after each
// Reset, which turns it back on), so a record's offset is the compressed
// offset of its member, as in Common Crawl's CDX index. A file compressed as
// one member holding many records also reads correctly.
type warcReader struct {
	raw      *offsetReader
	br       *bufio.Reader // over raw
	gz       *gzip.Reader  // nil for plain input
	gzbuf    *bufio.Reader // over gz, for the current member
	member   bool          // a gzip member is open
	rec      *bufio.Reader // where records are read from: br or gzbuf
	body     io.Reader     // unread rest of the current block
	base     int64         // offset of the unit in its file
	line     []byte        // reused header-line buffer
	curOff   int64         // offset of the record being read
	errOff   int64         // offset of the record the last error is in
	resyncAt int64         // raw offset of the last resync, to always move on
}

// warcRecord is one record's header and its block, valid until next().
type warcRecord struct {
	version string
	header  map[string]string // lower-case names; the first value of each
	offset  int64             // byte offset of the record (or its gzip member)
	length  int64             // Content-Length
	block   io.Reader
}

func (r *warcRecord) get(name string) string { return r.header[strings.ToLower(name)] }

type offsetReader struct {
	r io.Reader
	n int64
}

func (o *offsetReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	o.n += int64(n)
	return n, err
}

func newWarcReader(r io.Reader, base int64) (*warcReader, error) {
	w := &warcReader{raw: &offsetReader{r: r}, base: base}
	w.br = bufio.NewReaderSize(w.raw, 256<<10)
	head, err := w.br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		w.gz = new(gzip.Reader)
		w.gzbuf = bufio.NewReaderSize(nil, 64<<10)
	} else {
		w.rec = w.br
	}
	return w, nil
}

// pos is the raw offset of the next unread byte.
func (w *warcReader) pos() int64 { return w.base + w.raw.n - int64(w.br.Buffered()) }

// next returns the next record, io.EOF at the clean end, or an error that
// ends the input.
//
// After an error, errOff is the offset of the record (or gzip member) that
// broke: when the block of the previous record is what failed, that
// record's start, not where the reader had got to inside it.
func (w *warcReader) next() (*warcRecord, error) {
	if w.body != nil {
		if _, err := io.Copy(io.Discard, w.body); err != nil {
			w.errOff = w.curOff
			return nil, err
		}
		w.body = nil
	}
	off, err := w.seekRecord()
	w.errOff, w.curOff = off, off
	if err != nil {
		return nil, err
	}
	rec := &warcRecord{offset: off, header: make(map[string]string, 12)}
	line, err := w.headerLine()
	if err != nil {
		return nil, err
	}
	rec.version = strings.TrimSpace(line)
	if !strings.HasPrefix(rec.version, "WARC/") {
		return nil, fmt.Errorf("expected a WARC/ version line, found %q", trunc(rec.version))
	}
	last := ""
	for lines := 0; ; lines++ {
		if lines > maxHeaderLines {
			return nil, fmt.Errorf("WARC header of more than %d lines", maxHeaderLines)
		}
		line, err := w.headerLine()
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			rec.header[last] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("malformed WARC header line %q", trunc(line))
		}
		last = strings.ToLower(strings.TrimSpace(name))
		if _, dup := rec.header[last]; !dup {
			rec.header[last] = strings.TrimSpace(value)
		}
	}
	cl := rec.header["content-length"]
	rec.length, err = strconv.ParseInt(cl, 10, 64)
	if err != nil || rec.length < 0 {
		return nil, fmt.Errorf("bad Content-Length %q", cl)
	}
	w.body = &exactReader{r: io.LimitReader(w.rec, rec.length), left: rec.length}
	rec.block = w.body
	return rec, nil
}

var gzipMagic = []byte{0x1f, 0x8b, 0x08}

// resync moves past a damaged gzip member to the next member header, so
// the (independent) members after it are read: Common Crawl writes one
// record per member precisely so that one bad member costs one record. It
// reports false when no member is left, or for input not in members.
func (w *warcReader) resync() bool {
	if w.gz == nil {
		return w.resyncPlain()
	}
	w.member, w.body = false, nil
	if w.pos() <= w.resyncAt {
		// The last resync landed on a false header: step over it.
		if _, err := w.br.Discard(1); err != nil {
			return false
		}
	}
	for {
		buf, err := w.br.Peek(w.br.Size())
		if i := bytes.Index(buf, gzipMagic); i >= 0 {
			w.br.Discard(i)
			w.resyncAt = w.pos()
			return true
		}
		if err != nil {
			w.br.Discard(len(buf))
			return false
		}
		w.br.Discard(len(buf) - len(gzipMagic) + 1)
	}
}

var warcLine = []byte("\nWARC/1.")

// resyncPlain moves past a damaged record of an uncompressed WARC to the
// next line that starts a record ("WARC/1.0", "WARC/1.1"). A payload that
// itself holds such a line makes a false start; its parse fails and the
// next resync moves on.
func (w *warcReader) resyncPlain() bool {
	w.body = nil
	if w.pos() <= w.resyncAt {
		if _, err := w.br.Discard(1); err != nil {
			return false
		}
	}
	for {
		buf, err := w.br.Peek(w.br.Size())
		if i := bytes.Index(buf, warcLine); i >= 0 {
			w.br.Discard(i + 1)
			w.resyncAt = w.pos()
			return true
		}
		if err != nil {
			w.br.Discard(len(buf))
			return false
		}
		w.br.Discard(len(buf) - len(warcLine) + 1)
	}
}

// Bounds of a WARC header: real ones are a few hundred bytes in 10-20
// lines (a long Target-URI is a few KB). Past them the input is not WARC,
// and reading on would buffer a whole "line" of gigabytes.
const (
	maxHeaderLine  = 64 << 10
	maxHeaderLines = 1000
)

// headerLine reads one header line, bounded by maxHeaderLine.
func (w *warcReader) headerLine() (string, error) {
	line, _, tooLong, err := sources.ReadLine(w.rec, maxHeaderLine, w.line)
	w.line = line[:0]
	if err != nil {
		return "", unexpected(err)
	}
	if tooLong {
		return "", fmt.Errorf("WARC header line longer than %d KiB", maxHeaderLine>>10)
	}
	if len(line) == 0 || line[len(line)-1] != '\n' {
		return "", io.ErrUnexpectedEOF
	}
	return string(line), nil
}

// seekRecord moves to the start of the next record, opening the next gzip
// member when the current one is done, and returns the record's offset.
func (w *warcReader) seekRecord() (int64, error) {
	for {
		if w.gz != nil && !w.member {
			off := w.pos()
			if _, err := w.br.Peek(1); err == io.EOF {
				return 0, io.EOF
			}
			if err := w.gz.Reset(w.br); err != nil {
				return off, fmt.Errorf("gzip member header: %w", unexpected(err))
			}
			// Reset turns multistream back on; one member at a time.
			w.gz.Multistream(false)
			w.gzbuf.Reset(w.gz)
			w.rec = w.gzbuf
			w.member = true
			if err := skipBlank(w.rec); err != nil {
				return off, unexpected(err)
			}
			return off, nil
		}
		// Skip the blank lines that end the previous record.
		off := w.pos()
		if err := skipBlank(w.rec); err != nil {
			if err != io.EOF {
				return off, unexpected(err)
			}
			if w.gz == nil {
				return 0, io.EOF
			}
			// Member done: its checksum was checked at EOF.
			w.member = false
			continue
		}
		// For plain input this is exact; for another record inside the
		// same gzip member (whole-file gzip) it is where the compressed
		// reader had got to, the best a raw offset can say.
		return w.pos(), nil
	}
}

// skipBlank consumes CR/LF bytes; io.EOF if nothing else follows.
func skipBlank(r *bufio.Reader) error {
	for {
		b, err := r.ReadByte()
		if err != nil {
			return err
		}
		if b != '\r' && b != '\n' {
			return r.UnreadByte()
		}
	}
}

// exactReader turns an early end of a block into io.ErrUnexpectedEOF.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
