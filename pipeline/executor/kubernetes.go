package executor

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
