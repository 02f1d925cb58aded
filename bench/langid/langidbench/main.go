// Command langidbench measures curate's language tagger (stages/langid)
// against plain lingua-go on the same labelled texts: accuracy per language
// and overall, throughput per core and peak resident memory.
//
// One process runs one engine, so peak RSS is that engine's:
//
//	langidbench -engine fast   -out fast.tsv
//	langidbench -engine lingua -out lingua.tsv
//	langidbench -report lingua.tsv fast.tsv   # markdown, side by side
//
// bench/langid/compare.sh runs all three.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/stages/langid"
	"github.com/curate-dev/curate/stages/langid/evalset"
	"github.com/pemistahl/lingua-go"
)

func main() {
	engine := flag.String("engine", "fast", "fast (stages/langid) or lingua (plain lingua-go, all languages, high accuracy)")
	out := flag.String("out", "", "write per-item predictions (TSV) and a summary line here")
	report := flag.Bool("report", false, "print the markdown comparison of the TSV files given as arguments")
	maxDocs := flag.Int("max-docs", 60, "Wikipedia articles per dump")
	maxParas := flag.Int("max-paras", 300, "paragraphs per dump or book")
	high := flag.Bool("high-accuracy", false, "fast engine: load every script's 4- and 5-gram tables at start-up (langid Options.HighAccuracy); short texts use them either way")
	repeat := flag.Int("repeat", 1, "passes over each group (timings are the total; a fast engine needs a few for steady figures)")
	workers := flag.Int("workers", 1, "goroutines sharing one detector (1 = per-core figures)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed detection passes (not of loading) to this file")
	set := flag.String("set", "default", "labelled set: default (UDHR, Wikipedia, books: docs and paragraphs) or short (UDHR sentences and 100-character snippets, Wikipedia snippets, Debian gettext messages)")
	flag.Parse()
	if *report {
		if err := printReport(flag.Args()); err != nil {
			fatal(err)
		}
		return
	}
	var items []evalset.Item
	var err error
	switch *set {
	case "default":
		items, err = load(*maxDocs, *maxParas)
	case "short":
		items, err = loadShort(*maxParas)
	default:
		err = fmt.Errorf("unknown -set %q", *set)
	}
	if err != nil {
		fatal(err)
	}
	// detect returns the best guess and its score, and the answer with the
	// default minimum confidence ("-" where the engine has none).
	var detect func(string) (string, float64, string)
	start := time.Now()
	switch *engine {
	case "fast":
		opts := langid.DefaultOptions()
		opts.HighAccuracy = *high
		t, err := langid.New(opts)
		if err != nil {
			fatal(err)
		}
		// Accuracy is of the best guess, as for lingua; the default
		// threshold's answer is recorded beside it for the und rate.
		detect = func(text string) (string, float64, string) {
			r := t.Classify(text)
			return langid.Code(r.Language), r.Score, r.Code
		}
		// Each script's 4- and 5-gram tables load on the first short text
		// in it: one untimed pass loads them, so that setup_s holds all
		// loading and the groups' timings only detection.
		for _, it := range items {
			t.Detect(it.Text)
		}
	case "lingua":
		// Preloaded, so that model loading counts as setup, not as detection
		// (lazily, the first texts of each kind would pay for it).
		d := lingua.NewLanguageDetectorBuilder().FromAllLanguages().WithPreloadedLanguageModels().Build()
		detect = func(text string) (string, float64, string) {
			cv := d.ComputeLanguageConfidenceValues(text)
			if len(cv) < 2 || cv[0].Value() == 0 || cv[0].Value() == cv[1].Value() {
				return langid.Undetermined, 0, "-"
			}
			return langid.Code(cv[0].Language()), cv[0].Value(), "-"
		}
	default:
		fatal(fmt.Errorf("unknown -engine %q", *engine))
	}
	setup := time.Since(start)

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
	}
	preds := make([]string, len(items))
	scores := make([]float64, len(items))
	answers := make([]string, len(items))
	// Items run grouped by source/kind, each group timed on the wall clock
	// and in CPU seconds (user+system of the whole process, so lingua's own
	// goroutines count too). MB per CPU second is the per-core figure, and it
	// holds up on a shared machine where wall time does not.
	groups := map[string][]int{}
	var kinds []string
	for i, it := range items {
		k := it.Source + "/" + it.Kind
		if groups[k] == nil {
			kinds = append(kinds, k)
		}
		groups[k] = append(groups[k], i)
	}
	sort.Strings(kinds)
	var lines []string
	var totalBytes int64
	var totalWall, totalCPU float64
	for _, k := range kinds {
		idx := groups[k]
		var bytes int64
		for _, i := range idx {
			bytes += int64(len(items[i].Text))
		}
		cpu0, wall0 := cpuSeconds(), time.Now()
		if *workers == 1 {
			// In the timing goroutine itself: handing each text to a worker
			// over a channel cost a goroutine wake-up (a futex call on an
			// idle core) per text, ~40% of the CPU time of one-line texts
			// (bench/langid/RESULTS.md, "Short texts at 5+ MB per core").
			for range *repeat {
				for _, i := range idx {
					preds[i], scores[i], answers[i] = detect(items[i].Text)
				}
			}
		} else {
			next := make(chan int)
			var wg sync.WaitGroup
			for range *workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range next {
						preds[i], scores[i], answers[i] = detect(items[i].Text)
					}
				}()
			}
			for range *repeat {
				for _, i := range idx {
					next <- i
				}
			}
			close(next)
			wg.Wait()
		}
		wall, cpu := time.Since(wall0).Seconds(), cpuSeconds()-cpu0
		bytes *= int64(*repeat)
		idx = slices.Repeat(idx, *repeat)
		totalBytes += bytes
		totalWall += wall
		totalCPU += cpu
		lines = append(lines, fmt.Sprintf("# engine=%s %s items=%d avg_bytes=%d mb_per_cpu_s=%.3f docs_per_cpu_s=%.1f mb_per_wall_s=%.3f",
			*engine, k, len(idx), bytes/int64(len(idx)), float64(bytes)/1e6/cpu, float64(len(idx))/cpu, float64(bytes)/1e6/wall))
	}
	pprof.StopCPUProfile() // no-op without -cpuprofile
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	rssMB := float64(ru.Maxrss) / 1024 // Linux reports KiB
	summary := fmt.Sprintf("# engine=%s items=%d bytes=%d workers=%d repeat=%d setup_s=%.2f detect_wall_s=%.2f detect_cpu_s=%.2f mb_per_cpu_s=%.3f docs_per_cpu_s=%.1f peak_rss_mb=%.0f go=%s",
		*engine, len(items), totalBytes, *workers, *repeat, setup.Seconds(), totalWall, totalCPU,
		float64(totalBytes)/1e6/totalCPU, float64(len(items)**repeat)/totalCPU, rssMB, runtime.Version())
	summary += "\n" + strings.Join(lines, "\n")
	fmt.Println(summary)
	if *out == "" {
		return
	}
	f, err := os.Create(*out)
	if err != nil {
		fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, summary)
	for i, it := range items {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%.4f\t%s\t%s\n", it.Source, it.Kind, it.Lang, len(it.Text), preds[i], scores[i], it.ID, answers[i])
	}
	if err := w.Flush(); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
}

