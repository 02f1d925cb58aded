// Package reddit reads Reddit dumps in the Pushshift layout: monthly
// RC_YYYY-MM.zst (comments) and RS_YYYY-MM.zst (submissions) files of
// newline-delimited JSON, zstd-compressed with a 2 GiB window, and the same
// NDJSON plain or compressed otherwise.
//
// Records are filtered as WebText-style corpora do (score, deleted and
// removed text, bots, NSFW, length), and submissions become title +
// selftext, comments their body. With threads on, each submission and its
// comments become one document in tree order (see thread.go). WebTextURLs
// writes the outbound links of well-scored submissions as a URL allow-list.
package reddit

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// NSFW handling.
const (
	NSFWKeep = "keep"
	NSFWDrop = "drop"
)

// Options configure the Reddit source (YAML key `reddit` of a source).
type Options struct {
	// MinScore drops records scoring below it. 3 is WebText's karma rule.
	MinScore int `yaml:"min_score"`
	// KeepDeleted keeps records whose text is "[deleted]" or "[removed]"
	// (only useful to count them; the text is not content).
	KeepDeleted bool `yaml:"keep_deleted"`
	// DropBots drops records by AutoModerator and the accounts in Bots.
	DropBots bool `yaml:"drop_bots"`
	// Bots lists further bot account names to drop (case-insensitive).
	Bots []string `yaml:"bots"`
	// NSFW says what to do with over_18 records: "keep" (tagged with meta
	// over_18=true) or "drop".
	NSFW string `yaml:"nsfw"`
	// MinChars drops records whose text has fewer characters.
	MinChars int `yaml:"min_chars"`
	// Threads assembles each submission and its comments, in tree order,
	// into one document. Needs the RS_ and RC_ files of a month side by side
	// in the inputs; records are spilled to temporary files by thread so
	// memory stays bounded (ThreadMemory).
	Threads bool `yaml:"threads"`
	// ThreadMemory bounds the bytes of records held at once while
	// assembling threads; a month is split into that many-sized buckets.
	ThreadMemory int64 `yaml:"thread_memory"`
	// TempDir holds thread spill files; empty means the system default.
	TempDir string `yaml:"temp_dir"`
	// ParseWorkers is how many goroutines parse the JSON of one file while
	// another decompresses it; 0 means one per CPU.
	ParseWorkers int `yaml:"parse_workers"`
}

// DefaultOptions are the defaults the YAML decoder starts from.
func DefaultOptions() Options {
	return Options{
		MinScore:     3,
		DropBots:     true,
		NSFW:         NSFWKeep,
		ThreadMemory: 256 << 20,
	}
}

// UnmarshalYAML fills unset fields with defaults while keeping the strict
// decoder's unknown-key checks (old-style unmarshaler on purpose).
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	if o.NSFW != NSFWKeep && o.NSFW != NSFWDrop {
		return fmt.Errorf("reddit: nsfw must be keep or drop, not %q", o.NSFW)
	}
	if o.ParseWorkers < 0 {
		return fmt.Errorf("reddit: parse_workers %d must be 0 (one per CPU) or more", o.ParseWorkers)
	}
	if o.MinChars < 0 {
		return fmt.Errorf("reddit: min_chars %d must not be negative", o.MinChars)
	}
	if o.Threads && o.ThreadMemory < 1<<20 {
		return fmt.Errorf("reddit: thread_memory %d is too small (at least 1 MiB)", o.ThreadMemory)
	}
	return nil
}

// Source reads Reddit dumps; it implements sources.Kind.
type Source struct {
	opts Options
	bots map[string]bool
}

var _ sources.Kind = (*Source)(nil)

// New builds a Source from validated options.
func New(opts Options) (*Source, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Source{opts: opts, bots: map[string]bool{}}
	if opts.DropBots {
		s.bots["automoderator"] = true
		for _, b := range opts.Bots {
			s.bots[strings.ToLower(strings.TrimSpace(b))] = true
		}
	}
	return s, nil
}

