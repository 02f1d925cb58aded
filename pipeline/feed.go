package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/curate-dev/curate/shards"
)

// The feed runs after publish in three phases:
//
//   - feed-spool: a task per token part copies its documents as
//     [eot] + ids into a flat spool with a fixed-width index (id hash,
//     length, language), the random access the shuffle needs;
//   - feed: the plan (validation split, mixture, permutation of document
//     ranges, packing) is computed from the spool indexes, then a task per
//     shard writes it in every requested format;
//   - feed-manifest: feed/manifest.json lists the shards with their token
//     counts and checksums, and the mixture table.
//
// Every choice is seeded and every task deterministic, so the bytes do not
// depend on the number of workers or on a kill and resume.

const (
	// FeedDir holds the training shards and their manifest.
	FeedDir  = "feed"
	spoolDir = ".curate/feed/spool"
	// feedVersion changes when the feed's output for the same input does.
	feedVersion = "curate-feed-1"
)

// dropFeed removes an earlier run's feed, spool and markers once the
// config has no feed block: stale shards must not pass for this run's.
func (r *runner) dropFeed() error {
	for _, dir := range []string{FeedDir, spoolDir, ".curate/markers/feed-spool", ".curate/markers/feed", ".curate/markers/feed-manifest"} {
		if err := os.RemoveAll(filepath.Join(r.out, dir)); err != nil {
			return fmt.Errorf("removing the earlier feed: %w", err)
		}
	}
	return nil
}

type runPhaseFunc func(name string, tasks []*Task, dirs []string) (*phaseRun, error)

func (r *runner) runFeed(ctx context.Context, publish []*Marker, runPhase runPhaseFunc) error {
	f := r.cfg.Feed
	if r.tok == nil {
		return errors.New("feed: needs the tokenizer phase")
	}
	if !r.tok.HasEOT() {
		return errNoEOT
	}
	dt, err := f.dtype(r.tok.NVocab())
	if err != nil {
		return err
	}
	spool, err := runPhase("feed-spool", r.spoolTasks(publish, dt), []string{spoolDir})
	if err != nil {
		return err
	}
	fp := &feedPlan{cfg: f, seed: f.Seed, size: f.SeqLen + 1, doc: f.Pack == "document", dt: dt,
		eot: r.tok.EOT(), vocab: r.tok.NVocab()}
	var spoolOuts []OutputFile
	for _, m := range spool.markers {
		spoolOuts = append(spoolOuts, m.Outputs...)
		for _, o := range m.Outputs {
			if strings.HasSuffix(o.Path, ".json") {
				p, err := readSpoolMeta(filepath.Join(r.out, o.Path))
				if err != nil {
					return err
				}
				fp.parts = append(fp.parts, p)
			}
		}
	}
	if err := fp.build(r.cfg.Sources); err != nil {
		return err
	}
	for _, w := range fp.warnings {
		r.log.Warn("feed mixture", "missed", w)
	}
	if len(fp.splits[1].shards) == 0 {
		return errors.New("feed: the mixture selects too few tokens to fill one sequence; lower seq_len or raise total_tokens")
	}
	weights := map[string][2]float64{}
	for _, s := range r.cfg.Sources {
		weights[s.Name] = [2]float64{s.Weight, s.MaxEpochs}
	}
	planKey := hashJSON(struct {
		Version string
		Feed    *FeedConfig
		Spool   []OutputFile
		Weights map[string][2]float64
		DType   shards.DType
		EOT     uint32
		Plan    string
	}{feedVersion, f, spoolOuts, weights, dt, fp.eot, fp.digest()})
	var tasks []*Task
	for si, sp := range fp.splits {
		for _, sh := range sp.shards {
			key := hashJSON(struct {
				Plan  string
				Shard feedShardPlan
				Split string
			}{planKey, sh, sp.name})
			t := &Task{Phase: "feed", ID: fmt.Sprintf("%s_%06d", sp.name, sh.index), Key: key,
				Size: sh.count * int64(fp.size) * int64(dt.Size())}
			t.Run = func(ctx context.Context) (*Marker, error) { return r.writeShard(ctx, fp, si, sh) }
			tasks = append(tasks, t)
		}
	}
	// While shards change, no manifest may vouch for them: a reader finds
	// either the old feed's manifest gone or this run's, never a mix.
	for _, t := range tasks {
		if r.ex.done(t) == nil {
			if err := os.Remove(filepath.Join(r.out, FeedDir, shards.FeedManifestName)); err != nil && !os.IsNotExist(err) {
				return err
			}
			break
		}
	}
	var dirs []string
	for _, format := range shards.Formats {
		dirs = append(dirs, filepath.Join(FeedDir, format))
	}
	shardPhase, err := runPhase("feed", tasks, dirs)
	if err != nil {
		return err
	}
	man := fp.manifest(shardPhase.markers)
	mt := &Task{Phase: "feed-manifest", ID: "manifest", Key: hashJSON(man)}
	mt.Run = func(ctx context.Context) (*Marker, error) {
		out, err := writeJSONAtomic(filepath.Join(r.out, FeedDir, shards.FeedManifestName), man)
		if err != nil {
			return nil, err
		}
		out.Path = filepath.Join(FeedDir, shards.FeedManifestName)
		return &Marker{Outputs: []OutputFile{out}}, nil
	}
	_, err = runPhase("feed-manifest", []*Task{mt}, nil)
	return err
}

