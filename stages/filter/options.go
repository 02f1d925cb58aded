// Package filter holds curate's quality filters and PII scrubber: Gopher
// quality and repetition (MassiveText), C4 line cleaning, FineWeb's line
// rules, The Stack/StarCoder code rules, length and language-score limits,
// and email/IP replacement. Each is a named doc.Stage with the published
// defaults; New builds the chain a source's Options ask for.
//
// Every decision is visible: a stage that drops a document returns the rule
// name (the pipeline counts documents and characters per source and rule),
// and a stage that rewrites text (C4 line removal, PII replacement) adds its
// counts to the doc.Counter.
//
// Rules follow datatrove's implementations (the code behind FineWeb); the
// few deliberate differences are documented on the option or rule they
// concern. English-specific rules (stop words, mean word length) apply per
// language and are skipped for languages without configured rules, as
// FineWeb-2 does, so that non-English text is not silently deleted.
package filter

import (
	"errors"
	"fmt"
	"strings"
)

// Options selects the rules one source runs and their thresholds. Every
// threshold of 0 disables that single check (datatrove's None).
type Options struct {
	// Preset names the source kind whose defaults the rest of this block
	// overrides: web, wikipedia, books, reddit, code. Empty means web.
	Preset string `yaml:"preset"`
	// Length: document length in characters and words; usable by any source.
	Length LengthOptions `yaml:"length"`
	// Language: allowed languages and minimum language-ID confidence.
	Language LanguageOptions `yaml:"language"`
	// Placeholder drops documents that are only a deletion marker such as
	// Reddit's "[removed]" / "[deleted]".
	Placeholder PlaceholderOptions `yaml:"placeholder"`
	// GopherRepetition: MassiveText repetition rules (Rae et al. 2021, table A1).
	GopherRepetition GopherRepetitionOptions `yaml:"gopher_repetition"`
	// GopherQuality: MassiveText quality rules.
	GopherQuality GopherQualityOptions `yaml:"gopher_quality"`
	// C4: line-level cleaning plus document drops (Raffel et al. 2020).
	C4 C4Options `yaml:"c4"`
	// FineWeb: FineWeb's additional line rules (Penedo et al. 2024).
	FineWeb FineWebOptions `yaml:"fineweb"`
	// Code: The Stack / StarCoder rules for source files.
	Code CodeOptions `yaml:"code"`
	// PII: email and public IP replacement.
	PII PIIOptions `yaml:"pii"`
}

// LengthOptions bounds document size. Characters are Unicode code points.
type LengthOptions struct {
	// Enabled turns the rule on.
	Enabled bool `yaml:"enabled"`
	// MinChars drops documents shorter than this many characters (after trimming).
	MinChars int `yaml:"min_chars"`
	// MaxChars drops documents longer than this many characters.
	MaxChars int `yaml:"max_chars"`
	// MinWords drops documents with fewer words (punctuation tokens not counted).
	MinWords int `yaml:"min_words"`
	// MaxWords drops documents with more words.
	MaxWords int `yaml:"max_words"`
}

// LanguageOptions filters on the langid stage's decision.
type LanguageOptions struct {
	// Enabled turns the rule on.
	Enabled bool `yaml:"enabled"`
	// Allow lists the languages kept (ISO 639-1, "und", or "code:<lang>";
	// "code:*" matches any code). Empty keeps every language.
	Allow []string `yaml:"allow"`
	// MinScore drops documents whose language score is below it. It is on
	// the langid stage's confidence scale (0..1); FineWeb used 0.65 with
	// fastText. Code documents (language "code:*") are exempt: their score
	// comes from file-extension detection, not from prose.
	MinScore float64 `yaml:"min_score"`
}

// PlaceholderOptions drops deletion markers.
type PlaceholderOptions struct {
	// Enabled turns the rule on.
	Enabled bool `yaml:"enabled"`
	// Texts are the markers; a document is dropped if any of its lines,
	// trimmed, equals one of them (e.g. a submission title over a
	// "[removed]" body) or if it is empty after trimming.
	Texts []string `yaml:"texts"`
}

