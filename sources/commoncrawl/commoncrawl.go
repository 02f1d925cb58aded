// Package commoncrawl reads Common Crawl WARC and WET files (and other
// crawlers' WARCs: wget, Heritrix, ClueWeb09) into documents. HTML responses
// are decoded (chunking, gzip, charset to UTF-8) and their main text is
// extracted by package extract: its own one-pass extractor ("fast", the
// default) or go-trafilatura, the boilerplate remover FineWeb uses; WET
// conversion records are taken as text directly. Inputs may be local files
// or http(s) URLs.
//
// Records are read by a small WARC reader of this package (warc.go says why
// not github.com/nlnwa/gowarc/v3): WARC/1.0, 1.1, 0.17 and 0.18, plain or
// gzip per record, each record's byte offset known, so a truncated file is
// reported where it broke after every complete record before it.
package commoncrawl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"strings"
	"time"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
	"github.com/curate-dev/curate/sources/commoncrawl/extract"
)

// Source is the Common Crawl source kind. It is built once and is safe for
// concurrent Open calls.
type Source struct {
	opts  Options
	block *blockList
	allow *allowList
	x     extract.Extractor
}

// New builds the source from its options. baseDir resolves relative list
// paths (the config file's directory).
func New(o Options, baseDir string) (*Source, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	x, err := extract.New(o.Extractor, o.extractOptions())
	if err != nil {
		return nil, fmt.Errorf("commoncrawl: %w", err)
	}
	s := &Source{opts: o, x: extract.Limited(x, extract.Limits{MaxBytes: o.MaxHTMLBytes, Timeout: o.ExtractTimeout})}
	resolve := func(p string) string {
		if p == "" || sources.IsURL(p) || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(baseDir, p)
	}
	if o.BlockList != "" {
		if s.block, err = loadBlockList(resolve(o.BlockList)); err != nil {
			return nil, fmt.Errorf("commoncrawl block_list: %w", err)
		}
	}
	if o.AllowList != "" {
		if s.allow, err = loadAllowList(resolve(o.AllowList)); err != nil {
			return nil, fmt.Errorf("commoncrawl allow_list: %w", err)
		}
	}
	return s, nil
}

