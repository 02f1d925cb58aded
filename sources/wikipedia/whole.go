package wikipedia

import "github.com/curate-dev/curate/sources"

// CanReadWhole reports whether a dump that could not be split by its index
// (cut short, or the index of another dump beside it) can be read as one
// unit instead: any local dump can, as a plain (multi)stream bzip2 file,
// keeping every page before the damage. Index files themselves are not
// inputs.
func (s *Source) CanReadWhole(in sources.Input) bool {
	return !sources.IsURL(in.Path) && !isIndexName(in.Path)
}
