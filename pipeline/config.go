// Package pipeline runs curate: the strict YAML config, the phase and task
// model, the local executor with per-task atomic outputs and completion
// markers, the run manifest and the run's statistics.
//
// A run is a fixed chain of phases; each phase is split into tasks, the unit
// of scheduling, retry and resumption (datatrove's model). A task writes to
// temporary names, fsyncs, renames, and only then writes its completion
// marker, so a killed run resumes where it stopped and never leaves a partial
// file under a final name.
package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	executors "github.com/curate-dev/curate/pipeline/executor"
	"github.com/curate-dev/curate/sources/books"
	"github.com/curate-dev/curate/sources/commoncrawl"
	"github.com/curate-dev/curate/sources/github"
	"github.com/curate-dev/curate/sources/journals"
	"github.com/curate-dev/curate/sources/jsonl"
	"github.com/curate-dev/curate/sources/reddit"
	"github.com/curate-dev/curate/sources/wikipedia"
	"github.com/curate-dev/curate/stages/filter"
	"github.com/curate-dev/curate/stages/langid"
)

// Config is the whole run, as written in configs/mix.yaml. Every field's
// comment is the reference for its key.
type Config struct {
	// Output is the run's output directory (created if missing).
	Output string `yaml:"output"`
	// Workers bounds how many tasks run at once; 0 means all cores.
	Workers int `yaml:"workers"`
	// MemoryMB bounds the memory the running tasks are expected to hold
	// (decoder windows, row-group buffers); a task that does not fit waits
	// for others to finish. 0 means half of the machine's memory.
	MemoryMB int `yaml:"memory_mb"`
	// Retries is how many more times a failed task is run before the run
	// fails (a preempted read, a full disk freed meanwhile). Tasks write to
	// temporary names, so a retry starts clean. 0 means none.
	Retries int `yaml:"retries"`
	// OnError is the default for sources: "skip" counts and reports bad
	// records and unreadable inputs and goes on; "fail" stops the run.
	OnError string `yaml:"on_error"`
	// KeepRejected writes every dropped document, with the rule that
	// dropped it, to rejected/<source>/ for inspection.
	KeepRejected bool `yaml:"keep_rejected"`
	// Parquet tunes the curated-document shards.
	Parquet ParquetOptions `yaml:"parquet"`
	// Sources are the inputs of the mix.
	Sources []SourceConfig `yaml:"sources"`
	// LangID, when set, tags every document's natural language (lingua-go,
	// made fast); code keeps its code:<lang> tag. Without it documents keep
	// what their source says (a book's header, a dump's dbname) or "und".
	LangID *langid.Options `yaml:"langid"`
	// Tokenizer, when set, trains (or loads) a byte-level BPE on the
	// curated text and tokenizes it: token_count is filled and token shards
	// are written.
	Tokenizer *TokenizerConfig `yaml:"tokenizer"`
	// Feed, when set, mixes, shuffles and packs the token shards into the
	// trainer formats under feed/ (see FeedConfig).
	Feed *FeedConfig `yaml:"feed"`
	// Dedup, when set, removes exact, same-URL and near-duplicate
	// documents across all sources (and against earlier runs) before the
	// tokenizer; see DedupConfig.
	Dedup *DedupConfig `yaml:"dedup"`
	// Slurm sets the #SBATCH lines of `curate run --executor slurm`.
	Slurm *executors.SlurmOptions `yaml:"slurm" json:"-"`
	// Kubernetes sets the image, volume and resources of `curate k8s`.
	Kubernetes *executors.KubernetesOptions `yaml:"kubernetes" json:"-"`

	// path is the file the config came from, for error positions.
	path string
	root *yaml.Node
}

// ParquetOptions tunes the curated Parquet shards.
type ParquetOptions struct {
	// RowGroupMB cuts row groups by uncompressed bytes (default 64).
	RowGroupMB int `yaml:"row_group_mb"`
	// ZstdLevel is the zstd compression level (default 3).
	ZstdLevel int `yaml:"zstd_level"`
}

// SourceConfig is one source of the mix. Exactly one kind block (books,
// jsonl, ...) says how its inputs are read.
type SourceConfig struct {
	// Name identifies the source in ids, output paths and reports.
	Name string `yaml:"name"`
	// Inputs are paths, globs or http(s) URLs, relative to the working
	// directory.
	Inputs []string `yaml:"inputs"`
	// Weight is the source's share in the training mixture (default 1).
	Weight float64 `yaml:"weight"`
	// Epochs is how many times the source is seen in training (default 1).
	Epochs float64 `yaml:"epochs"`
	// MaxEpochs caps the feed's repeats of this source (0 = no cap).
	MaxEpochs float64 `yaml:"max_epochs" json:",omitempty"`
	// OnError overrides the run's on_error for this source.
	OnError string `yaml:"on_error"`
	// MinChars drops documents shorter than this after normalisation.
	MinChars int `yaml:"min_chars"`
	// Filter is the quality-filter chain; its preset (web, wikipedia,
	// books, reddit, code) sets the defaults the other keys override.
	// Without a filter block a source gets its kind's preset (jsonl: none).
	Filter *filter.Options `yaml:"filter"`

	Books       *books.Options       `yaml:"books"`
	JSONL       *jsonl.Options       `yaml:"jsonl"`
	CommonCrawl *commoncrawl.Options `yaml:"commoncrawl"`
	GitHub      *github.Options      `yaml:"github"`
	Wikipedia   *wikipedia.Options   `yaml:"wikipedia"`
	Reddit      *reddit.Options      `yaml:"reddit"`
	// Journals reads arXiv LaTeX sources, PMC/JATS articles and MEDLINE
	// citations.
	Journals *journals.Options `yaml:"journals"`
}