// Units gives one unit per file; with threads, one per month (the RS_ file
// leads, its RC_ partner is read with it).
func (s *Source) Units(inputs []sources.Input) ([]sources.Unit, error) {
	if s.opts.Threads {
		return threadUnits(inputs), nil
	}
	return sources.WholeFile(inputs), nil
}

// Open starts reading one unit.
func (s *Source) Open(u sources.Unit) (doc.Reader, error) {
	if s.opts.Threads {
		return s.openThreads(u)
	}
	st, err := sources.OpenUnit(u)
	if err != nil {
		return nil, err
	}
	return newReader(s, u.Input.Path, st), nil
}

// Reader yields the kept records of one file. A month of comments is one
// zstd stream, so one file is one unit; to use more than one core on it,
// lines are cut into batches that ParseWorkers goroutines parse and filter
// while the reading goroutine decompresses, and batches come back in order.
type Reader struct {
	path   string
	closer io.Closer
	queue  chan chan batchResult
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup

	cur    []item
	final  error
	counts doc.Counts
}

// InputOffset is how many raw input bytes have been read, for progress.
func (r *Reader) InputOffset() int64 {
	if s, ok := r.closer.(*sources.Stream); ok {
		return s.CompressedOffset()
	}
	return 0
}

// item is one line's outcome: a document or a record error.
type item struct {
	d   *doc.Document
	err error
}

type batchResult struct {
	items  []item
	counts doc.Counts
	final  error // a stream error after the batch's lines
}

// batchBytes is the size of the line batches handed to parse workers: large
// enough that channel hand-offs cost nothing, small enough that
// 2×workers of them in flight stay a few MB.
const batchBytes = 1 << 20

type lineRef struct {
	start, end int
	no         int
	off        int64
	tooLong    bool // skipped for its length; no bytes kept
}

type batch struct {
	data  []byte
	lines []lineRef
	final error
	out   chan batchResult
}

func newReader(s *Source, path string, in io.ReadCloser) *Reader {
	workers := s.opts.ParseWorkers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	r := &Reader{path: path, closer: in, counts: doc.Counts{},
		queue: make(chan chan batchResult, 2*workers), done: make(chan struct{})}
	jobs := make(chan *batch)
	// Batch buffers are recycled: allocating a fresh megabyte per batch
	// keeps the GC running, and fastjson's pointer-rich parse trees then
	// pay write barriers (measured: twice the CPU per file).
	free := make(chan *batch, 2*workers+1)
	for range workers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			var p fastjson.Parser
			for b := range jobs {
				res := s.parseBatch(&p, path, b) // documents copy what they keep
				b.out <- res                     // buffered: never blocks
				select {
				case free <- b:
				default:
				}
			}
		}()
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(r.queue)
		defer close(jobs)
		lr := newLineReader(in)
		for {
			var b *batch
			select {
			case b = <-free:
				b.data, b.lines, b.final = b.data[:0], b.lines[:0], nil
			default:
				b = &batch{data: make([]byte, 0, batchBytes+64<<10)}
			}
			b.out = make(chan batchResult, 1)
			for len(b.data) < batchBytes {
				line, no, off, err := lr.next()
				if err == errLineTooLong {
					b.lines = append(b.lines, lineRef{len(b.data), len(b.data), no, off, true})
					continue
				}
				if err != nil {
					if err != io.EOF {
						b.final = fmt.Errorf("%w (after line %d)", err, no)
					}
					break
				}
				b.lines = append(b.lines, lineRef{len(b.data), len(b.data) + len(line), no, off, false})
				b.data = append(b.data, line...)
			}
			if len(b.lines) == 0 && b.final == nil {
				return
			}
			// Decided before the hand-over: a worker may recycle b after.
			last := b.final != nil || len(b.data) < batchBytes
			select {
			case r.queue <- b.out:
			case <-r.done:
				return
			}
			select {
			case jobs <- b:
			case <-r.done:
				return
			}
			if last {
				return
			}
		}
	}()
	return r
}

