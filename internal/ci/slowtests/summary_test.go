package main

import (
	"strings"
	"testing"
)

// stream is a shortened real `go test -json` stream: one passing package
// with a passing and a skipped test, one failing package, one build failure.
const stream = `{"Action":"start","Package":"m/a"}
{"Action":"run","Package":"m/a","Test":"TestFast"}
{"Action":"output","Package":"m/a","Test":"TestFast","Output":"=== RUN   TestFast\n"}
{"Action":"output","Package":"m/a","Test":"TestFast","Output":"--- PASS: TestFast (0.01s)\n"}
{"Action":"pass","Package":"m/a","Test":"TestFast","Elapsed":0.01}
{"Action":"run","Package":"m/a","Test":"TestSlow"}
{"Action":"run","Package":"m/a","Test":"TestSlow/sub"}
{"Action":"output","Package":"m/a","Test":"TestSlow/sub","Output":"    noisy log of a passing test\n"}
{"Action":"pass","Package":"m/a","Test":"TestSlow/sub","Elapsed":40.5}
{"Action":"pass","Package":"m/a","Test":"TestSlow","Elapsed":41}
{"Action":"skip","Package":"m/a","Test":"TestSkipped","Elapsed":0}
{"Action":"output","Package":"m/a","Output":"PASS\n"}
{"Action":"output","Package":"m/a","Output":"ok  \tm/a\t41.2s\n"}
{"Action":"pass","Package":"m/a","Elapsed":41.2}
{"Action":"run","Package":"m/b","Test":"TestBroken"}
{"Action":"output","Package":"m/b","Test":"TestBroken","Output":"    b_test.go:9: got 1, want 2\n"}
{"Action":"output","Package":"m/b","Test":"TestBroken","Output":"--- FAIL: TestBroken (2.00s)\n"}
{"Action":"fail","Package":"m/b","Test":"TestBroken","Elapsed":2}
{"Action":"output","Package":"m/b","Output":"FAIL\n"}
{"Action":"output","Package":"m/b","Output":"FAIL\tm/b\t2.1s\n"}
{"Action":"fail","Package":"m/b","Elapsed":95}
{"ImportPath":"m/c","Action":"build-output","Output":"c.go:3:1: syntax error\n"}
{"ImportPath":"m/c","Action":"build-fail"}
go: some plain message
`

func TestSummarise(t *testing.T) {
	var out strings.Builder
	s, err := Summarise(strings.NewReader(stream), &out)
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"ok  \tm/a\t41.2s\n", "b_test.go:9: got 1, want 2\n--- FAIL: TestBroken", "FAIL\tm/b\t2.1s\n", "c.go:3:1: syntax error\n", "go: some plain message\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"noisy log", "=== RUN   TestFast", "PASS\n"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("output of a passing test or package shown (%q):\n%s", unwanted, got)
		}
	}
	if !s.Failed {
		t.Error("a failing test and a build failure must mark the run failed")
	}
	if len(s.Tests) != 4 || s.Counts["pass"] != 3 || s.Counts["fail"] != 1 || s.Counts["skip"] != 1 {
		t.Errorf("tests %+v counts %v", s.Tests, s.Counts)
	}

	var tables strings.Builder
	s.WriteTables(&tables, 2, 90)
	tab := tables.String()
	slow, broken := strings.Index(tab, "TestSlow"), strings.Index(tab, "TestBroken")
	if slow < 0 || broken < 0 || slow > broken || strings.Contains(tab, "TestFast") {
		t.Errorf("want the two slowest tests, slowest first:\n%s", tab)
	}
	if !strings.Contains(tab, "m/b  <- over 90 s") || strings.Contains(tab, "m/a  <-") {
		t.Errorf("packages over the limit must be marked, others not:\n%s", tab)
	}
}

func TestSummarisePassingRunNotFailed(t *testing.T) {
	pass := strings.Split(stream, `{"Action":"run","Package":"m/b"`)[0]
	s, err := Summarise(strings.NewReader(pass), &strings.Builder{})
	if err != nil || s.Failed {
		t.Fatalf("a passing stream is reported failed (%v)", err)
	}
}
