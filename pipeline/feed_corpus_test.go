package pipeline

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/shards"
)

// corpusFeedConfig mixes a bounded sample of the real corpus (the
// Latgalian and Bulgarian Wikipedia dumps, which langid tags lv, bg and a
// tail of others; English and French books; a Common Crawl WARC) by source
// weight and language target.
func corpusFeedConfig(t *testing.T, out, extra string) string {
	root := filepath.Dir(corpustest.Dir(t, "wikipedia"))
	return fmt.Sprintf(`
output: %[1]s
langid: {}
sources:
  - name: wikipedia
    weight: 0.3
    inputs:
      - %[2]s/wikipedia/ltgwiki-smallwiki-latest-pages-articles.xml.bz2
      - %[2]s/wikipedia/bgwiki-latest-pages-articles-shortened.xml.bz2
    wikipedia: {}
  - name: books
    weight: 0.4
    inputs: [%[2]s/books/Candide.txt, %[2]s/books/11-0.txt]
    books: {}
  - name: web
    weight: 0.3
%[3]s
    inputs: [%[2]s/commoncrawl/dolma__sample-0000.warc.gz]
    commoncrawl: {}
tokenizer:
  train: {vocab_size: 2048, sample_bytes: 2000000}
feed:
  seq_len: 512
  total_tokens: 2000000
  split_tokens: 4104
  languages: {en: 0.55, fr: 0.15, lv: 0.15, other: rest}
  formats: [llmc, megatron]
`, out, root, extra)
}

// On real data, every source's and every language's share of the feed is
// within 0.5 % of its target, and the shards hold exactly what the plan
// selected.
func TestFeedCorpusShares(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if _, err := Run(context.Background(), configFor(t, dir, corpusFeedConfig(t, out, "")), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	man, feed, err := shards.ReadFeedManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := shards.VerifyFeed(feed); err != nil {
		t.Fatal(err)
	}
	mix := man.Mixture
	if len(mix.Warnings) > 0 {
		t.Errorf("warnings: %q", mix.Warnings)
	}
	for _, s := range append(append([]shards.FeedShare{}, mix.Sources...), mix.Languages...) {
		if math.Abs(s.Achieved-s.Target) > 0.005 {
			t.Errorf("%s: %.2f%% of the feed, target %.2f%%", s.Key, 100*s.Achieved, 100*s.Target)
		}
	}
	langs := map[string]bool{}
	for _, c := range mix.Cells {
		langs[c.Language] = true
	}
	for _, l := range []string{"en", "fr", "lv", "other"} {
		if !langs[l] {
			t.Errorf("no %s cell: the sample should hold it (cells %v)", l, mix.Cells)
		}
	}
	var train shards.FeedSplit
	for _, s := range man.Splits {
		if s.Name == "train" {
			train = s
		}
	}
	if train.Tokens+train.DroppedTokens != mix.SelectedTokens {
		t.Errorf("train holds %d + %d dropped tokens, the plan selected %d", train.Tokens, train.DroppedTokens, mix.SelectedTokens)
	}

	// Capping web at one epoch makes its 30 % impossible: the run (on the
	// same output, so the earlier phases are skipped) stops before writing,
	// naming the source, and the feed on disk is untouched.
	before := outputBytes(t, filepath.Join(out, FeedDir))
	_, err = Run(context.Background(), configFor(t, dir, corpusFeedConfig(t, out, "    max_epochs: 1")), RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "source web needs") {
		t.Fatalf("error %v, want the infeasible web source named", err)
	}
	after := outputBytes(t, filepath.Join(out, FeedDir))
	if len(after) != len(before) {
		t.Fatalf("feed/ has %d files after the infeasible run, %d before", len(after), len(before))
	}
	for name, b := range before {
		if string(after[name]) != string(b) {
			t.Fatalf("%s rewritten by an infeasible run", name)
		}
	}
}
