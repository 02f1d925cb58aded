package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/atom"
)

// paragraphTags are the blocks that score their parent, as readability's
// paragraphs do.
func paragraphTag(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Pre, atom.Td, atom.Blockquote, atom.Li, atom.Dd:
		return true
	}
	return false
}

func heading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// render scores the tree, picks the main content and writes it as text.
// When boilerplate marks left (almost) nothing, as when a wrapper of the
// whole page carries a class like "with-sidebar", it scores again with
// the marks' text allowed.
func (p *parser) render(o Options) string {
	text := p.score(o)
	if len(text) >= 200 {
		return text
	}
	for i := range p.nodes {
		p.nodes[i].skip = boilerTags[p.nodes[i].tag]
		p.nodes[i].score, p.nodes[i].hasScore = 0, false
		p.nodes[i].textLen, p.nodes[i].linkLen = 0, 0
	}
	if t := p.score(o); len(t) > len(text) {
		text = t
	}
	if text == "" {
		// No paragraph anywhere (a splash page, a shop item of bullet
		// points): the page's text outside boilerplate, as trafilatura's
		// baseline gives.
		text = p.allText()
	}
	return text
}

// allText is every block outside marked boilerplate that is not mostly
// links, one a line.
func (p *parser) allText() string {
	var out strings.Builder
	for _, b := range p.blocks {
		if p.nodes[b.node].skip || b.linkLen*2 > b.end-b.start {
			continue
		}
		out.Write(p.text[b.start:b.end])
		out.WriteByte('\n')
	}
	return strings.TrimSpace(out.String())
}

func (p *parser) score(o Options) string {
	// Subtree text and link sizes.
	for _, b := range p.blocks {
		n := b.node
		l := b.end - b.start
		good := l >= 40 && b.linkLen*4 < l && bytes.ContainsAny(p.text[b.start:b.end], ".!?。！？")
		for n >= 0 {
			nd := &p.nodes[n]
			nd.textLen += l
			nd.linkLen += b.linkLen
			switch {
			case good:
				nd.good += l
			case !p.nodes[b.node].skip:
				nd.bad += l
			}
			n = nd.parent
		}
	}
	// Paragraph scores go to the parent and, halved, the grandparent.
	for _, b := range p.blocks {
		nd := &p.nodes[b.node]
		if nd.skip {
			continue
		}
		l := b.end - b.start
		if l < 25 {
			continue
		}
		t := p.text[b.start:b.end]
		s := 1 + float64(bytes.Count(t, []byte(","))+bytes.Count(t, []byte("，"))+bytes.Count(t, []byte("、"))) + min(float64(utf8.RuneCount(t))/100, 3)
		s *= 1 - float64(b.linkLen)/float64(l)
		target := b.node
		if paragraphTag(nd.tag) || heading(nd.tag) {
			target = nd.parent
		}
		for i, w := 0, 1.0; target >= 0 && i < 3; i++ {
			p.nodes[target].score += s * w
			p.nodes[target].hasScore = true
			target = p.nodes[target].parent
			w /= 2 + float64(i)
		}
	}
	best, bestScore := int32(-1), 0.0
	for i := range p.nodes {
		n := &p.nodes[i]
		if !n.hasScore || n.skip {
			continue
		}
		ld := 0.0
		if n.textLen > 0 {
			ld = float64(n.linkLen) / float64(n.textLen)
		}
		n.score = n.score*(1-ld) + 25*float64(n.hint)
		if n.score > bestScore {
			best, bestScore = int32(i), n.score
		}
	}
	if best < 0 {
		return ""
	}
	best = p.sharedAncestor(best, bestScore)
	best = p.expand(best)
	bestScore = max(bestScore, p.nodes[best].score)
	// The kept region: the best container and its siblings that score
	// well, as readability does.
	keep := make([]bool, len(p.nodes))
	keep[best] = true
	if par := p.nodes[best].parent; par >= 0 {
		threshold := max(10, bestScore*0.2)
		for i := range p.nodes {
			n := &p.nodes[i]
			if n.parent != par || int32(i) == best || n.skip {
				continue
			}
			if n.hasScore && n.score >= threshold {
				keep[i] = true
			}
			// A paragraph beside the article ("Hello! My name is ..."
			// before the rest of a home page), as readability keeps.
			if n.tag == atom.P && n.textLen > 0 && n.linkLen*4 < n.textLen && (n.textLen > 80 || p.nodeEndsSentence(int32(i))) {
				keep[i] = true
			}
		}
	}
	title := strings.Join(strings.Fields(string(p.title)), " ")
	var kept []fblock
	for _, b := range p.blocks {
		if !p.inKept(b.node, keep) || !p.keepBlock(b, o) {
			continue
		}
		t := p.text[b.start:b.end]
		// The headline repeats the page title: it is not article text.
		if heading(b.kind) && len(t) > 10 && strings.Contains(title, string(t)) {
			continue
		}
		kept = append(kept, b)
	}
	// What trails the last paragraph ("Related content", "Share", an
	// author's name) and short lines before the first (a dateline, a
	// byline) are the edges of the template, not the article.
	for len(kept) > 0 && p.edgeLine(kept[len(kept)-1], true) {
		kept = kept[:len(kept)-1]
	}
	for len(kept) > 0 && p.edgeLine(kept[0], false) {
		kept = kept[1:]
	}
	var out []byte
	prevRow := int32(-1)
	for _, b := range kept {
		// Cells of one data-table row share a line: "a | b | c".
		row := int32(-1)
		if b.inTable && (b.kind == atom.Td || b.kind == atom.Th) && p.dataTable(b.node) {
			row = p.ancestor(b.node, atom.Tr)
		}
		if row >= 0 && row == prevRow && len(out) > 0 {
			out = append(out[:len(out)-1], " | "...)
		}
		prevRow = row
		out = append(out, p.text[b.start:b.end]...)
		out = append(out, '\n')
	}
	return strings.TrimSpace(string(out))
}

