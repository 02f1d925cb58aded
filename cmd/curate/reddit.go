package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
	"github.com/curate-dev/curate/sources/reddit"
)

// runWebTextURLs implements `curate webtext-urls -o urls.txt FILES...`: it
// writes the outbound links of Reddit submissions with enough karma, one a
// line, for the Common Crawl source's allow-list. It returns the exit code.
func runWebTextURLs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("webtext-urls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "-", "output file (one URL a line); - for standard output")
	minScore := fs.Int("min-score", 3, "minimum submission score (WebText's karma rule)")
	dedup := fs.Bool("dedup", true, "write each URL once")
	strict := fs.Bool("strict", false, "stop at the first malformed line instead of skipping it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: curate webtext-urls [-o urls.txt] [-min-score 3] [-dedup=true] [-strict] FILES...")
		fmt.Fprintln(stderr, "FILES are Pushshift RS_*.zst dumps or NDJSON submissions (plain, gz, bz2, xz, zst); globs allowed.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	inputs, err := sources.Expand("", fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "curate webtext-urls:", err)
		return 1
	}
	files := make([]string, len(inputs))
	for i, in := range inputs {
		files[i] = in.Path
	}
	var w io.Writer = stdout
	var tmp *os.File
	if *out != "-" {
		// Written to a temporary name and renamed, so a failed run never
		// leaves a half list under the real name.
		tmp, err = os.CreateTemp(filepath.Dir(*out), filepath.Base(*out)+".tmp-*")
		if err != nil {
			fmt.Fprintln(stderr, "curate webtext-urls:", err)
			return 1
		}
		defer os.Remove(tmp.Name())
		w = tmp
	}
	var firstBad error
	opts := reddit.WebTextOptions{MinScore: *minScore, Dedup: *dedup, OnRecordError: func(e *doc.RecordError) {
		if firstBad == nil {
			firstBad = e
		}
		fmt.Fprintln(stderr, "curate webtext-urls: skipped:", e)
	}}
	st, err := reddit.WebTextURLs(files, w, opts)
	if err == nil && *strict && firstBad != nil {
		err = firstBad
	}
	if tmp != nil {
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), *out)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "curate webtext-urls:", err)
		return 1
	}
	fmt.Fprintf(stderr, "curate webtext-urls: %d submissions, %d URLs written (%d below score %d, %d not outbound, %d duplicates, %d malformed lines)\n",
		st.Submissions, st.Written, st.LowScore, *minScore, st.NotOutbound, st.Duplicates, st.BadRecords)
	return 0
}
