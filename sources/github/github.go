// Package github reads source code into documents, one per file: checked-out
// repositories as directories, .tar/.tar.gz/.zip archives (one repository
// each, as `git archive` or GitHub's download button make them), and rows in
// The Stack's layout (JSONL or Parquet with content, path, repo name and
// licence). Files go through The Stack's and Codex's rules: vendored,
// generated, binary, minified, data and oversized files are skipped, as are
// files with over-long lines or too little alphanumeric text, and keys,
// certificates and .env files are never emitted. The language is Linguist's,
// by go-enry; the repository licence is read from its LICENSE/COPYING file
// and checked against an allow-list.
package github

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/go-enry/go-enry/v2"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// Source is the GitHub code source kind, built once and safe for
// concurrent Open calls.
type Source struct {
	opts      Options
	skipTypes map[enry.Type]bool
	languages map[string]bool
	skipLangs map[string]bool
	licenses  map[string]bool
}

// New builds the source from its options.
func New(o Options) (*Source, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	s := &Source{opts: o, skipTypes: map[enry.Type]bool{}, languages: map[string]bool{}, skipLangs: map[string]bool{}, licenses: map[string]bool{}}
	for _, t := range o.SkipTypes {
		s.skipTypes[parseType(t)] = true
	}
	for _, l := range o.Languages {
		s.languages[strings.ToLower(l)] = true
	}
	for _, l := range o.SkipLanguages {
		s.skipLangs[strings.ToLower(l)] = true
	}
	for _, l := range o.Licenses {
		s.licenses[strings.ToLower(l)] = true
	}
	return s, nil
}

// Units gives one unit per repository or row file. Inputs should come from
// sources.ExpandDirs so that directories are allowed.
func (s *Source) Units(inputs []sources.Input) ([]sources.Unit, error) {
	return sources.WholeFile(inputs), nil
}

// Open starts reading one input.
func (s *Source) Open(u sources.Unit) (doc.Reader, error) { return s.OpenReader(u) }

// inputKind tells the reader to use from a path's name (archives and row
// files are named for what they are; directories are looked at).
func inputKind(p string) string {
	n := strings.ToLower(sources.BaseName(p))
	for _, c := range []string{".gz", ".zst", ".bz2", ".xz"} {
		if strings.HasSuffix(n, ".jsonl"+c) || strings.HasSuffix(n, ".json"+c) || strings.HasSuffix(n, ".ndjson"+c) {
			return "jsonl"
		}
	}
	switch {
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"), strings.HasSuffix(n, ".tar"),
		strings.HasSuffix(n, ".tar.zst"), strings.HasSuffix(n, ".tar.xz"), strings.HasSuffix(n, ".tar.bz2"):
		return "tar"
	case strings.HasSuffix(n, ".zip"):
		return "zip"
	case strings.HasSuffix(n, ".parquet"):
		return "parquet"
	case strings.HasSuffix(n, ".jsonl"), strings.HasSuffix(n, ".json"), strings.HasSuffix(n, ".ndjson"):
		return "jsonl"
	}
	return ""
}

