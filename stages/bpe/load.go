package bpe

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ParseTiktokenRanks reads a tiktoken rank file: one "base64(token) rank"
// line per token. It also accepts the compact form of the npm tiktoken
// package's encoders ("! offset tok tok ..." lines, ranks counting up from
// offset). name is used in errors.
func ParseTiktokenRanks(r io.Reader, name string) ([]string, error) {
	var tokens []string
	set := func(rank int, b64 string, line int) error {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return fmt.Errorf("%s:%d: token %q: %w", name, line, b64, err)
		}
		if len(b) == 0 {
			return fmt.Errorf("%s:%d: empty token", name, line)
		}
		if rank < 0 || rank > 1<<31 {
			return fmt.Errorf("%s:%d: rank %d out of range", name, line, rank)
		}
		for len(tokens) <= rank {
			tokens = append(tokens, "")
		}
		if tokens[rank] != "" {
			return fmt.Errorf("%s:%d: rank %d given twice", name, line, rank)
		}
		tokens[rank] = string(b)
		return nil
	}
	br := bufio.NewReaderSize(r, 1<<20)
	line := 0
	for {
		s, err := br.ReadString('\n')
		if len(s) > 0 {
			line++
			s = strings.TrimRight(s, "\r\n")
			if s != "" {
				f := strings.Split(s, " ")
				if f[0] == "!" {
					if len(f) < 2 {
						return nil, fmt.Errorf("%s:%d: compact line without offset", name, line)
					}
					off, perr := strconv.Atoi(f[1])
					if perr != nil {
						return nil, fmt.Errorf("%s:%d: offset %q: %w", name, line, f[1], perr)
					}
					for i, tok := range f[2:] {
						if err := set(off+i, tok, line); err != nil {
							return nil, err
						}
					}
				} else {
					if len(f) != 2 {
						return nil, fmt.Errorf("%s:%d: want \"base64 rank\", got %d fields", name, line, len(f))
					}
					rank, perr := strconv.Atoi(f[1])
					if perr != nil {
						return nil, fmt.Errorf("%s:%d: rank %q: %w", name, line, f[1], perr)
					}
					if err := set(rank, f[0], line); err != nil {
						return nil, err
					}
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("%s: no tokens", name)
	}
	return tokens, nil
}

// LoadTiktoken builds a tokenizer from a .tiktoken rank file, a pattern and
// special tokens; eot names the end-of-text special ("" for none).
func LoadTiktoken(path string, p Pattern, specials map[string]uint32, eot string) (*Tokenizer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tokens, err := ParseTiktokenRanks(f, path)
	if err != nil {
		return nil, err
	}
	t, err := NewTokenizer(p, tokens, specialList(specials), eot)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func specialList(m map[string]uint32) []Special {
	out := make([]Special, 0, len(m))
	for s, id := range m {
		out = append(out, Special{Text: s, ID: id})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// tiktokenJSON is the encoding file of the npm tiktoken package
// (encoders/*.json) and, with pattern/n_vocab/eot_token added, curate's
// sidecar for an exported .tiktoken file.
type tiktokenJSON struct {
	PatStr        string            `json:"pat_str"`
	SpecialTokens map[string]uint32 `json:"special_tokens"`
	BPERanks      string            `json:"bpe_ranks,omitempty"`
	Pattern       Pattern           `json:"pattern,omitempty"`
	NVocab        int               `json:"n_vocab,omitempty"`
	EOTToken      string            `json:"eot_token,omitempty"`
}

func (j tiktokenJSON) pattern(name string) (Pattern, error) {
	if p, ok := PatternFromRegex(j.PatStr); ok {
		return p, nil
	}
	if j.Pattern != "" {
		if err := j.Pattern.Validate(); err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return j.Pattern, nil
	}
	return "", fmt.Errorf("%s: split pattern %q is not one of gpt2, cl100k, o200k", name, j.PatStr)
}

func (j tiktokenJSON) eot() string {
	if j.EOTToken != "" {
		return j.EOTToken
	}
	if _, ok := j.SpecialTokens["<|endoftext|>"]; ok {
		return "<|endoftext|>"
	}
	return ""
}

// LoadTiktokenJSON reads an encoding of the npm tiktoken package
// (node_modules/tiktoken/encoders/cl100k_base.json and the like): pattern,
// special tokens and ranks in one file.
func LoadTiktokenJSON(path string) (*Tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var j tiktokenJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p, err := j.pattern(path)
	if err != nil {
		return nil, err
	}
	tokens, err := ParseTiktokenRanks(strings.NewReader(j.BPERanks), path+": bpe_ranks")
	if err != nil {
		return nil, err
	}
	t, err := NewTokenizer(p, tokens, specialList(j.SpecialTokens), j.eot())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// LoadTiktokenWithSidecar reads path (a .tiktoken rank file) and path+".json"
// (its sidecar with pat_str, special_tokens and eot_token), as written by
// ExportTiktoken.
func LoadTiktokenWithSidecar(path string) (*Tokenizer, error) {
	b, err := os.ReadFile(path + ".json")
	if err != nil {
		return nil, err
	}
	var j tiktokenJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%s.json: %w", path, err)
	}
	p, err := j.pattern(path + ".json")
	if err != nil {
		return nil, err
	}
	return LoadTiktoken(path, p, j.SpecialTokens, j.eot())
}

// hfTokenizerJSON is the part of tokenizer.json a byte-level BPE needs.
type hfTokenizerJSON struct {
	AddedTokens []struct {
		ID      uint32 `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	} `json:"added_tokens"`
	PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	Model        struct {
		Type   string            `json:"type"`
		Vocab  map[string]uint32 `json:"vocab"`
		Merges json.RawMessage   `json:"merges"`
	} `json:"model"`
}

type hfPreTok struct {
	Type          string     `json:"type"`
	Pretokenizers []hfPreTok `json:"pretokenizers"`
	Pattern       struct {
		Regex  *string `json:"Regex"`
		String *string `json:"String"`
	} `json:"pattern"`
	UseRegex *bool `json:"use_regex"`
}

// hfPattern finds the split pattern of a byte-level tokenizer.json: a
// Split with one of the known regexes, or a ByteLevel pre-tokenizer with
// use_regex (GPT-2's expression).
func hfPattern(raw json.RawMessage) (Pattern, error) {
	var pt hfPreTok
	if err := json.Unmarshal(raw, &pt); err != nil {
		return "", fmt.Errorf("pre_tokenizer: %w", err)
	}
	var walk func(pt hfPreTok) (Pattern, bool, error)
	walk = func(pt hfPreTok) (Pattern, bool, error) {
		switch pt.Type {
		case "Sequence":
			for _, c := range pt.Pretokenizers {
				if p, ok, err := walk(c); ok || err != nil {
					return p, ok, err
				}
			}
		case "Split":
			if pt.Pattern.Regex == nil {
				return "", false, errors.New("pre_tokenizer: Split without a Regex pattern")
			}
			p, ok := PatternFromRegex(*pt.Pattern.Regex)
			if !ok {
				return "", false, fmt.Errorf("pre_tokenizer: split regex %q is not one of gpt2, cl100k, o200k", *pt.Pattern.Regex)
			}
			return p, true, nil
		case "ByteLevel":
			if pt.UseRegex == nil || *pt.UseRegex {
				return PatternGPT2, true, nil
			}
		}
		return "", false, nil
	}
	p, ok, err := walk(pt)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errors.New("pre_tokenizer: no Split regex or ByteLevel(use_regex) found")
	}
	return p, nil
}

// LoadHFTokenizerJSON reads a byte-level BPE tokenizer.json (GPT-2, Llama 3,
// curate's own export). Token ids must be ranks: the id order must be a
// valid merge order, as it is for tokenizers whose merges were learned in id
// order. The end-of-text token is "<|endoftext|>" if present.
func LoadHFTokenizerJSON(path string) (*Tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var j hfTokenizerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if j.Model.Type != "BPE" {
		return nil, fmt.Errorf("%s: model type %q, want BPE", path, j.Model.Type)
	}
	p, err := hfPattern(j.PreTokenizer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	special := map[string]uint32{}
	for _, a := range j.AddedTokens {
		special[a.Content] = a.ID
	}
	var tokens []string
	for s, id := range j.Model.Vocab {
		if _, isSpecial := special[s]; isSpecial {
			continue
		}
		raw, ok := fromByteLevel(s)
		if !ok {
			return nil, fmt.Errorf("%s: vocab entry %q (id %d) is not byte-level text", path, s, id)
		}
		for len(tokens) <= int(id) {
			tokens = append(tokens, "")
		}
		tokens[id] = raw
	}
	eot := ""
	if _, ok := special["<|endoftext|>"]; ok {
		eot = "<|endoftext|>"
	}
	t, err := NewTokenizer(p, tokens, specialList(special), eot)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := t.checkMergeOrder(j.Model.Merges); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// checkMergeOrder verifies that each merge "a b" joins two tokens of lower
// id into a token of higher id, the condition under which rank-by-id
// encoding equals merge-order encoding.
func (t *Tokenizer) checkMergeOrder(raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	var legacy []string
	var pairs [][2]string
	if err := json.Unmarshal(raw, &legacy); err != nil {
		if err := json.Unmarshal(raw, &pairs); err != nil {
			return fmt.Errorf("model.merges: %w", err)
		}
	} else {
		for i, m := range legacy {
			a, b, ok := strings.Cut(m, " ")
			if !ok {
				return fmt.Errorf("merge %d %q: want \"a b\"", i, m)
			}
			pairs = append(pairs, [2]string{a, b})
		}
	}
	for i, pr := range pairs {
		a, okA := fromByteLevel(pr[0])
		b, okB := fromByteLevel(pr[1])
		if !okA || !okB {
			return fmt.Errorf("merge %d %q: not byte-level text", i, pr)
		}
		ia, okA := t.ranks[a]
		ib, okB := t.ranks[b]
		ic, okC := t.ranks[a+b]
		if !okA || !okB || !okC {
			return fmt.Errorf("merge %d %q: a part or the result is not in the vocabulary", i, pr)
		}
		if ic <= ia || ic <= ib {
			return fmt.Errorf("merge %d %q: result id %d is not above its parts (%d, %d); ids are not a merge order", i, pr, ic, ia, ib)
		}
	}
	return nil
}

// Load reads a tokenizer saved by Save: tokenizer.tiktoken with its sidecar,
// or else tokenizer.json.
func Load(dir string) (*Tokenizer, error) {
	tk := filepath.Join(dir, "tokenizer.tiktoken")
	if _, err := os.Stat(tk); err == nil {
		return LoadTiktokenWithSidecar(tk)
	}
	hf := filepath.Join(dir, "tokenizer.json")
	if _, err := os.Stat(hf); err == nil {
		return LoadHFTokenizerJSON(hf)
	}
	return nil, fmt.Errorf("%s: no tokenizer.tiktoken or tokenizer.json", dir)
}

// LoadPath loads a tokenizer from a directory written by Save, or from one
// file: a tokenizer.json (byte-level BPE), a .tiktoken rank file with its
// .json sidecar beside it, or an npm tiktoken encoding JSON (pat_str,
// special_tokens, bpe_ranks).
func LoadPath(path string) (*Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return Load(path)
	}
	switch {
	case strings.HasSuffix(path, ".tiktoken"):
		return LoadTiktokenWithSidecar(path)
	case strings.HasSuffix(path, ".json"):
		// tokenizer.json has a "model"; tiktoken encodings have "bpe_ranks".
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var probe struct {
			Model    json.RawMessage `json:"model"`
			BPERanks *string         `json:"bpe_ranks"`
		}
		if err := json.Unmarshal(b, &probe); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if probe.BPERanks != nil {
			return LoadTiktokenJSON(path)
		}
		if probe.Model != nil {
			return LoadHFTokenizerJSON(path)
		}
	}
	return nil, fmt.Errorf("%s: not a tokenizer directory, tokenizer.json, .tiktoken or tiktoken encoding JSON", path)
}
