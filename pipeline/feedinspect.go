package pipeline

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/curate-dev/curate/shards"
	"github.com/curate-dev/curate/stages/bpe"
)

// InspectFeed prints a feed folder's packing, splits, shards and mixture
// table, then its first n train sequences decoded to text (when the run's
// tokenizer is beside it).
func InspectFeed(w io.Writer, dir string, n int) error {
	man, fdir, err := shards.ReadFeedManifest(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "feed %s: %s, seq_len %d (+1), pack %s, %s ids, vocabulary %d, eot %d, seed %d\n",
		man.Name, fdir, man.SeqLen, man.Pack, man.DType, man.VocabSize, man.EOT, man.Seed)
	fmt.Fprintf(w, "formats: %s", strings.Join(man.Formats, ", "))
	if man.WorldSize > 0 {
		fmt.Fprintf(w, "; world_size %d (rank r reads train shards r, r+%d, ...)", man.WorldSize, man.WorldSize)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "\n%-6s %8s %10s %12s %10s %8s %7s\n", "split", "docs", "sequences", "tokens", "dropped", "padding", "shards")
	for _, s := range man.Splits {
		fmt.Fprintf(w, "%-6s %8d %10d %12d %10d %8d %7d\n", s.Name, s.Documents, s.Sequences, s.Tokens, s.DroppedTokens, s.PadTokens, s.Shards)
	}
	if mix := man.Mixture; mix != nil {
		fmt.Fprintf(w, "\nmixture: budget %.0f tokens, %d selected\n", mix.BudgetTokens, mix.SelectedTokens)
		fmt.Fprintf(w, "%-12s %-14s %7s %11s %8s %9s %12s\n", "source", "language", "docs", "tokens", "rate", "docs in", "tokens in")
		for _, c := range mix.Cells {
			fmt.Fprintf(w, "%-12s %-14s %7d %11d %8.3f %9d %12d\n", c.Source, c.Language, c.Docs, c.Tokens, c.Rate, c.SelectedDocs, c.SelectedTokens)
		}
		fmt.Fprintf(w, "\n%-14s %8s %9s %8s\n", "share", "target", "achieved", "epochs")
		for _, s := range mix.Sources {
			fmt.Fprintf(w, "%-14s %7.2f%% %8.2f%% %8.3f\n", s.Key, 100*s.Target, 100*s.Achieved, s.Epochs)
		}
		for _, s := range mix.Languages {
			fmt.Fprintf(w, "%-14s %7.2f%% %8.2f%%\n", "lang "+s.Key, 100*s.Target, 100*s.Achieved)
		}
		for _, warn := range mix.Warnings {
			fmt.Fprintf(w, "warning: %s\n", warn)
		}
	}
	if n <= 0 {
		return nil
	}
	seqs, err := shards.FirstSequences(fdir, "train", n)
	if err != nil {
		return err
	}
	tokDir := filepath.Join(filepath.Dir(fdir), TokenizerDir)
	var tok *bpe.Tokenizer
	if _, err := os.Stat(tokDir); err == nil {
		if tok, err = bpe.Load(tokDir); err != nil {
			return fmt.Errorf("loading %s: %w", tokDir, err)
		}
	}
	for i, s := range seqs {
		fmt.Fprintf(w, "\n--- train sequence %d (%d tokens)\n", i, len(s))
		if tok == nil {
			fmt.Fprintln(w, s)
			continue
		}
		// Decode document by document so the separators show.
		start := 0
		for j := 0; j <= len(s); j++ {
			if j == len(s) || (s[j] == man.EOT && j > start) {
				text, err := tok.Decode(s[start:j], nil)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s", text)
				start = j
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}
