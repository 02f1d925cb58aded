package evalset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

func TestWikiParagraphs(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"links keep labels, lose namespaces",
			"The [[cat|felis]] sat on [[mat]].[[Category:Animals]] [[File:Cat.jpg|thumb|A [[cat]] here]] end",
			[]string{"The felis sat on mat. end"}},
		{"nested templates and tables go",
			"A {{infobox|x={{nested|y}}}} b\n{|\n| cell\n|}\nc",
			[]string{"A b", "c"}}, // the table leaves a blank line
		{"references, comments and tags go",
			"Fact<ref name=\"a\">cite</ref> one<ref name=b/> two<!-- hidden --> <small>three</small>",
			[]string{"Fact one two three"}},
		{"headings, lists, emphasis and entities",
			"== Head ==\n'''Bold''' and ''italic'' &amp; more\n\n* item one\n# item two",
			[]string{"Bold and italic & more", "item one item two"}},
		{"external links keep their label",
			"See [https://example.org the site] now.",
			[]string{"See the site now."}},
		{"markup only gives nothing", "{{stub}}\n[[Category:X]]\n__NOTOC__", nil},
	}
	for _, tc := range tests {
		if got := WikiParagraphs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestGutenbergBodyAndDecode(t *testing.T) {
	text := "Title: X\nLanguage: French\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nBody line.\n\nMore.\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nLicence."
	if got := GutenbergBody(text); got != "Body line.\n\nMore." {
		t.Errorf("body %q", got)
	}
	if got := GutenbergBody("no markers\n"); got != "no markers" {
		t.Errorf("text without markers: %q", got)
	}
	old := "*** START OF THIS PROJECT GUTENBERG EBOOK Y ***\nOld body.\nEnd of the Project Gutenberg EBook"
	if got := GutenbergBody(old); got != "Old body." {
		t.Errorf("old-style markers: %q", got)
	}
	if got := decodeText([]byte("\uFEFFcafé")); got != "café" {
		t.Errorf("UTF-8 with BOM: %q", got)
	}
	if got := decodeText([]byte("caf\xe9 \xe0")); got != "café à" {
		t.Errorf("ISO-8859-1: %q", got)
	}
	if got := paragraphs("a\nb\n\n \n\r\nc\r\n"); !slices.Equal(got, []string{"a\nb", "c"}) {
		t.Errorf("paragraphs %q", got)
	}
	items := []Item{{ID: "0"}, {ID: "1"}, {ID: "2"}, {ID: "3"}, {ID: "4"}, {ID: "5"}}
	var ids []string
	for _, it := range spread(items, 3) {
		ids = append(ids, it.ID)
	}
	if !slices.Equal(ids, []string{"0", "2", "4"}) || len(spread(items, 0)) != 6 || len(spread(items, 10)) != 6 {
		t.Errorf("spread: %q", ids)
	}
}

func TestWikipediaBadDumps(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("xxwiki-nodb.xml", `<mediawiki><page><title>T</title><ns>0</ns><revision><text>x</text></revision></page></mediawiki>`)
	if _, err := Wikipedia(dir, map[string]bool{"xx": true}, 5, 5); err == nil || !strings.Contains(err.Error(), "xxwiki-nodb.xml") || !strings.Contains(err.Error(), "language unknown") {
		t.Errorf("page before <dbname>: error %v", err)
	}
	os.Remove(filepath.Join(dir, "xxwiki-nodb.xml"))
	write("dewiki-x.xml", `<mediawiki><siteinfo><dbname>dewiki</dbname></siteinfo><page><title>T</title><ns>0</ns><revision><text>`+strings.Repeat("Ein Satz mit Wörtern. ", 40)+`</text></revision></page></mediawiki>`)
	if items, err := Wikipedia(dir, map[string]bool{"fr": true}, 5, 5); err != nil || len(items) != 0 {
		t.Errorf("a dump in a language not asked for: %d items, %v", len(items), err)
	}
	items, err := Wikipedia(dir, map[string]bool{"de": true}, 5, 5)
	if err != nil || len(items) != 2 || items[0].Kind != "doc" || items[1].Kind != "para" || items[0].Lang != "de" {
		t.Errorf("one German article: %+v, %v", items, err)
	}
	if _, err := UDHR(dir, map[string]bool{"en": true}); err == nil || !strings.Contains(err.Error(), "no declarations") {
		t.Errorf("UDHR on a folder without declarations: %v", err)
	}
}

// scriptOf returns the share of the letters of s in table.
func scriptOf(s string, table *unicode.RangeTable) float64 {
	in, n := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
			if unicode.Is(table, r) {
				in++
			}
		}
	}
	return float64(in) / float64(max(n, 1))
}

