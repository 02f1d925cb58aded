package sources

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// The zstd decoder allocates its history ring at the window size a frame
// header declares, before decoding a byte: Pushshift months are written
// with --long=31, so a 143 KB file asked for 2 GiB. A window only has to
// hold what back-references reach, so the compressed stream is passed to
// the decoder with each frame's window descriptor rewritten:
//
//   - a frame that declares its content size never references further
//     back than that size: its window becomes the content size (exact, no
//     retry ever needed);
//   - a frame without a content size (streamed through zstd from stdin, as
//     Pushshift's are) starts with a small window; if the data does reach
//     further back, the decoder fails with an out-of-history offset, and
//     the input is decoded again from its start with a window eight times
//     larger (up to MaxZstdWindow), skipping what was already returned.
//     Memory then grows only as far as the stream needs.
//
// A valid back-reference never reaches before the first byte of its frame,
// so a window that already holds everything decoded so far is never too
// small: an offset beyond it was forged by corrupt data, and the stream
// fails there instead of growing. The window therefore stays under eight
// times the bytes decoded, whatever a damaged file claims. Growth is asked
// of the task's share of the run's memory budget first (MemoryGrant), so
// large-window streams queue behind each other instead of adding up.
//
// Retrying needs the input again, so it applies to local files; other
// streams keep the declared window for frames without a content size.

// zstdFirstWindow is the window tried first for frames without a content
// size; zstdWindowGrowth is how much each retry multiplies it.
const (
	zstdFirstWindow  = 8 << 20
	zstdWindowGrowth = 8
)

// zstdBlockSlack is how far past the bytes returned a valid match may sit:
// the block being decoded when the error came (128 KiB at most), twice
// over for the bytes the decoder had ready but not yet handed out.
const zstdBlockSlack = 2 * (128 << 10)

// zstdDecoder reads the decompressed bytes of a zstd stream with windows
// sized as above.
type zstdDecoder struct {
	raw       *countingReader
	reopen    func() (io.ReadCloser, error) // nil: no retry, declared windows
	mem       MemoryGrant                   // nil: growth is not charged
	open      io.Closer                     // input reopened by a retry
	dec       *zstd.Decoder
	limit     uint64 // window for frames without content size; 0 = declared
	delivered int64
	// Retries counts restarts with a larger window, for tests and logs.
	Retries int
}

func newZstdDecoder(raw *countingReader, br *bufio.Reader, reopen func() (io.ReadCloser, error), mem MemoryGrant) (*zstdDecoder, error) {
	z := &zstdDecoder{raw: raw, reopen: reopen, mem: mem}
	if reopen != nil {
		z.limit = zstdFirstWindow
	}
	dec, err := getZstd(newWindowRewriter(br, z.limit))
	if err != nil {
		return nil, err
	}
	z.dec = dec
	return z, nil
}

func (z *zstdDecoder) Read(p []byte) (int, error) {
	for {
		n, err := z.dec.Read(p)
		z.delivered += int64(n)
		if err == nil || err == io.EOF || z.limit == 0 || z.limit >= MaxZstdWindow || !isWindowShort(err) {
			return n, err
		}
		if n > 0 {
			return n, nil // the decoder repeats its error on the next call
		}
		if err := z.retry(err); err != nil {
			return 0, err
		}
	}
}

// retry decodes the input again from its start with a larger window and
// skips the bytes already returned; cause is the decoder's error.
func (z *zstdDecoder) retry(cause error) error {
	if uint64(z.delivered)+zstdBlockSlack <= z.limit {
		return fmt.Errorf("a back-reference reaches before the first byte of its frame, %d bytes in (%w)", z.delivered, cause)
	}
	next := min(z.limit*zstdWindowGrowth, MaxZstdWindow)
	if z.mem != nil {
		if err := z.mem.Grow(int64(next - z.limit)); err != nil {
			return fmt.Errorf("waiting for memory for a %d MiB zstd window: %w", next>>20, err)
		}
	}
	z.limit = next
	rc, err := z.reopen()
	if err != nil {
		return err
	}
	if z.open != nil {
		z.open.Close()
	}
	z.open = rc
	z.raw.r = rc
	z.raw.n.Store(0)
	// A fresh decoder, with the old one closed and collected first: Reset
	// would keep the smaller ring alive beside the larger. Retries are
	// rare (four at most).
	z.dec.Close()
	z.dec = nil
	runtime.GC()
	dec, err := zstd.NewReader(newWindowRewriter(bufio.NewReaderSize(z.raw, 256<<10), z.limit),
		zstd.WithDecoderMaxWindow(MaxZstdWindow), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return err
	}
	z.dec = dec
	z.Retries++
	if _, err := io.CopyN(io.Discard, z.dec, z.delivered); err != nil {
		return err
	}
	return nil
}

func (z *zstdDecoder) Close() error {
	putZstd(z.dec)
	if z.open != nil {
		return z.open.Close()
	}
	return nil
}

// isWindowShort reports the decoder's errors for a back-reference beyond
// the history it holds (klauspost/compress words them so; the window
// errors are its sentinel values).
func isWindowShort(err error) bool {
	return errors.Is(err, zstd.ErrWindowSizeExceeded) || strings.Contains(err.Error(), "bigger than current history")
}

