package filter

import (
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
)

// emailsIn lists the addresses the matcher finds, in order.
func emailsIn(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '@')
		if k < 0 {
			break
		}
		at := i + k
		if start, end, ok := matchEmail(text, at); ok {
			out = append(out, text[start:end])
			i = end
			continue
		}
		i = at + 1
	}
	return out
}

// TestPIICorpusCode runs PII replacement over the code corpus: every
// address at a reserved example domain is still there, and in every file
// the number of distinct placeholders is the number of distinct addresses
// (capped by the list), so no address was split into two.
func TestPIICorpusCode(t *testing.T) {
	o := defaultPII()
	o.Enabled = true
	st := &piiStage{o: o}
	docs := codeDocs(t, corpustest.Dir(t, "code"))
	examples, repeated := 0, 0
	for _, cd := range docs {
		before := emailsIn(cd.Text)
		if len(before) == 0 {
			continue
		}
		distinct := map[string]bool{}
		var reserved []string
		for _, e := range before {
			if _, dom, _ := strings.Cut(e, "@"); isReservedDomain(dom) {
				reserved = append(reserved, e)
			} else {
				distinct[strings.ToLower(e)] = true
			}
		}
		d := cd.Document
		st.Apply(&d, doc.Counts{})
		for _, e := range reserved {
			examples++
			if !strings.Contains(d.Text, e) {
				t.Errorf("%s: reserved address %s was replaced", cd.ID, e)
			}
		}
		if len(before)-len(reserved) > len(distinct) {
			repeated++
		}
		placeholders := map[string]bool{}
		for _, e := range emailsIn(d.Text) {
			placeholders[e] = true
		}
		want := min(len(distinct), len(o.EmailReplacements))
		got := 0
		for _, p := range o.EmailReplacements {
			if placeholders[p] {
				got++
			}
		}
		if got != want && !strings.Contains(cd.Text, o.EmailReplacements[0]) && !strings.Contains(cd.Text, o.EmailReplacements[1]) {
			t.Errorf("%s: %d distinct addresses became %d placeholders", cd.ID, len(distinct), got)
		}
	}
	t.Logf("%d files; %d reserved addresses kept; %d files repeat an address", len(docs), examples, repeated)
	if examples == 0 || repeated == 0 {
		t.Errorf("corpus sample lost its cases: %d reserved, %d repeating files", examples, repeated)
	}
}