// load builds the labelled set: UDHR (every lingua language), Wikipedia
// dumps and Gutenberg books of the shared corpus.
func load(maxDocs, maxParas int) ([]evalset.Item, error) {
	codes := map[string]bool{}
	names := map[string]string{}
	for _, l := range lingua.AllLanguages() {
		codes[langid.Code(l)] = true
		names[l.String()] = langid.Code(l)
	}
	dir := evalset.UDHRDir()
	if dir == "" {
		return nil, evalset.ErrNoUDHR
	}
	items, err := evalset.UDHR(dir, codes)
	if err != nil {
		return nil, err
	}
	root := corpustest.Root()
	if root == "" {
		return nil, fmt.Errorf("shared corpus not found (../shared/corpus or CURATE_CORPUS)")
	}
	wiki, err := evalset.Wikipedia(filepath.Join(root, "wikipedia"), codes, maxDocs, maxParas)
	if err != nil {
		return nil, err
	}
	books, err := evalset.Books(filepath.Join(root, "books"), names, maxParas/10)
	if err != nil {
		return nil, err
	}
	return append(append(items, wiki...), books...), nil
}

// loadShort builds the short-text set: UDHR sentences (10+ letters) and
// 100-character snippets of UDHR articles and Wikipedia paragraphs, and 60
// messages per language of two Debian gettext catalogues (GTK 2's property
// descriptions and GLib's messages).
func loadShort(maxParas int) ([]evalset.Item, error) {
	codes := map[string]bool{}
	for _, l := range lingua.AllLanguages() {
		codes[langid.Code(l)] = true
	}
	dir := evalset.UDHRDir()
	if dir == "" {
		return nil, evalset.ErrNoUDHR
	}
	udhr, err := evalset.UDHR(dir, codes)
	if err != nil {
		return nil, err
	}
	items := append(evalset.Sentences(udhr, 10), evalset.Snippets(udhr, "udhr", 100)...)
	if root := corpustest.Root(); root != "" {
		wiki, err := evalset.Wikipedia(filepath.Join(root, "wikipedia"), codes, 1, maxParas)
		if err != nil {
			return nil, err
		}
		items = append(items, evalset.Snippets(wiki, "wikipedia", 100)...)
	}
	for _, domain := range []string{"gtk20-properties", "glib20"} {
		msgs, err := evalset.Gettext(evalset.LocaleDir, domain, codes, 60, 15)
		if err != nil {
			return nil, err
		}
		items = append(items, msgs...)
	}
	return items, nil
}

