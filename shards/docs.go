// Package shards writes and reads curate's Parquet outputs: curated
// documents in FineWeb's column layout, and (later) token shards.
//
// The document writer streams: documents are gathered into small Arrow
// batches and appended to a buffered row group, which is cut by uncompressed
// bytes rather than rows, so memory stays bounded by one row group's
// compressed size whatever the input size.
package shards

import (
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"

	"github.com/curate-dev/curate/pipeline/doc"
)

// Column names follow FineWeb where they overlap.
const (
	ColID            = "id"
	ColText          = "text"
	ColSource        = "source"
	ColURL           = "url"
	ColLanguage      = "language"
	ColLanguageScore = "language_score"
	ColTokenCount    = "token_count"
	ColMeta          = "meta"
	// ColReason is present only in rejected-document outputs.
	ColReason = "filter_reason"
)

// DocSchema is the Arrow schema of curated documents. withReason adds the
// filter_reason column used by keep_rejected outputs.
func DocSchema(withReason bool) *arrow.Schema {
	fields := []arrow.Field{
		{Name: ColID, Type: arrow.BinaryTypes.String},
		{Name: ColText, Type: arrow.BinaryTypes.String},
		{Name: ColSource, Type: arrow.BinaryTypes.String},
		{Name: ColURL, Type: arrow.BinaryTypes.String},
		{Name: ColLanguage, Type: arrow.BinaryTypes.String},
		{Name: ColLanguageScore, Type: arrow.PrimitiveTypes.Float32},
		// Null until the tokenize phase has counted: 0 would be a lie.
		{Name: ColTokenCount, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: ColMeta, Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String)},
	}
	if withReason {
		fields = append(fields, arrow.Field{Name: ColReason, Type: arrow.BinaryTypes.String})
	}
	return arrow.NewSchema(fields, nil)
}

// WriterOptions tunes the document writer.
type WriterOptions struct {
	// RowGroupBytes cuts a row group once this much uncompressed text and
	// metadata has gone into it. Default 64 MiB.
	RowGroupBytes int64
	// BatchBytes is how much is gathered before an Arrow batch is handed to
	// the Parquet encoder. Default 1 MiB.
	BatchBytes int64
	// ZstdLevel is the zstd level of every column. Default 3.
	ZstdLevel int
	// WithReason adds the filter_reason column (rejected outputs).
	WithReason bool
}

func (o *WriterOptions) defaults() {
	if o.RowGroupBytes <= 0 {
		o.RowGroupBytes = 64 << 20
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 1 << 20
	}
	if o.ZstdLevel == 0 {
		o.ZstdLevel = 3
	}
}

// DocWriter writes documents to one Parquet file in the order given.
type DocWriter struct {
	*rowGroupWriter
	withReason bool
	textBytes  int64
	keys       []string
}

// NewDocWriter starts a Parquet file on w.
func NewDocWriter(w io.Writer, opts WriterOptions) (*DocWriter, error) {
	rw, err := newRowGroupWriter(w, DocSchema(opts.WithReason), opts,
		// Dictionary-encoding unique strings only costs time and memory.
		parquet.WithDictionaryFor(ColID, false),
		parquet.WithDictionaryFor(ColText, false),
		parquet.WithDictionaryFor(ColURL, false),
		parquet.WithStatsFor(ColText, false),
	)
	if err != nil {
		return nil, err
	}
	return &DocWriter{rowGroupWriter: rw, withReason: opts.WithReason}, nil
}

// Write appends one document. reason is written only when the writer was
// made WithReason.
func (w *DocWriter) Write(d *doc.Document, reason string) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	b := w.b
	b.Field(0).(*array.StringBuilder).Append(d.ID)
	b.Field(1).(*array.StringBuilder).Append(d.Text)
	b.Field(2).(*array.StringBuilder).Append(d.Source)
	b.Field(3).(*array.StringBuilder).Append(d.URL)
	b.Field(4).(*array.StringBuilder).Append(d.Language)
	b.Field(5).(*array.Float32Builder).Append(d.LanguageScore)
	if d.TokenCount > 0 {
		b.Field(6).(*array.Int64Builder).Append(d.TokenCount)
	} else {
		b.Field(6).(*array.Int64Builder).AppendNull()
	}
	mb := b.Field(7).(*array.MapBuilder)
	mb.Append(true)
	size := int64(len(d.ID) + len(d.Text) + len(d.Source) + len(d.URL) + len(d.Language) + 12)
	if len(d.Meta) > 0 {
		// Map order is random in Go; sorted keys keep files byte-identical.
		w.keys = w.keys[:0]
		for k := range d.Meta {
			w.keys = append(w.keys, k)
		}
		slices.Sort(w.keys)
		kb := mb.KeyBuilder().(*array.StringBuilder)
		ib := mb.ItemBuilder().(*array.StringBuilder)
		for _, k := range w.keys {
			v := d.Meta[k]
			kb.Append(k)
			ib.Append(v)
			size += int64(len(k) + len(v))
		}
	}
	if w.withReason {
		b.Field(8).(*array.StringBuilder).Append(reason)
	}
	w.textBytes += int64(len(d.Text))
	return w.rowAdded(size)
}

// Rows is the number of documents written so far.
func (w *DocWriter) Rows() int64 { return w.rows }

// TextBytes is the number of text bytes written so far.
func (w *DocWriter) TextBytes() int64 { return w.textBytes }

// Close flushes the last batch and writes the Parquet footer. It does not
// close the underlying io.Writer.
func (w *DocWriter) Close() error { return w.close() }
