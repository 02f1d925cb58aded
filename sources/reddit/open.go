package reddit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/curate-dev/curate/sources"
)

// zstdPool reuses zstd decoders across files. Pushshift dumps declare a
// 2 GiB window, and klauspost's streaming decoder allocates its whole
// history ring up front: a fresh decoder per file costs a 2 GiB allocation
// (over a second of zeroing once the heap is warm). A decoder reset onto the
// next file keeps its ring, so each worker pays that once.
type zstdPool struct{ p sync.Pool }

func (zp *zstdPool) get(r io.Reader) (*zstd.Decoder, error) {
	if d, ok := zp.p.Get().(*zstd.Decoder); ok {
		if err := d.Reset(r); err != nil {
			return nil, err
		}
		return d, nil
	}
	return zstd.NewReader(r, zstd.WithDecoderMaxWindow(sources.MaxZstdWindow), zstd.WithDecoderConcurrency(1))
}

func (zp *zstdPool) put(d *zstd.Decoder) {
	// Drop the reference to the file; the history ring stays allocated.
	if d.Reset(nil) == nil {
		zp.p.Put(d)
	}
}

// input is an opened dump: zstd through a pooled decoder, anything else
// through sources.Open.
type input struct {
	path  string
	f     *os.File
	cr    *countReader
	zd    *zstd.Decoder
	pool  *zstdPool
	other *sources.Stream
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func openInput(path string, pool *zstdPool) (*input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reddit: %w", err)
	}
	head := make([]byte, 6)
	n, _ := io.ReadFull(f, head)
	if sources.Detect(head[:n]) != sources.Zstd {
		f.Close()
		st, err := sources.Open(path)
		if err != nil {
			return nil, err
		}
		return &input{path: path, other: st}, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("reddit: %w", err)
	}
	in := &input{path: path, f: f, pool: pool, cr: &countReader{r: f}}
	in.zd, err = pool.get(bufio.NewReaderSize(in.cr, 256<<10))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: zstd: %w", path, err)
	}
	return in, nil
}

func (in *input) Read(p []byte) (int, error) {
	if in.other != nil {
		return in.other.Read(p)
	}
	n, err := in.zd.Read(p)
	if err != nil && err != io.EOF {
		what := "corrupt"
		if errors.Is(err, io.ErrUnexpectedEOF) {
			what = "truncated"
		}
		err = fmt.Errorf("%s: zstd stream %s near compressed byte %d: %w", in.path, what, in.cr.n, err)
	}
	return n, err
}

func (in *input) Close() error {
	if in.other != nil {
		return in.other.Close()
	}
	if in.zd != nil {
		in.pool.put(in.zd)
		in.zd = nil
	}
	return in.f.Close()
}
