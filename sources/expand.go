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

// ExpandPattern expands one pattern (a path, a glob or an http(s) URL).
// With dirs, directories are inputs too (source trees); without, a glob
// passes over the directories it matches and a directory named outright is
// an error.
//
// A glob match that cannot be an input — a dangling symlink, a symlink
// loop, a FIFO or device (reading one would hang or never end), an entry
// that vanished — is returned in bad, naming its path, and the good matches
// are kept: one broken entry among thousands must not drop the pattern.
// err is for the pattern as a whole: a bad glob, nothing matched, or a path
// named outright that is not a readable input.
func ExpandPattern(baseDir, pat string, dirs bool) (inputs []Input, bad []error, err error) {
	if IsURL(pat) {
		return []Input{{Path: pat, Size: -1}}, nil, nil
	}
	p := pat
	if !filepath.IsAbs(p) && baseDir != "" {
		p = filepath.Join(baseDir, p)
	}
	glob := strings.ContainsAny(p, "*?[")
	matches := []string{p}
	if glob {
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, nil, fmt.Errorf("input %q: %w", pat, err)
		}
		if len(m) == 0 {
			what := "no file"
			if dirs {
				what = "nothing"
			}
			return nil, nil, fmt.Errorf("input %q: %s matches", pat, what)
		}
		matches = m
	}
	for _, m := range matches {
		in, skip, err := statInput(m, dirs)
		switch {
		case err != nil && glob:
			bad = append(bad, fmt.Errorf("input %q: %w", pat, err))
		case err != nil:
			return nil, nil, fmt.Errorf("input %q: %w", pat, err)
		case skip && !glob:
			return nil, nil, fmt.Errorf("input %q: %s is a directory, expected a file", pat, m)
		case !skip:
			inputs = append(inputs, in)
		}
	}
	if glob && len(inputs) == 0 && len(bad) > 0 {
		return nil, bad, nil
	}
	return inputs, bad, nil
}

// statInput checks one path. skip is set for a directory when directories
// are not inputs.
func statInput(m string, dirs bool) (in Input, skip bool, err error) {
	st, err := os.Stat(m)
	if err != nil {
		var lerr error
		if _, lerr = os.Lstat(m); lerr == nil && errors.Is(err, fs.ErrNotExist) {
			return in, false, fmt.Errorf("%s: dangling symlink (its target does not exist)", m)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return in, false, fmt.Errorf("%s: no such file", m)
		}
		// ELOOP and permission errors read well as they are.
		return in, false, err
	}
	switch {
	case st.IsDir() && dirs:
		return Input{Path: filepath.Clean(m), Size: -1}, false, nil
	case st.IsDir():
		return in, true, nil
	case !st.Mode().IsRegular():
		return in, false, fmt.Errorf("%s: not a regular file (%s); FIFOs and devices are not read", m, fileType(st.Mode()))
	}
	return Input{Path: m, Size: st.Size()}, false, nil
}

func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return m.Type().String()
}

// expandAll expands patterns strictly: the first bad entry is the error.
// Results are sorted and de-duplicated so task numbering is stable.
func expandAll(baseDir string, patterns []string, dirs bool) ([]Input, error) {
	seen := make(map[string]bool)
	var out []Input
	for _, pat := range patterns {
		ins, bad, err := ExpandPattern(baseDir, pat, dirs)
		if err != nil {
			return nil, err
		}
		if len(bad) > 0 {
			return nil, bad[0]
		}
		for _, in := range ins {
			if !seen[in.Path] {
				seen[in.Path] = true
				out = append(out, in)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
