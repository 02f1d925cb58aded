package wikipedia

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./internal/gennames -mediawiki /usr/share/mediawiki

// englishDisambiguation is always looked for: English template names are
// kept as redirects on many Wikipedias, and enwiki's message boxes are
// copied to others.
const englishWiki = "en"

// disambiguationSet is the template names that mark a disambiguation page
// on one wiki: its own (by prefix, and by language code where the two
// differ, as no/nb), the English ones, and the configured extra names.
// A wiki the lists do not know (or an unknown one) is looked at with every
// wiki's names: small Wikipedias often keep a neighbour's template name.
func disambiguationSet(prefix, lang string, extra []string) map[string]bool {
	set := map[string]bool{}
	add := func(wiki string) bool {
		for _, n := range disambiguationTemplates[wiki] {
			set[n] = true
		}
		return len(disambiguationTemplates[wiki]) > 0
	}
	own := add(strings.ReplaceAll(prefix, "_", "-"))
	own = add(lang) || own
	own = add(languagePrefix(lang)) || own
	if !own {
		for wiki := range disambiguationTemplates {
			add(wiki)
		}
	}
	add(englishWiki)
	for _, t := range extra {
		set[normName(t)] = true
	}
	return set
}

// disambiguationMagicSet holds the localized __DISAMBIG__ words, upper
// case, without their underscores.
var disambiguationMagicSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range disambiguationMagic {
		m[strings.ToUpper(strings.Trim(w, "_"))] = true
	}
	return m
}()

// hasDisambiguationMagic looks for a behaviour switch (__WORD__) that is
// one of the Disambiguator extension's aliases, in any case, as MediaWiki
// matches these case-insensitively.
func hasDisambiguationMagic(w string) bool {
	for rest := w; ; {
		i := strings.Index(rest, "__")
		if i < 0 {
			return false
		}
		rest = rest[i+2:]
		end := strings.Index(rest, "__")
		if end < 0 {
			return false
		}
		if end > 0 && end <= 64 && disambiguationMagicSet[strings.ToUpper(rest[:end])] {
			return true
		}
		rest = rest[end:]
	}
}

// redirectPrefixes are the redirect words in upper case, for a prefix
// match that ignores case the way MediaWiki's case-insensitive magic words
// do.
var redirectPrefixes = func() []string {
	out := make([]string, len(redirectWords))
	for i, w := range redirectWords {
		out[i] = strings.ToUpper(w)
	}
	return out
}()

// isRedirectText reports whether wikitext is a redirect page: a redirect
// magic word of any language at the very start (after blanks), then an
// optional colon and a [[link]]. Dumps mark redirects with <redirect/>, but
// exports and older dumps do not always.
func isRedirectText(w string) bool {
	w = strings.TrimLeftFunc(w, unicode.IsSpace)
	if !strings.HasPrefix(w, "#") {
		return false
	}
	// Longest redirect word is a few dozen bytes; upper-case only that.
	head := w
	if len(head) > 96 {
		cut := 96
		for cut > 0 && !utf8.RuneStart(head[cut]) {
			cut--
		}
		head = head[:cut]
	}
	upper := strings.ToUpper(head)
	for _, p := range redirectPrefixes {
		if !strings.HasPrefix(upper, p) {
			continue
		}
		rest := strings.TrimLeftFunc(upper[len(p):], unicode.IsSpace)
		rest = strings.TrimPrefix(rest, ":")
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if strings.HasPrefix(rest, "[[") {
			return true
		}
	}
	return false
}

// languagePrefix is the Wikipedia prefix of a content language code where
// the two differ (xml:lang="nb" is no.wikipedia.org).
func languagePrefix(lang string) string {
	if p, ok := languagePrefixes[lang]; ok {
		return p
	}
	return lang
}

// languagePrefixes inverts wikiLanguages for the wikis whose prefix is not
// their language code and that are the main Wikipedia of that language.
var languagePrefixes = map[string]string{
	"nb": "no", "be-tarask": "be-x-old", "lzh": "zh-classical", "nan": "zh-min-nan",
	"yue": "zh-yue", "sgs": "bat-smg", "vro": "fiu-vro", "rup": "roa-rup", "cbk": "cbk-zam",
}
