package wikipedia

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Converter turns wikitext into plain text the way WikiExtractor and
// mwparserfromhell's strip_code users expect: templates and parser functions
// removed (nested), [[link|label]] → label, external links → label, refs,
// comments, files, categories and interlanguage links removed, tables dropped
// (or flattened), headings and list items kept as lines, entities decoded and
// bold/italic quotes removed.
//
// It works in passes over the whole page (tags, templates, tables, links,
// lines) rather than building a parse tree: each pass is a linear scan, so a
// page converts at hundreds of MB/s and the converter never dominates the
// bzip2 decode it sits behind. A Converter is immutable after construction
// and safe for concurrent use.
type Converter struct {
	// dropNS holds lower-cased namespace names (and aliases) whose links are
	// media or categories: the whole link is removed.
	dropNS     map[string]bool
	keepTables bool
}

// NewConverter builds a converter. dropNamespaces are extra localized names of
// the File, Media and Category namespaces (from a dump's siteinfo); the
// English canonical names are always included.
func NewConverter(dropNamespaces []string, keepTables bool) *Converter {
	c := &Converter{dropNS: make(map[string]bool), keepTables: keepTables}
	for _, n := range mediaAliases {
		c.dropNS[n] = true
	}
	for _, n := range dropNamespaces {
		c.dropNS[normName(n)] = true
	}
	return c
}

// mediaAliases are names of the File, Media and Category namespaces that
// pages keep using after a wiki renamed them (siteinfo names only the
// current one): the English canonical names and the common old aliases of
// the larger Wikipedias, as in the alias tables of the HF/NeMo extractors.
var mediaAliases = []string{
	"file", "image", "media", "category", "datei", "bild", "fichier", "imagen",
	"archivo", "immagine", "файл", "изображение", "зображення", "εικόνα", "αρχείο",
	"画像", "ファイル", "plik", "grafika", "bestand", "afbeelding", "arquivo", "imagem",
	"tiedosto", "kuva", "fil", "kategorie", "catégorie", "categoría", "categoria",
	"категория", "категорія", "κατηγορία", "カテゴリ", "kategoria", "categorie", "luokka", "kategori",
}

// Private-use runes stand in for markup characters inside <nowiki> and <pre>
// until the last pass, so that later passes leave literal text alone.
var protectMap = map[rune]rune{
	'[': '\uE000', ']': '\uE001', '{': '\uE002', '}': '\uE003',
	'|': '\uE004', '\'': '\uE005', '<': '\uE006', '>': '\uE007',
	'=': '\uE008', '*': '\uE009', '#': '\uE00A', '&': '\uE00B', ':': '\uE00C',
}

var unprotectReplacer = func() *strings.Replacer {
	var pairs []string
	for k, v := range protectMap {
		pairs = append(pairs, string(v), string(k))
	}
	return strings.NewReplacer(pairs...)
}()

func protect(s string) string {
	return strings.Map(func(r rune) rune {
		if p, ok := protectMap[r]; ok {
			return p
		}
		return r
	}, s)
}

// Text converts one page of wikitext.
func (c *Converter) Text(wikitext string) string {
	s := stripComments(wikitext)
	s = c.stripTags(s)
	s = c.templates(s)
	s = c.tables(s)
	s = c.links(s)
	s = externalLinks(s)
	s = c.lines(s)
	return s
}

// stripComments removes <!-- ... -->; an unterminated comment runs to the
// end, as MediaWiki renders it.
func stripComments(s string) string {
	i := strings.Index(s, "<!--")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			return b.String()
		}
		s = s[i+4+j+3:]
		i = strings.Index(s, "<!--")
	}
	b.WriteString(s)
	return b.String()
}

// dropTags are extension and HTML tags whose content is not prose.
var dropTags = map[string]bool{
	"ref": true, "references": true, "math": true, "chem": true, "ce": true,
	"gallery": true, "timeline": true, "syntaxhighlight": true, "source": true,
	"score": true, "graph": true, "templatedata": true, "imagemap": true,
	"mapframe": true, "maplink": true, "hiero": true, "inputbox": true,
	"categorytree": true, "indicator": true, "includeonly": true,
	"templatestyles": true, "section": true, "style": true,
	"script": true, "charinsert": true, "dynamicpagelist": true,
}

