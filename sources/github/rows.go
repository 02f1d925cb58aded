package github

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// Field names tried, in order, when Columns leaves one empty: The Stack
// (bigcode/the-stack), codeparrot/github-code and plain names.
var (
	contentNames = []string{"content", "code", "text"}
	pathNames    = []string{"path", "max_stars_repo_path", "max_forks_repo_path", "max_issues_repo_path", "file_path"}
	repoNames    = []string{"repo_name", "max_stars_repo_name", "max_forks_repo_name", "max_issues_repo_name", "repo", "repository_name"}
	// Not The Stack v2's "license_type": it says "permissive", not which licence.
	licenseNames = []string{"license", "licenses", "max_stars_repo_licenses", "max_forks_repo_licenses", "detected_licenses"}
)

func candidates(set string, def []string) []string {
	if set != "" {
		return []string{set}
	}
	return def
}

// --- JSONL ---

type jsonlWalker struct {
	path   string
	st     *sources.Stream
	br     *bufio.Reader
	cols   Columns
	line   int
	offset int64 // decompressed offset of the current line
}

func newJSONLWalker(p string, cols Columns) (*jsonlWalker, error) {
	st, err := sources.OpenAny(p)
	if err != nil {
		return nil, err
	}
	return &jsonlWalker{path: p, st: st, br: bufio.NewReaderSize(st, 1<<20), cols: cols}, nil
}

// maxRowBytes bounds one JSONL row. The Stack's rows hold a file of at
// most 1 MB plus metadata; JSON escaping can multiply that a few times. A
// longer line is skipped and reported rather than buffered whole.
const maxRowBytes = 64 << 20

func (w *jsonlWalker) next() (*entry, error) {
	for {
		line, n, tooLong, err := sources.ReadLine(w.br, maxRowBytes, nil)
		if n == 0 && err == io.EOF {
			return nil, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: after line %d: %w", w.path, w.line, err)
		}
		w.line++
		off := w.offset
		w.offset += n
		if tooLong {
			return nil, &doc.RecordError{File: w.path, Record: fmt.Sprintf("line %d", w.line), Offset: off, Err: fmt.Errorf("row longer than %d MiB: skipped", maxRowBytes>>20)}
		}
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var row map[string]json.RawMessage
		if jerr := json.Unmarshal(line, &row); jerr != nil {
			return nil, &doc.RecordError{File: w.path, Record: fmt.Sprintf("line %d", w.line), Offset: off, Err: fmt.Errorf("bad JSON: %w", jerr)}
		}
		var content, p, repo, lic string
		var ok bool
		if content, ok = jsonField(row, candidates(w.cols.Content, contentNames)); !ok {
			return nil, &doc.RecordError{File: w.path, Record: fmt.Sprintf("line %d", w.line), Offset: off,
				Err: fmt.Errorf("no content field (tried %s)", strings.Join(candidates(w.cols.Content, contentNames), ", "))}
		}
		p, _ = jsonField(row, candidates(w.cols.Path, pathNames))
		repo, _ = jsonField(row, candidates(w.cols.Repo, repoNames))
		lic, _ = jsonField(row, candidates(w.cols.License, licenseNames))
		if p == "" {
			p = fmt.Sprintf("row-%d", w.line)
		}
		b := []byte(content)
		return &entry{repo: repo, path: p, license: lic, size: int64(len(b)), offset: off,
			read: func() ([]byte, error) { return b, nil }}, nil
	}
}

// jsonField returns the first present field as a string; a list of strings
// (The Stack's licences) is joined with commas.
func jsonField(row map[string]json.RawMessage, names []string) (string, bool) {
	for _, n := range names {
		raw, ok := row[n]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
		var list []string
		if json.Unmarshal(raw, &list) == nil {
			return strings.Join(list, ","), true
		}
		return string(raw), true
	}
	return "", false
}

func (w *jsonlWalker) close() error { return w.st.Close() }

// --- Parquet ---

