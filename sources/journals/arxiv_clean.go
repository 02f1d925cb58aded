package journals

import (
	"fmt"
	"github.com/curate-dev/curate/pipeline/doc"
	"path"
	"regexp"
	"sort"
	"strings"
)

// includeError is an \input that cannot be followed: a loop, or a file the
// submission lacks when missing_include is "error".
type includeError struct {
	File string // the file holding the \input
	Line int
	Msg  string
}

func (e *includeError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// inliner expands \input, \include, \subfile, \import and \subimport
// against the submission's files.
type inliner struct {
	sub     *submission
	strict  bool     // a missing file is an error
	missing []string // "file:line: name" of inputs not found
}

const maxIncludeDepth = 32

// expand returns the comment-stripped text of file with its inputs
// inlined. stack is the chain of files being expanded, for loop detection.
func (in *inliner) expand(file string, stack []string) (string, error) {
	text := stripComments(in.sub.files[file])
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '\\' {
			continue
		}
		name, j := commandAt(text, i)
		var target, dir string
		end := j
		switch name {
		case "input", "include", "subfile", "includefrom", "subincludefrom", "import", "subimport":
			if name == "import" || name == "subimport" || name == "includefrom" || name == "subincludefrom" {
				d, e, ok := readGroup(text, j)
				if !ok {
					continue
				}
				dir, end = strings.TrimSpace(d), e
				if name == "subimport" || name == "subincludefrom" {
					dir = path.Join(path.Dir(file), dir)
				}
			}
			if g, e, ok := readGroup(text, end); ok {
				target, end = strings.TrimSpace(g), e
			} else if name == "input" {
				// The TeX primitive form: \input file, up to white space.
				k := end
				for k < len(text) && text[k] == ' ' {
					k++
				}
				e := k
				for e < len(text) && !strings.ContainsRune(" \t\n{}\\%", rune(text[e])) {
					e++
				}
				target, end = text[k:e], e
			}
		default:
			i = j - 1
			continue
		}
		if target == "" {
			continue
		}
		if name == "subfile" {
			dir = path.Dir(file)
		}
		line := 1 + strings.Count(text[:i], "\n")
		resolved := in.resolve(path.Join(dir, target))
		b.WriteString(text[last:i])
		last = end
		i = end - 1
		if resolved == "" {
			ref := fmt.Sprintf("%s:%d: %s", file, line, target)
			if in.strict {
				return "", &includeError{File: file, Line: line, Msg: fmt.Sprintf(`\%s{%s}: no such file in the submission`, name, target)}
			}
			in.missing = append(in.missing, ref)
			continue
		}
		for k, f := range stack {
			if f == resolved {
				chain := append(append([]string{}, stack[k:]...), resolved)
				return "", &includeError{File: file, Line: line, Msg: fmt.Sprintf(`\%s{%s}: include loop %s`, name, target, strings.Join(chain, " -> "))}
			}
		}
		if len(stack) >= maxIncludeDepth {
			return "", &includeError{File: file, Line: line, Msg: fmt.Sprintf(`\%s{%s}: includes nested deeper than %d`, name, target, maxIncludeDepth)}
		}
		inner, err := in.expand(resolved, append(stack, resolved))
		if err != nil {
			return "", err
		}
		if name == "subfile" {
			inner = subfileBody(inner)
		}
		// Keep the \input's line count so positions after it stay right.
		b.WriteString(inner)
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// resolve finds the submission file an \input names, as TeX does: the name
// as given, then with .tex added.
func (in *inliner) resolve(name string) string {
	name = strings.TrimPrefix(path.Clean(strings.Trim(name, `"`)), "./")
	for _, c := range []string{name, name + ".tex", name + ".ltx"} {
		if _, ok := in.sub.files[c]; ok {
			return c
		}
	}
	return ""
}

// subfileBody keeps what a \subfile contributes: the body of its own
// document environment.
func subfileBody(s string) string {
	if i := strings.Index(s, `\begin{document}`); i >= 0 {
		s = s[i+len(`\begin{document}`):]
		if j := strings.Index(s, `\end{document}`); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

// paperText is a cleaned paper.
type paperText struct {
	Title, Authors, Abstract, Body string
	PDFOnly                        bool // the live TeX only wraps a PDF (\includepdf)
}

var (
	hyperTitleRe  = regexp.MustCompile(`(?s)(?:pdftitle|Title)\s*=\s*\{`)
	hyperAuthorRe = regexp.MustCompile(`(?s)(?:pdfauthor|Author)\s*=\s*\{`)
	bigTitleRe    = regexp.MustCompile(`\{\s*\\(?:LARGE|Large|huge|Huge)\s*\{?\s*\\(?:bf|bfseries)\s+([^{}]+?)\s*\}`)
	authorSplitRe = regexp.MustCompile(`\\and\b|\\\\|\\quad\b|,|\band\b`)
)

// cleanPaper turns a whole inlined LaTeX document into text as RedPajama
// cleans arXiv: comments are already gone; the preamble and everything
// before the first section are dropped (the abstract is kept), the
// bibliography and figure bodies are removed (captions kept), the paper's
// argument-less macros are expanded and math stays LaTeX.
func cleanPaper(doc string, o *ArxivOptions) paperText {
	var p paperText
	doc = dropIfFalse(doc)
	macros, spans := macroDefs(doc)
	doc = cutSpans(doc, spans)
	preamble, rest := "", doc
	if i := strings.Index(doc, `\begin{document}`); i >= 0 {
		preamble, rest = doc[:i], doc[i+len(`\begin{document}`):]
	}
	if j := strings.Index(rest, `\end{document}`); j >= 0 {
		rest = rest[:j]
	}
	p.PDFOnly = strings.Contains(rest, `\includepdf`)
	if o.ExpandMacros {
		rest = expandMacros(rest, macros)
	}
	p.Title, p.Authors = titleAuthors(preamble + rest)

	front, body := "", rest
	if k := firstSection(rest); k >= 0 {
		front, body = rest[:k], rest[k:]
	} else {
		// No sections (a letter, a short note): the text starts after the
		// title block.
		cut := 0
		for _, m := range []string{`\maketitle`, `\end{titlepage}`, `\end{abstract}`, `\end{frontmatter}`} {
			if i := strings.LastIndex(rest, m); i >= 0 && i+len(m) > cut {
				cut = i + len(m)
			}
		}
		front, body = rest[:cut], rest[cut:]
	}
	if o.DropAppendix {
		if i := commandIndex(body, "appendix"); i >= 0 {
			body = body[:i]
		}
	}
	abstract := abstractOf(front)
	if abstract == "" {
		// Some classes take \abstract{...} in the preamble.
		abstract = commandArg(preamble, "abstract")
		if o.ExpandMacros {
			abstract = expandMacros(abstract, macros)
		}
	}
	p.Abstract = cleanFragment(abstract, o)
	p.Body = cleanFragment(body, o)
	return p
}

// abstractOf finds the abstract in the front matter: the abstract
// environment, an \abstract{...} command, or the text after a bold
// "Abstract" heading in a titlepage.
func abstractOf(front string) string {
	if _, _, bs, be, _, ok := envSpan(front, 0, func(n string) bool { return n == "abstract" }); ok {
		return front[bs:be]
	}
	if i := strings.Index(front, `\abstract`); i >= 0 {
		if name, j := commandAt(front, i); name == "abstract" {
			if g, _, ok := readGroup(front, j); ok {
				return g
			}
		}
	}
	if loc := abstractHeadRe.FindStringIndex(front); loc != nil {
		s := front[loc[1]:]
		for _, stop := range []string{`\end{titlepage}`, `\newpage`, `\clearpage`, `\maketitle`} {
			if k := strings.Index(s, stop); k >= 0 {
				s = s[:k]
			}
		}
		s = strings.NewReplacer(`\end{center}`, "", `\begin{center}`, "", `\end{flushleft}`, "", `\begin{flushleft}`, "").Replace(s)
		return s
	}
	return ""
}

// cleanFragment applies the body rules to a piece of the document.
func cleanFragment(s string, o *ArxivOptions) string {
	s = removeEnvs(s, "thebibliography", "references", "bibdiv", "biblist")
	if !o.FloatBodies {
		s = replaceFloats(s, o.Captions)
	}
	s = removeCommands(s)
	s = headings(s)
	return tidy(s)
}

// titleAuthors reads \title and \author, or hyperref's pdfinfo when the
// paper has none (a PDF wrapper keeps its title only there).
func titleAuthors(s string) (title, authors string) {
	if g := commandArg(s, "title"); g != "" {
		title = plainText(g)
	}
	if title == "" {
		// Old papers set the title by hand in a titlepage.
		if _, _, bs, be, _, ok := envSpan(s, 0, func(n string) bool { return n == "titlepage" }); ok {
			if m := bigTitleRe.FindStringSubmatch(s[bs:be]); m != nil {
				title = plainText(m[1])
			}
		}
	}
	if title == "" {
		if loc := hyperTitleRe.FindStringIndex(s); loc != nil {
			if g, _, ok := readGroup(s, loc[1]-1); ok {
				title = plainText(g)
			}
		}
	}
	var names []string
	seen := map[string]bool{}
	for _, g := range commandArgs(s, "author") {
		for _, part := range authorSplitRe.Split(removeArgCommands(g, "thanks", "footnote", "inst", "affiliation", "email", "textsuperscript"), -1) {
			n := plainText(part)
			n = strings.Trim(n, " .;:*^")
			if looksLikeName(n) && !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		if loc := hyperAuthorRe.FindStringIndex(s); loc != nil {
			if g, _, ok := readGroup(s, loc[1]-1); ok {
				for _, part := range strings.Split(plainText(g), ",") {
					if n := strings.TrimSpace(part); looksLikeName(n) {
						names = append(names, n)
					}
				}
			}
		}
	}
	return title, strings.Join(names, "; ")
}

// looksLikeName keeps author-list pieces that are names, not
// affiliations, addresses or e-mail.
func looksLikeName(s string) bool {
	if s == "" || len(s) > 60 || strings.ContainsAny(s, "@0123456789{}\\") {
		return false
	}
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 5 {
		return false
	}
	for _, w := range words {
		lw := strings.ToLower(w)
		switch lw {
		case "university", "institute", "department", "school", "usa", "uk", "college", "laboratory", "centre", "center":
			return false
		}
	}
	return true
}

// commandIndex is the index of the first \name control word in s, -1 if
// none.
func commandIndex(s, name string) int {
	for i := 0; ; {
		k := strings.Index(s[i:], `\`+name)
		if k < 0 {
			return -1
		}
		if n, _ := commandAt(s, i+k); n == name {
			return i + k
		}
		i += k + 1
	}
}

// commandArg is the braced argument of the first \name (after an
// optional [..]), "" if none.
func commandArg(s, name string) string {
	if a := commandArgs(s, name); len(a) > 0 {
		return a[0]
	}
	return ""
}

func commandArgs(s, name string) []string {
	var out []string
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], `\`+name)
		if k < 0 {
			break
		}
		k += i
		n, j := commandAt(s, k)
		i = j
		if n != name {
			continue
		}
		_, j, _ = readOptional(s, j)
		if g, e, ok := readGroup(s, j); ok {
			out = append(out, g)
			i = e
		}
	}
	return out
}

// addCount adds n to a counter, leaving zero counters out.
func addCount(c doc.Counts, name string, n int) {
	if n > 0 {
		c.Add(name, int64(n))
	}
}

// sortedKeys lists a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
