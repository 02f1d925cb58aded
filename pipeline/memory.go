package pipeline

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/curate-dev/curate/sources"
)

// memBudget bounds the memory the tasks running at once are expected to
// hold (Task.Memory). A task waits until its share fits beside the running
// ones, so large-window inputs queue instead of adding up; a task larger
// than the whole budget still runs, alone, rather than never. A running
// task that finds it needs more (a zstd stream growing its window) asks
// for it the same way: it waits until the growth fits, until it runs
// alone, or until every running task is waiting to grow (then one goes on,
// over the budget, rather than all waiting for each other forever). New
// tasks do not start while one waits to grow, so it is not starved.
type memBudget struct {
	mu      sync.Mutex
	cond    *sync.Cond
	limit   int64
	used    int64
	held    int // tasks holding a share
	growing int // tasks waiting in grow
	queued  int // tasks waiting in acquire
}

func newMemBudget(limit int64) *memBudget {
	b := &memBudget{limit: limit}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire blocks until n bytes fit (or nothing else holds any), or ctx ends.
func (b *memBudget) acquire(ctx context.Context, n int64) error {
	if b == nil || n <= 0 {
		return nil
	}
	defer b.wakeOnCancel(ctx)()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queued++
	defer func() { b.queued-- }()
	for b.held > 0 && (b.used+n > b.limit || b.growing > 0) {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.cond.Wait()
	}
	b.used += n
	b.held++
	return nil
}

// wakeOnCancel wakes the waiters when ctx ends, so one waiting under ctx
// sees it; the returned func stops that.
func (b *memBudget) wakeOnCancel(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
}

// grow adds n bytes to the share of a task that holds one.
func (b *memBudget) grow(ctx context.Context, n int64) error {
	defer b.wakeOnCancel(ctx)()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.growing++
	defer func() {
		b.growing--
		b.cond.Broadcast() // acquirers wait while anyone grows
	}()
	for b.used+n > b.limit && b.held > 1 && b.growing < b.held {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.cond.Wait()
	}
	b.used += n
	return nil
}

func (b *memBudget) release(n int64) {
	if b == nil || n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.held--
	b.cond.Broadcast()
	b.mu.Unlock()
}

// memShare is one running task's share of a memBudget; it is the
// sources.MemoryGrant its input's decoders ask before they grow.
type memShare struct {
	budget *memBudget
	ctx    context.Context
	mu     sync.Mutex
	bytes  int64
}

// take acquires a share of n bytes for a task that runs under ctx.
func (b *memBudget) take(ctx context.Context, n int64) (*memShare, error) {
	if b == nil {
		return nil, nil
	}
	if err := b.acquire(ctx, n); err != nil {
		return nil, err
	}
	return &memShare{budget: b, ctx: ctx, bytes: max(n, 0)}, nil
}

// Grow implements sources.MemoryGrant.
func (s *memShare) Grow(n int64) error {
	if s == nil || n <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if s.bytes == 0 {
		err = s.budget.acquire(s.ctx, n)
	} else {
		err = s.budget.grow(s.ctx, n)
	}
	if err == nil {
		s.bytes += n
	}
	return err
}

// release gives the whole share back, growth included.
func (s *memShare) release() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.budget.release(s.bytes)
	s.bytes = 0
}

// memShareKey carries a task's memShare in its context, from the executor
// that took it to the phase code that opens inputs.
type memShareKey struct{}

func withMemShare(ctx context.Context, s *memShare) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, memShareKey{}, s)
}

// memoryGrant is the task's share as the sources see it; nil when the run
// has no budget, so decoders charge nothing.
func memoryGrant(ctx context.Context) sources.MemoryGrant {
	if s, ok := ctx.Value(memShareKey{}).(*memShare); ok {
		return s
	}
	return nil
}

// defaultMemoryMB is half of what the machine (or its cgroup) allows, so
// curate leaves room for the page cache and whatever shares the machine.
func defaultMemoryMB() int {
	total := memTotalBytes()
	if limit := cgroupLimitBytes(); limit > 0 && (total == 0 || limit < total) {
		total = limit
	}
	if total <= 0 {
		return 4096
	}
	return max(int(total>>20)/2, 512)
}

func memTotalBytes() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

func cgroupLimitBytes() int64 {
	b, err := os.ReadFile("/sys/fs/cgroup/memory.max")
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0 // "max": no limit
	}
	return v
}
