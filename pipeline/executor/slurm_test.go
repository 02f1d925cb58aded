package executor

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestArrayChunks(t *testing.T) {
	tests := []struct {
		pending []int
		size    int
		want    []ArrayChunk
	}{
		{[]int{0, 1, 2, 3}, 1001, []ArrayChunk{{"0-3", 0}}},
		{[]int{0, 2, 3, 4, 9}, 1001, []ArrayChunk{{"0,2-4,9", 0}}},
		// Above MaxArraySize: indices stay below it, the offset restores them.
		{[]int{0, 1, 2, 3, 4, 5, 6}, 3, []ArrayChunk{{"0-2", 0}, {"0-2", 3}, {"0", 6}}},
		{[]int{5, 7, 8, 2500}, 1000, []ArrayChunk{{"5,7-8", 0}, {"500", 2000}}},
	}
	for _, tt := range tests {
		got := ArrayChunks(tt.pending, tt.size)
		if !slices.Equal(got, tt.want) {
			t.Errorf("ArrayChunks(%v, %d) = %v, want %v", tt.pending, tt.size, got, tt.want)
		}
		// Every pending index is covered once, below size.
		var back []int
		for _, c := range got {
			for _, part := range strings.Split(c.Spec, ",") {
				lo, hi, ok := strings.Cut(part, "-")
				a, _ := strconv.Atoi(lo)
				b := a
				if ok {
					b, _ = strconv.Atoi(hi)
				}
				if b >= tt.size {
					t.Errorf("%v: index %d not below %d", c, b, tt.size)
				}
				for i := a; i <= b; i++ {
					back = append(back, i+c.Offset)
				}
			}
		}
		if !slices.Equal(back, tt.pending) {
			t.Errorf("chunks of %v cover %v", tt.pending, back)
		}
	}
}

func TestSlurmSubmitsPendingThenNextStep(t *testing.T) {
	dir := t.TempDir()
	var calls [][]string
	s := &Slurm{
		Options:  SlurmOptions{Partition: "cpu", Time: "01:00:00", CPUs: 4, Mem: "8G", MaxParallel: 2, MaxArraySize: 4, Extra: []string{"--account=lm"}},
		Dir:      dir,
		Task:     []string{"/opt/curate", "task", "--output", "/shared/out", "c.yaml"},
		Continue: []string{"/opt/curate", "run", "--executor", "slurm", "--output", "/shared/out", "c.yaml"},
		WorkDir:  "/shared",
		Sbatch: func(_ context.Context, args ...string) (string, error) {
			calls = append(calls, args)
			return strconv.Itoa(100 + len(calls)), nil
		},
	}
	if err := s.Run(context.Background(), Phase{"ingest", 9, nil}, nil); err != nil || len(calls) != 0 {
		t.Fatalf("a complete phase: err %v, %d submissions", err, len(calls))
	}
	err := s.Run(context.Background(), Phase{"ingest", 9, []int{1, 2, 3, 4, 8}}, nil)
	d, ok := AsDeferred(err)
	if !ok || !slices.Equal(d.JobIDs, []string{"101", "102", "103", "104"}) {
		t.Fatalf("got %v", err)
	}
	want := [][]string{
		{"--parsable", "--array=1-3%2", "--export=ALL,CURATE_TASK_OFFSET=0", filepath.Join(dir, "ingest.sbatch")},
		{"--parsable", "--array=0%2", "--export=ALL,CURATE_TASK_OFFSET=4", filepath.Join(dir, "ingest.sbatch")},
		{"--parsable", "--array=0%2", "--export=ALL,CURATE_TASK_OFFSET=8", filepath.Join(dir, "ingest.sbatch")},
		{"--parsable", "--dependency=afterok:101:102:103", "--kill-on-invalid-dep=yes", "--export=ALL,CURATE_AFTER=ingest", filepath.Join(dir, "continue.sbatch")},
	}
	for i := range want {
		if i >= len(calls) || !slices.Equal(calls[i], want[i]) {
			t.Fatalf("sbatch calls:\n%q\nwant\n%q", calls, want)
		}
	}
	script, err := os.ReadFile(filepath.Join(dir, "ingest.sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"#SBATCH --partition=cpu", "#SBATCH --time=01:00:00", "#SBATCH --cpus-per-task=4",
		"#SBATCH --mem=8G", "#SBATCH --account=lm", "#SBATCH --chdir=/shared",
		"exec /opt/curate task --output /shared/out c.yaml --phase ingest"} {
		if !strings.Contains(string(script), line+"\n") {
			t.Errorf("ingest.sbatch lacks %q:\n%s", line, script)
		}
	}
	// The step after a phase refuses to resubmit it.
	s.After = "ingest"
	if err := s.Run(context.Background(), Phase{"ingest", 9, []int{8}}, nil); err == nil || strings.Contains(err.Error(), "submitted") {
		t.Fatalf("resubmitted after its own phase: %v", err)
	}
}
