package evalset

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeMO writes a little-endian GNU .mo catalogue of pairs.
func writeMO(t *testing.T, path string, pairs [][2]string) {
	t.Helper()
	n := uint32(len(pairs))
	origs, trans := uint32(28), 28+8*n
	var strs bytes.Buffer
	base := 28 + 16*n
	var tab [2][]uint32
	for side := range 2 {
		for _, p := range pairs {
			tab[side] = append(tab[side], uint32(len(p[side])), base+uint32(strs.Len()))
			strs.WriteString(p[side])
			strs.WriteByte(0)
		}
	}
	var b bytes.Buffer
	for _, v := range []uint32{0x950412de, 0, n, origs, trans, 0, 0} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	binary.Write(&b, binary.LittleEndian, tab[0])
	binary.Write(&b, binary.LittleEndian, tab[1])
	b.Write(strs.Bytes())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGettext(t *testing.T) {
	dir := t.TempDir()
	pairs := [][2]string{
		{"", "Content-Type: text/plain; charset=UTF-8\n"},                                // header: skipped
		{"Could not open %s: %s", "Konnte %s nicht öffnen: %s"},                          // directives removed
		{"ctx\x04_Open the <b>file</b>", "Die <b>_Datei</b> öffnen und lesen"},           // context, markup, mnemonic
		{"%d file\x00%d files", "%d Datei wurde gefunden\x00%d Dateien wurden gefunden"}, // plural: first form
		{"Untranslated message text", "Untranslated message text"},                       // skipped
	}
	writeMO(t, filepath.Join(dir, "de", "LC_MESSAGES", "demo.mo"), pairs)
	writeMO(t, filepath.Join(dir, "de_AT", "LC_MESSAGES", "demo.mo"), pairs) // "de" is taken already
	writeMO(t, filepath.Join(dir, "sr@latin", "LC_MESSAGES", "demo.mo"), pairs)
	writeMO(t, filepath.Join(dir, "xx", "LC_MESSAGES", "demo.mo"), pairs) // not a wanted code
	items, err := Gettext(dir, "demo", map[string]bool{"de": true, "sr": true}, 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		if it.Lang != "de" || it.Source != "gettext" || it.Kind != "demo" {
			t.Errorf("unexpected item %+v", it)
		}
		got = append(got, it.Text)
	}
	want := []string{"Konnte nicht öffnen:", "Die Datei öffnen und lesen", "Datei wurde gefunden"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	bad := filepath.Join(dir, "fr", "LC_MESSAGES", "demo.mo")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte("not a catalogue at all, no magic"), 0o644)
	if _, err := Gettext(dir, "demo", map[string]bool{"fr": true}, 10, 5); err == nil || !strings.Contains(err.Error(), "bad magic") {
		t.Errorf("bad catalogue: err = %v", err)
	}
}

// TestGettextDebian reads a real Debian catalogue when it is installed.
func TestGettextDebian(t *testing.T) {
	if _, err := os.Stat(filepath.Join(LocaleDir, "sv", "LC_MESSAGES", "gtk20-properties.mo")); err != nil {
		t.Skip("Debian libgtk2.0-common not installed: run .ci/setup.d/langid.sh")
	}
	items, err := Gettext(LocaleDir, "gtk20-properties", map[string]bool{"sv": true, "hi": true, "nb": true}, 20, 15)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, it := range items {
		per[it.Lang]++
		if strings.ContainsAny(it.Text, "%<_") {
			t.Errorf("%s: not cleaned: %q", it.ID, it.Text)
		}
	}
	for _, l := range []string{"sv", "hi", "nb"} {
		if per[l] != 20 {
			t.Errorf("%s: %d messages, want 20", l, per[l])
		}
	}
}

func TestSentencesAndSnippets(t *testing.T) {
	items := []Item{
		{Source: "udhr", Kind: "para", ID: "x#1", Lang: "en", Text: "Everyone has the right to life. Tiny.\nNo one shall be held in slavery; slavery shall be prohibited!"},
		{Source: "udhr", Kind: "para", ID: "x#2", Lang: "hi", Text: "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता प्राप्त है। उन्हें बुद्धि मिली है।"},
		{Source: "udhr", Kind: "doc", ID: "x", Lang: "en", Text: "ignored. entirely."},
	}
	var got []string
	for _, it := range Sentences(items, 5) {
		got = append(got, it.Text)
	}
	want := []string{"Everyone has the right to life.", "No one shall be held in slavery;", "slavery shall be prohibited!",
		"सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता प्राप्त है।", "उन्हें बुद्धि मिली है।"}
	if !slices.Equal(got, want) {
		t.Errorf("sentences %q, want %q", got, want)
	}
	sn := Snippets(items, "udhr", 20)
	if len(sn) != 2 || sn[0].Text != "Everyone has the" || sn[0].Kind != "snippet20" {
		t.Errorf("snippets %+v", sn)
	}
}
