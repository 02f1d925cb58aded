package pipeline

import "github.com/curate-dev/curate/pipeline/doc"

// stagesFor builds the stages a source's documents go through after
// normalisation, in order: language tagging, then filters.
func (c *Config) stagesFor(sc *SourceConfig) ([]doc.Stage, error) {
	return nil, nil
}

// stageConfig is the part of the config that decides what a source's
// stages do; it is hashed into each ingest task's key.
func (c *Config) stageConfig(sc *SourceConfig) any {
	return struct{ MinChars int }{sc.MinChars}
}
