package extract

import (
	"bytes"

	"golang.org/x/net/html/atom"
)

// Class and id fragments that mark boilerplate or content, after the
// lists readability and trafilatura use.
var (
	negativeHints = []string{
		"comment", "footer", "footnote", "sidebar", "side-bar", "nav", "menu", "breadcrumb",
		"share", "sharing", "social", "related", "recommend", "promo", "sponsor", "advert",
		"banner", "masthead", "widget", "newsletter", "subscribe", "signup", "login", "cookie",
		"popup", "modal", "outbrain", "taboola", "tags", "tagcloud", "toolbar", "rating",
		"byline", "author-bio", "copyright", "disclaimer", "pagination", "pager", "skip",
		"hidden", "print", "caption-credit", "most-popular", "trending", "more-from", "read-more",
		"readmore", "teaser", "jump", "search", "header", "topbar", "lightbox", "gallery",
		"caption", "slideshow", "carousel", "credit", "photo",
	}
	negativeExact = []string{"ad", "ads", "adv", "meta", "tools", "nav", "foot", "side"}
	positiveHints = []string{
		"article", "content", "entry", "post", "story", "text", "main", "body", "blog",
		"hentry", "h-entry", "page-content", "prose", "permalink",
	}
)

// hintOf rates an element by tag and class/id: -2 strong boilerplate
// (its text is never kept), -1 boilerplate-like, +1 content-like.
func hintOf(a atom.Atom, cls, id []byte) int8 {
	switch a {
	case atom.Html, atom.Body:
		return 0 // "has-sidebar", "nav-open" on <body> say nothing of its text
	case atom.Article, atom.Main:
		return 1
	case atom.Nav, atom.Footer, atom.Aside, atom.Form, atom.Menu, atom.Dialog:
		return -2
	}
	if len(cls) == 0 && len(id) == 0 {
		return 0
	}
	var buf [128]byte
	s := append(append(append(buf[:0], cls...), ' '), id...)
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			s[i] = c + 'a' - 'A'
		}
	}
	neg, pos, strong := false, false, false
	for i := range s {
		for _, h := range hintsByFirst[s[i]] {
			if bytes.HasPrefix(s[i:], []byte(h.text)) {
				switch {
				case h.strong:
					neg, strong = true, true
				case h.positive:
					pos = true
				default:
					neg = true
				}
			}
		}
	}
	if !neg {
		for w := range bytes.FieldsFuncSeq(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }) {
			for _, h := range negativeExact {
				if string(w) == h {
					neg = true
				}
			}
		}
	}
	switch {
	case neg && !pos && strong:
		return -2
	case neg && !pos:
		return -1
	case pos && !neg:
		return 1
	}
	return 0
}

// strongHints mark boilerplate whose text is never kept.
var strongHints = map[string]bool{"comment": true, "nav": true, "footer": true, "sidebar": true, "share": true, "related": true}

type hintPattern struct {
	text             string
	positive, strong bool
}

// hintsByFirst indexes the hint fragments by first byte, so a class
// string is scanned once instead of once per fragment.
var hintsByFirst = func() (t [256][]hintPattern) {
	for _, h := range negativeHints {
		t[h[0]] = append(t[h[0]], hintPattern{text: h, strong: strongHints[h]})
	}
	for h := range strongHints {
		found := false
		for _, n := range negativeHints {
			found = found || n == h
		}
		if !found {
			t[h[0]] = append(t[h[0]], hintPattern{text: h, strong: true})
		}
	}
	for _, h := range positiveHints {
		t[h[0]] = append(t[h[0]], hintPattern{text: h, positive: true})
	}
	return t
}()
