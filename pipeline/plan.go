package pipeline

import "github.com/curate-dev/curate/sources"

// badInput is an input that could not be planned (split into units).
type badInput struct {
	input string
	err   error
}

// planUnits splits a source's inputs into units. When that fails for the
// source as a whole — a truncated multistream dump, an index that does not
// match its dump — and bad inputs are to be skipped, each input is planned
// alone so one bad input costs only itself. Units of a kind depend only on
// their own input, so the units of the good inputs are the same either way.
func planUnits(kind sources.Kind, inputs []sources.Input, skip bool) ([]sources.Unit, []badInput, error) {
	units, err := kind.Units(inputs)
	if err == nil || !skip || len(inputs) == 0 {
		return units, nil, err
	}
	units = nil
	var bad []badInput
	for _, in := range inputs {
		us, err := kind.Units([]sources.Input{in})
		if err != nil {
			bad = append(bad, badInput{input: in.Path, err: err})
			continue
		}
		units = append(units, us...)
	}
	return units, bad, nil
}
