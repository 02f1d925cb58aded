// Package mixture is the arithmetic of a training mixture: how many epochs
// of each (source, language) cell a token budget needs so that sources get
// their weights and languages their target shares, within each source's
// max_epochs.
//
// With source weights only, every cell of a source gets the source's rate
// (weight × budget / the source's tokens). With language targets too, the
// cell matrix is fitted to both sets of margins by iterative proportional
// fitting (IPF), starting from the corpus's own distribution, with cells
// capped at max_epochs during the fit; a mixture that cannot be met stops
// with an error naming the cell or margin at fault. The package knows
// nothing of files: it turns counts into rates.
package mixture

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Other is the language key that takes every language not named.
const Other = "other"

// CodeKey, as a language target, takes every "code:<lang>" language.
const CodeKey = "code"

// Cell is the train tokens of one language in one source.
type Cell struct {
	Source, Language string
	Docs, Tokens     int64
}

// Source is one source's place in the mix.
type Source struct {
	Name string
	// Weight is the source's share of the training tokens (relative:
	// weights are normalised to sum to 1).
	Weight float64
	// MaxEpochs caps how often the source's documents are repeated;
	// 0 = no cap (with a budget) or 1 (when the budget is derived).
	MaxEpochs float64
}

// Spec is what the mixture must achieve.
type Spec struct {
	Sources []Source
	// Languages are target shares by language key (ISO code, "code", or
	// "other" for the rest); nil leaves languages as they fall.
	Languages map[string]float64
	// TotalTokens is the budget; 0 means the largest budget no source
	// needs beyond its max_epochs for.
	TotalTokens int64
}

// Row is one cell of the solved mixture.
type Row struct {
	Source   string  `json:"source"`
	Language string  `json:"language"`
	Docs     int64   `json:"docs"`
	Tokens   int64   `json:"tokens"`
	Rate     float64 `json:"rate"` // epochs of this cell: effective / tokens
	// Effective is rate × tokens, the cell's share of the budget.
	Effective float64 `json:"effective_tokens"`
}

// Plan is the solved mixture.
type Plan struct {
	Budget float64 `json:"budget_tokens"`
	Rows   []Row   `json:"cells"`
}

// Tolerance is how far (absolute share, 0.5 %) an achieved source or
// language share may be from its target.
const Tolerance = 0.005

// LanguageKey maps a document's language to its target key: the language
// itself when named, "code" for code:<lang> when "code" is named, else
// "other". Without targets the language is its own key.
func LanguageKey(lang string, targets map[string]float64) string {
	if len(targets) == 0 {
		return lang
	}
	if _, ok := targets[lang]; ok {
		return lang
	}
	if _, ok := targets[CodeKey]; ok && strings.HasPrefix(lang, "code:") {
		return CodeKey
	}
	return Other
}

