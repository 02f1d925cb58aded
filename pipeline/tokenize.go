package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"

	"github.com/sourcegraph/conc/stream"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/shards"
	"github.com/curate-dev/curate/stages/bpe"
)

// Output folders of the later phases.
const (
	// IngestDir holds the ingest phase's parts; publish turns them into data/.
	IngestDir = "ingest"
	// TokenizerDir holds the trained (or loaded) tokenizer and its exports.
	TokenizerDir = "tokenizer"
	// TokensDir holds token shards: input_ids per document.
	TokensDir = "tokens"
)

// TokenizerConfig adds the tokenizer phase (train a byte-level BPE on the
// curated text, or load one) and makes the publish phase count tokens,
// fill token_count and write token shards.
type TokenizerConfig struct {
	// Train learns a vocabulary on a mixture-weighted sample of the curated
	// text (sources weighted by their weight). Its sample_bytes is the total
	// budget, split across sources by weight.
	Train *bpe.Options `yaml:"train"`
	// Load uses an existing tokenizer instead of training: a directory from
	// `curate bpe train`, a tokenizer.json, a .tiktoken file with its .json
	// sidecar, or an npm tiktoken encoding (cl100k_base.json).
	Load string `yaml:"load"`
	// Export lists the formats written to tokenizer/ besides
	// tokenizer.tiktoken and tokenizer.json: hf, tiktoken, gpt2, llmc.
	Export []string `yaml:"export"`
	// TokenShards writes tokens/<source>/part-NNNNN.parquet.
	TokenShards bool `yaml:"token_shards"`
	// AppendEOT ends every document's ids with the end-of-text id, inserted
	// by id (never parsed from text), as llm.c and GPT-2 training do.
	AppendEOT bool `yaml:"append_eot"`
}

// UnmarshalYAML sets defaults; old-style to keep strictness.
func (t *TokenizerConfig) UnmarshalYAML(unmarshal func(any) error) error {
	*t = TokenizerConfig{Export: []string{"gpt2"}, TokenShards: true, AppendEOT: true}
	type plain TokenizerConfig
	return unmarshal((*plain)(t))
}

func (t *TokenizerConfig) validate() error {
	if (t.Train == nil) == (t.Load == "") {
		return errors.New("set exactly one of train and load")
	}
	if t.Train != nil {
		if err := t.Train.Validate(); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	}
	for _, f := range t.Export {
		switch f {
		case "hf", "tiktoken", "gpt2", "llmc":
		default:
			return fmt.Errorf("export: unknown format %q (want hf, tiktoken, gpt2 or llmc)", f)
		}
	}
	return nil
}

// outputRelevant drops settings that cannot change the output (the
// trainer's thread count) so they do not invalidate finished work.
func (t *TokenizerConfig) outputRelevant() *TokenizerConfig {
	if t == nil || t.Train == nil {
		return t
	}
	c := *t
	train := *t.Train
	train.Threads = 0
	c.Train = &train
	return &c
}

func hashJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are hashed
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// tokenizerTask plans the tokenizer phase: one task that depends on every
// ingest output and the mixture weights.
func (r *runner) tokenizerTask(ingest []*Marker) *Task {
	tc := r.cfg.Tokenizer
	var parts []OutputFile
	for _, m := range ingest {
		parts = append(parts, m.Outputs...)
	}
	weights := map[string]float64{}
	for _, s := range r.cfg.Sources {
		weights[s.Name] = s.Weight
	}
	key := hashJSON(struct {
		Version string
		Config  *TokenizerConfig
		Parts   []OutputFile
		Weights map[string]float64
	}{"curate-tokenizer-1", tc.outputRelevant(), parts, weights})
	return &Task{Phase: "tokenizer", ID: "tokenizer", Key: key,
		Run: func(ctx context.Context) (*Marker, error) { return r.runTokenizer(ctx, ingest) }}
}

