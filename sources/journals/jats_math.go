package journals

import (
	"encoding/xml"
	"strings"
)

// node is a parsed XML element, for the small subtrees (formulas) that are
// easier to render whole than as a token stream.
type node struct {
	name  string
	attrs []xml.Attr
	kids  []*node // element children, in order
	text  string  // character data directly inside, concatenated
	order []any   // kids and text pieces in document order
}

// parseNode reads the rest of the current element into a tree.
func parseNode(dec *tokenizer, start xml.StartElement) (*node, error) {
	return parseNodeSkipping(dec, start, nil)
}

// parseNodeSkipping is parseNode that skips the subtrees of elements
// named in skip (a citation's reference and author lists) unread.
func parseNodeSkipping(dec *tokenizer, start xml.StartElement, skip map[string]bool) (*node, error) {
	n := &node{name: start.Name.Local, attrs: start.Attr}
	for {
		tok, err := dec.Token()
		if err != nil {
			return n, eofIsEarly(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return n, nil
		case xml.CharData:
			n.text += string(t)
			n.order = append(n.order, string(t))
		case xml.StartElement:
			if skip[t.Name.Local] {
				if err := dec.Skip(); err != nil {
					return n, eofIsEarly(err)
				}
				continue
			}
			k, err := parseNodeSkipping(dec, t, skip)
			n.kids = append(n.kids, k)
			n.order = append(n.order, k)
			if err != nil {
				return n, err
			}
		}
	}
}

func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// child is the first child element named name, nil if none; it is safe
// on a nil node, so paths can be chained.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// path follows child names from n.
func (n *node) path(names ...string) *node {
	for _, name := range names {
		n = n.child(name)
	}
	return n
}

// all lists the children named name.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// find returns the first descendant (or n itself) named name.
func (n *node) find(name string) *node {
	if n.name == name {
		return n
	}
	for _, k := range n.kids {
		if f := k.find(name); f != nil {
			return f
		}
	}
	return nil
}

// allText is the character data of the whole subtree.
func (n *node) allText() string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*node)
	walk = func(n *node) {
		for _, o := range n.order {
			switch o := o.(type) {
			case string:
				b.WriteString(o)
			case *node:
				walk(o)
			}
		}
	}
	walk(n)
	return b.String()
}

// math renders a formula element: its TeX when the file has one
// (<tex-math>, a TeX annotation, or the alttext PMC puts on MathML), else
// the MathML converted to LaTeX, so math is kept as LaTeX source whatever
// form the article uses. PMC wraps tex-math in a whole minimal LaTeX
// document; only the formula is kept.
func math(dec *tokenizer, start xml.StartElement, w *textWriter) error {
	n, err := parseNode(dec, start)
	display := strings.HasPrefix(start.Name.Local, "disp-formula")
	formula := ""
	if t := n.find("tex-math"); t != nil {
		formula = cleanTeXMath(t.allText())
	}
	if m := n.find("math"); m != nil && formula == "" {
		formula = strings.TrimSpace(m.attr("alttext"))
		if formula == "" {
			if a := m.find("annotation"); a != nil && strings.Contains(strings.ToLower(a.attr("encoding")), "tex") {
				formula = cleanTeXMath(a.allText())
			}
		}
		if formula == "" {
			formula = strings.Join(strings.Fields(mathML(m)), " ")
		}
	}
	switch {
	case formula != "" && display:
		w.text("$$" + formula + "$$")
	case formula != "":
		w.text("$" + formula + "$")
	}
	if display {
		if l := n.find("label"); l != nil && strings.TrimSpace(l.allText()) != "" {
			w.text(" " + strings.TrimSpace(l.allText()))
		}
	}
	return err
}

// mathML converts presentation MathML to LaTeX: scripts, fractions,
// roots, fences and tables by their LaTeX forms, tokens as written.
func mathML(n *node) string {
	kid := func(i int) string {
		if i < len(n.kids) {
			return mathML(n.kids[i])
		}
		return ""
	}
	group := func(s string) string { return "{" + strings.TrimSpace(s) + "}" }
	switch n.name {
	case "mi", "mn", "mo", "ms":
		return " " + texEscape(strings.TrimSpace(n.allText())) + " "
	case "mtext":
		if t := strings.TrimSpace(n.allText()); t != "" {
			return ` \text{` + t + `} `
		}
		return " "
	case "mspace", "mphantom", "annotation-xml", "annotation", "none", "mprescripts", "maligngroup", "malignmark":
		return " "
	case "semantics":
		return kid(0)
	case "msub":
		return group(kid(0)) + "_" + group(kid(1))
	case "msup":
		return group(kid(0)) + "^" + group(kid(1))
	case "msubsup", "munderover":
		return group(kid(0)) + "_" + group(kid(1)) + "^" + group(kid(2))
	case "munder":
		return group(kid(0)) + "_" + group(kid(1))
	case "mover":
		return group(kid(0)) + "^" + group(kid(1))
	case "mfrac":
		return `\frac` + group(kid(0)) + group(kid(1))
	case "msqrt":
		return `\sqrt` + group(children(n))
	case "mroot":
		return `\sqrt[` + strings.TrimSpace(kid(1)) + "]" + group(kid(0))
	case "mfenced":
		open, closing := "(", ")"
		if v := n.attr("open"); v != "" {
			open = v
		}
		if v := n.attr("close"); v != "" {
			closing = v
		}
		var parts []string
		for _, k := range n.kids {
			parts = append(parts, strings.TrimSpace(mathML(k)))
		}
		return `\left` + fenceTeX(open) + " " + strings.Join(parts, ", ") + ` \right` + fenceTeX(closing)
	case "mtable":
		var rows []string
		for _, r := range n.kids {
			var cells []string
			for _, c := range r.kids {
				cells = append(cells, strings.TrimSpace(mathML(c)))
			}
			rows = append(rows, strings.Join(cells, " & "))
		}
		return ` \begin{matrix} ` + strings.Join(rows, ` \\ `) + ` \end{matrix} `
	}
	return children(n)
}

func children(n *node) string {
	var b strings.Builder
	for _, k := range n.kids {
		b.WriteString(mathML(k))
	}
	return b.String()
}

func fenceTeX(f string) string {
	switch f {
	case "{":
		return `\{`
	case "}":
		return `\}`
	case "":
		return "."
	}
	return f
}

// texEscape protects the characters LaTeX treats specially in a token.
func texEscape(s string) string {
	return strings.NewReplacer(`{`, `\{`, `}`, `\}`, `%`, `\%`, `#`, `\#`, `&`, `\&`).Replace(s)
}
