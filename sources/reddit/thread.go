package reddit

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// Thread assembly joins submissions (RS_ files) with their comments (RC_
// files) by link_id. A month of comments does not fit in memory, so records
// are first spilled, as their raw JSON lines, into bucket files by
// hash(link_id); then each bucket (about ThreadMemory bytes) is loaded,
// grouped into threads and emitted. Every thread lands in exactly one bucket,
// so memory is bounded by the largest bucket, not by the month. Buckets and
// threads within a bucket are emitted in a fixed order, so output is
// deterministic.

var monthFile = regexp.MustCompile(`^R([CS])_(.+)$`)

// partner returns the RC_ file that goes with an RS_ file, or "".
func partner(path string) string {
	m := monthFile.FindStringSubmatch(filepath.Base(path))
	if m == nil || m[1] != "S" {
		return ""
	}
	return filepath.Join(filepath.Dir(path), "RC_"+m[2])
}

// threadUnits makes one unit per month: the RS_ file, with its RC_ partner
// read alongside. An RC_ file whose RS_ file is not among the inputs is a
// unit of its own (threads without their submission).
func threadUnits(inputs []sources.Input) []sources.Unit {
	have := map[string]bool{}
	for _, in := range inputs {
		have[in.Path] = true
	}
	var units []sources.Unit
	for _, in := range inputs {
		m := monthFile.FindStringSubmatch(filepath.Base(in.Path))
		if m != nil && m[1] == "C" && have[filepath.Join(filepath.Dir(in.Path), "RS_"+m[2])] {
			continue
		}
		units = append(units, sources.Unit{Input: in, End: -1})
	}
	return units
}

// compressionRatio estimates decompressed size from compressed size when
// choosing the number of buckets (Pushshift files range from 5× to 18×).
const compressionRatio = 12

func (s *Source) openThreads(u sources.Unit) (doc.Reader, error) {
	files := []string{u.Input.Path}
	if p := partner(u.Input.Path); p != "" {
		if _, err := os.Stat(p); err == nil {
			files = append(files, p)
		}
	}
	var size int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("reddit threads: %w", err)
		}
		size += st.Size()
	}
	nb := int(min(4096, size*compressionRatio/s.opts.ThreadMemory+1))
	t := &threadReader{src: s, name: u.Input.Path, memory: u.Memory, counts: doc.Counts{}}
	if nb == 1 {
		t.mem = [][]byte{}
	} else {
		dir, err := os.MkdirTemp(s.opts.TempDir, "curate-reddit-threads-")
		if err != nil {
			return nil, fmt.Errorf("reddit threads: %w", err)
		}
		t.dir = dir
	}
	if err := t.spill(files, nb); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// threadReader yields one document per thread, bucket by bucket.
type threadReader struct {
	src     *Source
	name    string
	dir     string   // bucket files, when spilling
	mem     [][]byte // the lines themselves, when one bucket suffices
	memory  sources.MemoryGrant
	buckets []string
	next    int
	pending []*doc.Document
	errs    []error // record errors met while spilling, reported first
	counts  doc.Counts
	p       fastjson.Parser
}

// Counts returns the records and threads dropped by rule.
func (t *threadReader) Counts() doc.Counts { return t.counts }

func (t *threadReader) spill(files []string, nb int) error {
	var ws []*bufio.Writer
	var fs []*os.File
	for i := range nb {
		if t.mem != nil {
			break
		}
		p := filepath.Join(t.dir, fmt.Sprintf("bucket-%05d.ndjson", i))
		f, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("reddit threads: %w", err)
		}
		fs = append(fs, f)
		ws = append(ws, bufio.NewWriterSize(f, 64<<10))
		t.buckets = append(t.buckets, p)
	}
	if t.mem != nil {
		t.buckets = []string{""}
	}
	for _, path := range files {
		st, err := sources.OpenUnit(sources.Unit{Input: sources.Input{Path: path, Size: -1}, End: -1, Memory: t.memory})
		if err != nil {
			return err
		}
		lr := newLineReader(st)
		for {
			line, n, off, err := lr.next()
			if err == io.EOF {
				break
			}
			if err == errLineTooLong {
				t.errs = append(t.errs, &doc.RecordError{File: path, Record: "line " + strconv.Itoa(n), Offset: off, Err: err})
				continue
			}
			if err != nil {
				st.Close()
				return fmt.Errorf("%w (after line %d)", err, n)
			}
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			v, err := t.p.ParseBytes(line)
			var rec *record
			if err == nil {
				rec, err = decodeRecord(v)
			} else {
				err = fmt.Errorf("malformed JSON: %w", err)
			}
			if err != nil {
				t.errs = append(t.errs, &doc.RecordError{File: path, Record: "line " + strconv.Itoa(n), Offset: off, Err: err})
				continue
			}
			if t.mem != nil {
				t.mem = append(t.mem, append([]byte(nil), line...))
				continue
			}
			h := fnv.New64a()
			h.Write([]byte(rec.linkID))
			w := ws[h.Sum64()%uint64(nb)]
			w.Write(line)
			w.WriteByte('\n')
		}
		st.Close()
	}
	for i, w := range ws {
		if err := w.Flush(); err != nil {
			return fmt.Errorf("reddit threads: %w", err)
		}
		if err := fs[i].Close(); err != nil {
			return fmt.Errorf("reddit threads: %w", err)
		}
	}
	return nil
}