// LanguageRules are the language-specific parts of Gopher quality.
type LanguageRules struct {
	// StopWords: the words counted by min_stop_words (case-sensitive, as in
	// datatrove).
	StopWords []string `yaml:"stop_words"`
	// MinStopWords: documents with fewer stop-word occurrences are dropped.
	MinStopWords int `yaml:"min_stop_words"`
	// MinAvgWordLength / MaxAvgWordLength bound the mean word length in characters.
	MinAvgWordLength float64 `yaml:"min_avg_word_length"`
	MaxAvgWordLength float64 `yaml:"max_avg_word_length"`
}

// GopherQualityOptions are the MassiveText quality rules. Defaults are
// datatrove's GopherQualityFilter defaults.
type GopherQualityOptions struct {
	// Enabled turns the rule set on.
	Enabled bool `yaml:"enabled"`
	// MinDocWords / MaxDocWords bound the number of non-symbol words.
	MinDocWords int `yaml:"min_doc_words"`
	MaxDocWords int `yaml:"max_doc_words"`
	// MaxSymbolWordRatio bounds both "#" per word and ("..." + "…") per word.
	MaxSymbolWordRatio float64 `yaml:"max_symbol_word_ratio"`
	// MaxBulletLinesRatio: fraction of lines starting with "•" or "-".
	MaxBulletLinesRatio float64 `yaml:"max_bullet_lines_ratio"`
	// MaxEllipsisLinesRatio: fraction of lines ending with "..." or "…".
	MaxEllipsisLinesRatio float64 `yaml:"max_ellipsis_lines_ratio"`
	// MinAlphaWordsRatio: fraction of words with at least one letter
	// (datatrove calls it max_non_alpha_words_ratio, but it is a minimum).
	MinAlphaWordsRatio float64 `yaml:"min_alpha_words_ratio"`
	// Languages maps a language code (as set by langid; "und" for unknown)
	// to its stop-word and word-length rules. Languages absent from the map
	// skip those two rules (counted as gopher_quality.language_rules_skipped),
	// as FineWeb-2 does for languages without a stop-word list. Default:
	// English only, with Gopher's published values.
	Languages map[string]LanguageRules `yaml:"languages"`
}

// NGramThreshold is one n-gram rule: n words, maximum character fraction.
type NGramThreshold struct {
	N       int     `yaml:"n"`
	MaxFrac float64 `yaml:"max_frac"`
}

// GopherRepetitionOptions are the MassiveText repetition rules (datatrove's
// GopherRepetitionFilter defaults).
type GopherRepetitionOptions struct {
	// Enabled turns the rule set on.
	Enabled bool `yaml:"enabled"`
	// MinWords: documents with fewer words (punctuation tokens not counted)
	// pass every repetition rule untested (0 = test all). The thresholds
	// were set on MassiveWeb pages of 50 words and more (Gopher's quality
	// floor); on a dozen words one repeated pair ("web designer" twice in a
	// 22-word comment) is already over top_2_gram's 20%, so short posts
	// and comments were dropped for being short, not repetitive.
	MinWords int `yaml:"min_words"`
	// DupLineFrac / DupParaFrac: fraction of lines / paragraphs that repeat an earlier one.
	DupLineFrac float64 `yaml:"dup_line_frac"`
	DupParaFrac float64 `yaml:"dup_para_frac"`
	// DupLineCharFrac / DupParaCharFrac: characters in repeated lines / paragraphs over all characters.
	DupLineCharFrac float64 `yaml:"dup_line_char_frac"`
	DupParaCharFrac float64 `yaml:"dup_para_char_frac"`
	// TopNGrams: the most frequent n-gram's characters × count over all characters.
	TopNGrams []NGramThreshold `yaml:"top_n_grams"`
	// DupNGrams: characters in repeated (non-overlapping) n-grams over all characters.
	DupNGrams []NGramThreshold `yaml:"dup_n_grams"`
}

