package books

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
)

// creditStart is what must not open any of a body's first paragraphs: the
// credit lines the issue found in 16 of 24 books.
var creditStart = regexp.MustCompile(`(?i)^\s*(produced by|transcribed from|this e-?(text|book) was produced|scanned and proofread|special thanks|e-?text prepared by|this file was produced)`)

// TestCorpusCreditsStripped reads every corpus book: no credit paragraph is
// left at the top, the books that had one lose it, and the first sentence
// of the book (or its title page) is still the start of the text.
func TestCorpusCreditsStripped(t *testing.T) {
	dir := corpustest.Dir(t, "books")
	firsts := map[string]string{
		"1184-0.txt":                        "THE COUNT OF MONTE CRISTO",
		"1342-0.txt":                        "PRIDE AND PREJUDICE",
		"1952-0.txt":                        "THE YELLOW WALLPAPER",
		"308-0.txt":                         "THREE MEN IN A BOAT",
		"pg768.txt":                         "WUTHERING HEIGHTS",
		"pg4657.txt":                        "PERSONAL NARRATIVE OF A PILGRIMAGE",
		"pg42078.txt":                       "[Transcriber's Note",
		"Candide.txt":                       "OEUVRES",
		"2701-0.txt":                        "MOBY-DICK;",
		"pg1080.txt":                        "A MODEST PROPOSAL",
		"pg24823.txt":                       "BIBLIOTECA de LA NACIÓN",
		"Madame_Bovary_GustaveFlaubert.txt": "Gustave Flaubert",
		"pandp12.txt":                       "Pride and Prejudice", // had no credits: untouched
	}
	// The text of the book itself is all still there.
	sentences := map[string]string{
		"1952-0.txt": "It is very seldom that mere ordinary people like John and myself secure\nancestral halls for the summer.",
		"pg768.txt":  "1801.--I have just returned from a visit to my landlord",
		"1342-0.txt": "It is a truth universally acknowledged",
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	stripped := 0
	for _, path := range files {
		name := filepath.Base(path)
		d := readBook(t, path)
		raw := readUnstripped(t, path)
		if raw != d.Text {
			stripped++
		}
		off := 0
		for n := 0; n < creditParagraphs && off < len(d.Text); n++ {
			start, end, next := paragraphAt(d.Text, off)
			if p := d.Text[start:end]; creditStart.MatchString(p) {
				t.Errorf("%s: credit paragraph left: %q", name, p)
			}
			off = next
		}
		if want, ok := firsts[name]; ok && !strings.HasPrefix(strings.TrimSpace(d.Text), want) {
			t.Errorf("%s: text starts %q, want %q", name, d.Text[:min(len(d.Text), 80)], want)
		}
		if s, ok := sentences[name]; ok && !strings.Contains(d.Text[:min(len(d.Text), 4000)], s) {
			t.Errorf("%s: first sentence %q lost", name, s)
		}
	}
	if stripped < 16 {
		t.Errorf("credits stripped from %d books, want the 16+ that have them", stripped)
	}
}

// readUnstripped is the body with strip_credits off.
func readUnstripped(t *testing.T, path string) string {
	t.Helper()
	o := DefaultOptions()
	o.StripCredits = false
	src, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return readWith(t, src, path).Text
}

func TestStripCredits(t *testing.T) {
	s, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	const book = "THE TITLE\n\nby An Author\n\nIt was a dark and stormy night; the rain fell in torrents."
	tests := []struct {
		name, body, want string
		removed          int
	}{
		{"produced by, two lines", "Produced by Jane Roe and the Online Distributed\nProofreading Team at http://www.pgdp.net\n\n\n" + book, book, 1},
		{"transcribed from an edition", "Transcribed from the 1889 J. W. Arrowsmith edition by David Price, email\nccx074@pglaf.org\n\n" + book, book, 1},
		{"this etext was produced from", "This etext was produced from the 1915 edition.\n\n" + book, book, 1},
		{"scanned and proofread", "Scanned and proofread by Mary Smith.\n\n" + book, book, 1},
		{"special thanks", "Produced by A.\n\nSpecial thanks are due to the library for the loan of the book.\n\n" + book, book, 2},
		{"e-text prepared by", "E-text prepared by the volunteers.\n\n" + book, book, 1},
		{"html version by", "HTML version by Al Haines.\n\n" + book, book, 1},
		{"nothing to strip", book, book, 0},
		{"a credit later in the book is the book's", book + "\n\nProduced by the mill, the cloth was sold at the fair.", book + "\n\nProduced by the mill, the cloth was sold at the fair.", 0},
		{"no scan past the first long paragraph", strings.Repeat("Long prose sentence of the book. ", 20) + "\n\nProduced by X.", strings.Repeat("Long prose sentence of the book. ", 20) + "\n\nProduced by X.", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, n := stripCredits(tc.body, s.credits)
			if got != tc.want || n != tc.removed {
				t.Errorf("got %q (%d removed), want %q (%d)", got, n, tc.want, tc.removed)
			}
		})
	}
	// Configurable: own patterns replace the default list.
	o := DefaultOptions()
	o.CreditPatterns = []string{`digitised by`}
	own, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := stripCredits("Digitised by a library.\n\nProduced by X.\n\n"+book, own.credits); got != "Produced by X.\n\n"+book {
		t.Errorf("own patterns: %q", got)
	}
	o.CreditPatterns = []string{`(`}
	if _, err := New(o); err == nil || !strings.Contains(err.Error(), "credit_patterns[0]") {
		t.Errorf("bad pattern: %v", err)
	}
}
