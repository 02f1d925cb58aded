package pipeline

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
)

// atomicFile is written under a temporary name beside its final path and
// appears under the final name only once complete and on disk: a crash
// never leaves a partial file where a reader would trust it.
type atomicFile struct {
	final string
	tmp   *os.File
	buf   *bufio.Writer
	sum   hash.Hash
	n     int64
	done  bool
}

func createAtomic(path string) (*atomicFile, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	a := &atomicFile{final: path, tmp: tmp, sum: sha256.New()}
	a.buf = bufio.NewWriterSize(io.MultiWriter(tmp, a.sum), 1<<20)
	return a, nil
}

func (a *atomicFile) Write(p []byte) (int, error) {
	n, err := a.buf.Write(p)
	a.n += int64(n)
	return n, err
}

// Commit flushes, fsyncs, renames into place and fsyncs the directory.
func (a *atomicFile) Commit() (OutputFile, error) {
	if err := a.buf.Flush(); err != nil {
		a.Abort()
		return OutputFile{}, err
	}
	if err := a.tmp.Sync(); err != nil {
		a.Abort()
		return OutputFile{}, err
	}
	if err := a.tmp.Close(); err != nil {
		os.Remove(a.tmp.Name())
		return OutputFile{}, err
	}
	if err := os.Rename(a.tmp.Name(), a.final); err != nil {
		os.Remove(a.tmp.Name())
		return OutputFile{}, err
	}
	a.done = true
	syncDir(filepath.Dir(a.final))
	return OutputFile{Path: a.final, Bytes: a.n, SHA256: hex.EncodeToString(a.sum.Sum(nil))}, nil
}

// Abort removes the temporary file; safe after Commit.
func (a *atomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.tmp.Close()
	os.Remove(a.tmp.Name())
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// writeJSONAtomic writes v as indented JSON through an atomicFile.
func writeJSONAtomic(path string, v any) (OutputFile, error) {
	a, err := createAtomic(path)
	if err != nil {
		return OutputFile{}, err
	}
	enc := json.NewEncoder(a)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		a.Abort()
		return OutputFile{}, fmt.Errorf("%s: %w", path, err)
	}
	return a.Commit()
}

// fileSHA256 hashes a file on disk (resume checks an output still matches
// its marker).
func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
