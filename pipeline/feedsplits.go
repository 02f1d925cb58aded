package pipeline

import (
	"fmt"
	"os"

	"github.com/curate-dev/curate/shards"
)

// planSplits cuts ranges, lists the instances of each split, permutes them,
// groups them into windows and simulates packing to place every shard.
func (fp *feedPlan) planSplits() error {
	val := &feedSplit{name: "val"}
	train := &feedSplit{name: "train"}
	for pi, p := range fp.parts {
		np := fp.passes(p)
		var cur feedRange
		var valTok int64
		passTok := make([]int64, np)
		closeRange := func() {
			if cur.n == 0 {
				return
			}
			ri := int32(len(fp.ranges))
			fp.ranges = append(fp.ranges, cur)
			if valTok > 0 {
				val.insts = append(val.insts, feedInst{rng: ri, tokens: valTok})
			}
			for pass, t := range passTok {
				if t > 0 {
					train.insts = append(train.insts, feedInst{rng: ri, pass: int32(pass), tokens: t})
				}
				passTok[pass] = 0
			}
			valTok = 0
			cur = feedRange{part: int32(pi), doc0: cur.doc0 + int64(cur.n), tok0: cur.tok0 + cur.ntok}
		}
		cur = feedRange{part: int32(pi)}
		if err := p.eachRecord(func(_ int64, r shards.SpoolRecord) error {
			cur.n++
			cur.ntok += int64(r.Tokens)
			if fp.isVal(r) {
				valTok += int64(r.Tokens)
				val.docs++
			} else {
				c := fp.cells[p.cellOf[r.Lang]]
				for pass := range passTok {
					if fp.takes(c, r, pass) {
						passTok[pass] += int64(r.Tokens)
						train.docs++
					}
				}
			}
			if cur.ntok >= rangeTokens || cur.n >= rangeDocs {
				closeRange()
			}
			return nil
		}); err != nil {
			return err
		}
		closeRange()
	}
	for si, sp := range []*feedSplit{val, train} {
		r := shards.NewRand(splitmix64(fp.seed ^ saltPerm ^ uint64(si)))
		r.Shuffle(len(sp.insts), func(i, j int) { sp.insts[i], sp.insts[j] = sp.insts[j], sp.insts[i] })
		var acc int64
		first := 0
		for i, in := range sp.insts {
			sp.tokens += in.tokens
			acc += in.tokens
			if acc >= fp.cfg.ShuffleWindowTokens || i == len(sp.insts)-1 {
				sp.windows = append(sp.windows, feedWindow{first: first, last: i + 1})
				first, acc = i+1, 0
			}
		}
		if err := fp.simulate(si, sp); err != nil {
			return err
		}
	}
	fp.splits = []*feedSplit{val, train}
	fp.placeShards()
	return nil
}

// simulate records each window's packing state and the split's totals.
func (fp *feedPlan) simulate(si int, sp *feedSplit) error {
	var seq int64
	fill := 0
	for w := range sp.windows {
		sp.windows[w].seq, sp.windows[w].fill = seq, fill
		if !fp.doc {
			var t int64
			for _, in := range sp.insts[sp.windows[w].first:sp.windows[w].last] {
				t += in.tokens
			}
			total := int64(fill) + t
			seq += total / int64(fp.size)
			fill = int(total % int64(fp.size))
			continue
		}
		docs, err := fp.windowDocs(si, sp, w, false)
		if err != nil {
			return err
		}
		for _, d := range docs {
			before := seq*int64(fp.size) + int64(fill)
			s2, f2 := shards.SimulatePack(fp.size, true, seq, fill, int(d.tokens))
			sp.pads += s2*int64(fp.size) + int64(f2) - before - d.tokens
			seq, fill = s2, f2
		}
	}
	sp.seqs = seq
	sp.dropped = int64(fill)
	return nil
}

