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
//   - Only lingua's unigram, bigram and trigram models are loaded (lingua
//     scores texts of 120+ letters with trigrams alone, falling back to the
//     bigram prefix and first letter), not the 4- and 5-gram models that make
//     up most of lingua's 2 GB. Their fallback chain is resolved once into a
//     dense row per trigram, so scoring a trigram is one hash lookup and one
//     add per candidate language, with no strings built.
//   - Confidences are lingua's softmax over summed log probabilities,
//     computed in float64 relative to the best language instead of with
//     big decimals (the same values, without the exp/pow cost).
//
// Windows under 120 letters (short documents) are where lingua's default
// mode uses 1- to 5-grams. With high_accuracy the 4- and 5-gram models are
// loaded too and such windows are scored that way; without it (the default)
// they get trigrams, like lingua's low-accuracy mode. On 120+ letters both
// give lingua's answers; the tests hold the port to lingua-go's own output.
//
// A Tagger is immutable after New and safe for concurrent use: build one per
// run and share it across goroutines and sources.
package langid

import (
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
	// MinConfidence is the confidence (0..1) below which a document is tagged
	// "und" (its language_score still holds the confidence of the best
	// language). The confidence is the letter-weighted share of sampled
	// windows voting for the language, times lingua's confidence per window,
	// so a document half in one language and half in another scores ~0.5.
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
	// HighAccuracy also loads lingua's 4- and 5-gram models and classifies
	// texts (windows) under 120 letters the way lingua's default
	// high-accuracy mode does, with n-grams of orders 1 to 5. Without it
	// short texts are scored with trigrams only, like lingua's low-accuracy
	// mode: on the labelled set of bench/langid/RESULTS.md 0.3 points less
	// accurate overall (all of it on short texts), but start-up takes ~1 s
	// instead of ~20 s, peak memory is ~200 MB instead of ~800 MB, and
	// short texts are scored twice as fast. Texts of 120+ letters get the
	// same answers either way. Worth it for sources of short texts (comments).
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
	in    [numLang]bool // configured languages

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
	top := 3
	if opts.HighAccuracy {
		top = maxOrder
	}
	m, err := loadModels(needModels, top)
	if err != nil {
		return nil, err
	}
	t.models = m
	t.dense = buildDense(m, needModels)
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
// or "und" (with the best language's confidence) below MinConfidence.
func (t *Tagger) Detect(text string) (code string, score float64) {
	l, score := t.Best(text)
	if l == lingua.Unknown || score < t.opts.MinConfidence {
		return Undetermined, score
	}
	return Code(l), score
}
