// Package sources holds the input plumbing every source shares: expanding
// paths and globs into a sorted list of inputs, and opening an input with the
// decompressor its magic bytes call for. Each source kind lives in its own
// sub-package and turns an opened input into a stream of documents.
package sources

import (
	"bufio"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Input is one file (or URL) a source reads.
type Input struct {
	Path string // as given or as matched by a glob; URLs stay URLs
	Size int64  // -1 when unknown (URLs)
}

// Expand turns patterns (paths, globs with *, ? and [...], or http(s) URLs)
// into inputs, sorted and de-duplicated so task numbering is stable. A
// pattern that matches nothing is an error: a typo must not silently yield an
// empty corpus. Relative patterns are taken from baseDir.
func Expand(baseDir string, patterns []string) ([]Input, error) {
	return expandAll(baseDir, patterns, false)
}

// IsURL reports whether p names an http(s) resource rather than a file.
func IsURL(p string) bool {
	return strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://")
}

// Compression names a container format found by magic bytes.
type Compression string

const (
	Plain Compression = "plain"
	Gzip  Compression = "gzip"
	Bzip2 Compression = "bzip2"
	XZ    Compression = "xz"
	Zstd  Compression = "zstd"
)

// Detect names the compression of a stream from its first bytes. File
// extensions lie (Pushshift's .zst files, gensim's ".bz2" without .xml), so
// only the magic is trusted.
func Detect(head []byte) Compression {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return Gzip
	case len(head) >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h':
		return Bzip2
	case len(head) >= 6 && string(head[:6]) == "\xfd7zXZ\x00":
		return XZ
	case len(head) >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd:
		return Zstd
	}
	return Plain
}

// truncatedMagic names the compression whose magic the whole (short) input
// is a proper prefix of, "" if none.
func truncatedMagic(head []byte) Compression {
	if len(head) < 2 {
		return ""
	}
	for _, m := range []struct {
		magic string
		c     Compression
	}{{"\x1f\x8b", Gzip}, {"BZh", Bzip2}, {"\xfd7zXZ\x00", XZ}, {"\x28\xb5\x2f\xfd", Zstd}} {
		if len(head) < len(m.magic) && m.magic[:len(head)] == string(head) {
			return m.c
		}
	}
	return ""
}

// MaxZstdWindow is the largest zstd window accepted: Pushshift dumps are
// written with --long=31, so the decoder must allow a 2 GiB window.
const MaxZstdWindow = 1 << 31

// Stream is an opened, decompressed input. Read errors carry the input's
// path and the compressed byte offset reached, so a truncated or corrupt
// file is reported where it broke.
type Stream struct {
	Path        string
	Compression Compression
	raw         *countingReader
	dec         io.Reader
	closers     []func() error
}

// Open opens a local file and wraps it in the decompressor its magic bytes
// name.
func Open(path string) (*Stream, error) {
	return openFile(path, nil)
}

// openFile is Open with the task's memory share, which a zstd stream asks
// before it grows its window.
func openFile(path string, mem MemoryGrant) (*Stream, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, expected a file", path)
	}
	if !st.Mode().IsRegular() {
		// A FIFO would block the task forever; a device never ends.
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileType(st.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// A local file can be read again from its start, which lets a zstd
	// stream begin with a small window and grow it (see zstdwin.go).
	reopen := func() (io.ReadCloser, error) { return os.Open(path) }
	s, err := newStream(path, f, reopen, mem)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closers = append(s.closers, f.Close)
	return s, nil
}

// NewStream wraps an already open byte stream (a file, an HTTP body, a
// section of a file) in the decompressor its magic bytes name. name is used
// in errors. Closing the Stream does not close r.
func NewStream(name string, r io.Reader) (*Stream, error) {
	return newStream(name, r, nil, nil)
}

func newStream(name string, r io.Reader, reopen func() (io.ReadCloser, error), mem MemoryGrant) (*Stream, error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 256<<10)
	head, err := br.Peek(6)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	if c := truncatedMagic(head); c != "" && err == io.EOF {
		// A file that stops inside a compression header would otherwise
		// be read as plain text and blamed on its content.
		return nil, fmt.Errorf("%s: %d bytes, cut inside a %s header", name, len(head), c)
	}
	s := &Stream{Path: name, raw: cr, Compression: Detect(head)}
	switch s.Compression {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip header at byte 0: %w", name, err)
		}
		s.dec = zr
		s.closers = append(s.closers, zr.Close)
	case Bzip2:
		s.dec = bzip2.NewReader(br)
	case XZ:
		xr, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: xz header at byte 0: %w", name, err)
		}
		s.dec = xr
	case Zstd:
		zr, err := newZstdDecoder(cr, br, reopen, mem)
		if err != nil {
			return nil, fmt.Errorf("%s: zstd header at byte 0: %w", name, err)
		}
		s.dec = zr
		s.closers = append(s.closers, zr.Close)
	default:
		s.dec = br
	}
	return s, nil
}

// Read implements io.Reader over the decompressed bytes.
func (s *Stream) Read(p []byte) (int, error) {
	n, err := s.dec.Read(p)
	if err != nil && err != io.EOF {
		return n, s.wrap(err)
	}
	return n, err
}

func (s *Stream) wrap(err error) error {
	return &StreamError{Path: s.Path, Compression: s.Compression, Offset: s.raw.n.Load(), Err: err}
}

// StreamError is a read failure of a Stream: where in the raw
// (compressed) input it broke, so reports can carry the offset.
type StreamError struct {
	Path        string
	Compression Compression
	Offset      int64 // compressed bytes consumed when it broke
	Err         error
}

func (e *StreamError) Error() string {
	what := "corrupt"
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		what = "truncated"
	}
	return fmt.Sprintf("%s: %s stream %s near compressed byte %d: %v", e.Path, e.Compression, what, e.Offset, e.Err)
}

func (e *StreamError) Unwrap() error { return e.Err }

// CompressedOffset is how many raw (compressed) bytes were consumed so far;
// progress bars use it against the file size.
func (s *Stream) CompressedOffset() int64 { return s.raw.n.Load() }

// Close releases the decompressor and the underlying file, if Open made it.
func (s *Stream) Close() error {
	var first error
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	s.closers = nil
	return first
}

// zstdDecoders reuses zstd decoders across inputs: a decoder reset onto
// the next input keeps its history ring, so inputs of similar windows do
// not pay for a new allocation each. The pool is a cache, never observable
// state.
var zstdDecoders sync.Pool

func getZstd(r io.Reader) (*zstd.Decoder, error) {
	if d, ok := zstdDecoders.Get().(*zstd.Decoder); ok {
		if err := d.Reset(r); err == nil {
			return d, nil
		}
		d.Close()
	}
	return zstd.NewReader(r, zstd.WithDecoderMaxWindow(MaxZstdWindow), zstd.WithDecoderConcurrency(1))
}

func putZstd(d *zstd.Decoder) {
	// Drop the reference to the input; the history ring stays allocated.
	if d.Reset(nil) == nil {
		zstdDecoders.Put(d)
		return
	}
	d.Close()
}

// countingReader counts raw bytes; the count is atomic because progress
// reporting reads it from another goroutine.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
