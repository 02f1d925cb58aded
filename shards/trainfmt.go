package shards

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
)

// Trainer formats a feed shard can be written in.
const (
	FormatParquet  = "parquet"  // input_ids list<uint32> + source per packed sequence
	FormatLLMC     = "llmc"     // llm.c / nanoGPT .bin: 256 int32 header, then tokens
	FormatMegatron = "megatron" // Megatron-LM indexed dataset .bin + .idx
	FormatNanotron = "nanotron" // nanotron / datatrove .ds + .ds.index
)

// Formats lists every trainer format, in the order files are listed.
var Formats = []string{FormatParquet, FormatLLMC, FormatMegatron, FormatNanotron}

// DType is the on-disk width of a token id.
type DType string

// Token widths.
const (
	Uint16 DType = "uint16"
	Uint32 DType = "uint32"
)

// Size is the bytes per token.
func (d DType) Size() int {
	if d == Uint16 {
		return 2
	}
	return 4
}

// DTypeFor is the narrowest width that holds every id of a vocabulary.
func DTypeFor(vocab int) DType {
	if vocab <= 1<<16 {
		return Uint16
	}
	return Uint32
}

// llm.c's header: 256 little-endian int32; [0] magic, [1] version, [2]
// token count. uint16 tokens use GPT-2's magic and version 1; uint32
// tokens llm.c's llama-3 variant.
const (
	LLMCHeaderBytes  = 256 * 4
	LLMCMagic        = 20240520
	LLMCVersion      = 1
	LLMCMagicLlama3  = 20240801
	LLMCVersionLlama = 7
)

// LLMCHeader is the 1024-byte header of an llm.c .bin holding ntok tokens.
func LLMCHeader(dt DType, ntok int64) ([]byte, error) {
	if ntok > 1<<31-1 {
		return nil, fmt.Errorf("llm.c .bin: %d tokens do not fit its int32 count; use smaller shards", ntok)
	}
	h := make([]byte, LLMCHeaderBytes)
	magic, version := int32(LLMCMagic), int32(LLMCVersion)
	if dt == Uint32 {
		magic, version = LLMCMagicLlama3, LLMCVersionLlama
	}
	binary.LittleEndian.PutUint32(h[0:], uint32(magic))
	binary.LittleEndian.PutUint32(h[4:], uint32(version))
	binary.LittleEndian.PutUint32(h[8:], uint32(ntok))
	return h, nil
}

// ParseLLMCHeader returns the token width and count an llm.c header
// declares.
func ParseLLMCHeader(h []byte) (DType, int64, error) {
	if len(h) < LLMCHeaderBytes {
		return "", 0, errors.New("llm.c .bin: shorter than its 1024-byte header")
	}
	magic := binary.LittleEndian.Uint32(h[0:])
	version := binary.LittleEndian.Uint32(h[4:])
	n := int64(int32(binary.LittleEndian.Uint32(h[8:])))
	switch {
	case magic == LLMCMagic && version == LLMCVersion:
		return Uint16, n, nil
	case magic == LLMCMagicLlama3 && version == LLMCVersionLlama:
		return Uint32, n, nil
	}
	return "", 0, fmt.Errorf("llm.c .bin: magic %d version %d, want %d/%d or %d/%d", magic, version,
		LLMCMagic, LLMCVersion, LLMCMagicLlama3, LLMCVersionLlama)
}

// Megatron-LM's index header and dtype codes (indexed_dataset.py DType).
const (
	MegatronIndexMagic = "MMIDIDX\x00\x00"
	MegatronCodeUint16 = 8
	MegatronCodeInt32  = 4
)

// MegatronCode is the dtype code of a token width: uint16, or int32 for
// wider ids (Megatron has no uint32; ids stay below 2^31).
func MegatronCode(dt DType) uint8 {
	if dt == Uint16 {
		return MegatronCodeUint16
	}
	return MegatronCodeInt32
}

// WriteMegatronIndex writes a .idx for sequences of the given lengths, one
// document per sequence, as Megatron's _IndexWriter lays it out: header,
// version 1, dtype code, sequence count, document count (sequences + 1),
// int32 lengths, int64 byte pointers, int64 document indices 0..n.
func WriteMegatronIndex(w io.Writer, dt DType, lengths []int32) error {
	n := len(lengths)
	buf := make([]byte, 0, 9+8+1+8+8+n*(4+8+8)+8)
	buf = append(buf, MegatronIndexMagic...)
	buf = binary.LittleEndian.AppendUint64(buf, 1)
	buf = append(buf, MegatronCode(dt))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(n))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(n+1))
	for _, l := range lengths {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(l))
	}
	var ptr int64
	for _, l := range lengths {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(ptr))
		ptr += int64(l) * int64(dt.Size())
	}
	for i := 0; i <= n; i++ {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(i))
	}
	_, err := w.Write(buf)
	return err
}

