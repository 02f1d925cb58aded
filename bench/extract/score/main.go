// Command score rates `curate extract` output (JSON Lines {file, text})
// against one html-eval benchmark with that benchmark's own metric and
// prints "F1 P R docs" (bench/extract/compare.sh drives it).
//
//	go run ./bench/extract/score -html-eval DIR -bench scrapinghub-aeb out.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/curate-dev/curate/sources/commoncrawl/extract/evalset"
)

func main() {
	dir := flag.String("html-eval", "../shared/corpus/html-eval", "html-eval directory")
	bench := flag.String("bench", evalset.Scrapinghub, "benchmark: scrapinghub-aeb, cleanportaleval or l3s-gn1")
	list := flag.Bool("files", false, "print the benchmark's input files, one a line, and exit")
	worst := flag.Int("worst", 0, "also print the N pages that score worst, with their P and R")
	flag.Parse()
	pages, err := evalset.Load(*dir, *bench)
	if err != nil {
		fail(err)
	}
	if *list {
		for _, p := range pages {
			fmt.Println(p.File)
		}
		return
	}
	if flag.NArg() != 1 {
		fail(fmt.Errorf("usage: score -bench NAME out.jsonl"))
	}
	byFile := map[string]string{}
	for _, p := range pages {
		abs, _ := filepath.Abs(p.File)
		byFile[abs] = p.ID
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	defer f.Close()
	pred := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var rec struct{ File, Text string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			fail(fmt.Errorf("%s: %w", flag.Arg(0), err))
		}
		abs, _ := filepath.Abs(rec.File)
		id, ok := byFile[abs]
		if !ok {
			fail(fmt.Errorf("%s is not a page of %s", rec.File, *bench))
		}
		pred[id] = rec.Text
	}
	if err := sc.Err(); err != nil {
		fail(err)
	}
	s := evalset.Score(*bench, pages, pred)
	fmt.Printf("%.3f %.3f %.3f %d\n", s.F1, s.P, s.R, len(pred))
	if *worst > 0 {
		type row struct {
			id string
			s  evalset.Scores
		}
		var rows []row
		for _, p := range pages {
			rows = append(rows, row{p.ID, evalset.Score(*bench, []evalset.Page{p}, pred)})
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].s.F1 < rows[j].s.F1 })
		for _, r := range rows[:min(*worst, len(rows))] {
			fmt.Fprintf(os.Stderr, "%.3f %.3f %.3f %s\n", r.s.F1, r.s.P, r.s.R, r.id)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "score:", err)
	os.Exit(1)
}
