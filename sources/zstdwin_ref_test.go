package sources

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// TestZstdWindowAgreesWithReference decodes klauspost/compress's own zstd
// test streams (good, bad and regression sets, and the decoder corpus:
// frames with and without content sizes, dictionaries, skippable frames,
// corrupt blocks) through Open, whose window rewriting and retries must
// never change what a stream decodes to: where the reference decoder,
// given the full window, succeeds, Open gives the same bytes; where it
// fails, Open fails too.
func TestZstdWindowAgreesWithReference(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/klauspost/compress").Output()
	if err != nil {
		t.Skipf("klauspost/compress module not found: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "zstd", "testdata")
	tmp := t.TempDir()
	var same, bothFail int
	for _, set := range []string{"good.zip", "bad.zip", "decode-regression.zip", "regression.zip", "decoder.zip"} {
		zr, err := zip.OpenReader(filepath.Join(dir, set))
		if err != nil {
			t.Skipf("%s: %v", set, err)
		}
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if Detect(raw) != Zstd {
				continue
			}
			want, wantErr := referenceZstd(raw)
			p := filepath.Join(tmp, "in.zst")
			if err := os.WriteFile(p, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			got, gotErr := openAll(p)
			name := set + "/" + f.Name
			switch {
			case wantErr == nil && gotErr != nil:
				t.Errorf("%s: the reference decodes %d bytes, Open fails: %v", name, len(want), gotErr)
			case wantErr == nil && !bytes.Equal(got, want):
				t.Errorf("%s: Open gives %d bytes, the reference %d; contents differ", name, len(got), len(want))
			case wantErr != nil && gotErr == nil:
				t.Errorf("%s: the reference fails (%v), Open decodes %d bytes", name, wantErr, len(got))
			case wantErr == nil:
				same++
			default:
				bothFail++
			}
		}
		zr.Close()
	}
	if same < 100 {
		t.Errorf("only %d streams decoded by both; the sets hold hundreds", same)
	}
	t.Logf("%d streams decode to the same bytes, %d fail in both", same, bothFail)
}

func referenceZstd(raw []byte) ([]byte, error) {
	dec, err := zstd.NewReader(bytes.NewReader(raw), zstd.WithDecoderMaxWindow(MaxZstdWindow), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	return io.ReadAll(dec)
}

func openAll(p string) ([]byte, error) {
	s, err := Open(p)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return io.ReadAll(io.LimitReader(s, 1<<30))
}
