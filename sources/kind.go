package sources

import "github.com/curate-dev/curate/pipeline/doc"

// Unit is one ingest task's share of the inputs: a whole input, or a byte
// range of one when a source can split it (multistream bzip2 by its index,
// for instance). Units are numbered in a stable order so output part names do
// not depend on how many workers run them.
type Unit struct {
	Input Input
	// Part numbers the pieces of one input, 0 when it is read whole.
	Part int
	// Start and End bound a byte range of the raw input; End < 0 means to
	// the end of the input.
	Start, End int64
	// Memory is the task's share of the run's memory budget, which a
	// decoder asks before it holds more than planned; nil charges nothing.
	// It is not part of what the unit reads, so it stays out of task keys.
	Memory MemoryGrant `json:"-"`
}

// WholeFile is the default split: one unit per input.
func WholeFile(inputs []Input) []Unit {
	units := make([]Unit, len(inputs))
	for i, in := range inputs {
		units[i] = Unit{Input: in, End: -1}
	}
	return units
}

// Kind is what every source sub-package provides for the pipeline to run it.
// A Kind is built once from its typed Options and then used from many
// goroutines: Open must be safe for concurrent calls.
type Kind interface {
	// Units splits the expanded inputs into ingest units.
	Units(inputs []Input) ([]Unit, error)
	// Open starts reading one unit. Documents it yields need only Text, URL,
	// Meta and a record id in ID; the pipeline prefixes IDs with
	// "<source>/<input base name>/" and normalises text (NFC, no NUL).
	Open(u Unit) (doc.Reader, error)
}
