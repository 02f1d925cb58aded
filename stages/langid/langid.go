// Package langid tags each document with its natural language: an ISO 639-1
// code in Document.Language and a confidence in Document.LanguageScore.
//
// It gives the answers of github.com/pemistahl/lingua-go at corpus speed.
// lingua as it comes scores every character of a document with per-language
// string maps and arbitrary-precision decimals; a crawl is terabytes. This
// stage keeps lingua's models and its decision rules and changes how they are
// applied:
//
//   - Sampling: a document is read as at most max_windows windows of about
//     window_bytes each, spread evenly over the text (every byte when the
//     text is shorter than that). Each window is classified on its own and
//     the votes are averaged, weighted by letters. A long document costs the
//     same as a medium one, and a mixed document shows it: a French book
//     with an English preface comes out French with a lower score.
//   - Script routing first: lingua's rules run before any n-gram is looked
//     up. Windows in Hangul, kana, Greek, Hebrew, Thai, Armenian, Georgian,
//     Tamil, ... are decided by script alone; Cyrillic, Arabic, Devanagari,
//     Han and Latin narrow the candidates to that script's languages.
//   - Texts (windows) of 120+ letters are scored with trigrams alone, as
//     lingua does, falling back to the bigram prefix and first letter. That
//     fallback chain is resolved once into a dense row per n-gram, so
//     scoring a trigram is one hash lookup and one add per candidate
//     language, with no strings built.
//   - Shorter windows are scored as lingua's default high-accuracy mode
//     does, with 1- to 5-grams. The 4- and 5-gram models are most of
//     lingua's 2 GB; here they are merged per script (Latin, Cyrillic,
//     Arabic, Devanagari) into compact tables that are loaded only when the
//     first short window routed to that script arrives (or all at New with
//     HighAccuracy): a Tagger with every table loaded holds ~235 MB. One
//     lookup gives every language's probability; a window's lookups run
//     back to back so their cache misses overlap (short.go), and on Linux
//     the tables sit in huge pages.
//   - Confidences are lingua's softmax over summed log probabilities,
//     computed in float64 relative to the best language instead of with
//     big decimals (the same values, without the exp/pow cost).
//   - The "und" threshold grows with the letters judged (Tagger.Threshold):
//     a short text's confidence is flat even when its best language is
//     right, so a fixed threshold would make most short texts "und".
//
// The tests hold the port to lingua-go's own output, on long and on short
// texts.
//
// A Tagger is safe for concurrent use (its only change after New is the
// once-only load of a script's short-text tables): build one per
// run and share it across goroutines and sources.
package langid

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/pemistahl/lingua-go"
)

// Undetermined is the Language of a document whose language is not known
// with at least Options.MinConfidence.
const Undetermined = "und"

// CounterUndetermined counts documents tagged Undetermined.
const CounterUndetermined = "langid.und"

// Options configures the language tagger (YAML key `langid` in a run config).
type Options struct {
	// MinConfidence is the confidence (0..1) below which a document of 120+
	// letters is tagged "und" (its language_score still holds the
	// confidence of the best language); below 120 letters the threshold is
	// proportionally lower (Tagger.Threshold). The confidence is the
	// letter-weighted share of sampled windows voting for the language,
	// times lingua's confidence per window, so a document half in one
	// language and half in another scores ~0.5.
	MinConfidence float64 `yaml:"min_confidence"`
	// Languages lists the candidate languages as ISO 639-1 codes ("en",
	// "fr", ...). Empty means every language lingua-go supports (75). Fewer
	// candidates start faster and use less memory; text in a language not
	// listed is tagged as the closest listed one or "und".
	Languages []string `yaml:"languages"`
	// WindowBytes is the size of one sampled window of text, in bytes
	// (snapped to word boundaries). At least 128: lingua's models are tuned
	// for 120+ characters.
	WindowBytes int `yaml:"window_bytes"`
	// MaxWindows is how many windows at most are classified per document.
	// A document longer than WindowBytes*MaxWindows is sampled at evenly
	// spaced positions; a shorter one is classified in full.
	MaxWindows int `yaml:"max_windows"`
	// HighAccuracy loads the 4- and 5-gram tables of every script at New
	// (~10 s of start-up, more under load) instead of when the first short
	// text in that script arrives. Short texts are scored the same either
	// way, as lingua's high-accuracy mode does; set it where a run must not
	// stall on its first short text, or to measure memory up front.
	HighAccuracy bool `yaml:"high_accuracy"`
}

