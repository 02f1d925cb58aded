package extract

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// tokenStream renders a page's tokens as the extractor sees them: tag
// names (start, end) and text, comments and doctypes left out, CR and
// CRLF folded to LF as the standard's input stream does (the extractor
// treats CR as white space).
func tokenStream(next func() html.TokenType, raw, text func() []byte) string {
	var b strings.Builder
	var nameBuf []byte
	for {
		tt := next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			t := bytes.ReplaceAll(text(), []byte("\r\n"), []byte("\n"))
			b.Write(bytes.ReplaceAll(t, []byte("\r"), []byte("\n")))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := rawTag(raw(), &nameBuf)
			b.WriteString("<" + string(name) + ">")
		case html.EndTagToken:
			name, _ := rawTag(raw(), &nameBuf)
			b.WriteString("</" + string(name) + ">")
		}
	}
}

// TestLexerMatchesXNetTokenizer compares the lexer with x/net/html's
// tokenizer over the real benchmark pages: the same tags in the same
// order and the same text.
func TestLexerMatchesXNetTokenizer(t *testing.T) {
	pages := samplePages(t, 15)
	n := 0
	for bench, ps := range pages {
		for _, p := range ps {
			_, page := extractPage(t, NewFast(Options{}), p)
			l := newLexer(page)
			got := tokenStream(l.Next, l.Raw, l.Text)
			z := html.NewTokenizer(bytes.NewReader(page))
			want := tokenStream(z.Next, z.Raw, z.Text)
			if got != want {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("%s %s: token streams differ at byte %d:\nlexer:  %.120q\nx/net:  %.120q", bench, p.ID, i, got[i:], want[i:])
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d pages compared", n)
	}
}

func TestLexerEdgeCases(t *testing.T) {
	for _, tc := range []string{
		`<p title="a > b">x</p>`,
		`<p>a < b and c<d</p>`,
		`<!DOCTYPE html><!-- <p>no</p> --><p>yes</p>`,
		`<script>if (a</b) {}</script><p>after</p>`,
		`<SCRIPT>x</Script ><p>y</p>`,
		`<title>A &amp; B</title><style>p>q{}</style>`,
		`<br/><img src=x alt='y'/>text&nbsp;more &#39;q&#x27;`,
		`</ >bogus<?php echo 1 ?><p>z`,
		`<p>unterminated <b`,
	} {
		l := newLexer([]byte(tc))
		got := tokenStream(l.Next, l.Raw, l.Text)
		z := html.NewTokenizer(strings.NewReader(tc))
		want := tokenStream(z.Next, z.Raw, z.Text)
		if got != want {
			t.Errorf("%s\nlexer: %q\nx/net: %q", tc, got, want)
		}
	}
}

func TestFastSelfClosingRawText(t *testing.T) {
	page := `<html><head><title/>Real title</title><script src="x.js" />var hidden = "never text";</script></head>
<body><p>The only paragraph of this page, with enough words to be an article body.</p></body></html>`
	res, _ := NewFast(Options{}).Extract([]byte(page), "")
	if strings.Contains(res.Text, "never text") || !strings.Contains(res.Text, "The only paragraph") {
		t.Errorf("text %q", res.Text)
	}
}

// FuzzFast: any bytes extract without panicking, and the lexer always
// reaches the end (go test -fuzz FuzzFast to explore; the seeds run in
// the default suite).
func FuzzFast(f *testing.F) {
	for _, s := range []string{"", "<", "</", "<!--", "<a b='", "<script>", "<p>x<br/>y</p>", "<title>", "<!x", "&amp", "<table><td>a<td>b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l := newLexer(b)
		for steps := 0; l.Next() != html.ErrorToken; steps++ {
			if steps > len(b)+1 {
				t.Fatalf("lexer does not advance on %q", b)
			}
		}
		if _, err := NewFast(Options{IncludeTables: true}).Extract(b, ""); err != nil {
			t.Fatal(err)
		}
	})
}