// parquetWalker reads the needed columns batch by batch, so memory holds
// one batch (1024 rows) rather than the file.
type parquetWalker struct {
	path string
	f    *os.File
	tmp  string
	pf   *file.Reader
	rr   pqarrow.RecordReader
	rec  arrow.RecordBatch
	idx  [4]int // column positions in rec: content, path, repo, license (-1 absent)
	i    int
	row  int64
}

func newParquetWalker(p string, cols Columns) (*parquetWalker, error) {
	w := &parquetWalker{path: p}
	local, tmp, err := localCopy(p)
	if err != nil {
		return nil, err
	}
	w.tmp = tmp
	f, err := os.Open(local)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	w.f = f
	w.pf, err = file.NewParquetReader(f)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("%s: parquet: %w", p, err)
	}
	fr, err := pqarrow.NewFileReader(w.pf, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("%s: parquet: %w", p, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		w.close()
		return nil, fmt.Errorf("%s: parquet schema: %w", p, err)
	}
	var colIdx []int
	for k, names := range [][]string{candidates(cols.Content, contentNames), candidates(cols.Path, pathNames),
		candidates(cols.Repo, repoNames), candidates(cols.License, licenseNames)} {
		w.idx[k] = -1
		for _, n := range names {
			if ix := schema.FieldIndices(n); len(ix) > 0 {
				w.idx[k] = len(colIdx)
				colIdx = append(colIdx, ix[0])
				break
			}
		}
		if k == 0 && w.idx[0] < 0 {
			w.close()
			return nil, fmt.Errorf("%s: no content column (tried %s; have %s)", p, strings.Join(names, ", "), fieldNames(schema))
		}
	}
	w.rr, err = fr.GetRecordReader(context.Background(), colIdx, nil)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("%s: parquet: %w", p, err)
	}
	return w, nil
}

func fieldNames(s *arrow.Schema) string {
	var n []string
	for _, f := range s.Fields() {
		n = append(n, f.Name)
	}
	return strings.Join(n, ", ")
}

func (w *parquetWalker) next() (*entry, error) {
	for w.rec == nil || w.i >= int(w.rec.NumRows()) {
		if !w.rr.Next() {
			if err := w.rr.Err(); err != nil && err != io.EOF {
				return nil, fmt.Errorf("%s: parquet after row %d: %w", w.path, w.row, err)
			}
			return nil, io.EOF
		}
		w.rec = w.rr.RecordBatch()
		w.i = 0
	}
	i := w.i
	w.i++
	w.row++
	get := func(k int) string {
		if w.idx[k] < 0 {
			return ""
		}
		return cellString(w.rec.Column(w.idx[k]), i)
	}
	content := []byte(get(0)) // copied: the batch is reused
	p := get(1)
	if p == "" {
		p = fmt.Sprintf("row-%d", w.row)
	}
	return &entry{repo: get(2), path: p, license: get(3), size: int64(len(content)), offset: w.row - 1,
		read: func() ([]byte, error) { return content, nil }}, nil
}

// cellString renders a string, binary or list-of-strings cell.
func cellString(col arrow.Array, i int) string {
	if col.IsNull(i) {
		return ""
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i)
	case *array.LargeString:
		return c.Value(i)
	case *array.StringView:
		return c.Value(i)
	case *array.Binary:
		return string(c.Value(i))
	case *array.LargeBinary:
		return string(c.Value(i))
	case array.ListLike:
		start, end := c.ValueOffsets(i)
		var parts []string
		for j := start; j < end; j++ {
			parts = append(parts, cellString(c.ListValues(), int(j)))
		}
		return strings.Join(parts, ",")
	}
	return col.ValueStr(i)
}

func (w *parquetWalker) close() error {
	if w.rr != nil {
		w.rr.Release()
		w.rr = nil
	}
	if w.pf != nil {
		w.pf.Close()
		w.pf = nil
	}
	var err error
	if w.f != nil {
		err = w.f.Close()
		w.f = nil
	}
	if w.tmp != "" {
		os.Remove(w.tmp)
		w.tmp = ""
	}
	return err
}
