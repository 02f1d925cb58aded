package pipeline

import (
	"github.com/curate-dev/curate/report"
	"github.com/curate-dev/curate/shards"
)

// withFeed adds the feed's mixture (per source and language, targets and
// what was taken) to the report when out holds a feed; the source table's
// epochs become the feed's.
func withFeed(out string, d *report.Data) *report.Data {
	man, _, err := shards.ReadFeedManifest(out)
	if err != nil || man.Mixture == nil {
		return d
	}
	mix := man.Mixture
	tokens := map[string]int64{}
	for _, c := range mix.Cells {
		d.MixCells = append(d.MixCells, report.MixCell{Source: c.Source, Language: c.Language, Docs: c.Docs, Tokens: c.Tokens,
			Rate: c.Rate, SelectedDocs: c.SelectedDocs, SelectedTokens: c.SelectedTokens})
		tokens[c.Source] += c.Tokens
	}
	d.Mixture = nil
	for _, s := range mix.Sources {
		d.Mixture = append(d.Mixture, report.MixRow{Source: s.Key, Tokens: tokens[s.Key], Weight: s.Target, Epochs: s.Epochs, Achieved: s.Achieved})
	}
	for _, l := range mix.Languages {
		d.MixLanguages = append(d.MixLanguages, report.MixShare{Key: l.Key, Target: l.Target, Achieved: l.Achieved})
	}
	return d
}
