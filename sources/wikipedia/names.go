package wikipedia

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./internal/gennames -mediawiki /usr/share/mediawiki

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
