package shards

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestLLMCHeader(t *testing.T) {
	for _, tc := range []struct {
		dt             DType
		magic, version uint32
	}{{Uint16, 20240520, 1}, {Uint32, 20240801, 7}} {
		h, err := LLMCHeader(tc.dt, 123456)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 1024 {
			t.Fatalf("%s: header %d bytes", tc.dt, len(h))
		}
		got := [3]uint32{binary.LittleEndian.Uint32(h), binary.LittleEndian.Uint32(h[4:]), binary.LittleEndian.Uint32(h[8:])}
		if got != [3]uint32{tc.magic, tc.version, 123456} || !bytes.Equal(h[12:], make([]byte, 1012)) {
			t.Fatalf("%s: header starts %v, want %d %d 123456 then zeros", tc.dt, got, tc.magic, tc.version)
		}
		dt, n, err := ParseLLMCHeader(h)
		if err != nil || dt != tc.dt || n != 123456 {
			t.Fatalf("parse: %s %d %v", dt, n, err)
		}
	}
	if _, err := LLMCHeader(Uint16, 1<<31); err == nil {
		t.Fatal("a count past int32 must be refused")
	}
}

func TestPacker(t *testing.T) {
	tests := []struct {
		name     string
		document bool
		docs     []int
		seqs     []string // pieces per sequence: len/flags
		seq      int64
		fill     int
	}{
		{"tokens flow across boundaries", false, []int{3, 5, 2}, []string{"3 1", "4c"}, 2, 2},
		{"document mode pads instead of cutting", true, []int{3, 5, 2}, []string{"3 1p", "4"}, 2, 3},
		{"a long document spans sequences either way", true, []int{9}, []string{"4", "4c"}, 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			p := NewPacker(4, tc.document, 99, 0, 0, func(s *Seq) error {
				if len(s.Tokens) != 4 {
					t.Fatalf("sequence of %d tokens", len(s.Tokens))
				}
				var b bytes.Buffer
				for i, pc := range s.Pieces {
					if i > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(itoa(pc.Len))
					if pc.Cont {
						b.WriteByte('c')
					}
					if pc.Pad {
						b.WriteByte('p')
					}
				}
				got = append(got, b.String())
				return nil
			})
			var seq int64
			fill := 0
			for i, n := range tc.docs {
				doc := make([]uint32, n)
				for j := range doc {
					doc[j] = uint32(i)
				}
				if err := p.Add(doc, "s"); err != nil {
					t.Fatal(err)
				}
				seq, fill = SimulatePack(4, tc.document, seq, fill, n)
			}
			if s, f := p.State(); s != tc.seq || f != tc.fill || s != seq || f != fill {
				t.Fatalf("state %d/%d, simulated %d/%d, want %d/%d", s, f, seq, fill, tc.seq, tc.fill)
			}
			if len(got) != len(tc.seqs) {
				t.Fatalf("sequences %q, want %q", got, tc.seqs)
			}
			for i := range got {
				if got[i] != tc.seqs[i] {
					t.Fatalf("sequences %q, want %q", got, tc.seqs)
				}
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// writeTestShard packs random documents and writes one shard in every
// format; it returns the shard's base path and the sequences.
func writeTestShard(t *testing.T, dir string, dt DType, document bool) (string, []*Seq) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	const size, eot = 65, 7
	maxID := 60000
	if dt == Uint32 {
		maxID = 200000
	}
	var seqs []*Seq
	p := NewPacker(size, document, eot, 0, 0, func(s *Seq) error {
		s.Tokens = append([]uint32(nil), s.Tokens...)
		seqs = append(seqs, s)
		return nil
	})
	for d := 0; d < 300; d++ {
		doc := []uint32{eot}
		for range 1 + r.IntN(1+r.IntN(200)) {
			doc = append(doc, 8+uint32(r.IntN(maxID)))
		}
		if err := p.Add(doc, []string{"web", "books"}[d%2]); err != nil {
			t.Fatal(err)
		}
	}
	base := filepath.Join(dir, "shard")
	files := map[string]*os.File{}
	for _, ext := range []string{".parquet", ".llmc.bin", ".bin", ".idx", ".ds", ".ds.index"} {
		f, err := os.Create(base + ext)
		if err != nil {
			t.Fatal(err)
		}
		files[ext] = f
	}
	sw, err := NewShardWriter(ShardSinks{Parquet: files[".parquet"], LLMC: files[".llmc.bin"], MegatronBin: files[".bin"],
		MegatronIdx: files[".idx"], Nanotron: files[".ds"], NanotronIndex: files[".ds.index"],
		ParquetOptions: WriterOptions{RowGroupBytes: 16 << 10, BatchBytes: 4 << 10}}, dt, int64(len(seqs)*size))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seqs {
		if err := sw.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		f.Close()
	}
	return base, seqs
}

// docTokens is what Megatron holds: every non-pad token, in order.
func docTokens(seqs []*Seq) (ids []uint32, docs int) {
	for _, s := range seqs {
		off := 0
		for i, pc := range s.Pieces {
			if !pc.Pad {
				ids = append(ids, s.Tokens[off:off+pc.Len]...)
				if !(pc.Cont && i == 0 && docs > 0) {
					docs++
				}
			}
			off += pc.Len
		}
	}
	return ids, docs
}

func idsSHA256(ids []uint32) string {
	b := make([]byte, 4*len(ids))
	for i, x := range ids {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestShardFormats(t *testing.T) {
	for _, tc := range []struct {
		dt       DType
		document bool
	}{{Uint16, false}, {Uint16, true}, {Uint32, false}} {
		t.Run(string(tc.dt)+map[bool]string{false: "/tokens", true: "/document"}[tc.document], func(t *testing.T) {
			base, seqs := writeTestShard(t, t.TempDir(), tc.dt, tc.document)
			var all []uint32
			for _, s := range seqs {
				all = append(all, s.Tokens...)
			}
			llmc, _ := os.ReadFile(base + ".llmc.bin")
			dt, n, err := ParseLLMCHeader(llmc)
			if err != nil || dt != tc.dt || n != int64(len(all)) || len(llmc) != 1024+tc.dt.Size()*len(all) {
				t.Fatalf("llm.c: %s %d tokens, %d bytes, %v; want %d tokens", dt, n, len(llmc), err, len(all))
			}
			if got := GetTokens(nil, dt, llmc[1024:]); idsSHA256(got) != idsSHA256(all) {
				t.Fatal("llm.c tokens differ from the sequences")
			}
			ds, _ := os.ReadFile(base + ".ds")
			if !bytes.Equal(ds, llmc[1024:]) {
				t.Fatal(".ds differs from the llm.c body")
			}
			idx, _ := os.ReadFile(base + ".ds.index")
			if last := binary.LittleEndian.Uint64(idx[len(idx)-8:]); last != uint64(len(all)) {
				t.Fatalf(".ds.index ends at %d, want %d", last, len(all))
			}
			ids, docs := docTokens(seqs)
			mb, _ := os.ReadFile(base + ".idx")
			ix, err := ParseMegatronIndex(mb)
			if err != nil {
				t.Fatal(err)
			}
			if len(ix.Lengths) != docs || len(ix.DocIdx) != docs+1 || ix.Code != MegatronCode(tc.dt) {
				t.Fatalf("megatron: %d sequences, %d doc indices, code %d; want %d, %d, %d", len(ix.Lengths), len(ix.DocIdx), ix.Code, docs, docs+1, MegatronCode(tc.dt))
			}
			bin, _ := os.ReadFile(base + ".bin")
			if idsSHA256(GetTokens(nil, tc.dt, bin)) != idsSHA256(ids) {
				t.Fatal("megatron .bin differs from the documents")
			}
		})
	}
}

// numpyPython is Debian's python3 with numpy (.ci/setup.d/feed.sh).
func numpyPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	t.Skip("python3 with numpy not installed (Debian python3-numpy, .ci/setup.d/feed.sh): Megatron index not read back")
	return ""
}

// Megatron's own reading code path, in numpy, gets every token back.
func TestMegatronIndexReadByNumpy(t *testing.T) {
	py := numpyPython(t)
	for _, dt := range []DType{Uint16, Uint32} {
		t.Run(string(dt), func(t *testing.T) {
			base, seqs := writeTestShard(t, t.TempDir(), dt, true)
			out, err := exec.Command(py, "testdata/megatron_read.py", base).CombinedOutput()
			if err != nil {
				t.Fatalf("numpy reader: %v\n%s", err, out)
			}
			var got struct {
				DTypeCode int    `json:"dtype_code"`
				Sequences int    `json:"sequences"`
				Documents int    `json:"documents"`
				DocIdxOK  bool   `json:"document_indices_ok"`
				Tokens    int    `json:"tokens"`
				SHA256    string `json:"sha256"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			ids, docs := docTokens(seqs)
			if got.DTypeCode != int(MegatronCode(dt)) || got.Sequences != docs || got.Documents != docs || !got.DocIdxOK ||
				got.Tokens != len(ids) || got.SHA256 != idsSHA256(ids) {
				t.Fatalf("numpy read %+v; want code %d, %d sequences and documents, %d tokens, sha256 %s", got, MegatronCode(dt), docs, len(ids), idsSHA256(ids))
			}
		})
	}
}

// DuckDB and hyparquet read the packed Parquet shard: same rows, same
// token count, same checksum of all ids, sources as written.
func TestPeersReadSequenceShards(t *testing.T) {
	script := peerReader(t)
	base, seqs := writeTestShard(t, t.TempDir(), Uint32, false)
	var all []uint32
	for _, s := range seqs {
		all = append(all, s.Tokens...)
	}
	for _, engine := range []string{"duckdb", "hyparquet"} {
		t.Run(engine, func(t *testing.T) {
			rows := peerRows(t, script, engine, base+".parquet")
			if len(rows) != len(seqs) {
				t.Fatalf("%d rows, want %d", len(rows), len(seqs))
			}
			var ids []uint32
			for i, r := range rows {
				list, _ := r["input_ids"].([]any)
				for _, v := range list {
					ids = append(ids, uint32(v.(float64)))
				}
				if r["source"] != seqs[i].Pieces[0].Source {
					t.Fatalf("row %d source %v, want %s", i, r["source"], seqs[i].Pieces[0].Source)
				}
			}
			if len(ids) != len(all) || idsSHA256(ids) != idsSHA256(all) {
				t.Fatalf("%s read %d tokens (sha256 %s), want %d (%s)", engine, len(ids), idsSHA256(ids), len(all), idsSHA256(all))
			}
		})
	}
}