// C4Options are C4's rules (datatrove's C4QualityFilter defaults).
type C4Options struct {
	// Enabled turns the rule set on.
	Enabled bool `yaml:"enabled"`
	// RemoveCitations strips Wikipedia-style markers [1], [edit], [citation needed].
	RemoveCitations bool `yaml:"remove_citations"`
	// FilterNoTerminalPunct removes lines not ending in terminal punctuation
	// (or ending in "..."). FineWeb turned this off.
	FilterNoTerminalPunct bool `yaml:"filter_no_terminal_punct"`
	// MinNumSentences drops documents with fewer sentences after cleaning (0 = off).
	MinNumSentences int `yaml:"min_num_sentences"`
	// MinWordsPerLine removes lines with fewer words (0 = off).
	MinWordsPerLine int `yaml:"min_words_per_line"`
	// MaxWordLength removes lines holding a longer word (0 = off).
	MaxWordLength int `yaml:"max_word_length"`
	// FilterLoremIpsum drops documents containing "lorem ipsum".
	FilterLoremIpsum bool `yaml:"filter_lorem_ipsum"`
	// FilterJavascript removes lines mentioning "javascript".
	FilterJavascript bool `yaml:"filter_javascript"`
	// FilterCurlyBracket drops documents with "{" in a kept line.
	FilterCurlyBracket bool `yaml:"filter_curly_bracket"`
	// FilterPolicy removes lines with cookie/terms/privacy boilerplate.
	FilterPolicy bool `yaml:"filter_policy"`
	// PolicySubstrings are the boilerplate phrases (lower case).
	PolicySubstrings []string `yaml:"policy_substrings"`
}

// FineWebOptions are FineWeb's own rules (datatrove's FineWebQualityFilter defaults).
type FineWebOptions struct {
	// Enabled turns the rule set on.
	Enabled bool `yaml:"enabled"`
	// LinePunctThr drops documents whose fraction of lines ending in
	// terminal punctuation is ≤ this.
	LinePunctThr float64 `yaml:"line_punct_thr"`
	// LinePunctExcludeZero keeps documents where no line ends in punctuation.
	LinePunctExcludeZero bool `yaml:"line_punct_exclude_zero"`
	// ShortLineThr drops documents whose fraction of short lines is ≥ this.
	ShortLineThr float64 `yaml:"short_line_thr"`
	// ShortLineLength: a line of at most this many characters is short.
	ShortLineLength int `yaml:"short_line_length"`
	// CharDuplicatesRatio drops documents whose repeated non-empty lines hold ≥ this fraction of characters.
	CharDuplicatesRatio float64 `yaml:"char_duplicates_ratio"`
	// NewLineRatio drops documents with more than this many newlines per word (list-like pages).
	NewLineRatio float64 `yaml:"new_line_ratio"`
}

// CodeOptions are The Stack / StarCoder rules; they only see documents
// whose language is "code:<lang>".
type CodeOptions struct {
	// Enabled turns the rule set on.
	Enabled bool `yaml:"enabled"`
	// MaxLineLength drops files with a longer line (characters).
	MaxLineLength int `yaml:"max_line_length"`
	// MaxMeanLineLength drops files whose mean line length is higher.
	MaxMeanLineLength float64 `yaml:"max_mean_line_length"`
	// MinAlphanumFraction drops files with a lower fraction of letters and digits.
	MinAlphanumFraction float64 `yaml:"min_alphanum_fraction"`
	// AutogeneratedMarkers: a file whose first AutogeneratedLines lines
	// contain one of these (case-insensitive) is dropped.
	AutogeneratedMarkers []string `yaml:"autogenerated_markers"`
	// AutogeneratedLines: how many leading lines to search.
	AutogeneratedLines int `yaml:"autogenerated_lines"`
	// MinCommentFraction / MaxCommentFraction bound the fraction of
	// non-blank lines that are comments, for languages whose comment syntax
	// is known (others are not checked).
	MinCommentFraction float64 `yaml:"min_comment_fraction"`
	MaxCommentFraction float64 `yaml:"max_comment_fraction"`
}

// PIIOptions configure replacement of emails and public IP addresses.
type PIIOptions struct {
	// Enabled turns the stage on.
	Enabled bool `yaml:"enabled"`
	// Emails replaces email addresses.
	Emails bool `yaml:"emails"`
	// IPs replaces IP addresses (v4 and v6).
	IPs bool `yaml:"ips"`
	// OnlyPublicIPs leaves private, loopback, link-local, documentation,
	// multicast and other reserved ranges alone.
	OnlyPublicIPs bool `yaml:"only_public_ips"`
	// EmailReplacements are used in turn within a document.
	EmailReplacements []string `yaml:"email_replacements"`
	// IPv4Replacements are used in turn within a document.
	IPv4Replacements []string `yaml:"ipv4_replacements"`
	// IPv6Replacements are used in turn within a document.
	IPv6Replacements []string `yaml:"ipv6_replacements"`
}

