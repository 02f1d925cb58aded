package executor

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// SlurmOptions is the config's slurm: block: the #SBATCH lines of every
// phase's job array.
type SlurmOptions struct {
	// Partition, Time ("HH:MM:SS" or minutes), CPUs (per task) and Mem
	// ("4G") become --partition, --time, --cpus-per-task and --mem;
	// empty or 0 leaves them to the cluster's defaults.
	Partition string `yaml:"partition" json:"partition,omitempty"`
	Time      string `yaml:"time" json:"time,omitempty"`
	CPUs      int    `yaml:"cpus" json:"cpus,omitempty"`
	Mem       string `yaml:"mem" json:"mem,omitempty"`
	// MaxParallel caps the array's tasks running at once (the %N of
	// --array); 0 leaves it to the scheduler.
	MaxParallel int `yaml:"max_parallel" json:"max_parallel,omitempty"`
	// MaxArraySize is the cluster's MaxArraySize: array indices stay
	// below it, a larger phase is cut into several arrays. 0 asks
	// scontrol, else Slurm's default, 1001.
	MaxArraySize int `yaml:"max_array_size" json:"max_array_size,omitempty"`
	// Extra are further #SBATCH options, one per item ("--account=lm",
	// "--qos=low").
	Extra []string `yaml:"extra" json:"extra,omitempty"`
	// Command is the curate binary the jobs run, on a path every node
	// sees; empty is the binary that submits.
	Command string `yaml:"command" json:"command,omitempty"`
}

// Slurm submits the first phase with pending tasks as job arrays, and
// after them (--dependency=afterok) a one-task job that runs Continue: the
// same `curate run --executor slurm` again, which finds that phase
// complete, plans the next one from its markers and submits it, and so on;
// the last one finds every phase complete and writes the run-level files.
// A phase's array size is known only once the phase before it is done,
// which is why each phase is submitted by the step after the last.
type Slurm struct {
	Options SlurmOptions
	// Dir holds the sbatch scripts, logs and jobs.tsv (.curate/slurm).
	Dir string
	// Task is the command of one task, less --phase: the job appends
	// --phase P and takes its index from SLURM_ARRAY_TASK_ID.
	Task []string
	// Continue is the command of the step after a phase, less --after:
	// it is given --after P, and fails rather than resubmitting P if P's
	// tasks all ended well but P is not complete.
	Continue []string
	// WorkDir is where the jobs run (relative inputs resolve from it).
	WorkDir string
	// After is the phase the previous step submitted (from --after).
	After string
	// Sbatch runs sbatch; nil runs the sbatch on PATH.
	Sbatch func(ctx context.Context, args ...string) (string, error)
}

// Run implements Executor: nothing to do for a complete phase, else the
// phase is submitted and a *Deferred returned.
func (s *Slurm) Run(ctx context.Context, ph Phase, _ RunFunc) error {
	if len(ph.Pending) == 0 {
		return nil
	}
	if ph.Name == s.After {
		return fmt.Errorf("phase %s: its job arrays ended well but %d of %d tasks are not complete (see curate status); not resubmitting", ph.Name, len(ph.Pending), ph.Tasks)
	}
	if err := os.MkdirAll(filepath.Join(s.Dir, "logs"), 0o755); err != nil {
		return err
	}
	script := filepath.Join(s.Dir, ph.Name+".sbatch")
	if err := os.WriteFile(script, []byte(s.taskScript(ph.Name)), 0o755); err != nil {
		return err
	}
	size := s.Options.MaxArraySize
	if size <= 0 {
		size = clusterMaxArraySize(ctx)
	}
	d := &Deferred{Phase: ph.Name, Tasks: ph.Tasks}
	for _, chunk := range ArrayChunks(ph.Pending, size) {
		spec := chunk.Spec
		if s.Options.MaxParallel > 0 {
			spec += "%" + strconv.Itoa(s.Options.MaxParallel)
		}
		id, err := s.sbatch(ctx, "--parsable", "--array="+spec,
			fmt.Sprintf("--export=ALL,CURATE_TASK_OFFSET=%d", chunk.Offset), script)
		if err != nil {
			return fmt.Errorf("submitting phase %s (array %s): %w", ph.Name, spec, err)
		}
		d.JobIDs = append(d.JobIDs, id)
		s.record(ph.Name, "array", spec, chunk.Offset, id)
	}
	next := filepath.Join(s.Dir, "continue.sbatch")
	if err := os.WriteFile(next, []byte(s.continueScript()), 0o755); err != nil {
		return err
	}
	id, err := s.sbatch(ctx, "--parsable", "--dependency=afterok:"+strings.Join(d.JobIDs, ":"),
		"--kill-on-invalid-dep=yes", "--export=ALL,CURATE_AFTER="+ph.Name, next)
	if err != nil {
		return fmt.Errorf("submitting the step after phase %s: %w", ph.Name, err)
	}
	d.JobIDs = append(d.JobIDs, id)
	s.record(ph.Name, "next", "", 0, id)
	return d
}

