package pipeline

import (
	"hash/fnv"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/curate-dev/curate/sources"
)

// inputNames gives each input of a source the name its document ids carry:
// the file's base name, as DESIGN.md's "<source>/<input file>/<record id>"
// says, unless two inputs of the source share it (dumps of several wikis or
// months are often laid out as lang/pages.xml.bz2); then each of those is
// named by its path below the folder they have in common, so ids of the
// two never meet.
func inputNames(units []sources.Unit) map[string]string {
	byBase := map[string][]string{}
	names := map[string]string{}
	for _, u := range units {
		p := u.Input.Path
		if _, done := names[p]; done {
			continue
		}
		b := sources.BaseName(p)
		names[p] = b
		byBase[b] = append(byBase[b], p)
	}
	for _, paths := range byBase {
		if len(paths) < 2 {
			continue
		}
		slashed := make([]string, len(paths))
		for i, p := range paths {
			slashed[i] = slashPath(p)
		}
		common := commonDir(slashed)
		for i, p := range paths {
			names[p] = strings.TrimPrefix(slashed[i], common)
		}
	}
	return names
}

// slashPath is a file path or URL with forward slashes and no scheme or
// query, for naming.
func slashPath(p string) string {
	if sources.IsURL(p) {
		if i := strings.Index(p, "://"); i >= 0 {
			p = p[i+3:]
		}
		if i := strings.IndexAny(p, "?#"); i >= 0 {
			p = p[:i]
		}
		return path.Clean(p)
	}
	return filepath.ToSlash(filepath.Clean(p))
}

// commonDir is the longest folder prefix, ending in "/", of all paths.
func commonDir(paths []string) string {
	prefix := paths[0]
	for _, p := range paths[1:] {
		for !strings.HasPrefix(p, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		return prefix[:i+1]
	}
	return ""
}

// idSet makes the document ids of one ingest task unique. Sources take ids
// from the data (page ids, Reddit fullnames, WARC-Record-IDs, an id field),
// and real dumps repeat them: a page exported twice, a Pushshift month with
// re-fetched comments, concatenated WARCs. The second and later documents
// with an id get "#2", "#3", ... in reading order, so the result is the same
// whatever the worker count. It keeps an 8-byte fingerprint per document of
// the task; two ids that share a fingerprint (odds 2^-64 per pair) would
// only rename a document, never merge two.
type idSet struct {
	seen map[uint64]struct{}
}

func newIDSet() *idSet { return &idSet{seen: map[uint64]struct{}{}} }

func fingerprint(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// unique returns id, or id with the first free "#n" suffix when the task
// has handed it out before, and whether it had to rename.
func (s *idSet) unique(id string) (string, bool) {
	fp := fingerprint(id)
	if _, dup := s.seen[fp]; !dup {
		s.seen[fp] = struct{}{}
		return id, false
	}
	for n := 2; ; n++ {
		cand := id + "#" + strconv.Itoa(n)
		fp := fingerprint(cand)
		if _, dup := s.seen[fp]; !dup {
			s.seen[fp] = struct{}{}
			return cand, true
		}
	}
}
