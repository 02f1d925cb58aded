package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	executors "github.com/curate-dev/curate/pipeline/executor"
)

// Task is one unit of scheduling, retry and resumption within a phase.
type Task struct {
	Phase string
	// ID is stable across runs and unique in its phase ("books/part-00003").
	ID string
	// Key hashes everything the task's output depends on (its config, its
	// inputs' identity, the code's format version). A finished task whose
	// key is unchanged is not run again.
	Key string
	// Stamp is the cheap identity of the task's inputs as found on disk
	// (size and modification time, as make and rsync use). A change
	// reruns the task, but unlike Key it is not part of the manifest,
	// which stays a function of content.
	Stamp string
	// Size is the input bytes the task reads, for progress and ETA.
	Size int64
	// Consumed, when set, is how many of Size bytes the running task has
	// read so far; the executor polls it so a single large input still
	// shows progress and an ETA.
	Consumed *atomic.Int64
	// Memory is what the task is expected to hold at its peak, in bytes,
	// for the run's memory budget; 0 leaves it unbudgeted.
	Memory int64
	// Input names what the task reads, for its failure report ("" when it
	// reads earlier phases' outputs).
	Input string
	Run   func(ctx context.Context) (*Marker, error)
}

// Marker is a task's completion record, written after its outputs are in
// place. It holds their checksums and the task's statistics, so a resumed
// run can report on work it did not redo.
type Marker struct {
	Phase   string                  `json:"phase"`
	Task    string                  `json:"task"`
	Key     string                  `json:"key"`
	Outputs []OutputFile            `json:"outputs"`
	Inputs  []InputFile             `json:"inputs,omitempty"`
	Stats   map[string]*SourceStats `json:"stats,omitempty"`
	Errors  []ErrorEntry            `json:"errors,omitempty"`
	Seconds float64                 `json:"seconds"`

	// Stamp is the task's Stamp when it ran (see Task.Stamp).
	Stamp string `json:"stamp,omitempty"`
	// OutputMTimes are the outputs' modification times when written
	// (Unix ns, in Outputs' order), the cheap half of the resume check.
	OutputMTimes []int64 `json:"output_mtimes,omitempty"`
	// ErrorsNotListed counts errors past the per-task cap on Errors.
	ErrorsNotListed int64 `json:"errors_not_listed,omitempty"`
}

// Progress receives what the executor is doing; the CLI draws bars or logs.
// Advance reports input bytes as they are read (by finished or skipped tasks
// at once, by running tasks as they go); the Advance calls of a phase add up
// to the bytes given to PhaseStart.
type Progress interface {
	PhaseStart(phase string, tasks int, bytes int64)
	Advance(phase string, bytes int64)
	TaskDone(phase string, t *Task, m *Marker, skipped bool)
	PhaseEnd(phase string)
}

type nopProgress struct{}

func (nopProgress) PhaseStart(string, int, int64)         {}
func (nopProgress) Advance(string, int64)                 {}
func (nopProgress) TaskDone(string, *Task, *Marker, bool) {}
func (nopProgress) PhaseEnd(string)                       {}

// progressPoll is how often running tasks' consumed bytes are read.
const progressPoll = 250 * time.Millisecond

// byteMeter turns running tasks' Consumed counters into Advance calls.
type byteMeter struct {
	mu      sync.Mutex
	running map[*Task]int64 // bytes already reported per running task
}

func (b *byteMeter) start(t *Task) {
	b.mu.Lock()
	b.running[t] = 0
	b.mu.Unlock()
}

// finish reports what is left of a task's size.
func (b *byteMeter) finish(t *Task, report func(int64)) {
	b.mu.Lock()
	seen := b.running[t]
	delete(b.running, t)
	b.mu.Unlock()
	if rest := t.Size - seen; rest > 0 {
		report(rest)
	}
}

func (b *byteMeter) poll(report func(int64)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for t, seen := range b.running {
		if t.Consumed == nil {
			continue
		}
		now := min(t.Consumed.Load(), t.Size)
		if now > seen {
			report(now - seen)
			b.running[t] = now
		}
	}
}

// executor keeps the books of a phase's tasks (plan, markers, progress)
// and hands the pending ones to sched, which decides where they run.
type executor struct {
	out      string
	workers  int
	force    bool
	log      *slog.Logger
	progress Progress
	memory   *memBudget // nil: unbounded
	// sched decides where the pending tasks run; nil is a local pool.
	sched executors.Executor
	// seq numbers the phases in run order, for their plan files.
	seq int
	// retries is how many more times a failed task runs (Config.Retries).
	retries int
}

func (e *executor) markerPath(phase, id string) string {
	return filepath.Join(e.out, ".curate", "markers", phase, id+".json")
}

// done loads a task's marker if it proves the task finished with the same
// key and its outputs are still there, whole.
func (e *executor) done(t *Task) *Marker {
	if e.force {
		return nil
	}
	data, err := os.ReadFile(e.markerPath(t.Phase, t.ID))
	if err != nil {
		return nil
	}
	var m Marker
	if json.Unmarshal(data, &m) != nil || m.Key != t.Key || m.Stamp != t.Stamp {
		return nil
	}
	if !outputsIntact(e.out, &m) {
		e.log.Info("finished task's output changed since it was written; rerunning", "phase", t.Phase, "task", t.ID)
		return nil
	}
	return &m
}

