package github

import (
	"archive/tar"
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"go.yaml.in/yaml/v3"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

func mustNew(t testing.TB, o Options) *Source {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readAll drains one input: documents, stats, record errors, final error.
func readAll(t testing.TB, s *Source, p string) ([]*doc.Document, doc.Counts, []error, error) {
	t.Helper()
	r, err := s.OpenReader(sources.Unit{Input: sources.Input{Path: p, Size: -1}, End: -1})
	if err != nil {
		return nil, nil, nil, err
	}
	defer r.Close()
	docs, skipped, err := doc.ReadAll(r)
	recErrs := make([]error, len(skipped))
	for i, e := range skipped {
		recErrs[i] = e
	}
	return docs, r.Stats(), recErrs, err
}

func TestCorpusArchives(t *testing.T) {
	dir := corpustest.Dir(t, "code")
	type want struct {
		repo, license string
		counts        doc.Counts
		path          string // a file that must be emitted ...
		lang          string // ... under this language
		sentence      string // ... containing this
		dropped       []string
	}
	tests := map[string]want{
		"spf13-cobra-adbc8813901b.tar.gz": {
			repo: "spf13-cobra", license: "Apache-2.0",
			counts: doc.Counts{"file": 66, "doc": 54, "lang.go": 36, "skip.license_file": 1, "skip.binary": 1},
			path:   "command.go", lang: "code:go", sentence: "Command is just that, a command for your application.",
			dropped: []string{"LICENSE.txt", "go.sum"},
		},
		"psf-requests-1f6589ec3a1e.tar.gz": {
			repo: "psf-requests", license: "Apache-2.0",
			counts: doc.Counts{"file": 128, "doc": 65, "lang.python": 35, "skip.secret": 12},
			path:   "src/requests/utils.py", lang: "code:python", sentence: "def get_environ_proxies(url: str, no_proxy: str | None = None)",
			dropped: []string{"tests/certs/expired/ca/ca-private.key", "tests/certs/expired/server/server.pem", "tests/certs/expired/ca/ca.crt", "docs/_themes/LICENSE"},
		},
		"DaveGamble-cJSON-a29814f285cc.tar.gz": {
			// Unity, copied in under tests/unity with its own licence, is
			// vendored: 124 files.
			repo: "DaveGamble-cJSON", license: "MIT",
			counts: doc.Counts{"file": 216, "doc": 46, "lang.c": 31, "skip.vendored": 124},
			path:   "cJSON.c", lang: "code:c", sentence: "/* JSON parser in C. */",
			dropped: []string{"tests/unity/auto/colour_prompt.rb", "tests/unity/src/unity.c"},
		},
		"expressjs-express-a3714473feb3.tar.gz": {
			repo: "expressjs-express", license: "MIT",
			counts: doc.Counts{"file": 213, "doc": 176, "lang.javascript": 141, "skip.secret": 1},
			path:   "lib/express.js", lang: "code:javascript", sentence: "exports = module.exports = createApplication;",
			dropped: []string{".npmrc", "package.json"},
		},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != len(tests) {
		t.Errorf("corpus has %d files, test knows %d", len(files), len(tests))
	}
	s := mustNew(t, DefaultOptions())
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			w, ok := tests[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			docs, stats, recErrs, err := readAll(t, s, f)
			if err != nil || len(recErrs) > 0 {
				t.Fatal(err, recErrs)
			}
			for k, v := range w.counts {
				if stats[k] != v {
					t.Errorf("stats[%s] = %d, want %d (all: %v)", k, stats[k], v, stats)
				}
			}
			var sum int64
			for k, v := range stats {
				if strings.HasPrefix(k, "skip.") {
					sum += v
				}
			}
			if sum+stats["doc"] != stats["file"] {
				t.Errorf("skips %d + docs %d != files %d", sum, stats["doc"], stats["file"])
			}
			byPath := map[string]*doc.Document{}
			for _, d := range docs {
				byPath[d.Meta["path"]] = d
				checkDoc(t, s, d)
				if d.Meta["repo"] != w.repo || d.Meta["license"] != w.license || d.ID != w.repo+"/"+d.Meta["path"] {
					t.Errorf("%s: repo %q license %q id %q", d.Meta["path"], d.Meta["repo"], d.Meta["license"], d.ID)
				}
			}
			d := byPath[w.path]
			if d == nil {
				t.Fatalf("%s not emitted", w.path)
			}
			if d.Language != w.lang || !strings.Contains(d.Text, w.sentence) {
				t.Errorf("%s: language %s, has sentence %v", w.path, d.Language, strings.Contains(d.Text, w.sentence))
			}
			for _, p := range w.dropped {
				if byPath[p] != nil {
					t.Errorf("%s emitted, want it dropped", p)
				}
			}
		})
	}
}

// checkDoc asserts what must hold for every emitted file.
func checkDoc(t *testing.T, s *Source, d *doc.Document) {
	t.Helper()
	p := d.Meta["path"]
	if !strings.HasPrefix(d.Language, "code:") || d.Language != strings.ToLower(d.Language) {
		t.Errorf("%s: language %q", p, d.Language)
	}
	if isSecretName(p) || strings.Contains(d.Text, "PRIVATE KEY-----") || strings.Contains(d.Text, "BEGIN CERTIFICATE-----") {
		t.Errorf("%s: secret emitted", p)
	}
	if d.Meta["bytes"] != strconv.Itoa(len(d.Text)) || d.Meta["lines"] == "" {
		t.Errorf("%s: meta %v", p, d.Meta)
	}
	if r := s.lineRules([]byte(d.Text)); r != "" {
		t.Errorf("%s: emitted though %s", p, r)
	}
}

// untar unpacks a corpus archive into dir for the directory and zip tests.
func untar(t *testing.T, archive, dir string) {
	t.Helper()
	st, err := sources.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr := tar.NewReader(st)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, filepath.FromSlash(path.Clean("/"+h.Name)))
		switch h.Typeflag {
		case tar.TypeDir:
			os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			os.MkdirAll(filepath.Dir(target), 0o755)
			b, _ := io.ReadAll(tr)
			if err := os.WriteFile(target, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func zipDir(t *testing.T, root, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(root), p)
		w, _ := zw.Create(filepath.ToSlash(rel))
		b, _ := os.ReadFile(p)
		w.Write(b)
		return nil
	})
	zw.Close()
	f.Close()
}

