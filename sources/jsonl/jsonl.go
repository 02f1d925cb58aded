// Package jsonl reads documents from JSON Lines: one JSON object a line
// with a text field, as Dolma, RedPajama and most users' own dumps store
// them. Field names are configurable; other scalar fields go into meta.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// Options names the fields of each JSON object.
type Options struct {
	// TextField holds the document text (required in every record).
	TextField string `yaml:"text_field"`
	// IDField holds a record id; the line number is used when absent.
	IDField string `yaml:"id_field"`
	// URLField holds the document URL, if any.
	URLField string `yaml:"url_field"`
	// MetaFields are copied into meta. Empty means every other top-level
	// string, number or boolean field.
	MetaFields []string `yaml:"meta_fields"`
	// MaxLineBytes bounds one line; longer lines are skipped as bad records.
	MaxLineBytes int `yaml:"max_line_bytes"`
}

// DefaultOptions are the defaults a config starts from.
func DefaultOptions() Options {
	return Options{TextField: "text", IDField: "id", URLField: "url", MaxLineBytes: 64 << 20}
}

// UnmarshalYAML fills defaults before decoding; the old-style signature keeps
// the decoder's unknown-key strictness.
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports impossible settings.
func (o Options) Validate() error {
	if o.TextField == "" {
		return errors.New("text_field must not be empty")
	}
	if o.MaxLineBytes <= 0 {
		return fmt.Errorf("max_line_bytes must be positive, got %d", o.MaxLineBytes)
	}
	return nil
}

// Source is the jsonl source kind.
type Source struct{ opts Options }

// New builds the source.
func New(opts Options) (*Source, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Source{opts: opts}, nil
}

// Units reads each file whole.
func (s *Source) Units(inputs []sources.Input) ([]sources.Unit, error) {
	return sources.WholeFile(inputs), nil
}

// Open starts reading one file.
func (s *Source) Open(u sources.Unit) (doc.Reader, error) {
	st, err := sources.OpenUnit(u)
	if err != nil {
		return nil, err
	}
	return &reader{opts: s.opts, stream: st, br: bufio.NewReaderSize(st, 1<<20)}, nil
}

type reader struct {
	opts   Options
	stream *sources.Stream
	br     *bufio.Reader
	line   int
	offset int64
	long   []byte
}

func (r *reader) Close() error { return r.stream.Close() }

// InputOffset is how many raw input bytes have been read, for progress.
func (r *reader) InputOffset() int64 { return r.stream.CompressedOffset() }

// readLine returns the next line without its newline. A line longer than
// MaxLineBytes is drained and reported, never buffered whole.
func (r *reader) readLine() (line []byte, tooLong bool, err error) {
	r.long = r.long[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(r.long)+len(chunk) > r.opts.MaxLineBytes {
			tooLong = true
			r.long = r.long[:0]
		} else if !tooLong {
			r.long = append(r.long, chunk...)
		}
		r.offset += int64(len(chunk))
		switch {
		case err == nil:
			return bytes.TrimRight(r.long, "\r\n"), tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && (len(r.long) > 0 || tooLong):
			return r.long, tooLong, nil
		default:
			return nil, false, err
		}
	}
}

func (r *reader) Next() (*doc.Document, error) {
	for {
		start := r.offset
		line, tooLong, err := r.readLine()
		if err != nil {
			return nil, err
		}
		r.line++
		if tooLong {
			return nil, r.recErr(start, fmt.Errorf("line longer than max_line_bytes (%d)", r.opts.MaxLineBytes))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !utf8.Valid(line) {
			return nil, r.recErr(start, errors.New("invalid UTF-8"))
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(line, &obj); err != nil {
			return nil, r.recErr(start, fmt.Errorf("bad JSON: %w", err))
		}
		return r.build(obj, start)
	}
}

func (r *reader) recErr(offset int64, err error) error {
	return &doc.RecordError{File: r.stream.Path, Record: "line " + strconv.Itoa(r.line), Offset: offset, Err: err}
}

func (r *reader) build(obj map[string]json.RawMessage, offset int64) (*doc.Document, error) {
	rawText, ok := obj[r.opts.TextField]
	if !ok {
		return nil, r.recErr(offset, fmt.Errorf("no %q field", r.opts.TextField))
	}
	var text string
	if err := json.Unmarshal(rawText, &text); err != nil {
		return nil, r.recErr(offset, fmt.Errorf("field %q is not a string", r.opts.TextField))
	}
	d := &doc.Document{Text: text, ID: strconv.Itoa(r.line)}
	if v, ok := scalar(obj[r.opts.IDField]); ok && v != "" {
		d.ID = v
	}
	if v, ok := scalar(obj[r.opts.URLField]); ok {
		d.URL = v
	}
	if len(r.opts.MetaFields) > 0 {
		for _, k := range r.opts.MetaFields {
			if v, ok := scalar(obj[k]); ok {
				d.SetMeta(k, v)
			}
		}
		return d, nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if k != r.opts.TextField && k != r.opts.IDField && k != r.opts.URLField {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v, ok := scalar(obj[k]); ok {
			d.SetMeta(k, v)
		}
	}
	return d, nil
}

// scalar renders a JSON string, number or boolean as text; objects, arrays
// and null are not scalars.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case '{', '[', 'n':
		return "", false
	}
	return string(raw), true
}
