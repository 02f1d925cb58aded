package shards

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// makeFeed writes a feed folder of llm.c shards holding random sequences.
func makeFeed(t *testing.T, shardSeqs []int64) (string, map[string]bool) {
	t.Helper()
	dir := t.TempDir()
	const seqLen = 15
	r := rand.New(rand.NewPCG(5, 6))
	man := &FeedManifest{Name: "t", SeqLen: seqLen, Pack: "tokens", Seed: 42, EOT: 1, VocabSize: 50000, DType: Uint16, Formats: []string{FormatLLMC}}
	all := map[string]bool{}
	for i, n := range shardSeqs {
		rel := filepath.Join("llmc", fmt.Sprintf("t_train_%06d.bin", i))
		os.MkdirAll(filepath.Join(dir, "llmc"), 0o755)
		f, err := os.Create(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		sw, err := NewShardWriter(ShardSinks{LLMC: f}, Uint16, n*(seqLen+1))
		if err != nil {
			t.Fatal(err)
		}
		for s := int64(0); s < n; s++ {
			seq := make([]uint32, seqLen+1)
			for j := range seq {
				seq[j] = uint32(r.IntN(50000))
			}
			all[fmt.Sprint(seq)] = true
			if err := sw.Write(&Seq{Index: s, Tokens: seq, Pieces: []Piece{{Len: seqLen + 1, Source: "x"}}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		man.Shards = append(man.Shards, FeedShard{Split: "train", Index: i, Sequences: n, Tokens: n * (seqLen + 1),
			Files: []FeedFile{{Format: FormatLLMC, Path: rel}}})
	}
	b, _ := json.Marshal(man)
	if err := os.WriteFile(filepath.Join(dir, FeedManifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, all
}

func epochOf(t *testing.T, f *Feed) []string {
	t.Helper()
	var out []string
	for range f.StepsPerEpoch() {
		b, err := f.Next()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range b {
			if len(row) != 16 {
				t.Fatalf("row of %d tokens", len(row))
			}
			out = append(out, fmt.Sprint(row))
		}
	}
	return out
}

func TestFeedRanksDisjointAndCover(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shards []int64
		world  int
	}{
		{"by shard", []int64{10, 10, 10, 10}, 2},
		{"by sequence when shards do not divide", []int64{10, 10, 7}, 2},
		{"more ranks than shards", []int64{9}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, all := makeFeed(t, tc.shards)
			seen := map[string]int{}
			for rank := range tc.world {
				f, err := OpenFeed(dir, rank, tc.world, WithBatchSize(3))
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range epochOf(t, f) {
					seen[s]++
				}
				f.Close()
			}
			if len(seen) != len(all) {
				t.Fatalf("ranks saw %d distinct sequences, the split has %d", len(seen), len(all))
			}
			for s, n := range seen {
				if !all[s] || n != 1 {
					t.Fatalf("sequence seen %d times (in split: %v)", n, all[s])
				}
			}
		})
	}
}

func TestFeedResumeAndReshuffle(t *testing.T) {
	dir, _ := makeFeed(t, []int64{20, 20})
	ref, err := OpenFeed(dir, 1, 2, WithBatchSize(4))
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	e0, e1 := epochOf(t, ref), epochOf(t, ref)
	if fmt.Sprint(e0) == fmt.Sprint(e1) {
		t.Fatal("epoch 1 repeats epoch 0's order")
	}
	if e, s := ref.Position(); e != 2 || s != 0 {
		t.Fatalf("position after two epochs (%d, %d)", e, s)
	}
	// Stop mid-epoch 1 at step 2, reopen, seek: the same remaining batches.
	f, err := OpenFeed(dir, 1, 2, WithBatchSize(4))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Seek(1, 2); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for range f.StepsPerEpoch() - 2 {
		b, err := f.Next()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range b {
			rest = append(rest, fmt.Sprint(row))
		}
	}
	if fmt.Sprint(rest) != fmt.Sprint(e1[2*4:]) {
		t.Fatal("resumed reader differs from the uninterrupted one")
	}
	if err := f.Seek(0, 99); err == nil {
		t.Fatal("a step past the epoch must be refused")
	}
}
