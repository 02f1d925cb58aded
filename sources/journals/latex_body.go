package journals

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// envSpan finds the next \begin{name...} at or after from whose name
// satisfies match, and its matching \end (nesting counted); it returns the
// env name and the spans of the whole environment and of its body.
func envSpan(s string, from int, match func(string) bool) (name string, start, bodyStart, bodyEnd, end int, ok bool) {
	for {
		i := strings.Index(s[from:], `\begin`)
		if i < 0 {
			return "", 0, 0, 0, 0, false
		}
		i += from
		g, e, gok := readGroup(s, i+len(`\begin`))
		if !gok || !match(g) {
			from = i + len(`\begin`)
			continue
		}
		open, closeTag := `\begin{`+g+`}`, `\end{`+g+`}`
		depth, k := 1, e
		for depth > 0 {
			no := strings.Index(s[k:], open)
			nc := strings.Index(s[k:], closeTag)
			if nc < 0 {
				// Unclosed: the environment runs to the end of the text.
				return g, i, e, len(s), len(s), true
			}
			if no >= 0 && no < nc {
				depth++
				k += no + len(open)
				continue
			}
			depth--
			if depth == 0 {
				return g, i, e, k + nc, k + nc + len(closeTag), true
			}
			k += nc + len(closeTag)
		}
	}
}

// floatEnvs are the environments whose bodies are dropped (their captions
// kept): figures, tables and their variants.
func floatKind(env string) string {
	e := strings.TrimSuffix(env, "*")
	switch e {
	case "figure", "wrapfigure", "sidewaysfigure", "SCfigure", "figwindow", "subfigure":
		return "Figure"
	case "table", "wraptable", "sidewaystable", "SCtable", "tabwindow", "longtable", "subtable":
		return "Table"
	case "algorithm", "algorithm2e":
		return "Algorithm"
	}
	return ""
}

// captions returns the text of every \caption / \captionof / \subcaption
// inside s.
func captions(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		name, j := commandAt(s, i)
		if name != "caption" && name != "captionof" && name != "subcaption" {
			continue
		}
		k := j
		if k < len(s) && s[k] == '*' {
			k++
		}
		if name == "captionof" {
			_, k2, ok := readGroup(s, k)
			if !ok {
				continue
			}
			k = k2
		}
		_, k, _ = readOptional(s, k)
		g, e, ok := readGroup(s, k)
		if !ok {
			continue
		}
		if t := strings.Join(strings.Fields(g), " "); t != "" {
			out = append(out, t)
		}
		i = e - 1
	}
	return out
}

// replaceFloats drops figure/table bodies, keeping their captions as
// "Figure: ..." paragraphs when keepCaptions.
func replaceFloats(s string, keepCaptions bool) string {
	var b strings.Builder
	from := 0
	for {
		env, start, bs, be, end, ok := envSpan(s, from, func(n string) bool { return floatKind(n) != "" })
		if !ok {
			break
		}
		b.WriteString(s[from:start])
		if keepCaptions {
			for _, c := range captions(s[bs:be]) {
				b.WriteString("\n\n" + floatKind(env) + ": " + c + "\n\n")
			}
		}
		from = end
	}
	if from == 0 {
		return s
	}
	b.WriteString(s[from:])
	return b.String()
}

// removeEnvs drops whole environments by name.
func removeEnvs(s string, names ...string) string {
	match := func(n string) bool {
		for _, x := range names {
			if n == x {
				return true
			}
		}
		return false
	}
	var b strings.Builder
	from := 0
	for {
		_, start, _, _, end, ok := envSpan(s, from, match)
		if !ok {
			break
		}
		b.WriteString(s[from:start])
		from = end
	}
	if from == 0 {
		return s
	}
	b.WriteString(s[from:])
	return b.String()
}

