package executor

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// KubernetesOptions is the config's kubernetes: block, for the Indexed
// Job manifests of `curate k8s`.
type KubernetesOptions struct {
	// Namespace of the Jobs ("" leaves it to kubectl's context).
	Namespace string `yaml:"namespace" json:"namespace,omitempty"`
	// Image holds the curate binary (as Command) and the config.
	Image string `yaml:"image" json:"image,omitempty"`
	// Command is curate's path in the image (default "curate").
	Command string `yaml:"command" json:"command,omitempty"`
	// Config is the config's path inside the pod (default: the path it was
	// read from).
	Config string `yaml:"config" json:"config,omitempty"`
	// Volume is the ReadWriteMany PersistentVolumeClaim that holds the
	// output (and the inputs), mounted at MountPath in every pod.
	Volume    string `yaml:"volume" json:"volume,omitempty"`
	MountPath string `yaml:"mount_path" json:"mount_path,omitempty"`
	// Output is the output directory's path in the pods (default: its
	// path where curate k8s runs, for a volume mounted at the same path).
	Output string `yaml:"output" json:"output,omitempty"`
	// WorkDir is the pods' working directory (relative inputs resolve
	// from it); default MountPath.
	WorkDir string `yaml:"work_dir" json:"work_dir,omitempty"`
	// CPU and Memory are each pod's requests and limits ("2", "4Gi").
	CPU    string `yaml:"cpu" json:"cpu,omitempty"`
	Memory string `yaml:"memory" json:"memory,omitempty"`
	// Parallelism caps the pods running at once per phase (default 8).
	Parallelism int `yaml:"parallelism" json:"parallelism,omitempty"`
	// BackoffLimitPerIndex is each index's retries (default 2).
	BackoffLimitPerIndex int `yaml:"backoff_limit_per_index" json:"backoff_limit_per_index,omitempty"`
	// ServiceAccount runs the pods ("" the namespace's default).
	ServiceAccount string `yaml:"service_account" json:"service_account,omitempty"`
}

// Kubernetes writes the first phase with pending tasks as a batch/v1
// Indexed Job manifest (completions = the phase's tasks; a pod whose index
// is already complete exits at once) and stops the run there; apply.sh
// applies it, waits for the Job, and asks again, until every phase is
// complete and the run files are written. Like Slurm's, a phase's size is
// known only once the phase before it is done.
type Kubernetes struct {
	Options KubernetesOptions
	// Dir holds the manifests and apply.sh (.curate/k8s).
	Dir string
	// Output and Config are the paths the pods use.
	Output, Config string
	// Self is how apply.sh runs curate k8s again (binary and arguments).
	Self []string
}