// OpenReader is Open with the concrete type, whose Stats the pipeline can
// read when the input is done.
func (s *Source) OpenReader(u sources.Unit) (*Reader, error) {
	p := u.Input.Path
	r := &Reader{src: s, path: p, stats: doc.Counts{}}
	var err error
	switch kind := inputKind(p); {
	case sources.IsDir(u.Input):
		r.w, err = newDirWalker(p)
	case kind == "tar":
		r.w, err = newTarWalker(p)
	case kind == "zip":
		r.w, err = newZipWalker(p)
	case kind == "jsonl":
		r.w, err = newJSONLWalker(p, s.opts.Columns)
	case kind == "parquet":
		r.w, err = newParquetWalker(p, s.opts.Columns)
	default:
		return nil, fmt.Errorf("%s: not a directory, .tar(.gz), .zip, .jsonl(.gz) or .parquet input", p)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// entry is one file of a repository.
type entry struct {
	repo, path, license string
	size                int64 // -1 if unknown before reading
	offset              int64 // byte offset or row number for errors, -1 if none
	// nested is set for files inside a sub-project with its own licence.
	nested bool
	read   func() ([]byte, error)
}

// walker yields the files of one input in a stable order.
type walker interface {
	next() (*entry, error) // io.EOF at the end
	close() error
}

// Reader yields one document per kept file of one input.
type Reader struct {
	src   *Source
	path  string
	w     walker
	stats doc.Counts
}

// Stats returns counts of files seen ("file"), documents emitted ("doc"),
// documents per language ("lang.go", ...) and files dropped per rule
// ("skip.vendored", "skip.secret", "skip.license", ...). It is a copy.
func (r *Reader) Stats() doc.Counts { return maps.Clone(r.stats) }

// Next returns the next kept file as a document.
func (r *Reader) Next() (*doc.Document, error) {
	for {
		e, err := r.w.next()
		if err != nil {
			var re *doc.RecordError
			if errors.As(err, &re) {
				r.stats.Add("skip.bad_record", 1)
			}
			return nil, err
		}
		r.stats.Add("file", 1)
		if e.size > r.src.opts.MaxFileBytes {
			r.stats.Add("skip.too_large", 1)
			continue
		}
		if !r.src.licenseAllowed(e.license) {
			r.stats.Add("skip.license", 1)
			continue
		}
		// Names alone settle secrets: their bytes are never even read.
		if isSecretName(e.path) {
			r.stats.Add("skip.secret", 1)
			continue
		}
		if r.src.opts.SkipVendored && e.nested {
			r.stats.Add("skip.vendored", 1)
			continue
		}
		if isLicenseFile(path.Base(e.path)) {
			// Licence texts are metadata, not code, and repeat across
			// every repository.
			r.stats.Add("skip.license_file", 1)
			continue
		}
		content, err := e.read()
		if err != nil {
			return nil, &doc.RecordError{File: r.path, Record: e.path, Offset: e.offset, Err: err}
		}
		v := r.src.classify(e.path, content)
		if v.drop != "" {
			r.stats.Add(v.drop, 1)
			continue
		}
		lang := strings.ToLower(v.lang)
		d := &doc.Document{
			ID:       e.repo + "/" + e.path,
			Text:     string(content),
			Language: "code:" + lang,
		}
		d.SetMeta("repo", e.repo)
		d.SetMeta("path", e.path)
		license := e.license
		if license == "" {
			license = "unknown"
		}
		d.SetMeta("license", license)
		d.SetMeta("bytes", strconv.Itoa(len(content)))
		d.SetMeta("lines", strconv.Itoa(countLines(content)))
		if strings.Count(e.repo, "/") == 1 && !strings.ContainsAny(e.repo, " :") {
			d.URL = "https://github.com/" + e.repo + "/blob/HEAD/" + e.path
		}
		r.stats.Add("doc", 1)
		r.stats.Add("lang."+lang, 1)
		return d, nil
	}
}

// Close releases the input.
func (r *Reader) Close() error { return r.w.close() }

func countLines(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// repoName is a repository's name from an archive or directory name, with
// the archive extensions taken off.
func repoName(p string) string {
	n := sources.BaseName(p)
	for _, ext := range []string{".tar.gz", ".tgz", ".tar.zst", ".tar.xz", ".tar.bz2", ".tar", ".zip"} {
		if strings.HasSuffix(strings.ToLower(n), ext) {
			return n[:len(n)-len(ext)]
		}
	}
	return n
}

// nestedRoot is the sub-project a nested licence file belongs to: its
// directory, or the parent of a doc/docs directory holding it (Unity keeps
// its licence in tests/unity/docs/license.txt). Code with its own licence
// inside a repository is a copied-in third-party project, which Linguist's
// path patterns do not all know.
func nestedRoot(licPath string) string {
	dir := path.Dir(licPath)
	if b := strings.ToLower(path.Base(dir)); (b == "docs" || b == "doc") && strings.Contains(dir, "/") {
		dir = path.Dir(dir)
	}
	return dir + "/"
}

func under(rel string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(rel, r) {
			return true
		}
	}
	return false
}

// --- directories ---

type dirWalker struct {
	root, repo, license string
	files               []string // relative, slash-separated, lexical order
	nested              []string // roots of sub-projects with their own licence
	i                   int
}

func newDirWalker(root string) (*dirWalker, error) {
	w := &dirWalker{root: root, repo: repoName(filepath.Clean(root))}
	var lf licenceFiles
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == ".hg" || d.Name() == ".svn" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil // symlinks could point outside the tree
		}
		if lf.wants(rel) {
			if b, err := readLimited(p, maxLicenceBytes); err == nil {
				lf.add(rel, b)
			}
		}
		w.files = append(w.files, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: listing files: %w", root, err)
	}
	w.license, w.nested = lf.resolve()
	return w, nil
}

func readLimited(p string, n int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

func (w *dirWalker) next() (*entry, error) {
	if w.i >= len(w.files) {
		return nil, io.EOF
	}
	rel := w.files[w.i]
	w.i++
	full := filepath.Join(w.root, filepath.FromSlash(rel))
	size := int64(-1)
	if st, err := os.Stat(full); err == nil {
		size = st.Size()
	}
	return &entry{repo: w.repo, path: rel, license: w.license, size: size, offset: -1, nested: under(rel, w.nested),
		read: func() ([]byte, error) { return os.ReadFile(full) }}, nil
}

func (w *dirWalker) close() error { return nil }

// --- tar archives ---

// tarWalker reads an archive twice: a first pass finds the common top
// directory and the root licence file (which git archive does not put
// first), the second emits files. Holding every file until the licence is
// known would keep a whole repository in memory.
type tarWalker struct {
	path, repo, prefix, license string
	nested                      []string
	st                          *sources.Stream
	tr                          *tar.Reader
	last                        string // name of the last entry read, for errors
}

func newTarWalker(p string) (*tarWalker, error) {
	w := &tarWalker{path: p}
	if err := w.scan(); err != nil {
		return nil, err
	}
	w.repo = repoName(p)
	if w.prefix != "" {
		w.repo = strings.TrimSuffix(w.prefix, "/")
	}
	st, err := sources.OpenAny(p)
	if err != nil {
		return nil, err
	}
	w.st, w.tr = st, tar.NewReader(st)
	return w, nil
}

// scan is the first pass.
func (w *tarWalker) scan() error {
	st, err := sources.OpenAny(w.path)
	if err != nil {
		return err
	}
	defer st.Close()
	tr := tar.NewReader(st)
	top := ""
	common := true
	// Licence and manifest files by archive name, read now; which are at
	// the repository root is known once the common top directory is.
	files := map[string][]byte{}
	var lf licenceFiles
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// Damage: plan from the entries before it. The second pass
			// reads those too and reports the damage where it is.
			break
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if h.Typeflag == tar.TypeXGlobalHeader || name == "" {
			continue
		}
		first, rest, hasRest := strings.Cut(name, "/")
		if top == "" {
			top = first
		}
		if first != top || (!hasRest && h.Typeflag != tar.TypeDir) {
			common = false
		}
		if h.Typeflag == tar.TypeReg && (lf.wants(name) || (hasRest && lf.wants(rest))) {
			b, err := io.ReadAll(io.LimitReader(tr, maxLicenceBytes))
			if err != nil {
				// Damage inside the entry: as above, the second pass
				// reports it where it is.
				break
			}
			files[name] = b
		}
	}
	if common && top != "" {
		w.prefix = top + "/"
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if rel := strings.TrimPrefix(name, w.prefix); lf.wants(rel) {
			lf.add(rel, files[name])
		}
	}
	w.license, w.nested = lf.resolve()
	return nil
}

func (w *tarWalker) next() (*entry, error) {
	for {
		h, err := w.tr.Next()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			after := "before the first entry"
			if w.last != "" {
				after = fmt.Sprintf("after entry %q", w.last)
			}
			return nil, fmt.Errorf("%s: tar damaged %s, near compressed byte %d: %w", w.path, after, w.st.CompressedOffset(), err)
		}
		w.last = h.Name
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		rel := strings.TrimPrefix(name, w.prefix)
		off := w.st.CompressedOffset()
		tr := w.tr
		return &entry{repo: w.repo, path: rel, license: w.license, size: h.Size, offset: off, nested: under(rel, w.nested),
			read: func() ([]byte, error) { return io.ReadAll(tr) }}, nil
	}
}

