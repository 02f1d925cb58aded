package mixture

import (
	"math"
	"strings"
	"testing"
)

func rate(t *testing.T, p *Plan, src, lang string) float64 {
	t.Helper()
	for _, r := range p.Rows {
		if r.Source == src && r.Language == lang {
			return r.Rate
		}
	}
	t.Fatalf("no cell (%s, %s)", src, lang)
	return 0
}

func TestSolve(t *testing.T) {
	twoSources := []Cell{
		{Source: "web", Language: "en", Docs: 10, Tokens: 1000},
		{Source: "books", Language: "en", Docs: 5, Tokens: 500},
	}
	// GPT-3's shape: web large and sampled below one epoch, wiki small and
	// repeated.
	gpt3 := []Cell{
		{Source: "cc", Language: "en", Docs: 100, Tokens: 100000},
		{Source: "wiki", Language: "en", Docs: 10, Tokens: 1000},
	}
	langCells := []Cell{
		{Source: "web", Language: "en", Docs: 80, Tokens: 8000},
		{Source: "web", Language: "de", Docs: 20, Tokens: 2000},
		{Source: "wiki", Language: "en", Docs: 10, Tokens: 1000},
		{Source: "wiki", Language: "de", Docs: 30, Tokens: 3000},
	}
	tests := []struct {
		name    string
		spec    Spec
		cells   []Cell
		rates   map[[2]string]float64
		budget  float64
		wantErr string
	}{
		{
			name:  "budget sets epochs = weight x budget / tokens",
			spec:  Spec{Sources: []Source{{Name: "web", Weight: 0.6}, {Name: "books", Weight: 0.4}}, TotalTokens: 2000},
			cells: twoSources, budget: 2000,
			rates: map[[2]string]float64{{"web", "en"}: 1.2, {"books", "en"}: 1.6},
		},
		{
			name:  "weights are relative",
			spec:  Spec{Sources: []Source{{Name: "web", Weight: 3}, {Name: "books", Weight: 2}}, TotalTokens: 2000},
			cells: twoSources, budget: 2000,
			rates: map[[2]string]float64{{"web", "en"}: 1.2, {"books", "en"}: 1.6},
		},
		{
			name:  "down-sampling below one epoch",
			spec:  Spec{Sources: []Source{{Name: "cc", Weight: 0.6}, {Name: "wiki", Weight: 0.4}}, TotalTokens: 5000},
			cells: gpt3, budget: 5000,
			rates: map[[2]string]float64{{"cc", "en"}: 0.03, {"wiki", "en"}: 2},
		},
		{
			name: "no budget: largest that needs no source beyond max_epochs (unset = 1)",
			spec: Spec{Sources: []Source{{Name: "web", Weight: 0.6}, {Name: "books", Weight: 0.4, MaxEpochs: 2}}},
			// web at one epoch: budget 1000/0.6; books would allow 2*500/0.4 = 2500.
			cells: twoSources, budget: 1000 / 0.6,
			rates: map[[2]string]float64{{"web", "en"}: 1, {"books", "en"}: 0.4 * (1000 / 0.6) / 500},
		},
		{
			name:    "a source past its max_epochs is an error naming it",
			spec:    Spec{Sources: []Source{{Name: "web", Weight: 0.6}, {Name: "books", Weight: 0.4, MaxEpochs: 1}}, TotalTokens: 2000},
			cells:   twoSources,
			wantErr: "source books needs 800 tokens (1.60 epochs",
		},
		{
			name: "languages fitted with sources (IPF)",
			spec: Spec{Sources: []Source{{Name: "web", Weight: 0.5}, {Name: "wiki", Weight: 0.5}},
				Languages: map[string]float64{"en": 0.7, "de": 0.3}, TotalTokens: 10000},
			cells: langCells, budget: 10000,
		},
		{
			name: "a language target no source holds",
			spec: Spec{Sources: []Source{{Name: "web", Weight: 1}},
				Languages: map[string]float64{"en": 0.9, "ja": 0.1}, TotalTokens: 100},
			cells:   langCells[:2],
			wantErr: "language ja has target 10.00% but no tokens",
		},
		{
			name: "a language target the caps cannot reach names the cell",
			spec: Spec{Sources: []Source{{Name: "web", Weight: 0.5, MaxEpochs: 1}, {Name: "wiki", Weight: 0.5, MaxEpochs: 1}},
				Languages: map[string]float64{"en": 0.1, "de": 0.9}, TotalTokens: 6000},
			cells:   langCells,
			wantErr: "language de needs 5400 tokens (90.00% of 6000) but its cells allow at most 5000 under max_epochs; cell (wiki, de)",
		},
		{
			name: "a source whose languages' targets cannot cover its weight",
			spec: Spec{Sources: []Source{{Name: "web", Weight: 0.2}, {Name: "wiki", Weight: 0.8}},
				Languages: map[string]float64{"en": 0.15, "es": 0.15, "de": 0.7}, TotalTokens: 100},
			cells:   []Cell{{Source: "web", Language: "en", Tokens: 10}, {Source: "web", Language: "es", Tokens: 10}, {Source: "wiki", Language: "de", Tokens: 10}},
			wantErr: "source wiki weighs 80.00% but the languages held there (de) have targets summing to 70.00%",
		},
		{
			name: "a language whose sources weigh too little",
			spec: Spec{Sources: []Source{{Name: "a", Weight: 0.45}, {Name: "b", Weight: 0.45}, {Name: "wiki", Weight: 0.1}},
				Languages: map[string]float64{"en": 0.4, "fr": 0.3, "de": 0.3}, TotalTokens: 100},
			cells: []Cell{{Source: "a", Language: "en", Tokens: 10}, {Source: "a", Language: "fr", Tokens: 10},
				{Source: "b", Language: "en", Tokens: 10}, {Source: "b", Language: "fr", Tokens: 10},
				{Source: "wiki", Language: "de", Tokens: 10}, {Source: "wiki", Language: "en", Tokens: 10}},
			wantErr: "language de has target 30.00% but the sources holding it (wiki) weigh 10.00% together",
		},
		{
			name: "language shares must sum to one",
			spec: Spec{Sources: []Source{{Name: "web", Weight: 1}},
				Languages: map[string]float64{"en": 0.5, "de": 0.3}, TotalTokens: 100},
			cells:   langCells[:2],
			wantErr: "sum to 0.8",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Solve(tc.spec, tc.cells)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(p.Budget-tc.budget) > 1e-6*tc.budget {
				t.Fatalf("budget %g, want %g", p.Budget, tc.budget)
			}
			for cell, want := range tc.rates {
				if got := rate(t, p, cell[0], cell[1]); math.Abs(got-want) > 1e-9*want {
					t.Errorf("rate %v = %g, want %g", cell, got, want)
				}
			}
			// Every margin holds: sources at their weights, languages at
			// their targets.
			bySrc, byLang := Shares(p.Rows, func(r Row) float64 { return r.Effective })
			var wsum float64
			for _, s := range tc.spec.Sources {
				wsum += s.Weight
			}
			for _, s := range tc.spec.Sources {
				if math.Abs(bySrc[s.Name]-s.Weight/wsum) > 1e-6 {
					t.Errorf("source %s share %g, want %g", s.Name, bySrc[s.Name], s.Weight/wsum)
				}
			}
			for l, want := range tc.spec.Languages {
				if math.Abs(byLang[l]-want) > 1e-6 {
					t.Errorf("language %s share %g, want %g", l, byLang[l], want)
				}
			}
			for _, r := range p.Rows {
				for _, s := range tc.spec.Sources {
					if s.Name == r.Source && s.MaxEpochs > 0 && r.Rate > s.MaxEpochs+1e-9 {
						t.Errorf("cell (%s, %s) at %g epochs, over max_epochs %g", r.Source, r.Language, r.Rate, s.MaxEpochs)
					}
				}
			}
		})
	}
}

