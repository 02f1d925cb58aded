package dedup

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalization(t *testing.T) {
	def := DefaultNormalization()
	cases := []struct {
		name string
		n    Normalization
		in   string
		want string
	}{
		{"default folds case, space, punctuation", def, "  Hello,   World!\r\n\tIt's  ME.  ", "hello world its me"},
		{"unicode punctuation and case", def, "«Ça va?» — DÉJÀ…", "ça va déjà"},
		{"unicode spaces", def, "a\u00a0\u2003b\u3000c", "a b c"},
		{"NFD input recomposed", def, "Cafe\u0301", "café"},
		{"digits kept by default", def, "Page 12 of 30", "page 12 of 30"},
		{"digits folded", Normalization{Whitespace: true, Digits: true}, "Page 12 of 30", "Page 00 of 00"},
		{"nothing", Normalization{}, " A,b ", " A,b "},
		{"only whitespace", Normalization{Whitespace: true}, "\n a \t b \n", "a b"},
		{"cjk kept", def, "東京は、日本の首都です。", "東京は日本の首都です"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(c.n.Append(nil, c.in)); got != c.want {
				t.Errorf("Append(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestNormalizeURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"HTTP://Example.COM:80/Path?q=A#frag", "http://example.com/Path?q=A"},
		{"https://example.com:443", "https://example.com/"},
		{"https://example.com:8443/x", "https://example.com:8443/x"},
		{"http://user:pw@Example.com./a", "http://example.com/a"},
		{"http://[::1]:80/", "http://[::1]/"},
	}
	for _, c := range cases {
		got, ok := NormalizeURL(c.in)
		if !ok || got != c.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "not a url", "/relative/path", "mailto:x@y"} {
		if got, ok := NormalizeURL(bad); ok {
			t.Errorf("NormalizeURL(%q) = %q, want not ok", bad, got)
		}
	}
}

// pairWithJaccard makes two shingle sets of union u whose Jaccard
// similarity is exactly s (rounded to whole shingles).
func pairWithJaccard(rng *rand.Rand, s float64, u int) ([]uint64, []uint64) {
	inter := int(math.Round(s * float64(u)))
	rest := u - inter
	var a, b []uint64
	for range inter {
		h := rng.Uint64()
		a, b = append(a, h), append(b, h)
	}
	for i := range rest {
		if i%2 == 0 {
			a = append(a, rng.Uint64())
		} else {
			b = append(b, rng.Uint64())
		}
	}
	return a, b
}

func bandsMatch(m *MinHasher, a, b []uint64) bool {
	ka := m.BandKeys(m.SignatureOfShingles(a, nil), nil)
	kb := m.BandKeys(m.SignatureOfShingles(b, nil), nil)
	for i := range ka {
		if ka[i] == kb[i] {
			return true
		}
	}
	return false
}

// TestSCurve checks the measured detection rate against 1-(1-s^r)^b at
// several similarities: the hash family must behave like random
// permutations for the LSH guarantee to hold.
func TestSCurve(t *testing.T) {
	m, err := NewMinHasher(DefaultMinHash(), DefaultNormalization())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	const trials = 400
	for _, s := range []float64{0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9} {
		hits := 0
		for range trials {
			a, b := pairWithJaccard(rng, s, 400)
			if bandsMatch(m, a, b) {
				hits++
			}
		}
		p := m.Options().DetectionProbability(s)
		got := float64(hits) / trials
		// Four binomial standard deviations, plus the error of estimating
		// s itself from 112 hashes, which flattens the curve a little.
		tol := 4*math.Sqrt(p*(1-p)/trials) + 0.03
		if math.Abs(got-p) > tol {
			t.Errorf("s=%.2f: detected %.3f, S-curve says %.3f (tolerance %.3f)", s, got, p, tol)
		}
		t.Logf("s=%.2f detected %.3f expected %.3f", s, got, p)
	}
	if th := m.Options().Threshold(); math.Abs(th-0.719) > 0.01 {
		t.Errorf("threshold of 14x8 = %.3f, want about 0.72", th)
	}
}

// words makes a text of n pseudo-random words.
func words(rng *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("w%d", rng.IntN(50000))
	}
	return out
}

// TestHandMadePairs: texts just above the threshold pair up, texts below
// it do not, and formatting never matters.
func TestHandMadePairs(t *testing.T) {
	m, _ := NewMinHasher(DefaultMinHash(), DefaultNormalization())
	rng := rand.New(rand.NewPCG(3, 4))
	base := words(rng, 2000)
	edit := func(every int) string {
		w := append([]string(nil), base...)
		for i := 0; i < len(w); i += every {
			w[i] = "changed"
		}
		return strings.Join(w, " ")
	}
	orig := strings.Join(base, " ")
	cases := []struct {
		name  string
		other string
		want  bool
	}{
		{"reformatted copy", strings.ToUpper(strings.ReplaceAll(orig, " ", " ,\n ")), true},
		{"one word in 100 changed", edit(100), true},
		{"one word in 40 changed", edit(40), true},
		{"one word in 5 changed", edit(5), false},
		{"unrelated", strings.Join(words(rng, 2000), " "), false},
	}
	sa, _ := m.Signature(orig, "en", nil)
	for _, c := range cases {
		sb, _ := m.Signature(c.other, "en", nil)
		ka, kb := m.BandKeys(sa, nil), m.BandKeys(sb, nil)
		got := false
		for i := range ka {
			got = got || ka[i] == kb[i]
		}
		j := Jaccard(m.Shingles(orig, "en"), m.Shingles(c.other, "en"))
		if got != c.want {
			t.Errorf("%s (Jaccard %.2f): paired=%v, want %v", c.name, j, got, c.want)
		}
	}
}

func TestCharShingles(t *testing.T) {
	m, _ := NewMinHasher(DefaultMinHash(), DefaultNormalization())
	zh := "东京是日本的首都也是最大的城市人口超过一千万"
	if _, ok := m.Signature(zh, "zh", nil); !ok {
		t.Fatal("no signature for Chinese text")
	}
	if n := len(m.Shingles(zh, "zh")); n != len([]rune(zh))-4 {
		t.Errorf("zh shingles = %d, want one per 5-character window (%d)", n, len([]rune(zh))-4)
	}
	if n := len(m.Shingles(zh, "en")); n != 1 {
		t.Errorf("as words the unspaced text is one token: %d shingles", n)
	}
	if _, ok := m.Signature(" ,. ", "en", nil); ok {
		t.Error("a text of punctuation has no signature")
	}
}

func TestSigFileRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w := NewSigWriter()
	var all []Entry
	for row := range uint32(3000) {
		k := Key{rng.Uint64(), rng.Uint64()}
		w.Add(3, k, row)
		all = append(all, Entry{k, row})
	}
	w.Section(SectionURL)
	path := filepath.Join(t.TempDir(), "p.sig")
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, buf.Bytes(), 0o644)
	f, err := OpenSig(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !f.HasSection(SectionURL) || f.Count(SectionURL) != 0 || f.HasSection(SectionExact) {
		t.Error("empty sections must be told from missing ones")
	}
	for _, n := range []int{1, 4, 7} {
		seen := 0
		for r := range n {
			er, err := f.Range(3, r, n)
			if err != nil {
				t.Fatal(err)
			}
			var prev Key
			for {
				e, err := er.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if e.Key.Range(n) != r {
					t.Fatalf("n=%d: key in range %d read in range %d", n, e.Key.Range(n), r)
				}
				if e.Key.Less(prev) {
					t.Fatal("entries out of order")
				}
				prev = e.Key
				seen++
			}
		}
		if seen != len(all) {
			t.Errorf("n=%d: ranges cover %d entries, want %d", n, seen, len(all))
		}
	}
	// A truncated file is an error that names it.
	os.WriteFile(path, buf.Bytes()[:100], 0o644)
	if _, err := OpenSig(path); err == nil || !strings.Contains(err.Error(), "p.sig") {
		t.Errorf("truncated file: %v", err)
	}
}

func TestMergeAndCluster(t *testing.T) {
	dir := t.TempDir()
	// Three parts; key 1 in part0 row0, part1 row2, part2 row1 (one
	// cluster); key 2 in part0 row1 and part2 row0; key 3 alone.
	keys := map[int][]struct {
		k   uint64
		row uint32
	}{
		0: {{1, 0}, {2, 1}},
		1: {{1, 2}, {3, 0}},
		2: {{2, 0}, {1, 1}},
	}
	var srcs []Source
	for p := range 3 {
		w := NewSigWriter()
		for _, e := range keys[p] {
			w.Add(0, Key{e.k << 60, 0}, e.row)
		}
		var buf bytes.Buffer
		w.WriteTo(&buf)
		path := filepath.Join(dir, fmt.Sprint(p))
		os.WriteFile(path, buf.Bytes(), 0o644)
		f, err := OpenSig(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		er, _ := f.Range(0, 0, 1)
		srcs = append(srcs, Source{Entries: er, Base: Ref(p, 0)})
	}
	uf := NewUnionFind()
	st, err := Merge(srcs, func(a, b uint64) error { uf.Union(a, b); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 6 || st.Pairs != 3 {
		t.Errorf("merge stats %+v, want 6 entries, 3 pairs", st)
	}
	cl := uf.Clusters()
	want := [][]uint64{{Ref(0, 0), Ref(1, 2), Ref(2, 1)}, {Ref(0, 1), Ref(2, 0)}}
	if fmt.Sprint(cl) != fmt.Sprint(want) {
		t.Errorf("clusters %v, want %v", cl, want)
	}
	if uf.Has(Ref(1, 0)) {
		t.Error("a document without a duplicate must not be held")
	}
}

func TestSurvivorChoice(t *testing.T) {
	m := func(ref uint64, prio int, length int64, score float32, id string) *Member {
		return &Member{Ref: ref, Priority: prio, Info: DocInfo{Length: length, Score: score, ID: id}}
	}
	cases := []struct {
		name   string
		ms     []*Member
		prefer Prefer
		want   int
	}{
		{"priority first", []*Member{m(1, 1, 900, 1, "a"), m(2, 0, 10, 0.1, "z")}, PreferLongest, 1},
		{"longest", []*Member{m(1, 0, 10, 1, "a"), m(2, 0, 20, 0.1, "z")}, PreferLongest, 1},
		{"language score", []*Member{m(1, 0, 10, 0.9, "z"), m(2, 0, 20, 0.5, "a")}, PreferLanguageScore, 0},
		{"smallest id breaks ties", []*Member{m(1, 0, 10, 1, "b"), m(2, 0, 10, 1, "a")}, PreferLongest, 1},
		{"earlier run always wins", []*Member{m(1, 0, 999, 1, "a"), m(ExternalRef(0, 5, 1), 9, 1, 0, "z")}, PreferLongest, 1},
	}
	for _, c := range cases {
		if got := Survivor(c.ms, c.prefer); got != c.want {
			t.Errorf("%s: survivor %d, want %d", c.name, got, c.want)
		}
		// The order members arrive in must not matter.
		rev := []*Member{c.ms[1], c.ms[0]}
		if got := Survivor(rev, c.prefer); rev[got] != c.ms[c.want] {
			t.Errorf("%s: reversed order picks another survivor", c.name)
		}
	}
}

func TestRecordFilesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	dw, _ := NewDocWriter(&buf)
	in := []DocInfo{{Exact: Key{1, 2}, URL: Key{3, 4}, Length: 77, Score: 0.5, ID: "web/a/1"}, {Exact: Key{5, 6}, Length: 1 << 40, ID: ""}}
	for _, d := range in {
		dw.Write(d)
	}
	dw.Flush()
	p := filepath.Join(dir, "docs")
	os.WriteFile(p, buf.Bytes(), 0o644)
	dr, err := OpenDocs(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		got, err := dr.Next()
		if err != nil || got != in[i] {
			t.Fatalf("record %d: %+v %v, want %+v", i, got, err, in[i])
		}
	}
	if _, err := dr.Next(); err != io.EOF {
		t.Errorf("want EOF, got %v", err)
	}
	dr.Close()
	// Cut mid-record: the error names the file and the offset.
	os.WriteFile(p, buf.Bytes()[:len(buf.Bytes())-3], 0o644)
	dr, _ = OpenDocs(p)
	dr.Next()
	if _, err := dr.Next(); err == nil || !strings.Contains(err.Error(), "docs: offset") {
		t.Errorf("truncated docs file: %v", err)
	}
	dr.Close()

	buf.Reset()
	cw, _ := NewDecisionWriter(&buf)
	ds := []Decision{{Row: 0, Kind: KindSurvivor, ClusterSize: 3}, {Row: 4, Kind: KindNear, SurvivorID: "books/x/1"}}
	for _, d := range ds {
		if err := cw.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Write(Decision{Row: 2, Kind: KindExact}); err == nil {
		t.Error("rows out of order must be refused")
	}
	cw.Flush()
	os.WriteFile(p, buf.Bytes(), 0o644)
	cr, _ := OpenDecisions(p)
	for i := range ds {
		got, err := cr.Next()
		if err != nil || got != ds[i] {
			t.Fatalf("decision %d: %+v %v", i, got, err)
		}
	}
	cr.Close()
}

// refNormalize is the plain rune-by-rune definition Append must match.
func refNormalize(n Normalization, s string) string {
	if n.NFC {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	pending := false
	for _, r := range s {
		isSpace := r < utf8.RuneSelf && (r == ' ' || (r >= '\t' && r <= '\r')) || r >= utf8.RuneSelf && unicode.IsSpace(r)
		isPunct := r < utf8.RuneSelf && r > ' ' && r < 127 && !unicode.IsLetter(r) && !unicode.IsDigit(r) || r >= utf8.RuneSelf && unicode.IsPunct(r)
		switch {
		case n.Whitespace && isSpace:
			pending = b.Len() > 0
			continue
		case n.Punctuation && isPunct:
			continue
		}
		if n.Lowercase {
			r = unicode.ToLower(r)
		}
		if n.Digits && unicode.IsDigit(r) {
			r = '0'
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestNormalizationMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	alphabet := []rune("aZ09 ,.!\t\n\r-_'\"()éÉ\u0301ß\u00a0\u2003«»…—ИиΣς東京İȺ\u3000")
	for trial := range 3000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		s := sb.String()
		n := Normalization{NFC: rng.IntN(2) == 0, Lowercase: rng.IntN(2) == 0, Whitespace: rng.IntN(2) == 0, Punctuation: rng.IntN(2) == 0, Digits: rng.IntN(2) == 0}
		prefix := []byte("keep:")
		got := string(n.Append(prefix, s))
		if want := "keep:" + refNormalize(n, s); got != want {
			t.Fatalf("trial %d %+v: Append(%q) = %q, want %q", trial, n, s, got, want)
		}
	}
}

// TestSigWriterSpillSameBytes: a writer that spills every few entries
// writes the same file as one that holds everything.
func TestSigWriterSpillSameBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	mem, spill := NewSigWriter(), NewSpillingSigWriter(t.TempDir(), 37)
	defer spill.Close()
	for _, w := range []*SigWriter{mem, spill} {
		w.Section(SectionURL)
	}
	for row := range uint32(2000) {
		for _, sec := range []uint32{0, 1, SectionExact} {
			// Few distinct keys, so equal keys span runs.
			k := Key{uint64(rng.IntN(50)) << 58, uint64(sec)}
			for _, w := range []*SigWriter{mem, spill} {
				if err := w.Add(sec, k, row); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if spill.Entries() >= 37 || len(spill.runs) < 100 {
		t.Fatalf("spilling writer holds %d entries in %d runs", spill.Entries(), len(spill.runs))
	}
	var a, b bytes.Buffer
	if _, err := mem.WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	if _, err := spill.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("spilled and in-memory signature files differ")
	}
}

// TestNFCInert proves what isNFC assumes of the runes it steps over.
func TestNFCInert(t *testing.T) {
	for b := 0x80; b < 0xc0; b++ {
		r, _ := utf8.DecodeRune([]byte{0xe2, 0x80, byte(b)})
		if !nfcInert[b&0x3f] {
			continue
		}
		p := norm.NFC.PropertiesString(string(r))
		if !norm.NFC.IsNormalString(string(r)) || p.CCC() != 0 || !p.BoundaryBefore() || !p.BoundaryAfter() || len(p.Decomposition()) != 0 {
			t.Errorf("U+%04X is marked inert but is not NFC-inert (ccc %d, decomposition %q)", r, p.CCC(), p.Decomposition())
		}
		// And it never composes with what precedes it.
		for _, prev := range []string{"e", "a", "\u0301", "ᄀ"} {
			if s := prev + string(r); norm.NFC.String(s) != s {
				t.Errorf("%q + U+%04X changes under NFC", prev, r)
			}
		}
	}
	// isNFC may say no to a normal text (the caller then normalises it,
	// at a cost), never yes to one that is not.
	for _, s := range []string{"e\u2019\u0301", "\u2019\u0301x", "a\u2014\u0301", "Cafe\u0301 \u201c", "\u2018e\u0301\u2019"} {
		if isNFC(s) && !norm.NFC.IsNormalString(s) {
			t.Errorf("isNFC(%q) = true for a text that is not NFC", s)
		}
	}
	if !isNFC("“Quoted” — she said… ‘so’ – fine ‰ † •") {
		t.Error("typographic punctuation must take the fast path")
	}
}