func (w *tarWalker) close() error { return w.st.Close() }

// --- zip archives ---

type zipWalker struct {
	repo, prefix, license string
	nested                []string
	zr                    *zip.ReadCloser
	tmp                   string // downloaded copy of a URL, removed on close
	i                     int
}

func newZipWalker(p string) (*zipWalker, error) {
	w := &zipWalker{repo: repoName(p)}
	// zip needs random access: a URL is fetched to a temporary file first.
	local, tmp, err := localCopy(p)
	if err != nil {
		return nil, err
	}
	w.tmp = tmp
	zr, err := zip.OpenReader(local)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("%s: zip: %w", p, err)
	}
	w.zr = zr
	top, common := "", true
	for _, f := range zr.File {
		first, _, hasRest := strings.Cut(strings.TrimPrefix(path.Clean("/"+f.Name), "/"), "/")
		if top == "" {
			top = first
		}
		if first != top || (!hasRest && !f.FileInfo().IsDir()) {
			common = false
		}
	}
	if common && top != "" {
		w.prefix = top + "/"
		w.repo = top
	}
	var lf licenceFiles
	for _, f := range zr.File {
		rel := strings.TrimPrefix(strings.TrimPrefix(path.Clean("/"+f.Name), "/"), w.prefix)
		if f.FileInfo().IsDir() || !lf.wants(rel) {
			continue
		}
		if rc, err := f.Open(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, maxLicenceBytes))
			rc.Close()
			lf.add(rel, b)
		}
	}
	w.license, w.nested = lf.resolve()
	return w, nil
}

