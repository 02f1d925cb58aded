package shards

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
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
	*rowGroupWriter
	tokens int64
}

// NewTokenWriter starts a token shard on w.
func NewTokenWriter(w io.Writer, opts WriterOptions) (*TokenWriter, error) {
	rw, err := newRowGroupWriter(w, TokenSchema(), opts,
		parquet.WithDictionaryFor(ColID, false),
		parquet.WithDictionaryFor(ColInputIDs+".list.element", false),
		parquet.WithStatsFor(ColInputIDs+".list.element", false),
	)
	if err != nil {
		return nil, err
	}
	return &TokenWriter{rowGroupWriter: rw}, nil
}

// Write appends one row.
func (w *TokenWriter) Write(id, source string, ids []uint32) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	w.b.Field(0).(*array.StringBuilder).Append(id)
	w.b.Field(1).(*array.StringBuilder).Append(source)
	lb := w.b.Field(2).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Uint32Builder).AppendValues(ids, nil)
	w.tokens += int64(len(ids))
	return w.rowAdded(int64(len(id)+len(source)) + 4*int64(len(ids)))
}

// Rows and Tokens count what was written.
func (w *TokenWriter) Rows() int64   { return w.rows }
func (w *TokenWriter) Tokens() int64 { return w.tokens }

// Close flushes and writes the footer; the underlying writer stays open.
func (w *TokenWriter) Close() error { return w.close() }
