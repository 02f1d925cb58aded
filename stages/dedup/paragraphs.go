package dedup

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
)

// Paragraph (line) dedup: every kept document's paragraphs are hashed at
// ingest into section SectionParagraphs of its part's signature file; one
// task per hash range counts in how many documents each key occurs
// (CountRuns) and writes the frequent ones with the first document
// holding them (a common file); the filter task of each part removes them.

// SectionParagraphs holds paragraph (line) keys, one per distinct
// paragraph of a document.
const SectionParagraphs = SectionSpanBase

// EachSpan calls fn with the byte range of every paragraph of text (lines
// false: blocks separated by blank lines) or line (lines true), without
// its separator and surrounding white space; empty ones are skipped.
func EachSpan(text string, lines bool, fn func(start, end int)) {
	emit := func(start, end int) {
		for start < end && isSpace(text[start]) {
			start++
		}
		for end > start && isSpace(text[end-1]) {
			end--
		}
		if end > start {
			fn(start, end)
		}
	}
	para := 0
	for pos := 0; ; {
		nl := strings.IndexByte(text[pos:], '\n')
		end := len(text)
		if nl >= 0 {
			end = pos + nl
		}
		switch {
		case lines:
			emit(pos, end)
		case strings.TrimSpace(text[pos:end]) == "":
			// A line of white space ends a paragraph.
			emit(para, pos)
			para = min(end+1, len(text))
		}
		if nl < 0 {
			break
		}
		pos = end + 1
	}
	if !lines {
		emit(para, len(text))
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}

// HasWord reports whether s holds a letter or digit.
func HasWord(s string) bool {
	for _, r := range s {
		if wordChar(r) {
			return true
		}
	}
	return false
}

// Common is one frequent span key: the first document holding it (in
// run order) and how many documents do.
type Common struct {
	Key   Key
	First uint64
	Docs  int64
}

// CountRuns merges srcs in key order and calls fn for every key held by
// at least minDocs distinct documents; rows a source skips (documents
// whole-document dedup removed) do not count. Memory is one entry per
// source.
func CountRuns(srcs []Source, minDocs int64, fn func(Common) error) (entries int64, err error) {
	// The heap's top is replaced in place (heap.Fix): no allocation per
	// entry, so the task's memory is the heap and the readers' buffers.
	h := make(mergeHeap, 0, len(srcs))
	read := func(i int) (mergeItem, bool, error) {
		for {
			e, err := srcs[i].Entries.Next()
			if err == io.EOF {
				return mergeItem{}, false, nil
			}
			if err != nil {
				return mergeItem{}, false, err
			}
			if srcs[i].Skip != nil && srcs[i].Skip(e.Row) {
				continue
			}
			entries++
			return mergeItem{e: e, ref: srcs[i].Base | uint64(e.Row), src: i}, true, nil
		}
	}
	for i := range srcs {
		if srcs[i].Entries == nil || srcs[i].Entries.r == nil {
			continue
		}
		it, ok, err := read(i)
		if err != nil {
			return entries, err
		}
		if ok {
			h = append(h, it)
		}
	}
	heap.Init(&h)
	var cur Common
	var last uint64
	flush := func() error {
		if cur.Docs >= minDocs {
			return fn(cur)
		}
		return nil
	}
	for len(h) > 0 {
		it := h[0]
		switch {
		case cur.Docs == 0 || it.e.Key != cur.Key:
			if err := flush(); err != nil {
				return entries, err
			}
			cur = Common{Key: it.e.Key, First: it.ref, Docs: 1}
		case it.ref != last:
			cur.Docs++
		}
		last = it.ref
		nx, ok, err := read(it.src)
		if err != nil {
			return entries, err
		}
		if ok {
			h[0] = nx
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
	}
	return entries, flush()
}

const commonMagic = "CURCOM01"

// CommonWriter writes common keys, in key order, 32 bytes each.
type CommonWriter struct {
	w *bufio.Writer
	n int64
}

// NewCommonWriter starts a common file.
func NewCommonWriter(w io.Writer) (*CommonWriter, error) {
	bw := bufio.NewWriter(w)
	_, err := bw.WriteString(commonMagic)
	return &CommonWriter{w: bw}, err
}

// Write appends c.
func (c *CommonWriter) Write(x Common) error {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[:], x.Key.Hi)
	binary.LittleEndian.PutUint64(b[8:], x.Key.Lo)
	binary.LittleEndian.PutUint64(b[16:], x.First)
	binary.LittleEndian.PutUint64(b[24:], uint64(x.Docs))
	c.n++
	_, err := c.w.Write(b[:])
	return err
}

// Count is how many keys were written.
func (c *CommonWriter) Count() int64 { return c.n }

// Flush ends the file.
func (c *CommonWriter) Flush() error { return c.w.Flush() }

// ReadCommon calls fn for every key of a common file.
func ReadCommon(path string, fn func(Common)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(commonMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != commonMagic {
		return fmt.Errorf("%s: offset 0: not a common-span file", path)
	}
	var b [32]byte
	for off := int64(len(commonMagic)); ; off += 32 {
		_, err := io.ReadFull(r, b[:])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: offset %d: truncated entry: %w", path, off, err)
		}
		fn(Common{Key{binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:])},
			binary.LittleEndian.Uint64(b[16:]), int64(binary.LittleEndian.Uint64(b[24:]))})
	}
}