// parseBatch turns a batch of lines into documents, record errors and drop
// counts.
func (s *Source) parseBatch(p *fastjson.Parser, path string, b *batch) batchResult {
	res := batchResult{counts: doc.Counts{}, final: b.final}
	for _, l := range b.lines {
		if l.tooLong {
			res.items = append(res.items, item{err: &doc.RecordError{File: path, Record: "line " + strconv.Itoa(l.no), Offset: l.off, Err: errLineTooLong}})
			continue
		}
		line := bytes.TrimSpace(b.data[l.start:l.end])
		if len(line) == 0 {
			continue
		}
		v, err := p.ParseBytes(line)
		var rec *record
		if err == nil {
			rec, err = decodeRecord(v)
		} else {
			err = fmt.Errorf("malformed JSON: %w", err)
		}
		if err != nil {
			res.items = append(res.items, item{err: &doc.RecordError{File: path, Record: "line " + strconv.Itoa(l.no), Offset: l.off, Err: err}})
			continue
		}
		if rule := s.drop(rec); rule != "" {
			res.counts.Add("reddit."+rule, 1)
			continue
		}
		res.items = append(res.items, item{d: rec.document()})
	}
	return res
}

// Counts returns how many records each source-level filter dropped
// ("reddit.score", "reddit.deleted", "reddit.bot", "reddit.nsfw",
// "reddit.short", "reddit.empty") among the records returned so far, for the
// run's report.
func (r *Reader) Counts() doc.Counts { return r.counts }

// Next returns the next kept record.
func (r *Reader) Next() (*doc.Document, error) {
	for len(r.cur) == 0 {
		if r.final != nil {
			err := r.final
			r.final = io.EOF
			return nil, err
		}
		out, ok := <-r.queue
		if !ok {
			r.final = io.EOF
			continue
		}
		res := <-out
		for k, v := range res.counts {
			r.counts[k] += v
		}
		r.cur, r.final = res.items, res.final
	}
	it := r.cur[0]
	r.cur = r.cur[1:]
	if it.err != nil {
		return nil, it.err
	}
	return it.d, nil
}

// Close stops the workers and releases the input.
func (r *Reader) Close() error {
	r.once.Do(func() { close(r.done) })
	// Drain so the reading goroutine and workers finish before the input
	// (and its pooled decoder) is released.
	go func() {
		for out := range r.queue {
			<-out
		}
	}()
	r.wg.Wait()
	return r.closer.Close()
}

// record is the part of a comment or submission curate uses.
type record struct {
	submission bool
	id         string // without the t1_/t3_ prefix
	parentID   string // fullname, comments only
	linkID     string // fullname of the submission
	author     string
	subreddit  string
	score      int64
	created    int64
	edited     string
	over18     bool
	permalink  string
	title      string
	body       string // comment body or submission selftext
	url        string // submission link target
	isSelf     bool
	domain     string
}

