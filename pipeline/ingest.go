package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/sourcegraph/conc/stream"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/shards"
	"github.com/curate-dev/curate/sources"
	"github.com/curate-dev/curate/stages/langid"
)

// formatVersion is part of every task key: bump it when the bytes a task
// writes change for the same input, so old outputs are redone.
const formatVersion = "curate-ingest-1"

// DataDir is where curated documents go, one folder per source.
const DataDir = "data"

// RejectedDir holds dropped documents when keep_rejected is on.
const RejectedDir = "rejected"

// ingestSource is one source ready to run.
type ingestSource struct {
	cfg    *SourceConfig
	kind   sources.Kind
	units  []sources.Unit
	stages []doc.Stage
	// names is what each input path contributes to document ids.
	names map[string]string
}

// ingest holds what every ingest task of a run shares.
type ingest struct {
	cfg     *Config
	out     string
	workers int
	log     *slog.Logger
	// signer computes dedup keys of kept documents (nil without dedup).
	signer *dedupSigner
}

// plan expands inputs and splits them into units, one task each. Inputs
// skipped under on_error: skip are returned as error entries.
func (g *ingest) plan() ([]*ingestSource, []*Task, []ErrorEntry, error) {
	var srcs []*ingestSource
	var tasks []*Task
	var skippedInputs []ErrorEntry
	var tagger *langid.Tagger
	signer, err := newDedupSigner(g.cfg.Dedup)
	if err != nil {
		return nil, nil, nil, err
	}
	g.signer = signer
	if g.cfg.LangID != nil {
		var err error
		if tagger, err = langid.New(*g.cfg.LangID); err != nil {
			return nil, nil, nil, fmt.Errorf("langid: %w", err)
		}
	}
	for i := range g.cfg.Sources {
		sc := &g.cfg.Sources[i]
		inputs, skipped, err := g.cfg.ExpandInputs(i)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, e := range skipped {
			skippedInputs = append(skippedInputs, ErrorEntry{Source: sc.Name, Offset: -1, Error: e.Error(), Action: "input_skipped"})
		}
		inputs = g.dropOutputInputs(sc, inputs)
		kind, err := sc.Build()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("source %q: %w", sc.Name, err)
		}
		units, bad, err := planUnits(kind, inputs, sc.OnError == "skip")
		if err != nil {
			return nil, nil, nil, fmt.Errorf("source %q: %w", sc.Name, err)
		}
		for _, b := range bad {
			action := "input_skipped"
			if b.whole {
				action = "input_read_whole" // reported; its reading counts any damage
			}
			skippedInputs = append(skippedInputs, ErrorEntry{Source: sc.Name, Input: b.input, Offset: -1, Error: b.err.Error(), Action: action})
		}
		stages, err := g.cfg.stagesFor(sc, tagger)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("source %q: %w", sc.Name, err)
		}
		src := &ingestSource{cfg: sc, kind: kind, units: units, stages: stages, names: inputNames(units)}
		srcs = append(srcs, src)
		for ui, u := range units {
			key, err := g.taskKey(sc, u, src.names[u.Input.Path])
			if err != nil {
				return nil, nil, nil, err
			}
			stamp := inputStamp(u.Input)
			size := unitBytes(u)
			t := &Task{
				Phase:    "ingest",
				ID:       fmt.Sprintf("%s/part-%05d", sc.Name, ui),
				Key:      key,
				Stamp:    stamp,
				Size:     size,
				Consumed: new(atomic.Int64),
				Input:    u.Input.Path,
				Memory:   g.taskMemory(u),
			}
			t.Run = func(ctx context.Context) (*Marker, error) { return g.runUnit(ctx, src, ui, u, t.Consumed) }
			tasks = append(tasks, t)
		}
	}
	return srcs, tasks, skippedInputs, nil
}

