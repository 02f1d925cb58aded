package bpe

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// byteToRune is GPT-2's bytes_to_unicode: printable bytes map to themselves,
// the others to U+0100 and up, so every token is printable text in
// tokenizer.json, vocab.json and merges.txt (a space is "Ġ").
var byteToRune, runeToByte = func() ([256]rune, map[rune]byte) {
	var b2r [256]rune
	r2b := make(map[rune]byte, 256)
	printable := func(b int) bool {
		return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
	}
	n := 0
	for b := range 256 {
		if printable(b) {
			b2r[b] = rune(b)
		} else {
			b2r[b] = rune(256 + n)
			n++
		}
		r2b[b2r[b]] = byte(b)
	}
	return b2r, r2b
}()

func toByteLevel(s string) string {
	var b []rune
	for i := 0; i < len(s); i++ {
		b = append(b, byteToRune[s[i]])
	}
	return string(b)
}

func fromByteLevel(s string) (string, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		b, ok := runeToByte[r]
		if !ok {
			return "", false
		}
		out = append(out, b)
	}
	return string(out), true
}

// Merges returns the merges that reproduce this tokenizer's rank-based
// encoding in a merge-list BPE (HF, GPT-2 merges.txt): for every token, in
// id order, each split into two tokens, ordered by the left part's id. A
// vocabulary learned by the trainer has one split per token in most cases;
// listing every split makes the merge-order encoder agree with the
// rank-order one whichever way the parts of a token were formed.
func (t *Tokenizer) Merges() [][2]uint32 {
	var out [][2]uint32
	type split struct{ a, b uint32 }
	var splits []split
	for id, tok := range t.vocab {
		if len(tok) < 2 || t.isSpec[id] {
			continue
		}
		splits = splits[:0]
		for k := 1; k < len(tok); k++ {
			a, okA := t.ranks[tok[:k]]
			b, okB := t.ranks[tok[k:]]
			if okA && okB && a < uint32(id) && b < uint32(id) {
				splits = append(splits, split{a, b})
			}
		}
		sort.Slice(splits, func(i, j int) bool {
			if splits[i].a != splits[j].a {
				return splits[i].a < splits[j].a
			}
			return splits[i].b < splits[j].b
		})
		for _, s := range splits {
			out = append(out, [2]uint32{s.a, s.b})
		}
	}
	return out
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func jsonString(s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func marshalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ExportHF writes tokenizer.json and tokenizer_config.json into dir in the
// byte-level layout: Split(pattern, Isolated) + ByteLevel pre-tokenizer,
// ByteLevel decoder, a BPE model with all 256 byte tokens, merges in the
// legacy "a b" form and ignore_merges (whole-piece lookup first, as
// tiktoken does).
func (t *Tokenizer) ExportHF(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
	for i, s := range t.specials {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    {\"id\": %d, \"content\": %s, \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}", s.ID, jsonString(s.Text))
	}
	b.WriteString("\n  ],\n  \"normalizer\": null,\n")
	fmt.Fprintf(&b, "  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": %s}, \"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}]},\n", jsonString(PatternRegex[t.pattern]))
	b.WriteString("  \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, \"use_regex\": true},\n")
	b.WriteString("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n")
	b.WriteString("  \"model\": {\n    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null, \"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": true,\n    \"vocab\": {")
	first := true
	for id, tok := range t.vocab {
		if tok == "" || t.isSpec[id] {
			continue
		}
		if !first {
			b.WriteString(",")
		}
		first = false
		fmt.Fprintf(&b, "\n      %s: %d", jsonString(toByteLevel(tok)), id)
	}
	b.WriteString("\n    },\n    \"merges\": [")
	for i, m := range t.Merges() {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n      %s", jsonString(toByteLevel(t.vocab[m[0]])+" "+toByteLevel(t.vocab[m[1]])))
	}
	b.WriteString("\n    ]\n  }\n}\n")
	if err := writeFileAtomic(filepath.Join(dir, "tokenizer.json"), b.Bytes()); err != nil {
		return fmt.Errorf("export tokenizer.json: %w", err)
	}

	type addedDecoder struct {
		Content    string `json:"content"`
		Lstrip     bool   `json:"lstrip"`
		Normalized bool   `json:"normalized"`
		Rstrip     bool   `json:"rstrip"`
		SingleWord bool   `json:"single_word"`
		Special    bool   `json:"special"`
	}
	added := map[string]addedDecoder{}
	for _, s := range t.specials {
		added[strconv.Itoa(int(s.ID))] = addedDecoder{Content: s.Text, Special: true}
	}
	cfg := map[string]any{
		"tokenizer_class":              "PreTrainedTokenizerFast",
		"added_tokens_decoder":         added,
		"clean_up_tokenization_spaces": false,
		"model_max_length":             int64(1) << 53,
		"add_bos_token":                false,
		"add_eos_token":                false,
	}
	if t.hasEOT {
		cfg["eos_token"] = t.vocab[t.eot]
		cfg["bos_token"] = t.vocab[t.eot]
	}
	cb, err := marshalIndent(cfg)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "tokenizer_config.json"), cb); err != nil {
		return fmt.Errorf("export tokenizer_config.json: %w", err)
	}
	return nil
}

