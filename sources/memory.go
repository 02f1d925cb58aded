package sources

import (
	"io"
	"os"
)

// A MemoryGrant is a running task's share of the run's memory budget
// (memory_mb). Grow adds n bytes to it, waiting until they fit beside the
// other running tasks; it fails only when the task is cancelled.
type MemoryGrant interface {
	Grow(n int64) error
}

// DecoderMemory estimates the bytes the decompressor of a local input holds
// while it is read: for zstd, the history ring of the window its first
// frame will be decoded with (see zstdwin.go: the content size when the
// frame declares one, else the first window tried); the other formats keep
// a few MiB at most and count as 0. An input that cannot be peeked, or a
// URL, gets its declared zstd window, the most it may need.
func DecoderMemory(path string) int64 {
	if IsURL(path) {
		return 0
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	head := make([]byte, 18)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if Detect(head) != Zstd || len(head) < 6 {
		return 0
	}
	fhd := head[4]
	single := fhd&0x20 != 0
	dictLen := []int{0, 1, 2, 4}[fhd&3]
	fcsLen := []int{0, 2, 4, 8}[fhd>>6]
	if fhd>>6 == 0 && single {
		fcsLen = 1
	}
	var window uint64
	fcsAt := 5 + dictLen
	if !single {
		window = windowSize(head[5])
		fcsAt++
	}
	if fcsLen > 0 && fcsAt+fcsLen <= len(head) {
		fcs := max(readFCS(head[fcsAt:fcsAt+fcsLen]), 1<<10)
		if window == 0 || fcs < window {
			window = fcs
		}
	} else if window > zstdFirstWindow {
		window = zstdFirstWindow
	}
	// The ring holds the window plus two blocks of room.
	return int64(window) + 2*(128<<10+64)
}