// placeShards splits each split's sequences into shards sized by tokens;
// with world_size the train shard count is a multiple of it and shards are
// equal, the few sequences left over dropped. Val shards come first in
// the file numbering, as llm.c names them.
func (fp *feedPlan) placeShards() {
	perShard := max(1, fp.cfg.ShardTokens/int64(fp.size))
	index := 0
	for _, sp := range fp.splits {
		if sp.seqs == 0 {
			continue
		}
		n := (sp.seqs + perShard - 1) / perShard
		q := perShard
		if sp.name == "train" && fp.cfg.WorldSize > 0 {
			w := int64(fp.cfg.WorldSize)
			n = (n + w - 1) / w * w
			q = sp.seqs / n
			if q == 0 {
				// Fewer sequences than ranks: one shard per rank is not
				// possible; keep what there is (the reader reports it).
				n, q = 1, sp.seqs
			}
			sp.dropped += (sp.seqs - n*q) * int64(fp.size)
			sp.seqs = n * q
		}
		for s := int64(0); s < n; s++ {
			first := s * q
			count := min(q, sp.seqs-first)
			if count <= 0 {
				break
			}
			sp.shards = append(sp.shards, feedShardPlan{index: index, first: first, count: count})
			index++
		}
	}
}

// windowDoc is one document instance of a window.
type windowDoc struct {
	part   int32
	tok0   int64 // offset in the part's spool
	tokens int64
	ids    []uint32 // loaded on request
}

// windowDocs lists a window's documents in their shuffled order, with
// their tokens when load is set.
func (fp *feedPlan) windowDocs(si int, sp *feedSplit, w int, load bool) ([]windowDoc, error) {
	files := map[int32][2]*os.File{}
	defer func() {
		for _, f := range files {
			f[0].Close()
			if f[1] != nil {
				f[1].Close()
			}
		}
	}()
	open := func(pi int32) ([2]*os.File, error) {
		if f, ok := files[pi]; ok {
			return f, nil
		}
		var f [2]*os.File
		var err error
		if f[0], err = os.Open(fp.parts[pi].idxPath()); err != nil {
			return f, err
		}
		if load {
			if f[1], err = os.Open(fp.parts[pi].tokPath()); err != nil {
				f[0].Close()
				return f, err
			}
		}
		files[pi] = f
		return f, nil
	}
	var docs []windowDoc
	var recs []shards.SpoolRecord
	var buf, arena []uint32
	var starts []int
	for _, in := range sp.insts[sp.windows[w].first:sp.windows[w].last] {
		rg := fp.ranges[in.rng]
		p := fp.parts[rg.part]
		f, err := open(rg.part)
		if err != nil {
			return nil, err
		}
		if recs, err = shards.ReadSpoolRecords(f[0], rg.doc0, int64(rg.n), recs[:0]); err != nil {
			return nil, fmt.Errorf("%s: %w", p.idxPath(), err)
		}
		// A densely sampled range is read in one go; a sparse one (a
		// source far below one epoch) document by document.
		dense := load && in.tokens*4 >= rg.ntok
		if dense {
			if buf, err = shards.ReadSpoolTokens(f[1], fp.dt, rg.tok0, rg.ntok, buf[:0]); err != nil {
				return nil, fmt.Errorf("%s: %w", p.tokPath(), err)
			}
		}
		off := rg.tok0
		for _, r := range recs {
			take := false
			if sp.name == "val" {
				take = fp.isVal(r)
			} else if !fp.isVal(r) {
				take = fp.takes(fp.cells[p.cellOf[r.Lang]], r, int(in.pass))
			}
			if take {
				docs = append(docs, windowDoc{part: rg.part, tok0: off, tokens: int64(r.Tokens)})
				if load {
					starts = append(starts, len(arena))
					if dense {
						arena = append(arena, buf[off-rg.tok0:off-rg.tok0+int64(r.Tokens)]...)
					} else if arena, err = shards.ReadSpoolTokens(f[1], fp.dt, off, int64(r.Tokens), arena); err != nil {
						return nil, fmt.Errorf("%s: %w", p.tokPath(), err)
					}
				}
			}
			off += int64(r.Tokens)
		}
	}
	if load {
		for i := range docs {
			docs[i].ids = arena[starts[i] : starts[i]+int(docs[i].tokens)]
		}
	}
	r := shards.NewRand(splitmix64(fp.seed^saltWin^uint64(si)<<32) ^ uint64(w))
	r.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
	return docs, nil
}
