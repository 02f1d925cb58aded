package torture

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// Report gathers case outcomes by fault class for RELIABILITY.md.
type Report struct {
	mu   sync.Mutex
	rows map[string]*row
}

type row struct {
	section, class, kinds string
	kindSet               map[string]bool
	cases, failed         int
	peak                  uint64
	outcome               map[string]int // what happened: "records kept, error reported", ...
}

// Add records one case.
func (r *Report) Add(section, class, kind, outcome string, failed bool, peak uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rows == nil {
		r.rows = map[string]*row{}
	}
	k := section + "\x00" + class
	w := r.rows[k]
	if w == nil {
		w = &row{section: section, class: class, kindSet: map[string]bool{}, outcome: map[string]int{}}
		r.rows[k] = w
	}
	w.kindSet[kind] = true
	w.cases++
	if failed {
		w.failed++
	}
	w.peak = max(w.peak, peak)
	w.outcome[outcome]++
}

// Markdown renders the table.
func (r *Report) Markdown(mode string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var keys []string
	for k := range r.rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	cmd := "go test ./internal/torture/"
	if mode != "" {
		cmd += " " + mode
	}
	fmt.Fprintf(&b, "# Reliability\n\nWritten by `%s -torture.report=RELIABILITY.md` — do not edit by hand.\n", cmd)
	b.WriteString("Every case must end without a panic or a hang, within its heap bound, with any error naming the\n")
	b.WriteString("file and the offset or record, and (for damage that cuts an input) with the records before the\n")
	b.WriteString("damage unchanged. How to run each form and what the fuzzers found: see the end of this file.\n")
	section := ""
	for _, k := range keys {
		w := r.rows[k]
		if w.section != section {
			section = w.section
			fmt.Fprintf(&b, "\n## %s\n\n| fault class | sources | cases | failed | peak heap growth | outcomes |\n| --- | --- | ---: | ---: | ---: | --- |\n", section)
		}
		var kinds []string
		for k := range w.kindSet {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var outs []string
		for o, n := range w.outcome {
			outs = append(outs, fmt.Sprintf("%s: %d", o, n))
		}
		sort.Strings(outs)
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s |\n", w.class, strings.Join(kinds, ", "), w.cases, w.failed, mib(w.peak), strings.Join(outs, "; "))
	}
	b.WriteString(reportFooter)
	return b.String()
}

func mib(n uint64) string {
	if n < 1<<20 {
		return "< 1 MiB"
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// WriteFile writes the report when path is set.
func (r *Report) WriteFile(path, mode string) error {
	if path == "" {
		return nil
	}
	return os.WriteFile(path, []byte(r.Markdown(mode)), 0o644)
}

const reportFooter = `
## Forms

- Short (default suite, about 15 s on an idle 2-core machine): the shipped testdata samples of every
  source kind, a few offsets and seeds, 128 MiB bombs, one kill moment (its rerun killed too), one
  disk limit. ` + "`go test ./internal/torture/`" + `
- Full: every file of ../shared/corpus and testdata/sample, 32 cut offsets and 16 flips each,
  splices, 3 GiB bombs, 20 kill -9 moments: ` + "`go test ./internal/torture/ -torture.full -timeout 2h`" + `
- Regenerate this file: add ` + "`-torture.report=$PWD/RELIABILITY.md`" + `.
- Fuzzing, a few seconds per parser (CI-sized): ` + "`bash internal/torture/fuzz.sh 5s`" + `; longer runs:
  ` + "`bash internal/torture/fuzz.sh 10m`" + `. Findings are listed in internal/torture/FUZZ.md.
`