// Solve finds every cell's rate. Cells must already use LanguageKey keys.
func Solve(spec Spec, cells []Cell) (*Plan, error) {
	if len(spec.Sources) == 0 {
		return nil, errors.New("mixture: no sources")
	}
	var wsum float64
	srcIdx := map[string]int{}
	for i, s := range spec.Sources {
		if s.Weight <= 0 {
			return nil, fmt.Errorf("mixture: source %s: weight must be positive", s.Name)
		}
		if s.MaxEpochs < 0 {
			return nil, fmt.Errorf("mixture: source %s: max_epochs must not be negative", s.Name)
		}
		wsum += s.Weight
		srcIdx[s.Name] = i
	}
	langs := languageList(spec, cells)
	langIdx := map[string]int{}
	for j, l := range langs {
		langIdx[l] = j
	}
	m := newMatrix(len(spec.Sources), len(langs))
	for _, c := range cells {
		i, ok := srcIdx[c.Source]
		if !ok {
			return nil, fmt.Errorf("mixture: cell of unknown source %q", c.Source)
		}
		j := langIdx[c.Language]
		m.tokens[i][j] += float64(c.Tokens)
		m.docs[i][j] += c.Docs
	}
	rowT := make([]float64, len(spec.Sources))
	for i, s := range spec.Sources {
		for j := range langs {
			rowT[i] += m.tokens[i][j]
		}
		if rowT[i] == 0 {
			return nil, fmt.Errorf("mixture: source %s has weight %g but no tokens", s.Name, s.Weight)
		}
	}
	rowShare := make([]float64, len(spec.Sources))
	for i, s := range spec.Sources {
		rowShare[i] = s.Weight / wsum
	}
	var colShare []float64
	if len(spec.Languages) > 0 {
		var err error
		if colShare, err = languageShares(spec.Languages, langs, m); err != nil {
			return nil, err
		}
	}

	if colShare != nil {
		if err := marginsCompatible(spec.Sources, rowShare, langs, colShare, m); err != nil {
			return nil, err
		}
	}
	// The unit solution (budget 1) scales linearly with the budget while
	// no cap binds, so it fixes the derived budget.
	budget := float64(spec.TotalTokens)
	if budget == 0 {
		unit, err := fit(m, rowShare, colShare, 1, nil)
		if err != nil {
			return nil, err
		}
		budget = math.Inf(1)
		for i, s := range spec.Sources {
			capE := s.MaxEpochs
			if capE == 0 {
				capE = 1
			}
			for j := range langs {
				if r := unit[i][j]; r > 0 {
					budget = math.Min(budget, capE/r)
				}
			}
		}
	}
	caps := make([]float64, len(spec.Sources))
	for i, s := range spec.Sources {
		caps[i] = s.MaxEpochs
	}
	rates, err := fit(m, rowShare, colShare, budget, caps)
	if err != nil {
		var ce *capError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("mixture infeasible: %s", ce.describe(spec.Sources, langs, m, budget))
		}
		return nil, err
	}
	p := &Plan{Budget: budget}
	for i, s := range spec.Sources {
		for j, l := range langs {
			if m.docs[i][j] == 0 {
				continue
			}
			t := m.tokens[i][j]
			p.Rows = append(p.Rows, Row{Source: s.Name, Language: l, Docs: m.docs[i][j], Tokens: int64(t),
				Rate: rates[i][j], Effective: rates[i][j] * t})
		}
	}
	return p, nil
}

type matrix struct {
	tokens [][]float64
	docs   [][]int64
}

func newMatrix(rows, cols int) *matrix {
	m := &matrix{tokens: make([][]float64, rows), docs: make([][]int64, rows)}
	for i := range m.tokens {
		m.tokens[i] = make([]float64, cols)
		m.docs[i] = make([]int64, cols)
	}
	return m
}