// spoolTasks plan a task per token part.
func (r *runner) spoolTasks(publish []*Marker, dt shards.DType) []*Task {
	var tasks []*Task
	appendEOT := r.cfg.Tokenizer.AppendEOT
	eot := r.tok.EOT()
	for _, m := range publish {
		var data, toks *OutputFile
		for i := range m.Outputs {
			o := &m.Outputs[i]
			switch filepath.Dir(filepath.Dir(o.Path)) {
			case DataDir:
				data = o
			case TokensDir:
				toks = o
			}
		}
		if data == nil || toks == nil {
			continue
		}
		src := filepath.Base(filepath.Dir(toks.Path))
		part := strings.TrimSuffix(filepath.Base(toks.Path), ".parquet")
		key := hashJSON(struct {
			Version   string
			Data      OutputFile
			Tokens    OutputFile
			DType     shards.DType
			AppendEOT bool
			EOT       uint32
			Split     int
		}{feedVersion, *data, *toks, dt, appendEOT, eot, r.cfg.Feed.SplitTokens})
		d, tk := *data, *toks
		t := &Task{Phase: "feed-spool", ID: src + "/" + part, Key: key, Size: tk.Bytes}
		t.Run = func(ctx context.Context) (*Marker, error) {
			return r.spoolPart(ctx, src, part, d, tk, dt, appendEOT, eot, r.cfg.Feed.SplitTokens)
		}
		tasks = append(tasks, t)
	}
	return tasks
}

func readSpoolMeta(path string) (*feedPart, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p feedPart
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p.base = strings.TrimSuffix(path, ".json")
	return &p, nil
}

