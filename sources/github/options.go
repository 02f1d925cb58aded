package github

import (
	"fmt"
	"strings"
)

// Options configure the GitHub code source (YAML key `github:` in a source
// entry). The file rules follow The Stack (v1) and the Codex paper.
type Options struct {
	// MaxFileBytes skips files larger than this (The Stack: 1 MB).
	MaxFileBytes int64 `yaml:"max_file_bytes"`
	// MaxLineLength drops a file with any line longer than this (Codex: 1000).
	MaxLineLength int `yaml:"max_line_length"`
	// MaxMeanLineLength drops a file whose mean line length is above this
	// (Codex: 100).
	MaxMeanLineLength float64 `yaml:"max_mean_line_length"`
	// MinAlnumFraction drops a file with fewer alphanumeric characters than
	// this share of all characters (Codex: 0.25).
	MinAlnumFraction float64 `yaml:"min_alnum_fraction"`
	// SkipVendored drops third-party code Linguist calls vendored
	// (node_modules/, vendor/, tests/unity/ in cJSON's case, ...).
	SkipVendored bool `yaml:"skip_vendored"`
	// SkipGenerated drops files Linguist recognises as generated
	// (protobuf output, lock files, minified bundles, ...).
	SkipGenerated bool `yaml:"skip_generated"`
	// SkipTypes drops files whose Linguist language type is listed: "data"
	// (JSON, YAML, CSV, ...), "prose" (Markdown, text), "markup" (HTML, ...),
	// "programming".
	SkipTypes []string `yaml:"skip_types"`
	// Languages, when not empty, keeps only these Linguist languages
	// (case-insensitive names such as "Go", "Python", "C++").
	Languages []string `yaml:"languages"`
	// SkipLanguages drops these Linguist languages (case-insensitive);
	// by default plain "Text" (READMEs, sample .txt files), which is not code.
	SkipLanguages []string `yaml:"skip_languages"`
	// Licenses is the allow-list of SPDX ids; files of a repository whose
	// licence is not on it are dropped (The Stack keeps permissive licences
	// only). Empty keeps every licence.
	Licenses []string `yaml:"licenses"`
	// AllowUnlicensed keeps repositories with no licence file found (their
	// licence meta is "unknown"); The Stack drops them.
	AllowUnlicensed bool `yaml:"allow_unlicensed"`
	// Columns names the fields of JSONL/Parquet rows. Empty fields fall back
	// to The Stack's and codeparrot's names (content/code, path /
	// max_stars_repo_path, repo_name / max_stars_repo_name, license /
	// licenses / max_stars_repo_licenses / detected_licenses).
	Columns Columns `yaml:"columns"`
}

// Columns names the fields of a row-format input.
type Columns struct {
	// Content holds the file's text.
	Content string `yaml:"content"`
	// Path is the file's path inside its repository.
	Path string `yaml:"path"`
	// Repo is the repository's name, "owner/name".
	Repo string `yaml:"repo"`
	// License is an SPDX id or a list of them.
	License string `yaml:"license"`
}

// PermissiveLicenses is the default allow-list: the permissive SPDX ids The
// Stack kept, as github.com/google/licensecheck names them.
func PermissiveLicenses() []string {
	return []string{
		"MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSD-3-Clause-Clear",
		"0BSD", "ISC", "Unlicense", "CC0-1.0", "Zlib", "BSL-1.0", "Artistic-2.0",
		"PostgreSQL", "Python-2.0", "NCSA", "UPL-1.0", "X11", "WTFPL", "MS-PL", "ECL-2.0",
	}
}

// DefaultOptions are The Stack's and Codex's settings.
func DefaultOptions() Options {
	return Options{
		MaxFileBytes:      1 << 20,
		MaxLineLength:     1000,
		MaxMeanLineLength: 100,
		MinAlnumFraction:  0.25,
		SkipVendored:      true,
		SkipGenerated:     true,
		SkipTypes:         []string{"data"},
		SkipLanguages:     []string{"Text"},
		Licenses:          PermissiveLicenses(),
	}
}

// UnmarshalYAML fills defaults before decoding, keeping KnownFields
// strictness (the old-style unmarshaler goes through the same decoder).
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports the first bad setting.
func (o Options) Validate() error {
	switch {
	case o.MaxFileBytes <= 0:
		return fmt.Errorf("github: max_file_bytes must be > 0, got %d", o.MaxFileBytes)
	case o.MaxLineLength <= 0:
		return fmt.Errorf("github: max_line_length must be > 0, got %d", o.MaxLineLength)
	case o.MaxMeanLineLength <= 0:
		return fmt.Errorf("github: max_mean_line_length must be > 0, got %g", o.MaxMeanLineLength)
	case o.MinAlnumFraction < 0 || o.MinAlnumFraction > 1:
		return fmt.Errorf("github: min_alnum_fraction must be in [0,1], got %g", o.MinAlnumFraction)
	}
	for _, t := range o.SkipTypes {
		switch strings.ToLower(t) {
		case "data", "prose", "markup", "programming":
		default:
			return fmt.Errorf("github: skip_types: unknown Linguist type %q (data, prose, markup, programming)", t)
		}
	}
	return nil
}
