package pipeline

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
)

// memBudget bounds the memory the tasks running at once are expected to
// hold (Task.Memory). A task waits until its share fits beside the running
// ones, so large-window inputs queue instead of adding up; a task larger
// than the whole budget still runs, alone, rather than never.
type memBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	limit int64
	used  int64
	held  int // tasks holding a share
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
	stop := context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.held > 0 && b.used+n > b.limit {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.cond.Wait()
	}
	b.used += n
	b.held++
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