// englishStopWords are Gopher's stop words.
var englishStopWords = []string{"the", "be", "to", "of", "and", "that", "have", "with"}

// DefaultOptions is the web preset: the full FineWeb recipe.
func DefaultOptions() Options { return Preset("web") }

func defaultLength() LengthOptions { return LengthOptions{} }

func defaultGopherQuality() GopherQualityOptions {
	return GopherQualityOptions{
		MinDocWords:           50,
		MaxDocWords:           100000,
		MaxSymbolWordRatio:    0.1,
		MaxBulletLinesRatio:   0.9,
		MaxEllipsisLinesRatio: 0.3,
		MinAlphaWordsRatio:    0.8,
		Languages: map[string]LanguageRules{
			"en": {StopWords: englishStopWords, MinStopWords: 2, MinAvgWordLength: 3, MaxAvgWordLength: 10},
		},
	}
}

func defaultGopherRepetition() GopherRepetitionOptions {
	return GopherRepetitionOptions{
		MinWords:        50,
		DupLineFrac:     0.3,
		DupParaFrac:     0.3,
		DupLineCharFrac: 0.2,
		DupParaCharFrac: 0.2,
		TopNGrams:       []NGramThreshold{{2, 0.2}, {3, 0.18}, {4, 0.16}},
		DupNGrams:       []NGramThreshold{{5, 0.15}, {6, 0.14}, {7, 0.13}, {8, 0.12}, {9, 0.11}, {10, 0.10}},
	}
}

func defaultC4() C4Options {
	return C4Options{
		RemoveCitations:       true,
		FilterNoTerminalPunct: true,
		MinNumSentences:       5,
		MinWordsPerLine:       3,
		MaxWordLength:         1000,
		FilterLoremIpsum:      true,
		FilterJavascript:      true,
		FilterCurlyBracket:    true,
		FilterPolicy:          true,
		PolicySubstrings: []string{
			"terms of use", "privacy policy", "cookie policy",
			"uses cookies", "use of cookies", "use cookies",
		},
	}
}

func defaultFineWeb() FineWebOptions {
	return FineWebOptions{
		LinePunctThr:        0.12,
		ShortLineThr:        0.67,
		ShortLineLength:     30,
		CharDuplicatesRatio: 0.01,
		NewLineRatio:        0.3,
	}
}

func defaultCode() CodeOptions {
	return CodeOptions{
		MaxLineLength:       1000,
		MaxMeanLineLength:   100,
		MinAlphanumFraction: 0.25,
		AutogeneratedMarkers: []string{
			"auto-generated", "autogenerated", "automatically generated",
			"generated automatically", "code generated by", "do not edit",
		},
		AutogeneratedLines: 5,
		// BigCode's comment filter was 0.01..0.8, tried on the Python, Java
		// and JavaScript subsets (SantaCoder); a 1% floor drops half the
		// files of a well-kept JavaScript repository (tests, examples), so
		// only the ceiling is on by default.
		MinCommentFraction: 0,
		MaxCommentFraction: 0.8,
	}
}

func defaultPII() PIIOptions {
	return PIIOptions{
		Emails:            true,
		IPs:               true,
		OnlyPublicIPs:     true,
		EmailReplacements: []string{"email@example.com", "firstname.lastname@example.org"},
		// datatrove's list: random addresses that did not answer pings.
		IPv4Replacements: []string{
			"22.214.171.124", "126.96.36.199", "188.8.131.52",
			"184.108.40.206", "220.127.116.11", "18.104.22.168",
		},
		// datatrove has no IPv6 rule; these come from the documentation
		// prefix 2001:db8::/32, so they can never be a real host.
		IPv6Replacements: []string{"2001:db8:3c4d:15::1a2f:1a2b", "2001:db8:85a3::8a2e:370:7334"},
	}
}

// Presets lists the source kinds Preset knows.
var Presets = []string{"web", "wikipedia", "books", "reddit", "code", "journals"}

