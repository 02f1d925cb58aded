package pipeline

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/curate-dev/curate/sources"
	"github.com/curate-dev/curate/sources/books"
	"github.com/curate-dev/curate/sources/commoncrawl"
	"github.com/curate-dev/curate/sources/github"
	"github.com/curate-dev/curate/sources/journals"
	"github.com/curate-dev/curate/sources/jsonl"
	"github.com/curate-dev/curate/sources/reddit"
	"github.com/curate-dev/curate/sources/wikipedia"
)

// kindBlock is one source kind a SourceConfig may name; adding a source
// kind means adding its Options field to SourceConfig and a row here.
type kindBlock struct {
	name  string
	set   bool
	build func() (sources.Kind, error)
	check func() error
	// dirs: the kind takes directories as inputs (source trees).
	dirs bool
}

func (s *SourceConfig) kinds() []kindBlock {
	return []kindBlock{
		{"books", s.Books != nil,
			func() (sources.Kind, error) { return books.New(*s.Books) },
			func() error { return s.Books.Validate() }, false},
		{"jsonl", s.JSONL != nil,
			func() (sources.Kind, error) { return jsonl.New(*s.JSONL) },
			func() error { return s.JSONL.Validate() }, false},
		{"commoncrawl", s.CommonCrawl != nil,
			func() (sources.Kind, error) { return commoncrawl.New(*s.CommonCrawl, "") },
			func() error { return s.CommonCrawl.Validate() }, false},
		{"wikipedia", s.Wikipedia != nil,
			func() (sources.Kind, error) { return wikipedia.New(*s.Wikipedia) },
			func() error { return s.Wikipedia.Validate() }, false},
		{"reddit", s.Reddit != nil,
			func() (sources.Kind, error) { return reddit.New(*s.Reddit) },
			func() error { return s.Reddit.Validate() }, false},
		{"github", s.GitHub != nil,
			func() (sources.Kind, error) { return github.New(*s.GitHub) },
			func() error { return s.GitHub.Validate() }, true},
		{"journals", s.Journals != nil,
			func() (sources.Kind, error) { return journals.New(*s.Journals) },
			func() error { return s.Journals.Validate() }, true},
	}
}

// Kind names the source's kind block ("books", ...), "" if none is set.
func (s *SourceConfig) Kind() string {
	for _, k := range s.kinds() {
		if k.set {
			return k.name
		}
	}
	return ""
}

// takesDirs reports whether the source's kind reads directories.
func (s *SourceConfig) takesDirs() bool {
	for _, k := range s.kinds() {
		if k.set {
			return k.dirs
		}
	}
	return false
}

