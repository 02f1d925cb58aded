package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/sources"
)

func TestMemBudget(t *testing.T) {
	b := newMemBudget(100)
	ctx := context.Background()
	if err := b.acquire(ctx, 60); err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		b.acquire(ctx, 60) // does not fit beside the first
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("second share admitted while the first holds 60 of 100")
	default:
	}
	b.release(60)
	<-got // admitted once the first is released
	b.release(60)

	// A share larger than the whole budget runs alone rather than never.
	if err := b.acquire(ctx, 500); err != nil {
		t.Fatal(err)
	}
	b.release(500)

	// A waiting task gives up when its context ends.
	b.acquire(ctx, 100)
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error)
	go func() { errc <- b.acquire(cctx, 1) }()
	cancel()
	if err := <-errc; err == nil {
		t.Error("acquire after cancel returned nil")
	}
	b.release(100)
}

// TestExecutorMemoryBudget runs more tasks than fit in the budget at once
// on a wide pool: the memory held never exceeds the budget, and all run.
func TestExecutorMemoryBudget(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &executor{out: t.TempDir(), workers: 8, log: log, progress: nopProgress{}, memory: newMemBudget(100)}
	var held, peak atomic.Int64
	var mu sync.Mutex
	var tasks []*Task
	for i := range 12 {
		tasks = append(tasks, &Task{Phase: "p", ID: fmt.Sprint(i), Key: "k", Memory: 40, Run: func(context.Context) (*Marker, error) {
			now := held.Add(40)
			mu.Lock()
			peak.Store(max(peak.Load(), now))
			mu.Unlock()
			held.Add(-40)
			return &Marker{}, nil
		}})
	}
	markers, _, _, err := e.runPhase(context.Background(), "p", tasks)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range markers {
		if m == nil {
			t.Fatalf("task %d did not run", i)
		}
	}
	if peak.Load() > 100 {
		t.Errorf("tasks held %d at once, budget 100", peak.Load())
	}
}

func TestTaskMemoryEstimate(t *testing.T) {
	g := &ingest{cfg: &Config{Parquet: ParquetOptions{RowGroupMB: 64}}, workers: 2}
	plain := g.taskMemory(sources.Unit{Input: sources.Input{Path: "x.jsonl"}})
	p := filepath.Join(corpustest.Dir(t, "reddit"), "RC_2006-01.zst")
	zst := g.taskMemory(sources.Unit{Input: sources.Input{Path: p}})
	// The 2 GiB window is not reserved: the stream starts at 8 MiB.
	if d := zst - plain; d < 8<<20 || d > 9<<20 {
		t.Errorf("RC_2006-01 adds %d bytes to the estimate, want its 8 MiB first window", d)
	}
}
