package commoncrawl

import (
	"fmt"
	"strings"
	"time"

	"github.com/curate-dev/curate/sources/commoncrawl/extract"
)

// Options configure the Common Crawl source (YAML key `commoncrawl:` in a
// source entry).
type Options struct {
	// BlockList is a file of domains whose pages are dropped, one a line
	// ('#' starts a comment). A plain line ("example.com") blocks the domain
	// and every subdomain, as the UT1 list FineWeb uses is meant; a line
	// starting with '=' ("=www.example.com") blocks that exact host only.
	// Relative to the working directory. Empty: no block list.
	BlockList string `yaml:"block_list"`
	// AllowList is a file of URLs, one a line (the WebText list the Reddit
	// source writes). When set, only pages whose URL is on it are kept.
	// URLs are compared without scheme, "www.", fragment and trailing slash.
	AllowList string `yaml:"allow_list"`
	// MaxPageBytes skips HTTP responses whose WARC block is larger, so one
	// huge page cannot blow up memory (bytes; CC truncates at 1 MiB anyway).
	MaxPageBytes int64 `yaml:"max_page_bytes"`
	// Extractor picks the main-text extractor: "fast" (this project's own,
	// one pass, about ten times faster) or "trafilatura" (go-trafilatura).
	Extractor string `yaml:"extractor"`
	// MaxHTMLBytes skips pages whose decoded HTML (after chunking and
	// gzip) is larger, counted as skip.extract_too_large.
	MaxHTMLBytes int `yaml:"max_html_bytes"`
	// ExtractTimeout gives up on a page whose extraction takes longer
	// ("10s"; 0 = no limit), counted as skip.extract_timeout. Only
	// pathological pages come near it; as any wall-clock limit it depends
	// on the machine's load.
	ExtractTimeout time.Duration `yaml:"extract_timeout"`
	// Focus tunes trafilatura's boilerplate remover: "balanced",
	// "precision" (less boilerplate, may lose text) or "recall" (more
	// text, more boilerplate). The fast extractor has one setting.
	Focus string `yaml:"focus"`
	// IncludeTables keeps text inside <table> elements.
	IncludeTables bool `yaml:"include_tables"`
	// IncludeComments keeps a page's user comments section after the main
	// text (trafilatura only; fast always drops comment sections).
	IncludeComments bool `yaml:"include_comments"`
	// Fallback runs trafilatura's readability/dom-distiller fallbacks when
	// its own extraction looks poor: better recall, about half the speed.
	Fallback bool `yaml:"fallback"`
	// PathsPrefix is put before each relative line of a Common Crawl paths
	// file (an input named *.paths or *.paths.gz, e.g. warc.paths.gz of a
	// crawl), turning "crawl-data/CC-MAIN-.../x.warc.gz" into a URL.
	PathsPrefix string `yaml:"paths_prefix"`
	// MaxPaths takes only the first N entries of each paths file (a crawl
	// lists ~90,000 WARCs); 0 takes all.
	MaxPaths int `yaml:"max_paths"`
	// TakeWET takes WET `conversion` records (Common Crawl's own extracted
	// text) as documents; set false to read only WARC responses.
	TakeWET bool `yaml:"take_wet"`
}

// DefaultOptions are FineWeb-like: trafilatura balanced, tables dropped,
// no comments, 2 MiB page cap.
func DefaultOptions() Options {
	return Options{
		MaxPageBytes:   2 << 20,
		Extractor:      extract.NameFast,
		MaxHTMLBytes:   8 << 20,
		ExtractTimeout: 20 * time.Second,
		Focus:          "balanced",
		TakeWET:        true,
		PathsPrefix:    "https://data.commoncrawl.org/",
	}
}

// UnmarshalYAML fills defaults before decoding, keeping KnownFields
// strictness (the old-style unmarshaler goes through the same decoder).
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports the first bad setting.
func (o Options) Validate() error {
	if o.MaxPageBytes <= 0 {
		return fmt.Errorf("commoncrawl: max_page_bytes must be > 0, got %d", o.MaxPageBytes)
	}
	if o.MaxPaths < 0 {
		return fmt.Errorf("commoncrawl: max_paths must be >= 0, got %d", o.MaxPaths)
	}
	switch strings.ToLower(o.Extractor) {
	case "", extract.NameFast, extract.NameTrafilatura:
	default:
		return fmt.Errorf("commoncrawl: extractor must be %s or %s, got %q", extract.NameFast, extract.NameTrafilatura, o.Extractor)
	}
	if o.MaxHTMLBytes < 0 || o.ExtractTimeout < 0 {
		return fmt.Errorf("commoncrawl: max_html_bytes and extract_timeout must be >= 0")
	}
	switch strings.ToLower(o.Focus) {
	case "", "balanced", "precision", "recall":
	default:
		return fmt.Errorf("commoncrawl: focus must be balanced, precision or recall, got %q", o.Focus)
	}
	return nil
}

func (o Options) extractOptions() extract.Options {
	return extract.Options{
		Focus:           o.Focus,
		IncludeTables:   o.IncludeTables,
		IncludeComments: o.IncludeComments,
		Fallback:        o.Fallback,
	}
}
