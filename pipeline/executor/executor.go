// Package executor decides where the tasks of a phase run: on a local
// pool, as one task of a phase in this process (what a Slurm array task or
// a Kubernetes Indexed Job pod does), or handed to Slurm as job arrays. The
// phases know nothing of it: they plan numbered tasks and give an executor
// a function that runs task i here.
package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sourcegraph/conc/pool"
)

// Phase is a phase as an executor sees it: how many tasks it planned and
// which of them are not complete yet.
type Phase struct {
	Name  string
	Tasks int
	// Pending are the indices of the tasks still to run, ascending.
	Pending []int
}

// RunFunc runs task index of the phase in this process and records its
// completion; it is safe to call from several goroutines.
type RunFunc func(ctx context.Context, index int) error

// Executor runs the pending tasks of a phase, or arranges for them to run.
// Run returns nil once every task of the phase is complete, so the caller
// may plan the next phase; an executor that hands the phase elsewhere
// returns a *Deferred, and the caller stops there.
type Executor interface {
	Run(ctx context.Context, ph Phase, run RunFunc) error
}

// Shared is implemented by executors under which other processes may run
// tasks of the same output at the same time; the caller must then leave
// shared directories alone (no removal of stale files).
type Shared interface {
	Shared() bool
}

// IsShared says whether e runs beside other processes of the same run.
func IsShared(e Executor) bool {
	s, ok := e.(Shared)
	return ok && s.Shared()
}

// Deferred says a phase was handed to a scheduler (or, for one task, that
// this process has done its part): the run goes on elsewhere.
type Deferred struct {
	Phase string
	// JobIDs are the scheduler's ids for what was submitted.
	JobIDs []string
	// Tasks is the phase's task count.
	Tasks int
	// Ran is set when this process ran a task (curate task).
	Ran bool
	// Files are what the executor wrote for the scheduler (manifests).
	Files []string
}

func (d *Deferred) Error() string {
	if len(d.JobIDs) > 0 {
		return fmt.Sprintf("phase %s submitted as %s", d.Phase, strings.Join(d.JobIDs, ", "))
	}
	return fmt.Sprintf("phase %s: this process's task is done", d.Phase)
}

// AsDeferred returns the *Deferred in err's chain, if any.
func AsDeferred(err error) (*Deferred, bool) {
	var d *Deferred
	ok := errors.As(err, &d)
	return d, ok
}

// Local runs the pending tasks on a pool of Workers goroutines. The first
// failing task cancels the others: its error is the one returned, not a
// pile of "context canceled".
type Local struct {
	Workers int
}

// Run implements Executor.
func (l Local) Run(ctx context.Context, ph Phase, run RunFunc) error {
	p := pool.New().WithErrors().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(max(l.Workers, 1))
	for _, i := range ph.Pending {
		p.Go(func(ctx context.Context) error { return run(ctx, i) })
	}
	return p.Wait()
}

// Finalize is the name of the step after the last phase: it writes the
// run-level files (manifest, stats, error report, report) once every
// phase is complete.
const Finalize = "finalize"

// IncompleteError says a phase before the one asked for is not complete.
type IncompleteError struct {
	Phase         string
	Pending, Of   int
	FirstPendingI int
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("phase %s is not complete (%d of %d tasks pending, first index %d): run it first", e.Phase, e.Pending, e.Of, e.FirstPendingI)
}

// Single runs exactly one task, Index of Phase, in this process: the phases
// before it must be complete (their markers are read, nothing is rerun),
// and the run stops after it with a *Deferred. With Phase == Finalize no
// task runs: every phase must be complete, and the caller goes on to write
// the run-level files.
type Single struct {
	Phase string
	// Index is the task to run, or PlanOnly.
	Index int
}

// PlanOnly as Single.Index plans the phase (writes its plan file) and runs
// no task: how a scheduler learns the size of the next array.
const PlanOnly = -1

// Run implements Executor.
func (s Single) Run(ctx context.Context, ph Phase, run RunFunc) error {
	if ph.Name != s.Phase {
		if len(ph.Pending) > 0 {
			return &IncompleteError{Phase: ph.Name, Pending: len(ph.Pending), Of: ph.Tasks, FirstPendingI: ph.Pending[0]}
		}
		return nil
	}
	d := &Deferred{Phase: ph.Name, Tasks: ph.Tasks}
	if s.Index == PlanOnly || ph.Tasks == 0 {
		// A phase without tasks is complete; index 0 of it, which a
		// scheduler may start anyway, has nothing to do.
		return d
	}
	if s.Index < 0 || s.Index >= ph.Tasks {
		return fmt.Errorf("phase %s has %d tasks; index %d is out of range", ph.Name, ph.Tasks, s.Index)
	}
	for _, i := range ph.Pending {
		if i == s.Index {
			if err := run(ctx, i); err != nil {
				return err
			}
			d.Ran = true
		}
	}
	return d
}

// Shared implements Shared: the other tasks of the phase run beside this
// one, except for the finalize step, which runs alone.
func (s Single) Shared() bool { return s.Phase != Finalize }
