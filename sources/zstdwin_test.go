package sources

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

func TestWindowDescriptor(t *testing.T) {
	for _, size := range []uint64{1, 1 << 10, 1<<10 + 1, 3 << 20, 1<<31 - 5, 1 << 31} {
		d := windowDescriptor(size)
		if windowSize(d) < size || (d > 0 && windowSize(d-1) >= size && size > 1<<10) {
			t.Errorf("size %d: descriptor %#x (window %d) is not the smallest that holds it", size, d, windowSize(d))
		}
	}
	if windowSize(0xa8) != 1<<31 {
		t.Errorf("Pushshift's 0xa8 is %d, want 2 GiB", windowSize(0xa8))
	}
}

// readZstd decodes a file through Open and returns the bytes, the retries
// and how many bytes the decoding allocated.
func readZstd(t *testing.T, path string) ([]byte, int, uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	retries := s.dec.(*zstdDecoder).Retries
	// The pool would keep the decoder; drop it so other tests start clean.
	s.Close()
	runtime.ReadMemStats(&after)
	zstdDecoders.Get()
	return got, retries, after.TotalAlloc - before.TotalAlloc
}

// TestZstdWindowGrowsAsNeeded: the 2006 Pushshift month declares a 2 GiB
// window without a content size; it decodes in a few MiB, byte for byte
// what a decoder given the full window gives.
func TestZstdWindowPushshift(t *testing.T) {
	p := filepath.Join(corpustest.Dir(t, "reddit"), "RC_2006-01.zst")
	got, retries, alloc := readZstd(t, p)
	raw, _ := os.ReadFile(p)
	dec, err := zstd.NewReader(bytes.NewReader(raw), zstd.WithDecoderMaxWindow(MaxZstdWindow))
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	want, err := io.ReadAll(dec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("decoded %d bytes, the full-window decoder %d; contents differ", len(got), len(want))
	}
	if retries != 0 || alloc > 128<<20 {
		t.Errorf("retries %d, allocated %d MiB: want the first window and far less than the declared 2 GiB", retries, alloc>>20)
	}
	t.Logf("%d bytes decoded, %d MiB allocated", len(got), alloc>>20)
}

// zstdCLI compresses data with the reference zstd, from stdin (no content
// size in the header, as Pushshift's) or from a file (content size set).
func zstdCLI(t *testing.T, data []byte, fromFile bool, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("zstd")
	if err != nil {
		t.Skip("zstd CLI not installed (apt-get install zstd)")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "data.zst")
	var cmd *exec.Cmd
	if fromFile {
		in := filepath.Join(dir, "data")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command(bin, append(args, "-q", "-f", "-o", out, in)...)
	} else {
		cmd = exec.Command(bin, append(args, "-q", "-c")...)
		cmd.Stdin = bytes.NewReader(data)
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdout = f
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("zstd: %v: %s", err, stderr.Bytes())
	}
	return out
}

// farMatches is random data whose tail repeats its head from further back
// than the first window: the decoder must grow to decode it.
func farMatches() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, zstdFirstWindow+4<<20)
	for i := range data[:zstdFirstWindow+2<<20] {
		data[i] = byte(r.Uint32())
	}
	copy(data[zstdFirstWindow+2<<20:], data[:2<<20])
	return data
}

func TestZstdWindowRetry(t *testing.T) {
	data := farMatches()
	p := zstdCLI(t, data, false, "--long=24", "-1")
	raw, _ := os.ReadFile(p)
	if raw[4]&0xC0 != 0 {
		t.Fatalf("frame declares a content size; the test needs a stream without")
	}
	got, retries, _ := readZstd(t, p)
	if !bytes.Equal(got, data) {
		t.Fatalf("decoded %d bytes, want the %d written", len(got), len(data))
	}
	if retries != 1 {
		t.Errorf("%d retries, want 1 (8 MiB too small, 64 MiB enough)", retries)
	}
	// The same bytes in one stream that cannot be reopened use the
	// declared window and need no retry.
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := NewStream(p, f)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := io.ReadAll(s); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("stream without reopen: %v, %d bytes", err, len(got))
	}
}

// TestZstdWindowContentSize: a frame that declares its content size is
// decoded with a window of that size, however large the declared window.
func TestZstdWindowContentSize(t *testing.T) {
	data := farMatches()
	p := zstdCLI(t, data, true, "--long=27", "-1")
	raw, _ := os.ReadFile(p)
	if raw[4]&0xC0 == 0 {
		t.Fatalf("frame has no content size")
	}
	got, retries, alloc := readZstd(t, p)
	if !bytes.Equal(got, data) || retries != 0 {
		t.Fatalf("decoded %d bytes (want %d), %d retries", len(got), len(data), retries)
	}
	// Output (12 MiB, twice while read into one slice) plus a content-size
	// window, not the declared 128 MiB.
	if alloc > 100<<20 {
		t.Errorf("allocated %d MiB for a 12 MiB frame declared with a 128 MiB window", alloc>>20)
	}
}

