package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	executors "github.com/curate-dev/curate/pipeline/executor"
	"github.com/curate-dev/curate/report"
	"github.com/curate-dev/curate/stages/bpe"
)

// Version is curate's version, stamped into manifests.
const Version = "0.1.0"

// RunOptions are the knobs of one run that do not change its output.
type RunOptions struct {
	// Output overrides the config's output directory.
	Output string
	// Workers overrides the config's worker count; 0 keeps it.
	Workers int
	// Force reruns every task, finished or not.
	Force    bool
	Log      *slog.Logger
	Progress Progress
	// Executor decides where tasks run; nil is a local pool of Workers.
	// executor.Single runs one task (curate task); a scheduler's executor
	// submits the first phase with pending tasks and the run stops there,
	// with Result.Deferred set.
	Executor executors.Executor
}

// Result is what a run produced.
type Result struct {
	Output   string
	Manifest *Manifest
	Stats    *Stats
	Errors   []ErrorEntry
	// ErrorsNotListed counts errors past the per-task cap on Errors.
	ErrorsNotListed int64
	// TasksRun and TasksSkipped count this invocation's work.
	TasksRun, TasksSkipped int
	Duration               time.Duration
	// Deferred is set when the run stopped at a phase handed elsewhere
	// (submitted to a scheduler, or one task run by curate task); then no
	// run-level file was written.
	Deferred *executors.Deferred
}

// Manifest describes a run's output; it is deterministic for a given config
// and input, whatever the number of workers, so two runs can be compared by
// it alone.
type Manifest struct {
	CurateVersion string          `json:"curate_version"`
	Config        ManifestConfig  `json:"config"`
	Inputs        []InputFile     `json:"inputs"`
	Phases        []ManifestPhase `json:"phases"`
	Outputs       []OutputFile    `json:"outputs"`
}

// ManifestConfig identifies the config a run used by its meaning; where
// the file was (run.json records that) is not part of the output's identity.
type ManifestConfig struct {
	SHA256 string `json:"sha256"`
}

// ManifestPhase lists a phase's tasks.
type ManifestPhase struct {
	Name  string         `json:"name"`
	Tasks []ManifestTask `json:"tasks"`
}

// ManifestTask is one task's identity and outputs.
type ManifestTask struct {
	ID      string   `json:"id"`
	Key     string   `json:"key"`
	Outputs []string `json:"outputs"`
}