// literalTags keep their content verbatim (protected from later passes).
var literalTags = map[string]bool{"nowiki": true, "pre": true}

// keepTags are formatting tags removed while their content stays.
var keepTags = map[string]bool{
	"span": true, "div": true, "small": true, "big": true, "sup": true, "sub": true,
	"center": true, "font": true, "b": true, "i": true, "u": true, "s": true,
	"strike": true, "del": true, "ins": true, "tt": true, "code": true,
	"blockquote": true, "abbr": true, "cite": true, "q": true, "em": true,
	"strong": true, "var": true, "kbd": true, "samp": true, "mark": true,
	"bdi": true, "bdo": true, "ruby": true, "rb": true, "rt": true, "rp": true,
	"p": true, "li": true, "ul": true, "ol": true, "dl": true, "dt": true,
	"dd": true, "poem": true, "onlyinclude": true, "wbr": true, "hr": true,
	"noinclude": true, "table": true, "tr": true, "td": true, "th": true,
	"caption": true, "tbody": true, "thead": true, "a": true, "h1": true,
	"h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "br": true,
	"languages": true, "translate": true, "tvar": true, "nowiki": true, "pre": true,
}

// parseTag reads an HTML-ish tag at s[0]=='<'. It returns the lower-cased
// name, whether it is a closing tag and whether it closes itself, and the
// tag's length; ok is false when s does not start with a known-looking tag.
func parseTag(s string) (name string, closing, selfClosing bool, n int, ok bool) {
	i := 1
	if i < len(s) && s[i] == '/' {
		closing = true
		i++
	}
	start := i
	for i < len(s) && (isASCIILetter(s[i]) || (i > start && s[i] >= '0' && s[i] <= '9')) {
		i++
	}
	if i == start || i-start > 20 {
		return "", false, false, 0, false
	}
	name = strings.ToLower(s[start:i])
	if i < len(s) && s[i] != '>' && s[i] != '/' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' {
		return "", false, false, 0, false
	}
	// Attributes may hold '>' only inside quotes; tags longer than a few
	// hundred bytes are not tags.
	q := byte(0)
	for j := i; j < len(s) && j < i+1000; j++ {
		ch := s[j]
		switch {
		case q != 0:
			if ch == q {
				q = 0
			}
		case ch == '"' || ch == '\'':
			if j > 0 && s[j-1] == '=' {
				q = ch
			}
		case ch == '>':
			return name, closing, s[j-1] == '/', j + 1, true
		case ch == '<':
			return "", false, false, 0, false
		}
	}
	return "", false, false, 0, false
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// findClose finds the closing tag </name> (case-insensitive, optional
// spaces before '>') in s and returns the index where it starts and its
// length. Like MediaWiki, "</ref name=x>" does not close a ref.
func findClose(s, name string) (int, int) {
	off := 0
	for {
		i := strings.Index(s[off:], "</")
		if i < 0 {
			return -1, 0
		}
		i += off
		rest := s[i+2:]
		if len(rest) > len(name) && strings.EqualFold(rest[:len(name)], name) {
			j := len(name)
			for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\n') {
				j++
			}
			if j < len(rest) && rest[j] == '>' {
				return i, 2 + j + 1
			}
		}
		off = i + 2
	}
}

// stripTags handles extension and HTML tags: dropped with their content,
// kept literally, or removed leaving their content.
func (c *Converter) stripTags(s string) string {
	if strings.IndexByte(s, '<') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	closes := &closeFinder{s: s}
	total := len(s)
	// findClose on the rest of s, through the memo (offsets relative to s).
	findRest := func(s, name string) (int, int) {
		at := total - len(s)
		j, m := closes.find(at, name)
		if j >= 0 {
			j -= at
		}
		return j, m
	}
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		name, closing, self, n, ok := parseTag(s)
		if !ok {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		switch {
		case name == "br" || name == "hr":
			b.WriteByte('\n')
			s = s[n:]
		case dropTags[name]:
			s = s[n:]
			if closing || self {
				continue
			}
			if j, m := findRest(s, name); j >= 0 {
				s = s[j+m:]
			}
		case literalTags[name] && !closing && !self:
			s = s[n:]
			j, m := findRest(s, name)
			if j < 0 {
				j, m = len(s), 0
			}
			// The content of nowiki is shown as written, entities aside.
			b.WriteString(protect(s[:j]))
			s = s[j+m:]
		case keepTags[name]:
			if name == "p" || name == "li" || name == "div" || name == "tr" || name == "dd" || name == "dt" {
				b.WriteByte('\n')
			}
			s = s[n:]
		default:
			b.WriteByte('<')
			s = s[1:]
		}
	}
	return b.String()
}