// Next returns the next thread.
func (t *threadReader) Next() (*doc.Document, error) {
	for {
		if len(t.errs) > 0 {
			e := t.errs[0]
			t.errs = t.errs[1:]
			return nil, e
		}
		if len(t.pending) > 0 {
			d := t.pending[0]
			t.pending = t.pending[1:]
			return d, nil
		}
		if t.next >= len(t.buckets) {
			return nil, io.EOF
		}
		if err := t.load(t.next); err != nil {
			return nil, err
		}
		t.next++
	}
}

// thread is one submission (possibly missing) and its comments.
type thread struct {
	linkID   string
	sub      *record
	comments []*record
}

// load reads one bucket and renders its threads.
func (t *threadReader) load(i int) error {
	lines := t.mem
	if t.mem == nil {
		b, err := os.ReadFile(t.buckets[i])
		if err != nil {
			return fmt.Errorf("reddit threads: %w", err)
		}
		os.Remove(t.buckets[i])
		for len(b) > 0 {
			j := bytes.IndexByte(b, '\n')
			if j < 0 {
				j = len(b)
			}
			lines = append(lines, b[:j])
			b = b[min(j+1, len(b)):]
		}
	}
	byLink := map[string]*thread{}
	for _, line := range lines {
		v, err := t.p.ParseBytes(line)
		if err != nil {
			continue // checked when spilled
		}
		rec, err := decodeRecord(v)
		if err != nil {
			continue
		}
		th := byLink[rec.linkID]
		if th == nil {
			th = &thread{linkID: rec.linkID}
			byLink[rec.linkID] = th
		}
		if rec.submission {
			th.sub = rec
		} else {
			th.comments = append(th.comments, rec)
		}
	}
	t.mem = nil
	threads := make([]*thread, 0, len(byLink))
	for _, th := range byLink {
		threads = append(threads, th)
	}
	slices.SortFunc(threads, func(a, b *thread) int { return cmp.Compare(a.linkID, b.linkID) })
	for _, th := range threads {
		if d := t.render(th); d != nil {
			t.pending = append(t.pending, d)
		}
	}
	return nil
}

// render writes a thread in tree order: the submission, then each comment
// followed by its replies, siblings oldest first. Comments the filters drop
// are left out but their replies stay; replies whose parent is not in the
// dump hang from the submission.
func (t *threadReader) render(th *thread) *doc.Document {
	if th.sub != nil {
		if rule := t.src.drop(th.sub); rule != "" {
			t.counts.Add("reddit.thread_"+rule, 1)
			return nil
		}
	}
	ids := map[string]bool{}
	for _, c := range th.comments {
		ids["t1_"+c.id] = true
	}
	children := map[string][]*record{}
	for _, c := range th.comments {
		p := c.parentID
		if !ids[p] {
			p = th.linkID
		}
		children[p] = append(children[p], c)
	}
	for _, cs := range children {
		slices.SortFunc(cs, func(a, b *record) int {
			return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.id, b.id))
		})
	}
	var b strings.Builder
	if th.sub != nil {
		b.WriteString(th.sub.text())
	}
	kept := 0
	// An explicit stack: threads can be thousands of replies deep.
	stack := slices.Clone(children[th.linkID])
	slices.Reverse(stack)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if rule := t.src.drop(c); rule != "" {
			t.counts.Add("reddit."+rule, 1)
		} else {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(c.text())
			kept++
		}
		kids := children["t1_"+c.id]
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
	if b.Len() == 0 {
		t.counts.Add("reddit.thread_empty", 1)
		return nil
	}
	d := &doc.Document{ID: th.linkID, Text: b.String()}
	if th.sub != nil {
		th.sub.meta(d)
		d.SetMeta("kind", "thread")
		if th.sub.permalink != "" {
			d.URL = "https://www.reddit.com" + th.sub.permalink
		}
	} else {
		d.SetMeta("kind", "thread")
		d.SetMeta("link_id", th.linkID)
		if len(th.comments) > 0 {
			d.SetMeta("subreddit", th.comments[0].subreddit)
		}
	}
	d.SetMeta("comments", strconv.Itoa(kept))
	return d
}

// Close removes the spill files.
func (t *threadReader) Close() error {
	if t.dir != "" {
		return os.RemoveAll(t.dir)
	}
	return nil
}
