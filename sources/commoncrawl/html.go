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
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/curate-dev/curate/sources/commoncrawl/extract"
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

// toUTF8 decodes a body to UTF-8 (BOM, declared charset, detection; see
// extract.ToUTF8) and names the charset used.
func toUTF8(body []byte, headerCharset string) ([]byte, string) {
	return extract.ToUTF8(body, headerCharset)
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
