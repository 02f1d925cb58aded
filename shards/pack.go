package shards

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Piece is a run of one document's tokens inside a packed sequence.
type Piece struct {
	Len    int
	Source string
	// Cont marks a piece that continues a document cut at the end of the
	// previous sequence.
	Cont bool
	// Pad marks filler (end-of-text ids) that closes a sequence under
	// pack: document.
	Pad bool
}

// Seq is one packed sequence of seq_len + 1 tokens.
type Seq struct {
	Index  int64 // in its split, from 0
	Tokens []uint32
	Pieces []Piece
}

// Packer cuts a stream of documents into sequences of a fixed size. By
// default documents flow across sequence boundaries (no padding, as
// nanoGPT and llm.c train); with document packing a document that does not
// fit the rest of a sequence starts the next one, and the gap is filled
// with the pad id. A document longer than a sequence spans several either
// way.
type Packer struct {
	size     int
	document bool
	pad      uint32
	seq      int64
	cur      []uint32
	pieces   []Piece
	emit     func(*Seq) error
}

// NewPacker starts packing at sequence seq with fill tokens already in it
// (their values are placeholders: a caller resuming mid-sequence discards
// that sequence).
func NewPacker(size int, document bool, pad uint32, seq int64, fill int, emit func(*Seq) error) *Packer {
	p := &Packer{size: size, document: document, pad: pad, seq: seq, emit: emit, cur: make([]uint32, fill, size)}
	if fill > 0 {
		p.pieces = append(p.pieces, Piece{Len: fill, Pad: true})
	}
	return p
}