// Preset returns the rules for one source kind:
//
//   - web: FineWeb's recipe in FineWeb's order (Gopher repetition, Gopher
//     quality, C4 with filter_no_terminal_punct off as FineWeb ran it,
//     FineWeb rules), a language-score floor, and PII.
//   - wikipedia: curated prose; only a minimum length (as Dolma) and PII.
//     Articles must almost all be kept.
//   - books: a 200-word floor, Gopher quality without the 100,000-word
//     ceiling (novels are longer), and PII. Gutenberg bodies must almost
//     all be kept.
//   - reddit: deletion markers, a minimum length, Gopher repetition (spam),
//     and PII; comments are too short for Gopher quality's 50 words.
//   - code: The Stack / StarCoder rules, a 1 MB size cap as The Stack had,
//     and PII.
//   - journals: scientific articles (arXiv LaTeX, PMC, MEDLINE abstracts):
//     a 50-word floor and PII, as RedPajama's arXiv and Dolma's peS2o
//     (LaTeX math fails Gopher's symbol and alphabetic-word rules).
//
// An unknown kind returns the web preset; Validate reports it.
func Preset(kind string) Options {
	o := Options{
		Preset:           kind,
		Length:           defaultLength(),
		Language:         LanguageOptions{},
		Placeholder:      PlaceholderOptions{Texts: []string{"[removed]", "[deleted]"}},
		GopherRepetition: defaultGopherRepetition(),
		GopherQuality:    defaultGopherQuality(),
		C4:               defaultC4(),
		FineWeb:          defaultFineWeb(),
		Code:             defaultCode(),
		PII:              defaultPII(),
	}
	o.PII.Enabled = true
	switch kind {
	case "wikipedia":
		// Curated prose: like Dolma, only a length floor (Dolma used 25
		// words; 10 keeps the one-paragraph stubs of small wikis and still
		// drops empty and list-only pages).
		o.Length.Enabled = true
		o.Length.MinWords = 10
	case "books":
		o.Length.Enabled = true
		o.Length.MinWords = 200
		o.GopherQuality.Enabled = true
		o.GopherQuality.MaxDocWords = 0
	case "reddit":
		o.Placeholder.Enabled = true
		o.Length.Enabled = true
		o.Length.MinWords = 5
		o.GopherRepetition.Enabled = true
	case "code":
		o.Length.Enabled = true
		o.Length.MaxChars = 1 << 20
		o.Code.Enabled = true
	case "journals":
		o.Length.Enabled = true
		o.Length.MinWords = 50
	default: // "web" and unknown
		o.Language.Enabled = true
		o.Language.MinScore = 0.65
		o.GopherRepetition.Enabled = true
		o.GopherQuality.Enabled = true
		o.C4.Enabled = true
		o.C4.FilterNoTerminalPunct = false
		o.FineWeb.Enabled = true
	}
	return o
}

