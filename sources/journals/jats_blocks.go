package journals

import (
	"encoding/xml"
	"strings"
	"unicode"
)

// textWriter builds plain text out of paragraphs: white space inside a
// paragraph is collapsed (JATS files are indented at will), paragraphs are
// separated by a blank line, headings are Markdown-style "#" lines.
type textWriter struct {
	out    strings.Builder
	cur    strings.Builder
	prefix string // written before the next paragraph ("- " for list items)
	space  bool   // a space is pending before the next character
	label  string // a <label> waiting for the heading it numbers
}

func (w *textWriter) text(s string) {
	for _, r := range s {
		if unicode.IsSpace(r) {
			w.space = true
			continue
		}
		if w.space && w.cur.Len() > 0 {
			w.cur.WriteByte(' ')
		}
		w.space = false
		w.cur.WriteRune(r)
	}
}

// para ends the open paragraph, if any.
func (w *textWriter) para() {
	w.space = false
	if w.cur.Len() == 0 {
		return
	}
	p := strings.TrimSpace(w.cur.String())
	w.cur.Reset()
	if p == "" {
		return
	}
	w.block(w.prefix + p)
	w.prefix = ""
}

// block writes a finished block (a paragraph, a table) as is.
func (w *textWriter) block(s string) {
	if w.out.Len() > 0 {
		w.out.WriteString("\n\n")
	}
	w.out.WriteString(s)
}

func (w *textWriter) heading(level int, t string) {
	w.para()
	if w.label != "" {
		t = strings.TrimSpace(w.label + " " + t)
		w.label = ""
	}
	if t == "" {
		return
	}
	w.block(strings.Repeat("#", min(max(level, 1), 6)) + " " + t)
}

func (w *textWriter) Len() int { return w.out.Len() + w.cur.Len() }

func (w *textWriter) String() string {
	w.para()
	return w.out.String()
}

// blocks renders the children of the current element as block content at
// heading level level; children named in skip are dropped.
func (a *jatsArticle) blocks(dec *tokenizer, w *textWriter, level int, skip ...string) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return eofIsEarly(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			w.para()
			return nil
		case xml.CharData:
			w.text(string(t))
		case xml.StartElement:
			name := t.Name.Local
			skipped := false
			for _, s := range skip {
				if s == name {
					skipped = true
				}
			}
			if skipped {
				if err := dec.Skip(); err != nil {
					return err
				}
				continue
			}
			if err := a.block(dec, t, w, level); err != nil {
				return err
			}
		}
	}
}

// block renders one block-level element (or an inline one met at block
// level, which joins the open paragraph).
func (a *jatsArticle) block(dec *tokenizer, t xml.StartElement, w *textWriter, level int) error {
	switch t.Name.Local {
	case "title":
		h, err := inlineText(dec)
		w.heading(level, h)
		return err
	case "label":
		l, err := inlineText(dec)
		w.para()
		w.label = l
		return err
	case "sec", "app", "ack", "glossary", "boxed-text", "bio", "notes":
		w.para()
		return a.blocks(dec, w, level+1)
	case "p", "def", "term", "attrib", "verse-line", "speaker", "disp-quote", "statement":
		w.para()
		err := a.paragraph(dec, w, level)
		w.para()
		return err
	case "list", "def-list":
		w.para()
		return a.blocks(dec, w, level)
	case "list-item", "def-item":
		w.para()
		w.prefix = "- "
		err := a.blocks(dec, w, level)
		w.prefix = ""
		return err
	case "fig", "table-wrap", "fig-group", "table-wrap-group", "supplementary-material", "chem-struct-wrap":
		w.para()
		return a.float(dec, t, w, level)
	case "disp-formula", "disp-formula-group":
		w.para()
		err := math(dec, t, w)
		w.para()
		return err
	case "fn-group", "fn", "table-wrap-foot":
		if !a.opts.Footnotes {
			return dec.Skip()
		}
		w.para()
		return a.blocks(dec, w, level)
	case "ref-list", "ref", "graphic", "media", "object-id", "sec-meta", "kwd-group", "alt-text", "long-desc":
		return dec.Skip()
	case "table":
		if !a.opts.Tables {
			return dec.Skip()
		}
		w.para()
		return table(dec, w)
	case "math", "tex-math", "alternatives", "inline-formula":
		return math(dec, t, w)
	case "sup":
		w.text("^")
		return inline(dec, w)
	}
	// Anything else (italic, xref, named-content, unknown containers):
	// its text flows into the open paragraph, its blocks stay blocks.
	return a.paragraph(dec, w, level)
}

