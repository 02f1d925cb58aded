package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PhaseStatus is one phase of an output as curate status shows it.
type PhaseStatus struct {
	Phase                                 string
	Tasks, Done, Running, Failed, Pending int
	// Failures are the failed tasks, with their log files.
	Failures []TaskFailure
}

// TaskFailure is a task whose last attempt failed.
type TaskFailure struct {
	Index     int
	ID, Error string
	Log       string
}

// Status reads an output directory, which may be shared by tasks running
// elsewhere: per planned phase, how many tasks have a marker for their
// planned key (done), have started and not finished (running, or killed
// where the kill could not be seen), have failed, or have not started.
// Phases not planned yet (their previous phase is not complete) are not
// listed. Finalized says whether the run-level files are written.
func Status(out string) (phases []PhaseStatus, finalized bool, err error) {
	entries, err := os.ReadDir(filepath.Join(out, PlansDir))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, fmt.Errorf("%s: no phase planned yet (not a curate output, or nothing run)", out)
		}
		return nil, false, err
	}
	var plans []*PhasePlan
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		p, err := ReadPlan(out, name)
		if err != nil {
			return nil, false, err
		}
		plans = append(plans, p)
	}
	sort.Slice(plans, func(i, j int) bool { return plans[i].Seq < plans[j].Seq })
	for _, p := range plans {
		ps := PhaseStatus{Phase: p.Phase, Tasks: len(p.Tasks)}
		for i, t := range p.Tasks {
			var m Marker
			b, err := os.ReadFile(filepath.Join(out, ".curate", "markers", p.Phase, t.ID+".json"))
			if err == nil && json.Unmarshal(b, &m) == nil && m.Key == t.Key {
				ps.Done++
				continue
			}
			var st TaskState
			b, err = os.ReadFile(filepath.Join(out, TasksDir, p.Phase, fmt.Sprintf("%d.json", i)))
			switch {
			case err != nil || json.Unmarshal(b, &st) != nil || st.Task != t.ID:
				ps.Pending++
			case st.State == "failed":
				ps.Failed++
				ps.Failures = append(ps.Failures, TaskFailure{Index: i, ID: t.ID, Error: st.Error, Log: st.Log})
			default:
				ps.Running++
			}
		}
		phases = append(phases, ps)
	}
	_, err = os.Stat(filepath.Join(out, "manifest.json"))
	return phases, err == nil, nil
}
