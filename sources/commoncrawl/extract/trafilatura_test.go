package extract

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestRenderText(t *testing.T) {
	tests := []struct{ html, want string }{
		{`<p>One <b>two</b> three.</p><p>Four.</p>`, "One two three.\nFour."},
		{`<ul><li>a</li><li>b<br>c</li></ul>`, "a\nb\nc"},
		{`<pre>x  =  1
y = 2</pre>`, "x  =  1\ny = 2"},
		{`<table><tr><td>a</td><td>b</td></tr></table>`, "a | b"},
		{`<div>x<script>evil()</script><style>p{}</style></div>`, "x"},
		{`<p><em>challenges</em>` + "\u00a0" + `and</p>`, "challenges and"},
		{`<p>a` + boundarySpace + `b</p>`, "a b"},
	}
	for _, tc := range tests {
		n, err := html.Parse(strings.NewReader(tc.html))
		if err != nil {
			t.Fatal(err)
		}
		if got := RenderText(n); got != tc.want {
			t.Errorf("RenderText(%q) = %q, want %q", tc.html, got, tc.want)
		}
	}
}

// TestTrafilaturaKeepsBoundarySpaces puts the two cases of issue 14 (and
// their neighbours) into an article that go-trafilatura keeps, and expects
// every word separated as in the HTML, and no space invented where the
// HTML has none.
func TestTrafilaturaKeepsBoundarySpaces(t *testing.T) {
	filler := strings.Repeat("<p>This is a long filler paragraph of ordinary prose, written so that the extractor sees an article body here.</p>\n", 5)
	tests := []struct{ html, want string }{
		{`<p>Open <strong>data</strong> that can be <strong>accessed</strong> by anyone, anywhere, for any purpose at all.</p>`,
			"Open data that can be accessed by anyone, anywhere, for any purpose at all."},
		{`<p>We face challenges&nbsp;and&nbsp;create new things every day, for all of us, together.</p>`,
			"We face challenges and create new things every day, for all of us, together."},
		{`<p>We face <em>challenges</em>&nbsp;and <em>create</em>&nbsp;new things every day, for all of us.</p>`,
			"We face challenges and create new things every day, for all of us."},
		{`<p>What everyone <strong>will</strong> appreciate, though, is the extra bank in the wallet.</p>`,
			"What everyone will appreciate, though, is the extra bank in the wallet."},
		{`<p>Two <b>bold</b> <i>words</i> side by side, then <a href="/x">a link</a>, and more prose here.</p>`,
			"Two bold words side by side, then a link, and more prose here."},
		{`<p>No<span>space</span> inside a word, as the HTML has it, and <b>bo</b>ld too, for the test.</p>`,
			"Nospace inside a word, as the HTML has it, and bold too, for the test."},
	}
	x := NewTrafilatura(Options{})
	for _, tc := range tests {
		page := "<html><body><article>" + filler + tc.html + filler + "</article></body></html>"
		res, err := x.Extract([]byte(page), "http://example.com/a")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Text, tc.want) {
			t.Errorf("%s\nwant line %q in\n%s", tc.html, tc.want, res.Text)
		}
	}
}
