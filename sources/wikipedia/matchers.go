package wikipedia

import "strings"

// maxNesting bounds how deep kept templates and link labels are converted
// recursively. Real pages nest a handful of levels; a page of 100k nested
// {{lang|..|{{lang|..}}}} or [[a|[[a|..]]]] would otherwise cost one pass
// over the rest of the page per level. Deeper content is dropped.
const maxNesting = 16

// span is where a template or link that may open at pos ends (exclusive),
// -1 when it never closes.
type span struct{ pos, end int }

// braceSpans computes, in one pass, what matchBraces would return for
// every position templates() can start from: the start of a run of two or
// more '{', and every second brace of it (after an unclosed "{{" the scan
// resumes two bytes on). Calling matchBraces from each start instead costs
// a scan to the end of the page per unclosed "{{", quadratic on a page of
// them.
//
// Let P be the running sum of opening runs minus closing runs (runs of two
// or more). A match from a start with P = p closes at the first closing run
// after it that brings P to p or below, so a stack of open starts, whose p
// only grows from bottom to top, finds every match as the closing runs come.
func braceSpans(s string) []span {
	var spans []span
	var open []int // indexes into spans, p ascending
	var ps []int   // P of each open start
	p := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c != '{' && c != '}' {
			j := strings.IndexAny(s[i:], "{}")
			if j < 0 {
				break
			}
			i += j
			continue
		}
		n := braceRun(s, i, c)
		if n >= 2 {
			if c == '{' {
				for q := i; q+2 <= i+n; q += 2 {
					spans = append(spans, span{pos: q, end: -1})
					open = append(open, len(spans)-1)
					ps = append(ps, p+(q-i))
				}
				p += n
			} else {
				after := p - n
				for len(open) > 0 && ps[len(ps)-1] >= after {
					top := len(open) - 1
					spans[open[top]].end = i + (p - ps[top])
					open, ps = open[:top], ps[:top]
				}
				p = after
			}
		}
		i += n
	}
	return spans
}

// linkSpans does for matchLink what braceSpans does for matchBraces. The
// scan pairs brackets from the left ("[[", "]]"), and every start links()
// uses is on that pairing, so one left-to-right pairing serves them all.
func linkSpans(s string) []span {
	var spans []span
	var open []int
	var ps []int
	p := 0
	for i := 0; i < len(s)-1; {
		switch {
		case s[i] == '[' && s[i+1] == '[':
			spans = append(spans, span{pos: i, end: -1})
			open = append(open, len(spans)-1)
			ps = append(ps, p)
			p++
			i += 2
		case s[i] == ']' && s[i+1] == ']':
			p--
			i += 2
			for len(open) > 0 && ps[len(ps)-1] >= p {
				top := len(open) - 1
				spans[open[top]].end = i
				open, ps = open[:top], ps[:top]
			}
		default:
			j := strings.IndexAny(s[i+1:], "[]")
			if j < 0 {
				i = len(s)
				break
			}
			i += j + 1
		}
	}
	return spans
}

// spanCursor answers end-of-match queries for ascending positions.
type spanCursor struct {
	spans []span
	k     int
	// slow matches a position the spans do not list; never expected, kept
	// so an oversight costs speed, not correctness.
	slow func(string) int
	s    string
}

func (c *spanCursor) end(pos int) int {
	for c.k < len(c.spans) && c.spans[c.k].pos < pos {
		c.k++
	}
	if c.k < len(c.spans) && c.spans[c.k].pos == pos {
		return c.spans[c.k].end
	}
	if e := c.slow(c.s[pos:]); e >= 0 {
		return pos + e
	}
	return -1
}

// closeFinder memoises findClose per tag name over one pass of stripTags:
// an unclosed <ref> repeated down a page would otherwise scan to the end
// once per tag.
type closeFinder struct {
	s    string
	memo map[string][2]int // name -> searched from, found at (-1: none)
}

// find returns the absolute start and length of the first </name> at or
// after from.
func (f *closeFinder) find(from int, name string) (int, int) {
	if m, ok := f.memo[name]; ok && from >= m[0] && (m[1] < 0 || from <= m[1]) {
		if m[1] < 0 {
			return -1, 0
		}
		_, n := findClose(f.s[m[1]:], name)
		return m[1], n
	}
	j, n := findClose(f.s[from:], name)
	if j >= 0 {
		j += from
	}
	if f.memo == nil {
		f.memo = map[string][2]int{}
	}
	f.memo[name] = [2]int{from, j}
	return j, n
}
