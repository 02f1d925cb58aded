package commoncrawl

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httputil"
	nurl "net/url"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"github.com/klauspost/compress/gzip"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// httpPage is the parts of an archived HTTP response the source needs.
type httpPage struct {
	status      int
	contentType string // media type, lower case, without parameters
	charsetHdr  string // charset parameter of Content-Type, if any
	body        []byte // de-chunked and decompressed
}

// errNotHTTP marks a response block that is not an HTTP message.
var errNotHTTP = errors.New("block is not an HTTP response")

// parseHTTP splits an archived HTTP response into status, headers and a
// decoded body. Crawlers disagree on what they store: Common Crawl keeps the
// bytes as sent but renames Transfer-Encoding; wget keeps chunking as is;
// ClueWeb stores bodies already gunzipped yet keeps "Content-Encoding: gzip".
// So each decoding step is tried only when the bytes say it applies, and the
// HTTP Content-Length (often stale after such rewrites) is ignored.
func parseHTTP(block []byte) (*httpPage, error) {
	end := bytes.Index(block, []byte("\r\n\r\n"))
	sep := 4
	if lf := bytes.Index(block, []byte("\n\n")); lf >= 0 && (end < 0 || lf < end) {
		end, sep = lf, 2
	}
	if end < 0 || !bytes.HasPrefix(block, []byte("HTTP/")) {
		return nil, errNotHTTP
	}
	head := append(withoutContentLength(block[:end]), "\r\n\r\n"...)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(head)), nil)
	if err != nil {
		return nil, fmt.Errorf("HTTP header: %w", err)
	}
	resp.Body.Close()
	p := &httpPage{status: resp.StatusCode}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		if mt, params, err := mime.ParseMediaType(ct); err == nil {
			p.contentType, p.charsetHdr = mt, params["charset"]
		} else {
			// "text/html; charset=" and similar junk: keep the type.
			p.contentType = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
		}
	}
	body := block[end+sep:]
	// net/http moves "chunked" out of the header map into TransferEncoding.
	if len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked" {
		if dec, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(body))); err == nil {
			body = dec
		}
	}
	switch strings.ToLower(resp.Header.Get("Content-Encoding")) {
	case "gzip", "x-gzip":
		if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				if dec, err := io.ReadAll(zr); err == nil || len(dec) > 0 {
					body = dec
				}
			}
		}
	case "deflate":
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			if dec, err := io.ReadAll(zr); err == nil {
				body = dec
			}
		} else if dec, err := io.ReadAll(flate.NewReader(bytes.NewReader(body))); err == nil {
			body = dec
		}
	}
	p.body = body
	return p, nil
}

// withoutContentLength copies an HTTP header block minus its Content-Length
// fields. The body is always the rest of the WARC record's block, so the
// HTTP length is never needed, and net/http rejects the values archives do
// hold: pywb writes "Content-Length: -1" beside "Transfer-Encoding: chunked"
// (RFC 9112 §6.3: Transfer-Encoding wins and Content-Length is ignored), and
// without chunking an invalid or repeated length must fall back to the
// record's block length rather than lose the page.
func withoutContentLength(head []byte) []byte {
	out := make([]byte, 0, len(head))
	for len(head) > 0 {
		line := head
		rest := []byte(nil)
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, rest = head[:i+1], head[i+1:]
		}
		head = rest
		name, _, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Length")) {
			continue
		}
		out = append(out, line...)
	}
	return bytes.TrimRight(out, "\r\n")
}

// isHTML reports whether a page is HTML, by its declared type or, when
// none is declared, by sniffing.
func isHTML(p *httpPage) bool {
	switch p.contentType {
	case "text/html", "application/xhtml+xml":
		return true
	case "":
		return strings.HasPrefix(http.DetectContentType(p.body), "text/html")
	}
	return false
}

// toUTF8 decodes an HTML body: the charset of the HTTP header wins, then a
// byte-order mark, then a <meta> declaration, then valid UTF-8, then
// statistical detection. It returns the text and the charset's name.
func toUTF8(body []byte, headerCharset string) ([]byte, string) {
	var enc encoding.Encoding
	var name string
	if headerCharset != "" {
		enc, name = charset.Lookup(headerCharset)
	}
	if enc == nil && utf8.Valid(body) && !bytes.HasPrefix(body, []byte("\xfe\xff")) && !bytes.HasPrefix(body, []byte("\xff\xfe")) {
		// Undeclared (or only <meta>-declared) bytes that are valid UTF-8
		// are UTF-8 in practice; for ASCII every declaration agrees.
		return bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), "utf-8"
	}
	if enc == nil {
		var certain bool
		enc, name, certain = charset.DetermineEncoding(body, "")
		// DetermineEncoding guesses windows-1252 when it finds nothing;
		// a statistical detector does better on CJK and Cyrillic pages.
		if !certain && name == "windows-1252" && !hasMetaCharset(body) {
			if r, err := chardet.NewHtmlDetector().DetectBest(head(body, 64<<10)); err == nil {
				if e, n := charset.Lookup(r.Charset); e != nil {
					enc, name = e, n
				}
			}
		}
	}
	if name == "utf-8" {
		if utf8.Valid(body) {
			return body, name
		}
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), name
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), name
	}
	return out, name
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// hasMetaCharset tells a real "windows-1252" declaration from
// DetermineEncoding's default guess.
func hasMetaCharset(body []byte) bool {
	h := bytes.ToLower(head(body, 1024))
	return bytes.Contains(h, []byte("charset"))
}