// dropCommands removes commands with their optional and braced arguments:
// bibliography commands, \includegraphics, \includepdf, and layout
// commands that carry no text. nargs is the number of {} arguments.
var dropCommands = map[string]int{
	"bibliography": 1, "bibliographystyle": 1, "printbibliography": 0, "addbibresource": 1,
	"includegraphics": 1, "includepdf": 1, "maketitle": 0, "tableofcontents": 0,
	"newpage": 0, "clearpage": 0, "cleardoublepage": 0, "pagebreak": 0, "linebreak": 0,
	"vspace": 1, "hspace": 1, "bigskip": 0, "medskip": 0, "smallskip": 0, "noindent": 0,
	"vfill": 0, "hfill": 0, "centering": 0, "thispagestyle": 1, "pagestyle": 1,
	"setcounter": 2, "addtocounter": 2, "setlength": 2, "addtolength": 2,
	"label": 1, "appendix": 0, "definecolor": 3, "colorlet": 2, "FloatBarrier": 0, "balance": 0,
}

var vskipRe = regexp.MustCompile(`\\vskip\s*-?[\d.]+\s*(?:cm|mm|pt|in|em|ex|bp|pc)`)

func removeCommands(s string) string {
	s = vskipRe.ReplaceAllString(s, "")
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		name, j := commandAt(s, i)
		n, ok := dropCommands[name]
		if !ok {
			i = j - 1
			continue
		}
		k := j
		if k < len(s) && s[k] == '*' {
			k++
		}
		_, k, _ = readOptional(s, k)
		good := true
		for a := 0; a < n; a++ {
			_, e, ok := readGroup(s, k)
			if !ok {
				good = false
				break
			}
			k = e
		}
		if !good {
			i = j - 1
			continue
		}
		b.WriteString(s[last:i])
		last = k
		i = k - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// hasCommand reports whether s uses the control word \name (not a longer
// one: \part is not \partial).
func hasCommand(s, name string) bool { return commandIndex(s, name) >= 0 }

// sectionLevels maps sectioning commands to heading depth.
var sectionLevels = map[string]int{
	"part": 1, "chapter": 1, "section": 1, "subsection": 2, "subsubsection": 3,
	"paragraph": 4, "subparagraph": 5,
}

// firstSection is the index of the first sectioning command in s, -1 if
// none. \paragraph does not count: papers use it inside the abstract.
func firstSection(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		name, j := commandAt(s, i)
		switch name {
		case "part", "chapter", "section", "subsection", "subsubsection":
			k := j
			if k < len(s) && s[k] == '*' {
				k++
			}
			_, k, _ = readOptional(s, k)
			if _, _, ok := readGroup(s, k); ok {
				return i
			}
		}
		i = j - 1
	}
	return -1
}

