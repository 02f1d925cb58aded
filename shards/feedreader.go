package shards

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Feed reads one data-parallel rank's batches out of a feed folder.
//
// The rank/world convention: when the split's shard count is a multiple of
// world (the feed's world_size makes it so), rank r reads shards r,
// r+world, r+2·world, ... of the split in index order — what
// sorted(glob)[rank::world] gives a Python loader. Otherwise rank r takes
// sequences r, r+world, ... of the whole split. Either way ranks are
// disjoint and together cover the split. Each epoch the rank's sequences
// are visited in a seeded permutation (manifest seed, epoch, rank), B per
// batch; the last batch of an epoch may be short.
type Feed struct {
	man    *FeedManifest
	rank   int
	world  int
	batch  int
	files  []feedFile
	bySeq  bool  // interleaved by sequence instead of by shard
	total  int64 // sequences of the split (for bySeq)
	n      int64 // this rank's sequences
	epoch  int
	step   int
	perm   []uint32
	permOf int // epoch the permutation is for (-1: none)
	size   int // tokens per sequence
	buf    []byte
	rows   [][]uint32
	flat   []uint32
}

type feedFile struct {
	f      *os.File
	offset int64 // bytes before the first token
	seqs   int64
	first  int64 // index of its first sequence in the rank's (or split's) list
}

// FeedOption tunes OpenFeed.
type FeedOption func(*Feed, *string)

// WithBatchSize sets B, the sequences per batch (default 8).
func WithBatchSize(b int) FeedOption { return func(f *Feed, _ *string) { f.batch = b } }

// WithSplit reads "val" instead of "train".
func WithSplit(split string) FeedOption { return func(_ *Feed, s *string) { *s = split } }

// OpenFeed opens rank's share of a feed folder (or of the run output that
// holds one). It reads the llm.c or nanotron shards, whichever the feed has.
func OpenFeed(dir string, rank, world int, opts ...FeedOption) (*Feed, error) {
	if world <= 0 || rank < 0 || rank >= world {
		return nil, fmt.Errorf("feed: rank %d of world %d: want 0 <= rank < world", rank, world)
	}
	man, dir, err := ReadFeedManifest(dir)
	if err != nil {
		return nil, err
	}
	f := &Feed{man: man, rank: rank, world: world, batch: 8, permOf: -1, size: man.SeqLen + 1}
	split := "train"
	for _, o := range opts {
		o(f, &split)
	}
	if f.batch <= 0 {
		return nil, errors.New("feed: batch size must be positive")
	}
	shardList := man.SplitShards(split)
	if len(shardList) == 0 {
		return nil, fmt.Errorf("feed %s: no %s shards", dir, split)
	}
	f.bySeq = len(shardList)%world != 0
	var firstSeq int64
	for i, sh := range shardList {
		if !f.bySeq && i%world != rank {
			continue
		}
		file := sh.File(FormatLLMC)
		offset := int64(LLMCHeaderBytes)
		if file == nil {
			file, offset = sh.File(FormatNanotron), 0
		}
		if file == nil {
			f.Close()
			return nil, fmt.Errorf("feed %s: shard %d has neither llmc nor nanotron files; the reader needs one", dir, sh.Index)
		}
		fh, err := os.Open(filepath.Join(dir, file.Path))
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("feed: %w", err)
		}
		if st, err := fh.Stat(); err != nil || st.Size() != offset+sh.Tokens*int64(man.DType.Size()) {
			fh.Close()
			f.Close()
			return nil, fmt.Errorf("feed: %s: size does not match its %d tokens (run curate feed verify)", file.Path, sh.Tokens)
		}
		f.files = append(f.files, feedFile{f: fh, offset: offset, seqs: sh.Sequences, first: firstSeq})
		firstSeq += sh.Sequences
	}
	if f.bySeq {
		f.total = firstSeq
		if int64(rank) < f.total {
			f.n = (f.total - int64(rank) + int64(world) - 1) / int64(world)
		}
	} else {
		f.n = firstSeq
	}
	if f.n == 0 {
		f.Close()
		return nil, fmt.Errorf("feed %s: rank %d of %d gets no sequences (%d in %s)", dir, rank, world, firstSeq, split)
	}
	if f.n >= 1<<32 {
		f.Close()
		return nil, fmt.Errorf("feed: %d sequences on one rank; use more ranks", f.n)
	}
	f.flat = make([]uint32, f.batch*f.size)
	f.rows = make([][]uint32, f.batch)
	f.buf = make([]byte, f.size*man.DType.Size())
	return f, nil
}

// Sequences is how many sequences this rank has per epoch.
func (f *Feed) Sequences() int64 { return f.n }

