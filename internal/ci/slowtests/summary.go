package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json), including the
// build events go test emits for packages that fail to compile.
type event struct {
	Action     string
	Package    string
	Test       string
	Elapsed    float64
	Output     string
	ImportPath string
}

// Timing is the elapsed time of one test or package.
type Timing struct {
	Package string
	Test    string // "" for a package
	Seconds float64
	Result  string // pass, fail or skip
}

// Summary is what the stream said, after it has been echoed.
type Summary struct {
	Tests    []Timing // top-level tests only; subtests are inside them
	Packages []Timing
	Failed   bool
	Counts   map[string]int // pass/fail/skip of every test and subtest
}

// Summarise reads the event stream from r and writes plain go test output
// to w: a passing package's closing line (ok, ?), all package-level output
// of a failing one, and a test's own output only when that test fails. Lines that are not
// JSON (go's own messages when stderr is merged in) are passed through.
func Summarise(r io.Reader, w io.Writer) (*Summary, error) {
	s := &Summary{Counts: map[string]int{}}
	pending := map[string][]string{} // package + "\x00" + test -> buffered output
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "build-output":
			io.WriteString(w, e.Output)
		case "build-fail":
			s.Failed = true
		case "output":
			pending[key] = append(pending[key], e.Output)
		case "pass", "fail", "skip":
			if e.Action == "fail" {
				s.Failed = true
			}
			if e.Test == "" {
				s.Packages = append(s.Packages, Timing{Package: e.Package, Seconds: e.Elapsed, Result: e.Action})
				writePackage(w, pending[key], e.Action == "fail")
				delete(pending, key)
				continue
			}
			s.Counts[e.Action]++
			if e.Action == "fail" {
				io.WriteString(w, strings.Join(pending[key], ""))
			}
			delete(pending, key)
			if !strings.Contains(e.Test, "/") {
				s.Tests = append(s.Tests, Timing{Package: e.Package, Test: e.Test, Seconds: e.Elapsed, Result: e.Action})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("reading go test -json: %w", err)
	}
	// A test still pending when the stream ends was cut off (panic, timeout,
	// killed binary): show what it printed.
	keys := make([]string, 0, len(pending))
	for k := range pending {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		io.WriteString(w, strings.Join(pending[k], ""))
	}
	return s, nil
}

// writePackage prints a package's own output (not its tests'): everything
// when it failed, else only the closing lines, as go test does for a list
// of packages.
func writePackage(w io.Writer, lines []string, failed bool) {
	for _, l := range lines {
		if failed || strings.HasPrefix(l, "ok  ") || strings.HasPrefix(l, "?   ") {
			io.WriteString(w, l)
		}
	}
}

// WriteTables prints the n slowest top-level tests and the slowest
// packages, marking packages over warnPkg seconds.
func (s *Summary) WriteTables(w io.Writer, n int, warnPkg float64) {
	tests := append([]Timing(nil), s.Tests...)
	sort.SliceStable(tests, func(i, j int) bool { return tests[i].Seconds > tests[j].Seconds })
	fmt.Fprintf(w, "\n== %d slowest tests (of %d top-level; %d passed, %d failed, %d skipped incl. subtests)\n",
		min(n, len(tests)), len(tests), s.Counts["pass"], s.Counts["fail"], s.Counts["skip"])
	for _, t := range tests[:min(n, len(tests))] {
		fmt.Fprintf(w, "%8.2fs  %-4s  %s  %s\n", t.Seconds, t.Result, short(t.Package), t.Test)
	}
	pkgs := append([]Timing(nil), s.Packages...)
	sort.SliceStable(pkgs, func(i, j int) bool { return pkgs[i].Seconds > pkgs[j].Seconds })
	fmt.Fprintf(w, "== slowest packages\n")
	total := 0.0
	for i, p := range pkgs {
		total += p.Seconds
		if i >= n {
			continue
		}
		mark := ""
		if p.Seconds > warnPkg {
			mark = fmt.Sprintf("  <- over %.0f s", warnPkg)
		}
		fmt.Fprintf(w, "%8.2fs  %-4s  %s%s\n", p.Seconds, p.Result, short(p.Package), mark)
	}
	fmt.Fprintf(w, "%8.2fs  package time summed over %d packages (they run in parallel)\n", total, len(pkgs))
}

// short drops the module path so the tables stay narrow.
func short(pkg string) string {
	if i := strings.Index(pkg, "/curate/"); i >= 0 {
		return pkg[i+len("/curate/"):]
	}
	return pkg
}
