package shards

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// FeedManifestName is the feed folder's manifest: what every shard holds
// and its checksum, the packing, and the mixture that produced it.
const FeedManifestName = "manifest.json"

// FeedManifest describes a training feed folder.
type FeedManifest struct {
	Name      string   `json:"name"`
	SeqLen    int      `json:"seq_len"` // sequences hold seq_len + 1 tokens
	Pack      string   `json:"pack"`    // "tokens" (no padding) or "document"
	Seed      uint64   `json:"seed"`
	EOT       uint32   `json:"eot"`
	VocabSize int      `json:"vocab_size"`
	DType     DType    `json:"dtype"`
	Formats   []string `json:"formats"`
	// WorldSize, when set, divides the train shard count: rank r of a
	// world of this size reads train shards r, r+world, r+2·world, ...
	WorldSize int          `json:"world_size,omitempty"`
	Splits    []FeedSplit  `json:"splits"`
	Shards    []FeedShard  `json:"shards"`
	Mixture   *FeedMixture `json:"mixture,omitempty"`
}

// FeedSplit sums one split (train or val).
type FeedSplit struct {
	Name      string `json:"name"`
	Documents int64  `json:"documents"` // document instances (repeats counted)
	Sequences int64  `json:"sequences"`
	Tokens    int64  `json:"tokens"`
	// DroppedTokens are the tail that does not fill a sequence, plus
	// whole sequences left over when shards must be equal.
	DroppedTokens int64 `json:"dropped_tokens"`
	PadTokens     int64 `json:"pad_tokens"`
	Shards        int   `json:"shards"`
}

// FeedShard is one shard in every format.
type FeedShard struct {
	Split     string     `json:"split"`
	Index     int        `json:"index"` // in file names; val first, then train
	Sequences int64      `json:"sequences"`
	Tokens    int64      `json:"tokens"`
	Files     []FeedFile `json:"files"`
}

// FeedFile is one file of a shard.
type FeedFile struct {
	Format string `json:"format"`
	Path   string `json:"path"` // relative to the feed folder
	Bytes  int64  `json:"bytes"`
	Tokens int64  `json:"tokens,omitempty"`
	SHA256 string `json:"sha256"`
}

// FeedMixture is the mixture table: per (source, language) cell what the
// corpus holds, the rate it was sampled at and what the feed took.
type FeedMixture struct {
	BudgetTokens   float64     `json:"budget_tokens"`
	SelectedTokens int64       `json:"selected_tokens"`
	Cells          []FeedCell  `json:"cells"`
	Sources        []FeedShare `json:"sources"`
	Languages      []FeedShare `json:"languages,omitempty"`
	// Warnings name targets missed by more than 0.5 % because a cell's
	// documents are too few or too large to sample finer.
	Warnings []string `json:"warnings,omitempty"`
}

// FeedCell is one row of the mixture table.
type FeedCell struct {
	Source   string  `json:"source"`
	Language string  `json:"language"`
	Docs     int64   `json:"docs"`
	Tokens   int64   `json:"tokens"`
	Rate     float64 `json:"rate"`   // epochs asked of the cell
	Target   float64 `json:"target"` // rate × tokens
	// SelectedDocs and SelectedTokens are what the feed took (document
	// instances, repeats counted).
	SelectedDocs   int64 `json:"selected_docs"`
	SelectedTokens int64 `json:"selected_tokens"`
}

// FeedShare is a source's or language's target and achieved share.
type FeedShare struct {
	Key      string  `json:"key"`
	Target   float64 `json:"target"`
	Achieved float64 `json:"achieved"`
	Epochs   float64 `json:"epochs,omitempty"` // sources: selected / own tokens
}

// FeedDir resolves a run output folder or a feed folder to the feed
// folder.
func FeedDir(dir string) string {
	if _, err := os.Stat(filepath.Join(dir, "feed", FeedManifestName)); err == nil {
		return filepath.Join(dir, "feed")
	}
	return dir
}

// ReadFeedManifest loads dir's feed manifest (dir: a feed folder or the
// run output holding one).
func ReadFeedManifest(dir string) (*FeedManifest, string, error) {
	dir = FeedDir(dir)
	b, err := os.ReadFile(filepath.Join(dir, FeedManifestName))
	if err != nil {
		return nil, dir, fmt.Errorf("%s: not a curate feed (%w)", dir, err)
	}
	var m FeedManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, dir, fmt.Errorf("%s: %w", filepath.Join(dir, FeedManifestName), err)
	}
	return &m, dir, nil
}

// SplitShards lists a split's shards in index order.
func (m *FeedManifest) SplitShards(split string) []FeedShard {
	var out []FeedShard
	for _, s := range m.Shards {
		if s.Split == split {
			out = append(out, s)
		}
	}
	return out
}

// File returns a shard's file of a format (the data file, not an index),
// or nil.
func (s *FeedShard) File(format string) *FeedFile {
	for i := range s.Files {
		f := &s.Files[i]
		if f.Format == format && !isIndexFile(f.Path) {
			return f
		}
	}
	return nil
}

func isIndexFile(path string) bool {
	ext := filepath.Ext(path)
	return ext == ".idx" || ext == ".index"
}