// paragraph renders mixed content: text and inline markup into the open
// paragraph, block elements nested in it (JATS allows lists, figures and
// display formulas inside <p>) as their own blocks.
func (a *jatsArticle) paragraph(dec *tokenizer, w *textWriter, level int) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return eofIsEarly(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			w.text(string(t))
		case xml.StartElement:
			if err := a.block(dec, t, w, level); err != nil {
				return err
			}
		}
	}
}

// float renders a figure or table: its label and caption as one paragraph
// when captions are kept, its table cells when tables are.
func (a *jatsArticle) float(dec *tokenizer, start xml.StartElement, w *textWriter, level int) error {
	var label string
	var caption textWriter
	var cells textWriter
	err := walkChildren(dec, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "label":
			l, err := inlineText(dec)
			label = l
			return err
		case "caption":
			return walkChildren(dec, func(se xml.StartElement) error {
				caption.text(" ")
				return inline(dec, &caption)
			})
		case "fig", "table-wrap", "supplementary-material":
			return a.float(dec, se, w, level)
		case "table", "alternatives":
			if !a.opts.Tables {
				return dec.Skip()
			}
			return walkDeep(dec, func(se xml.StartElement) (bool, error) {
				if se.Name.Local == "table" || se.Name.Local == "tr" {
					if se.Name.Local == "tr" {
						return true, row(dec, &cells)
					}
				}
				if se.Name.Local == "graphic" || se.Name.Local == "inline-graphic" {
					return true, dec.Skip()
				}
				return false, nil
			})
		case "table-wrap-foot":
			if !a.opts.Tables && !a.opts.Footnotes {
				return dec.Skip()
			}
			return a.blocks(dec, &cells, level)
		}
		return dec.Skip()
	})
	if a.opts.Captions {
		c := strings.TrimSpace(caption.cur.String())
		if label != "" || c != "" {
			p := c
			if label != "" {
				p = strings.TrimSpace(strings.TrimSuffix(label, ".") + ". " + c)
			}
			w.block(p)
		}
	}
	if a.opts.Tables || a.opts.Footnotes {
		if s := strings.TrimSpace(cells.String()); s != "" {
			w.block(s)
		}
	}
	return err
}

// table renders a bare <table> (one outside a table-wrap).
func table(dec *tokenizer, w *textWriter) error {
	var cells textWriter
	err := walkDeep(dec, func(se xml.StartElement) (bool, error) {
		if se.Name.Local == "tr" {
			return true, row(dec, &cells)
		}
		return false, nil
	})
	if s := strings.TrimSpace(cells.String()); s != "" {
		w.block(s)
	}
	return err
}

// row appends one table row as a tab-separated line.
func row(dec *tokenizer, w *textWriter) error {
	var cells []string
	err := walkChildren(dec, func(se xml.StartElement) error {
		t, err := inlineText(dec)
		cells = append(cells, t)
		return err
	})
	line := strings.Join(cells, "\t")
	if strings.TrimSpace(line) != "" {
		if w.out.Len() > 0 {
			w.out.WriteByte('\n')
		}
		w.out.WriteString(line)
	}
	return err
}

// cleanTeXMath strips PMC's wrapper document (\documentclass ...
// \begin{document} $$...$$ \end{document}) and the math delimiters.
func cleanTeXMath(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, `\begin{document}`); i >= 0 {
		s = s[i+len(`\begin{document}`):]
		if j := strings.Index(s, `\end{document}`); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.TrimSpace(s)
	for _, d := range [][2]string{{"$$", "$$"}, {`\[`, `\]`}, {`\(`, `\)`}, {"$", "$"}} {
		if len(s) >= len(d[0])+len(d[1]) && strings.HasPrefix(s, d[0]) && strings.HasSuffix(s, d[1]) {
			s = strings.TrimSpace(s[len(d[0]) : len(s)-len(d[1])])
			break
		}
	}
	return s
}