// runPhase hands the tasks not already done to the run's executor and,
// once they are complete, returns all markers in task order. An executor
// that hands the phase elsewhere returns an *executors.Deferred, which
// stops the run here.
func (e *executor) runPhase(ctx context.Context, phase string, tasks []*Task) (markers []*Marker, skipped int, ranBytes *atomic.Int64, err error) {
	ranBytes = new(atomic.Int64)
	var total int64
	for _, t := range tasks {
		total += t.Size
	}
	if err := e.ensurePlan(phase, tasks); err != nil {
		return nil, 0, nil, err
	}
	e.progress.PhaseStart(phase, len(tasks), total)
	defer e.progress.PhaseEnd(phase)
	markers = make([]*Marker, len(tasks))
	report := func(n int64) { e.progress.Advance(phase, n) }
	meter := &byteMeter{running: map[*Task]int64{}}
	stopPoll := make(chan struct{})
	defer close(stopPoll)
	go func() {
		tick := time.NewTicker(progressPoll)
		defer tick.Stop()
		for {
			select {
			case <-stopPoll:
				return
			case <-tick.C:
				meter.poll(report)
			}
		}
	}()
	ph := executors.Phase{Name: phase, Tasks: len(tasks)}
	for i, t := range tasks {
		// A cancelled run stops scheduling at once: with tens of thousands
		// of tasks queued, starting each just to see the cancellation
		// delays the stop by minutes.
		if ctx.Err() != nil {
			break
		}
		if m := e.done(t); m != nil {
			markers[i] = m
			skipped++
			report(t.Size)
			e.progress.TaskDone(phase, t, m, true)
			continue
		}
		ph.Pending = append(ph.Pending, i)
	}
	run := func(ctx context.Context, i int) error {
		t := tasks[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		ranBytes.Add(t.Size)
		share, err := e.memory.take(ctx, t.Memory)
		if err != nil {
			return err
		}
		defer share.release()
		ctx = withMemShare(ctx, share)
		if executors.IsShared(e.sched) {
			// The output changes: it is not a finished run any more.
			if err := os.Remove(filepath.Join(e.out, "manifest.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		e.taskState(phase, i, t.ID, nil)
		start := time.Now()
		m, err := e.attempts(ctx, phase, t, meter, report)
		if err != nil {
			e.taskState(phase, i, t.ID, err)
			return err
		}
		m.Phase, m.Task, m.Key, m.Stamp = phase, t.ID, t.Key, t.Stamp
		m.OutputMTimes = outputMTimes(e.out, m.Outputs)
		m.Seconds = time.Since(start).Seconds()
		if _, err := writeJSONAtomic(e.markerPath(phase, t.ID), m); err != nil {
			err = fmt.Errorf("%s task %s: marker: %w", phase, t.ID, err)
			e.taskState(phase, i, t.ID, err)
			return err
		}
		os.Remove(e.statePath(phase, i))
		markers[i] = m
		e.progress.TaskDone(phase, t, m, false)
		return nil
	}
	sched := e.sched
	if sched == nil {
		sched = executors.Local{Workers: e.workers}
	}
	if err := sched.Run(ctx, ph, run); err != nil {
		return nil, 0, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, nil, err
	}
	if skipped > 0 {
		e.log.Info("resumed", "phase", phase, "tasks_skipped", skipped, "tasks_run", len(tasks)-skipped)
	}
	return markers, skipped, ranBytes, nil
}

// attempts runs t up to 1+retries times, stopping at the first success or
// cancellation. A task that keeps failing is reported with how often it
// failed, the input it was on and where its log is, and each failed try is
// logged with its error, so a flaky input or machine shows before the last.
func (e *executor) attempts(ctx context.Context, phase string, t *Task, meter *byteMeter, report func(int64)) (*Marker, error) {
	tries := 1 + max(e.retries, 0)
	var err error
	// Progress counts the task's bytes once, however many tries it takes:
	// a retry's reading reports nothing until it passes the failed try's.
	meter.start(t)
	defer meter.finish(t, report)
	for n := 1; n <= tries; n++ {
		if t.Consumed != nil {
			t.Consumed.Store(0)
		}
		m, err2 := t.Run(ctx)
		if err = err2; err == nil {
			return m, nil
		}
		if ctx.Err() != nil {
			break
		}
		if n < tries {
			e.log.Warn("task failed, retrying", "phase", phase, "task", t.ID, "input", t.Input, "try", n, "of", tries, "error", err)
		}
	}
	where := ""
	if t.Input != "" {
		where = " (input " + t.Input + ")"
	}
	if tries > 1 && ctx.Err() == nil {
		where += fmt.Sprintf(", failed %d times", tries)
	}
	if log := os.Getenv("CURATE_TASK_LOG"); log != "" {
		where += ", log " + log
	}
	return nil, fmt.Errorf("%s task %s%s: %w", phase, t.ID, where, err)
}

// removeStale deletes files under dirs (relative to the output) that no
// marker lists and markers of tasks no longer planned: after a config
// change shrinks the plan, old parts must not linger beside new ones.
func (e *executor) removeStale(phase string, dirs []string, tasks []*Task, markers []*Marker) error {
	if executors.IsShared(e.sched) {
		// Other tasks are writing beside this process; the finalize step
		// cleans up once every phase is complete.
		return nil
	}
	keep := map[string]bool{}
	for _, m := range markers {
		for _, o := range m.Outputs {
			keep[filepath.Clean(o.Path)] = true
		}
	}
	for _, dir := range dirs {
		root := filepath.Join(e.out, dir)
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(e.out, path)
			if !keep[rel] {
				e.log.Info("removing stale output", "file", rel)
				return os.Remove(path)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	planned := map[string]bool{}
	for _, t := range tasks {
		planned[t.ID+".json"] = true
	}
	mdir := filepath.Join(e.out, ".curate", "markers", phase)
	return filepath.WalkDir(mdir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(mdir, path)
		if !planned[rel] && strings.HasSuffix(rel, ".json") {
			return os.Remove(path)
		}
		return nil
	})
}