// headings turns \section{Title} and its kin into Markdown-style
// headings on their own paragraph.
func headings(s string) string {
	shift := 0
	if hasCommand(s, "chapter") || hasCommand(s, "part") {
		shift = 1
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		name, j := commandAt(s, i)
		level, ok := sectionLevels[name]
		if !ok {
			i = j - 1
			continue
		}
		k := j
		if k < len(s) && s[k] == '*' {
			k++
		}
		_, k, _ = readOptional(s, k)
		title, e, ok := readGroup(s, k)
		if !ok {
			i = j - 1
			continue
		}
		if name != "part" && name != "chapter" {
			level += shift
		}
		b.WriteString(s[last:i])
		b.WriteString("\n\n" + strings.Repeat("#", min(level, 6)) + " " + strings.Join(strings.Fields(title), " ") + "\n\n")
		last = e
		i = e - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

var (
	blankLinesRe = regexp.MustCompile(`\n[ \t]*(?:\n[ \t]*)+`)
	// A bold or large "Abstract" heading in a titlepage, as old papers
	// write it instead of the abstract environment.
	abstractHeadRe = regexp.MustCompile(`(?i)\{\s*(?:\\(?:bf|bfseries|large|Large|sc|scshape|em|it|textbf|normalsize|small)\s*\{?\s*)+abstract\.?\s*\}?\s*\}`)
)

// tidy removes the comment-line markers with their newlines, trailing
// white space and runs of blank lines.
func tidy(s string) string {
	s = strings.ReplaceAll(s, commentLine+"\n", "")
	s = strings.ReplaceAll(s, commentLine, "")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	s = strings.Join(lines, "\n")
	s = blankLinesRe.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}

var (
	plainCmdRe = regexp.MustCompile(`\\[a-zA-Z@]+\*?(\[[^\]]*\])?`)
	spaceRe    = regexp.MustCompile(`\s+`)
)

// plainText flattens a short LaTeX fragment (a title, an author list) for
// meta: \thanks and footnotes dropped, commands removed, braces gone.
func plainText(s string) string {
	s = texAccents(s)
	s = removeArgCommands(s, "thanks", "footnote", "inst", "affiliation", "email", "footnotemark", "orcid", "fnref", "tnoteref")
	s = strings.ReplaceAll(s, `\\`, " ")
	s = plainCmdRe.ReplaceAllString(s, " ")
	s = strings.NewReplacer("{", "", "}", "", "~", " ", "$", "").Replace(s)
	return strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
}

// accentMarks maps TeX accent commands to Unicode combining marks.
var accentMarks = map[byte]rune{
	'\'': '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304',
	'.': '\u0307', 'c': '\u0327', 'v': '\u030C', 'u': '\u0306', 'H': '\u030B', 'k': '\u0328', 'r': '\u030A',
}

var accentRe = regexp.MustCompile(`\\([\'` + "`" + `^"~=.]|[cvuHkr](?:\s|\{))\s*\{?\\?([a-zA-Z])\}?`)

// texAccents turns \'e, \'{e}, \c{c}, \ss and kin into the accented
// letters (NFC), for names in meta.
func texAccents(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	s = accentRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := accentRe.FindStringSubmatch(m)
		mark, ok := accentMarks[sub[1][0]]
		if !ok {
			return m
		}
		// \'\i (dotless i) and \'i both give í.
		return norm.NFC.String(sub[2] + string(mark))
	})
	return strings.NewReplacer(`\ss{}`, "ß", `\ss `, "ß", `\o{}`, "ø", `\o `, "ø", `\aa{}`, "å", `\ae{}`, "æ").Replace(s)
}

// removeArgCommands removes the named commands with their optional and
// first braced argument.
func removeArgCommands(s string, names ...string) string {
	for _, n := range names {
		for from := 0; ; {
			i := strings.Index(s[from:], `\`+n)
			if i < 0 {
				break
			}
			i += from
			name, j := commandAt(s, i)
			if name != n { // a longer command (\thanksto): not this one
				from = j
				continue
			}
			_, k, _ := readOptional(s, j)
			_, e, ok := readGroup(s, k)
			if !ok {
				e = j
			}
			s = s[:i] + s[e:]
			from = i
		}
	}
	return s
}

// dropIfFalse removes \iffalse ... \fi blocks (and \if0), the usual way to
// comment out a passage in TeX, keeping an \else branch. Conditionals
// nested inside are counted by their \if... control words.
func dropIfFalse(s string) string {
	if !strings.Contains(s, `\iffalse`) && !strings.Contains(s, `\if0`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		name, j := commandAt(s, i)
		zero := name == "if" && j < len(s) && s[j] == '0'
		if name != "iffalse" && !zero {
			i = j - 1
			continue
		}
		if zero {
			j++
		}
		// Find the matching \else / \fi.
		depth, elseAt, end := 0, -1, -1
		for k := j; k < len(s) && end < 0; k++ {
			if s[k] != '\\' {
				continue
			}
			n, e := commandAt(s, k)
			switch {
			case n == "fi":
				if depth == 0 {
					end = e
				}
				depth--
			case n == "else" && depth == 0 && elseAt < 0:
				elseAt = e
			case strings.HasPrefix(n, "if") && n != "if":
				depth++
			}
			k = e - 1
		}
		if end < 0 {
			break // unbalanced: leave the rest alone
		}
		b.WriteString(s[last:i])
		// The dropped branch leaves its line breaks, so paragraphs around
		// it stay apart.
		if elseAt >= 0 {
			b.WriteString(strings.Repeat("\n", strings.Count(s[i:elseAt], "\n")))
			b.WriteString(s[elseAt : end-len(`\fi`)])
		} else {
			b.WriteString(strings.Repeat("\n", strings.Count(s[i:end], "\n")))
		}
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