// TestWikipediaCorpus reads the real dumps (xz, bzip2, the UTF-16 bgwiki,
// the truncated ones) with small limits: each language's items come in its
// script, clean of markup, within the size rules.
func TestWikipediaCorpus(t *testing.T) {
	dir := corpustest.Dir(t, "wikipedia")
	codes := map[string]bool{"en": true, "bg": true, "uk": true, "el": true, "ja": true}
	items, err := Wikipedia(dir, codes, 3, 6)
	if err != nil {
		t.Fatal(err)
	}
	scripts := map[string]*unicode.RangeTable{"en": unicode.Latin, "bg": unicode.Cyrillic, "uk": unicode.Cyrillic, "el": unicode.Greek, "ja": unicode.Han}
	docs, paras := map[string]int{}, map[string]int{}
	perArticle := map[string]int{}
	for _, it := range items {
		if it.Source != "wikipedia" || !codes[it.Lang] {
			t.Fatalf("item %s: source %q language %q", it.ID, it.Source, it.Lang)
		}
		for _, m := range []string{"{{", "[[", "<ref", "'''"} {
			if strings.Contains(it.Text, m) {
				t.Errorf("%s: markup %q left", it.ID, m)
			}
		}
		min := 0.5
		if it.Lang == "ja" {
			min = 0.2 // kana and Latin names share Japanese prose
		}
		if s := scriptOf(it.Text, scripts[it.Lang]); s < min {
			t.Errorf("%s (%s): only %.0f%% of letters in the language's script", it.ID, it.Lang, 100*s)
		}
		switch it.Kind {
		case "doc":
			docs[it.Lang]++
			if len(it.Text) < 500 {
				t.Errorf("%s: article of %d bytes, want >= 500", it.ID, len(it.Text))
			}
		case "para":
			paras[it.Lang]++
			perArticle[strings.Split(it.ID, "¶")[0]]++
			if len(it.Text) < 150 {
				t.Errorf("%s: paragraph of %d bytes, want >= 150", it.ID, len(it.Text))
			}
		}
	}
	for lang := range codes {
		if docs[lang] == 0 || paras[lang] == 0 {
			t.Errorf("%s: %d articles, %d paragraphs", lang, docs[lang], paras[lang])
		}
		if lang != "bg" && (docs[lang] > 3 || paras[lang] > 6) { // bgwiki has 3 pages, enwiki one dump
			t.Errorf("%s: %d articles, %d paragraphs: limits 3 and 6 per dump", lang, docs[lang], paras[lang])
		}
	}
	for a, n := range perArticle {
		if n > 5 {
			t.Errorf("%s: %d paragraphs from one article, want <= 5", a, n)
		}
	}
}

func TestBooksCorpus(t *testing.T) {
	dir := corpustest.Dir(t, "books")
	items, err := Books(dir, map[string]string{"French": "fr", "Spanish": "es"}, 4)
	if err != nil {
		t.Fatal(err)
	}
	books := map[string]int{}
	for _, it := range items {
		if it.Lang != "fr" && it.Lang != "es" {
			t.Fatalf("%s: language %q not asked for", it.ID, it.Lang)
		}
		if it.Kind == "doc" {
			books[it.Lang]++
			if strings.Contains(it.Text, "START OF THE PROJECT GUTENBERG") || strings.Contains(it.Text, "END OF THE PROJECT GUTENBERG") || strings.HasPrefix(it.Text, "\uFEFF") {
				t.Errorf("%s: Gutenberg header, footer or BOM left in the body", it.ID)
			}
			continue
		}
		if len(it.Text) < 150 || strings.Contains(it.Text, "\n") {
			t.Errorf("%s: paragraph of %d bytes or with a line break", it.ID, len(it.Text))
		}
	}
	if books["fr"] < 2 || books["es"] < 1 {
		t.Errorf("books per language %v: want the French and Spanish ones", books)
	}
	if n := len(items); n > (books["fr"]+books["es"])*5 {
		t.Errorf("%d items: at most 4 paragraphs per book expected", n)
	}
}

func TestUDHRDeclarations(t *testing.T) {
	dir := UDHRDir()
	if dir == "" {
		t.Skip(ErrNoUDHR.Error())
	}
	items, err := UDHR(dir, map[string]bool{"en": true, "ru": true, "sr": true})
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]int{}
	for _, it := range items {
		if strings.ContainsAny(it.Text, "<>") {
			t.Errorf("%s: HTML left: %.80q", it.ID, it.Text)
		}
		if it.Kind == "doc" {
			docs[it.Lang]++
			// Serbian in Latin script is left out: lingua's Serbian is Cyrillic.
			if it.Lang == "sr" && scriptOf(it.Text, unicode.Cyrillic) < 0.9 {
				t.Errorf("%s: Serbian declaration not in Cyrillic", it.ID)
			}
		}
	}
	if docs["en"] == 0 || docs["ru"] == 0 || docs["sr"] == 0 {
		t.Errorf("declarations per language %v", docs)
	}
}
