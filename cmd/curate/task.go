package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/curate-dev/curate/pipeline"
	executors "github.com/curate-dev/curate/pipeline/executor"
)

const taskUsage = "usage: curate task --phase PHASE|finalize [--index I | --plan] [--output DIR] CONFIG\n" +
	"  the index defaults to $SLURM_ARRAY_TASK_ID (+ $CURATE_TASK_OFFSET), else $JOB_COMPLETION_INDEX"

// cmdTask runs one task of one phase: what a Slurm array task or a pod of
// a Kubernetes Indexed Job runs. Exit 0 when the task is done or was
// already complete.
func cmdTask(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("task", flag.ContinueOnError)
	fs.SetOutput(stderr)
	phase := fs.String("phase", "", "the phase, or finalize for the run-level files")
	index := fs.Int("index", -1, "the task's index in the phase's plan")
	planOnly := fs.Bool("plan", false, "write the phase's plan, print its task count, run nothing")
	output := fs.String("output", "", "output directory (overrides the config's output)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 || *phase == "" {
		fmt.Fprintln(stderr, taskUsage)
		return exitUsage
	}
	cfg, err := pipeline.LoadConfig(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	sel := executors.Single{Phase: *phase, Index: *index}
	switch {
	case *phase == executors.Finalize:
		sel.Index = 0
	case *planOnly:
		sel.Index = executors.PlanOnly
	case *index < 0:
		i, err := indexFromEnv()
		if err != nil {
			fmt.Fprintf(stderr, "curate task: %v\n%s\n", err, taskUsage)
			return exitUsage
		}
		sel.Index = i
	}
	logger := newLogger(stderr, false)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := pipeline.Run(ctx, cfg, pipeline.RunOptions{Output: *output, Log: logger, Executor: sel})
	if err != nil {
		var inc *executors.IncompleteError
		if errors.As(err, &inc) {
			fmt.Fprintf(stderr, "curate task %s: %v\n", *phase, err)
			return exitFailed
		}
		fmt.Fprintf(stderr, "curate task %s %d: %v\n", *phase, sel.Index, err)
		return exitFailed
	}
	switch d := res.Deferred; {
	case d == nil:
		fmt.Fprintf(stdout, "finalized %s: %d tasks complete\n", res.Output, res.TasksSkipped)
	case *planOnly:
		fmt.Fprintln(stdout, d.Tasks)
	case d.Ran:
		fmt.Fprintf(stdout, "%s task %d of %d done\n", d.Phase, sel.Index, d.Tasks)
	default:
		fmt.Fprintf(stdout, "%s task %d of %d already complete\n", d.Phase, sel.Index, d.Tasks)
	}
	return exitOK
}

// indexFromEnv is the task index a scheduler gives: Slurm's array index
// (plus the offset of an array that continues a split one), else the
// Kubernetes Indexed Job's completion index.
func indexFromEnv() (int, error) {
	if v := os.Getenv("SLURM_ARRAY_TASK_ID"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("SLURM_ARRAY_TASK_ID=%q: %w", v, err)
		}
		if o := os.Getenv("CURATE_TASK_OFFSET"); o != "" {
			off, err := strconv.Atoi(o)
			if err != nil {
				return 0, fmt.Errorf("CURATE_TASK_OFFSET=%q: %w", o, err)
			}
			i += off
		}
		return i, nil
	}
	if v := os.Getenv("JOB_COMPLETION_INDEX"); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("JOB_COMPLETION_INDEX=%q: %w", v, err)
		}
		return i, nil
	}
	return 0, errors.New("no --index, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
}