// localCopy returns a local path for p: p itself for a file, or a
// temporary download (returned as tmp, for the caller to remove) for a URL,
// since zip and Parquet need random access.
func localCopy(p string) (local, tmp string, err error) {
	if !sources.IsURL(p) {
		return p, "", nil
	}
	tmp, err = download(p)
	return tmp, tmp, err
}

func download(url string) (string, error) {
	rc, err := sources.OpenRaw(url, 0, -1)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "curate-*.zip")
	if err != nil {
		return "", fmt.Errorf("%s: %w", url, err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("%s: downloading: %w", url, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func (w *zipWalker) next() (*entry, error) {
	for w.i < len(w.zr.File) {
		f := w.zr.File[w.i]
		w.i++
		if !f.Mode().IsRegular() {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(path.Clean("/"+f.Name), "/"), w.prefix)
		off, _ := f.DataOffset()
		return &entry{repo: w.repo, path: rel, license: w.license, size: int64(f.UncompressedSize64), offset: off, nested: under(rel, w.nested),
			read: func() ([]byte, error) {
				rc, err := f.Open()
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				return io.ReadAll(rc)
			}}, nil
	}
	return nil, io.EOF
}

func (w *zipWalker) close() error {
	var err error
	if w.zr != nil {
		err = w.zr.Close()
		w.zr = nil
	}
	if w.tmp != "" {
		os.Remove(w.tmp)
		w.tmp = ""
	}
	return err
}
