// Command slowtests reads `go test -json` on standard input, prints what
// plain `go test` would print (package result lines, and the output of
// failing tests only), then tables of the slowest tests and packages, so a
// slow test shows the day it is added. It exits 1 when any test, package or
// build failed, so a pipeline `go test -json ./... | slowtests` fails as go
// test does even without pipefail.
//
//	go test -json ./... | go run ./internal/ci/slowtests -n 10
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	n := flag.Int("n", 10, "how many of the slowest tests to list")
	slowPkg := flag.Float64("warn-package", 90, "flag packages slower than this many seconds")
	flag.Parse()
	s, err := Summarise(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "slowtests:", err)
		os.Exit(2)
	}
	s.WriteTables(os.Stdout, *n, *slowPkg)
	if s.Failed {
		os.Exit(1)
	}
}