// braceRun counts a run of the byte ch starting at s[i].
func braceRun(s string, i int, ch byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == ch {
		n++
	}
	return n
}

// matchBraces returns the end (exclusive) of the template or parameter that
// opens at s[0] with a run of 2+ '{', counting runs of two or more braces as
// MediaWiki's preprocessor does; -1 when it never closes.
func matchBraces(s string) int {
	depth := 0
	for i := 0; i < len(s); {
		switch s[i] {
		case '{':
			n := braceRun(s, i, '{')
			if n >= 2 {
				depth += n
			}
			i += n
		case '}':
			n := braceRun(s, i, '}')
			if n >= 2 {
				if n > depth {
					// Close only what is open: "}}}" after "{{" leaves a '}'.
					return i + depth
				}
				depth -= n
				if depth == 0 {
					return i + n
				}
			}
			i += n
		default:
			j := strings.IndexAny(s[i:], "{}")
			if j < 0 {
				return -1
			}
			i += j
		}
	}
	return -1
}

// templates removes {{templates}}, {{#parser functions:}} and {{{params}}},
// except the few whose output is prose (language tags, conversions, ...).
func (c *Converter) templates(s string) string { return c.templatesAt(s, 0) }

func (c *Converter) templatesAt(s string, depth int) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	if depth > maxNesting {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	ends := spanCursor{spans: braceSpans(s), slow: matchBraces, s: s}
	pos := 0
	for {
		i := strings.Index(s[pos:], "{{")
		if i < 0 {
			b.WriteString(s[pos:])
			break
		}
		b.WriteString(s[pos : pos+i])
		pos += i
		end := ends.end(pos)
		if end < 0 {
			// Never closed: MediaWiki shows the braces as text; drop them so
			// they do not count as markup, and go on.
			pos += 2
			continue
		}
		inner := s[pos+2 : end-2]
		if braceRun(s, pos, '{') == 2 {
			if out, ok := keepTemplate(inner); ok {
				b.WriteString(c.templatesAt(out, depth+1))
			}
		}
		pos = end
	}
	return b.String()
}

