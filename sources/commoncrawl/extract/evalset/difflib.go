package evalset

// matched is the number of elements in the matching blocks Python's
// difflib.SequenceMatcher(None, a, b, autojunk) finds: the longest
// matching block, then recursively the same left and right of it. With
// autojunk and len(b) >= 200, elements of b occurring more than
// len(b)/100+1 times are not used to start a match (they may still extend
// one), as in difflib.
func matched(a, b []string, autojunk bool) int {
	b2j := map[string][]int{}
	for j, x := range b {
		b2j[x] = append(b2j[x], j)
	}
	if n := len(b); autojunk && n >= 200 {
		ntest := n/100 + 1
		for x, js := range b2j {
			if len(js) > ntest {
				delete(b2j, x)
			}
		}
	}
	type span struct{ alo, ahi, blo, bhi int }
	queue := []span{{0, len(a), 0, len(b)}}
	type block struct{ i, j, k int }
	var blocks []block
	for len(queue) > 0 {
		s := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		i, j, k := longestMatch(a, b, b2j, s.alo, s.ahi, s.blo, s.bhi)
		if k == 0 {
			continue
		}
		blocks = append(blocks, block{i, j, k})
		if s.alo < i && s.blo < j {
			queue = append(queue, span{s.alo, i, s.blo, j})
		}
		if i+k < s.ahi && j+k < s.bhi {
			queue = append(queue, span{i + k, s.ahi, j + k, s.bhi})
		}
	}
	n := 0
	for _, bl := range blocks {
		n += bl.k
	}
	return n
}

// longestMatch is difflib's find_longest_match without junk: the longest
// a[i:i+k] == b[j:j+k] inside the bounds, earliest in a, then in b, found
// through b2j, then extended over elements b2j left out.
func longestMatch(a, b []string, b2j map[string][]int, alo, ahi, blo, bhi int) (int, int, int) {
	besti, bestj, bestk := alo, blo, 0
	j2len := map[int]int{}
	for i := alo; i < ahi; i++ {
		newj2len := map[int]int{}
		for _, j := range b2j[a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := j2len[j-1] + 1
			newj2len[j] = k
			if k > bestk {
				besti, bestj, bestk = i-k+1, j-k+1, k
			}
		}
		j2len = newj2len
	}
	for besti > alo && bestj > blo && a[besti-1] == b[bestj-1] {
		besti, bestj, bestk = besti-1, bestj-1, bestk+1
	}
	for besti+bestk < ahi && bestj+bestk < bhi && a[besti+bestk] == b[bestj+bestk] {
		bestk++
	}
	return besti, bestj, bestk
}