// spoolPart writes one part's spool: tokens, index and a small JSON with
// its source, counts and language table.
func (r *runner) spoolPart(ctx context.Context, src, part string, data, toks OutputFile, dt shards.DType, appendEOT bool, eot uint32, split int) (*Marker, error) {
	rel := filepath.Join(spoolDir, src, part)
	tr, err := shards.OpenTokens(filepath.Join(r.out, toks.Path))
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	lr, err := shards.OpenLanguages(filepath.Join(r.out, data.Path))
	if err != nil {
		return nil, err
	}
	defer lr.Close()
	tokF, err := createAtomic(filepath.Join(r.out, rel+".tok"))
	if err != nil {
		return nil, err
	}
	defer tokF.Abort()
	idxF, err := createAtomic(filepath.Join(r.out, rel+".idx"))
	if err != nil {
		return nil, err
	}
	defer idxF.Abort()
	meta := &feedPart{Source: src, Langs: []string{}}
	langIdx := map[string]uint16{}
	maxID := uint32(1<<32 - 1)
	if dt == shards.Uint16 {
		maxID = 1<<16 - 1
	}
	var tbuf, ibuf []byte
	doc := []uint32{eot}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		id, _, ids, err := tr.Next()
		if err == io.EOF {
			if _, _, err := lr.Next(); err != io.EOF {
				return nil, fmt.Errorf("%s: more documents than its token shard %s", data.Path, toks.Path)
			}
			break
		}
		if err != nil {
			return nil, err
		}
		did, lang, err := lr.Next()
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: %w", data.Path, tr.Row()-1, err)
		}
		if did != id {
			return nil, fmt.Errorf("%s row %d: id %q, its token shard %s has %q: the two are out of step", data.Path, tr.Row()-1, did, toks.Path, id)
		}
		if appendEOT {
			if len(ids) == 0 || ids[len(ids)-1] != eot {
				return nil, fmt.Errorf("%s row %d (%s): token ids do not end with the end-of-text id %d", toks.Path, tr.Row()-1, id, eot)
			}
			ids = ids[:len(ids)-1]
		}
		for _, x := range ids {
			if x > maxID {
				return nil, fmt.Errorf("%s row %d (%s): token id %d does not fit %s", toks.Path, tr.Row()-1, id, x, dt)
			}
		}
		li, ok := langIdx[lang]
		if !ok {
			if len(meta.Langs) >= 1<<16 {
				return nil, fmt.Errorf("%s: more than 65536 languages", data.Path)
			}
			li = uint16(len(meta.Langs))
			langIdx[lang] = li
			meta.Langs = append(meta.Langs, lang)
		}
		doc = append(doc[:1], ids...)
		// A document longer than split_tokens becomes pieces of that size
		// (the first keeps the [eot]), each sampled and shuffled as a unit,
		// so a whole book does not make a source's share jump by a book.
		piece := len(doc)
		if split > 0 {
			piece = split
		}
		for k, start := 0, 0; start < len(doc); k, start = k+1, start+piece {
			part := doc[start:min(start+piece, len(doc))]
			if len(part) > 1<<32-1 {
				return nil, fmt.Errorf("%s row %d (%s): %d tokens in one document; set feed.split_tokens", toks.Path, tr.Row()-1, id, len(part))
			}
			h := fnv.New64a()
			h.Write([]byte(id))
			if k > 0 {
				fmt.Fprintf(h, "#%d", k)
			}
			tbuf = shards.PutTokens(tbuf[:0], dt, part)
			if _, err := tokF.Write(tbuf); err != nil {
				return nil, err
			}
			ibuf = shards.AppendSpoolRecord(ibuf[:0], shards.SpoolRecord{IDHash: h.Sum64(), Tokens: uint32(len(part)), Lang: li})
			if _, err := idxF.Write(ibuf); err != nil {
				return nil, err
			}
			meta.Docs++
			meta.Tokens += int64(len(part))
		}
	}
	m := &Marker{}
	for _, f := range []struct {
		a   *atomicFile
		ext string
	}{{tokF, ".tok"}, {idxF, ".idx"}} {
		out, err := f.a.Commit()
		if err != nil {
			return nil, err
		}
		out.Path = rel + f.ext
		m.Outputs = append(m.Outputs, out)
	}
	out, err := writeJSONAtomic(filepath.Join(r.out, rel+".json"), meta)
	if err != nil {
		return nil, err
	}
	out.Path = rel + ".json"
	m.Outputs = append(m.Outputs, out)
	return m, nil
}

var errShardDone = errors.New("shard complete")

// shardName is a shard file's path in the feed folder.
func (fp *feedPlan) shardName(format, split string, index int) []string {
	base := fmt.Sprintf("%s_%s_%06d", fp.cfg.Name, split, index)
	switch format {
	case shards.FormatParquet:
		return []string{filepath.Join(format, base+".parquet")}
	case shards.FormatLLMC:
		return []string{filepath.Join(format, base+".bin")}
	case shards.FormatMegatron:
		return []string{filepath.Join(format, base+".bin"), filepath.Join(format, base+".idx")}
	default:
		return []string{filepath.Join(format, base+".ds"), filepath.Join(format, base+".ds.index")}
	}
}

