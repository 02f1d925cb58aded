package books

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

func readBook(t testing.TB, path string) *doc.Document {
	t.Helper()
	src, err := New(DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return readWith(t, src, path)
}

func readWith(t testing.TB, src *Source, path string) *doc.Document {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := src.Open(sources.Unit{Input: sources.Input{Path: path, Size: st.Size()}, End: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d, err := r.Next()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("%s: want one document, got %v", path, err)
	}
	return d
}

// Every book in the shared corpus: no licence boilerplate survives, and the
// first and last sentences of the body do.
func TestCorpusBooksStripped(t *testing.T) {
	dir := corpustest.Dir(t, "books")
	cases := []struct {
		file, first, last, title, lang, ebook string
	}{
		{"pandp10.txt", "It is a truth universally acknowledged", "uniting them.", "", "", "1342"},
		{"pandp12.txt", "It is a truth universally acknowledged", "uniting them.", "Pride and Prejudice", "en", "1342"},
		{"1342-0.txt", "It is a truth universally acknowledged", "uniting them.", "Pride and Prejudice", "en", "1342"},
		{"pg1342.txt", "GEORGE ALLEN", "TOOKS COURT, CHANCERY LANE, LONDON.", "Pride and Prejudice", "en", "1342"},
		{"43-0.txt", "Mr. Utterson the lawyer", "unhappy Henry Jekyll to an end.", "The Strange Case Of Dr. Jekyll And Mr. Hyde", "en", "43"},
		{"308-0.txt", "There were four of us", "", "Three Men in a Boat (to say nothing of the dog)", "en", "308"},
		{"pg4657.txt", "", "", "", "en", "4657"},
		{"24675-8.txt", "", "", "Ontboezemingen", "nl", "24675"},
		{"Candide.txt", "", "", "Candide", "fr", "4650"},
		{"20000-Lieues-sous-les-mers.txt", "", "", "20000 Lieues sous les mers Parts 1&2", "fr", "5097"},
		{"gutenbergbooks-84-0.txt", "", "", "", "", ""},
	}
	byFile := map[string]int{}
	for i, c := range cases {
		byFile[c.file] = i
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no books in %s: %v", dir, err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			d := readBook(t, path)
			for _, bad := range []string{"PROJECT GUTENBERG", "Project Gutenberg-tm", "SMALL PRINT", "Small Print", "FULL LICENSE", "\r", "\ufeff"} {
				if i := strings.Index(d.Text, bad); i >= 0 {
					lo := max(0, i-80)
					t.Errorf("boilerplate %q survives at %d: ...%s...", bad, i, d.Text[lo:min(len(d.Text), i+80)])
				}
			}
			if strings.Contains(d.Text, "\uFFFD") {
				t.Errorf("replacement character in text: decoding went wrong")
			}
			i, ok := byFile[name]
			if !ok {
				return
			}
			c := cases[i]
			head := d.Text[:min(len(d.Text), 3000)]
			if c.first != "" && !strings.Contains(head, c.first) {
				t.Errorf("first sentence %q missing from the start: %q", c.first, head[:min(len(head), 300)])
			}
			if c.last != "" && !strings.HasSuffix(strings.TrimSpace(d.Text), c.last) {
				t.Errorf("body should end with %q, ends %q", c.last, d.Text[max(0, len(d.Text)-200):])
			}
			if c.title != "" && d.Meta["title"] != c.title {
				t.Errorf("title %q, want %q", d.Meta["title"], c.title)
			}
			if d.Language != c.lang {
				t.Errorf("language %q, want %q", d.Language, c.lang)
			}
			if d.Meta["ebook_number"] != c.ebook {
				t.Errorf("ebook %q, want %q", d.Meta["ebook_number"], c.ebook)
			}
		})
	}
}

func TestParseMarkerVariants(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"modern", "Title: X\n\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nBody line.\n\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\nlicence", "Body line."},
		{"this+comma", "*** START OF THIS PROJECT GUTENBERG EBOOK, X ***\nBody.\nEnd of the Project Gutenberg EBook of X\n*** END OF THIS", "Body."},
		{"no spaces", "***START OF THE PROJECT GUTENBERG EBOOK X***\nBody.\n***END OF THE PROJECT GUTENBERG EBOOK X***", "Body."},
		{"split start", "*** START OF THIS PROJECT GUTENBERG EBOOK\nTHE LONG TITLE ***\nBody.\n*** END OF THIS PROJECT GUTENBERG EBOOK", "Body."},
		{"etext no end line", "*** START OF THE PROJECT GUTENBERG ETEXT OF X ***\nBody.\n***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN EBOOKS**START***\nlegal\n*END THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*\nEnd of The Project Gutenberg Etext of X", "Body."},
		{"1990s small print on top", "Project Gutenberg's Etext of X\n***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\nlegal\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\nBody one.\nBody two.\nb\nc\nd\ne\nf\ng\nEnd of Project Gutenberg's Etext of X", "Body one.\nBody two.\nb\nc\nd\ne\nf\ng"},
		{"full licence only", "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nBody.\nSTART: FULL LICENSE\nlegal", "Body."},
		{"unmarked", "Just a body.\nTwo lines.", "Just a body.\nTwo lines."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Parse(c.in).Body; got != c.want {
				t.Errorf("body %q, want %q", got, c.want)
			}
		})
	}
}

func TestDecodeEncodings(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string
		enc  string
	}{
		{"utf8 bom crlf", []byte("\xef\xbb\xbfcaf\xc3\xa9\r\nx"), "café\nx", "utf-8-bom"},
		{"latin1", []byte("Gabri\xebl\r\n"), "Gabriël\n", "iso-8859-1"},
		{"utf16le", []byte("\xff\xfeh\x00i\x00"), "hi", "utf-16"},
		{"ascii", []byte("plain"), "plain", "utf-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, enc, err := decode(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want || enc != c.enc {
				t.Errorf("got %q/%s, want %q/%s", got, enc, c.want, c.enc)
			}
		})
	}
}

func BenchmarkBooksSource(b *testing.B) {
	dir := corpustest.Dir(b, "books")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	var size int64
	for _, f := range files {
		st, _ := os.Stat(f)
		size += st.Size()
	}
	b.SetBytes(size)
	for b.Loop() {
		for _, f := range files {
			readBook(b, f)
		}
	}
}
