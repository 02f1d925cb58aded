package dedup

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// UnionFind clusters refs. It holds only the documents that appear in a
// pair, never every document of the run: a map entry per such document.
type UnionFind struct {
	parent map[uint64]uint64
}

// NewUnionFind returns an empty forest.
func NewUnionFind() *UnionFind { return &UnionFind{parent: map[uint64]uint64{}} }

// Len is how many documents the forest holds.
func (u *UnionFind) Len() int { return len(u.parent) }

// Find returns x's root, halving the path as it goes.
func (u *UnionFind) Find(x uint64) uint64 {
	p, ok := u.parent[x]
	if !ok {
		u.parent[x] = x
		return x
	}
	for p != x {
		gp := u.parent[p]
		u.parent[x] = gp
		x = gp
		p = u.parent[x]
	}
	return x
}

// Union joins the clusters of a and b. The smaller root wins, so the
// forest's shape does not depend on the order pairs arrive in.
func (u *UnionFind) Union(a, b uint64) {
	ra, rb := u.Find(a), u.Find(b)
	if ra == rb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
}

// Has reports whether x is in some cluster.
func (u *UnionFind) Has(x uint64) bool { _, ok := u.parent[x]; return ok }

// Clusters returns every cluster's members sorted, clusters ordered by
// their smallest member.
func (u *UnionFind) Clusters() [][]uint64 {
	byRoot := map[uint64][]uint64{}
	for x := range u.parent {
		r := u.Find(x)
		byRoot[r] = append(byRoot[r], x)
	}
	out := make([][]uint64, 0, len(byRoot))
	for _, m := range byRoot {
		slices.Sort(m)
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b []uint64) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	return out
}

// Prefer is the tie-break after source priority.
type Prefer string

// Preferences.
const (
	PreferLongest       Prefer = "longest"
	PreferLanguageScore Prefer = "language_score"
)

// Validate checks a preference.
func (p Prefer) Validate() error {
	switch p {
	case PreferLongest, PreferLanguageScore:
		return nil
	}
	return fmt.Errorf("prefer must be longest or language_score, not %q", string(p))
}

// Member is a cluster member as the survivor choice sees it.
type Member struct {
	Ref uint64
	// Priority is the source's rank in the config's priority list (lower
	// wins); sources not listed share the rank after the last.
	Priority int
	Info     DocInfo
}

// Better reports whether a should survive rather than b: an earlier run's
// document first (it is already published), then source priority, then the
// preference (longer text, or higher language score), then the smaller id.
func Better(a, b *Member, p Prefer) bool {
	ea, eb := IsExternal(a.Ref), IsExternal(b.Ref)
	if ea != eb {
		return ea
	}
	if ea {
		return a.Ref < b.Ref
	}
	if a.Priority != b.Priority {
		return a.Priority < b.Priority
	}
	switch p {
	case PreferLanguageScore:
		if a.Info.Score != b.Info.Score {
			return a.Info.Score > b.Info.Score
		}
		if a.Info.Length != b.Info.Length {
			return a.Info.Length > b.Info.Length
		}
	default:
		if a.Info.Length != b.Info.Length {
			return a.Info.Length > b.Info.Length
		}
		if a.Info.Score != b.Info.Score {
			return a.Info.Score > b.Info.Score
		}
	}
	if c := strings.Compare(a.Info.ID, b.Info.ID); c != 0 {
		return c < 0
	}
	return a.Ref < b.Ref
}

// Survivor returns the index of the member that survives.
func Survivor(ms []*Member, p Prefer) int {
	best := 0
	for i := 1; i < len(ms); i++ {
		if Better(ms[i], ms[best], p) {
			best = i
		}
	}
	return best
}

// KindOf says how a removed member relates to its survivor: the same
// normalised text, else the same URL, else a near-duplicate. exact and url
// say which checks the run has on.
func KindOf(removed, survivor *Member, exact, url bool) Kind {
	switch {
	case exact && !removed.Info.Exact.IsZero() && removed.Info.Exact == survivor.Info.Exact:
		return KindExact
	case url && !removed.Info.URL.IsZero() && removed.Info.URL == survivor.Info.URL:
		return KindURL
	}
	return KindNear
}

// Clusterer turns candidate pairs into decisions: union–find over the
// pairs, then the survivor choice over the members' records, which it
// gathers from docs files for clustered documents only.
type Clusterer struct {
	uf      *UnionFind
	prefer  Prefer
	members map[uint64]*Member
	pairs   int64
}

// NewClusterer returns an empty clusterer.
func NewClusterer(p Prefer) *Clusterer {
	return &Clusterer{uf: NewUnionFind(), prefer: p, members: map[uint64]*Member{}}
}

// AddPairs unions every pair of a pairs file.
func (c *Clusterer) AddPairs(path string) error {
	return ReadPairs(path, func(a, b uint64) { c.uf.Union(a, b); c.pairs++ })
}

// Pairs is how many pairs were added; Documents how many documents are in
// a cluster.
func (c *Clusterer) Pairs() int64   { return c.pairs }
func (c *Clusterer) Documents() int { return c.uf.Len() }

// Parts lists the (run, part) pairs that hold clustered documents, so only
// their docs files are read (run is -1 for this run).
func (c *Clusterer) Parts() map[[2]int]bool {
	out := map[[2]int]bool{}
	for ref := range c.uf.parent {
		run, part, _ := SplitRef(ref)
		out[[2]int{run, part}] = true
	}
	return out
}

// Gather reads a docs file whose row 0 is ref base and keeps the records
// of clustered documents, with their source's priority.
func (c *Clusterer) Gather(path string, base uint64, priority int) error {
	dr, err := OpenDocs(path)
	if err != nil {
		return err
	}
	defer dr.Close()
	for row := uint32(0); ; row++ {
		info, err := dr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if ref := base | uint64(row); c.uf.Has(ref) {
			c.members[ref] = &Member{Ref: ref, Priority: priority, Info: info}
		}
	}
}

// Decide picks each cluster's survivor and calls fn for every member of
// this run (earlier runs' documents are never changed), clusters in order
// of their smallest ref, members in ref order. exact and url say which
// checks are on, for the kind of each removal.
func (c *Clusterer) Decide(exact, url bool, fn func(m *Member, d Decision) error) error {
	for _, cl := range c.uf.Clusters() {
		ms := make([]*Member, 0, len(cl))
		for _, ref := range cl {
			m := c.members[ref]
			if m == nil {
				run, part, row := SplitRef(ref)
				return fmt.Errorf("document (run %d, part %d, row %d) is in a pair but not in its docs file", run, part, row)
			}
			ms = append(ms, m)
		}
		surv := ms[Survivor(ms, c.prefer)]
		for _, m := range ms {
			if IsExternal(m.Ref) {
				continue
			}
			d := Decision{Row: uint32(m.Ref), Kind: KindSurvivor, ClusterSize: len(ms)}
			if m != surv {
				d = Decision{Row: uint32(m.Ref), Kind: KindOf(m, surv, exact, url), SurvivorID: surv.Info.ID}
			}
			if err := fn(m, d); err != nil {
				return err
			}
		}
	}
	return nil
}