func docKey(d *doc.Document) string {
	return d.ID + "\x00" + d.Language + "\x00" + d.Meta["license"] + "\x00" + d.Text
}

// TestSameDocsEveryContainer reads one repository as tar.gz, as a directory,
// as a zip and over http and expects the same documents.
func TestSameDocsEveryContainer(t *testing.T) {
	dir := corpustest.Dir(t, "code")
	archive := filepath.Join(dir, "spf13-cobra-adbc8813901b.tar.gz")
	tmp := t.TempDir()
	untar(t, archive, tmp)
	repoDir := filepath.Join(tmp, "spf13-cobra")
	zipPath := filepath.Join(t.TempDir(), "spf13-cobra.zip")
	zipDir(t, repoDir, zipPath)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()

	s := mustNew(t, DefaultOptions())
	ref, _, _, err := readAll(t, s, archive)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, d := range ref {
		want[docKey(d)] = true
	}
	for _, p := range []string{repoDir, zipPath, srv.URL + "/spf13-cobra-adbc8813901b.tar.gz"} {
		docs, _, _, err := readAll(t, s, p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(docs) != len(ref) {
			t.Errorf("%s: %d documents, tar.gz gave %d", p, len(docs), len(ref))
		}
		for _, d := range docs {
			if !want[docKey(d)] {
				t.Errorf("%s: document %s differs from the tar.gz one", p, d.ID)
			}
		}
	}
}

// stackRows are rows in The Stack's layout, from real cobra files plus a GPL
// repository and a private key that must be dropped.
func stackRows(t *testing.T) []map[string]any {
	tmp := t.TempDir()
	// The shipped sample holds these cobra files, so this runs without the
	// corpus.
	untar(t, filepath.Join(sampleDir, "spf13-cobra-sample.tar.gz"), tmp)
	var rows []map[string]any
	for _, f := range []string{"command.go", "args.go", "cobra.go"} {
		b, err := os.ReadFile(filepath.Join(tmp, "spf13-cobra", f))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, map[string]any{"content": string(b), "max_stars_repo_path": f,
			"max_stars_repo_name": "spf13/cobra", "max_stars_repo_licenses": []string{"Apache-2.0"}})
	}
	b, _ := os.ReadFile(filepath.Join(tmp, "spf13-cobra", "command.go"))
	rows = append(rows,
		map[string]any{"content": string(b), "max_stars_repo_path": "cmd.go", "max_stars_repo_name": "someone/gpl-fork", "max_stars_repo_licenses": []string{"GPL-3.0-only"}},
		map[string]any{"content": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n", "max_stars_repo_path": "keys/server.txt", "max_stars_repo_name": "spf13/cobra", "max_stars_repo_licenses": []string{"MIT"}})
	return rows
}

func TestStackJSONL(t *testing.T) {
	rows := stackRows(t)
	p := filepath.Join(t.TempDir(), "the-stack-go.jsonl")
	var b strings.Builder
	for i, r := range rows {
		j, _ := json.Marshal(r)
		b.Write(j)
		b.WriteByte('\n')
		if i == 1 {
			b.WriteString("{not json\n") // line 3
		}
	}
	os.WriteFile(p, []byte(b.String()), 0o644)
	docs, stats, recErrs, err := readAll(t, mustNew(t, DefaultOptions()), p)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, docs, stats)
	if len(recErrs) != 1 || !strings.Contains(recErrs[0].Error(), "line 3") || !strings.Contains(recErrs[0].Error(), p) {
		t.Errorf("record errors %v, want one naming %s line 3", recErrs, p)
	}
}

func checkRows(t *testing.T, docs []*doc.Document, stats doc.Counts) {
	t.Helper()
	if len(docs) != 3 || stats["skip.license"] != 1 || stats["skip.secret"] != 1 {
		t.Fatalf("%d docs, stats %v; want 3 docs, 1 licence and 1 secret drop", len(docs), stats)
	}
	d := docs[0]
	if d.ID != "spf13/cobra/command.go" || d.Language != "code:go" || d.Meta["license"] != "Apache-2.0" ||
		d.URL != "https://github.com/spf13/cobra/blob/HEAD/command.go" || !strings.Contains(d.Text, "Command is just that") {
		t.Errorf("first row: %s %s %v %s", d.ID, d.Language, d.Meta, d.URL)
	}
}

func TestStackParquet(t *testing.T) {
	rows := stackRows(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "max_stars_repo_path", Type: arrow.BinaryTypes.String},
		{Name: "max_stars_repo_name", Type: arrow.BinaryTypes.String},
		{Name: "max_stars_repo_licenses", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "content", Type: arrow.BinaryTypes.LargeString},
	}, nil)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	for _, r := range rows {
		bld.Field(0).(*array.StringBuilder).Append(r["max_stars_repo_path"].(string))
		bld.Field(1).(*array.StringBuilder).Append(r["max_stars_repo_name"].(string))
		lb := bld.Field(2).(*array.ListBuilder)
		lb.Append(true)
		for _, l := range r["max_stars_repo_licenses"].([]string) {
			lb.ValueBuilder().(*array.StringBuilder).Append(l)
		}
		bld.Field(3).(*array.LargeStringBuilder).Append(r["content"].(string))
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	p := filepath.Join(t.TempDir(), "the-stack-go.parquet")
	f, _ := os.Create(p)
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(2)), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	docs, stats, _, err := readAll(t, mustNew(t, DefaultOptions()), p)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, docs, stats)

	// A file without a content column says which columns it has.
	o := DefaultOptions()
	o.Columns.Content = "text"
	if _, _, _, err := readAll(t, mustNew(t, o), p); err == nil || !strings.Contains(err.Error(), "max_stars_repo_path") {
		t.Errorf("missing content column: err = %v", err)
	}
}

