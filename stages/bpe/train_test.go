package bpe

import (
	"context"
	"testing"
)

// trainStrings trains on texts with the given vocabulary size and pattern.
func trainStrings(texts []string, vocab int, p Pattern) (*Tokenizer, error) {
	o := DefaultOptions()
	o.VocabSize = vocab
	o.Pattern = p
	o.MinFrequency = 1
	i := 0
	tok, _, err := Train(context.Background(), func() (string, bool) {
		if i >= len(texts) {
			return "", false
		}
		i++
		return texts[i-1], true
	}, o)
	return tok, err
}

func TestTrainerSmall(t *testing.T) {
	tok, err := trainStrings([]string{"aaabdaaabac"}, 256+3+1, PatternGPT2)
	if err != nil {
		t.Fatal(err)
	}
	// "aaabdaaabac" is one piece under gpt2. aa (4) first; then (aa,a) and
	// (a,b) tie at 2 and the left token's bytes decide: "a" < "aa".
	want := []string{"aa", "ab", "aaab"}
	for i, w := range want {
		if got, _, _ := tok.Token(uint32(256 + i)); got != w {
			t.Errorf("merge %d: got %q want %q", i, got, w)
		}
	}
	if tok.EOT() != 259 {
		t.Errorf("eot %d want 259", tok.EOT())
	}
}
