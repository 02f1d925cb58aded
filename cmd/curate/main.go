// Command curate turns raw public dumps into a pretraining corpus.
//
//	curate run CONFIG [--output DIR] [--workers N] [--force]
//	curate validate CONFIG
//	curate task --phase P [--index I] CONFIG
//	curate inspect DIR
//	curate feed inspect|verify DIR
//	curate version
//
// Exit codes: 0 done, 1 failed, 2 usage or config error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/curate-dev/curate/pipeline"
)

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `curate turns raw public dumps into a pretraining corpus.

Usage:
  curate run CONFIG [--output DIR] [--workers N] [--force]   run every phase
  curate validate CONFIG                                     check config and inputs, print the plan
  curate run --executor slurm CONFIG                         submit the phases to Slurm as chained job arrays
  curate task --phase P [--index I] CONFIG                   run one task of one phase (Slurm, Kubernetes)
  curate status DIR                                          per phase: tasks done, running, failed (with logs)
  curate k8s CONFIG                                          Kubernetes Indexed Job of the next phase, and apply.sh
  curate inspect DIR                                         rows, bytes, sources, languages of an output
  curate report DIR                                          rewrite report.json/.md/.html of an output
  curate feed inspect|verify DIR                             training shards: mixture, first sequences; checksums
  curate bpe train|encode|decode|export ...                  byte-level BPE (curate bpe -h)
  curate webtext-urls [-o urls.txt] [-min-score 3] FILES...   WebText URL list from Reddit submissions
  curate extract [--extractor fast|trafilatura] FILES...      main text of saved HTML pages as JSON Lines
  curate version                                             print the version
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "task":
		return cmdTask(args[1:], stdout, stderr)
	case "status":
		return cmdStatus(args[1:], stdout, stderr)
	case "k8s":
		return cmdK8s(args[1:], stdout, stderr)
	case "inspect":
		return cmdInspect(args[1:], stdout, stderr)
	case "report":
		return cmdReport(args[1:], stdout, stderr)
	case "feed":
		return runFeed(args[1:], stdout, stderr)
	case "bpe":
		return runBPE(args[1:], stdin, stdout, stderr)
	case "webtext-urls":
		return runWebTextURLs(args[1:], stdout, stderr)
	case "extract":
		return runExtract(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "curate %s\n", pipeline.Version)
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "curate: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// parseFlags lets flags come after the positional argument too, the way
// people type `curate run configs/mix.yaml --workers 4`.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	output := fs.String("output", "", "output directory (overrides the config's output)")
	workers := fs.Int("workers", 0, "tasks run at once (default: the config's, else all cores)")
	force := fs.Bool("force", false, "rerun every task, even finished ones")
	executor := fs.String("executor", "local", "where tasks run: local, or slurm (chained job arrays)")
	after := fs.String("after", "", "(slurm) the phase the previous step submitted")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: curate run CONFIG [--output DIR] [--workers N] [--force]")
		return exitUsage
	}
	if *workers < 0 {
		fmt.Fprintln(stderr, "curate run: --workers must be positive")
		return exitUsage
	}
	cfg, err := pipeline.LoadConfig(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	onTerminal := isTerminal(stderr)
	logger := newLogger(stderr, onTerminal)
	prog := newProgress(stderr, onTerminal, logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := pipeline.RunOptions{Output: *output, Workers: *workers, Force: *force, Log: logger, Progress: prog}
	switch *executor {
	case "local":
	case "slurm":
		if *force {
			fmt.Fprintln(stderr, "curate run: --force is for local runs; remove the markers to rerun on Slurm")
			return exitUsage
		}
		s, out, err := slurmExecutor(cfg, *output, *after)
		if err != nil {
			fmt.Fprintf(stderr, "curate run: %v\n", err)
			return exitFailed
		}
		opts.Executor, opts.Output = s, out
	default:
		fmt.Fprintf(stderr, "curate run: --executor %q: want local or slurm\n", *executor)
		return exitUsage
	}
	res, err := pipeline.Run(ctx, cfg, opts)
	prog.Wait()
	if err != nil {
		var ce pipeline.ConfigErrors
		var one *pipeline.ConfigError
		if errors.As(err, &ce) || errors.As(err, &one) {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "curate run: %v\n", err)
		return exitFailed
	}
	if res.Deferred != nil {
		printDeferred(stdout, res.Deferred)
		return exitOK
	}
	printSummary(stdout, res)
	return exitOK
}

func printSummary(w io.Writer, res *pipeline.Result) {
	fmt.Fprintf(w, "done in %s: %d tasks run, %d already finished; output in %s\n",
		res.Duration.Round(1e6), res.TasksRun, res.TasksSkipped, res.Output)
	for _, name := range res.Stats.SourceNames() {
		s := res.Stats.Sources[name]
		fmt.Fprintf(w, "  %-12s read %d docs (%s), wrote %d docs (%s)", name, s.DocsRead, humanBytes(s.TextBytesRead), s.DocsWritten, humanBytes(s.TextBytesWritten))
		if s.RecordErrors+s.InputErrors > 0 {
			fmt.Fprintf(w, ", skipped %d bad records, %d inputs unreadable or cut short (see errors.json)", s.RecordErrors, s.InputErrors)
		}
		fmt.Fprintln(w)
	}
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: curate validate CONFIG")
		return exitUsage
	}
	cfg, err := pipeline.LoadConfig(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	plan, err := pipeline.Plan(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "%s: ok\n", pos[0])
	for _, e := range plan.Skipped {
		fmt.Fprintf(stdout, "warning: will skip: %s\n", e.Error)
	}
	fmt.Fprintf(stdout, "output: %s\n", cfg.Output)
	fmt.Fprintf(stdout, "phase ingest: %d tasks over %s of input\n", plan.Tasks, humanBytes(plan.Bytes))
	if d := cfg.Dedup; d != nil {
		fmt.Fprintf(stdout, "phase dedup-buckets: %d tasks (candidate pairs per band or key x hash range)\n", d.BucketTasks())
		fmt.Fprintln(stdout, "phase dedup-cluster: 1 task (clusters, one survivor each)")
		fmt.Fprintf(stdout, "phase dedup-filter: %d tasks (write dedup/parts/)\n", plan.Tasks)
	}
	if cfg.Tokenizer != nil {
		fmt.Fprintln(stdout, "phase tokenizer: 1 task (train or load the BPE vocabulary)")
		fmt.Fprintf(stdout, "phase publish: %d tasks (tokenize, write data/ and tokens/)\n", plan.Tasks)
	} else {
		fmt.Fprintf(stdout, "phase publish: %d tasks (write data/)\n", plan.Tasks)
	}
	for _, s := range plan.Sources {
		fmt.Fprintf(stdout, "  source %s (%s): %d inputs, %d tasks, %s\n", s.Name, s.Kind, len(s.Inputs), s.Tasks, humanBytes(s.Bytes))
		for _, in := range s.Inputs {
			fmt.Fprintf(stdout, "    %s\n", in)
		}
	}
	return exitOK
}

func newLogger(w io.Writer, onTerminal bool) *slog.Logger {
	level := slog.LevelInfo
	if onTerminal {
		// The bars say what info lines would; warnings still show.
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func cmdReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: curate report DIR")
		return exitUsage
	}
	if err := pipeline.WriteReport(pos[0]); err != nil {
		fmt.Fprintf(stderr, "curate report: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "wrote %s/report.json, report.md, report.html\n", pos[0])
	return exitOK
}
