package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/curate-dev/curate/pipeline"
	executors "github.com/curate-dev/curate/pipeline/executor"
)

// slurmExecutor wires the Slurm executor for an output: the jobs run this
// binary (or slurm.command) on the absolute config and output paths, from
// the directory the submitter runs in.
func slurmExecutor(cfg *pipeline.Config, output, after string) (*executors.Slurm, string, error) {
	out := cfg.Output
	if output != "" {
		out = output
	}
	abs := func(p string) (string, error) {
		a, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		return a, nil
	}
	out, err := abs(out)
	if err != nil {
		return nil, "", err
	}
	// The config path stays as given (the manifest names it): the jobs run
	// in this directory.
	config := cfg.Path()
	wd, err := os.Getwd()
	if err != nil {
		return nil, "", err
	}
	var opts executors.SlurmOptions
	if cfg.Slurm != nil {
		opts = *cfg.Slurm
	}
	bin := opts.Command
	if bin == "" {
		if bin, err = os.Executable(); err != nil {
			return nil, "", fmt.Errorf("finding the curate binary for the jobs (set slurm.command): %w", err)
		}
	}
	return &executors.Slurm{
		Options:  opts,
		Dir:      filepath.Join(out, ".curate", "slurm"),
		Task:     []string{bin, "task", "--output", out, config},
		Continue: []string{bin, "run", "--executor", "slurm", "--output", out, config},
		WorkDir:  wd,
		After:    after,
	}, out, nil
}

func printDeferred(w io.Writer, d *executors.Deferred) {
	n := len(d.JobIDs)
	fmt.Fprintf(w, "submitted phase %s (%d tasks) as job array %s; the next phase is submitted by job %s once it is complete\n",
		d.Phase, d.Tasks, strings.Join(d.JobIDs[:n-1], ", "), d.JobIDs[n-1])
	for _, id := range d.JobIDs {
		fmt.Fprintln(w, id)
	}
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: curate status DIR")
		return exitUsage
	}
	dir := args[0]
	phases, finalized, err := pipeline.Status(dir)
	if err != nil {
		fmt.Fprintf(stderr, "curate status: %v\n", err)
		return exitFailed
	}
	width := len("phase")
	for _, p := range phases {
		width = max(width, len(p.Phase))
	}
	fmt.Fprintf(stdout, "%-*s %7s %7s %7s %7s %7s\n", width, "phase", "tasks", "done", "running", "failed", "pending")
	for _, p := range phases {
		fmt.Fprintf(stdout, "%-*s %7d %7d %7d %7d %7d\n", width, p.Phase, p.Tasks, p.Done, p.Running, p.Failed, p.Pending)
	}
	for _, p := range phases {
		for _, f := range p.Failures {
			log := f.Log
			if log == "" {
				log = "(no log file: run outside a scheduler)"
			}
			fmt.Fprintf(stdout, "failed: %s task %d (%s): %s\n  log: %s\n", p.Phase, f.Index, f.ID, f.Error, log)
		}
	}
	if jobs, err := lastJobs(filepath.Join(dir, ".curate", "slurm", "jobs.tsv")); err == nil && len(jobs) > 0 {
		fmt.Fprintf(stdout, "slurm jobs of the last submission: %s (logs in %s)\n", strings.Join(jobs, " "), filepath.Join(dir, ".curate", "slurm", "logs"))
	}
	if finalized {
		fmt.Fprintln(stdout, "finalized: manifest.json, stats.json and the report are written")
	} else {
		fmt.Fprintln(stdout, "not finalized yet")
	}
	return exitOK
}

// lastJobs lists the job ids of the last submission (a phase's arrays and
// the step after them), from jobs.tsv.
func lastJobs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var jobs []string
	sawNext := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id, phase, kind (array or next), spec, offset
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 3 {
			continue
		}
		if fields[2] == "array" && sawNext {
			jobs, sawNext = nil, false
		}
		if fields[2] == "next" {
			sawNext = true
			jobs = append(jobs, fields[0]+"(next step)")
		} else {
			jobs = append(jobs, fields[0]+"("+fields[1]+")")
		}
	}
	return jobs, sc.Err()
}

// cmdK8s writes the Indexed Job of the first phase with pending tasks and
// prints its path (nothing once every phase is complete and the run files
// are written), with apply.sh beside it, which loops on this command.
func cmdK8s(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("k8s", flag.ContinueOnError)
	fs.SetOutput(stderr)
	output := fs.String("output", "", "output directory (overrides the config's output)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "usage: curate k8s CONFIG [--output DIR]")
		return exitUsage
	}
	cfg, err := pipeline.LoadConfig(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	out := cfg.Output
	if *output != "" {
		out = *output
	}
	if out, err = filepath.Abs(out); err != nil {
		fmt.Fprintf(stderr, "curate k8s: %v\n", err)
		return exitFailed
	}
	var opts executors.KubernetesOptions
	if cfg.Kubernetes != nil {
		opts = *cfg.Kubernetes
	}
	if opts.Image == "" {
		fmt.Fprintln(stderr, "curate k8s: the config needs kubernetes.image (an image with curate and the config)")
		return exitUsage
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "curate k8s: %v\n", err)
		return exitFailed
	}
	podOut := opts.Output
	if podOut == "" {
		podOut = out
	}
	k := &executors.Kubernetes{
		Options: opts,
		Dir:     filepath.Join(out, ".curate", "k8s"),
		Output:  podOut,
		Config:  cfg.Path(),
		Self:    []string{self, "k8s", "--output", out, cfg.Path()},
	}
	logger := newLogger(stderr, false)
	res, err := pipeline.Run(context.Background(), cfg, pipeline.RunOptions{Output: out, Log: logger, Executor: k})
	if err != nil {
		fmt.Fprintf(stderr, "curate k8s: %v\n", err)
		return exitFailed
	}
	if d := res.Deferred; d != nil {
		fmt.Fprintln(stdout, d.Files[0])
		fmt.Fprintf(stderr, "phase %s: %d tasks as Indexed Job %s; apply them all in order with %s\n",
			d.Phase, d.Tasks, d.JobIDs[0], filepath.Join(out, ".curate", "k8s", "apply.sh"))
		return exitOK
	}
	fmt.Fprintf(stderr, "every phase complete; run files written in %s\n", out)
	return exitOK
}