func TestClassify(t *testing.T) {
	long := strings.Repeat("x", 1200)
	wide := strings.Repeat("value = compute(alpha, beta, gamma, delta, epsilon, zeta, eta, theta, iota, kappa, lambda, mu)\n", 20) // ~95
	wider := strings.Repeat("value = compute(alpha, beta, gamma, delta, epsilon, zeta, eta, theta, iota, kappa, lambda, mu, nu, xi)\n", 20)
	goSrc := "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n"
	tests := []struct {
		name, path, content string
		opts                func(*Options)
		want                string // language or drop rule
	}{
		{"go", "cmd/main.go", goSrc, nil, "Go"},
		{"python", "a/b.py", "def f(x):\n    return x + 1\n", nil, "Python"},
		{"too large", "big.go", goSrc + strings.Repeat("// padding line\n", 100), func(o *Options) { o.MaxFileBytes = 200 }, "skip.too_large"},
		{"env file", "config/.env", "SECRET=1\n", nil, "skip.secret"},
		{"env variant", "deploy/.env.production", "SECRET=1\n", nil, "skip.secret"},
		{"pem", "certs/server.pem", "x\n", nil, "skip.secret"},
		{"key in source", "k.py", "KEY = '''-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n'''\n", nil, "skip.secret"},
		{"aws key", "k.py", "aws = 'AKIAIOSFODNN7EXAMPLE'\n", nil, "skip.secret"},
		{"vendored", "node_modules/left-pad/index.js", "module.exports = 1;\n", nil, "skip.vendored"},
		{"vendored kept when asked", "node_modules/left-pad/index.js", "module.exports = 1;\n", func(o *Options) { o.SkipVendored, o.SkipGenerated = false, false }, "JavaScript"},
		{"binary", "a.go", "package a\x00\x01\x02", nil, "skip.binary"},
		{"image", "logo.png", "\x89PNG\r\n", nil, "skip.binary"},
		{"minified", "static/app.min.js", "var a=1;\n", nil, "skip.minified"},
		{"generated", "api/api.pb.go", "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage api\n", nil, "skip.generated"},
		{"data", "package.json", "{\"name\": \"x\"}\n", nil, "skip.type_data"},
		{"text", "notes.txt", "some notes here\n", nil, "skip.language"},
		{"language allow-list", "a.py", "def f():\n    pass\n", func(o *Options) { o.Languages = []string{"go"} }, "skip.language"},
		{"long line", "a.py", "s = '" + long + "'\n" + strings.Repeat("x = 1\n", 20), nil, "skip.max_line_length"},
		{"mean line ok", "a.py", wide, nil, "Python"},
		{"mean line", "a.py", wider, nil, "skip.mean_line_length"},
		{"alnum", "a.py", "# " + strings.Repeat("=-+*/ ", 30) + "\nx = 1\n", nil, "skip.alnum_fraction"},
		{"empty", "a.py", "", nil, "skip.empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			if tc.opts != nil {
				tc.opts(&o)
			}
			s := mustNew(t, o)
			v := s.classify(tc.path, []byte(tc.content))
			got := v.lang
			if v.drop != "" {
				got = v.drop
			}
			if got != tc.want {
				t.Errorf("classify(%s) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

func TestLicenses(t *testing.T) {
	dir := corpustest.Dir(t, "code")
	tmp := t.TempDir()
	untar(t, filepath.Join(dir, "DaveGamble-cJSON-a29814f285cc.tar.gz"), tmp)
	mit, _ := os.ReadFile(filepath.Join(tmp, "DaveGamble-cJSON", "LICENSE"))
	if got := detectLicense([][]byte{mit}); got != "MIT" {
		t.Errorf("cJSON LICENSE detected as %q", got)
	}
	if got := detectLicense([][]byte{[]byte("All rights reserved. Do not copy.")}); got != "" {
		t.Errorf("custom licence detected as %q", got)
	}
	tests := []struct {
		license   string
		unlicense bool
		want      bool
	}{
		{"MIT", false, true},
		{"mit", false, true},
		{"Apache-2.0,MIT", false, true},
		{"[\"MIT\", \"GPL-3.0-only\"]", false, false},
		{"GPL-2.0-only", false, false},
		{"", false, false},
		{"unknown", true, true},
	}
	for _, tc := range tests {
		o := DefaultOptions()
		o.AllowUnlicensed = tc.unlicense
		if got := mustNew(t, o).licenseAllowed(tc.license); got != tc.want {
			t.Errorf("licenseAllowed(%q, unlicensed=%v) = %v", tc.license, tc.unlicense, got)
		}
	}
}

func TestBadInputs(t *testing.T) {
	dir := corpustest.Dir(t, "code")
	tmp := t.TempDir()
	data, _ := os.ReadFile(filepath.Join(dir, "spf13-cobra-adbc8813901b.tar.gz"))
	cut := filepath.Join(tmp, "cut.tar.gz")
	os.WriteFile(cut, data[:len(data)/2], 0o644)
	notArchive := filepath.Join(tmp, "x.rar")
	os.WriteFile(notArchive, []byte("x"), 0o644)
	badZip := filepath.Join(tmp, "bad.zip")
	os.WriteFile(badZip, []byte("PK not really"), 0o644)
	s := mustNew(t, DefaultOptions())
	for _, tc := range []struct{ path, want string }{
		{cut, "truncated"},
		{notArchive, "not a directory, .tar(.gz), .zip"},
		{badZip, "zip"},
		{filepath.Join(tmp, "missing.tar.gz"), "no such file"},
	} {
		_, _, _, err := readAll(t, s, tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming the file and %q", tc.path, err, tc.want)
		}
	}
}

func TestOptionsYAML(t *testing.T) {
	tests := []struct {
		name, yaml string
		check      func(Options) bool
		wantErr    string
	}{
		{"defaults kept", "max_line_length: 500\n", func(o Options) bool {
			return o.MaxLineLength == 500 && o.MaxMeanLineLength == 100 && o.MinAlnumFraction == 0.25 && len(o.Licenses) > 5 && o.SkipVendored
		}, ""},
		{"columns", "columns: {content: code, repo: repository}\n", func(o Options) bool { return o.Columns.Content == "code" && o.Columns.Repo == "repository" }, ""},
		{"unknown key", "max_line: 5\n", nil, "field max_line not found"},
		{"bad type name", "skip_types: [dataa]\n", nil, "unknown Linguist type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o Options
			dec := yaml.NewDecoder(strings.NewReader(tc.yaml))
			dec.KnownFields(true)
			err := dec.Decode(&o)
			if err == nil {
				err = o.Validate()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(o) {
				t.Errorf("decoded %+v", o)
			}
		})
	}
}

// TestConcurrentOpen reads the corpus repositories in parallel on one
// Source and expects the serial result (run with -race).
func TestConcurrentOpen(t *testing.T) {
	dir := corpustest.Dir(t, "code")
	s := mustNew(t, DefaultOptions())
	files, _ := filepath.Glob(filepath.Join(dir, "*.tar.gz"))
	serial := make([]int, len(files))
	for i, f := range files {
		docs, _, _, _ := readAll(t, s, f)
		serial[i] = len(docs)
	}
	got := make(chan [2]int, len(files))
	for i, f := range files {
		go func() {
			docs, _, _, _ := readAll(t, s, f)
			got <- [2]int{i, len(docs)}
		}()
	}
	for range files {
		g := <-got
		if g[1] != serial[g[0]] {
			t.Errorf("%s: %d docs in parallel, %d serially", files[g[0]], g[1], serial[g[0]])
		}
	}
}
