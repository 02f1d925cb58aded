package journals

import "strings"

// commentLine marks a line that held only a comment. TeX joins the lines
// around such a line, so the marker and its newline are removed at the
// very end; until then line numbers stay those of the source file, for
// error messages.
const commentLine = "\x00"

// stripComments removes % comments (an escaped \% stays) and comment
// environments, keeping every newline so line numbers do not move.
func stripComments(s string) string {
	if strings.IndexByte(s, '%') < 0 && !strings.Contains(s, `\begin{comment}`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	inCommentEnv := false
	for len(s) > 0 {
		line := s
		nl := strings.IndexByte(s, '\n')
		if nl >= 0 {
			line, s = s[:nl], s[nl+1:]
		} else {
			s = ""
		}
		cut := commentStart(line)
		code := line
		if cut >= 0 {
			code = line[:cut]
		}
		trimmed := strings.TrimSpace(code)
		switch {
		case inCommentEnv:
			if strings.Contains(code, `\end{comment}`) {
				inCommentEnv = false
			}
			b.WriteString(commentLine)
		case strings.HasPrefix(trimmed, `\begin{comment}`):
			inCommentEnv = !strings.Contains(code, `\end{comment}`)
			b.WriteString(commentLine)
		case cut >= 0 && trimmed == "":
			b.WriteString(commentLine)
		default:
			b.WriteString(code)
		}
		if nl >= 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// commentStart is the index of the % starting a comment on line, -1 if
// none. A % preceded by an odd number of backslashes is a literal.
func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] != '%' {
			continue
		}
		n := 0
		for j := i - 1; j >= 0 && line[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
	}
	return -1
}

// readGroup reads a balanced {...} group starting at s[i] (after optional
// white space) and returns its content and the index after it; ok is false
// if there is no group there or it does not close.
func readGroup(s string, i int) (content string, end int, ok bool) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	if i >= len(s) || s[i] != '{' {
		return "", i, false
	}
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++ // skip the escaped character (\{ \} \\)
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[i+1 : j], j + 1, true
			}
		}
	}
	return "", i, false
}

// readOptional skips an optional [..] argument at s[i] (after spaces),
// returning its content and the index after it.
func readOptional(s string, i int) (content string, end int, ok bool) {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j >= len(s) || s[j] != '[' {
		return "", i, false
	}
	depth := 0
	for k := j; k < len(s); k++ {
		switch s[k] {
		case '{':
			depth++
		case '}':
			depth--
		case ']':
			if depth == 0 {
				return s[j+1 : k], k + 1, true
			}
		}
	}
	return "", i, false
}

// commandAt reads the control word starting at s[i] == '\\': its name
// (letters and @) and the index after it. A control symbol (\\, \%) has a
// one-character name.
func commandAt(s string, i int) (name string, end int) {
	j := i + 1
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	if j == i+1 && j < len(s) {
		return s[i+1 : j+1], j + 1
	}
	return s[i+1 : j], j
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '@' }

// macroDefs finds the paper's macro definitions: \newcommand,
// \renewcommand, \providecommand (starred or not) and \def/\gdef. simple
// holds those without arguments, the ones RedPajama expands; spans are the
// byte ranges of every definition parsed, to be cut from the text.
func macroDefs(s string) (simple map[string]string, spans [][2]int) {
	simple = map[string]string{}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		name, j := commandAt(s, i)
		switch name {
		case "newcommand", "renewcommand", "providecommand", "DeclareRobustCommand":
			k := j
			if k < len(s) && s[k] == '*' {
				k++
			}
			var macro string
			if g, e, ok := readGroup(s, k); ok {
				macro, k = strings.TrimSpace(g), e
			} else {
				for k < len(s) && s[k] == ' ' {
					k++
				}
				if k < len(s) && s[k] == '\\' {
					n, e := commandAt(s, k)
					macro, k = `\`+n, e
				}
			}
			if !strings.HasPrefix(macro, `\`) {
				continue
			}
			_, k2, hasArgs := readOptional(s, k)
			k = k2
			if hasArgs {
				// A default for the first argument may follow.
				_, k, _ = readOptional(s, k)
			}
			body, e, ok := readGroup(s, k)
			if !ok {
				continue
			}
			if !hasArgs && !structural[macro[1:]] {
				simple[macro[1:]] = body
			}
			spans = append(spans, [2]int{i, e})
			i = e - 1
		case "def", "gdef":
			k := j
			for k < len(s) && s[k] == ' ' {
				k++
			}
			if k >= len(s) || s[k] != '\\' {
				continue
			}
			macro, e := commandAt(s, k)
			k = e
			// Parameter text (#1, delimiters) before the body: not simple.
			params := k
			for params < len(s) && s[params] != '{' && s[params] != '\n' {
				params++
			}
			body, e2, ok := readGroup(s, params)
			if !ok {
				continue
			}
			if strings.TrimSpace(s[k:params]) == "" && !structural[macro] {
				simple[macro] = body
			}
			spans = append(spans, [2]int{i, e2})
			i = e2 - 1
		}
	}
	return simple, spans
}

// structural are commands the cleaning itself reads: a paper (or a style
// pasted into its preamble) redefining them must not have them expanded
// away, or sections, floats and the bibliography would go unseen.
var structural = map[string]bool{
	"part": true, "chapter": true, "section": true, "subsection": true, "subsubsection": true,
	"paragraph": true, "subparagraph": true, "begin": true, "end": true, "caption": true,
	"input": true, "include": true, "subfile": true, "import": true, "bibliography": true,
	"title": true, "author": true, "abstract": true, "maketitle": true, "appendix": true,
	"documentclass": true, "usepackage": true, "item": true, "label": true,
}

// cutSpans removes byte ranges (sorted, not overlapping) from s, keeping
// their newlines so line structure survives.
func cutSpans(s string, spans [][2]int) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		if sp[0] < last {
			continue
		}
		b.WriteString(s[last:sp[0]])
		b.WriteString(strings.Repeat("\n", strings.Count(s[sp[0]:sp[1]], "\n")))
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// expandMacros replaces uses of argument-less macros by their bodies,
// recursively up to a small depth so self-referring definitions end.
func expandMacros(s string, macros map[string]string) string {
	if len(macros) == 0 {
		return s
	}
	return expandDepth(s, macros, 0)
}

func expandDepth(s string, macros map[string]string, depth int) string {
	if depth > 8 || strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		name, end := commandAt(s, i)
		body, ok := macros[name]
		if !ok || name == "" {
			i = end - 1
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(expandDepth(body, macros, depth+1))
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
