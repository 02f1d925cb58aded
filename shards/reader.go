package shards

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/curate-dev/curate/pipeline/doc"
)

// DocReader streams documents back out of a curated Parquet file, one Arrow
// batch at a time. It reads files written by DocWriter and any Parquet file
// with at least an id and a text column (FineWeb's shards, for instance).
type DocReader struct {
	path string
	f    *os.File
	pf   *file.Reader
	rr   pqarrow.RecordReader
	rec  arrow.RecordBatch
	row  int
	cols docColumns
	n    int64
}

type docColumns struct {
	id, text, source, url, language, reason *array.String
	score                                   *array.Float32
	tokens                                  *array.Int64
	meta                                    *array.Map
}

// openArrow opens a Parquet file for reading as Arrow record batches of
// 1,024 rows; on error nothing is left open.
func openArrow(path string) (*os.File, *file.Reader, *pqarrow.FileReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	pf, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.NewGoAllocator())
	if err != nil {
		pf.Close()
		f.Close()
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, pf, fr, nil
}

// OpenDocs opens a Parquet file of documents.
func OpenDocs(path string) (*DocReader, error) {
	f, pf, fr, err := openArrow(path)
	if err != nil {
		return nil, err
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		pf.Close()
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &DocReader{path: path, f: f, pf: pf, rr: rr}, nil
}

// NumRows is the row count from the footer.
func (r *DocReader) NumRows() int64 { return r.pf.NumRows() }

// Next returns the next document, or io.EOF.
func (r *DocReader) Next() (*doc.Document, error) {
	for r.rec == nil || r.row >= int(r.rec.NumRows()) {
		if !r.rr.Next() {
			if err := r.rr.Err(); err != nil && err != io.EOF {
				return nil, fmt.Errorf("%s: row %d: %w", r.path, r.n, err)
			}
			return nil, io.EOF
		}
		r.rec = r.rr.RecordBatch()
		r.row = 0
		if err := r.bind(); err != nil {
			return nil, err
		}
	}
	c, i := &r.cols, r.row
	r.row++
	r.n++
	d := &doc.Document{ID: c.id.Value(i), Text: c.text.Value(i)}
	if c.source != nil {
		d.Source = c.source.Value(i)
	}
	if c.url != nil {
		d.URL = c.url.Value(i)
	}
	if c.language != nil {
		d.Language = c.language.Value(i)
	}
	if c.score != nil {
		d.LanguageScore = c.score.Value(i)
	}
	if c.tokens != nil && c.tokens.IsValid(i) {
		d.TokenCount = c.tokens.Value(i)
	}
	if c.meta != nil && c.meta.IsValid(i) {
		start, end := c.meta.ValueOffsets(i)
		if end > start {
			keys := c.meta.Keys().(*array.String)
			items := c.meta.Items().(*array.String)
			d.Meta = make(map[string]string, end-start)
			for j := start; j < end; j++ {
				d.Meta[keys.Value(int(j))] = items.Value(int(j))
			}
		}
	}
	if c.reason != nil {
		d.SetMeta(ColReason, c.reason.Value(i))
	}
	return d, nil
}

func (r *DocReader) bind() error {
	r.cols = docColumns{}
	sc := r.rec.Schema()
	for i, f := range sc.Fields() {
		col := r.rec.Column(i)
		switch f.Name {
		case ColID:
			r.cols.id, _ = col.(*array.String)
		case ColText:
			r.cols.text, _ = col.(*array.String)
		case ColSource:
			r.cols.source, _ = col.(*array.String)
		case ColURL:
			r.cols.url, _ = col.(*array.String)
		case ColLanguage:
			r.cols.language, _ = col.(*array.String)
		case ColLanguageScore:
			r.cols.score, _ = col.(*array.Float32)
		case ColTokenCount:
			r.cols.tokens, _ = col.(*array.Int64)
		case ColMeta:
			r.cols.meta, _ = col.(*array.Map)
		case ColReason:
			r.cols.reason, _ = col.(*array.String)
		}
	}
	if r.cols.id == nil || r.cols.text == nil {
		return fmt.Errorf("%s: not a document file: needs string columns %q and %q", r.path, ColID, ColText)
	}
	return nil
}

// Close releases the file.
func (r *DocReader) Close() error {
	r.rr.Release()
	r.pf.Close()
	return r.f.Close()
}
