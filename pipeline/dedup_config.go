package pipeline

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/curate-dev/curate/stages/dedup"
)

// DedupConfig is the run-level dedup block: whole-document deduplication
// across every source of the run (and against earlier runs), between
// ingest and the tokenizer. Every step is optional and counted.
type DedupConfig struct {
	// Exact removes documents whose normalised text hashes alike (128-bit).
	Exact bool `yaml:"exact"`
	// URL removes documents whose normalised URL is the same (web pages
	// crawled twice); documents without a URL are not compared.
	URL bool `yaml:"url"`
	// Near removes MinHash LSH near-duplicates (settings in minhash).
	Near bool `yaml:"near"`
	// Normalize is applied before exact hashing and shingling.
	Normalize dedup.Normalization `yaml:"normalize"`
	// CodeNormalize replaces Normalize for source code (language
	// code:<lang>), where case and punctuation carry meaning: by default
	// only NFC and white space, so "a+b" and "a-b" stay different files.
	CodeNormalize dedup.Normalization `yaml:"code_normalize"`
	// MinHash tunes near-duplicate detection; FineWeb's defaults.
	MinHash dedup.MinHashOptions `yaml:"minhash"`
	// Ranges cuts each band's hash space into this many ranges: the bucket
	// stage runs (bands + exact + url) × ranges tasks. Output does not
	// depend on it.
	Ranges int `yaml:"ranges"`
	// Priority lists source names, most trusted first: a cluster's
	// survivor comes from the earliest listed source; unlisted sources
	// rank after all listed ones.
	Priority []string `yaml:"priority"`
	// Prefer breaks ties after priority: longest (text bytes) or
	// language_score; then the smallest id wins.
	Prefer dedup.Prefer `yaml:"prefer"`
	// Against lists output directories of earlier runs: documents that
	// duplicate what those runs kept are removed here. Their hashes and
	// signatures are read from DIR/dedup/; their text is never read and
	// nothing there is written.
	Against []string `yaml:"against"`
	// Paragraphs, when set, removes paragraphs (or lines) shared by many
	// documents; see ParagraphConfig.
	Paragraphs *ParagraphConfig `yaml:"paragraphs"`
	// Decontaminate, when set, removes evaluation-set text; see
	// DecontamConfig.
	Decontaminate *DecontamConfig `yaml:"decontaminate"`
	// CutMinChars drops a document that paragraph removal or excision
	// leaves with fewer text bytes than this (counted as dedup_cut_short);
	// one left without a word is always dropped.
	CutMinChars int `yaml:"cut_min_chars"`
}

// defaultDedup is what `dedup: {}` (or a bare `dedup:`) means.
func defaultDedup() DedupConfig {
	return DedupConfig{
		Exact: true, URL: true, Near: true,
		Normalize:     dedup.DefaultNormalization(),
		CodeNormalize: dedup.Normalization{NFC: true, Whitespace: true},
		MinHash:       dedup.DefaultMinHash(),
		Ranges:        4,
		Prefer:        dedup.PreferLongest,
	}
}

// UnmarshalYAML sets defaults; old-style to keep strictness.
func (d *DedupConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*d = defaultDedup()
	type plain DedupConfig
	return unmarshal((*plain)(d))
}

func (c *Config) validateDedup() ConfigErrors {
	if c.Dedup == nil {
		// A bare `dedup:` (its keys all commented out) means the defaults,
		// not "off": leaving the block out is how dedup is turned off.
		if line, _ := c.at("dedup"); line == 0 {
			return nil
		}
		d := defaultDedup()
		c.Dedup = &d
	}
	d := c.Dedup
	var errs ConfigErrors
	if err := d.MinHash.Validate(); err != nil {
		errs = append(errs, c.errAt("dedup.minhash: "+err.Error(), "dedup", "minhash"))
	}
	if d.Ranges < 1 || d.Ranges > 4096 {
		errs = append(errs, c.errAt(fmt.Sprintf("dedup.ranges must be 1..4096, got %d", d.Ranges), "dedup", "ranges"))
	}
	if err := d.Prefer.Validate(); err != nil {
		errs = append(errs, c.errAt("dedup: "+err.Error(), "dedup", "prefer"))
	}
	names := map[string]bool{}
	for _, s := range c.Sources {
		names[s.Name] = true
	}
	for i, p := range d.Priority {
		if !names[p] {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.priority: no source named %q", p), "dedup", "priority", i))
		}
	}
	if len(d.Against) > dedup.MaxAgainst {
		errs = append(errs, c.errAt(fmt.Sprintf("dedup.against: at most %d earlier runs", dedup.MaxAgainst), "dedup", "against"))
	}
	for i, dir := range d.Against {
		if _, err := os.Stat(filepath.Join(dir, DedupIndexFile)); err != nil {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.against: %s is not a curate output with a dedup index (%v)", dir, err), "dedup", "against", i))
		}
	}
	errs = append(errs, c.validateSpans()...)
	if !d.Exact && !d.URL && !d.Near && d.Paragraphs == nil && d.Decontaminate == nil {
		errs = append(errs, c.errAt("dedup: exact, url, near, paragraphs and decontaminate are all off; remove the block instead", "dedup"))
	}
	return errs
}

// signSettings is what the ingest phase's signature files depend on: a
// change reruns ingest, a change of anything else in the block does not.
type signSettings struct {
	Exact, URL, Near bool
	Normalize        dedup.Normalization
	CodeNormalize    dedup.Normalization
	MinHash          *dedup.MinHashOptions `json:",omitempty"`
	// Paragraphs is how paragraph keys are cut and hashed.
	Paragraphs *paragraphSign `json:",omitempty"`
}

type paragraphSign struct {
	Unit     string
	MinChars int
	Code     bool
}

func (d *DedupConfig) signSettings() *signSettings {
	if d == nil {
		return nil
	}
	s := &signSettings{Exact: d.Exact, URL: d.URL, Near: d.Near, Normalize: d.Normalize, CodeNormalize: d.CodeNormalize}
	if d.Near {
		mh := d.MinHash
		s.MinHash = &mh
	}
	if p := d.Paragraphs; p != nil {
		s.Paragraphs = &paragraphSign{p.Unit, p.MinChars, p.Code}
	}
	return s
}

// BucketTasks is how many tasks the dedup-buckets phase runs: one per
// (MinHash band, exact, URL) × hash range.
func (d *DedupConfig) BucketTasks() int { return len(d.sections()) * d.Ranges }
