package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/curate-dev/curate/stages/dedup"
)

// DecontamConfig is dedup.decontaminate: documents that share a word
// n-gram with an evaluation item are dropped, or the shared span is cut.
type DecontamConfig struct {
	// Ngram is the n-gram length in words (GPT-3: 13).
	Ngram int `yaml:"ngram"`
	// Action is drop (the whole document) or excise (the matched spans).
	Action string `yaml:"action"`
	// Sets are the evaluation files.
	Sets []dedup.EvalSet `yaml:"sets"`
}

// UnmarshalYAML sets the defaults.
func (d *DecontamConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*d = DecontamConfig{Ngram: dedup.DefaultNgram, Action: "drop"}
	type plain DecontamConfig
	return unmarshal((*plain)(d))
}

// ParagraphConfig is dedup.paragraphs: a paragraph (or line) found in at
// least MinDocs documents is removed from all of them, or all but the
// first (CCNet's line dedup, Dolma's paragraph dedup).
type ParagraphConfig struct {
	// Unit is paragraph (split at blank lines) or line.
	Unit string `yaml:"unit"`
	// MinDocs is how many documents must hold a span for it to go.
	MinDocs int `yaml:"min_docs"`
	// Keep is none (remove everywhere) or first (keep it in the
	// document with the smallest id).
	Keep string `yaml:"keep"`
	// MinChars skips spans whose normalised text is shorter: short lines
	// ("Yes.", "1.") are common without being boilerplate.
	MinChars int `yaml:"min_chars"`
	// Code also dedups source code (language code:<lang>); off by
	// default, since cutting shared lines (imports, licence headers)
	// out of a program breaks it.
	Code bool `yaml:"code"`
}

// UnmarshalYAML sets the defaults.
func (p *ParagraphConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*p = ParagraphConfig{Unit: "paragraph", MinDocs: 2, Keep: "first", MinChars: 20}
	type plain ParagraphConfig
	return unmarshal((*plain)(p))
}

func (c *Config) validateSpans() ConfigErrors {
	d := c.Dedup
	var errs ConfigErrors
	if x := d.Decontaminate; x != nil {
		if x.Ngram < 1 || x.Ngram > 100 {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.decontaminate.ngram must be 1..100, got %d", x.Ngram), "dedup", "decontaminate", "ngram"))
		}
		if x.Action != "drop" && x.Action != "excise" {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.decontaminate.action must be drop or excise, got %q", x.Action), "dedup", "decontaminate", "action"))
		}
		if len(x.Sets) == 0 || len(x.Sets) > dedup.MaxEvalSets {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.decontaminate.sets: list 1..%d evaluation files", dedup.MaxEvalSets), "dedup", "decontaminate", "sets"))
		}
		names := map[string]bool{}
		for i := range x.Sets {
			s := &x.Sets[i]
			if s.Name == "" {
				s.Name = strings.SplitN(filepath.Base(s.Path), ".", 2)[0]
			}
			if names[s.Name] {
				errs = append(errs, c.errAt(fmt.Sprintf("dedup.decontaminate.sets: name %q twice", s.Name), "dedup", "decontaminate", "sets", i))
			}
			names[s.Name] = true
			if err := s.Validate(); err != nil {
				errs = append(errs, c.errAt("dedup.decontaminate: "+err.Error(), "dedup", "decontaminate", "sets", i))
			} else if _, err := os.Stat(s.Path); err != nil {
				errs = append(errs, c.errAt(fmt.Sprintf("dedup.decontaminate: evaluation set %s: %v", s.Name, err), "dedup", "decontaminate", "sets", i))
			}
		}
	}
	if p := d.Paragraphs; p != nil {
		if p.Unit != "paragraph" && p.Unit != "line" {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.paragraphs.unit must be paragraph or line, got %q", p.Unit), "dedup", "paragraphs", "unit"))
		}
		if p.MinDocs < 2 {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.paragraphs.min_docs must be >= 2, got %d", p.MinDocs), "dedup", "paragraphs", "min_docs"))
		}
		if p.Keep != "none" && p.Keep != "first" {
			errs = append(errs, c.errAt(fmt.Sprintf("dedup.paragraphs.keep must be none or first, got %q", p.Keep), "dedup", "paragraphs", "keep"))
		}
	}
	return errs
}
