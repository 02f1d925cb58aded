package bpe

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// sweepSeparators go between the runs of the code point sweep. They mix what
// the patterns treat differently after a character: nothing, a space, ASCII
// letters of both cases (o200k's case split), a contraction, digits, newlines,
// punctuation that joins "other" runs, Unicode spaces. Each group of a few
// holds a separator that ends any piece, so no piece grows long (tiktoken's
// BPE is quadratic in a piece's length).
var sweepSeparators = []string{"", " ", "a", "\n", "A", "'s", "1", "  ", "", "\r\n", ".", "'T", " ", "/", "\u3000", "x\t", "", "\u00a0", "Zz", " 12", "", ""}

// sweepRunLengths cycle as the lengths of the runs of consecutive code points.
var sweepRunLengths = []int{1, 2, 3, 5, 8, 4, 1, 7}

// sweepDocs writes every Unicode scalar value once, in order, in runs of
// consecutive code points with separators between them, cut into documents
// of runsPerDoc runs.
func sweepDocs(runsPerDoc int) []string {
	var docs []string
	var b strings.Builder
	r, run := rune(0), 0
	for r <= unicode.MaxRune {
		n := sweepRunLengths[run%len(sweepRunLengths)]
		for k := 0; k < n && r <= unicode.MaxRune; r++ {
			if utf8.ValidRune(r) { // skips the surrogates
				b.WriteRune(r)
				k++
			}
		}
		b.WriteString(sweepSeparators[run%len(sweepSeparators)])
		run++
		if run%runsPerDoc == 0 {
			docs = append(docs, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		docs = append(docs, b.String())
	}
	return docs
}

// sweepEncodings are the npm tiktoken encodings of the sweep, in the order
// unicode.cjs writes them: one of each scanner.
var sweepEncodings = []string{"cl100k_base", "o200k_base", "gpt2"}

// tiktokenSweep is what unicode.cjs answers: ids per encoding and document,
// and the members of each class by tiktoken's regex engine.
type tiktokenSweep struct {
	ids     [][][]uint32 // [encoding][doc]
	classes [][]rune     // in the order of sweepClasses
}

// sweepClasses are the classes unicode.cjs probes, with the scanners'
// classification each must equal.
var sweepClasses = []struct {
	regex string
	want  func(uint8) bool
}{
	{`\p{Lu}`, nil}, // with \p{Lt}: cUpper
	{`\p{Ll}`, func(c uint8) bool { return c&cLower != 0 }},
	{`\p{Lt}`, nil},
	{`\p{Lm}`, nil}, // with \p{Lo}: cLmLo
	{`\p{Lo}`, nil},
	{`\p{M}`, func(c uint8) bool { return c&cM != 0 }},
	{`\p{N}`, func(c uint8) bool { return c&cN != 0 }},
	{`\s`, func(c uint8) bool { return c&cS != 0 }},
}

// runTiktokenSweep runs unicode.cjs once over docs.
func runTiktokenSweep(tb testing.TB, docs []string) tiktokenSweep {
	tb.Helper()
	dir := nodeDir(tb)
	tmp := tb.TempDir()
	in, out := filepath.Join(tmp, "docs.bin"), filepath.Join(tmp, "out.bin")
	var buf bytes.Buffer
	for _, d := range docs {
		binary.Write(&buf, binary.LittleEndian, uint32(len(d)))
		buf.WriteString(d)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(dir, "unicode.cjs"), in, out)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("node unicode.cjs: %v\n%s", err, stderr.String())
	}
	tb.Logf("%s", bytes.TrimSpace(stderr.Bytes()))
	raw, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	next := func() []uint32 {
		if len(raw) < 4 {
			tb.Fatal("unicode.cjs output is short")
		}
		n := int(binary.LittleEndian.Uint32(raw))
		if len(raw) < 4+4*n {
			tb.Fatal("unicode.cjs output is short")
		}
		v := make([]uint32, n)
		for i := range v {
			v[i] = binary.LittleEndian.Uint32(raw[4+4*i:])
		}
		raw = raw[4+4*n:]
		return v
	}
	var res tiktokenSweep
	for range sweepEncodings {
		var perDoc [][]uint32
		for range docs {
			perDoc = append(perDoc, next())
		}
		res.ids = append(res.ids, perDoc)
	}
	for range sweepClasses {
		var cps []rune
		for _, c := range next() {
			cps = append(cps, rune(c))
		}
		res.classes = append(res.classes, cps)
	}
	if len(raw) != 0 {
		tb.Fatalf("unicode.cjs wrote %d bytes too many", len(raw))
	}
	return res
}

// TestUnicodeSweepTiktoken is the full-code-point differential test: every
// Unicode scalar value, in runs with mixed separators, encoded by curate and
// by npm tiktoken (Rust tiktoken in WASM) with cl100k_base, o200k_base and
// gpt2 must give the same ids; and each character class the scanners use must
// hold exactly the code points tiktoken's regex engine puts in it.
func TestUnicodeSweepTiktoken(t *testing.T) {
	docs := sweepDocs(512)
	ref := runTiktokenSweep(t, docs)

	t.Run("classes", func(t *testing.T) {
		member := func(i int) []bool {
			m := make([]bool, unicode.MaxRune+1)
			for _, r := range ref.classes[i] {
				m[r] = true
			}
			return m
		}
		sets := make([][]bool, len(sweepClasses))
		for i := range sweepClasses {
			sets[i] = member(i)
		}
		lu, ll, lt, lm, lo := sets[0], sets[1], sets[2], sets[3], sets[4]
		type classCheck struct {
			name string
			ref  func(rune) bool
			ours func(uint8) bool
		}
		checks := []classCheck{
			{`\p{L}`, func(r rune) bool { return lu[r] || ll[r] || lt[r] || lm[r] || lo[r] }, func(c uint8) bool { return c&cL != 0 }},
			{`[\p{Lu}\p{Lt}]`, func(r rune) bool { return lu[r] || lt[r] }, func(c uint8) bool { return c&cUpper != 0 }},
			{`[\p{Lm}\p{Lo}]`, func(r rune) bool { return lm[r] || lo[r] }, func(c uint8) bool { return c&cLmLo != 0 }},
		}
		for i, c := range sweepClasses {
			if c.want != nil {
				s := sets[i]
				checks = append(checks, classCheck{c.regex, func(r rune) bool { return s[r] }, c.want})
			}
		}
		bmp := bmpClasses()
		for _, c := range checks {
			var bad []string
			members := 0
			for r := rune(0); r <= unicode.MaxRune; r++ {
				if !utf8.ValidRune(r) {
					continue
				}
				cls := classifyRune(r)
				if r < 0x10000 && bmp[r] != cls {
					t.Fatalf("BMP table disagrees with classifyRune at U+%04X", r)
				}
				want := c.ref(r)
				if want {
					members++
				}
				if c.ours(cls) != want {
					bad = append(bad, fmt.Sprintf("U+%04X (tiktoken %v)", r, want))
				}
			}
			if len(bad) > 0 {
				t.Errorf("%s: %d code points classified unlike tiktoken, first %v", c.name, len(bad), bad[:min(8, len(bad))])
			}
			if members == 0 {
				t.Errorf("%s: tiktoken reported no members; the probe is broken", c.name)
			}
		}
	})

	for e, enc := range sweepEncodings {
		t.Run(enc, func(t *testing.T) {
			tok := loadNPMEncoding(t, enc)
			var ids []uint32
			badDocs, tokens := 0, 0
			for i, d := range docs {
				ids = tok.Encode(d, ids[:0])
				tokens += len(ids)
				want := ref.ids[e][i]
				if slices.Equal(ids, want) {
					continue
				}
				badDocs++
				if badDocs <= 3 {
					j := 0
					for j < len(ids) && j < len(want) && ids[j] == want[j] {
						j++
					}
					prefix, _ := tok.Decode(ids[:j], nil)
					near := d[len(prefix):min(len(d), len(prefix)+24)]
					t.Errorf("document %d: ids differ at token %d: ours %v, tiktoken %v; text from there %+q",
						i, j, ids[j:min(len(ids), j+4)], want[j:min(len(want), j+4)], strings.ToValidUTF8(near, "?"))
				}
			}
			if badDocs > 0 {
				t.Errorf("%d of %d sweep documents differ from tiktoken", badDocs, len(docs))
			}
			t.Logf("%d documents, %d tokens, Unicode %s tables", len(docs), tokens, ucdVersion)
		})
	}
}
