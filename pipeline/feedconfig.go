package pipeline

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/curate-dev/curate/shards"
)

// FeedConfig adds the feed phase: the mixture by source and language, the
// seeded global shuffle, packing into seq_len + 1 token sequences, and the
// trainer formats. It needs a tokenizer with token shards.
type FeedConfig struct {
	// Name prefixes every shard file: <name>_train_000001.bin.
	Name string `yaml:"name"`
	// Seed drives every random choice of the feed: the validation split,
	// the samples of fractional epochs, the shuffle.
	Seed uint64 `yaml:"seed"`
	// SeqLen is the training context; sequences hold seq_len + 1 tokens.
	SeqLen int `yaml:"seq_len"`
	// Pack is "tokens" (documents cut at sequence boundaries, no padding)
	// or "document" (a document never starts mid-sequence unless it fits;
	// the gap is padded with the end-of-text id).
	Pack string `yaml:"pack"`
	// TotalTokens is the training budget; 0 = the largest budget that
	// needs no source beyond its max_epochs (1 where unset).
	TotalTokens int64 `yaml:"total_tokens"`
	// Languages are target token shares by language: ISO codes, "code"
	// for all code, "other" for the rest; one value may be "rest".
	Languages LanguageTargets `yaml:"languages"`
	// ValTokens or ValFraction hold out a validation split first, by
	// document (never repeated, never in train).
	ValTokens   int64   `yaml:"val_tokens"`
	ValFraction float64 `yaml:"val_fraction"`
	// Formats to write: parquet, llmc, megatron, nanotron.
	Formats []string `yaml:"formats"`
	// ShardTokens sizes shards (rounded down to whole sequences).
	ShardTokens int64 `yaml:"shard_tokens"`
	// WorldSize, when set, makes the train shard count a multiple of it
	// with equal shards, so every data-parallel rank gets an equal share.
	WorldSize int `yaml:"world_size"`
	// DType of stored ids: auto (uint16 when the vocabulary fits 65,536
	// ids, else uint32 — llm.c's llama-3 .bin variant), uint16 or uint32.
	DType string `yaml:"dtype"`
	// SplitTokens, when set, cuts documents longer than this into pieces of
	// this many tokens before sampling and shuffling, so a source of a few
	// long books can be sampled finer than a book (0 = documents whole).
	SplitTokens int `yaml:"split_tokens"`
	// ShuffleWindowTokens bounds the documents shuffled together after the
	// seeded permutation of document ranges: the feed's memory.
	ShuffleWindowTokens int64 `yaml:"shuffle_window_tokens"`
}

// UnmarshalYAML sets defaults; old-style to keep strictness.
func (f *FeedConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*f = FeedConfig{Name: "curate", Seed: 1337, SeqLen: 1024, Pack: "tokens",
		Formats: []string{shards.FormatParquet, shards.FormatLLMC}, ShardTokens: 100_000_000,
		DType: "auto", ShuffleWindowTokens: 4 << 20}
	type plain FeedConfig
	return unmarshal((*plain)(f))
}

// LanguageTargets are target shares by language key.
type LanguageTargets map[string]float64

