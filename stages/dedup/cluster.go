package dedup

import (
	"fmt"
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
	case exact && removed.Info.Exact == survivor.Info.Exact:
		return KindExact
	case url && !removed.Info.URL.IsZero() && removed.Info.URL == survivor.Info.URL:
		return KindURL
	}
	return KindNear
}
