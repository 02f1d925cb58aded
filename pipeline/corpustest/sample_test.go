package corpustest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestFeatures(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"plain text", []string{"script:Latin"}},
		{"line\r\nend", []string{"crlf", "script:Latin"}},
		{"old\rmac", []string{"cr", "script:Latin"}},
		{"a\tb" + strings.Repeat(" ", 16) + "c", []string{"script:Latin", "tab", "ws-run"}},
		{strings.Repeat(" ", 15) + "x", []string{"script:Latin"}},
		{"Привет мир", []string{"script:Cyrillic"}},
		{"日本語のテキスト", []string{"script:Han", "script:Hiragana", "script:Katakana"}},
		{"ναι", []string{"script:Greek"}},
		{"e\u0301", []string{"mark", "script:Latin"}},
		{"👍🏽", []string{"astral", "emoji"}},
		{"👩\u200d💻", []string{"astral", "emoji", "zwj"}},
		{"\uFEFFThe", []string{"bom", "script:Latin"}},
		{"a\u00a0b", []string{"nbsp", "script:Latin"}},
		{"bad \xff byte", []string{"invalid-utf8", "script:Latin"}},
		{"\uFFFD", []string{"fffd"}},
		{"٣", []string{"digit:other"}},
		{"ሰላም", []string{"script:Ethiopic"}},
	}
	for _, tc := range tests {
		if got := Features(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Features(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSampleBoundedSpreadAndCovering(t *testing.T) {
	// Two groups: 200 English lines, and 100 lines of which one is
	// Cyrillic with CRLF and one has an emoji, both deep inside.
	var items, groups []string
	for i := range 200 {
		items = append(items, fmt.Sprintf("english line number %03d of the first group", i))
		groups = append(groups, "a")
	}
	for i := range 100 {
		s := fmt.Sprintf("second group line %03d", i)
		switch i {
		case 57:
			s = "кириллица\r\n"
		case 73:
			s = "thumbs 👍"
		}
		items = append(items, s)
		groups = append(groups, "b")
	}
	text := func(i int) string { return items[i] }
	group := func(i int) string { return groups[i] }
	o := SampleOptions{GroupBytes: 400, PerFeature: 1}
	got := Sample(len(items), group, text, o)
	if again := Sample(len(items), group, text, o); !slices.Equal(got, again) {
		t.Fatal("Sample is not deterministic")
	}
	bytes := map[string]int{}
	var sample []string
	for _, i := range got {
		bytes[groups[i]] += len(items[i])
		sample = append(sample, items[i])
	}
	// The spread takes at most GroupBytes plus one item; feature items come
	// on top.
	if bytes["a"] > 400+60 || bytes["b"] > 400+60+40 {
		t.Errorf("sample too large: %v", bytes)
	}
	if !slices.Contains(got, 0) || !slices.Contains(got, 200) {
		t.Errorf("the first item of each group must be in: %v", got)
	}
	if got[len(got)-1] < 280 && !slices.ContainsFunc(got, func(i int) bool { return i > 150 && i < 200 }) {
		t.Errorf("picks are not spread over the groups: %v", got)
	}
	if m := Missing(items, sample); len(m) != 0 {
		t.Errorf("sample misses features %q", m)
	}
	idx, found := SampleFound(len(items), group, text, o)
	if !slices.Equal(idx, got) || !slices.Contains(found, "emoji") || !slices.Contains(found, "key:x") == (o.Keys != nil) {
		t.Errorf("SampleFound: %v, found %q", idx, found)
	}
	if u := Uncovered(found, sample); len(u) != 0 {
		t.Errorf("Uncovered on the sample = %q", u)
	}
	if u := Uncovered(found, sample[:1]); !slices.Contains(u, "emoji") || !slices.Contains(u, "script:Cyrillic") || !slices.Contains(u, "crlf") {
		t.Errorf("Uncovered on a one-item sample = %q", u)
	}
	if m := Missing(items, sample[:1]); !slices.Equal(m, []string{"crlf", "emoji", "script:Cyrillic"}) && len(m) < 3 {
		t.Errorf("Missing on a one-item sample = %q", m)
	}
}

func TestWindowsCoverTextAtLineEnds(t *testing.T) {
	s := strings.Repeat("short line\n", 50) + strings.Repeat("é", 300) + "\nend"
	ws := Windows(s, 64)
	if strings.Join(ws, "") != s {
		t.Fatal("windows do not concatenate to the text")
	}
	for i, w := range ws[:len(ws)-1] {
		if len(w) > 64 {
			t.Errorf("window %d has %d bytes", i, len(w))
		}
		if !strings.HasSuffix(w, "\n") && !strings.Contains(w, "é") {
			t.Errorf("window %d %q does not end at a line end", i, w)
		}
		if !strings.HasSuffix(w, "\n") && strings.ToValidUTF8(w, "?") != w {
			t.Errorf("window %d cuts a character", i)
		}
	}
}

func TestFullFlag(t *testing.T) {
	t.Setenv("CURATE_CORPUS_FULL", "1")
	if !Full() {
		t.Error("CURATE_CORPUS_FULL=1 must select the full sweep")
	}
	t.Setenv("CURATE_CORPUS_FULL", "0")
	if Full() && !*fullFlag {
		t.Error("CURATE_CORPUS_FULL=0 must not select the full sweep")
	}
}