// families are the language groups the report sums up: the mainland
// Scandinavian languages, which lingua confuses among themselves on short
// text, and Hindi with Marathi (Devanagari).
var families = map[string]string{"da": "Scandinavian (da nb nn sv)", "nb": "Scandinavian (da nb nn sv)", "nn": "Scandinavian (da nb nn sv)", "sv": "Scandinavian (da nb nn sv)",
	"hi": "Hindi (hi)", "mr": "Marathi (mr)"}

type row struct{ source, kind, lang, pred, answer string }

// printReport prints accuracy per language and per source/kind, one column
// per TSV file, plus the throughput summaries.
func printReport(files []string) error {
	if len(files) == 0 {
		return fmt.Errorf("-report needs TSV files")
	}
	var names, summaries []string
	runs := make([][]row, len(files))
	for i, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			return err
		}
		names = append(names, strings.TrimSuffix(filepath.Base(fn), ".tsv"))
		for _, ln := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if strings.HasPrefix(ln, "#") {
				summaries = append(summaries, ln)
				continue
			}
			f := strings.Split(ln, "\t")
			if len(f) < 7 {
				return fmt.Errorf("%s: bad line %q", fn, ln)
			}
			answer := "-"
			if len(f) >= 8 {
				answer = f[7]
			}
			runs[i] = append(runs[i], row{f[0], f[1], f[2], f[4], answer})
		}
		if i > 0 && len(runs[i]) != len(runs[0]) {
			return fmt.Errorf("%s has %d items, %s has %d: not the same set", fn, len(runs[i]), files[0], len(runs[0]))
		}
	}
	for _, s := range summaries {
		fmt.Println(s)
	}
	acc := func(key func(row) string) (keys []string, n map[string]int, ok []map[string]int) {
		n = map[string]int{}
		ok = make([]map[string]int, len(runs))
		for i := range runs {
			ok[i] = map[string]int{}
			for _, r := range runs[i] {
				k := key(r)
				if i == 0 {
					n[k]++
				}
				if r.pred == r.lang {
					ok[i][k]++
				}
			}
		}
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return
	}
	// und rates at the default min_confidence, for engines that record it.
	var withUnd []int
	for i := range runs {
		if len(runs[i]) > 0 && runs[i][0].answer != "-" {
			withUnd = append(withUnd, i)
		}
	}
	table := func(title string, key func(row) string) {
		keys, n, ok := acc(key)
		und := make([]map[string]int, len(runs))
		for _, i := range withUnd {
			und[i] = map[string]int{}
			for _, r := range runs[i] {
				if r.answer == langid.Undetermined {
					und[i][key(r)]++
				}
			}
		}
		fmt.Printf("\n| %s | items |", title)
		for _, nm := range names {
			fmt.Printf(" %s %% |", nm)
		}
		for _, i := range withUnd {
			fmt.Printf(" %s und %% |", names[i])
		}
		fmt.Print("\n|---|---:|")
		for range len(names) + len(withUnd) {
			fmt.Print("---:|")
		}
		fmt.Println()
		for _, k := range keys {
			if k == "" {
				continue
			}
			fmt.Printf("| %s | %d |", k, n[k])
			for i := range runs {
				fmt.Printf(" %s |", pct(ok[i][k], n[k]))
			}
			for _, i := range withUnd {
				fmt.Printf(" %s |", pct(und[i][k], n[k]))
			}
			fmt.Println()
		}
	}
	table("overall", func(row) string { return "all" })
	table("source/kind", func(r row) string { return r.source + "/" + r.kind })
	table("family", func(r row) string { return families[r.lang] })
	table("family, source/kind", func(r row) string {
		if families[r.lang] == "" {
			return ""
		}
		return families[r.lang] + ", " + r.source + "/" + r.kind
	})
	table("language", func(r row) string { return r.lang })
	return nil
}

func pct(a, n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(a)/float64(n), 'f', 2, 64)
}

// cpuSeconds is the process's user+system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "langidbench:", err)
	os.Exit(1)
}
