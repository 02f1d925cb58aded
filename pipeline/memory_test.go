package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// budgetState is what a memBudget holds and who waits on it, read under
// its lock: a test waits for a goroutine to be parked in Wait this way
// instead of sleeping.
type budgetState struct{ used, held, growing, queued int64 }

func stateOf(b *memBudget) budgetState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return budgetState{b.used, int64(b.held), int64(b.growing), int64(b.queued)}
}

func waitFor(t *testing.T, b *memBudget, what string, ok func(budgetState) bool) {
	t.Helper()
	for range 20000 {
		if ok(stateOf(b)) {
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
	t.Fatalf("budget never reached %s: %+v", what, stateOf(b))
}

// TestMemBudgetGrow: a running task's growth is charged like a share: it
// waits until it fits, keeps new tasks from starting meanwhile, goes on
// alone or when every running task waits to grow, and gives up on cancel.
func TestMemBudgetGrow(t *testing.T) {
	ctx := context.Background()
	take := func(b *memBudget, n int64) *memShare {
		t.Helper()
		s, err := b.take(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	grow := func(s *memShare, n int64) <-chan error {
		errc := make(chan error, 1)
		go func() { errc <- s.Grow(n) }()
		return errc
	}

	t.Run("fits", func(t *testing.T) {
		b := newMemBudget(100)
		a := take(b, 40)
		if err := a.Grow(30); err != nil {
			t.Fatal(err)
		}
		if st := stateOf(b); st.used != 70 {
			t.Errorf("used %d after growing 40 by 30, want 70", st.used)
		}
		a.release()
		if st := stateOf(b); st.used != 0 || st.held != 0 {
			t.Errorf("after release: %+v, want nothing held (the growth is released too)", st)
		}
	})

	t.Run("waits for room and holds back new tasks", func(t *testing.T) {
		b := newMemBudget(100)
		a, other := take(b, 40), take(b, 40)
		grown := grow(a, 30) // 110 > 100: waits
		waitFor(t, b, "a waiting to grow", func(s budgetState) bool { return s.growing == 1 })
		started := make(chan *memShare, 1)
		go func() { s, _ := b.take(ctx, 10); started <- s }() // would fit, but a waits first
		waitFor(t, b, "a task queued", func(s budgetState) bool { return s.queued == 1 })
		other.release()
		if err := <-grown; err != nil {
			t.Fatal(err)
		}
		late := <-started
		if st := stateOf(b); st.used != 80 || st.held != 2 {
			t.Errorf("after the growth and the queued task: %+v, want 80 used by 2", st)
		}
		late.release()
		a.release()
	})

	t.Run("alone", func(t *testing.T) {
		b := newMemBudget(100)
		a := take(b, 40)
		if err := a.Grow(500); err != nil { // nobody else to wait for
			t.Fatal(err)
		}
		a.release()
	})

	t.Run("every task growing", func(t *testing.T) {
		b := newMemBudget(100)
		a, c := take(b, 60), take(b, 40)
		ga := grow(a, 30)
		waitFor(t, b, "a waiting", func(s budgetState) bool { return s.growing == 1 })
		// c's growth does not fit either; with both waiting nobody would
		// ever release, so c goes on over the budget.
		if err := c.Grow(30); err != nil {
			t.Fatal(err)
		}
		if st := stateOf(b); st.used != 130 || st.growing != 1 {
			t.Errorf("%+v: want c grown over the budget and a still waiting", st)
		}
		c.release()
		if err := <-ga; err != nil {
			t.Fatal(err)
		}
		a.release()
		if st := stateOf(b); st != (budgetState{}) {
			t.Errorf("after both released: %+v", st)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		b := newMemBudget(100)
		cctx, cancel := context.WithCancel(ctx)
		a, err := b.take(cctx, 60)
		if err != nil {
			t.Fatal(err)
		}
		other := take(b, 40)
		ga := grow(a, 30)
		waitFor(t, b, "a waiting", func(s budgetState) bool { return s.growing == 1 })
		cancel()
		if err := <-ga; !errors.Is(err, context.Canceled) {
			t.Errorf("growth after cancel: %v, want context.Canceled", err)
		}
		a.release()
		other.release()
		if st := stateOf(b); st != (budgetState{}) {
			t.Errorf("after release: %+v", st)
		}
	})
}

// farJSONL is a JSONL stream of random-letter documents whose last MiB
// repeats its first, 9 MiB back: beyond the first zstd window, so a reader
// must grow it.
func farJSONL(seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	var buf bytes.Buffer
	word := make([]byte, 0, 12)
	for d := 0; buf.Len() < 9<<20; d++ {
		var sb strings.Builder
		for range 300 {
			word = word[:0]
			for range 2 + rng.IntN(9) {
				word = append(word, byte('a'+rng.IntN(26)))
			}
			sb.Write(word)
			sb.WriteByte(' ')
		}
		line, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%d-%d", seed, d), "text": sb.String()})
		buf.Write(append(line, '\n'))
	}
	head := buf.Bytes()[:1<<20]
	head = head[:bytes.LastIndexByte(head, '\n')+1]
	return append(buf.Bytes(), head...)
}

// zstdStream compresses data as Pushshift does (zstd --long=31 from
// stdin: a 2 GiB window, no content size).
func zstdStream(t *testing.T, data []byte, path string) {
	t.Helper()
	bin, err := exec.LookPath("zstd")
	if err != nil {
		t.Skip("zstd CLI not installed (apt-get install zstd)")
	}
	cmd := exec.Command(bin, "--long=31", "-1", "-q", "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zstd: %v", err)
	}
	writeFile(t, path, out)
}

// TestWindowGrowthChargedToBudget: a task whose zstd input must grow its
// window charges the growth to its share of memory_mb. Directly: the jsonl
// source's stream asks the share. In a run: two such inputs on two
// workers under a budget too small for both growths still finish (one
// waits, or both wait and one goes on), with the bytes of a one-worker run.
func TestWindowGrowthChargedToBudget(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	lines := 0
	for i := range 2 {
		data := farJSONL(uint64(i + 1))
		lines += bytes.Count(data, []byte("\n"))
		zstdStream(t, data, filepath.Join(in, fmt.Sprintf("far-%d.jsonl.zst", i)))
	}

	b := newMemBudget(1 << 30)
	share, err := b.take(context.Background(), 10<<20)
	if err != nil {
		t.Fatal(err)
	}
	body := func(out string, memoryMB int) string {
		return fmt.Sprintf("output: %s\nmemory_mb: %d\nsources:\n  - name: web\n    inputs: [%s/*.jsonl.zst]\n    jsonl: {}\n", out, memoryMB, in)
	}
	kind, err := configFor(t, dir, body(filepath.Join(dir, "unused"), 100)).Sources[0].Build()
	if err != nil {
		t.Fatal(err)
	}
	r, err := kind.Open(sources.Unit{Input: sources.Input{Path: filepath.Join(in, "far-0.jsonl.zst"), Size: -1}, End: -1, Memory: share})
	if err != nil {
		t.Fatal(err)
	}
	docs := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		docs++
	}
	r.Close()
	if got := stateOf(b).used; got != 64<<20+2<<20 {
		t.Errorf("share holds %d MiB after reading %d documents, want the 10 MiB taken plus 56 MiB of window growth", got>>20, docs)
	}
	share.release()

	runWith := func(workers, memoryMB int) map[string][]byte {
		out := filepath.Join(dir, fmt.Sprintf("out-%d", workers))
		cfg := configFor(t, dir, body(out, memoryMB))
		res, err := Run(context.Background(), cfg, RunOptions{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if st := res.Stats.Sources["web"]; st == nil || st.DocsRead != int64(lines) {
			t.Fatalf("workers %d: stats %+v, want %d documents read", workers, st, lines)
		}
		return outputBytes(t, out)
	}
	// Each ingest task starts with about 100 MiB (row group, batches, the
	// first window); two fit in 220, their growths (56 MiB each) do not.
	two := runWith(2, 220)
	one := runWith(1, 220)
	if !maps.EqualFunc(one, two, bytes.Equal) {
		t.Error("two workers under the budget wrote other bytes than one")
	}
}
