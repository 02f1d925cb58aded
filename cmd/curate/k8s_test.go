package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// curate k8s writes, phase after phase, Indexed Jobs that decode strictly
// into the official batch/v1 types; running every index of each Job's pod
// command with JOB_COMPLETION_INDEX set, as Kubernetes would, and asking
// curate k8s again until it has nothing left, gives the local run's bytes.
func TestK8sIndexedJobsMatchLocalRun(t *testing.T) {
	chdirRepoRoot(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	k8sBlock := `
kubernetes:
  namespace: corpus
  image: registry.example/curate:0.1
  command: /usr/local/bin/curate
  volume: curate-shared
  mount_path: /shared
  work_dir: /shared/repo
  cpu: "2"
  memory: 4Gi
  parallelism: 3
  backoff_limit_per_index: 1
`
	if err := os.WriteFile(cfgPath, []byte(taskTestConfig+k8sBlock), 0o644); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(dir, "local")
	if code, _, stderr := runCLI("run", cfgPath, "--output", local, "--workers", "1"); code != exitOK {
		t.Fatalf("local run: %s", stderr)
	}
	out := filepath.Join(dir, "k8s")
	phases := 0
	for ; ; phases++ {
		code, stdout, stderr := runCLI("k8s", cfgPath, "--output", out)
		if code != exitOK {
			t.Fatalf("curate k8s: %s", stderr)
		}
		manifest := strings.TrimSpace(stdout)
		if manifest == "" {
			break
		}
		if phases > 20 {
			t.Fatal("curate k8s never completes")
		}
		b, err := os.ReadFile(manifest)
		if err != nil {
			t.Fatal(err)
		}
		var job batchv1.Job
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&job); err != nil {
			t.Fatalf("%s does not decode strictly into batch/v1 Job: %v", manifest, err)
		}
		spec := job.Spec
		if job.APIVersion != "batch/v1" || job.Kind != "Job" || job.Namespace != "corpus" ||
			spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion ||
			spec.Completions == nil || *spec.Completions < 1 || spec.Parallelism == nil || *spec.Parallelism > 3 ||
			spec.BackoffLimitPerIndex == nil || *spec.BackoffLimitPerIndex != 1 ||
			spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
			t.Fatalf("%s: %s", manifest, b)
		}
		pod := spec.Template.Spec
		c := pod.Containers[0]
		if c.Image != "registry.example/curate:0.1" || c.WorkingDir != "/shared/repo" ||
			c.Resources.Limits.Cpu().String() != "2" || c.Resources.Requests.Memory().String() != "4Gi" ||
			c.VolumeMounts[0].MountPath != "/shared" || pod.Volumes[0].PersistentVolumeClaim.ClaimName != "curate-shared" {
			t.Fatalf("%s: pod spec %s", manifest, b)
		}
		if c.Command[0] != "/usr/local/bin/curate" || c.Command[1] != "task" {
			t.Fatalf("%s: command %q", manifest, c.Command)
		}
		// The pods: the container's command, here, with each index.
		for i := int32(0); i < *spec.Completions; i++ {
			t.Setenv("JOB_COMPLETION_INDEX", strconv.Itoa(int(i)))
			if code, stdout, stderr := runCLI(c.Command[1:]...); code != exitOK {
				t.Fatalf("pod %d of %s: %s%s", i, job.Name, stdout, stderr)
			}
		}
	}
	if phases < 9 {
		t.Fatalf("%d Jobs, want one per phase", phases)
	}
	if _, err := os.Stat(filepath.Join(out, ".curate", "k8s", "apply.sh")); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, "Indexed Jobs", outputFiles(t, out), outputFiles(t, local))
}