// splitArgs splits template content at top-level '|' (outside nested
// templates and links).
func splitArgs(s string) []string {
	var out []string
	depthB, depthL, start := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			depthB++
			i++
		case strings.HasPrefix(s[i:], "}}") && depthB > 0:
			depthB--
			i++
		case strings.HasPrefix(s[i:], "[["):
			depthL++
			i++
		case strings.HasPrefix(s[i:], "]]") && depthL > 0:
			depthL--
			i++
		case s[i] == '|' && depthB == 0 && depthL == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// positional returns the positional (unnamed) arguments after the name.
func positional(args []string) []string {
	var out []string
	for _, a := range args[1:] {
		if eq := strings.IndexByte(a, '='); eq >= 0 && !strings.ContainsAny(a[:eq], "{[<") {
			continue
		}
		out = append(out, strings.TrimSpace(a))
	}
	return out
}

// keepTemplate returns the prose a template stands for, for the handful of
// inline templates whose removal would cut sentences (peers special-case the
// same ones: WikiExtractor expands lang/convert, mwparserfromhell keeps none).
func keepTemplate(inner string) (string, bool) {
	// Most templates are dropped: decide from the name before splitting
	// the (often large, infobox) arguments.
	head := inner
	if i := strings.IndexAny(head, "|:"); i >= 0 {
		head = head[:i]
	}
	if h := normName(head); !keptTemplates[h] && !strings.HasPrefix(h, "lang-") {
		return "", false
	}
	args := splitArgs(inner)
	name := normName(args[0])
	if i := strings.IndexByte(name, ':'); i > 0 {
		// Parser functions that only reformat their argument.
		switch name[:i] {
		case "formatnum", "lc", "uc", "lcfirst", "ucfirst":
			return strings.TrimSpace(args[0][strings.IndexByte(args[0], ':')+1:]), true
		}
		return "", false
	}
	pos := positional(args)
	arg := func(i int) string {
		if i >= 0 && i < len(pos) { // {{lang}} with no arguments asks for pos[-1]
			return pos[i]
		}
		return ""
	}
	switch name {
	case "'":
		return "'", true
	case "ndash", "snd", "spaced ndash", "spaced en dash":
		if name == "ndash" {
			return "–", true
		}
		return " – ", true
	case "mdash", "spaced mdash":
		return "—", true
	case "nbsp", "spaces":
		return " ", true
	case "lang", "script", "transl":
		return arg(len(pos) - 1), len(pos) >= 2
	case "nowrap", "nobr", "nobreak", "small", "big", "smaller", "larger",
		"sc", "smallcaps", "abbr", "keypress", "nihongo", "vanchor", "anchor",
		"not a typo", "sic", "em", "strong", "mvar", "math", "var", "bold", "italic":
		if name == "anchor" {
			return "", false
		}
		return arg(0), true
	case "convert", "cvt":
		if len(pos) >= 4 {
			switch pos[1] {
			case "to", "-", "–", "and", "or", "by", "x", "×", "+", "to(-)":
				return pos[0] + " " + pos[1] + " " + pos[2] + " " + pos[3], true
			}
		}
		if len(pos) >= 2 {
			return pos[0] + " " + pos[1], true
		}
		return "", false
	case "frac":
		switch len(pos) {
		case 2:
			return pos[0] + "/" + pos[1], true
		case 3:
			return pos[0] + " " + pos[1] + "/" + pos[2], true
		}
		return "", false
	}
	if strings.HasPrefix(name, "lang-") && len(pos) >= 1 {
		return pos[0], true
	}
	return "", false
}

// keptTemplates are the names keepTemplate handles (parser functions by the
// part before ':').
var keptTemplates = map[string]bool{
	"formatnum": true, "lc": true, "uc": true, "lcfirst": true, "ucfirst": true,
	"'": true, "ndash": true, "snd": true, "spaced ndash": true, "spaced en dash": true,
	"mdash": true, "spaced mdash": true, "nbsp": true, "spaces": true, "lang": true,
	"script": true, "transl": true, "nowrap": true, "nobr": true, "nobreak": true,
	"small": true, "big": true, "smaller": true, "larger": true, "sc": true,
	"smallcaps": true, "abbr": true, "keypress": true, "nihongo": true, "vanchor": true,
	"not a typo": true, "sic": true, "em": true, "strong": true, "mvar": true,
	"math": true, "var": true, "bold": true, "italic": true, "convert": true,
	"cvt": true, "frac": true,
}

// normName normalises a template or namespace name: trimmed, lower-case,
// underscores as spaces, without a "Template:" prefix.
func normName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "_", " ")
	s = strings.ToLower(s)
	s = strings.TrimPrefix(s, "template:")
	return strings.TrimSpace(s)
}

// tables drops {| ... |} blocks (nested), or flattens them to one line per
// row when tables are kept.
func (c *Converter) tables(s string) string {
	if !strings.Contains(s, "{|") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	depth := 0
	var table strings.Builder
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i+1], s[i+1:]
		} else {
			s = ""
		}
		t := strings.TrimLeft(line, " \t:")
		switch {
		case strings.HasPrefix(t, "{|"):
			depth++
			if depth == 1 {
				table.Reset()
			}
		case depth > 0 && strings.HasPrefix(t, "|}"):
			depth--
			if depth == 0 {
				if c.keepTables {
					b.WriteString(flattenTable(table.String()))
				}
				// Text after "|}" on the same line is ordinary text.
				b.WriteString(strings.TrimPrefix(t, "|}"))
			}
		case depth == 1:
			table.WriteString(line)
		case depth == 0:
			b.WriteString(line)
		}
	}
	if depth > 0 && c.keepTables {
		b.WriteString(flattenTable(table.String()))
	}
	return b.String()
}

