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

// rowGroupWriter is what the document and token writers share: rows are
// appended to an Arrow record builder, handed over in small batches, and
// row groups are cut by bytes. arrow-go's own limit counts rows, and its
// buffered row group holds the whole group in memory, so cutting by bytes
// is what keeps memory bounded.
type rowGroupWriter struct {
	opts       WriterOptions
	fw         *pqarrow.FileWriter
	b          *array.RecordBuilder
	batchBytes int64
	batchRows  int
	groupBytes int64
	rows       int64
	closed     bool
}

func newRowGroupWriter(w io.Writer, schema *arrow.Schema, opts WriterOptions, columnProps ...parquet.WriterProperty) (*rowGroupWriter, error) {
	opts.defaults()
	props := append([]parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(opts.ZstdLevel),
		parquet.WithStats(true),
		// Row groups are cut by bytes; the row limit only guards against
		// a pathological flood of empty rows.
		parquet.WithMaxRowGroupLength(1 << 30),
		parquet.WithCreatedBy("curate"),
	}, columnProps...)
	mem := memory.NewGoAllocator()
	// pqarrow closes a writer that is an io.Closer; the caller must fsync
	// and rename first, so hide Close from it.
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, parquet.NewWriterProperties(props...),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return nil, fmt.Errorf("parquet writer: %w", err)
	}
	return &rowGroupWriter{opts: opts, fw: fw, b: array.NewRecordBuilder(mem, schema)}, nil
}

// rowAdded accounts for one appended row of about size bytes and hands the
// batch over once it is big enough.
func (w *rowGroupWriter) rowAdded(size int64) error {
	w.rows++
	w.batchRows++
	w.batchBytes += size
	if w.batchBytes >= w.opts.BatchBytes {
		return w.flush()
	}
	return nil
}

func (w *rowGroupWriter) flush() error {
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
		return fmt.Errorf("parquet writer: %w", err)
	}
	w.groupBytes += w.batchBytes
	w.batchBytes, w.batchRows = 0, 0
	return nil
}

func (w *rowGroupWriter) checkOpen() error {
	if w.closed {
		return fmt.Errorf("parquet writer: write after close")
	}
	return nil
}

// close flushes the last batch and writes the footer; the underlying
// io.Writer stays open.
func (w *rowGroupWriter) close() error {
	if w.closed {
		return nil
	}
	err := w.flush()
	w.closed = true
	w.b.Release()
	if cerr := w.fw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("parquet writer: %w", cerr)
	}
	return err
}