// TestZstdWindowFrames: several frames (with and without content size) and
// a skippable frame between them pass the rewriter intact.
func TestZstdWindowFrames(t *testing.T) {
	a := bytes.Repeat([]byte("first frame, with its size declared. "), 5000)
	b := farMatches()
	pa := zstdCLI(t, a, true, "--long=27", "-3")
	pb := zstdCLI(t, b, false, "--long=24", "-1")
	ra, _ := os.ReadFile(pa)
	rb, _ := os.ReadFile(pb)
	skippable := []byte{0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'x', 'y', 'z'}
	p := filepath.Join(t.TempDir(), "frames.zst")
	if err := os.WriteFile(p, bytes.Join([][]byte{ra, skippable, rb, ra}, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	got, retries, _ := readZstd(t, p)
	want := bytes.Join([][]byte{a, b, a}, nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("decoded %d bytes, want %d", len(got), len(want))
	}
	if retries != 1 {
		t.Errorf("%d retries, want 1 (the second frame reaches 10 MiB back)", retries)
	}
}

// dropRawBlocks removes a frame's first n raw (stored) blocks. Raw blocks
// carry no entropy state, so the blocks after them still decode, but the
// matches they make now reach before the start of the frame: exactly what
// corrupt data that forges a far back-reference looks like.
func dropRawBlocks(t *testing.T, frame []byte, n int) []byte {
	t.Helper()
	fhd := frame[4]
	if fhd&0x20 != 0 || fhd>>6 != 0 || fhd&3 != 0 {
		t.Fatalf("frame header %#x: want a window descriptor, no content size, no dictionary", fhd)
	}
	out := append([]byte(nil), frame[:6]...)
	pos, dropped := 6, 0
	for {
		h := uint32(frame[pos]) | uint32(frame[pos+1])<<8 | uint32(frame[pos+2])<<16
		last, typ, size := h&1 == 1, (h>>1)&3, int(h>>3)
		body := size
		if typ == 1 {
			body = 1
		}
		if typ == 0 && dropped < n && !last {
			dropped++
		} else {
			out = append(out, frame[pos:pos+3+body]...)
		}
		pos += 3 + body
		if last {
			break
		}
	}
	if dropped < n {
		t.Fatalf("frame has %d raw blocks, want %d", dropped, n)
	}
	return append(out, frame[pos:]...) // the checksum, now wrong
}

// TestZstdForgedBackReference: a back-reference that reaches before the
// start of its frame is corruption, whatever window the frame declares: the
// stream fails with an error that says so, at once, instead of growing its
// window toward the declared 2 GiB first.
func TestZstdForgedBackReference(t *testing.T) {
	data := farMatches() // 10 MiB of random bytes, then 2 MiB repeating the first
	raw, err := os.ReadFile(zstdCLI(t, data, false, "--long=31", "-1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		drop int // raw 128 KiB blocks removed from the start
	}{
		{"nothing decoded before the reference", 80},
		{"1 MiB decoded before the reference", 72},
		{"7 MiB decoded before the reference", 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "forged.zst")
			if err := os.WriteFile(p, dropRawBlocks(t, raw, tc.drop), 0o644); err != nil {
				t.Fatal(err)
			}
			// The reference decoder, given the full window, agrees the
			// data is corrupt.
			full, _ := zstd.NewReader(nil, zstd.WithDecoderMaxWindow(MaxZstdWindow))
			defer full.Close()
			f, _ := os.Open(p)
			defer f.Close()
			full.Reset(f)
			if _, err := io.Copy(io.Discard, full); err == nil {
				t.Fatal("the full-window decoder accepts the forged stream")
			}

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			grant := &recordingGrant{}
			s, err := openFile(p, grant)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			n, err := io.Copy(io.Discard, s)
			runtime.ReadMemStats(&after)
			var se *StreamError
			if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), "before the first byte of its frame") {
				t.Fatalf("read %d bytes, error %v: want a StreamError saying the reference is forged", n, err)
			}
			if r := s.dec.(*zstdDecoder).Retries; r != 0 || len(grant.grown) != 0 {
				t.Errorf("%d retries, growth asked %v: a forged reference must not grow the window", r, grant.grown)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			t.Logf("%d bytes before the error: %v", n, err)
		})
	}
}

// recordingGrant is a MemoryGrant that records what is asked of it and
// refuses when told to.
type recordingGrant struct {
	grown  []int64
	refuse error
}

func (g *recordingGrant) Grow(n int64) error {
	if g.refuse != nil {
		return g.refuse
	}
	g.grown = append(g.grown, n)
	return nil
}

// TestZstdWindowGrowthCharged: a stream that needs a larger window asks
// the task's memory share for the difference before it allocates it, and
// a share that cannot give it stops the stream with that reason.
func TestZstdWindowGrowthCharged(t *testing.T) {
	data := farMatches()
	p := zstdCLI(t, data, false, "--long=24", "-1")

	grant := &recordingGrant{}
	s, err := openFile(p, grant)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(s)
	s.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("decoded %d bytes (want %d): %v", len(got), len(data), err)
	}
	want := int64(zstdFirstWindow*zstdWindowGrowth - zstdFirstWindow)
	if len(grant.grown) != 1 || grant.grown[0] != want {
		t.Errorf("growth asked %v, want [%d] (8 MiB to 64 MiB)", grant.grown, want)
	}

	refused := &recordingGrant{refuse: context.Canceled}
	s, err = openFile(p, refused)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := io.ReadAll(s); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "64 MiB zstd window") {
		t.Errorf("refused growth: %v, want the share's error and the window it asked for", err)
	}
}