// extracted is the main text of a page.
type extracted struct {
	text, title, lang string
}

// extractor runs trafilatura with the source's settings. It holds no
// per-page state and is safe for concurrent use.
type extractor struct {
	opts trafilatura.Options
}

func newExtractor(o Options) *extractor {
	t := trafilatura.Options{
		ExcludeComments: !o.IncludeComments,
		ExcludeTables:   !o.IncludeTables,
		EnableFallback:  o.Fallback,
		// The page date comes from WARC-Date; htmldate is slow and unused.
		HtmlDateMode: trafilatura.Disabled,
	}
	switch strings.ToLower(o.Focus) {
	case "precision":
		t.Focus = trafilatura.FavorPrecision
	case "recall":
		t.Focus = trafilatura.FavorRecall
	}
	return &extractor{opts: t}
}

// extract parses UTF-8 HTML and returns its main text and title.
func (x *extractor) extract(page []byte, pageURL string) (extracted, error) {
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return extracted{}, fmt.Errorf("parsing HTML: %w", err)
	}
	opts := x.opts
	if u, err := nurl.Parse(pageURL); err == nil {
		opts.OriginalURL = u
	}
	res, err := trafilatura.ExtractDocument(root, opts)
	if err != nil {
		return extracted{}, err
	}
	text := ""
	if res.ContentNode != nil {
		text = renderText(res.ContentNode)
	}
	if text == "" {
		text = strings.TrimSpace(res.ContentText)
	}
	return extracted{
		text:  text,
		title: strings.TrimSpace(res.Metadata.Title),
		lang:  res.Metadata.Language,
	}, nil
}

func mimeParse(ct string) (string, map[string]string, error) {
	if ct == "" {
		return "", map[string]string{}, nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if params == nil {
		params = map[string]string{}
	}
	return mt, params, err
}

// blockTags end a line in rendered text. trafilatura's ContentText joins
// every paragraph with a space, which would leave line-based quality rules
// (Gopher, C4) one line per page; rendering its content tree instead keeps
// one line per paragraph, heading, list item or table row, as the Python
// trafilatura's text output (FineWeb's input) does.
var blockTags = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"li": true, "ul": true, "ol": true, "dl": true, "dt": true, "dd": true, "blockquote": true,
	"pre": true, "table": true, "tr": true, "section": true, "article": true, "header": true,
	"footer": true, "figure": true, "figcaption": true, "hr": true, "main": true, "aside": true,
	"details": true, "summary": true, "address": true, "center": true,
}

// renderText turns an extracted content tree into plain text.
func renderText(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node, pre bool)
	space := false // a collapsed space is pending
	newline := func() {
		s := b.String()
		if len(s) > 0 && s[len(s)-1] != '\n' {
			b.WriteByte('\n')
		}
		space = false
	}
	walk = func(n *html.Node, pre bool) {
		switch n.Type {
		case html.TextNode:
			if pre {
				b.WriteString(n.Data)
				return
			}
			for i, f := range strings.Fields(n.Data) {
				if i > 0 || (space || startsSpace(n.Data)) {
					s := b.String()
					if len(s) > 0 && s[len(s)-1] != '\n' && s[len(s)-1] != ' ' {
						b.WriteByte(' ')
					}
				}
				b.WriteString(f)
			}
			space = endsSpace(n.Data)
			return
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template", "head":
				return
			case "br":
				newline()
				return
			case "td", "th":
				if s := b.String(); len(s) > 0 && s[len(s)-1] != '\n' {
					b.WriteString(" | ")
				}
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			newline()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, pre || (n.Type == html.ElementNode && n.Data == "pre"))
		}
		if block {
			newline()
		}
	}
	walk(n, false)
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func startsSpace(s string) bool { return s != "" && strings.ContainsRune(" \t\r\n\f", rune(s[0])) }
func endsSpace(s string) bool   { return s != "" && strings.ContainsRune(" \t\r\n\f", rune(s[len(s)-1])) }