// MegatronIndex is a parsed .idx.
type MegatronIndex struct {
	Code     uint8
	Lengths  []int32
	Pointers []int64
	DocIdx   []int64
}

// ParseMegatronIndex reads a .idx the way Megatron's _IndexReader does and
// checks that it is whole.
func ParseMegatronIndex(b []byte) (*MegatronIndex, error) {
	if len(b) < 34 || string(b[:9]) != MegatronIndexMagic {
		return nil, errors.New("megatron .idx: bad header")
	}
	if v := binary.LittleEndian.Uint64(b[9:]); v != 1 {
		return nil, fmt.Errorf("megatron .idx: version %d, want 1", v)
	}
	ix := &MegatronIndex{Code: b[17]}
	if ix.Code != MegatronCodeUint16 && ix.Code != MegatronCodeInt32 {
		return nil, fmt.Errorf("megatron .idx: dtype code %d, want 8 or 4", ix.Code)
	}
	ns := binary.LittleEndian.Uint64(b[18:])
	nd := binary.LittleEndian.Uint64(b[26:])
	want := 34 + ns*4 + ns*8 + nd*8
	if uint64(len(b)) != want {
		return nil, fmt.Errorf("megatron .idx: %d bytes, want %d for %d sequences and %d documents", len(b), want, ns, nd)
	}
	off := uint64(34)
	for i := uint64(0); i < ns; i++ {
		ix.Lengths = append(ix.Lengths, int32(binary.LittleEndian.Uint32(b[off+4*i:])))
	}
	off += 4 * ns
	for i := uint64(0); i < ns; i++ {
		ix.Pointers = append(ix.Pointers, int64(binary.LittleEndian.Uint64(b[off+8*i:])))
	}
	off += 8 * ns
	for i := uint64(0); i < nd; i++ {
		ix.DocIdx = append(ix.DocIdx, int64(binary.LittleEndian.Uint64(b[off+8*i:])))
	}
	return ix, nil
}

// PutTokens appends ids at the given width. Callers check that ids fit.
func PutTokens(dst []byte, dt DType, ids []uint32) []byte {
	if dt == Uint16 {
		for _, id := range ids {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(id))
		}
		return dst
	}
	for _, id := range ids {
		dst = binary.LittleEndian.AppendUint32(dst, id)
	}
	return dst
}

// GetTokens decodes ids of the given width, appending to dst.
func GetTokens(dst []uint32, dt DType, b []byte) []uint32 {
	if dt == Uint16 {
		for i := 0; i+1 < len(b); i += 2 {
			dst = append(dst, uint32(binary.LittleEndian.Uint16(b[i:])))
		}
		return dst
	}
	for i := 0; i+3 < len(b); i += 4 {
		dst = append(dst, binary.LittleEndian.Uint32(b[i:]))
	}
	return dst
}

// SequenceSchema is the Arrow schema of packed Parquet shards.
func SequenceSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: ColInputIDs, Type: arrow.ListOf(arrow.PrimitiveTypes.Uint32)},
		{Name: ColSource, Type: arrow.BinaryTypes.String},
	}, nil)
}

// SequenceWriter writes packed sequences as Parquet rows.
type SequenceWriter struct {
	*rowGroupWriter
}

// NewSequenceWriter starts a packed Parquet shard on w.
func NewSequenceWriter(w io.Writer, opts WriterOptions) (*SequenceWriter, error) {
	rw, err := newRowGroupWriter(w, SequenceSchema(), opts,
		parquet.WithDictionaryFor(ColInputIDs+".list.element", false),
		parquet.WithStatsFor(ColInputIDs+".list.element", false),
	)
	if err != nil {
		return nil, err
	}
	return &SequenceWriter{rowGroupWriter: rw}, nil
}

// Write appends one sequence, labelled with the source of its first token.
func (w *SequenceWriter) Write(ids []uint32, source string) error {
	if err := w.checkOpen(); err != nil {
		return err
	}
	lb := w.b.Field(0).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Uint32Builder).AppendValues(ids, nil)
	w.b.Field(1).(*array.StringBuilder).Append(source)
	return w.rowAdded(4*int64(len(ids)) + int64(len(source)))
}

// Close flushes and writes the footer; the underlying writer stays open.
func (w *SequenceWriter) Close() error { return w.close() }