// decodeRecord reads a record whatever the year of its schema: numbers as
// int, float or string, edited as bool or timestamp, _meta ignored. It
// visits the object's keys once: 2024 records carry over 100 keys, and
// looking each wanted key up separately would scan them fifteen times.
func decodeRecord(v *fastjson.Value) (*record, error) {
	o, err := v.Object()
	if err != nil {
		return nil, fmt.Errorf("expected a JSON object, found %s", v.Type())
	}
	r := &record{}
	var created, score, edited *fastjson.Value
	var hasTitle, hasBody bool
	var name string
	o.Visit(func(k []byte, f *fastjson.Value) {
		switch string(k) { // no allocation: the compiler matches []byte keys in place
		case "id":
			r.id = str(f)
		case "author":
			r.author = str(f)
		case "subreddit":
			r.subreddit = str(f)
		case "permalink":
			r.permalink = str(f)
		case "created_utc":
			created = f
		case "score":
			score = f
		case "edited":
			edited = f
		case "over_18":
			r.over18 = f.Type() == fastjson.TypeTrue
		case "name":
			name = str(f)
		case "title":
			hasTitle = true
			r.title = str(f)
		case "selftext", "body":
			hasBody = hasBody || string(k) == "body"
			r.body = str(f)
		case "url":
			r.url = str(f)
		case "is_self":
			r.isSelf = f.Type() == fastjson.TypeTrue
		case "domain":
			r.domain = str(f)
		case "link_id":
			r.linkID = str(f)
		case "parent_id":
			r.parentID = str(f)
		}
	})
	if r.id == "" {
		return nil, errors.New(`record has no "id"`)
	}
	var ok bool
	if r.created, ok = num(created); !ok {
		return nil, fmt.Errorf("record %s: created_utc %s is not a time", r.id, created)
	}
	r.score, _ = num(score)
	switch {
	case edited == nil || edited.Type() == fastjson.TypeFalse || edited.Type() == fastjson.TypeNull:
	case edited.Type() == fastjson.TypeTrue:
		r.edited = "true"
	default:
		if t, ok := num(edited); ok && t > 0 {
			r.edited = rfc3339(t)
		}
	}
	if hasTitle || strings.HasPrefix(name, "t3_") {
		r.submission = true
		r.linkID = "t3_" + r.id
		r.parentID = ""
	} else {
		if !hasBody {
			return nil, fmt.Errorf("record %s has neither body nor title", r.id)
		}
		r.url, r.isSelf, r.domain = "", false, ""
	}
	if r.permalink == "" && r.subreddit != "" && strings.HasPrefix(r.linkID, "t3_") {
		// Comments before 2017 carry no permalink; this is its form.
		r.permalink = "/r/" + r.subreddit + "/comments/" + r.linkID[3:] + "/_/"
		if !r.submission {
			r.permalink += r.id + "/"
		}
	}
	return r, nil
}

func str(f *fastjson.Value) string {
	switch f.Type() {
	case fastjson.TypeString:
		b, _ := f.StringBytes()
		return string(b)
	case fastjson.TypeNumber:
		return f.String()
	}
	return ""
}

// num reads an integer given as a JSON int, float or string.
func num(f *fastjson.Value) (int64, bool) {
	if f == nil {
		return 0, false
	}
	switch f.Type() {
	case fastjson.TypeNumber:
		x, err := f.Float64()
		if err != nil || math.IsNaN(x) {
			return 0, false
		}
		return int64(x), true
	case fastjson.TypeString:
		b, _ := f.StringBytes()
		x, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
		if err != nil {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}

func rfc3339(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }

func isDeleted(s string) bool { return s == "[deleted]" || s == "[removed]" }

// text is what a record contributes: title + selftext, or the body.
func (r *record) text() string {
	body := r.body
	if isDeleted(body) {
		body = ""
	}
	body = unescapeMarkdown(strings.TrimSpace(body))
	if !r.submission {
		return body
	}
	title := unescapeMarkdown(strings.TrimSpace(r.title))
	if body == "" {
		return title
	}
	return title + "\n\n" + body
}

// drop returns the name of the rule that drops a record, or "".
func (s *Source) drop(r *record) string {
	switch {
	case r.score < int64(s.opts.MinScore):
		return "score"
	case !s.opts.KeepDeleted && (isDeleted(r.body) || isDeleted(r.title)):
		// A removed self post keeps only its title: moderators removed it.
		return "deleted"
	case s.bots[strings.ToLower(r.author)]:
		return "bot"
	case r.over18 && s.opts.NSFW == NSFWDrop:
		return "nsfw"
	}
	t := r.text()
	if t == "" {
		return "empty"
	}
	if s.opts.MinChars > 0 && utf8.RuneCountInString(t) < s.opts.MinChars {
		return "short"
	}
	return ""
}

// fullname is the record's Reddit fullname, its document id.
func (r *record) fullname() string {
	if r.submission {
		return "t3_" + r.id
	}
	return "t1_" + r.id
}

func (r *record) document() *doc.Document {
	d := &doc.Document{ID: r.fullname(), Text: r.text()}
	if r.permalink != "" {
		d.URL = "https://www.reddit.com" + r.permalink
	}
	r.meta(d)
	return d
}

func (r *record) meta(d *doc.Document) {
	d.SetMeta("subreddit", r.subreddit)
	d.SetMeta("author", r.author)
	d.SetMeta("score", strconv.FormatInt(r.score, 10))
	d.SetMeta("created", rfc3339(r.created))
	d.SetMeta("permalink", r.permalink)
	d.SetMeta("link_id", r.linkID)
	d.SetMeta("edited", r.edited)
	if r.submission {
		d.SetMeta("kind", "submission")
		d.SetMeta("title", unescapeMarkdown(r.title))
		if !r.isSelf {
			d.SetMeta("link_url", html.UnescapeString(r.url))
		}
	} else {
		d.SetMeta("kind", "comment")
		d.SetMeta("parent_id", r.parentID)
	}
	if r.over18 {
		d.SetMeta("over_18", "true")
	}
}

// lineReader splits a stream into lines of any length, counting lines and
// decompressed byte offsets for error messages.
type lineReader struct {
	r    io.Reader
	buf  []byte
	pos  int
	base int64
	line int
	eof  bool
	err  error
	// max bounds a line; a longer one is let go as it is read.
	max int
}

// MaxLineBytes bounds one line of a dump. Pushshift records are at most a
// few hundred KB (a 40,000-character selftext with its metadata); a longer
// line is corrupt, or two files run together, and is skipped and reported
// instead of buffered whole.
const MaxLineBytes = 16 << 20

// errLineTooLong marks a line skipped for its length; the reader goes on.
var errLineTooLong = fmt.Errorf("line longer than %d MiB: skipped", MaxLineBytes>>20)

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, 0, 1<<20), max: MaxLineBytes}
}

