package pipeline

import (
	"os"
	"testing"
)

// FuzzConfig: the config loader never panics, and every error it returns
// is a positioned ConfigErrors (never a bare crash or a nil config).
func FuzzConfig(f *testing.F) {
	for _, p := range []string{"../configs/mix.yaml", "../configs/corpus.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("sources:\n  - name: s\n    inputs: [x]\n    weight: .nan\n    jsonl: {}\ntokenizer: {train: {vocab_size: 300}}\n"))
	f.Add([]byte("parquet: {row_group_mb: 99999999999999, zstd_level: -1}\nsources: [{name: a, inputs: [b], books: {max_bytes: -1}}]\n"))
	f.Add([]byte("&a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := ParseConfig("fuzz.yaml", b)
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without an error")
			}
			cfg.ConfigHash()
			return
		}
		if _, ok := err.(ConfigErrors); !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
	})
}