func (s *Slurm) sbatch(ctx context.Context, args ...string) (string, error) {
	if s.Sbatch != nil {
		return s.Sbatch(ctx, args...)
	}
	out, err := exec.CommandContext(ctx, "sbatch", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("sbatch %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	// --parsable prints "id" or "id;cluster".
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	return id, nil
}

// record appends a submission to jobs.tsv, which curate status reads.
func (s *Slurm) record(phase, kind, spec string, offset int, id string) {
	f, err := os.OpenFile(filepath.Join(s.Dir, "jobs.tsv"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\t%s\t%s\t%s\t%d\n", id, phase, kind, spec, offset)
}

func (s *Slurm) header(name, log string) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", name)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", log)
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", s.WorkDir)
	o := s.Options
	if o.Partition != "" {
		fmt.Fprintf(&b, "#SBATCH --partition=%s\n", o.Partition)
	}
	if o.Time != "" {
		fmt.Fprintf(&b, "#SBATCH --time=%s\n", o.Time)
	}
	if o.CPUs > 0 {
		fmt.Fprintf(&b, "#SBATCH --cpus-per-task=%d\n", o.CPUs)
	}
	if o.Mem != "" {
		fmt.Fprintf(&b, "#SBATCH --mem=%s\n", o.Mem)
	}
	for _, x := range o.Extra {
		fmt.Fprintf(&b, "#SBATCH %s\n", x)
	}
	b.WriteString("set -euo pipefail\n")
	return b.String()
}

func (s *Slurm) taskScript(phase string) string {
	logs := filepath.Join(s.Dir, "logs")
	var b strings.Builder
	b.WriteString(s.header("curate-"+phase, filepath.Join(logs, phase+"-%A_%a.log")))
	// The task writes its log path into its state file, for curate status.
	fmt.Fprintf(&b, "export CURATE_TASK_LOG=%s/%s-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.log\n", shellQuote(logs), phase)
	fmt.Fprintf(&b, "exec %s --phase %s\n", shellJoin(s.Task), shellQuote(phase))
	return b.String()
}

func (s *Slurm) continueScript() string {
	var b strings.Builder
	b.WriteString(s.header("curate-next", filepath.Join(s.Dir, "logs", "next-%j.log")))
	fmt.Fprintf(&b, "exec %s --after \"$CURATE_AFTER\"\n", shellJoin(s.Continue))
	return b.String()
}

// ArrayChunk is one job array of a phase: Spec lists its indices (less
// Offset, so they stay below MaxArraySize).
type ArrayChunk struct {
	Spec   string
	Offset int
}

// ArrayChunks cuts the pending indices (ascending) into arrays of indices
// below size, each spec in Slurm's "0-9,12,15-20" form.
func ArrayChunks(pending []int, size int) []ArrayChunk {
	var chunks []ArrayChunk
	for start := 0; start < len(pending); {
		off := pending[start] / size * size
		end := start
		for end < len(pending) && pending[end] < off+size {
			end++
		}
		var parts []string
		for i := start; i < end; {
			j := i
			for j+1 < end && pending[j+1] == pending[j]+1 {
				j++
			}
			if i == j {
				parts = append(parts, strconv.Itoa(pending[i]-off))
			} else {
				parts = append(parts, fmt.Sprintf("%d-%d", pending[i]-off, pending[j]-off))
			}
			i = j + 1
		}
		chunks = append(chunks, ArrayChunk{Spec: strings.Join(parts, ","), Offset: off})
		start = end
	}
	return chunks
}

var maxArrayRE = regexp.MustCompile(`(?m)^MaxArraySize\s*=\s*(\d+)`)

// clusterMaxArraySize asks scontrol, falling back to Slurm's default.
func clusterMaxArraySize(ctx context.Context) int {
	out, err := exec.CommandContext(ctx, "scontrol", "show", "config").Output()
	if err == nil {
		if m := maxArrayRE.FindSubmatch(out); m != nil {
			if n, err := strconv.Atoi(string(m[1])); err == nil && n > 1 {
				return n
			}
		}
	}
	return 1001
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}