// ConfigHash hashes the config's meaning (not its comments or layout), less
// the settings that cannot change the output (output directory, workers,
// memory budget; where tasks run is not marshalled).
func (c *Config) ConfigHash() string {
	cc := *c
	cc.Output, cc.Workers, cc.MemoryMB, cc.Retries = "", 0, 0, 0
	cc.Tokenizer = c.Tokenizer.outputRelevant()
	b, _ := json.Marshal(cc)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// runner holds what the phases of one run share.
type runner struct {
	cfg     *Config
	out     string
	workers int
	log     *slog.Logger
	ex      *executor
	tok     *bpe.Tokenizer
}

// phaseRun is one phase's tasks and their markers, for the manifest.
type phaseRun struct {
	name    string
	tasks   []*Task
	markers []*Marker
	seconds float64
	skipped int
	// ranBytes is the input size of the tasks this invocation ran.
	ranBytes int64
}

// Run executes the config's phases: ingest, then (with a tokenizer) the
// tokenizer, then publish. Finished tasks are skipped unless opts.Force;
// the manifest, stats, error report and report are rewritten at the end.
func Run(ctx context.Context, cfg *Config, opts RunOptions) (*Result, error) {
	start := time.Now()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	progress := opts.Progress
	if progress == nil {
		progress = nopProgress{}
	}
	out := cfg.Output
	if opts.Output != "" {
		out = opts.Output
	}
	workers := cfg.Workers
	if opts.Workers > 0 {
		workers = opts.Workers
	}
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if s, ok := opts.Executor.(executors.Single); ok && s.Phase != executors.Finalize && !slices.Contains(PhaseNames(cfg), s.Phase) {
		return nil, fmt.Errorf("this config has no phase %q; it has %s and %s", s.Phase, strings.Join(PhaseNames(cfg), ", "), executors.Finalize)
	}
	// The tasks of a scheduler's run share the lock; everything else (a
	// local run, a submitter between phases, finalize) holds it alone.
	lock, err := prepareOutput(cfg, out, opts.Output != "", executors.IsShared(opts.Executor), log)
	if err != nil {
		return nil, err
	}
	defer lock.release()
	memoryMB := cfg.MemoryMB
	if memoryMB <= 0 {
		memoryMB = defaultMemoryMB()
	}
	sched := opts.Executor
	if sched == nil {
		sched = executors.Local{Workers: workers}
	}
	r := &runner{cfg: cfg, out: out, workers: workers, log: log,
		ex: &executor{out: out, workers: workers, force: opts.Force, log: log, progress: progress,
			memory: newMemBudget(int64(memoryMB) << 20), sched: sched, retries: cfg.Retries}}
	res, err := r.run(ctx, start)
	if d, ok := executors.AsDeferred(err); ok {
		return &Result{Output: out, Deferred: d, Duration: time.Since(start)}, nil
	}
	return res, err
}

// run is Run past its defaults: every phase in order, then the run files.
func (r *runner) run(ctx context.Context, start time.Time) (*Result, error) {
	cfg, out, log, workers := r.cfg, r.out, r.log, r.workers
	g := &ingest{cfg: cfg, out: out, workers: workers, log: log}

	var phases []*phaseRun
	runPhase := func(name string, tasks []*Task, dirs []string) (*phaseRun, error) {
		t0 := time.Now()
		markers, skipped, ranBytes, err := r.ex.runPhase(ctx, name, tasks)
		if err != nil {
			return nil, err
		}
		if err := r.ex.removeStale(name, dirs, tasks, markers); err != nil {
			return nil, fmt.Errorf("cleaning stale outputs: %w", err)
		}
		ph := &phaseRun{name: name, tasks: tasks, markers: markers, seconds: time.Since(t0).Seconds(), skipped: skipped, ranBytes: ranBytes.Load()}
		phases = append(phases, ph)
		return ph, nil
	}

	_, tasks, skippedInputs, err := g.plan()
	if err != nil {
		return nil, err
	}
	ing, err := runPhase("ingest", tasks, ingestDirs(cfg))
	if err != nil {
		return nil, err
	}
	// The ingest tasks' closures hold the sources' stages, and with them the
	// language tagger's tables (hundreds of MB once short-text tables have
	// loaded); only their ids and keys are needed from here on, so the
	// tokenizer and publish phases can reuse that memory.
	for _, t := range tasks {
		t.Run = nil
	}
	// curated are the markers whose parts the tokenizer and publish read.
	curated := ing.markers
	if cfg.Dedup != nil {
		if curated, err = r.runDedup(ing.markers, runPhase); err != nil {
			return nil, err
		}
	}
	var tokMarker *Marker
	if cfg.Tokenizer != nil {
		ph, err := runPhase("tokenizer", []*Task{r.tokenizerTask(curated)}, nil)
		if err != nil {
			return nil, err
		}
		tokMarker = ph.markers[0]
		if r.tok, err = bpe.Load(filepath.Join(out, TokenizerDir)); err != nil {
			return nil, fmt.Errorf("loading the trained tokenizer: %w", err)
		}
	} else if err := os.RemoveAll(filepath.Join(out, TokenizerDir)); err != nil {
		return nil, err
	}
	pub, err := runPhase("publish", r.publishTasks(curated, tokMarker), []string{DataDir, TokensDir})
	if err != nil {
		return nil, err
	}
	if cfg.Feed != nil {
		if err := r.runFeed(ctx, pub.markers, runPhase); err != nil {
			return nil, err
		}
	} else if err := r.dropFeed(); err != nil {
		return nil, err
	}

	if s, ok := r.ex.sched.(executors.Single); ok && s.Phase != executors.Finalize {
		return nil, fmt.Errorf("this config has no phase %q", s.Phase)
	}
	res := &Result{Output: out, Stats: &Stats{}}
	for _, e := range skippedInputs {
		if e.Action == "input_skipped" {
			res.Stats.add(e.Source, &SourceStats{InputErrors: 1})
		}
		res.Errors = append(res.Errors, e)
		log.Warn("input skipped", "error", e.Error)
	}
	var all []*Marker
	var mphases []ManifestPhase
	info := &RunInfo{CurateVersion: Version, ConfigPath: cfg.path, ConfigSHA256: cfg.ConfigHash(), Workers: workers}
	for _, ph := range phases {
		for _, m := range ph.markers {
			for name, s := range m.Stats {
				res.Stats.add(name, s)
			}
			res.Errors = append(res.Errors, m.Errors...)
			res.ErrorsNotListed += m.ErrorsNotListed
		}
		all = append(all, ph.markers...)
		mphases = append(mphases, phaseOf(ph.name, ph.tasks, ph.markers))
		res.TasksSkipped += ph.skipped
		res.TasksRun += len(ph.tasks) - ph.skipped
		info.Phases = append(info.Phases, report.Phase{Name: ph.name, Seconds: ph.seconds, TasksRun: len(ph.tasks) - ph.skipped, TasksSkipped: ph.skipped})
	}
	res.Manifest = buildManifest(cfg, mphases, all)
	res.Duration = time.Since(start)
	info.Seconds, info.PeakRSSMiB = res.Duration.Seconds(), peakRSSMiB()
	info.IngestedBytes = ing.ranBytes
	for _, s := range cfg.Sources {
		info.Sources = append(info.Sources, RunInfoSource{Name: s.Name, Kind: s.Kind(), Weight: s.Weight, Epochs: s.Epochs})
	}
	if err := writeRunFiles(out, res); err != nil {
		return nil, err
	}
	if _, err := writeJSONAtomic(filepath.Join(out, "run.json"), info); err != nil {
		return nil, err
	}
	if err := report.Write(out, withFeed(out, ReportData(res.Stats, info, res.Manifest.Inputs))); err != nil {
		return nil, err
	}
	return res, nil
}

func phaseOf(name string, tasks []*Task, markers []*Marker) ManifestPhase {
	ph := ManifestPhase{Name: name}
	for i, t := range tasks {
		mt := ManifestTask{ID: t.ID, Key: t.Key}
		for _, o := range markers[i].Outputs {
			mt.Outputs = append(mt.Outputs, o.Path)
		}
		ph.Tasks = append(ph.Tasks, mt)
	}
	return ph
}

func buildManifest(cfg *Config, phases []ManifestPhase, markers []*Marker) *Manifest {
	m := &Manifest{
		CurateVersion: Version,
		Config:        ManifestConfig{SHA256: cfg.ConfigHash()},
		Phases:        phases,
	}
	for _, mk := range markers {
		m.Inputs = append(m.Inputs, mk.Inputs...)
		m.Outputs = append(m.Outputs, mk.Outputs...)
	}
	sort.Slice(m.Inputs, func(i, j int) bool { return m.Inputs[i].Path < m.Inputs[j].Path })
	sort.Slice(m.Outputs, func(i, j int) bool { return m.Outputs[i].Path < m.Outputs[j].Path })
	if m.Inputs == nil {
		m.Inputs = []InputFile{}
	}
	if m.Outputs == nil {
		m.Outputs = []OutputFile{}
	}
	return m
}

// ErrorReport is errors.json: what was skipped, counted per source, and the
// first entries of each task.
type ErrorReport struct {
	RecordsSkipped map[string]int64 `json:"records_skipped"`
	InputsFailed   map[string]int64 `json:"inputs_failed"` // skipped whole or cut short
	Entries        []ErrorEntry     `json:"entries"`
	// EntriesNotListed counts errors left out of entries by the cap of
	// 1,000 per task; records_skipped and inputs_failed stay exact.
	EntriesNotListed int64 `json:"entries_not_listed"`
}

func writeRunFiles(out string, res *Result) error {
	if _, err := writeJSONAtomic(filepath.Join(out, "manifest.json"), res.Manifest); err != nil {
		return err
	}
	if _, err := writeJSONAtomic(filepath.Join(out, "stats.json"), res.Stats); err != nil {
		return err
	}
	rep := ErrorReport{RecordsSkipped: map[string]int64{}, InputsFailed: map[string]int64{}, Entries: res.Errors, EntriesNotListed: res.ErrorsNotListed}
	for name, s := range res.Stats.Sources {
		rep.RecordsSkipped[name] = s.RecordErrors
		rep.InputsFailed[name] = s.InputErrors
	}
	if rep.Entries == nil {
		rep.Entries = []ErrorEntry{}
	}
	_, err := writeJSONAtomic(filepath.Join(out, "errors.json"), rep)
	return err
}

// PlanSummary is what `curate validate` prints: the phases, their tasks and
// the inputs behind them, without running anything.
type PlanSummary struct {
	Sources []PlanSource
	// Skipped are inputs that are missing or unreadable, skipped under
	// on_error: skip.
	Skipped []ErrorEntry
	Tasks   int
	Bytes   int64
}

// PlanSource is one source's share of the plan.
type PlanSource struct {
	Name, Kind string
	Inputs     []string
	Tasks      int
	Bytes      int64
}

// Plan checks that every input exists and can be split into tasks.
func Plan(cfg *Config) (*PlanSummary, error) {
	g := &ingest{cfg: cfg}
	srcs, tasks, skipped, err := g.plan()
	if err != nil {
		return nil, err
	}
	ps := &PlanSummary{Tasks: len(tasks), Skipped: skipped}
	for _, s := range srcs {
		p := PlanSource{Name: s.cfg.Name, Kind: s.cfg.Kind(), Tasks: len(s.units)}
		seen := map[string]bool{}
		for _, u := range s.units {
			if !seen[u.Input.Path] {
				seen[u.Input.Path] = true
				p.Inputs = append(p.Inputs, u.Input.Path)
				p.Bytes += max(u.Input.Size, 0)
			}
		}
		ps.Bytes += p.Bytes
		ps.Sources = append(ps.Sources, p)
	}
	return ps, nil
}