// DefaultOptions returns the defaults: all lingua languages, minimum
// confidence 0.5, 8 windows of 1 KiB.
func DefaultOptions() Options {
	return Options{
		MinConfidence: 0.5,
		WindowBytes:   1024,
		MaxWindows:    8,
	}
}

// UnmarshalYAML fills unset keys with DefaultOptions. It is the old-style
// unmarshaler on purpose: it keeps the decoder's KnownFields strictness.
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	if o.MinConfidence < 0 || o.MinConfidence > 1 {
		return fmt.Errorf("langid: min_confidence %v is outside 0..1", o.MinConfidence)
	}
	if o.WindowBytes < 128 || o.WindowBytes > 1<<20 {
		return fmt.Errorf("langid: window_bytes %d is outside 128..1048576", o.WindowBytes)
	}
	if o.MaxWindows < 1 || o.MaxWindows > 1024 {
		return fmt.Errorf("langid: max_windows %d is outside 1..1024", o.MaxWindows)
	}
	_, err := parseLanguages(o.Languages)
	return err
}

// letterTableSize bounds the letters lingua's unique and shared letter
// rules name (all below U+2000: Latin, Cyrillic, Devanagari, Vietnamese).
const letterTableSize = 0x2000

// numLang is the number of lingua languages; lingua.Language values are
// 0..numLang-1 and lingua.Unknown == numLang.
const numLang = int(lingua.Unknown)