// Caps that bind move tokens to the cells that have room: the fit still
// meets both margins.
func TestSolveCapsRedistribute(t *testing.T) {
	cells := []Cell{
		{Source: "web", Language: "en", Docs: 1, Tokens: 9000},
		{Source: "web", Language: "ja", Docs: 1, Tokens: 1000},
		{Source: "wiki", Language: "en", Docs: 1, Tokens: 1000},
		{Source: "wiki", Language: "ja", Docs: 1, Tokens: 1000},
	}
	spec := Spec{Sources: []Source{{Name: "web", Weight: 0.5}, {Name: "wiki", Weight: 0.5, MaxEpochs: 2}},
		Languages: map[string]float64{"en": 0.6, "ja": 0.4}, TotalTokens: 6000}
	p, err := Solve(spec, cells)
	if err != nil {
		t.Fatal(err)
	}
	bySrc, byLang := Shares(p.Rows, func(r Row) float64 { return r.Effective })
	if math.Abs(bySrc["wiki"]-0.5) > 1e-6 || math.Abs(byLang["ja"]-0.4) > 1e-6 {
		t.Fatalf("shares %v %v", bySrc, byLang)
	}
	if r := rate(t, p, "wiki", "ja"); r > 2+1e-9 {
		t.Fatalf("wiki/ja at %g epochs, over its cap", r)
	}
}

func TestLanguageKey(t *testing.T) {
	targets := map[string]float64{"en": 0.5, "code": 0.2, "other": 0.3}
	for lang, want := range map[string]string{"en": "en", "code:go": "code", "de": "other", "und": "other"} {
		if got := LanguageKey(lang, targets); got != want {
			t.Errorf("LanguageKey(%q) = %q, want %q", lang, got, want)
		}
	}
	if got := LanguageKey("de", nil); got != "de" {
		t.Errorf("without targets: %q", got)
	}
}
