package pipeline

import (
	"errors"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// badInput is an input that could not be planned (split into units).
type badInput struct {
	input string
	err   error
	// whole: the input is read whole instead of skipped.
	whole bool
}

// wholeReader is a source kind that can read an input as one unit when
// splitting it failed: a multistream dump whose index does not match is
// still a bzip2 dump, and read whole it keeps every page before a cut.
type wholeReader interface {
	CanReadWhole(in sources.Input) bool
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
	wr, _ := kind.(wholeReader)
	for _, in := range inputs {
		us, err := kind.Units([]sources.Input{in})
		if err != nil {
			if wr != nil && wr.CanReadWhole(in) {
				bad = append(bad, badInput{input: in.Path, err: err, whole: true})
				units = append(units, sources.Unit{Input: in, End: -1})
				continue
			}
			bad = append(bad, badInput{input: in.Path, err: err})
			continue
		}
		units = append(units, us...)
	}
	return units, bad, nil
}

// errorOffset digs the input offset out of an error that carries one (a
// record error, a decompression error), -1 if none does.
func errorOffset(err error) int64 {
	var rec *doc.RecordError
	if errors.As(err, &rec) {
		return rec.Offset
	}
	var se *sources.StreamError
	if errors.As(err, &se) {
		return se.Offset
	}
	return -1
}

// unitBytes is the share of its input's bytes a unit accounts for, so the
// units of a split input add up to its size: the last unit runs to the end
// (End < 0), and the first also owns the bytes before its range (a
// multistream dump's siteinfo stream, read by every unit but counted once).
func unitBytes(u sources.Unit) int64 {
	if u.End < 0 && u.Start == 0 {
		return u.Input.Size
	}
	end := u.End
	if end < 0 {
		end = u.Input.Size
	}
	start := u.Start
	if u.Part == 0 {
		start = 0
	}
	return max(end-start, 0)
}