// UnmarshalYAML starts from the preset named by the block's "preset" key
// (web when absent) and lets the block override it field by field, keeping
// the decoder's strictness about unknown keys.
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	var head map[string]any
	if err := unmarshal(&head); err != nil {
		return err
	}
	kind, _ := head["preset"].(string)
	if kind == "" {
		kind = "web"
	}
	*o = Preset(kind)
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports every inconsistent setting at once.
func (o *Options) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	known := false
	for _, p := range Presets {
		if o.Preset == p || o.Preset == "" {
			known = true
		}
	}
	if !known {
		bad("preset %q: unknown (want one of %s)", o.Preset, strings.Join(Presets, ", "))
	}
	frac := func(name string, v float64) {
		if v < 0 || v > 1 {
			bad("%s: %v is not a fraction in [0, 1]", name, v)
		}
	}
	nonneg := func(name string, v float64) {
		if v < 0 {
			bad("%s: %v must not be negative", name, v)
		}
	}
	l := o.Length
	nonneg("length.min_chars", float64(l.MinChars))
	nonneg("length.max_chars", float64(l.MaxChars))
	nonneg("length.min_words", float64(l.MinWords))
	nonneg("length.max_words", float64(l.MaxWords))
	if l.MaxChars > 0 && l.MinChars > l.MaxChars {
		bad("length: min_chars %d > max_chars %d", l.MinChars, l.MaxChars)
	}
	if l.MaxWords > 0 && l.MinWords > l.MaxWords {
		bad("length: min_words %d > max_words %d", l.MinWords, l.MaxWords)
	}
	frac("language.min_score", o.Language.MinScore)
	for i, t := range o.Placeholder.Texts {
		if strings.TrimSpace(t) == "" {
			bad("placeholder.texts[%d]: empty marker", i)
		}
	}
	q := o.GopherQuality
	nonneg("gopher_quality.min_doc_words", float64(q.MinDocWords))
	nonneg("gopher_quality.max_doc_words", float64(q.MaxDocWords))
	nonneg("gopher_quality.max_symbol_word_ratio", q.MaxSymbolWordRatio)
	frac("gopher_quality.max_bullet_lines_ratio", q.MaxBulletLinesRatio)
	frac("gopher_quality.max_ellipsis_lines_ratio", q.MaxEllipsisLinesRatio)
	frac("gopher_quality.min_alpha_words_ratio", q.MinAlphaWordsRatio)
	for lang, r := range q.Languages {
		p := "gopher_quality.languages." + lang
		nonneg(p+".min_stop_words", float64(r.MinStopWords))
		nonneg(p+".min_avg_word_length", r.MinAvgWordLength)
		nonneg(p+".max_avg_word_length", r.MaxAvgWordLength)
		if r.MaxAvgWordLength > 0 && r.MinAvgWordLength > r.MaxAvgWordLength {
			bad("%s: min_avg_word_length %v > max_avg_word_length %v", p, r.MinAvgWordLength, r.MaxAvgWordLength)
		}
		if r.MinStopWords > 0 && len(r.StopWords) == 0 {
			bad("%s: min_stop_words %d with no stop_words", p, r.MinStopWords)
		}
	}
	g := o.GopherRepetition
	nonneg("gopher_repetition.min_words", float64(g.MinWords))
	frac("gopher_repetition.dup_line_frac", g.DupLineFrac)
	frac("gopher_repetition.dup_para_frac", g.DupParaFrac)
	frac("gopher_repetition.dup_line_char_frac", g.DupLineCharFrac)
	frac("gopher_repetition.dup_para_char_frac", g.DupParaCharFrac)
	for i, t := range g.TopNGrams {
		if t.N < 1 || t.N > 64 {
			bad("gopher_repetition.top_n_grams[%d].n: %d not in 1..64", i, t.N)
		}
		frac(fmt.Sprintf("gopher_repetition.top_n_grams[%d].max_frac", i), t.MaxFrac)
	}
	for i, t := range g.DupNGrams {
		if t.N < 1 || t.N > 64 {
			bad("gopher_repetition.dup_n_grams[%d].n: %d not in 1..64", i, t.N)
		}
		frac(fmt.Sprintf("gopher_repetition.dup_n_grams[%d].max_frac", i), t.MaxFrac)
	}
	c := o.C4
	nonneg("c4.min_num_sentences", float64(c.MinNumSentences))
	nonneg("c4.min_words_per_line", float64(c.MinWordsPerLine))
	nonneg("c4.max_word_length", float64(c.MaxWordLength))
	for i, p := range c.PolicySubstrings {
		if p == "" || p != strings.ToLower(p) {
			bad("c4.policy_substrings[%d]: %q must be non-empty lower case", i, p)
		}
	}
	f := o.FineWeb
	frac("fineweb.line_punct_thr", f.LinePunctThr)
	frac("fineweb.short_line_thr", f.ShortLineThr)
	nonneg("fineweb.short_line_length", float64(f.ShortLineLength))
	frac("fineweb.char_duplicates_ratio", f.CharDuplicatesRatio)
	nonneg("fineweb.new_line_ratio", f.NewLineRatio)
	k := o.Code
	nonneg("code.max_line_length", float64(k.MaxLineLength))
	nonneg("code.max_mean_line_length", k.MaxMeanLineLength)
	frac("code.min_alphanum_fraction", k.MinAlphanumFraction)
	nonneg("code.autogenerated_lines", float64(k.AutogeneratedLines))
	frac("code.min_comment_fraction", k.MinCommentFraction)
	frac("code.max_comment_fraction", k.MaxCommentFraction)
	if k.MaxCommentFraction > 0 && k.MinCommentFraction > k.MaxCommentFraction {
		bad("code: min_comment_fraction %v > max_comment_fraction %v", k.MinCommentFraction, k.MaxCommentFraction)
	}
	p := o.PII
	if p.Enabled {
		if p.Emails && len(p.EmailReplacements) == 0 {
			bad("pii.email_replacements: empty while emails is on")
		}
		if p.IPs && (len(p.IPv4Replacements) == 0 || len(p.IPv6Replacements) == 0) {
			bad("pii: ipv4_replacements and ipv6_replacements must be non-empty while ips is on")
		}
	}
	return errors.Join(errs...)
}