// StepsPerEpoch is the batches per epoch (the last may be short).
func (f *Feed) StepsPerEpoch() int { return int((f.n + int64(f.batch) - 1) / int64(f.batch)) }

// Position is the (epoch, step) of the batch Next returns next.
func (f *Feed) Position() (epoch, step int) { return f.epoch, f.step }

// Seek makes Next continue from (epoch, step), as a resumed trainer does.
func (f *Feed) Seek(epoch, step int) error {
	if epoch < 0 || step < 0 || step >= f.StepsPerEpoch() {
		return fmt.Errorf("feed: position (%d, %d) out of range: %d steps per epoch", epoch, step, f.StepsPerEpoch())
	}
	f.epoch, f.step = epoch, step
	return nil
}

// permutation is the epoch's seeded order of the rank's sequences.
func (f *Feed) permutation() []uint32 {
	if f.permOf == f.epoch {
		return f.perm
	}
	if f.perm == nil {
		f.perm = make([]uint32, f.n)
	}
	for i := range f.perm {
		f.perm[i] = uint32(i)
	}
	seed := Splitmix64(f.man.Seed ^ 0x66656564) // "feed"
	seed = Splitmix64(seed ^ uint64(f.epoch))
	seed = Splitmix64(seed ^ uint64(f.rank)<<32 ^ uint64(f.world))
	NewRand(seed).Shuffle(len(f.perm), func(i, j int) { f.perm[i], f.perm[j] = f.perm[j], f.perm[i] })
	f.permOf = f.epoch
	return f.perm
}

// Next returns the batch at Position and advances; it rolls into the next
// epoch (a new permutation) after the last step. The rows are valid until
// the following call.
func (f *Feed) Next() ([][]uint32, error) {
	perm := f.permutation()
	start := int64(f.step) * int64(f.batch)
	end := min(start+int64(f.batch), f.n)
	rows := f.rows[:end-start]
	for i := range rows {
		row := f.flat[i*f.size : (i+1)*f.size]
		if err := f.readSeq(int64(perm[start+int64(i)]), row); err != nil {
			return nil, err
		}
		rows[i] = row
	}
	f.step++
	if f.step == f.StepsPerEpoch() {
		f.epoch, f.step = f.epoch+1, 0
	}
	return rows, nil
}

func (f *Feed) readSeq(local int64, dst []uint32) error {
	if f.bySeq {
		local = local*int64(f.world) + int64(f.rank)
	}
	// Files are few (a rank's shards): a linear scan is enough.
	for _, ff := range f.files {
		if local < ff.first+ff.seqs {
			off := ff.offset + (local-ff.first)*int64(len(f.buf))
			if _, err := ff.f.ReadAt(f.buf, off); err != nil {
				return fmt.Errorf("feed: %s at byte %d: %w", ff.f.Name(), off, err)
			}
			GetTokens(dst[:0], f.man.DType, f.buf)
			return nil
		}
	}
	return fmt.Errorf("feed: sequence %d beyond the rank's %d", local, f.n)
}

// Close releases the shard files.
func (f *Feed) Close() error {
	var errs []error
	for _, ff := range f.files {
		errs = append(errs, ff.f.Close())
	}
	f.files = nil
	return errors.Join(errs...)
}

// FirstSequences returns up to n sequences of a split in file order (the
// first shard first), from whichever format the feed has: what `curate
// feed inspect` shows.
func FirstSequences(dir, split string, n int) ([][]uint32, error) {
	man, dir, err := ReadFeedManifest(dir)
	if err != nil {
		return nil, err
	}
	var out [][]uint32
	for _, sh := range man.SplitShards(split) {
		if len(out) >= n {
			break
		}
		if pf := sh.File(FormatParquet); pf != nil && sh.File(FormatLLMC) == nil && sh.File(FormatNanotron) == nil {
			r, err := openColumns(filepath.Join(dir, pf.Path), ColInputIDs)
			if err != nil {
				return nil, err
			}
			for len(out) < n {
				rec, i, err := r.next()
				if err != nil {
					break
				}
				l := rec.Column(r.cols[0]).(*array.List)
				s, e := l.ValueOffsets(i)
				out = append(out, append([]uint32(nil), l.ListValues().(*array.Uint32).Uint32Values()[s:e]...))
			}
			r.Close()
			continue
		}
		f, err := OpenFeed(dir, 0, 1, WithSplit(split))
		if err != nil {
			return nil, err
		}
		row := make([]uint32, f.size)
		for i := int64(0); i < f.n && len(out) < n; i++ {
			if err := f.readSeq(i, row); err != nil {
				f.Close()
				return nil, err
			}
			out = append(out, append([]uint32(nil), row...))
		}
		f.Close()
		break
	}
	return out, nil
}
