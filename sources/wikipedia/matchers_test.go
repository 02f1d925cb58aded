package wikipedia

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// visits replays the templates()/links() loop: the (start, end) pairs it
// matches, with end found by match on the rest of the text (the scan the
// converter used before the one-pass spans).
func visits(s, open string, end func(s string, pos int) int) [][2]int {
	var out [][2]int
	pos := 0
	for {
		i := strings.Index(s[pos:], open)
		if i < 0 {
			return out
		}
		pos += i
		e := end(s, pos)
		out = append(out, [2]int{pos, e})
		if e < 0 {
			pos += 2
			continue
		}
		pos = e
	}
}

func TestSpansMatchTheScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"{", "}", "{{", "}}", "[", "]", "[[", "]]", "a", "|", " ", "{{{", "}}}"}
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		for k := rng.IntN(30); k > 0; k-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		for _, c := range []struct {
			open  string
			match func(string) int
			spans func(string) []span
		}{{"{{", matchBraces, braceSpans}, {"[[", matchLink, linkSpans}} {
			old := visits(s, c.open, func(s string, pos int) int {
				if e := c.match(s[pos:]); e >= 0 {
					return pos + e
				}
				return -1
			})
			// slow fails the test: every start must be in the spans.
			cur := &spanCursor{spans: c.spans(s), s: s, slow: func(string) int { t.Fatalf("%q: start missing from spans", s); return -1 }}
			got := visits(s, c.open, func(_ string, pos int) int { return cur.end(pos) })
			if len(old) != len(got) {
				t.Fatalf("%q %s: visits %v, want %v", s, c.open, got, old)
			}
			for i := range old {
				if old[i] != got[i] {
					t.Fatalf("%q %s: visits %v, want %v", s, c.open, got, old)
				}
			}
		}
	}
}

// pathological are pages that made the converter quadratic (seconds to
// minutes for a few hundred KB); now each is a few passes.
func pathological(n int) map[string]string {
	return map[string]string{
		"unclosed {{":     strings.Repeat("{{", n) + " text",
		"unclosed {{x":    strings.Repeat("{{x ", n),
		"nested [[":       strings.Repeat("[[", n) + "x" + strings.Repeat("]]", n),
		"nested [[a|":     strings.Repeat("[[a|", n) + "x" + strings.Repeat("]]", n),
		"unclosed [[":     strings.Repeat("[[a ", n),
		"nested {{lang":   strings.Repeat("{{lang|en|", n) + "x" + strings.Repeat("}}", n),
		"unclosed <ref>":  strings.Repeat("<ref>", n),
		"unclosed [http":  strings.Repeat("[http://a ", n),
		"unclosed nowiki": strings.Repeat("<nowiki>", n),
		"mixed {{[[ runs": strings.Repeat("{{[[{{{", n),
	}
}

func TestPathologicalPagesConvert(t *testing.T) {
	c := NewConverter(nil, false)
	for name, page := range pathological(100000) {
		t.Run(name, func(t *testing.T) {
			out := c.Text(page)
			if strings.HasPrefix(name, "nested") && strings.Count(out, "x") > 1 {
				t.Errorf("nested content beyond %d levels should be dropped, got %d bytes", maxNesting, len(out))
			}
		})
	}
	// Bounded nesting keeps what real pages nest.
	if got := c.Text(strings.Repeat("{{lang|en|", 5) + "deep" + strings.Repeat("}}", 5)); got != "deep" {
		t.Errorf("5 nested lang templates: %q, want deep", got)
	}
	if got := c.Text(strings.Repeat("[[a|", 5) + "deep" + strings.Repeat("]]", 5)); got != "deep" {
		t.Errorf("5 nested labels: %q, want deep", got)
	}
}

// BenchmarkPathological shows the converter linear on them: MB/s stays
// flat from 10k to 100k repetitions.
func BenchmarkPathological(b *testing.B) {
	c := NewConverter(nil, false)
	for _, n := range []int{10000, 100000} {
		for name, page := range pathological(n) {
			b.Run(strings.ReplaceAll(name, " ", "_")+"/"+map[int]string{10000: "10k", 100000: "100k"}[n], func(b *testing.B) {
				b.SetBytes(int64(len(page)))
				for b.Loop() {
					c.Text(page)
				}
			})
		}
	}
}