// languageList is the column order: the targets' keys (sorted) or the
// corpus's languages (sorted).
func languageList(spec Spec, cells []Cell) []string {
	set := map[string]bool{}
	for k := range spec.Languages {
		set[k] = true
	}
	for _, c := range cells {
		set[c.Language] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func languageShares(targets map[string]float64, langs []string, m *matrix) ([]float64, error) {
	var sum float64
	for _, v := range targets {
		if v < 0 {
			return nil, errors.New("mixture: language shares must not be negative")
		}
		sum += v
	}
	if math.Abs(sum-1) > 1e-6 {
		return nil, fmt.Errorf("mixture: language shares sum to %g, want 1", sum)
	}
	shares := make([]float64, len(langs))
	for j, l := range langs {
		shares[j] = targets[l] // languages of the corpus without a target: 0
		var t float64
		for i := range m.tokens {
			t += m.tokens[i][j]
		}
		if shares[j] > 0 && t == 0 {
			return nil, fmt.Errorf("mixture infeasible: language %s has target %.2f%% but no tokens in any source", l, 100*shares[j])
		}
	}
	return shares, nil
}

func sumRow(m *matrix, i int) float64 {
	var t float64
	for _, v := range m.tokens[i] {
		t += v
	}
	return t
}

// fit returns rates (effective / tokens) per cell for the budget: rows
// sum to rowShare × budget, columns (when colShare is set) to colShare ×
// budget, and no cell of source i exceeds caps[i] epochs (0 = no cap).
func fit(m *matrix, rowShare, colShare []float64, budget float64, caps []float64) ([][]float64, error) {
	rows, cols := len(m.tokens), len(m.tokens[0])
	e := make([][]float64, rows)
	upper := make([][]float64, rows)
	for i := range e {
		e[i] = append([]float64(nil), m.tokens[i]...)
		upper[i] = make([]float64, cols)
		for j := range upper[i] {
			upper[i][j] = math.Inf(1)
			if caps != nil && caps[i] > 0 {
				upper[i][j] = caps[i] * m.tokens[i][j]
			}
		}
	}
	rowTarget := make([]float64, rows)
	for i := range rowTarget {
		rowTarget[i] = rowShare[i] * budget
	}
	var colTarget []float64
	if colShare != nil {
		colTarget = make([]float64, cols)
		for j := range colTarget {
			colTarget[j] = colShare[j] * budget
		}
	}
	const maxIter = 5000
	for iter := 0; iter < maxIter; iter++ {
		for i := range e {
			if err := scaleCapped(e[i], upper[i], rowTarget[i]); err != nil {
				return nil, &capError{row: true, index: i, needed: rowTarget[i], most: sum(upper[i])}
			}
		}
		if colTarget == nil {
			break
		}
		col := make([]float64, rows)
		up := make([]float64, rows)
		for j := 0; j < cols; j++ {
			for i := range e {
				col[i], up[i] = e[i][j], upper[i][j]
			}
			if err := scaleCapped(col, up, colTarget[j]); err != nil {
				return nil, &capError{index: j, needed: colTarget[j], most: sum(up)}
			}
			for i := range e {
				e[i][j] = col[i]
			}
		}
		// Columns now hold exactly; stop once rows do too.
		worst := 0.0
		for i := range e {
			worst = math.Max(worst, math.Abs(sum(e[i])-rowTarget[i])/math.Max(budget, 1))
		}
		if worst < 1e-9 {
			break
		}
		if iter == maxIter-1 {
			return nil, errors.New("mixture infeasible: source weights and language targets cannot both hold: " +
				"some language's target is larger than the sources that hold it can give at their weights")
		}
	}
	rates := make([][]float64, rows)
	for i := range e {
		rates[i] = make([]float64, cols)
		for j := range e[i] {
			if m.tokens[i][j] > 0 {
				rates[i][j] = e[i][j] / m.tokens[i][j]
			}
		}
	}
	return rates, nil
}

// scaleCapped multiplies v by one factor so it sums to target, except that
// entries reaching their upper bound stay there and the rest take up the
// difference. It fails when the bounds cannot reach the target or v has
// no mass to scale.
func scaleCapped(v, upper []float64, target float64) error {
	if target == 0 {
		for i := range v {
			v[i] = 0
		}
		return nil
	}
	if sum(upper) < target*(1-1e-12) {
		return errors.New("capped")
	}
	fixed := make([]bool, len(v))
	for {
		var free, fixedSum float64
		for i := range v {
			if fixed[i] {
				fixedSum += v[i]
			} else {
				free += v[i]
			}
		}
		if free <= 0 {
			if math.Abs(fixedSum-target) <= 1e-9*target {
				return nil
			}
			return errors.New("capped")
		}
		f := (target - fixedSum) / free
		clipped := false
		for i := range v {
			if fixed[i] {
				continue
			}
			if v[i]*f >= upper[i] {
				v[i], fixed[i], clipped = upper[i], true, true
			}
		}
		if !clipped {
			for i := range v {
				if !fixed[i] {
					v[i] *= f
				}
			}
			return nil
		}
	}
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}

// Shares sums effective tokens per source and per language key, as shares
// of their total: what a table of achieved shares is made of.
func Shares(rows []Row, effective func(Row) float64) (bySource, byLanguage map[string]float64) {
	bySource, byLanguage = map[string]float64{}, map[string]float64{}
	var total float64
	for _, r := range rows {
		e := effective(r)
		bySource[r.Source] += e
		byLanguage[r.Language] += e
		total += e
	}
	if total > 0 {
		for k := range bySource {
			bySource[k] /= total
		}
		for k := range byLanguage {
			byLanguage[k] /= total
		}
	}
	return bySource, byLanguage
}