// Units reads each WARC whole: per-record gzip could be split at member
// boundaries, but finding them needs a CDX index that inputs lack. A
// Common Crawl paths file (*.paths, *.paths.gz, local or a URL) becomes one
// unit per WARC/WET it lists, in its order.
func (s *Source) Units(inputs []sources.Input) ([]sources.Unit, error) {
	var expanded []sources.Input
	for _, in := range inputs {
		if !isPathsFile(in.Path) {
			expanded = append(expanded, in)
			continue
		}
		n := 0
		err := eachLine(in.Path, func(line string, _ int) error {
			if s.opts.MaxPaths > 0 && n >= s.opts.MaxPaths {
				return nil
			}
			n++
			u := line
			if !sources.IsURL(u) {
				if s.opts.PathsPrefix == "" {
					return fmt.Errorf("relative path %q and no paths_prefix", line)
				}
				u = strings.TrimSuffix(s.opts.PathsPrefix, "/") + "/" + strings.TrimPrefix(line, "/")
			}
			expanded = append(expanded, sources.Input{Path: u, Size: -1})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("commoncrawl paths file: %w", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("commoncrawl paths file %s lists no files", in.Path)
		}
	}
	return sources.WholeFile(expanded), nil
}

func isPathsFile(p string) bool {
	n := strings.ToLower(sources.BaseName(p))
	return strings.HasSuffix(n, ".paths") || strings.HasSuffix(n, ".paths.gz")
}

// Open starts reading one WARC/WET file or URL.
func (s *Source) Open(u sources.Unit) (doc.Reader, error) {
	return s.OpenReader(u)
}

// OpenReader is Open with the concrete type, whose Stats the pipeline can
// read after the input is done.
func (s *Source) OpenReader(u sources.Unit) (*Reader, error) {
	path := u.Input.Path
	raw, err := sources.OpenRaw(path, u.Start, u.End)
	if err != nil {
		return nil, err
	}
	// The WARC reader handles plain and gzip itself, counting raw offsets;
	// other compressions are unwrapped first (offsets then count
	// decompressed bytes).
	br := bufio.NewReaderSize(raw, 64<<10)
	var in io.Reader = br
	magic, _ := br.Peek(6)
	var st *sources.Stream
	if c := sources.Detect(magic); c != sources.Plain && c != sources.Gzip {
		if st, err = sources.NewStream(path, br); err != nil {
			raw.Close()
			return nil, err
		}
		in = st
	}
	wr, err := newWarcReader(in, u.Start)
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Reader{src: s, path: path, raw: raw, st: st, wr: wr, stats: doc.Counts{}}, nil
}

// Reader yields the documents of one WARC or WET input.
type Reader struct {
	src   *Source
	path  string
	raw   io.Closer
	st    *sources.Stream
	wr    *warcReader
	crawl string
	stats doc.Counts
	done  bool
}

// Stats returns counts of records by type ("record.response", ...), of
// documents emitted ("doc.html", "doc.wet") and of records skipped by reason
// ("skip.status", "skip.not_html", "skip.blocked_domain", ...). It is a
// copy; call it after Next returned io.EOF or an error.
func (r *Reader) Stats() doc.Counts { return maps.Clone(r.stats) }

// Next returns the next document. A *doc.RecordError reports one record
// that could not be read (the input goes on); any other error ends it.
func (r *Reader) Next() (*doc.Document, error) {
	for {
		if r.done {
			return nil, io.EOF
		}
		rec, err := r.wr.next()
		if err != nil {
			if err == io.EOF {
				r.done = true
				return nil, io.EOF
			}
			return nil, r.broken(r.wr.errOff, err)
		}
		d, err := r.record(rec)
		if err != nil && !isRecordError(err) {
			return nil, r.broken(rec.offset, err)
		}
		if d != nil || err != nil {
			return d, err
		}
	}
}

// broken handles a read failure in the record or gzip member at off: a
// record error when the reader could move on to the next gzip member, the
// end of the input otherwise.
func (r *Reader) broken(off int64, err error) error {
	if r.wr.resync() {
		what := "gzip member"
		if r.wr.gz == nil {
			what = "record"
		}
		r.stats.Add("skip.bad_member", 1)
		return &doc.RecordError{File: r.path, Record: what, Offset: off,
			Err: fmt.Errorf("damaged, skipped to the next %s at byte %d: %w", what, r.wr.pos(), err)}
	}
	r.done = true
	return r.fatal(off, err)
}

// fatal names the file and the byte offset of the record that broke.
func (r *Reader) fatal(off int64, err error) error {
	what := "corrupt"
	if errors.Is(err, io.ErrUnexpectedEOF) {
		what = "truncated"
	}
	return fmt.Errorf("%s: WARC %s in the record starting at byte offset %d (all records before it were read): %w", r.path, what, off, err)
}

// record turns one WARC record into a document, or nil when it is skipped.
func (r *Reader) record(rec *warcRecord) (*doc.Document, error) {
	typ := strings.ToLower(rec.get("WARC-Type"))
	switch typ {
	case "warcinfo":
		r.stats.Add("record.warcinfo", 1)
		return nil, r.readWarcinfo(rec)
	case "response":
		r.stats.Add("record.response", 1)
	case "conversion":
		r.stats.Add("record.conversion", 1)
		if !r.src.opts.TakeWET {
			r.stats.Add("skip.wet_disabled", 1)
			return nil, nil
		}
	case "metadata":
		// WAT files are metadata records with JSON bodies.
		if strings.HasPrefix(rec.get("Content-Type"), "application/json") {
			r.stats.Add("record.wat", 1)
		} else {
			r.stats.Add("record.metadata", 1)
		}
		return nil, nil
	case "":
		r.stats.Add("skip.bad_record", 1)
		return nil, &doc.RecordError{File: r.path, Record: rec.get("WARC-Record-ID"), Offset: rec.offset, Err: errors.New("record without WARC-Type")}
	default:
		// request, revisit, resource, continuation, ...
		r.stats.Add("record."+typ, 1)
		return nil, nil
	}

	target := strings.TrimSpace(rec.get("WARC-Target-URI"))
	target = strings.TrimSuffix(strings.TrimPrefix(target, "<"), ">")
	id := strings.TrimSuffix(strings.TrimPrefix(rec.get("WARC-Record-ID"), "<"), ">")
	recErr := func(err error) error {
		r.stats.Add("skip.bad_record", 1)
		return &doc.RecordError{File: r.path, Record: id, Offset: rec.offset, Err: err}
	}
	if keep, reason := r.urlAllowed(target); !keep {
		r.stats.Add(reason, 1)
		return nil, nil
	}
	if rec.length > r.src.opts.MaxPageBytes {
		r.stats.Add("skip.too_large", 1)
		return nil, nil
	}
	block := make([]byte, rec.length)
	if _, err := io.ReadFull(rec.block, block); err != nil {
		// A block cut short means the file is: that ends the input.
		return nil, fmt.Errorf("reading block of %d bytes: %w", rec.length, unexpected(err))
	}

	d := &doc.Document{ID: id, URL: target}
	d.SetMeta("warc_record_id", id)
	d.SetMeta("date", warcDate(rec.get("WARC-Date")))
	d.SetMeta("crawl", r.crawl)

	if typ == "conversion" {
		text, name := toUTF8(block, charsetParam(rec.get("Content-Type")))
		d.Text = strings.TrimSpace(string(text))
		d.SetMeta("content_type", "text/plain")
		d.SetMeta("charset", name)
		d.SetMeta("cc_language", rec.get("WARC-Identified-Content-Language"))
		if d.Text == "" {
			r.stats.Add("skip.no_text", 1)
			return nil, nil
		}
		r.stats.Add("doc.wet", 1)
		return d, nil
	}

	page, err := parseHTTP(block)
	if errors.Is(err, errNotHTTP) {
		r.stats.Add("skip.not_http", 1)
		return nil, nil
	}
	if err != nil {
		return nil, recErr(err)
	}
	if page.status != 200 {
		r.stats.Add("skip.status", 1)
		return nil, nil
	}
	if !isHTML(page) {
		r.stats.Add("skip.not_html", 1)
		return nil, nil
	}
	utf, name := toUTF8(page.body, page.charsetHdr)
	ex, err := r.src.x.Extract(utf, target)
	switch {
	case errors.Is(err, extract.ErrTooLarge):
		r.stats.Add("skip.extract_too_large", 1)
		return nil, nil
	case errors.Is(err, extract.ErrTimeout):
		r.stats.Add("skip.extract_timeout", 1)
		return nil, nil
	case err != nil || ex.Text == "":
		r.stats.Add("skip.no_text", 1)
		return nil, nil
	}
	d.Text = ex.Text
	d.SetMeta("title", ex.Title)
	d.SetMeta("content_type", page.contentType)
	d.SetMeta("charset", name)
	r.stats.Add("doc.html", 1)
	return d, nil
}

// urlAllowed applies the block and allow lists.
func (r *Reader) urlAllowed(target string) (bool, string) {
	if r.src.block != nil {
		host := target
		if i := strings.Index(host, "://"); i >= 0 {
			host = host[i+3:]
		}
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
			host = host[:i]
		}
		if r.src.block.blocked(host) {
			return false, "skip.blocked_domain"
		}
	}
	if r.src.allow != nil && !r.src.allow.allowed(target) {
		return false, "skip.not_allowed"
	}
	return true, ""
}

// readWarcinfo picks the crawl name ("isPartOf: CC-MAIN-2024-22") from a
// warcinfo record's fields.
func (r *Reader) readWarcinfo(rec *warcRecord) error {
	sc := bufio.NewScanner(io.LimitReader(rec.block, 64<<10))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "isPartOf") {
			r.crawl = strings.TrimSpace(v)
		}
	}
	// The rest of the block is skipped by the WARC reader; a read error
	// here is a broken file.
	return unexpectedErr(sc.Err())
}

func unexpectedErr(err error) error {
	if err == nil {
		return nil
	}
	return unexpected(err)
}

func isRecordError(err error) bool {
	var re *doc.RecordError
	return errors.As(err, &re)
}

// warcDate normalises WARC-Date to RFC 3339 UTC; dates that do not parse
// (ClueWeb09 writes "2008-10-294T05:21:46-0700") are kept as written.
func warcDate(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "20060102150405"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return s
}

func charsetParam(ct string) string {
	_, params, _ := mimeParse(ct)
	return params["charset"]
}

// Close releases the input.
func (r *Reader) Close() error {
	if r.st != nil {
		r.st.Close()
	}
	return r.raw.Close()
}