// DefaultConfig is what an empty file means.
func DefaultConfig() Config {
	return Config{Output: "out", OnError: "skip", Parquet: ParquetOptions{RowGroupMB: 64, ZstdLevel: 3}}
}

// UnmarshalYAML applies source defaults; old-style to keep strictness.
func (s *SourceConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*s = SourceConfig{Weight: 1, Epochs: 1}
	type plain SourceConfig
	return unmarshal((*plain)(s))
}

// ConfigError is a config mistake with its position in the file.
type ConfigError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ConfigErrors lists every mistake found, not just the first.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

var (
	unknownFieldRe = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	typeErrRe      = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// LoadConfig reads and checks a config file. Every error names the file,
// line and column and the key at fault.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: config file not found", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ParseConfig(path, data)
}

// ParseConfig parses config bytes; path is used in messages.
func ParseConfig(path string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlSyntaxError(path, err)
	}
	cfg := DefaultConfig()
	cfg.path, cfg.root = path, &root
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && err.Error() != "EOF" {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, yamlSyntaxError(path, err)
		}
		var errs ConfigErrors
		for _, msg := range te.Errors {
			errs = append(errs, cfg.typeError(msg))
		}
		return nil, errs
	}
	if errs := cfg.validate(); len(errs) > 0 {
		return nil, errs
	}
	return &cfg, nil
}

func yamlSyntaxError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := typeErrRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return ConfigErrors{{File: path, Line: line, Col: 1, Msg: m[2]}}
	}
	return ConfigErrors{{File: path, Msg: msg}}
}

func (c *Config) typeError(msg string) *ConfigError {
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col := findKeyColumn(c.root, line, m[2])
		return &ConfigError{File: c.path, Line: line, Col: col,
			Msg: fmt.Sprintf("unknown key %q (in %s)", m[2], strings.TrimPrefix(m[3], "pipeline."))}
	}
	if m := typeErrRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		node := findValueAtLine(c.root, line)
		col, key := 1, ""
		if node != nil {
			col, key = node.Column, node.Value
		}
		text := m[2]
		if key != "" {
			text = fmt.Sprintf("key %q: %s", key, text)
		}
		return &ConfigError{File: c.path, Line: line, Col: col, Msg: text}
	}
	return &ConfigError{File: c.path, Msg: msg}
}

// findKeyColumn finds the column of mapping key name on line.
func findKeyColumn(n *yaml.Node, line int, name string) int {
	if n == nil {
		return 1
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Line == line && k.Value == name {
				return k.Column
			}
		}
	}
	for _, ch := range n.Content {
		if col := findKeyColumn(ch, line, name); col > 1 {
			return col
		}
	}
	return 1
}

// findValueAtLine returns the key node whose value sits on line, so a type
// error can name the key.
func findValueAtLine(n *yaml.Node, line int) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i+1].Line == line && n.Content[i+1].Kind == yaml.ScalarNode {
				return n.Content[i]
			}
		}
	}
	for _, ch := range n.Content {
		if found := findValueAtLine(ch, line); found != nil {
			return found
		}
	}
	return nil
}

// at locates a path of mapping keys and sequence indexes ("sources", 1,
// "inputs", 0) in the document, for semantic errors.
func (c *Config) at(path ...any) (line, col int) {
	n := c.root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line, col = 0, 0
	for _, p := range path {
		if n == nil {
			break
		}
		switch p := p.(type) {
		case string:
			var next *yaml.Node
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == p {
						line, col = n.Content[i].Line, n.Content[i].Column
						next = n.Content[i+1]
						break
					}
				}
			}
			n = next
		case int:
			if n.Kind == yaml.SequenceNode && p < len(n.Content) {
				n = n.Content[p]
				line, col = n.Line, n.Column
			} else {
				n = nil
			}
		}
	}
	return line, col
}

func (c *Config) errAt(msg string, path ...any) *ConfigError {
	line, col := c.at(path...)
	return &ConfigError{File: c.path, Line: line, Col: col, Msg: msg}
}

// Path is the file the config was read from.
func (c *Config) Path() string { return c.path }
