package sources

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ExpandDirs is Expand for sources whose unit of input may be a directory
// (a checked-out source tree): a pattern naming a directory, or a glob
// matching directories, yields the directory itself as one input (Size -1),
// beside files and URLs. Like Expand, the result is sorted and
// de-duplicated, and a pattern that matches nothing is an error.
func ExpandDirs(baseDir string, patterns []string) ([]Input, error) {
	seen := make(map[string]bool)
	var out []Input
	add := func(in Input) {
		if !seen[in.Path] {
			seen[in.Path] = true
			out = append(out, in)
		}
	}
	for _, pat := range patterns {
		if IsURL(pat) {
			add(Input{Path: pat, Size: -1})
			continue
		}
		p := pat
		if !filepath.IsAbs(p) && baseDir != "" {
			p = filepath.Join(baseDir, p)
		}
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("input %q: %w", pat, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("input %q: nothing matches", pat)
			}
			matches = m
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil, fmt.Errorf("input %q: %s: no such file or directory", pat, m)
				}
				return nil, fmt.Errorf("input %q: %w", pat, err)
			}
			if st.IsDir() {
				add(Input{Path: filepath.Clean(m), Size: -1})
			} else {
				add(Input{Path: m, Size: st.Size()})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// IsDir reports whether an input names a local directory.
func IsDir(in Input) bool {
	if IsURL(in.Path) {
		return false
	}
	st, err := os.Stat(in.Path)
	return err == nil && st.IsDir()
}