// ancestor is the nearest ancestor-or-self of n with tag a, or -1.
func (p *parser) ancestor(n int32, a atom.Atom) int32 {
	for ; n >= 0; n = p.nodes[n].parent {
		if p.nodes[n].tag == a {
			return n
		}
	}
	return -1
}

// edgeLine tells a line at the start or end of the kept text that is no
// paragraph: a heading with nothing after it, or a short line that ends
// no sentence.
func (p *parser) edgeLine(b fblock, last bool) bool {
	t := p.text[b.start:b.end]
	if heading(b.kind) {
		return last
	}
	if b.inTable && p.dataTable(b.node) {
		return false // kept only with include_tables, and then wanted
	}
	return len(t) < 50 && !endsSentence(t)
}

// expand widens the chosen container to its parent while that adds
// mostly paragraph text: an article split into sections by figures or
// ads has its sections as siblings of one another.
func (p *parser) expand(best int32) int32 {
	n := best
	for hops := 0; hops < 6; hops++ {
		par := p.nodes[n].parent
		if par <= 0 || p.nodes[par].skip {
			return best
		}
		addGood := p.nodes[par].good - p.nodes[best].good
		addBad := p.nodes[par].bad - p.nodes[best].bad
		switch {
		case addGood >= 200 && addGood >= 3*addBad:
			best, hops = par, 0
		case addGood > 0 || addBad > 200:
			return best
		}
		// A wrapper that adds (almost) nothing: look further up.
		n = par
	}
	return best
}

// sharedAncestor is readability's rule for articles split over many
// containers (each paragraph in its own card): when at least three of the
// five best candidates score within 75 % of the best, their lowest common
// ancestor is the article.
func (p *parser) sharedAncestor(best int32, bestScore float64) int32 {
	var top [5]int32
	n := 0
	for i := range p.nodes {
		nd := &p.nodes[i]
		if !nd.hasScore || nd.skip || nd.score < 0.75*bestScore {
			continue
		}
		// Keep the five best, by insertion.
		j := min(n, len(top)-1)
		if n == len(top) && nd.score <= p.nodes[top[j]].score {
			continue
		}
		for j > 0 && p.nodes[top[j-1]].score < nd.score {
			top[j] = top[j-1]
			j--
		}
		top[j] = int32(i)
		n = min(n+1, len(top))
	}
	if n < 3 {
		return best
	}
	lca := top[0]
	for _, c := range top[1:n] {
		lca = p.commonAncestor(lca, c)
	}
	if lca < 0 || lca == 0 {
		return best
	}
	return lca
}

