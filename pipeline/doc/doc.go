// Package doc holds the types every part of curate shares: the Document that
// flows through a run, the errors a source reports about one bad record, and
// the Stage contract that filters, taggers and PII scrubbers implement.
//
// It is a leaf package on purpose. DESIGN.md places Document in pipeline, but
// pipeline imports every source and stage to wire a run; if those packages
// imported pipeline back for Document, Go would refuse the cycle. Keeping the
// shared vocabulary here lets dependencies point down as the design intends.
package doc

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Document is one unit of text in the corpus, as written to curated Parquet.
type Document struct {
	// ID is stable and unique: "<source>/<input file>/<record id>".
	ID string
	// Source is the source's name in the config.
	Source string
	// Text is UTF-8, NFC-normalised, without NUL bytes, with "\n" line ends.
	Text string
	// URL is where the text came from, if known.
	URL string
	// Language is an ISO 639-1 code ("en"), "code:<lang>" for source code,
	// or "und" when unknown.
	Language      string
	LanguageScore float32
	// TokenCount is filled by the tokenize phase; 0 until then.
	TokenCount int64
	// Meta holds source-specific fields: title, author, license, path, ...
	Meta map[string]string

	// Scratch is working memory that consecutive stages may share while
	// this document passes through them (e.g. one word split of Text used
	// by two filters), because a Stage may not keep per-document state of
	// its own. It is not part of the document: never written to Parquet,
	// never read by the pipeline. A stage that reads it must check that it
	// was computed from the current Text and ignore it otherwise.
	Scratch any `json:"-"`
}

// SetMeta sets a meta key, allocating the map on first use; empty values are
// not stored so that Parquet rows do not fill up with blank keys.
func (d *Document) SetMeta(key, value string) {
	if value == "" {
		return
	}
	if d.Meta == nil {
		d.Meta = make(map[string]string, 4)
	}
	d.Meta[key] = value
}

// RecordError reports one bad record inside an otherwise readable input. A
// reader that returns a *RecordError can be asked for the next record: the
// input goes on. Any other error from a reader ends that input.
type RecordError struct {
	File   string // input path or URL
	Record string // record id, page id, "line 12", ... ("" if unknown)
	Offset int64  // byte offset of the record in the (decompressed) input, -1 if unknown
	Err    error
}

func (e *RecordError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Record != "" {
		b.WriteString(": ")
		b.WriteString(e.Record)
	}
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " (offset %d)", e.Offset)
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *RecordError) Unwrap() error { return e.Err }

// Reader yields the documents of one input, one at a time, in the style of
// archive/tar: Next returns io.EOF after the last document. A *RecordError
// means one record was skipped and Next may be called again; any other error
// is final for this input (everything returned before it stands).
type Reader interface {
	Next() (*Document, error)
	Close() error
}

// Stage inspects and may rewrite a document. It returns "" to keep the
// document, or the name of the rule that drops it; the pipeline counts drops
// (documents and characters) per source and per rule. Changes a stage makes
// without dropping (a PII replacement, a line removed) are counted through c.
// A Stage is called from many goroutines at once, so it must not keep
// per-document state outside the document; consecutive stages that want to
// share work on one document use Document.Scratch, which the pipeline
// clears after the last stage.
type Stage interface {
	Name() string
	Apply(d *Document, c Counter) (dropRule string)
}

// Counter receives named counts from a stage, e.g. ("pii.email", 2). The
// pipeline keeps one per task and source and sums them into the run's stats.
type Counter interface {
	Add(name string, n int64)
}

// Counts is a plain Counter, handy for tests and single-goroutine callers.
type Counts map[string]int64

// Add implements Counter.
func (c Counts) Add(name string, n int64) { c[name] += n }

// ReadAll drains r the way the pipeline does: it returns the documents, the
// records skipped with a *RecordError, and the error that ended the input
// (nil at io.EOF). It does not close r.
func ReadAll(r Reader) (docs []*Document, skipped []*RecordError, err error) {
	for {
		d, err := r.Next()
		if err == io.EOF {
			return docs, skipped, nil
		}
		var re *RecordError
		if errors.As(err, &re) {
			skipped = append(skipped, re)
			continue
		}
		if err != nil {
			return docs, skipped, err
		}
		docs = append(docs, d)
	}
}
