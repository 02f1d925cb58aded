// Package extract turns an HTML page into its main text. It holds two
// extractors behind one interface: Fast, a one-pass extractor of its own
// (tokenizer -> light block tree -> boilerplate scoring -> text), and
// Trafilatura, go-trafilatura with a pre/post pass that keeps the spaces
// go-trafilatura's trimming drops at inline-element and &nbsp; boundaries.
// It also decodes page bytes to UTF-8 (ToUTF8) and bounds each page's
// extraction in size and time (Limited). It imports nothing of the pipeline.
package extract

import (
	"errors"
	"fmt"
	"strings"
)

// Result is what an extractor finds in a page.
type Result struct {
	Text  string // main text, one line per paragraph, heading, list item or table row
	Title string
	Lang  string // declared language, when the page states one
}

// Extractor extracts the main text of UTF-8 HTML. Implementations hold no
// per-page state and are safe for concurrent use.
type Extractor interface {
	Extract(page []byte, pageURL string) (Result, error)
}

// Options configure both extractors.
type Options struct {
	// Focus: "balanced", "precision" or "recall" (trafilatura only).
	Focus string
	// IncludeTables keeps text inside data tables (fast: one line per row,
	// cells joined by " | "; layout tables around an article are always
	// read).
	IncludeTables bool
	// IncludeComments keeps a page's user comments (trafilatura only; the
	// fast extractor always drops comment sections).
	IncludeComments bool
	// Fallback runs go-trafilatura's readability/dom-distiller fallbacks
	// (trafilatura only).
	Fallback bool
}

// Names of the extractors, as the config and CLI spell them.
const (
	NameFast        = "fast"
	NameTrafilatura = "trafilatura"
)

// New returns the extractor called name ("" means the default, fast: the
// better of the two on the html-eval benchmarks and about 14 times faster).
func New(name string, o Options) (Extractor, error) {
	switch strings.ToLower(name) {
	case "", NameFast:
		return NewFast(o), nil
	case NameTrafilatura:
		return NewTrafilatura(o), nil
	}
	return nil, fmt.Errorf("unknown extractor %q (want %s or %s)", name, NameFast, NameTrafilatura)
}

// ErrTooLarge and ErrTimeout are returned by Limited.
var (
	ErrTooLarge = errors.New("page larger than the extraction size limit")
	ErrTimeout  = errors.New("extraction took longer than the time limit")
)