// ExportTiktoken writes dir/tokenizer.tiktoken (one "base64 rank" line per
// token, rank order) and its sidecar dir/tokenizer.tiktoken.json with the
// pattern's expression (pat_str), special tokens, n_vocab and eot_token:
// what tiktoken's Encoding(name, pat_str, mergeable_ranks, special_tokens)
// needs.
func (t *Tokenizer) ExportTiktoken(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	for id, tok := range t.vocab {
		if tok == "" || t.isSpec[id] {
			continue
		}
		b.WriteString(base64.StdEncoding.EncodeToString([]byte(tok)))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(id))
		b.WriteByte('\n')
	}
	path := filepath.Join(dir, "tokenizer.tiktoken")
	if err := writeFileAtomic(path, b.Bytes()); err != nil {
		return fmt.Errorf("export tiktoken: %w", err)
	}
	j := tiktokenJSON{PatStr: PatternRegex[t.pattern], Pattern: t.pattern, SpecialTokens: map[string]uint32{}, NVocab: len(t.vocab)}
	for _, s := range t.specials {
		j.SpecialTokens[s.Text] = s.ID
	}
	if t.hasEOT {
		j.EOTToken = t.vocab[t.eot]
	}
	sb, err := marshalIndent(j)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path+".json", sb); err != nil {
		return fmt.Errorf("export tiktoken sidecar: %w", err)
	}
	return nil
}

// ExportGPT2 writes dir/vocab.json (byte-level text -> id, specials
// included) and dir/merges.txt ("#version: 0.2" then one "a b" per line),
// the files of GPT-2's original encoder and HF's slow GPT2Tokenizer.
func (t *Tokenizer) ExportGPT2(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("{")
	first := true
	for id, tok := range t.vocab {
		if tok == "" {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		s := tok
		if !t.isSpec[id] {
			s = toByteLevel(tok)
		}
		fmt.Fprintf(&b, "%s: %d", jsonString(s), id)
	}
	b.WriteString("}\n")
	if err := writeFileAtomic(filepath.Join(dir, "vocab.json"), b.Bytes()); err != nil {
		return fmt.Errorf("export vocab.json: %w", err)
	}
	b.Reset()
	b.WriteString("#version: 0.2\n")
	for _, m := range t.Merges() {
		b.WriteString(toByteLevel(t.vocab[m[0]]))
		b.WriteByte(' ')
		b.WriteString(toByteLevel(t.vocab[m[1]]))
		b.WriteByte('\n')
	}
	if err := writeFileAtomic(filepath.Join(dir, "merges.txt"), b.Bytes()); err != nil {
		return fmt.Errorf("export merges.txt: %w", err)
	}
	return nil
}

// llm.c tokenizer file constants (llmc/tokenizer.h).
const (
	llmcMagic   = 20240328
	llmcVersion = 2
)

// ExportLLMC writes dir/tokenizer.bin for llm.c: a header of 256 int32
// ([20240328, 2, n_vocab, eot_id, 0...]), then for every id a one-byte
// length and the token's bytes. llm.c requires every length in 1..255: an
// unused id (a gap in an external vocabulary) is written as the text
// "<|unused_ID|>", and a longer token is an error (train with
// max_token_bytes: 255).
func (t *Tokenizer) ExportLLMC(dir string) error {
	if !t.hasEOT {
		return fmt.Errorf("export llm.c: the tokenizer has no end-of-text token")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	hdr := make([]int32, 256)
	hdr[0], hdr[1], hdr[2], hdr[3] = llmcMagic, llmcVersion, int32(len(t.vocab)), int32(t.eot)
	if err := binary.Write(bw, binary.LittleEndian, hdr); err != nil {
		return err
	}
	for id, tok := range t.vocab {
		if tok == "" {
			tok = fmt.Sprintf("<|unused_%d|>", id)
		}
		if len(tok) > 255 {
			return fmt.Errorf("export llm.c: token %d is %d bytes; llm.c stores at most 255 (train with max_token_bytes: 255)", id, len(tok))
		}
		bw.WriteByte(byte(len(tok)))
		bw.WriteString(tok)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "tokenizer.bin"), b.Bytes()); err != nil {
		return fmt.Errorf("export llm.c: %w", err)
	}
	return nil
}

// Export writes the tokenizer in format: "hf", "tiktoken", "gpt2" or "llmc".
func (t *Tokenizer) Export(format, dir string) error {
	switch format {
	case "hf":
		return t.ExportHF(dir)
	case "tiktoken":
		return t.ExportTiktoken(dir)
	case "gpt2":
		return t.ExportGPT2(dir)
	case "llmc":
		return t.ExportLLMC(dir)
	}
	return fmt.Errorf("unknown export format %q (want hf, tiktoken, gpt2 or llmc)", format)
}

// Save writes the tokenizer to dir in the forms Load reads and most tools
// take: tokenizer.tiktoken with its sidecar, and tokenizer.json with
// tokenizer_config.json.
func (t *Tokenizer) Save(dir string) error {
	if err := t.ExportTiktoken(dir); err != nil {
		return err
	}
	return t.ExportHF(dir)
}
