package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"

	"github.com/curate-dev/curate/sources/commoncrawl/extract"
)

// runExtract prints the main text of saved HTML pages as JSON Lines
// {file, text}, one line per file in argument order: the entry point the
// extraction benchmarks (bench/extract) use.
func runExtract(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("extractor", extract.NameFast, "main-text extractor: fast or trafilatura")
	pageURL := fs.String("url", "", "URL the pages were fetched from (helps trafilatura's link heuristics)")
	focus := fs.String("focus", "balanced", "balanced, precision or recall (trafilatura)")
	tables := fs.Bool("include-tables", false, "keep the text of data tables")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: curate extract [--extractor fast|trafilatura] [--url URL] FILE...")
		fmt.Fprintln(stderr, "FILEs are saved HTML pages, raw or gzipped; the charset is detected as in the web source.")
		fs.PrintDefaults()
	}
	files, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	x, err := extract.New(*name, extract.Options{Focus: *focus, IncludeTables: *tables})
	if err != nil {
		fmt.Fprintln(stderr, "curate extract:", err)
		return exitUsage
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, f := range files {
		raw, err := readPage(f)
		if err != nil {
			fmt.Fprintf(stderr, "curate extract: %s: %v\n", f, err)
			failed++
			continue
		}
		page, _ := extract.ToUTF8(raw, "")
		res, err := x.Extract(page, *pageURL)
		if err != nil {
			fmt.Fprintf(stderr, "curate extract: %s: %v\n", f, err)
			failed++
			continue
		}
		if err := enc.Encode(struct {
			File string `json:"file"`
			Text string `json:"text"`
		}{f, res.Text}); err != nil {
			fmt.Fprintln(stderr, "curate extract:", err)
			return exitFailed
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(stderr, "curate extract:", err)
		return exitFailed
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "curate extract: %d of %d files failed\n", failed, len(files))
		return exitFailed
	}
	return exitOK
}

// readPage reads a saved page, gunzipping it when its bytes say gzip.
func readPage(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
	}
	return b, nil
}