// windowRewriter passes a zstd stream through, frame by frame, with each
// frame's window descriptor lowered: to the frame's content size when it
// declares one, else to limit (0: left as declared). Skippable frames and
// blocks are copied as they are; anything it does not recognise is passed
// through untouched for the decoder to judge.
type windowRewriter struct {
	r       *bufio.Reader
	limit   uint64
	pending []byte // header bytes ready to hand out
	copyN   int64  // payload bytes to pass through before the next header
	state   int
	frame   frameInfo
	err     error
}

const (
	atFrame = iota
	atBlock
	atChecksum
	passAll
)

type frameInfo struct {
	checksum bool
}

func newWindowRewriter(r *bufio.Reader, limit uint64) *windowRewriter {
	return &windowRewriter{r: r, limit: limit}
}

func (w *windowRewriter) Read(p []byte) (int, error) {
	for {
		if len(w.pending) > 0 {
			n := copy(p, w.pending)
			w.pending = w.pending[n:]
			return n, nil
		}
		if w.copyN > 0 || w.state == passAll {
			q := p
			if w.state != passAll && int64(len(q)) > w.copyN {
				q = q[:w.copyN]
			}
			n, err := w.r.Read(q)
			w.copyN -= int64(n)
			return n, err
		}
		if w.err != nil {
			return 0, w.err
		}
		w.err = w.advance()
	}
}

// advance reads the next header (frame, block or checksum) into pending
// and sets how many payload bytes follow it.
func (w *windowRewriter) advance() error {
	switch w.state {
	case atChecksum:
		w.copyN, w.state = 4, atFrame
		return nil
	case atBlock:
		h, err := w.take(3)
		if err != nil {
			return nil
		}
		v := uint32(h[0]) | uint32(h[1])<<8 | uint32(h[2])<<16
		last, typ, size := v&1 == 1, (v>>1)&3, int64(v>>3)
		switch typ {
		case 1: // RLE: one byte stands for size bytes
			size = 1
		case 3: // reserved: let the decoder say so
			w.state = passAll
			return nil
		}
		w.copyN = size
		if last {
			w.state = atFrame
			if w.frame.checksum {
				w.state = atChecksum
			}
		}
		return nil
	}
	magic, err := w.r.Peek(4)
	if err != nil {
		if err == io.EOF && len(magic) == 0 {
			return io.EOF
		}
		w.state = passAll
		return nil
	}
	m := binary.LittleEndian.Uint32(magic)
	if m&0xFFFFFFF0 == 0x184D2A50 { // skippable frame
		h, err := w.take(8)
		if err != nil {
			return nil
		}
		w.copyN = int64(binary.LittleEndian.Uint32(h[4:]))
		return nil
	}
	if m != 0xFD2FB528 {
		w.state = passAll
		return nil
	}
	head, err := w.r.Peek(6)
	if err != nil && len(head) < 5 {
		w.state = passAll
		return nil
	}
	fhd := head[4]
	single := fhd&0x20 != 0
	dictLen := []int{0, 1, 2, 4}[fhd&3]
	fcsLen := []int{0, 2, 4, 8}[fhd>>6]
	if fhd>>6 == 0 && single {
		fcsLen = 1
	}
	hdrLen := 5 + dictLen + fcsLen
	if !single {
		hdrLen++
	}
	h, err := w.take(hdrLen)
	if err != nil {
		return nil
	}
	w.frame = frameInfo{checksum: fhd&4 != 0}
	if !single {
		declared := windowSize(h[5])
		want := w.limit
		if fcsLen > 0 {
			fcs := readFCS(h[6+dictLen : 6+dictLen+fcsLen])
			want = max(fcs, 1<<10)
		}
		if want > 0 && want < declared {
			h[5] = windowDescriptor(want)
		}
	}
	w.state = atBlock
	return nil
}

// take reads n header bytes and queues them for output.
func (w *windowRewriter) take(n int) ([]byte, error) {
	b := make([]byte, n)
	got, err := io.ReadFull(w.r, b)
	w.pending = b[:got]
	if err != nil {
		// A cut header: hand out what there is; the decoder reports the
		// truncation with its own position.
		w.state = passAll
		return nil, errCutHeader
	}
	return b, nil
}

// errCutHeader stops advance at a header the input ends inside.
var errCutHeader = errors.New("zstd header cut short")

// windowSize decodes a Window_Descriptor (RFC 8878 §3.1.1.1.2).
func windowSize(d byte) uint64 {
	exp, mant := uint64(d>>3), uint64(d&7)
	base := uint64(1) << (10 + exp)
	return base + base/8*mant
}

// windowDescriptor is the smallest descriptor whose window holds size.
func windowDescriptor(size uint64) byte {
	for exp := 0; exp < 32; exp++ {
		for mant := 0; mant < 8; mant++ {
			d := byte(exp<<3 | mant)
			if windowSize(d) >= size {
				return d
			}
		}
	}
	return 0xFF
}

func readFCS(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)) + 256
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	case 8:
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}