// UnmarshalYAML reads numbers and at most one "rest".
func (l *LanguageTargets) UnmarshalYAML(unmarshal func(any) error) error {
	var raw map[string]string
	if err := unmarshal(&raw); err != nil {
		return err
	}
	out := LanguageTargets{}
	rest := ""
	var sum float64
	for _, k := range sortedKeys(raw) {
		v := strings.TrimSpace(raw[k])
		if v == "rest" {
			if rest != "" {
				return fmt.Errorf("languages: both %s and %s are \"rest\"", rest, k)
			}
			rest = k
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 1 || math.IsNaN(x) {
			return fmt.Errorf("languages: %s: want a share between 0 and 1 or \"rest\", got %q", k, v)
		}
		out[k] = x
		sum += x
	}
	if rest != "" {
		if sum > 1+1e-9 {
			return fmt.Errorf("languages: shares sum to %g before %s: rest", sum, rest)
		}
		out[rest] = math.Max(0, 1-sum)
	}
	*l = out
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (f *FeedConfig) validate(c *Config) ConfigErrors {
	var errs ConfigErrors
	bad := func(key, msg string) { errs = append(errs, c.errAt("feed: "+msg, "feed", key)) }
	if c.Tokenizer == nil || !c.Tokenizer.TokenShards {
		errs = append(errs, c.errAt("feed: needs a tokenizer block with token_shards: true", "feed"))
	}
	if !nameRe.MatchString(f.Name) {
		bad("name", fmt.Sprintf("name %q: use lower-case letters, digits, '.', '_' or '-'", f.Name))
	}
	if f.SeqLen <= 0 {
		bad("seq_len", "seq_len must be positive")
	}
	if f.Pack != "tokens" && f.Pack != "document" {
		bad("pack", fmt.Sprintf("pack must be tokens or document, got %q", f.Pack))
	}
	if f.TotalTokens < 0 {
		bad("total_tokens", "total_tokens must not be negative")
	}
	if f.ValTokens < 0 || f.ValFraction < 0 || f.ValFraction >= 1 {
		bad("val_tokens", "val_tokens must be ≥ 0 and val_fraction in [0, 1)")
	}
	if f.ValTokens > 0 && f.ValFraction > 0 {
		bad("val_tokens", "set val_tokens or val_fraction, not both")
	}
	if len(f.Formats) == 0 {
		bad("formats", "formats must list at least one of parquet, llmc, megatron, nanotron")
	}
	for _, fm := range f.Formats {
		switch fm {
		case shards.FormatParquet, shards.FormatLLMC, shards.FormatMegatron, shards.FormatNanotron:
		default:
			bad("formats", fmt.Sprintf("unknown format %q (want parquet, llmc, megatron or nanotron)", fm))
		}
	}
	if f.ShardTokens <= int64(f.SeqLen) {
		bad("shard_tokens", "shard_tokens must exceed seq_len")
	}
	if f.WorldSize < 0 {
		bad("world_size", "world_size must not be negative")
	}
	if f.DType != "auto" && f.DType != string(shards.Uint16) && f.DType != string(shards.Uint32) {
		bad("dtype", fmt.Sprintf("dtype must be auto, uint16 or uint32, got %q", f.DType))
	}
	if f.SplitTokens < 0 || (f.SplitTokens > 0 && f.SplitTokens < 2) {
		bad("split_tokens", "split_tokens must be 0 (off) or at least 2")
	}
	if f.ShuffleWindowTokens <= 0 {
		bad("shuffle_window_tokens", "shuffle_window_tokens must be positive")
	}
	if len(f.Languages) > 0 {
		var sum float64
		for _, v := range f.Languages {
			sum += v
		}
		if math.Abs(sum-1) > 1e-6 {
			bad("languages", fmt.Sprintf("language shares sum to %g, want 1 (give one language the value rest)", sum))
		}
	}
	for i, s := range c.Sources {
		if s.MaxEpochs < 0 {
			errs = append(errs, c.errAt(fmt.Sprintf("max_epochs must not be negative, got %g", s.MaxEpochs), "sources", i, "max_epochs"))
		}
	}
	return errs
}

// dtype resolves the configured width against the vocabulary.
func (f *FeedConfig) dtype(vocab int) (shards.DType, error) {
	switch f.DType {
	case "auto":
		return shards.DTypeFor(vocab), nil
	case string(shards.Uint16):
		if vocab > 1<<16 {
			return "", fmt.Errorf("feed: a vocabulary of %d ids does not fit uint16 (llm.c's GPT-2 .bin); set dtype: uint32 (llm.c's llama-3 variant) or auto", vocab)
		}
		return shards.Uint16, nil
	}
	return shards.Uint32, nil
}

var errNoEOT = errors.New("feed: the tokenizer has no end-of-text token; documents are separated by it")