// Add packs one document.
func (p *Packer) Add(doc []uint32, source string) error {
	if p.document && len(p.cur) > 0 && len(p.cur)+len(doc) > p.size {
		if err := p.padOut(); err != nil {
			return err
		}
	}
	cont := false
	for len(doc) > 0 {
		n := min(p.size-len(p.cur), len(doc))
		p.cur = append(p.cur, doc[:n]...)
		p.pieces = append(p.pieces, Piece{Len: n, Source: source, Cont: cont})
		doc, cont = doc[n:], true
		if len(p.cur) == p.size {
			if err := p.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Packer) padOut() error {
	n := p.size - len(p.cur)
	for range n {
		p.cur = append(p.cur, p.pad)
	}
	p.pieces = append(p.pieces, Piece{Len: n, Pad: true})
	return p.flush()
}

func (p *Packer) flush() error {
	s := &Seq{Index: p.seq, Tokens: p.cur, Pieces: p.pieces}
	p.seq++
	p.cur, p.pieces = make([]uint32, 0, p.size), nil
	return p.emit(s)
}

// State is the index of the open sequence and how many tokens it holds.
func (p *Packer) State() (seq int64, fill int) { return p.seq, len(p.cur) }

// SimulatePack advances a packing state (open sequence, its fill) by one
// document of n tokens without holding any: the planner's version of
// Packer.Add.
func SimulatePack(size int, document bool, seq int64, fill int, n int) (int64, int) {
	if document && fill > 0 && fill+n > size {
		seq, fill = seq+1, 0
	}
	total := int64(fill) + int64(n)
	return seq + total/int64(size), int(total % int64(size))
}

// ShardSinks are where one shard's files go; a nil sink skips its format.
type ShardSinks struct {
	Parquet                  io.Writer
	LLMC                     io.Writer
	MegatronBin, MegatronIdx io.Writer
	Nanotron, NanotronIndex  io.Writer
	ParquetOptions           WriterOptions
}

// ShardWriter writes the same packed sequences in every requested trainer
// format at once.
type ShardWriter struct {
	s        ShardSinks
	dt       DType
	pq       *SequenceWriter
	buf      []byte
	want     int64 // tokens the llm.c header promised
	tokens   int64
	mgLens   []int32
	dsPos    uint64
	dsEnds   []uint64
	maxID    uint32
	finished bool
}

// NewShardWriter starts a shard of exactly tokens tokens (the llm.c header
// carries the count up front).
func NewShardWriter(s ShardSinks, dt DType, tokens int64) (*ShardWriter, error) {
	w := &ShardWriter{s: s, dt: dt, want: tokens, maxID: 1<<32 - 1}
	if dt == Uint16 {
		w.maxID = 1<<16 - 1
	}
	if s.Parquet != nil {
		pq, err := NewSequenceWriter(s.Parquet, s.ParquetOptions)
		if err != nil {
			return nil, err
		}
		w.pq = pq
	}
	if s.LLMC != nil {
		h, err := LLMCHeader(dt, tokens)
		if err != nil {
			return nil, err
		}
		if _, err := s.LLMC.Write(h); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Write appends one sequence.
func (w *ShardWriter) Write(seq *Seq) error {
	for _, id := range seq.Tokens {
		if id > w.maxID {
			return fmt.Errorf("sequence %d: token id %d does not fit %s", seq.Index, id, w.dt)
		}
	}
	w.tokens += int64(len(seq.Tokens))
	if w.pq != nil {
		src := ""
		if len(seq.Pieces) > 0 {
			src = seq.Pieces[0].Source
		}
		if err := w.pq.Write(seq.Tokens, src); err != nil {
			return err
		}
	}
	w.buf = PutTokens(w.buf[:0], w.dt, seq.Tokens)
	for _, sink := range []io.Writer{w.s.LLMC, w.s.Nanotron} {
		if sink != nil {
			if _, err := sink.Write(w.buf); err != nil {
				return err
			}
		}
	}
	off := 0
	for _, p := range seq.Pieces {
		part := seq.Tokens[off : off+p.Len]
		off += p.Len
		// nanotron: the flat stream's document ends, pads included as
		// their own runs so the index covers every token.
		w.dsPos += uint64(p.Len)
		if p.Cont && len(w.dsEnds) > 0 {
			w.dsEnds[len(w.dsEnds)-1] = w.dsPos
		} else {
			w.dsEnds = append(w.dsEnds, w.dsPos)
		}
		// Megatron: documents only, a document cut by a sequence
		// boundary kept whole.
		if p.Pad || w.s.MegatronBin == nil {
			continue
		}
		if p.Cont && len(w.mgLens) > 0 {
			w.mgLens[len(w.mgLens)-1] += int32(p.Len)
		} else {
			w.mgLens = append(w.mgLens, int32(p.Len))
		}
		if _, err := w.s.MegatronBin.Write(PutTokens(nil, w.dt, part)); err != nil {
			return err
		}
	}
	return nil
}

// Tokens is how many tokens were written (per flat format).
func (w *ShardWriter) Tokens() int64 { return w.tokens }

// MegatronTokens is how many tokens the Megatron .bin holds (no pads).
func (w *ShardWriter) MegatronTokens() int64 {
	var n int64
	for _, l := range w.mgLens {
		n += int64(l)
	}
	return n
}

// Close checks the count promised to llm.c and writes the index files.
func (w *ShardWriter) Close() error {
	if w.finished {
		return nil
	}
	w.finished = true
	if w.tokens != w.want {
		return fmt.Errorf("shard holds %d tokens, its plan %d", w.tokens, w.want)
	}
	if w.pq != nil {
		if err := w.pq.Close(); err != nil {
			return err
		}
	}
	if w.s.MegatronIdx != nil {
		if err := WriteMegatronIndex(w.s.MegatronIdx, w.dt, w.mgLens); err != nil {
			return err
		}
	}
	if w.s.NanotronIndex != nil {
		b := make([]byte, 0, 8*len(w.dsEnds))
		for _, e := range w.dsEnds {
			b = binary.LittleEndian.AppendUint64(b, e)
		}
		if _, err := w.s.NanotronIndex.Write(b); err != nil {
			return err
		}
	}
	return nil
}