// flattenTable renders the rows of one table as lines of tab-separated cells.
func flattenTable(t string) string {
	var b strings.Builder
	var row []string
	flush := func() {
		if len(row) > 0 {
			b.WriteString(strings.Join(row, "\t"))
			b.WriteByte('\n')
			row = row[:0]
		}
	}
	for _, line := range strings.Split(t, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "|-"):
			flush()
		case strings.HasPrefix(line, "|+"):
			flush()
			b.WriteString(cellText(line[2:]))
			b.WriteByte('\n')
		case strings.HasPrefix(line, "|") || strings.HasPrefix(line, "!"):
			sep := "||"
			if line[0] == '!' {
				line = strings.ReplaceAll(line, "!!", "||")
			}
			for _, cell := range strings.Split(line[1:], sep) {
				if t := cellText(cell); t != "" {
					row = append(row, t)
				}
			}
		case line != "" && len(row) > 0:
			row[len(row)-1] += " " + line
		}
	}
	flush()
	return b.String()
}

// cellText drops a cell's attributes ("style=... | text").
func cellText(cell string) string {
	if i := strings.IndexByte(cell, '|'); i >= 0 && !strings.Contains(cell[:i], "[[") {
		cell = cell[i+1:]
	}
	return strings.TrimSpace(cell)
}

// matchLink returns the end of the [[link]] starting at s[0], with nesting.
func matchLink(s string) int {
	depth := 0
	for i := 0; i < len(s)-1; {
		switch {
		case s[i] == '[' && s[i+1] == '[':
			depth++
			i += 2
		case s[i] == ']' && s[i+1] == ']':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			j := strings.IndexAny(s[i+1:], "[]")
			if j < 0 {
				return -1
			}
			i += j + 1
		}
	}
	return -1
}

// links renders [[wiki links]]: label or target; file, category and
// interlanguage links disappear with their captions.
func (c *Converter) links(s string) string { return c.linksAt(s, 0) }

func (c *Converter) linksAt(s string, depth int) string {
	if !strings.Contains(s, "[[") {
		return s
	}
	if depth > maxNesting {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	ends := spanCursor{spans: linkSpans(s), slow: matchLink, s: s}
	pos := 0
	for {
		i := strings.Index(s[pos:], "[[")
		if i < 0 {
			b.WriteString(s[pos:])
			break
		}
		b.WriteString(s[pos : pos+i])
		pos += i
		end := ends.end(pos)
		if end < 0 {
			pos += 2
			continue
		}
		b.WriteString(c.linkText(s[pos+2:end-2], depth))
		pos = end
	}
	return b.String()
}

func (c *Converter) linkText(inner string, depth int) string {
	target, label, hasLabel := inner, "", false
	if p := pipeOutsideLinks(inner); p >= 0 {
		target, label, hasLabel = inner[:p], inner[p+1:], true
	}
	target = strings.TrimSpace(target)
	visible := strings.HasPrefix(target, ":")
	target = strings.TrimPrefix(target, ":")
	if colon := strings.IndexByte(target, ':'); colon > 0 {
		prefix := normName(target[:colon])
		if c.dropNS[prefix] && !visible {
			return ""
		}
		if !visible && !hasLabel && isLangCode(prefix) {
			return "" // interlanguage link: shown in the sidebar, not the text
		}
		if interwiki[prefix] && !hasLabel {
			target = target[colon+1:]
		}
	}
	if hasLabel && looksLikeFile(label) {
		// A media link in a namespace alias the siteinfo does not name
		// ("画像:", "Bild:"): its options give it away.
		return ""
	}
	if hasLabel {
		label = strings.TrimSpace(label)
		if label == "" {
			// Pipe trick: [[Foo (bar)|]] shows "Foo".
			if k := strings.Index(target, " ("); k > 0 {
				return target[:k]
			}
			return target
		}
		return c.linksAt(label, depth+1)
	}
	return target
}

// imageOptions are the layout options only media links take.
var imageOptions = map[string]bool{
	"thumb": true, "thumbnail": true, "frame": true, "framed": true, "frameless": true,
	"left": true, "right": true, "center": true, "centre": true, "none": true,
	"upright": true, "border": true, "mini": true, "miniatur": true, "vignette": true,
	"мини": true, "міні": true, "μικρογραφία": true, "サムネイル": true, "左": true, "右": true,
}

// looksLikeFile reports whether the arguments of a link are those of an
// image: a size ("220px", "x100px") or a layout option.
func looksLikeFile(args string) bool {
	for _, a := range strings.Split(args, "|") {
		a = strings.ToLower(strings.TrimSpace(a))
		if imageOptions[a] || strings.HasPrefix(a, "upright") {
			return true
		}
		if strings.HasSuffix(a, "px") && len(a) > 2 && strings.Trim(a[:len(a)-2], "0123456789x ") == "" {
			return true
		}
	}
	return false
}

func pipeOutsideLinks(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "[["):
			depth++
			i++
		case strings.HasPrefix(s[i:], "]]"):
			depth--
			i++
		case s[i] == '|' && depth == 0:
			return i
		}
	}
	return -1
}