// Build makes the source's reader factory.
func (s *SourceConfig) Build() (sources.Kind, error) {
	for _, k := range s.kinds() {
		if k.set {
			return k.build()
		}
	}
	return nil, fmt.Errorf("source %q: no kind block", s.Name)
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

func validOnError(v string) bool { return v == "skip" || v == "fail" }

// validate checks meaning, not syntax: every mistake is reported with its
// position.
func (c *Config) validate() ConfigErrors {
	errs := append(c.nonFiniteErrors(), c.numericErrors()...)
	if c.Output == "" {
		errs = append(errs, c.errAt("output must not be empty", "output"))
	}
	if c.Workers < 0 {
		errs = append(errs, c.errAt(fmt.Sprintf("workers must be 0 (all cores) or more, got %d", c.Workers), "workers"))
	}
	if c.Retries < 0 || c.Retries > 100 {
		errs = append(errs, c.errAt(fmt.Sprintf("retries must be 0 to 100, got %d", c.Retries), "retries"))
	}
	if c.MemoryMB < 0 {
		errs = append(errs, c.errAt(fmt.Sprintf("memory_mb must be 0 (half the machine) or more, got %d", c.MemoryMB), "memory_mb"))
	}
	if !validOnError(c.OnError) {
		errs = append(errs, c.errAt(fmt.Sprintf("on_error must be skip or fail, got %q", c.OnError), "on_error"))
	}
	if c.Parquet.RowGroupMB <= 0 {
		errs = append(errs, c.errAt("parquet.row_group_mb must be positive", "parquet", "row_group_mb"))
	}
	if c.LangID != nil {
		if err := c.LangID.Validate(); err != nil {
			errs = append(errs, c.errAt("langid: "+err.Error(), "langid"))
		}
	}
	if c.Tokenizer != nil {
		if err := c.Tokenizer.validate(); err != nil {
			errs = append(errs, c.errAt("tokenizer: "+err.Error(), "tokenizer"))
		}
	}
	if c.Feed != nil {
		errs = append(errs, c.Feed.validate(c)...)
	}
	errs = append(errs, c.validateDedup()...)
	if len(c.Sources) == 0 {
		errs = append(errs, c.errAt("no sources: the config must list at least one source", "sources"))
	}
	seen := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		switch {
		case !nameRe.MatchString(s.Name):
			errs = append(errs, c.errAt(fmt.Sprintf("source name %q: use lower-case letters, digits, '.', '_' or '-'", s.Name), "sources", i, "name"))
		case seen[s.Name]:
			errs = append(errs, c.errAt(fmt.Sprintf("source name %q used twice", s.Name), "sources", i, "name"))
		}
		seen[s.Name] = true
		if s.OnError == "" {
			s.OnError = c.OnError
		} else if !validOnError(s.OnError) {
			errs = append(errs, c.errAt(fmt.Sprintf("on_error must be skip or fail, got %q", s.OnError), "sources", i, "on_error"))
		}
		if s.Weight <= 0 {
			errs = append(errs, c.errAt(fmt.Sprintf("weight must be positive, got %g", s.Weight), "sources", i, "weight"))
		}
		if s.Epochs <= 0 {
			errs = append(errs, c.errAt(fmt.Sprintf("epochs must be positive, got %g", s.Epochs), "sources", i, "epochs"))
		}
		if len(s.Inputs) == 0 {
			errs = append(errs, c.errAt(fmt.Sprintf("source %q has no inputs", s.Name), "sources", i))
		}
		var set []string
		for _, k := range s.kinds() {
			if k.set {
				set = append(set, k.name)
				if err := k.check(); err != nil {
					errs = append(errs, c.errAt(fmt.Sprintf("source %q: %s: %v", s.Name, k.name, err), "sources", i, k.name))
				}
			}
		}
		if s.Filter != nil {
			if err := s.Filter.Validate(); err != nil {
				errs = append(errs, c.errAt(fmt.Sprintf("source %q: filter: %v", s.Name, err), "sources", i, "filter"))
			}
		}
		if len(set) != 1 {
			var all []string
			for _, k := range s.kinds() {
				all = append(all, k.name)
			}
			msg := fmt.Sprintf("source %q needs exactly one kind block (one of %s), has %d", s.Name, strings.Join(all, ", "), len(set))
			errs = append(errs, c.errAt(msg, "sources", i))
		}
	}
	return errs
}

// ExpandInputs resolves a source's inputs. A pattern that matches nothing
// or names a missing file or a directory, and a glob match that cannot be
// read (a dangling symlink, a symlink loop, a FIFO), is an error at its line
// in the config; under on_error: skip it is returned in skipped instead, so
// the run goes on with the rest and reports it.
func (c *Config) ExpandInputs(i int) (inputs []sources.Input, skipped []error, err error) {
	s := &c.Sources[i]
	seen := map[string]bool{}
	for j, pat := range s.Inputs {
		ins, bad, err := sources.ExpandPattern("", pat, s.takesDirs())
		if err != nil {
			bad = []error{err}
		}
		for _, b := range bad {
			ce := c.errAt(fmt.Sprintf("source %q: %v", s.Name, b), "sources", i, "inputs", j)
			if s.OnError != "skip" {
				return nil, nil, ce
			}
			skipped = append(skipped, ce)
		}
		for _, in := range ins {
			if !seen[in.Path] {
				seen[in.Path] = true
				inputs = append(inputs, in)
			}
		}
	}
	sort.Slice(inputs, func(a, b int) bool { return inputs[a].Path < inputs[b].Path })
	return inputs, skipped, nil
}