func (r *runner) runTokenizer(ctx context.Context, ingest []*Marker) (*Marker, error) {
	tc := r.cfg.Tokenizer
	dir := filepath.Join(r.out, TokenizerDir)
	// A half-written folder from a killed run must not mix with this one.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	var tok *bpe.Tokenizer
	var err error
	m := &Marker{}
	if tc.Load != "" {
		if tok, err = bpe.LoadPath(tc.Load); err != nil {
			return nil, fmt.Errorf("tokenizer load %s: %w", tc.Load, err)
		}
	} else {
		if tok, err = r.train(ctx, ingest); err != nil {
			return nil, err
		}
	}
	if err := tok.Save(dir); err != nil {
		return nil, fmt.Errorf("tokenizer save: %w", err)
	}
	for _, f := range tc.Export {
		if err := tok.Export(f, dir); err != nil {
			return nil, fmt.Errorf("tokenizer export %s: %w", f, err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		rel := filepath.Join(TokenizerDir, e.Name())
		sum, size, err := fileSHA256(filepath.Join(r.out, rel))
		if err != nil {
			return nil, err
		}
		m.Outputs = append(m.Outputs, OutputFile{Path: rel, Bytes: size, SHA256: sum})
	}
	return m, nil
}

// train feeds the trainer a mixture-weighted sample: each source gets
// sample_bytes × weight / Σweight bytes, taken uniformly across the source by
// a hash of each document's id (so the sample is the same whatever the task
// or worker count), and the trainer sees sources in config order.
func (r *runner) train(ctx context.Context, ingest []*Marker) (*bpe.Tokenizer, error) {
	opts := *r.cfg.Tokenizer.Train
	budget := opts.SampleBytes
	opts.SampleBytes = 0 // the budget is enforced here, per source
	tr, err := bpe.NewTrainer(opts)
	if err != nil {
		return nil, err
	}
	var weightSum float64
	for _, s := range r.cfg.Sources {
		weightSum += s.Weight
	}
	bySource := map[string][]string{}
	written := map[string]int64{}
	for _, m := range ingest {
		for _, o := range m.Outputs {
			if filepath.Dir(filepath.Dir(o.Path)) == r.partsDir() {
				src := filepath.Base(filepath.Dir(o.Path))
				bySource[src] = append(bySource[src], o.Path)
			}
		}
		for name, s := range m.Stats {
			written[name] += s.TextBytesWritten
		}
	}
	for _, s := range r.cfg.Sources {
		frac := 1.0
		if budget > 0 && written[s.Name] > 0 {
			frac = math.Min(1, float64(budget)*s.Weight/weightSum/float64(written[s.Name]))
		}
		threshold := uint64(frac * math.MaxUint64)
		if frac >= 1 {
			threshold = math.MaxUint64
		}
		for _, rel := range bySource[s.Name] {
			if err := eachDoc(filepath.Join(r.out, rel), func(d *doc.Document) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				h := fnv.New64a()
				h.Write([]byte(d.ID))
				if h.Sum64() <= threshold {
					tr.Add(d.Text)
				}
				return nil
			}); err != nil {
				return nil, err
			}
		}
	}
	tok, err := tr.Finish(ctx)
	if err != nil {
		return nil, fmt.Errorf("tokenizer training: %w", err)
	}
	st := tr.Stats()
	r.log.Info("tokenizer trained", "texts", st.Texts, "bytes", st.Bytes, "vocab", tok.NVocab())
	return tok, nil
}

// eachDoc streams a Parquet part's documents to fn.
func eachDoc(path string, fn func(*doc.Document) error) error {
	rd, err := shards.OpenDocs(path)
	if err != nil {
		return err
	}
	defer rd.Close()
	return drain(rd.Next, fn)
}

// drain calls fn with every item next yields, until io.EOF.
func drain[T any](next func() (T, error), fn func(T) error) error {
	for {
		v, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
}

// publishTasks plan the publish phase: one task per ingest part, turning
// ingest/<source>/part-N into data/<source>/part-N (and tokens/ when a
// tokenizer is configured).
func (r *runner) publishTasks(ingest []*Marker, tokMarker *Marker) []*Task {
	var tasks []*Task
	for _, m := range ingest {
		for _, o := range m.Outputs {
			if filepath.Dir(filepath.Dir(o.Path)) != r.partsDir() {
				continue
			}
			src := filepath.Base(filepath.Dir(o.Path))
			part := filepath.Base(o.Path)
			var tokOuts []OutputFile
			if tokMarker != nil {
				tokOuts = tokMarker.Outputs
			}
			key := hashJSON(struct {
				Version   string
				Part      OutputFile
				Tokenizer []OutputFile
				Config    *TokenizerConfig
				Parquet   ParquetOptions
			}{"curate-publish-1", o, tokOuts, r.cfg.Tokenizer.outputRelevant(), r.cfg.Parquet})
			t := &Task{Phase: "publish", ID: src + "/" + part[:len(part)-len(".parquet")], Key: key, Size: o.Bytes}
			t.Run = func(ctx context.Context) (*Marker, error) { return r.publish(ctx, src, o) }
			tasks = append(tasks, t)
		}
	}
	return tasks
}

func (r *runner) publish(ctx context.Context, src string, in OutputFile) (*Marker, error) {
	part := filepath.Base(in.Path)
	dataRel := filepath.Join(DataDir, src, part)
	m := &Marker{}
	if r.tok == nil {
		// Nothing changes between ingest and data: share the bytes.
		out, err := linkOrCopy(filepath.Join(r.out, in.Path), filepath.Join(r.out, dataRel))
		if err != nil {
			return nil, err
		}
		out.Path, out.Rows = dataRel, in.Rows
		m.Outputs = append(m.Outputs, out)
		return m, nil
	}
	g := &ingest{cfg: r.cfg, out: r.out}
	data, err := g.newPart(dataRel, false)
	if err != nil {
		return nil, err
	}
	defer data.abort()
	var tokF *atomicFile
	var tokW *shards.TokenWriter
	tokRel := filepath.Join(TokensDir, src, part)
	if r.cfg.Tokenizer.TokenShards {
		if tokF, err = createAtomic(filepath.Join(r.out, tokRel)); err != nil {
			return nil, err
		}
		defer tokF.Abort()
		if tokW, err = shards.NewTokenWriter(tokF, shards.WriterOptions{RowGroupBytes: int64(r.cfg.Parquet.RowGroupMB) << 20, ZstdLevel: r.cfg.Parquet.ZstdLevel}); err != nil {
			return nil, err
		}
	}
	st := &SourceStats{}
	m.Stats = map[string]*SourceStats{src: st}
	eot, appendEOT := r.tok.EOT(), r.cfg.Tokenizer.AppendEOT && r.tok.HasEOT()

	type tbatch struct {
		docs []*doc.Document
		ids  [][]uint32
	}
	workers := r.workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	s := stream.New().WithMaxGoroutines(workers)
	var writeErr firstError // set by stream callbacks, read by the loop below
	submit := func(b *tbatch) {
		s.Go(func() stream.Callback {
			b.ids = make([][]uint32, len(b.docs))
			for i, d := range b.docs {
				ids := r.tok.Encode(d.Text, nil)
				d.TokenCount = int64(len(ids))
				if appendEOT {
					ids = append(ids, eot)
				}
				b.ids[i] = ids
			}
			return func() {
				for i, d := range b.docs {
					if writeErr.get() != nil {
						return
					}
					if err := data.w.Write(d, ""); err != nil {
						writeErr.set(err)
						return
					}
					if tokW != nil {
						writeErr.set(tokW.Write(d.ID, d.Source, b.ids[i]))
					}
					st.Tokens += d.TokenCount
					st.langTokens(d.Language, d.TokenCount)
				}
			}
		})
	}
	cur := &tbatch{}
	var curBytes int
	err = eachDoc(filepath.Join(r.out, in.Path), func(d *doc.Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeErr.get(); err != nil {
			return err
		}
		cur.docs = append(cur.docs, d)
		curBytes += len(d.Text)
		if len(cur.docs) >= batchDocs || curBytes >= batchBytes {
			submit(cur)
			cur, curBytes = &tbatch{}, 0
		}
		return nil
	})
	if err == nil && len(cur.docs) > 0 {
		submit(cur)
	}
	s.Wait()
	if err == nil {
		err = writeErr.get()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.Path, err)
	}
	out, err := data.commit()
	if err != nil {
		return nil, err
	}
	m.Outputs = append(m.Outputs, out)
	if tokW != nil {
		if err := tokW.Close(); err != nil {
			return nil, err
		}
		out, err := tokF.Commit()
		if err != nil {
			return nil, err
		}
		out.Path, out.Rows = tokRel, tokW.Rows()
		m.Outputs = append(m.Outputs, out)
	}
	return m, nil
}

// linkOrCopy makes dst hold src's bytes: a hard link where the file system
// allows, a copy otherwise. Either way dst appears whole or not at all.
func linkOrCopy(src, dst string) (OutputFile, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return OutputFile{}, err
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-link")
	os.Remove(tmp)
	if err := os.Link(src, tmp); err == nil {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return OutputFile{}, err
		}
		sum, size, err := fileSHA256(dst)
		return OutputFile{Bytes: size, SHA256: sum}, err
	}
	in, err := os.Open(src)
	if err != nil {
		return OutputFile{}, err
	}
	defer in.Close()
	a, err := createAtomic(dst)
	if err != nil {
		return OutputFile{}, err
	}
	if _, err := io.Copy(a, in); err != nil {
		a.Abort()
		return OutputFile{}, err
	}
	return a.Commit()
}
