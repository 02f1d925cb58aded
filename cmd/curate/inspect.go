package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/curate-dev/curate/shards"
)

type inspectCount struct {
	rows, textBytes int64
}

func cmdInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: curate inspect DIR")
		return exitUsage
	}
	dir := pos[0]
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "curate inspect: %s: not a directory\n", dir)
		return exitUsage
	}
	// A curate output keeps its curated documents in data/; any other
	// folder is taken as a set of document Parquet files (FineWeb shards).
	root := dir
	if st, err := os.Stat(filepath.Join(dir, "data")); err == nil && st.IsDir() {
		root = filepath.Join(dir, "data")
	}
	var files []string
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Ext(path) == ".parquet" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "curate inspect: %v\n", err)
		return exitFailed
	}
	sort.Strings(files)
	var total inspectCount
	var fileBytes int64
	bySource := map[string]*inspectCount{}
	byLang := map[string]*inspectCount{}
	add := func(m map[string]*inspectCount, k string, n int64) {
		c := m[k]
		if c == nil {
			c = &inspectCount{}
			m[k] = c
		}
		c.rows++
		c.textBytes += n
	}
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			fileBytes += st.Size()
		}
		r, err := shards.OpenDocs(f)
		if err != nil {
			fmt.Fprintf(stderr, "curate inspect: %v\n", err)
			return exitFailed
		}
		for {
			d, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				r.Close()
				fmt.Fprintf(stderr, "curate inspect: %v\n", err)
				return exitFailed
			}
			n := int64(len(d.Text))
			total.rows++
			total.textBytes += n
			add(bySource, d.Source, n)
			add(byLang, d.Language, n)
		}
		r.Close()
	}
	fmt.Fprintf(stdout, "%s: %d parquet files, %s on disk, %d rows, %s of text\n", dir, len(files), humanBytes(fileBytes), total.rows, humanBytes(total.textBytes))
	printTable(stdout, "source", bySource, total.textBytes)
	printTable(stdout, "language", byLang, total.textBytes)
	return exitOK
}

func printTable(w io.Writer, title string, m map[string]*inspectCount, totalBytes int64) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Largest first; ties by name so the listing is stable.
	slices.SortFunc(keys, func(a, b string) int {
		if m[a].textBytes != m[b].textBytes {
			if m[a].textBytes > m[b].textBytes {
				return -1
			}
			return 1
		}
		if a < b {
			return -1
		}
		return 1
	})
	fmt.Fprintf(w, "\n%-14s %10s %12s %7s\n", title, "rows", "text", "share")
	for _, k := range keys {
		c := m[k]
		share := 0.0
		if totalBytes > 0 {
			share = 100 * float64(c.textBytes) / float64(totalBytes)
		}
		fmt.Fprintf(w, "%-14s %10d %12s %6.1f%%\n", k, c.rows, humanBytes(c.textBytes), share)
	}
}