func (p *parser) depth(n int32) int {
	d := 0
	for ; n >= 0; n = p.nodes[n].parent {
		d++
	}
	return d
}

func (p *parser) commonAncestor(a, b int32) int32 {
	da, db := p.depth(a), p.depth(b)
	for da > db {
		a, da = p.nodes[a].parent, da-1
	}
	for db > da {
		b, db = p.nodes[b].parent, db-1
	}
	for a != b {
		a, b = p.nodes[a].parent, p.nodes[b].parent
	}
	return a
}

// inKept tells whether a block sits in a kept container, with no
// boilerplate-marked element between.
func (p *parser) inKept(n int32, keep []bool) bool {
	for n >= 0 {
		if p.nodes[n].skip {
			return false
		}
		if keep[n] {
			return true
		}
		n = p.nodes[n].parent
	}
	return false
}

// keepBlock filters single blocks inside the main content.
func (p *parser) keepBlock(b fblock, o Options) bool {
	nd := p.nodes[b.node]
	if nd.hint < 0 {
		return false
	}
	if p.inFigure(b.node) {
		// Captions and image credits: trafilatura leaves them out too.
		return false
	}
	if b.inTable && p.dataTable(b.node) {
		if !o.IncludeTables {
			return false
		}
		return b.linkLen*2 <= b.end-b.start // short cells are the point of a table
	}
	t := p.text[b.start:b.end]
	l := len(t)
	ld := float64(b.linkLen) / float64(l)
	if heading(b.kind) {
		return ld < 0.5
	}
	// A sentence may be mostly links (a Wikipedia lead: "X is a
	// [municipality] of the [province of Y]."); a menu line is not one.
	if maxLD := 0.5; ld > maxLD && !(b.kind == atom.P && endsSentence(t) && ld <= 0.8) {
		return false
	}
	if l < 20 && !endsSentence(t) && b.kind != atom.Li && b.kind != atom.Dd {
		return false
	}
	return true
}

// nodeEndsSentence tells whether the last block in node n ends a sentence.
func (p *parser) nodeEndsSentence(n int32) bool {
	if p.lastBlock == nil {
		p.lastBlock = make([]int32, len(p.nodes))
		for i := range p.lastBlock {
			p.lastBlock[i] = -1
		}
		for i, b := range p.blocks {
			p.lastBlock[b.node] = int32(i)
		}
	}
	if i := p.lastBlock[n]; i >= 0 {
		return endsSentence(p.text[p.blocks[i].start:p.blocks[i].end])
	}
	return false
}

// inFigure tells whether a node lies in a <figure> or <figcaption>.
func (p *parser) inFigure(n int32) bool {
	for ; n >= 0; n = p.nodes[n].parent {
		if t := p.nodes[n].tag; t == atom.Figure || t == atom.Figcaption {
			return true
		}
	}
	return false
}

// dataTable is a table cell's table when it holds short cells only (a data
// table, not a layout table around the article).
func (p *parser) dataTable(n int32) bool {
	for n >= 0 && p.nodes[n].tag != atom.Table {
		n = p.nodes[n].parent
	}
	if n < 0 {
		return false
	}
	if p.dataTab == nil {
		p.dataTab = make(map[int32]bool)
	}
	if d, ok := p.dataTab[n]; ok {
		return d
	}
	cells := 0
	for i := n + 1; i < int32(len(p.nodes)); i++ {
		if !p.within(i, n) {
			break // nodes are in document order: the table's subtree is contiguous
		}
		if t := p.nodes[i].tag; t == atom.Td || t == atom.Th {
			cells++
		}
	}
	d := cells >= 4 && p.nodes[n].textLen < 60*cells
	p.dataTab[n] = d
	return d
}

// within tells whether node n lies in the subtree of anc.
func (p *parser) within(n, anc int32) bool {
	for ; n >= 0; n = p.nodes[n].parent {
		if n == anc {
			return true
		}
	}
	return false
}

func endsSentence(t []byte) bool {
	r, _ := utf8.DecodeLastRune(t)
	switch r {
	case '.', '!', '?', ':', '"', '”', '’', ')', '。', '！', '？':
		return true
	}
	return false
}
