package shards

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// columnReader streams Arrow batches of a few named columns of a Parquet
// file: the feed needs a document's id, language and token ids, never its
// text, and projection keeps that cheap.
type columnReader struct {
	path string
	f    *os.File
	pf   *file.Reader
	rr   pqarrow.RecordReader
	rec  arrow.RecordBatch
	row  int
	n    int64
	cols []int // batch column of each requested name
}

func openColumns(path string, names ...string) (*columnReader, error) {
	f, pf, fr, err := openArrow(path)
	if err != nil {
		return nil, err
	}
	sc, err := fr.Schema()
	if err != nil {
		pf.Close()
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The columns read are flat and precede every nested one in curate's
	// schemas, so a field's index is also its leaf column's index.
	var leaves []int
	for _, name := range names {
		idx := sc.FieldIndices(name)
		if len(idx) != 1 {
			pf.Close()
			f.Close()
			return nil, fmt.Errorf("%s: no column %q", path, name)
		}
		leaves = append(leaves, idx[0])
	}
	rr, err := fr.GetRecordReader(context.Background(), leaves, nil)
	if err != nil {
		pf.Close()
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := &columnReader{path: path, f: f, pf: pf, rr: rr}
	sub := rr.Schema()
	for _, name := range names {
		idx := sub.FieldIndices(name)
		if len(idx) != 1 {
			r.Close()
			return nil, fmt.Errorf("%s: column %q missing after projection", path, name)
		}
		r.cols = append(r.cols, idx[0])
	}
	return r, nil
}

// next moves to the next row, loading batches as needed; io.EOF at the end.
func (r *columnReader) next() (arrow.RecordBatch, int, error) {
	for r.rec == nil || r.row >= int(r.rec.NumRows()) {
		if !r.rr.Next() {
			if err := r.rr.Err(); err != nil && err != io.EOF {
				return nil, 0, fmt.Errorf("%s: row %d: %w", r.path, r.n, err)
			}
			return nil, 0, io.EOF
		}
		r.rec, r.row = r.rr.RecordBatch(), 0
	}
	i := r.row
	r.row++
	r.n++
	return r.rec, i, nil
}

func (r *columnReader) Close() error {
	r.rr.Release()
	r.pf.Close()
	return r.f.Close()
}

// TokenReader streams the rows of a token shard (id, source, input_ids).
type TokenReader struct{ r *columnReader }

// OpenTokens opens a token shard written by TokenWriter.
func OpenTokens(path string) (*TokenReader, error) {
	r, err := openColumns(path, ColID, ColSource, ColInputIDs)
	if err != nil {
		return nil, err
	}
	return &TokenReader{r: r}, nil
}

// Next returns the next row's id, source and ids; ids is valid until the
// following call. io.EOF at the end.
func (t *TokenReader) Next() (id, source string, ids []uint32, err error) {
	rec, i, err := t.r.next()
	if err != nil {
		return "", "", nil, err
	}
	idc, ok1 := rec.Column(t.r.cols[0]).(*array.String)
	srcc, ok2 := rec.Column(t.r.cols[1]).(*array.String)
	lc, ok3 := rec.Column(t.r.cols[2]).(*array.List)
	if !ok1 || !ok2 || !ok3 {
		return "", "", nil, fmt.Errorf("%s: not a token shard (want string id, string source, list input_ids)", t.r.path)
	}
	vals, ok := lc.ListValues().(*array.Uint32)
	if !ok {
		return "", "", nil, fmt.Errorf("%s: input_ids is not list<uint32>", t.r.path)
	}
	start, end := lc.ValueOffsets(i)
	return idc.Value(i), srcc.Value(i), vals.Uint32Values()[start:end], nil
}

// Row is how many rows were returned so far.
func (t *TokenReader) Row() int64 { return t.r.n }

// Close releases the file.
func (t *TokenReader) Close() error { return t.r.Close() }

// LanguageReader streams (id, language) of a document shard without
// decoding its text.
type LanguageReader struct{ r *columnReader }

// OpenLanguages opens a document shard for its id and language columns.
func OpenLanguages(path string) (*LanguageReader, error) {
	r, err := openColumns(path, ColID, ColLanguage)
	if err != nil {
		return nil, err
	}
	return &LanguageReader{r: r}, nil
}

// Next returns the next document's id and language, or io.EOF.
func (l *LanguageReader) Next() (id, language string, err error) {
	rec, i, err := l.r.next()
	if err != nil {
		return "", "", err
	}
	idc, ok1 := rec.Column(l.r.cols[0]).(*array.String)
	lc, ok2 := rec.Column(l.r.cols[1]).(*array.String)
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("%s: id and language must be string columns", l.r.path)
	}
	return idc.Value(i), lc.Value(i), nil
}

// Close releases the file.
func (l *LanguageReader) Close() error { return l.r.Close() }
