package journals

import "fmt"

// Options configures the journals source. One block serves all three
// formats; each input's format is found from its bytes unless Format says.
type Options struct {
	// Format forces every input to one format: arxiv, jats or medline.
	// "auto" (default) tells them apart by content: a tar or TeX is an
	// arXiv submission, <article>/<pmc-articleset> is JATS, and
	// <PubmedArticleSet> is MEDLINE.
	Format string `yaml:"format"`
	// ArXiv tunes LaTeX cleaning.
	ArXiv ArxivOptions `yaml:"arxiv"`
	// JATS tunes PMC/JATS article extraction.
	JATS JATSOptions `yaml:"jats"`
	// Medline tunes PubMed citation extraction.
	Medline MedlineOptions `yaml:"medline"`
}

// ArxivOptions tunes the LaTeX cleaning of arXiv submissions.
type ArxivOptions struct {
	// Captions keeps the \caption text of figure and table environments
	// (their bodies are dropped). Default true.
	Captions bool `yaml:"captions"`
	// FloatBodies keeps whole figure/table environments instead (tabular
	// source included). Default false.
	FloatBodies bool `yaml:"float_bodies"`
	// ExpandMacros replaces the paper's own argument-less \newcommand and
	// \def macros by their definitions. Default true.
	ExpandMacros bool `yaml:"expand_macros"`
	// DropAppendix cuts the text at \appendix, as RedPajama does.
	// Default false: appendices are prose too.
	DropAppendix bool `yaml:"drop_appendix"`
	// MissingInclude is what an \input of a file the submission lacks
	// does: "warn" drops the \input, counts it and lists it in meta
	// missing_includes (TeX's own inputs like epsf are often not shipped);
	// "error" skips the paper with an error naming file and line.
	MissingInclude string `yaml:"missing_include"`
	// Metadata is an arXiv metadata JSON Lines file (the OAI snapshot
	// layout: id, title, authors, categories, license) read once to give
	// papers their categories and licence. Empty: none.
	Metadata string `yaml:"metadata"`
	// MaxPaperBytes bounds the text files of one submission held while it
	// is cleaned (an \input may point anywhere in the tree). Default 64 MiB.
	MaxPaperBytes int64 `yaml:"max_paper_bytes"`
}

// JATSOptions tunes PMC/JATS extraction.
type JATSOptions struct {
	// Captions keeps figure and table captions. Default true.
	Captions bool `yaml:"captions"`
	// Tables renders table cells as tab-separated lines. Default false.
	Tables bool `yaml:"tables"`
	// Footnotes keeps footnotes (<fn>). Default false.
	Footnotes bool `yaml:"footnotes"`
	// SubArticles keeps <sub-article> elements (decision letters, author
	// responses) after the article. Default false.
	SubArticles bool `yaml:"sub_articles"`
	// Notices is what corrections, retractions and expressions of concern
	// do: "flag" keeps them with meta notice=<article-type>, "skip" drops
	// them (counted). Default flag.
	Notices string `yaml:"notices"`
}

// MedlineOptions tunes PubMed/MEDLINE citation extraction.
type MedlineOptions struct {
	// KeepNoAbstract keeps citations without an abstract (title only).
	// Default false: they are skipped and counted.
	KeepNoAbstract bool `yaml:"keep_no_abstract"`
	// ApplyDeletions removes the citations listed in <DeleteCitation>
	// blocks of later update files of the same source (a pass over the
	// MEDLINE inputs when tasks are planned). Default true.
	ApplyDeletions bool `yaml:"apply_deletions"`
}

// DefaultOptions are the defaults a config starts from.
func DefaultOptions() Options {
	return Options{
		Format:  "auto",
		ArXiv:   ArxivOptions{Captions: true, ExpandMacros: true, MissingInclude: "warn", MaxPaperBytes: 64 << 20},
		JATS:    JATSOptions{Captions: true, Notices: "flag"},
		Medline: MedlineOptions{ApplyDeletions: true},
	}
}

// UnmarshalYAML fills defaults before decoding; the old-style signature keeps
// the decoder's unknown-key strictness. Nested blocks keep the defaults of
// the keys they do not name.
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports impossible settings.
func (o Options) Validate() error {
	switch o.Format {
	case "auto", "arxiv", "jats", "medline":
	default:
		return fmt.Errorf("format must be auto, arxiv, jats or medline, got %q", o.Format)
	}
	if o.ArXiv.MissingInclude != "warn" && o.ArXiv.MissingInclude != "error" {
		return fmt.Errorf("arxiv.missing_include must be warn or error, got %q", o.ArXiv.MissingInclude)
	}
	if o.ArXiv.MaxPaperBytes <= 0 {
		return fmt.Errorf("arxiv.max_paper_bytes must be positive, got %d", o.ArXiv.MaxPaperBytes)
	}
	if o.JATS.Notices != "flag" && o.JATS.Notices != "skip" {
		return fmt.Errorf("jats.notices must be flag or skip, got %q", o.JATS.Notices)
	}
	return nil
}
