package sources

import "os"

// ExpandDirs is Expand for sources whose unit of input may be a directory
// (a checked-out source tree): a pattern naming a directory, or a glob
// matching directories, yields the directory itself as one input (Size -1),
// beside files and URLs. Like Expand, the result is sorted and
// de-duplicated, and a pattern that matches nothing is an error.
func ExpandDirs(baseDir string, patterns []string) ([]Input, error) {
	return expandAll(baseDir, patterns, true)
}

// IsDir reports whether an input names a local directory.
func IsDir(in Input) bool {
	if IsURL(in.Path) {
		return false
	}
	st, err := os.Stat(in.Path)
	return err == nil && st.IsDir()
}