// next returns the next line (without '\n'), its number and offset. The
// slice is valid until the next call. A line past max comes back as
// errLineTooLong with its number and offset, and reading can go on.
func (l *lineReader) next() ([]byte, int, int64, error) {
	from := l.pos
	skipFrom := int64(-1) // offset of a too-long line being let go
	for {
		if i := bytes.IndexByte(l.buf[from:], '\n'); i >= 0 {
			start := l.pos
			end := from + i
			l.pos = end + 1
			l.line++
			if skipFrom >= 0 {
				return nil, l.line, skipFrom, errLineTooLong
			}
			return l.buf[start:end], l.line, l.base + int64(start), nil
		}
		if skipFrom < 0 && len(l.buf)-l.pos > l.max {
			skipFrom = l.base + int64(l.pos)
		}
		if skipFrom >= 0 {
			// Let the line's bytes go; only its end is looked for.
			l.base += int64(len(l.buf))
			l.buf, l.pos, from = l.buf[:0], 0, 0
			if l.eof || l.err != nil {
				l.line++
				return nil, l.line, skipFrom, errLineTooLong
			}
		}
		if l.eof || l.err != nil {
			if l.pos < len(l.buf) {
				start := l.pos
				l.pos = len(l.buf)
				l.line++
				if l.err != nil {
					// A cut stream: the last, partial line is not a record.
					return nil, l.line - 1, l.base + int64(start), l.err
				}
				return l.buf[start:], l.line, l.base + int64(start), nil
			}
			if l.err != nil {
				return nil, l.line, l.base + int64(l.pos), l.err
			}
			return nil, l.line, l.base + int64(l.pos), io.EOF
		}
		from = len(l.buf)
		if l.pos > 0 {
			n := copy(l.buf, l.buf[l.pos:])
			l.base += int64(l.pos)
			from -= l.pos
			l.buf = l.buf[:n]
			l.pos = 0
		}
		if cap(l.buf)-len(l.buf) < 64<<10 {
			nb := make([]byte, len(l.buf), 2*cap(l.buf))
			copy(nb, l.buf)
			l.buf = nb
		}
		n, err := l.r.Read(l.buf[len(l.buf):cap(l.buf)])
		l.buf = l.buf[:len(l.buf)+n]
		if err == io.EOF {
			l.eof = true
		} else if err != nil {
			l.err = err
		}
	}
}
