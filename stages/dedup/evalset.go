package dedup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// EvalSet is one evaluation file whose items must not be trained on.
type EvalSet struct {
	// Name labels the set in the counts; default: the file name.
	Name string `yaml:"name" json:"name"`
	Path string `yaml:"path" json:"path"`
	// Fields are the fields (columns) whose text makes an item, joined by
	// a space in this order (LAMBADA: context, continuation). Plain text
	// files have none: each non-empty line is an item.
	Fields []string `yaml:"fields" json:"fields"`
	// Format is jsonl (gzip-compressed or not), parquet or text; empty
	// means from the name: .jsonl/.json(.gz), .parquet, else text.
	Format string `yaml:"format" json:"format"`
}

// ResolvedFormat is Format, or the one the file name implies.
func (s EvalSet) ResolvedFormat() string {
	if s.Format != "" {
		return s.Format
	}
	p := strings.TrimSuffix(strings.ToLower(s.Path), ".gz")
	switch {
	case strings.HasSuffix(p, ".jsonl"), strings.HasSuffix(p, ".json"), strings.HasSuffix(p, ".ndjson"):
		return "jsonl"
	case strings.HasSuffix(p, ".parquet"):
		return "parquet"
	}
	return "text"
}

// Validate checks the format and fields.
func (s EvalSet) Validate() error {
	switch s.ResolvedFormat() {
	case "jsonl", "parquet":
		if len(s.Fields) == 0 {
			return fmt.Errorf("%s: fields: name the field(s) holding the text", s.Path)
		}
	case "text":
	default:
		return fmt.Errorf("%s: format %q: want jsonl, parquet or text", s.Path, s.Format)
	}
	return nil
}

// EachItem calls fn with the text of every item of the set, in file order.
func (s EvalSet) EachItem(fn func(text string) error) error {
	f, err := os.Open(s.Path)
	if err != nil {
		return fmt.Errorf("evaluation set: %w", err)
	}
	defer f.Close()
	switch s.ResolvedFormat() {
	case "parquet":
		return s.eachParquet(f, fn)
	case "jsonl":
		return s.eachLine(f, func(line []byte, n int) error {
			var row map[string]json.RawMessage
			if err := json.Unmarshal(line, &row); err != nil {
				return fmt.Errorf("%s:%d: %w", s.Path, n, err)
			}
			var parts []string
			for _, name := range s.Fields {
				raw, ok := row[name]
				if !ok {
					return fmt.Errorf("%s:%d: no field %q", s.Path, n, name)
				}
				v, err := jsonText(raw)
				if err != nil {
					return fmt.Errorf("%s:%d: field %q: %w", s.Path, n, name, err)
				}
				parts = append(parts, v)
			}
			return fn(strings.Join(parts, " "))
		})
	default:
		return s.eachLine(f, func(line []byte, _ int) error { return fn(string(line)) })
	}
}

// jsonText reads a string, or a list of strings joined by spaces.
func jsonText(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var l []string
	if err := json.Unmarshal(raw, &l); err == nil {
		return strings.Join(l, " "), nil
	}
	return "", fmt.Errorf("not a string or a list of strings: %.40s", raw)
}

// eachLine calls fn for every non-blank line, gunzipping when the file
// starts with the gzip magic whatever its name.
func (s EvalSet) eachLine(f *os.File, fn func(line []byte, n int) error) error {
	br := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: gzip: %w", s.Path, err)
		}
		defer zr.Close()
		r = zr
	}
	lr := bufio.NewReaderSize(r, 1<<16)
	for n := 1; ; n++ {
		line, err := lr.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(bytes.TrimRight(line, "\r\n"), n); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", s.Path, n, err)
		}
	}
}

func (s EvalSet) eachParquet(f *os.File, fn func(string) error) error {
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("%s: parquet: %w", s.Path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("%s: parquet: %w", s.Path, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("%s: parquet schema: %w", s.Path, err)
	}
	var cols []int
	for _, name := range s.Fields {
		ix := schema.FieldIndices(name)
		if len(ix) == 0 {
			return fmt.Errorf("%s: no column %q", s.Path, name)
		}
		cols = append(cols, ix[0])
	}
	rr, err := fr.GetRecordReader(context.Background(), cols, nil)
	if err != nil {
		return fmt.Errorf("%s: parquet: %w", s.Path, err)
	}
	defer rr.Release()
	row := 0
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := range int(rec.NumRows()) {
			var parts []string
			for c := range cols {
				v, err := cellText(rec.Column(c), i)
				if err != nil {
					return fmt.Errorf("%s: row %d column %q: %w", s.Path, row, s.Fields[c], err)
				}
				parts = append(parts, v)
			}
			row++
			if err := fn(strings.Join(parts, " ")); err != nil {
				return err
			}
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: parquet after row %d: %w", s.Path, row, err)
	}
	return nil
}

func cellText(col arrow.Array, i int) (string, error) {
	if col.IsNull(i) {
		return "", nil
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i), nil
	case *array.LargeString:
		return c.Value(i), nil
	case *array.StringView:
		return c.Value(i), nil
	case array.ListLike:
		start, end := c.ValueOffsets(i)
		var parts []string
		for j := start; j < end; j++ {
			v, err := cellText(c.ListValues(), int(j))
			if err != nil {
				return "", err
			}
			parts = append(parts, v)
		}
		return strings.Join(parts, " "), nil
	}
	return "", fmt.Errorf("type %s is not text", col.DataType())
}
