package torture

import (
	"os"
	"path/filepath"
	"strings"
)

// Seeds returns the first max bytes of each file under the given
// directories whose name ends in one of suffixes, to seed fuzz corpora
// from real inputs. dirs are tried as given; missing ones are skipped.
func Seeds(max int, suffixes []string, dirs ...string) [][]byte {
	var out [][]byte
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if e.IsDir() || !hasSuffix(e.Name(), suffixes) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			out = append(out, b[:min(len(b), max)])
		}
	}
	return out
}

func hasSuffix(name string, suffixes []string) bool {
	if len(suffixes) == 0 {
		return true
	}
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
