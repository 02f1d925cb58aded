package main

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/curate-dev/curate/pipeline"
)

// progress shows each phase as a bar on a terminal (bytes, documents per
// second, ETA) and as a plain log line every few seconds elsewhere.
type progress struct {
	log   *slog.Logger
	p     *mpb.Progress
	mu    sync.Mutex
	bar   *mpb.Bar
	phase string
	start time.Time
	total int64
	tasks int

	doneTasks atomic.Int64
	bytes     atomic.Int64
	docs      atomic.Int64
	lastLog   time.Time
}

func newProgress(w io.Writer, onTerminal bool, log *slog.Logger) *progress {
	pr := &progress{log: log}
	if onTerminal {
		pr.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40))
	}
	return pr
}

func (pr *progress) PhaseStart(phase string, tasks int, bytes int64) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.phase, pr.start, pr.total, pr.tasks = phase, time.Now(), bytes, tasks
	pr.doneTasks.Store(0)
	pr.bytes.Store(0)
	pr.docs.Store(0)
	pr.lastLog = time.Now()
	if pr.p != nil {
		pr.bar = pr.p.AddBar(max(bytes, 1),
			mpb.PrependDecorators(
				decor.Name(phase, decor.WC{C: decor.DindentRight | decor.DextraSpace}),
				decor.Any(func(decor.Statistics) string {
					return fmt.Sprintf("%d/%d tasks", pr.doneTasks.Load(), pr.tasks)
				}, decor.WCSyncSpace),
			),
			mpb.AppendDecorators(
				decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace),
				decor.Any(func(decor.Statistics) string { return pr.rates() }, decor.WCSyncSpace),
				decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO),
			),
		)
	} else {
		pr.log.Info("phase start", "phase", phase, "tasks", tasks, "input_bytes", bytes)
	}
}

func (pr *progress) rates() string {
	secs := time.Since(pr.start).Seconds()
	if secs <= 0 {
		return ""
	}
	return fmt.Sprintf("%.1f MB/s %.0f docs/s", float64(pr.bytes.Load())/secs/1e6, float64(pr.docs.Load())/secs)
}

// Advance moves the bar by bytes read; on a plain log it may print a line.
func (pr *progress) Advance(phase string, n int64) {
	pr.bytes.Add(n)
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.bar != nil {
		pr.bar.IncrInt64(n)
		return
	}
	pr.maybeLog(phase)
}

func (pr *progress) TaskDone(phase string, t *pipeline.Task, m *pipeline.Marker, skipped bool) {
	pr.doneTasks.Add(1)
	for _, s := range m.Stats {
		pr.docs.Add(s.DocsRead)
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.bar == nil {
		pr.maybeLog(phase)
	}
}

// maybeLog prints a progress line every few seconds and at the phase's end;
// pr.mu is held.
func (pr *progress) maybeLog(phase string) {
	if time.Since(pr.lastLog) >= 5*time.Second || pr.doneTasks.Load() == int64(pr.tasks) {
		pr.lastLog = time.Now()
		done := pr.bytes.Load()
		eta := "?"
		if done > 0 {
			el := time.Since(pr.start)
			eta = (time.Duration(float64(el) * float64(pr.total-done) / float64(done))).Round(time.Second).String()
		}
		pr.log.Info("progress", "phase", phase, "tasks", fmt.Sprintf("%d/%d", pr.doneTasks.Load(), pr.tasks),
			"bytes", done, "rate", pr.rates(), "eta", eta)
	}
}

func (pr *progress) PhaseEnd(phase string) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.bar != nil {
		pr.bar.SetTotal(-1, true)
		pr.bar = nil
	} else {
		pr.log.Info("phase done", "phase", phase, "seconds", time.Since(pr.start).Round(time.Millisecond).Seconds())
	}
}

// Wait lets the bars finish drawing before the summary prints.
func (pr *progress) Wait() {
	if pr.p != nil {
		pr.p.Wait()
	}
}
