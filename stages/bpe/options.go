// Package bpe is curate's byte-level BPE: a trainer that learns a vocabulary
// from a stream of texts, an encoder and decoder with tiktoken's exact
// semantics, loaders for external vocabularies (tiktoken rank files and
// tiktoken's JSON encodings, byte-level tokenizer.json) and exporters to HF
// tokenizer.json, tiktoken, GPT-2 vocab.json+merges.txt and llm.c's
// tokenizer .bin.
//
// Layout: ids 0-255 are the bytes, merges get ids 256, 257, ... in the order
// they are learned, and special tokens come last. A token's id is its rank,
// so the same vocabulary serves tiktoken (rank = merge priority) and HF
// (merge order) alike.
package bpe

import (
	"fmt"
	"runtime"
)

// Options configure training. The YAML keys are the config reference.
type Options struct {
	// VocabSize is the total number of ids: 256 bytes + merges + special
	// tokens. Training stops earlier if no pair reaches MinFrequency.
	VocabSize int `yaml:"vocab_size"`
	// Pattern is the pre-tokenization split: gpt2, cl100k, o200k or llama3
	// (llama3 is cl100k's expression).
	Pattern Pattern `yaml:"pattern"`
	// MinFrequency is the lowest count a pair must have to be merged.
	MinFrequency int64 `yaml:"min_frequency"`
	// SpecialTokens get the last ids, in this order.
	SpecialTokens []string `yaml:"special_tokens"`
	// EOT is the special token that ends a document; it must be in
	// SpecialTokens.
	EOT string `yaml:"eot"`
	// SampleBytes is the training budget: text after this many bytes is not
	// read (0 = no limit). The pipeline feeds a mixture-weighted sample.
	SampleBytes int64 `yaml:"sample_bytes"`
	// MaxPretokenBytes drops pre-tokens longer than this from the counts
	// (long runs of one character, base64 blobs); they are still encoded at
	// inference, by their bytes and shorter merges. 0 = no limit.
	MaxPretokenBytes int `yaml:"max_pretoken_bytes"`
	// MaxDistinctPretokens bounds the pre-token table. When it is exceeded,
	// the rarest pre-tokens are pruned: every pre-token whose count is at
	// most the smallest threshold that brings the table to 3/4 of the cap.
	// Ties are pruned together, so the result does not depend on order.
	// Each distinct pre-token costs about 60 bytes of memory, so the default
	// (5,000,000) bounds the table near 300 MB.
	MaxDistinctPretokens int `yaml:"max_distinct_pretokens"`
	// MaxTokenBytes is the longest token a merge may create (0 = no limit).
	// llm.c's .bin stores lengths in one byte, so export to it needs <= 255.
	MaxTokenBytes int `yaml:"max_token_bytes"`
	// Threads used to count pre-tokens (0 = all cores). The vocabulary does
	// not depend on it.
	Threads int `yaml:"threads"`
}

// DefaultOptions returns the defaults.
func DefaultOptions() Options {
	return Options{
		VocabSize:            32768,
		Pattern:              PatternO200K,
		MinFrequency:         2,
		SpecialTokens:        []string{"<|endoftext|>"},
		EOT:                  "<|endoftext|>",
		SampleBytes:          4 << 30,
		MaxPretokenBytes:     256,
		MaxDistinctPretokens: 5_000_000,
		MaxTokenBytes:        0,
		Threads:              0,
	}
}

// UnmarshalYAML applies defaults before decoding; the old-style unmarshaler
// keeps the decoder's KnownFields strictness.
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate checks the options.
func (o Options) Validate() error {
	if err := o.Pattern.Validate(); err != nil {
		return fmt.Errorf("pattern: %w", err)
	}
	if o.VocabSize < 256+len(o.SpecialTokens) {
		return fmt.Errorf("vocab_size %d is below 256 bytes + %d special tokens", o.VocabSize, len(o.SpecialTokens))
	}
	if o.VocabSize > 1<<31 {
		return fmt.Errorf("vocab_size %d is too large", o.VocabSize)
	}
	if o.MinFrequency < 1 {
		return fmt.Errorf("min_frequency %d must be at least 1", o.MinFrequency)
	}
	seen := map[string]bool{}
	for _, s := range o.SpecialTokens {
		if s == "" {
			return fmt.Errorf("special_tokens: empty token")
		}
		if seen[s] {
			return fmt.Errorf("special_tokens: %q listed twice", s)
		}
		seen[s] = true
	}
	if o.EOT != "" && !seen[o.EOT] {
		return fmt.Errorf("eot %q is not in special_tokens", o.EOT)
	}
	if o.SampleBytes < 0 || o.MaxPretokenBytes < 0 || o.MaxDistinctPretokens < 0 || o.MaxTokenBytes < 0 || o.Threads < 0 {
		return fmt.Errorf("sample_bytes, max_pretoken_bytes, max_distinct_pretokens, max_token_bytes and threads must not be negative")
	}
	if o.MaxDistinctPretokens > 0 && o.MaxDistinctPretokens < 1000 {
		return fmt.Errorf("max_distinct_pretokens %d is too small (at least 1000)", o.MaxDistinctPretokens)
	}
	if o.MaxTokenBytes > 0 && o.MaxTokenBytes < 2 {
		return fmt.Errorf("max_token_bytes %d must be 0 or at least 2", o.MaxTokenBytes)
	}
	return nil
}

func (o Options) threads() int {
	if o.Threads > 0 {
		return o.Threads
	}
	return runtime.GOMAXPROCS(0)
}