// parseLanguages maps ISO 639-1 codes to lingua languages, sorted and
// without duplicates; no codes means all languages.
func parseLanguages(codes []string) ([]lingua.Language, error) {
	if len(codes) == 0 {
		return lingua.AllLanguages(), nil
	}
	var out []lingua.Language
	for _, c := range codes {
		l := LanguageOf(c)
		if l == lingua.Unknown {
			return nil, fmt.Errorf("langid: languages: %q is not an ISO 639-1 code lingua-go supports (supported: %s)",
				c, strings.Join(SupportedCodes(), " "))
		}
		out = append(out, l)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// LanguageOf returns the lingua language of an ISO 639-1 code (any case),
// or lingua.Unknown.
func LanguageOf(code string) lingua.Language {
	code = strings.ToLower(strings.TrimSpace(code))
	for _, l := range lingua.AllLanguages() {
		if Code(l) == code {
			return l
		}
	}
	return lingua.Unknown
}

// Code returns the lower-case ISO 639-1 code of l ("und" for Unknown).
func Code(l lingua.Language) string {
	if l == lingua.Unknown {
		return Undetermined
	}
	return strings.ToLower(l.IsoCode639_1().String())
}

// SupportedCodes lists the ISO 639-1 codes of every lingua language.
func SupportedCodes() []string {
	var out []string
	for _, l := range lingua.AllLanguages() {
		out = append(out, Code(l))
	}
	return out
}

// Tagger is the language-identification stage. It implements doc.Stage.
type Tagger struct {
	opts  Options
	langs []lingua.Language
	in    [numLang]bool   // configured languages
	codes [numLang]string // Code of each language, built once: Code allocates

	// oneLang maps a script used by a single configured language to it.
	oneLang [numAlphabets]lingua.Language
	// alphaLangs lists the configured languages written in each script.
	alphaLangs [numAlphabets][]lingua.Language
	// unique maps a letter only one configured language uses to that
	// language + 1 (0: none). Every such letter is below letterTableSize, so
	// an array replaces a map lookup per letter in the hot loop.
	unique [letterTableSize]uint8
	// shared maps a letter a few languages share to 1 + its index in
	// sharedLangs (0: none); candidates filter the list per window.
	shared      [letterTableSize]uint8
	sharedLangs [][]lingua.Language

	runes   *[0x10000]runeInfo
	models  *models
	dense   *dense
	scratch sync.Pool

	// short holds, by script, the 4- and 5-gram tables for windows under
	// 120 letters of the languages whose first script it is (nil: no such
	// language has n-gram models). Loaded on first use unless HighAccuracy;
	// the only part of a Tagger that changes after New, behind a sync.Once.
	short [numAlphabets]*shortModels
	home  [numLang]alphabet // first script of each language
}

// New builds a Tagger, loading lingua's models for the configured languages.
func New(opts Options) (*Tagger, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	langs, _ := parseLanguages(opts.Languages)
	t := &Tagger{
		opts:  opts,
		langs: langs,
		runes: bmpInfo(),
	}
	for _, l := range langs {
		t.in[l] = true
		t.codes[l] = Code(l)
		for _, a := range alphabetsOf(l) {
			t.alphaLangs[a] = append(t.alphaLangs[a], l)
		}
		for _, r := range uniqueCharacters[l] {
			t.unique[r] = uint8(l) + 1
		}
	}
	// A script decides the language when only one lingua language is written
	// in it at all (lingua's rule), and that language is a candidate.
	var users [numAlphabets]int
	var user [numAlphabets]lingua.Language
	for _, l := range lingua.AllLanguages() {
		for _, a := range alphabetsOf(l) {
			users[a]++
			user[a] = l
		}
	}
	for a := range numAlphabets {
		t.oneLang[a] = lingua.Unknown
		if users[a] == 1 && t.in[user[a]] {
			t.oneLang[a] = user[a]
		}
	}
	sharedOf := map[rune][]lingua.Language{}
	for chars, ls := range charsToLanguages {
		for _, r := range chars {
			sharedOf[r] = append(sharedOf[r], ls...)
		}
	}
	runes := make([]rune, 0, len(sharedOf))
	for r := range sharedOf {
		runes = append(runes, r)
	}
	slices.Sort(runes) // deterministic indices
	for _, r := range runes {
		t.sharedLangs = append(t.sharedLangs, sharedOf[r])
		t.shared[r] = uint8(len(t.sharedLangs))
	}
	// Languages a script decides on its own never need n-gram models: load
	// only the others.
	var needModels []lingua.Language
	for _, l := range langs {
		if !t.decidedByScript(l) {
			needModels = append(needModels, l)
		}
	}
	// Dense columns go script by script, so that a window's candidates (one
	// script's languages) are usually a contiguous run of columns.
	slices.SortStableFunc(needModels, func(a, b lingua.Language) int {
		return cmp.Compare(alphabetsOf(a)[0], alphabetsOf(b)[0])
	})
	m, err := loadModels(needModels)
	if err != nil {
		return nil, err
	}
	t.models = m
	t.dense = buildDense(m, needModels)
	m.tables = [3]table{} // resolved into t.dense
	for _, l := range needModels {
		a := alphabetsOf(l)[0]
		t.home[l] = a
		if t.short[a] == nil {
			t.short[a] = &shortModels{}
		}
		t.short[a].langs = append(t.short[a].langs, l)
		t.short[a].cols = append(t.short[a].cols, uint8(t.dense.colOf[l]))
	}
	if opts.HighAccuracy {
		for _, sm := range t.short {
			if sm == nil {
				continue
			}
			if err := sm.get(); err != nil {
				return nil, err
			}
		}
	}
	t.scratch.New = func() any { return new(scratch) }
	return t, nil
}

// decidedByScript reports whether every script of l belongs to l alone, so
// lingua's rules always pick l without n-grams.
func (t *Tagger) decidedByScript(l lingua.Language) bool {
	for _, a := range alphabetsOf(l) {
		if t.oneLang[a] != l {
			return false
		}
	}
	return true
}

// Name implements doc.Stage.
func (t *Tagger) Name() string { return "langid" }

// Options returns the options the Tagger was built with.
func (t *Tagger) Options() Options { return t.opts }

// Apply implements doc.Stage: it sets Language and LanguageScore and never
// drops. Documents already tagged "code:<lang>" by a code source are left
// alone: comments and strings in code are not natural-language text.
func (t *Tagger) Apply(d *doc.Document, c doc.Counter) string {
	if strings.HasPrefix(d.Language, "code:") {
		return ""
	}
	code, score := t.Detect(d.Text)
	d.Language, d.LanguageScore = code, float32(score)
	if code == Undetermined {
		c.Add(CounterUndetermined, 1)
	}
	return ""
}

// Detect returns the ISO 639-1 code of text's language and its confidence,
// or "und" (with the best language's confidence) below the minimum
// confidence for its length (Threshold).
func (t *Tagger) Detect(text string) (code string, score float64) {
	r := t.Classify(text)
	return r.Code, r.Score
}
