package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	executors "github.com/curate-dev/curate/pipeline/executor"
)

// A phase's plan is its numbered task list, .curate/plans/<phase>.json.
// Every process that runs tasks of the phase (a local run, each Slurm array
// task, each pod of an Indexed Job) computes the list from the config and
// the markers of the phases before, and checks it against this file: all
// agree on which index is which task, and a process that would number them
// otherwise (a config edited or an input changed mid-run) stops instead of
// writing the wrong task.

// PlansDir holds the phases' plans, under the output directory.
const PlansDir = ".curate/plans"

// PhasePlan is a phase's plan file.
type PhasePlan struct {
	Phase string `json:"phase"`
	// Seq is the phase's place in the run, from 0.
	Seq   int        `json:"seq"`
	Tasks []PlanTask `json:"tasks"`
}

// PlanTask is one task of a plan; its index is its place in the list.
type PlanTask struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

func (e *executor) planPath(phase string) string {
	return filepath.Join(e.out, PlansDir, phase+".json")
}

// ensurePlan writes the phase's plan, or checks it against the one there.
// A process that runs the run alone (locally, or the Slurm submitter
// between two phases) replaces a plan that differs; one that runs beside
// other tasks creates the file only if absent, atomically (a hard link
// fails if another task won), and refuses a plan that differs.
func (e *executor) ensurePlan(phase string, tasks []*Task) error {
	p := PhasePlan{Phase: phase, Seq: e.seq, Tasks: make([]PlanTask, len(tasks))}
	e.seq++
	for i, t := range tasks {
		p.Tasks[i] = PlanTask{ID: t.ID, Key: t.Key}
	}
	want, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	want = append(want, '\n')
	path := e.planPath(phase)
	have, err := os.ReadFile(path)
	if err == nil && bytes.Equal(have, want) {
		return nil
	}
	if !executors.IsShared(e.sched) {
		_, err := writeFileAtomic(path, want)
		return err
	}
	if errors.Is(err, os.ErrNotExist) {
		if err := createExclusive(path, want); err == nil {
			return nil
		} else if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("plan of phase %s: %w", phase, err)
		}
		if have, err = os.ReadFile(path); err != nil {
			return err
		}
		if bytes.Equal(have, want) {
			return nil
		}
	} else if err != nil {
		return err
	}
	return fmt.Errorf("plan of phase %s in %s differs from the one this config and the earlier phases' outputs give: was the config or an input changed mid-run? (resubmit the run to plan again)", phase, path)
}

// createExclusive writes path only if it does not exist, never partly.
func createExclusive(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}

func writeFileAtomic(path string, data []byte) (OutputFile, error) {
	a, err := createAtomic(path)
	if err != nil {
		return OutputFile{}, err
	}
	defer a.Abort()
	if _, err := a.Write(data); err != nil {
		return OutputFile{}, err
	}
	return a.Commit()
}

// TasksDir holds the state of tasks started and not finished.
const TasksDir = ".curate/tasks"

// TaskState is .curate/tasks/<phase>/<index>.json: a task that started
// and has no marker yet is running, or failed with Error, or was killed
// (a kill the task could not see leaves it "running").
type TaskState struct {
	Task    string    `json:"task"`
	State   string    `json:"state"` // running, failed
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Log     string    `json:"log,omitempty"`
	Error   string    `json:"error,omitempty"`
	Started time.Time `json:"started"`
}

func (e *executor) statePath(phase string, index int) string {
	return filepath.Join(e.out, TasksDir, phase, fmt.Sprintf("%d.json", index))
}

// taskState records that task index started (err nil) or failed. It is
// best effort: progress bookkeeping never fails a task.
func (e *executor) taskState(phase string, index int, id string, err error) {
	host, _ := os.Hostname()
	st := TaskState{Task: id, State: "running", Host: host, PID: os.Getpid(), Log: os.Getenv("CURATE_TASK_LOG"), Started: time.Now().UTC()}
	if err != nil {
		st.State, st.Error = "failed", err.Error()
	}
	if _, werr := writeJSONAtomic(e.statePath(phase, index), st); werr != nil {
		e.log.Warn("task state not written", "phase", phase, "index", index, "error", werr)
	}
}

// PhaseNames lists the config's phases in run order, the names curate task
// takes. It mirrors Run's order of phases (a test checks it against the
// phases a run's manifest lists).
func PhaseNames(cfg *Config) []string {
	names := []string{"ingest"}
	if cfg.Dedup != nil {
		names = append(names, "dedup-buckets", "dedup-cluster")
		if cfg.Dedup.Paragraphs != nil {
			names = append(names, "dedup-paragraphs")
		}
		if cfg.Dedup.Decontaminate != nil {
			names = append(names, "dedup-evalindex")
		}
		names = append(names, "dedup-filter")
	}
	if cfg.Tokenizer != nil {
		names = append(names, "tokenizer")
	}
	names = append(names, "publish")
	if cfg.Feed != nil {
		names = append(names, "feed-spool", "feed", "feed-manifest")
	}
	return names
}

// ReadPlan reads a phase's plan from an output directory.
func ReadPlan(out, phase string) (*PhasePlan, error) {
	b, err := os.ReadFile(filepath.Join(out, PlansDir, phase+".json"))
	if err != nil {
		return nil, err
	}
	var p PhasePlan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("plan of phase %s: %w", phase, err)
	}
	return &p, nil
}
