package shards

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// VerifyFeed rechecks a feed folder against its manifest: every file's
// size and sha256, every llm.c header, every Megatron index against its
// .bin, every nanotron index against its .ds, every Parquet footer's row
// count. All problems are reported, each naming its file.
func VerifyFeed(dir string) error {
	man, dir, err := ReadFeedManifest(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, sh := range man.Shards {
		for _, f := range sh.Files {
			if err := verifyFile(dir, man, sh, f); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", filepath.Join(dir, f.Path), err))
			}
		}
	}
	return errors.Join(errs...)
}

func verifyFile(dir string, man *FeedManifest, sh FeedShard, f FeedFile) error {
	path := filepath.Join(dir, f.Path)
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return err
	}
	if n != f.Bytes {
		return fmt.Errorf("%d bytes, manifest says %d", n, f.Bytes)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return fmt.Errorf("sha256 %s, manifest says %s", sum, f.SHA256)
	}
	size := int64(man.DType.Size())
	switch ext := filepath.Ext(path); {
	case f.Format == FormatLLMC:
		hdr := make([]byte, LLMCHeaderBytes)
		if _, err := fh.ReadAt(hdr, 0); err != nil {
			return fmt.Errorf("header: %w", err)
		}
		dt, ntok, err := ParseLLMCHeader(hdr)
		if err != nil {
			return err
		}
		if dt != man.DType || ntok != sh.Tokens {
			return fmt.Errorf("header says %d %s tokens, manifest %d %s", ntok, dt, sh.Tokens, man.DType)
		}
		if want := LLMCHeaderBytes + size*ntok; n != want {
			return fmt.Errorf("%d bytes, header implies %d", n, want)
		}
	case f.Format == FormatMegatron && ext == ".idx":
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		ix, err := ParseMegatronIndex(b)
		if err != nil {
			return err
		}
		if ix.Code != MegatronCode(man.DType) {
			return fmt.Errorf("dtype code %d, want %d for %s", ix.Code, MegatronCode(man.DType), man.DType)
		}
		bin := path[:len(path)-len(".idx")] + ".bin"
		st, err := os.Stat(bin)
		if err != nil {
			return err
		}
		var ptr int64
		for i, l := range ix.Lengths {
			if ix.Pointers[i] != ptr || l <= 0 {
				return fmt.Errorf("sequence %d: pointer %d length %d, want pointer %d", i, ix.Pointers[i], l, ptr)
			}
			ptr += int64(l) * size
		}
		if ptr != st.Size() {
			return fmt.Errorf("lengths sum to %d bytes, %s has %d", ptr, filepath.Base(bin), st.Size())
		}
		for i, d := range ix.DocIdx {
			if d != int64(i) {
				return fmt.Errorf("document index %d is %d, want %d", i, d, i)
			}
		}
	case f.Format == FormatMegatron:
		if n != size*f.Tokens {
			return fmt.Errorf("%d bytes, want %d for %d tokens", n, size*f.Tokens, f.Tokens)
		}
	case f.Format == FormatNanotron && ext == ".index":
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if len(b)%8 != 0 {
			return fmt.Errorf("%d bytes is not a whole number of uint64 ends", len(b))
		}
		var prev uint64
		for i := 0; i < len(b); i += 8 {
			e := binary.LittleEndian.Uint64(b[i:])
			if e <= prev {
				return fmt.Errorf("document end %d (%d) not after %d", i/8, e, prev)
			}
			prev = e
		}
		if int64(prev) != sh.Tokens {
			return fmt.Errorf("last document ends at %d, the shard holds %d tokens", prev, sh.Tokens)
		}
	case f.Format == FormatNanotron:
		if n != size*sh.Tokens {
			return fmt.Errorf("%d bytes, want %d for %d tokens", n, size*sh.Tokens, sh.Tokens)
		}
	case f.Format == FormatParquet:
		pf, err := file.OpenParquetFile(path, false)
		if err != nil {
			return err
		}
		defer pf.Close()
		if pf.NumRows() != sh.Sequences {
			return fmt.Errorf("%d rows, manifest says %d sequences", pf.NumRows(), sh.Sequences)
		}
	}
	return nil
}
