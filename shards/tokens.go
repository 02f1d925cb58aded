package shards

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Token shard columns: one row per document (or per packed sequence).
const (
	ColInputIDs = "input_ids"
)

// TokenSchema is the Arrow schema of token shards: id, source and the
// token ids as list<uint32>, the shape HF datasets and torch loaders read
// without conversion.
func TokenSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: ColID, Type: arrow.BinaryTypes.String},
		{Name: ColSource, Type: arrow.BinaryTypes.String},
		{Name: ColInputIDs, Type: arrow.ListOf(arrow.PrimitiveTypes.Uint32)},
	}, nil)
}

// TokenWriter streams token rows into one Parquet file; row groups are cut
// by token bytes, like DocWriter's.
type TokenWriter struct {
	fw         *pqarrow.FileWriter
	b          *array.RecordBuilder
	opts       WriterOptions
	batchBytes int64
	batchRows  int
	groupBytes int64
	rows       int64
	tokens     int64
	closed     bool
}

// NewTokenWriter starts a token shard on w.
func NewTokenWriter(w io.Writer, opts WriterOptions) (*TokenWriter, error) {
	opts.defaults()
	schema := TokenSchema()
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(opts.ZstdLevel),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(1<<30),
		parquet.WithDictionaryFor(ColID, false),
		parquet.WithDictionaryFor(ColInputIDs+".list.element", false),
		parquet.WithStatsFor(ColInputIDs+".list.element", false),
		parquet.WithCreatedBy("curate"),
	)
	mem := memory.NewGoAllocator()
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props,
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return nil, fmt.Errorf("parquet token writer: %w", err)
	}
	return &TokenWriter{fw: fw, b: array.NewRecordBuilder(mem, schema), opts: opts}, nil
}

// Write appends one row.
func (w *TokenWriter) Write(id, source string, ids []uint32) error {
	if w.closed {
		return fmt.Errorf("parquet token writer: write after close")
	}
	w.b.Field(0).(*array.StringBuilder).Append(id)
	w.b.Field(1).(*array.StringBuilder).Append(source)
	lb := w.b.Field(2).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Uint32Builder).AppendValues(ids, nil)
	w.rows++
	w.tokens += int64(len(ids))
	w.batchRows++
	w.batchBytes += int64(len(id)+len(source)) + 4*int64(len(ids))
	if w.batchBytes >= w.opts.BatchBytes {
		return w.flush()
	}
	return nil
}

func (w *TokenWriter) flush() error {
	if w.batchRows == 0 {
		return nil
	}
	rec := w.b.NewRecordBatch()
	defer rec.Release()
	if w.groupBytes > 0 && w.groupBytes+w.batchBytes > w.opts.RowGroupBytes {
		w.fw.NewBufferedRowGroup()
		w.groupBytes = 0
	}
	if err := w.fw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("parquet token writer: %w", err)
	}
	w.groupBytes += w.batchBytes
	w.batchBytes, w.batchRows = 0, 0
	return nil
}

// Rows and Tokens count what was written.
func (w *TokenWriter) Rows() int64   { return w.rows }
func (w *TokenWriter) Tokens() int64 { return w.tokens }

// Close flushes and writes the footer; the underlying writer stays open.
func (w *TokenWriter) Close() error {
	if w.closed {
		return nil
	}
	err := w.flush()
	w.closed = true
	w.b.Release()
	if cerr := w.fw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("parquet token writer: %w", cerr)
	}
	return err
}