// Run implements Executor.
func (k *Kubernetes) Run(_ context.Context, ph Phase, _ RunFunc) error {
	if len(ph.Pending) == 0 {
		return nil
	}
	job := k.Job(ph)
	b, err := json.MarshalIndent(job, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(k.Dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(k.Dir, job.Metadata.Name+".json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(k.Dir, "apply.sh"), []byte(k.applyScript()), 0o755); err != nil {
		return err
	}
	return &Deferred{Phase: ph.Name, Tasks: ph.Tasks, JobIDs: []string{job.Metadata.Name}, Files: []string{path}}
}

// Job is the phase's Indexed Job.
func (k *Kubernetes) Job(ph Phase) *k8sJob {
	o := k.Options
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v", k.Output, ph.Name, ph.Pending)
	name := fmt.Sprintf("curate-%s-%x", ph.Name, h.Sum(nil)[:4])
	labels := map[string]string{"app.kubernetes.io/name": "curate", "curate.dev/phase": ph.Name}
	command := o.Command
	if command == "" {
		command = "curate"
	}
	parallelism := o.Parallelism
	if parallelism <= 0 {
		parallelism = 8
	}
	backoff := o.BackoffLimitPerIndex
	if backoff <= 0 {
		backoff = 2
	}
	config := o.Config
	if config == "" {
		config = k.Config
	}
	workDir := o.WorkDir
	if workDir == "" {
		workDir = o.MountPath
	}
	c := k8sContainer{
		Name:  "curate",
		Image: o.Image,
		// The pod's index comes from JOB_COMPLETION_INDEX, which an
		// Indexed Job sets.
		Command:    []string{command, "task", "--phase", ph.Name, "--output", k.Output, config},
		WorkingDir: workDir,
	}
	res := map[string]string{}
	if o.CPU != "" {
		res["cpu"] = o.CPU
	}
	if o.Memory != "" {
		res["memory"] = o.Memory
	}
	if len(res) > 0 {
		c.Resources = &k8sResources{Requests: res, Limits: res}
	}
	pod := k8sPodSpec{RestartPolicy: "Never", ServiceAccountName: o.ServiceAccount, Containers: []k8sContainer{c}}
	if o.Volume != "" {
		c.VolumeMounts = []k8sVolumeMount{{Name: "data", MountPath: o.MountPath}}
		pod.Containers[0] = c
		pod.Volumes = []k8sVolume{{Name: "data", PersistentVolumeClaim: &k8sPVC{ClaimName: o.Volume}}}
	}
	n := int32(ph.Tasks)
	return &k8sJob{
		APIVersion: "batch/v1",
		Kind:       "Job",
		Metadata:   k8sMeta{Name: name, Namespace: o.Namespace, Labels: labels},
		Spec: k8sJobSpec{
			CompletionMode:       "Indexed",
			Completions:          n,
			Parallelism:          int32(min(parallelism, max(ph.Tasks, 1))),
			BackoffLimitPerIndex: int32(backoff),
			Template:             k8sTemplate{Metadata: k8sMeta{Labels: labels}, Spec: pod},
		},
	}
}

func (k *Kubernetes) applyScript() string {
	ns := ""
	if k.Options.Namespace != "" {
		ns = " --namespace " + shellQuote(k.Options.Namespace)
	}
	return `#!/usr/bin/env bash
# Written by curate k8s: applies the run's Indexed Jobs one phase at a
# time, each once the phase before it is complete (its size depends on
# that phase's outputs), until every phase is complete and curate has
# written the run files. Runs where the output volume is mounted at the
# pods' path; rerun it to resume.
set -euo pipefail
while :; do
  manifest=$(` + shellJoin(k.Self) + `)
  [ -n "$manifest" ] || break
  job=$(basename "$manifest" .json)
  kubectl` + ns + ` apply -f "$manifest"
  while :; do
    state=$(kubectl` + ns + ` get job "$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')
    case " $state " in
      *" Complete "*) break ;;
      *" Failed "*) echo "job $job failed; see curate status and kubectl logs" >&2; exit 1 ;;
    esac
    sleep 10
  done
done
echo "curate: every phase complete"
`
}

// The manifest types: the fields of k8s.io/api's batch/v1 and core/v1
// that curate writes, with their JSON names (a test decodes the output
// strictly into the real types).
type k8sJob struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   k8sMeta    `json:"metadata"`
	Spec       k8sJobSpec `json:"spec"`
}

type k8sMeta struct {
	Name      string            `json:"name,omitempty"`
	Namespace string            `json:"namespace,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

type k8sJobSpec struct {
	CompletionMode       string      `json:"completionMode"`
	Completions          int32       `json:"completions"`
	Parallelism          int32       `json:"parallelism"`
	BackoffLimitPerIndex int32       `json:"backoffLimitPerIndex"`
	Template             k8sTemplate `json:"template"`
}

type k8sTemplate struct {
	Metadata k8sMeta    `json:"metadata"`
	Spec     k8sPodSpec `json:"spec"`
}

type k8sPodSpec struct {
	RestartPolicy      string         `json:"restartPolicy"`
	ServiceAccountName string         `json:"serviceAccountName,omitempty"`
	Containers         []k8sContainer `json:"containers"`
	Volumes            []k8sVolume    `json:"volumes,omitempty"`
}

type k8sContainer struct {
	Name         string           `json:"name"`
	Image        string           `json:"image"`
	Command      []string         `json:"command"`
	WorkingDir   string           `json:"workingDir,omitempty"`
	Resources    *k8sResources    `json:"resources,omitempty"`
	VolumeMounts []k8sVolumeMount `json:"volumeMounts,omitempty"`
}

type k8sResources struct {
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

type k8sVolumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
}

type k8sVolume struct {
	Name                  string  `json:"name"`
	PersistentVolumeClaim *k8sPVC `json:"persistentVolumeClaim,omitempty"`
}

type k8sPVC struct {
	ClaimName string `json:"claimName"`
}
