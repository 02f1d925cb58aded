package github

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/curate-dev/curate/internal/torture"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// FuzzArchiveWalker: tar, zip and Stack-JSONL inputs of any bytes never
// panic the walker, and no document path climbs out of the archive.
func FuzzArchiveWalker(f *testing.F) {
	for _, s := range torture.Seeds(64<<10, []string{".tar.gz", ".jsonl"}, "../../testdata/sample/code") {
		f.Add(s, uint8(0))
		f.Add(s, uint8(2))
	}
	f.Add([]byte("PK\x03\x04"), uint8(1))
	o := DefaultOptions()
	o.AllowUnlicensed = true
	s, err := New(o)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte, kind uint8) {
		name := []string{"repo.tar.gz", "repo.zip", "rows.jsonl"}[int(kind)%3]
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := s.OpenReader(sources.Unit{Input: sources.Input{Path: p, Size: int64(len(b))}, End: -1})
		if err != nil {
			return
		}
		defer r.Close()
		docs, _, _ := doc.ReadAll(r)
		for _, d := range docs {
			if filepath.IsAbs(d.Meta["path"]) || filepath.Clean("/"+d.Meta["path"]) != "/"+d.Meta["path"] {
				t.Fatalf("document path %q escapes the archive", d.Meta["path"])
			}
		}
	})
}

// FuzzLicense: licence detection over any texts never panics.
func FuzzLicense(f *testing.F) {
	f.Add([]byte("MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy"))
	f.Add([]byte("                                 Apache License\n                           Version 2.0, January 2004"))
	f.Fuzz(func(t *testing.T, b []byte) {
		detectLicense([][]byte{b})
	})
}
