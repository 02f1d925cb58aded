package pipeline

import (
	"fmt"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/stages/filter"
	"github.com/curate-dev/curate/stages/langid"
)

// defaultFilterPreset is the filter preset a source kind gets when its
// entry has no filter block: what FineWeb, RedPajama and The Stack apply to
// that kind of text. JSON Lines can hold anything, so it gets none unless
// asked.
var defaultFilterPreset = map[string]string{
	"books":       "books",
	"wikipedia":   "wikipedia",
	"reddit":      "reddit",
	"commoncrawl": "web",
	"github":      "code",
	"journals":    "journals",
}

// filterOptions is the filter configuration a source runs with, nil for
// none.
func (sc *SourceConfig) filterOptions() *filter.Options {
	if sc.Filter != nil {
		return sc.Filter
	}
	if preset, ok := defaultFilterPreset[sc.Kind()]; ok {
		o := filter.Preset(preset)
		return &o
	}
	return nil
}

// stagesFor builds the stages a source's documents go through after
// normalisation, in order: language tagging, then filters (which need the
// language to pick their per-language rules). The tagger is built once per
// run and shared: its models are large and it is safe for concurrent use.
func (c *Config) stagesFor(sc *SourceConfig, tagger *langid.Tagger) ([]doc.Stage, error) {
	var stages []doc.Stage
	if tagger != nil {
		stages = append(stages, tagger)
	}
	if fo := sc.filterOptions(); fo != nil {
		opts := *fo
		if !c.languageTagged() {
			// Without a tagger every score is 0: a score rule would drop all.
			opts.Language.Enabled = false
		}
		fs, err := filter.New(opts)
		if err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
		stages = append(stages, fs...)
	}
	return stages, nil
}

// languageTagged reports whether a language tagger runs before the filters.
func (c *Config) languageTagged() bool { return c.LangID != nil }

// stageConfig is the part of the config that decides what a source's
// stages do; it is hashed into each ingest task's key.
func (c *Config) stageConfig(sc *SourceConfig) any {
	return struct {
		MinChars int
		Filter   *filter.Options
		LangID   *langid.Options
	}{sc.MinChars, sc.filterOptions(), c.LangID}
}
