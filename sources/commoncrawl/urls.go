package commoncrawl

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strings"

	"github.com/curate-dev/curate/sources"
)

// blockList holds blocked domains: suffix entries block a domain and its
// subdomains, exact entries one host.
type blockList struct {
	suffix map[string]bool
	exact  map[string]bool
}

func loadBlockList(path string) (*blockList, error) {
	b := &blockList{suffix: map[string]bool{}, exact: map[string]bool{}}
	err := eachLine(path, func(line string, _ int) error {
		if strings.HasPrefix(line, "=") {
			b.exact[normHost(line[1:])] = true
		} else {
			b.suffix[normHost(strings.TrimPrefix(line, "*."))] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func normHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// blocked reports whether host, or a parent domain of it, is listed.
func (b *blockList) blocked(host string) bool {
	host = normHost(host)
	if b.exact[host] {
		return true
	}
	for h := host; h != ""; {
		if b.suffix[h] {
			return true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return false
}

// allowList is a sorted set of 64-bit hashes of normalised URLs: WebText's
// list has tens of millions of URLs, and 8 bytes each keeps it in memory
// where strings would not (a collision lets one page too many through).
type allowList struct{ hashes []uint64 }

func loadAllowList(path string) (*allowList, error) {
	a := &allowList{}
	err := eachLine(path, func(line string, _ int) error {
		a.hashes = append(a.hashes, urlKey(line))
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(a.hashes)
	a.hashes = slices.Compact(a.hashes)
	return a, nil
}

func (a *allowList) allowed(u string) bool {
	_, ok := slices.BinarySearch(a.hashes, urlKey(u))
	return ok
}

// urlKey hashes the parts of a URL that name the page: a Reddit link and
// the crawler's capture of it differ in scheme, "www.", a fragment or a
// trailing slash more often than in substance.
func urlKey(raw string) uint64 {
	s := strings.TrimSpace(raw)
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
		if p := u.Port(); p != "" && p != "80" && p != "443" {
			host += ":" + p
		}
		path := strings.TrimSuffix(u.EscapedPath(), "/")
		s = host + path
		if u.RawQuery != "" {
			s += "?" + u.RawQuery
		}
	}
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// eachLine calls fn for each non-blank, non-comment line of a local file
// or URL.
func eachLine(path string, fn func(line string, n int) error) error {
	// OpenAny: lists may be gzipped or served over http(s).
	f, err := sources.OpenAny(path)
	if err != nil {
		return fmt.Errorf("reading list %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(line, n); err != nil {
			return fmt.Errorf("%s line %d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading list %s after line %d: %w", path, n, err)
	}
	return nil
}