var interwiki = map[string]bool{
	"wikt": true, "wiktionary": true, "s": true, "wikisource": true, "commons": true,
	"m": true, "meta": true, "b": true, "wikibooks": true, "n": true, "wikinews": true,
	"q": true, "wikiquote": true, "v": true, "wikiversity": true, "voy": true,
	"wikivoyage": true, "species": true, "d": true, "wikidata": true, "w": true,
	"mw": true, "phab": true,
}

// isLangCode reports whether p looks like a Wikipedia language prefix
// ("fr", "zh-min-nan", "simple", "be-x-old").
func isLangCode(p string) bool {
	if p == "simple" {
		return true
	}
	if len(p) < 2 || len(p) > 12 {
		return false
	}
	for i, part := range strings.Split(p, "-") {
		if len(part) == 0 || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return false
		}
		for j := 0; j < len(part); j++ {
			if part[j] < 'a' || part[j] > 'z' {
				return false
			}
		}
	}
	return true
}

var urlSchemes = []string{"http://", "https://", "ftp://", "//", "mailto:", "news:", "irc://", "ircs://", "gopher://", "sftp://", "git://"}

// externalLinks renders [url label] as label and drops bare [url].
func externalLinks(s string) string {
	if strings.IndexByte(s, '[') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	// stop is where the first ']' or newline at or after the current '['
	// is, counted from the end of the text (which stays put as s shrinks
	// from the front); 0 when there is none. It holds until the scan
	// passes it, so a line of unclosed "[http://" is searched once, not
	// once per bracket.
	stop, have := 0, false
	for {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		scheme := false
		for _, p := range urlSchemes {
			if len(s) > len(p) && strings.EqualFold(s[1:1+len(p)], p) {
				scheme = true
				break
			}
		}
		if !scheme {
			b.WriteByte('[')
			s = s[1:]
			continue
		}
		if !have || stop > len(s) {
			stop, have = 0, true
			if e := strings.IndexAny(s, "]\n"); e >= 0 {
				stop = len(s) - e
			}
		}
		end := -1
		if stop > 0 {
			end = len(s) - stop
		}
		if end < 0 || s[end] != ']' {
			b.WriteByte('[')
			s = s[1:]
			continue
		}
		inner := s[1:end]
		if sp := strings.IndexAny(inner, " \t"); sp >= 0 {
			b.WriteString(strings.TrimSpace(inner[sp+1:]))
		}
		s = s[end+1:]
	}
	return b.String()
}

