package bpe

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// smallTok is a tokenizer trained on a fixed English/Greek/Japanese text,
// so these tests run without the corpus.
var smallTok = sync.OnceValues(func() (*Tokenizer, error) {
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. Ο γρήγορος σκύλος. 速い茶色の狐。 aaaaaaaa    \n\n", 50)
	return trainStrings([]string{text, "lower lowest newer newest 12345 don't"}, 600, PatternO200K)
})

func mustSmall(tb testing.TB) *Tokenizer {
	tb.Helper()
	tok, err := smallTok()
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// naiveMerge is the quadratic tiktoken merge, used to check the heap path.
func naiveMerge(t *Tokenizer, piece string) []uint32 {
	var parts []part
	for i := 0; i < len(piece); i++ {
		parts = append(parts, part{start: i})
	}
	parts = append(parts, part{start: len(piece)})
	for {
		minRank, minI := uint32(noRank), -1
		for i := 0; i+2 < len(parts); i++ {
			if r := t.rankOf(piece[parts[i].start:parts[i+2].start]); r < minRank {
				minRank, minI = r, i
			}
		}
		if minI < 0 {
			break
		}
		parts = append(parts[:minI+1], parts[minI+2:]...)
	}
	var out []uint32
	for i := 0; i+1 < len(parts); i++ {
		out = append(out, t.rankOf(piece[parts[i].start:parts[i+1].start]))
	}
	return out
}

func TestMergePathsAgree(t *testing.T) {
	tok := mustSmall(t)
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "e", "o", "r", "w", "l", "n", "s", "t", "h", "γ", "ο"}
	for i := 0; i < 300; i++ {
		var b strings.Builder
		n := 1 + r.IntN(600)
		if i%50 == 0 {
			b.WriteString(strings.Repeat("a", 5000)) // one long run
		}
		for b.Len() < n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		piece := b.String()
		want := naiveMerge(tok, piece)
		got, _ := tok.mergePiece(piece, nil, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("piece of %d bytes: merge %v, naive %v", len(piece), got, want)
		}
		if len(piece) <= heapThreshold {
			if h := tok.mergeHeap(piece, nil); !slices.Equal(h, want) {
				t.Fatalf("piece of %d bytes: heap %v, naive %v", len(piece), h, want)
			}
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", "hello", "\xff\xfe\x00", "The quick brown fox", "速い茶色の狐", strings.Repeat(" ", 300)} {
		f.Add([]byte(s))
	}
	tok := mustSmall(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		ids := tok.Encode(string(b), nil)
		out, err := tok.Decode(ids, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("decode(encode(%q)) = %q", b, out)
		}
	})
}

func TestRoundTripRandomBytes(t *testing.T) {
	tok := mustSmall(t)
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		b := make([]byte, r.IntN(400))
		for j := range b {
			b[j] = byte(r.UintN(256))
		}
		out, err := tok.Decode(tok.Encode(string(b), nil), nil)
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("round trip of %q: %q %v", b, out, err)
		}
	}
}

func TestEncodeWithSpecial(t *testing.T) {
	tok := mustSmall(t)
	eot := tok.EOT()
	ids := tok.EncodeWithSpecial("fox<|endoftext|>dog<|endoftext|>", nil)
	count := 0
	for _, id := range ids {
		if id == eot {
			count++
		}
	}
	if count != 2 || ids[len(ids)-1] != eot {
		t.Fatalf("ids %v: want two end-of-text ids, last one at the end", ids)
	}
	// Ordinary encoding never produces a special id.
	if slices.Contains(tok.Encode("fox<|endoftext|>dog", nil), eot) {
		t.Fatal("Encode produced the end-of-text id from text")
	}
	if _, err := tok.Decode([]uint32{uint32(tok.NVocab())}, nil); err == nil {
		t.Fatal("decoding an id outside the vocabulary must fail")
	}
}

func TestOptionsYAML(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
		check   func(Options) bool
	}{
		{in: "vocab_size: 1000\npattern: cl100k\n", check: func(o Options) bool {
			return o.VocabSize == 1000 && o.Pattern == PatternCL100K && o.MinFrequency == 2 && o.EOT == "<|endoftext|>"
		}},
		{in: "vocab_sise: 1000\n", wantErr: "field vocab_sise not found"},
		{in: "pattern: gpt5\n", wantErr: "unknown pre-tokenization pattern"},
		{in: "vocab_size: 100\n", wantErr: "below 256"},
		{in: "eot: \"<|x|>\"\n", wantErr: "not in special_tokens"},
		{in: "special_tokens: [a, a]\n", wantErr: "listed twice"},
	}
	for _, tc := range tests {
		var o Options
		dec := yaml.NewDecoder(strings.NewReader(tc.in))
		dec.KnownFields(true)
		err := dec.Decode(&o)
		if err == nil {
			err = o.Validate()
		}
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !tc.check(o) {
			t.Errorf("%q: %+v %v", tc.in, o, err)
		}
	}
}

func TestLoadBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var all strings.Builder
	for b := 0; b < 256; b++ {
		all.WriteString(b64([]byte{byte(b)}) + " " + itoa(b) + "\n")
	}
	tests := []struct {
		name, content, wantErr string
	}{
		{"bad64.tiktoken", "!!!! 0\n", "bad64.tiktoken:1: token \"!!!!\""},
		{"dup.tiktoken", "YQ== 0\nYg== 0\n", "dup.tiktoken:2: rank 0 given twice"},
		{"fields.tiktoken", "YQ== 0 1\n", "fields.tiktoken:1: want \"base64 rank\""},
		{"missing.tiktoken", "YQ== 0\n", "byte 0x00 is not a token"},
		{"twice.tiktoken", all.String() + "YQ== 300\n", "has two ids"},
	}
	for _, tc := range tests {
		p := write(tc.name, tc.content)
		_, err := LoadTiktoken(p, PatternCL100K, nil, "")
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	hf := []struct{ name, content, wantErr string }{
		{"wordpiece.json", `{"model":{"type":"WordPiece","vocab":{}},"pre_tokenizer":null}`, "model type \"WordPiece\""},
		{"regex.json", `{"model":{"type":"BPE","vocab":{}},"pre_tokenizer":{"type":"Split","pattern":{"Regex":"\\w+"}}}`, "is not one of gpt2, cl100k, o200k"},
		{"trunc.json", `{"model":`, "unexpected end of JSON"},
	}
	for _, tc := range hf {
		p := write(tc.name, tc.content)
		_, err := LoadHFTokenizerJSON(p)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: error %v, want %q and the file name", tc.name, err, tc.wantErr)
		}
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
func itoa(i int) string   { return strconv.Itoa(i) }
