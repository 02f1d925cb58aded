package mixture

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"
)

// capError says which margin could not be met and the capped cells in it.
type capError struct {
	row    bool // a source's margin, else a language's
	index  int
	needed float64 // tokens the margin needs
	most   float64 // tokens its cells can give under their caps
}

func (e *capError) Error() string { return "margin cannot be met under max_epochs" }

func (e *capError) describe(srcs []Source, langs []string, m *matrix, budget float64) string {
	if e.row {
		s := srcs[e.index]
		return fmt.Sprintf("source %s needs %.0f tokens (%.2f epochs of its %.0f) but max_epochs %g allows %.0f",
			s.Name, e.needed, e.needed/sumRow(m, e.index), sumRow(m, e.index), s.MaxEpochs, e.most)
	}
	// Name the language's largest capped cell: raising its source's
	// max_epochs (or lowering the language's target) is the fix.
	j := e.index
	best, bestT := -1, -1.0
	for i := range srcs {
		if srcs[i].MaxEpochs > 0 && m.tokens[i][j] > bestT {
			best, bestT = i, m.tokens[i][j]
		}
	}
	cell := ""
	if best >= 0 {
		cell = fmt.Sprintf("; cell (%s, %s) holds %.0f tokens at max_epochs %g", srcs[best].Name, langs[j], bestT, srcs[best].MaxEpochs)
	}
	return fmt.Sprintf("language %s needs %.0f tokens (%.2f%% of %.0f) but its cells allow at most %.0f under max_epochs%s",
		langs[j], e.needed, 100*e.needed/budget, budget, e.most, cell)
}

// marginsCompatible names why source weights and language targets cannot
// both hold, before fitting. By Gale's theorem for transportation problems
// they can (without caps) exactly when every set of sources weighs no more
// than the targets of the languages those sources hold. A single language
// whose holders weigh less than its target is the common case and is
// named first; then sets of sources, smallest first (all sets up to 16
// sources, single sources beyond).
func marginsCompatible(srcs []Source, rowShare []float64, langs []string, colShare []float64, m *matrix) error {
	const slack = 1e-9
	for j, l := range langs {
		var reach float64
		var holders []string
		for i, s := range srcs {
			if m.tokens[i][j] > 0 {
				reach += rowShare[i]
				holders = append(holders, s.Name)
			}
		}
		if colShare[j] > reach+slack {
			return fmt.Errorf("mixture infeasible: language %s has target %.2f%% but the sources holding it (%s) weigh %.2f%% together",
				l, 100*colShare[j], strings.Join(holders, ", "), 100*reach)
		}
	}
	n := len(srcs)
	var sets []uint32
	if n <= 16 {
		for set := uint32(1); set < 1<<n; set++ {
			sets = append(sets, set)
		}
		sort.SliceStable(sets, func(a, b int) bool { return bits.OnesCount32(sets[a]) < bits.OnesCount32(sets[b]) })
	} else {
		for i := range n {
			sets = append(sets, 1<<i)
		}
	}
	for _, set := range sets {
		var weight, reach float64
		var names, held []string
		for i := range n {
			if set&(1<<i) != 0 {
				weight += rowShare[i]
				names = append(names, srcs[i].Name)
			}
		}
		for j, l := range langs {
			for i := range n {
				if set&(1<<i) != 0 && m.tokens[i][j] > 0 {
					reach += colShare[j]
					held = append(held, l)
					break
				}
			}
		}
		if weight > reach+slack {
			who := "source " + names[0] + " weighs"
			if len(names) > 1 {
				who = "sources " + strings.Join(names, ", ") + " weigh"
			}
			return fmt.Errorf("mixture infeasible: %s %.2f%% but the languages held there (%s) have targets summing to %.2f%%",
				who, 100*weight, strings.Join(held, ", "), 100*reach)
		}
	}
	return nil
}
