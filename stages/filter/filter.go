package filter

import (
	"fmt"

	"github.com/curate-dev/curate/pipeline/doc"
)

// New validates opts and returns the enabled stages in the order they must
// run: the cheap document-level checks first (language, placeholder,
// length), code rules, then FineWeb's order for prose (Gopher repetition,
// Gopher quality, C4 cleaning, FineWeb rules), and PII last so that it
// scrubs exactly the text that is kept (C4 may have removed lines).
//
// Stage names: language, placeholder, length, code, gopher_repetition,
// gopher_quality, c4, fineweb, pii. Prose rules pass over documents whose
// language is "code:*" and the code rules pass over everything else, so one
// chain can serve a mixed source.
func New(opts Options) ([]doc.Stage, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("filter options: %w", err)
	}
	var st []doc.Stage
	if opts.Language.Enabled {
		st = append(st, newLanguageStage(opts.Language))
	}
	if opts.Placeholder.Enabled {
		st = append(st, &placeholderStage{texts: opts.Placeholder.Texts})
	}
	if opts.Length.Enabled {
		st = append(st, &lengthStage{o: opts.Length})
	}
	if opts.Code.Enabled {
		st = append(st, newCodeStage(opts.Code))
	}
	if opts.GopherRepetition.Enabled {
		st = append(st, newGopherRepetition(opts.GopherRepetition))
	}
	if opts.GopherQuality.Enabled {
		st = append(st, newGopherQuality(opts.GopherQuality))
	}
	if opts.C4.Enabled {
		st = append(st, newC4Stage(opts.C4))
	}
	if opts.FineWeb.Enabled {
		st = append(st, &fineWebStage{o: opts.FineWeb})
	}
	if opts.PII.Enabled {
		st = append(st, &piiStage{o: opts.PII})
	}
	return st, nil
}

// Run applies stages in order until one drops the document; it returns the
// dropping stage's rule, or "". The pipeline has its own loop (it counts
// per stage); this one serves tests, benchmarks and simple callers.
func Run(stages []doc.Stage, d *doc.Document, c doc.Counter) string {
	for _, s := range stages {
		if rule := s.Apply(d, c); rule != "" {
			return rule
		}
	}
	return ""
}