// taskMemory estimates an ingest task's peak: the row group the part
// writer buffers, the batches in flight, and the input's decoder history
// (a zstd window can be 2 GiB; see sources.DecoderMemory).
func (g *ingest) taskMemory(u sources.Unit) int64 {
	rowGroup := int64(g.cfg.Parquet.RowGroupMB) << 20
	if rowGroup <= 0 {
		rowGroup = 64 << 20
	}
	inFlight := int64(max(g.workers, 1)+2) * batchBytes
	return rowGroup + inFlight + sources.DecoderMemory(u.Input.Path)
}

// taskKey hashes what a unit's output depends on. Inputs are identified
// here by their unit (path, size, byte range); their modification time goes
// in the task's Stamp, and content checksums in the manifest.
func (g *ingest) taskKey(sc *SourceConfig, u sources.Unit, idName string) (string, error) {
	shared := *sc
	shared.Weight, shared.Epochs, shared.MaxEpochs = 0, 0, 0 // mixture settings do not change ingest output
	b, err := json.Marshal(struct {
		Version      string
		Source       SourceConfig
		Stages       any
		KeepRejected bool
		Parquet      ParquetOptions
		Unit         sources.Unit
		IDName       string
		Dedup        *signSettings `json:",omitempty"`
	}{formatVersion, shared, g.cfg.stageConfig(sc), g.cfg.KeepRejected, g.cfg.Parquet, u, idName, g.cfg.Dedup.signSettings()})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// batch is a run of documents processed together; batches keep the
// per-document channel overhead off the hot path.
type batch struct {
	docs    []*doc.Document
	reasons []string
	counts  doc.Counts
	sigs    []docSig // dedup keys of kept documents, when dedup is on
}

const (
	batchDocs  = 256
	batchBytes = 4 << 20
)

// runUnit reads one unit through normalisation and the source's stages and
// writes the kept documents, in input order, to one Parquet part.
func (g *ingest) runUnit(ctx context.Context, src *ingestSource, ui int, u sources.Unit, consumed *atomic.Int64) (*Marker, error) {
	sc := src.cfg
	part := fmt.Sprintf("part-%05d.parquet", ui)
	dataRel := filepath.Join(IngestDir, sc.Name, part)
	st := &SourceStats{Inputs: 1, InputBytes: unitBytes(u)}
	if u.Part > 0 {
		st.Inputs = 0 // counted once, by the unit that starts the input
	}
	m := &Marker{Stats: map[string]*SourceStats{sc.Name: st}}

	data, err := g.newPart(dataRel, false)
	if err != nil {
		return nil, err
	}
	defer data.abort()
	if g.signer != nil {
		if data.sig, err = newSigPart(g.out, dataRel, g.signer.sections); err != nil {
			return nil, err
		}
	}
	var rejected *partWriter
	if g.cfg.KeepRejected {
		if rejected, err = g.newPart(filepath.Join(RejectedDir, sc.Name, part), true); err != nil {
			return nil, err
		}
		defer rejected.abort()
	}

	var inputErr error
	action := "input_cut_short"
	u.Memory = memoryGrant(ctx)
	r, err := src.kind.Open(u)
	if err != nil {
		inputErr, action = err, "input_skipped"
	} else {
		inputErr = g.pump(ctx, src, u, r, st, m, data, rejected, consumed)
		r.Close()
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if inputErr == nil && st.DocsRead == 0 && st.RecordErrors == 0 && len(st.Counters) == 0 && u.Part == 0 {
		// Zero-length files, empty .gz/.zst/tar: not an error, but never
		// silent either (a reader that skipped records counts them).
		st.Counters = map[string]int64{"input_empty": 1}
		g.log.Warn("input holds no records", "source", sc.Name, "input", u.Input.Path)
	}
	if inputErr != nil {
		var fatal *fatalError
		if errors.As(inputErr, &fatal) || sc.OnError == "fail" {
			return nil, inputErr
		}
		st.InputErrors++
		m.addError(ErrorEntry{Source: sc.Name, Input: u.Input.Path, Offset: errorOffset(inputErr), Error: inputErr.Error(), Action: action})
		g.log.Warn("input unreadable; documents read before the error are kept", "source", sc.Name, "error", inputErr)
	}

	out, err := data.commit()
	if err != nil {
		return nil, err
	}
	m.Outputs = append(m.Outputs, out)
	if data.sig != nil {
		outs, err := data.sig.commit()
		if err != nil {
			return nil, err
		}
		m.Outputs = append(m.Outputs, outs...)
	}
	if rejected != nil {
		out, err := rejected.commit()
		if err != nil {
			return nil, err
		}
		m.Outputs = append(m.Outputs, out)
	}
	if u.Part == 0 && !sources.IsURL(u.Input.Path) {
		sum, size, err := fileSHA256(u.Input.Path)
		if err == nil {
			m.Inputs = append(m.Inputs, InputFile{Source: sc.Name, Path: u.Input.Path, Size: size, SHA256: sum})
		}
	}
	return m, nil
}

// fatalError is a failure of curate's own output, never skippable.
type fatalError struct{ err error }

func (f *fatalError) Error() string { return f.err.Error() }
func (f *fatalError) Unwrap() error { return f.err }

// pump moves documents from the reader through the stages to the writers.
// Batches are processed concurrently and written in the order read, so the
// part's bytes do not depend on scheduling.
func (g *ingest) pump(ctx context.Context, src *ingestSource, u sources.Unit, r doc.Reader,
	st *SourceStats, m *Marker, data, rejected *partWriter, consumed *atomic.Int64) error {
	sc := src.cfg
	workers := g.workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	s := stream.New().WithMaxGoroutines(workers)
	// Callbacks run on the stream's goroutines while this loop reads, so
	// the first write error is shared through firstError, not a plain var.
	var writeErr firstError
	prefix := sc.Name + "/" + src.names[u.Input.Path] + "/"
	ids := newIDSet()
	submit := func(b *batch) {
		s.Go(func() stream.Callback {
			g.process(src, b)
			return func() {
				if writeErr.get() != nil {
					return
				}
				writeErr.set(g.write(b, st, data, rejected))
			}
		})
	}
	// Readers over a sources.Stream say how far into the raw input they are.
	offset, _ := r.(interface{ InputOffset() int64 })
	cur := &batch{}
	var curBytes int
	var readErr error
	for {
		if offset != nil {
			consumed.Store(offset.InputOffset())
		}
		if ctx.Err() != nil || writeErr.get() != nil {
			break
		}
		d, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var rec *doc.RecordError
			if errors.As(err, &rec) && sc.OnError == "skip" {
				st.RecordErrors++
				m.addError(ErrorEntry{Source: sc.Name, Input: u.Input.Path, Record: rec.Record, Offset: rec.Offset, Error: err.Error(), Action: "skipped_record"})
				continue
			}
			readErr = err
			break
		}
		d.Source = sc.Name
		var renamed bool
		if d.ID, renamed = ids.unique(prefix + d.ID); renamed {
			if st.Counters == nil {
				st.Counters = map[string]int64{}
			}
			st.Counters["ingest.duplicate_ids"]++
		}
		st.DocsRead++
		st.TextBytesRead += int64(len(d.Text))
		cur.docs = append(cur.docs, d)
		curBytes += len(d.Text)
		if len(cur.docs) >= batchDocs || curBytes >= batchBytes {
			submit(cur)
			cur, curBytes = &batch{}, 0
		}
	}
	if len(cur.docs) > 0 && (readErr == nil || sc.OnError == "skip") {
		submit(cur)
	}
	s.Wait()
	// Sources that count what they skip inside a record stream (WARC
	// record types, files ruled out) report it here.
	// Counts() keys already carry the kind ("wikipedia.redirect").
	var counts doc.Counts
	switch sr := r.(type) {
	case interface{ Stats() doc.Counts }:
		counts = doc.Counts{}
		for k, v := range sr.Stats() {
			counts[sc.Kind()+"."+k] += v
		}
	case interface{ Counts() doc.Counts }:
		counts = sr.Counts()
	}
	for k, v := range counts {
		if st.Counters == nil {
			st.Counters = map[string]int64{}
		}
		st.Counters[k] += v
	}
	if err := writeErr.get(); err != nil {
		return &fatalError{err}
	}
	return readErr
}

// process runs normalisation and stages over a batch; it touches only the
// batch, so batches run in parallel.
func (g *ingest) process(src *ingestSource, b *batch) {
	b.counts = doc.Counts{}
	b.reasons = make([]string, len(b.docs))
	minChars := src.cfg.MinChars
	for i, d := range b.docs {
		normalize(d, b.counts)
		if strings.TrimSpace(d.Text) == "" {
			b.reasons[i] = "empty"
			continue
		}
		if minChars > 0 && utf8.RuneCountInString(d.Text) < minChars {
			b.reasons[i] = "min_chars"
			continue
		}
		if d.Language == "" {
			d.Language = "und"
		}
		for _, stage := range src.stages {
			if rule := stage.Apply(d, b.counts); rule != "" {
				b.reasons[i] = rule
				break
			}
		}
		// Whatever the stages shared stays with them: the batch waits for
		// its turn to be written and must not hold word splits meanwhile.
		d.Scratch = nil
		if g.signer != nil && b.reasons[i] == "" {
			if b.sigs == nil {
				b.sigs = make([]docSig, len(b.docs))
			}
			b.sigs[i] = g.signer.sign(d)
		}
	}
}

// write sends a processed batch to the part files and counts it.
func (g *ingest) write(b *batch, st *SourceStats, data, rejected *partWriter) error {
	for k, v := range b.counts {
		if st.Counters == nil {
			st.Counters = map[string]int64{}
		}
		st.Counters[k] += v
	}
	for i, d := range b.docs {
		chars := int64(len(d.Text))
		if reason := b.reasons[i]; reason != "" {
			st.drop(reason, chars)
			if rejected != nil {
				if err := rejected.w.Write(d, reason); err != nil {
					return err
				}
			}
			continue
		}
		if err := data.w.Write(d, ""); err != nil {
			return err
		}
		if data.sig != nil {
			if err := data.sig.add(b.sigs[i]); err != nil {
				return err
			}
		}
		st.DocsWritten++
		st.TextBytesWritten += chars
		st.lang(d.Language, chars)
		st.LengthHist[lengthBucket(chars)]++
		st.ScoreHist[scoreBucket(d.LanguageScore)]++
	}
	return nil
}

func (m *Marker) addError(e ErrorEntry) {
	if len(m.Errors) < maxErrorsPerTask {
		m.Errors = append(m.Errors, e)
		return
	}
	m.ErrorsNotListed++
}

// partWriter is a Parquet file being written under a temporary name.
type partWriter struct {
	rel string
	f   *atomicFile
	w   *shards.DocWriter
	sig *sigPart // the part's dedup keys, when dedup is on
}

func (g *ingest) newPart(rel string, withReason bool) (*partWriter, error) {
	f, err := createAtomic(filepath.Join(g.out, rel))
	if err != nil {
		return nil, &fatalError{err}
	}
	w, err := shards.NewDocWriter(f, shards.WriterOptions{
		RowGroupBytes: int64(g.cfg.Parquet.RowGroupMB) << 20,
		ZstdLevel:     g.cfg.Parquet.ZstdLevel,
		WithReason:    withReason,
	})
	if err != nil {
		f.Abort()
		return nil, &fatalError{err}
	}
	return &partWriter{rel: rel, f: f, w: w}, nil
}

func (p *partWriter) commit() (OutputFile, error) {
	if err := p.w.Close(); err != nil {
		p.f.Abort()
		return OutputFile{}, &fatalError{fmt.Errorf("%s: %w", p.rel, err)}
	}
	out, err := p.f.Commit()
	if err != nil {
		return OutputFile{}, &fatalError{fmt.Errorf("%s: %w", p.rel, err)}
	}
	out.Path = p.rel
	out.Rows = p.w.Rows()
	return out, nil
}

func (p *partWriter) abort() {
	p.f.Abort()
	if p.sig != nil {
		p.sig.abort()
	}
}
