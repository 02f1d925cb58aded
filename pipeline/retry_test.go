package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
)

// bytesProgress sums the bytes a phase reports.
type bytesProgress struct {
	nopProgress
	bytes atomic.Int64
}

func (p *bytesProgress) Advance(_ string, n int64) { p.bytes.Add(n) }

// TestRetries runs a task that fails a given number of times: within the
// retries it ends done (its bytes counted once), beyond them the run fails
// with an error naming the phase, the task, its input and how often it
// failed.
func TestRetries(t *testing.T) {
	tests := []struct {
		name           string
		retries, fails int
		wantErr        string // "" = the phase completes
		wantRuns       int32
	}{
		{"no retries, no failure", 0, 0, "", 1},
		{"no retries, one failure", 0, 1, "p task t1 (input in/a.jsonl): disk went away", 1},
		{"one retry absorbs one failure", 1, 1, "", 2},
		{"fails twice with one retry", 1, 5, "p task t1 (input in/a.jsonl), failed 2 times: disk went away", 2},
		{"three retries, three failures", 3, 3, "", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prog := &bytesProgress{}
			e := &executor{out: t.TempDir(), workers: 2, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				progress: prog, retries: tc.retries}
			var runs atomic.Int32
			consumed := new(atomic.Int64)
			task := &Task{Phase: "p", ID: "t1", Key: "k", Size: 1000, Input: "in/a.jsonl", Consumed: consumed,
				Run: func(context.Context) (*Marker, error) {
					n := runs.Add(1)
					consumed.Store(600) // read part of the input before failing (or not)
					if int(n) <= tc.fails {
						return nil, errors.New("disk went away")
					}
					return &Marker{}, nil
				}}
			other := &Task{Phase: "p", ID: "t2", Key: "k", Size: 10, Run: func(context.Context) (*Marker, error) { return &Marker{}, nil }}
			markers, _, _, err := e.runPhase(context.Background(), "p", []*Task{task, other})
			if got := runs.Load(); got != tc.wantRuns {
				t.Errorf("task ran %d times, want %d", got, tc.wantRuns)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("phase failed: %v", err)
				}
				if markers[0] == nil || markers[1] == nil {
					t.Fatal("a task has no marker")
				}
				if got := prog.bytes.Load(); got != 1010 {
					t.Errorf("progress counted %d bytes, want 1010 (each task's size once)", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// TestRetriesStopOnCancel: a cancelled run does not retry.
func TestRetriesStopOnCancel(t *testing.T) {
	e := &executor{out: t.TempDir(), workers: 1, log: slog.New(slog.DiscardHandler), progress: nopProgress{}, retries: 5}
	ctx, cancel := context.WithCancel(context.Background())
	var runs atomic.Int32
	task := &Task{Phase: "p", ID: "t", Key: "k", Run: func(ctx context.Context) (*Marker, error) {
		runs.Add(1)
		cancel()
		return nil, fmt.Errorf("reading: %w", ctx.Err())
	}}
	if _, _, _, err := e.runPhase(ctx, "p", []*Task{task}); err == nil {
		t.Fatal("a cancelled phase returned no error")
	}
	if runs.Load() != 1 {
		t.Errorf("task ran %d times after the cancel, want 1", runs.Load())
	}
}