// writeShard packs one shard's sequences and writes them in every format.
func (r *runner) writeShard(ctx context.Context, fp *feedPlan, si int, sh feedShardPlan) (*Marker, error) {
	sp := fp.splits[si]
	type sink struct {
		format, rel string
		a           *atomicFile
	}
	var sinks []sink
	defer func() {
		for _, s := range sinks {
			s.a.Abort()
		}
	}()
	ss := shards.ShardSinks{ParquetOptions: shards.WriterOptions{RowGroupBytes: int64(r.cfg.Parquet.RowGroupMB) << 20, ZstdLevel: r.cfg.Parquet.ZstdLevel}}
	for _, format := range fp.cfg.Formats {
		for i, rel := range fp.shardName(format, sp.name, sh.index) {
			a, err := createAtomic(filepath.Join(r.out, FeedDir, rel))
			if err != nil {
				return nil, err
			}
			sinks = append(sinks, sink{format, rel, a})
			switch {
			case format == shards.FormatParquet:
				ss.Parquet = a
			case format == shards.FormatLLMC:
				ss.LLMC = a
			case format == shards.FormatMegatron && i == 0:
				ss.MegatronBin = a
			case format == shards.FormatMegatron:
				ss.MegatronIdx = a
			case i == 0:
				ss.Nanotron = a
			default:
				ss.NanotronIndex = a
			}
		}
	}
	sw, err := shards.NewShardWriter(ss, fp.dt, sh.count*int64(fp.size))
	if err != nil {
		return nil, err
	}
	// Start at the last window whose packing state lies at or before the
	// shard's first sequence.
	w0 := 0
	for w, win := range sp.windows {
		if win.seq < sh.first || (win.seq == sh.first && win.fill == 0) {
			w0 = w
		}
	}
	end := sh.first + sh.count
	emit := func(s *shards.Seq) error {
		if s.Index < sh.first {
			return nil
		}
		if s.Index >= end {
			return errShardDone
		}
		if err := sw.Write(s); err != nil {
			return err
		}
		if s.Index == end-1 {
			return errShardDone
		}
		return nil
	}
	win := sp.windows[w0]
	pk := shards.NewPacker(fp.size, fp.doc, fp.eot, win.seq, win.fill, emit)
	srcName := func(part int32) string { return fp.parts[part].Source }
pack:
	for w := w0; w < len(sp.windows); w++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		docs, err := fp.windowDocs(si, sp, w, true)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if err := pk.Add(d.ids, srcName(d.part)); err != nil {
				if errors.Is(err, errShardDone) {
					break pack
				}
				return nil, err
			}
		}
	}
	if err := sw.Close(); err != nil {
		return nil, fmt.Errorf("%s shard %d: %w", sp.name, sh.index, err)
	}
	m := &Marker{}
	for _, s := range sinks {
		out, err := s.a.Commit()
		if err != nil {
			return nil, err
		}
		out.Path = filepath.Join(FeedDir, s.rel)
		switch {
		case strings.HasSuffix(s.rel, ".idx") || strings.HasSuffix(s.rel, ".index"):
		case s.format == shards.FormatMegatron:
			out.Rows = sw.MegatronTokens()
		case s.format == shards.FormatParquet:
			out.Rows = sh.count
		default:
			out.Rows = sw.Tokens()
		}
		m.Outputs = append(m.Outputs, out)
	}
	sinks = nil
	return m, nil
}

// manifest builds feed/manifest.json from the plan and the shard markers.
func (fp *feedPlan) manifest(markers []*Marker) *shards.FeedManifest {
	man := &shards.FeedManifest{Name: fp.cfg.Name, SeqLen: fp.cfg.SeqLen, Pack: fp.cfg.Pack, Seed: fp.seed,
		EOT: fp.eot, VocabSize: fp.vocab, DType: fp.dt, Formats: fp.cfg.Formats, WorldSize: fp.cfg.WorldSize,
		Mixture: fp.mixtureTable()}
	k := 0
	for _, sp := range fp.splits {
		man.Splits = append(man.Splits, shards.FeedSplit{Name: sp.name, Documents: sp.docs, Sequences: sp.seqs,
			Tokens: sp.seqs * int64(fp.size), DroppedTokens: sp.dropped, PadTokens: sp.pads, Shards: len(sp.shards)})
		for _, sh := range sp.shards {
			fs := shards.FeedShard{Split: sp.name, Index: sh.index, Sequences: sh.count, Tokens: sh.count * int64(fp.size)}
			for _, o := range markers[k].Outputs {
				rel, _ := filepath.Rel(FeedDir, o.Path)
				format := filepath.Dir(rel)
				ff := shards.FeedFile{Format: format, Path: rel, Bytes: o.Bytes, SHA256: o.SHA256}
				switch {
				case format == shards.FormatParquet:
					ff.Tokens = fs.Tokens
				case o.Rows > 0:
					ff.Tokens = o.Rows
				}
				fs.Files = append(fs.Files, ff)
			}
			man.Shards = append(man.Shards, fs)
			k++
		}
	}
	return man
}