// lines handles line-level syntax (headings, lists, rules, bold/italic,
// magic words), decodes entities, tidies the spaces that removed markup
// leaves behind and drops sections left empty (References, External links).
func (c *Converter) lines(s string) string {
	type line struct {
		text  string
		level int // heading level, 0 for body text
	}
	var out []line
	for _, raw := range strings.Split(s, "\n") {
		l := strings.TrimRight(raw, " \t\r")
		level := 0
		if n := braceRun(l, 0, '='); n > 0 && n < 7 {
			m := 0
			for m < n && len(l)-m-1 > n && l[len(l)-m-1] == '=' {
				m++
			}
			if m > 0 {
				if m < n {
					n = m
				}
				level = n
				l = strings.TrimSpace(l[n : len(l)-n])
			}
		}
		if level == 0 {
			t := strings.TrimLeft(l, "*#:; ")
			if len(t) != len(l) && strings.ContainsAny(l[:len(l)-len(t)], "*#:;") {
				l = t
				// "; term : definition" on one line.
				if k := strings.Index(l, " : "); k >= 0 && strings.HasPrefix(strings.TrimSpace(raw), ";") {
					l = l[:k] + ": " + l[k+3:]
				}
			}
			if strings.HasPrefix(l, "----") {
				l = strings.TrimLeft(l, "-")
			}
		}
		l = tidy(html.UnescapeString(stripQuotes(stripMagic(l))))
		if strings.IndexByte(l, 0xEE) >= 0 { // protected runes are U+E0xx
			l = unprotectReplacer.Replace(l)
		}
		out = append(out, line{l, level})
	}
	var b strings.Builder
	b.Grow(len(s))
	blank := true // at the start nothing needs a separating blank line
	for i, l := range out {
		if l.level > 0 {
			// Keep a heading only if some body text follows before the next
			// heading of the same or a higher level.
			keep := false
			for _, n := range out[i+1:] {
				if n.level > 0 && n.level <= l.level {
					break
				}
				if n.level == 0 && n.text != "" {
					keep = true
					break
				}
			}
			if !keep || l.text == "" {
				continue
			}
			if !blank {
				b.WriteByte('\n')
			}
			b.WriteString(l.text)
			b.WriteByte('\n')
			blank = false
			continue
		}
		if l.text == "" {
			if !blank {
				b.WriteByte('\n')
				blank = true
			}
			continue
		}
		b.WriteString(l.text)
		b.WriteByte('\n')
		blank = false
	}
	return strings.TrimSpace(b.String())
}

// stripQuotes removes ”italic” and ”'bold”' marks: runs of 2, 3 and 5
// apostrophes vanish, 4 leaves one, longer runs leave the surplus.
func stripQuotes(l string) string {
	if !strings.Contains(l, "''") {
		return l
	}
	var b strings.Builder
	b.Grow(len(l))
	for i := 0; i < len(l); {
		if l[i] != '\'' {
			j := strings.IndexByte(l[i:], '\'')
			if j < 0 {
				b.WriteString(l[i:])
				break
			}
			b.WriteString(l[i : i+j])
			i += j
			continue
		}
		n := braceRun(l, i, '\'')
		switch {
		case n == 1:
			b.WriteByte('\'')
		case n == 4:
			b.WriteByte('\'')
		case n > 5:
			b.WriteString(strings.Repeat("'", n-5))
		}
		i += n
	}
	return b.String()
}

// stripMagic removes behaviour switches such as __NOTOC__.
func stripMagic(l string) string {
	for {
		i := strings.Index(l, "__")
		if i < 0 {
			return l
		}
		j := i + 2
		for j < len(l) && l[j] >= 'A' && l[j] <= 'Z' {
			j++
		}
		if j > i+2 && strings.HasPrefix(l[j:], "__") {
			l = l[:i] + l[j+2:]
			continue
		}
		// Not a magic word: keep it and look further.
		rest := stripMagic(l[i+2:])
		return l[:i+2] + rest
	}
}

// tidy collapses the spaces and empty brackets that removed templates and
// references leave behind ("Paris ( ; born 1900) , France" → "Paris (born
// 1900), France").
func tidy(l string) string {
	if l == "" {
		return l
	}
	l = strings.ReplaceAll(l, "\u00a0", " ")
	var b strings.Builder
	b.Grow(len(l))
	space := false
	for _, r := range l {
		if r == ' ' {
			space = true
			continue
		}
		if space {
			if b.Len() > 0 && !strings.ContainsRune(",.;:!?)]}»、。，", r) {
				last, _ := utf8.DecodeLastRuneInString(b.String())
				if last != '(' && last != '[' {
					b.WriteByte(' ')
				}
			}
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	// Brackets emptied by removed templates: "()", "(, )", "(; )".
	for _, e := range []string{"(; ", "(, ", "(;", "(,"} {
		out = strings.ReplaceAll(out, e, "(")
	}
	for _, e := range []string{" ()", "()", "（）"} {
		out = strings.ReplaceAll(out, e, "")
	}
	out = strings.TrimSpace(out)
	// A line left as lone punctuation is markup debris.
	if strings.IndexFunc(out, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return ""
	}
	return out
}
