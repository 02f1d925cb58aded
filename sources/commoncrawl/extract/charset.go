package extract

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// ToUTF8 decodes an HTML body to UTF-8 and names the charset it used.
//
// Order: a byte-order mark; then the declaration (the HTTP header's charset,
// else a <meta charset> or <meta http-equiv=Content-Type> found by the HTML
// standard's prescan of the first 1024 bytes; no other element declares a
// page's charset); then detection. A declaration the bytes contradict loses
// to detection: bytes that are valid UTF-8 with multi-byte sequences are
// UTF-8 whatever the page says (legacy text is almost never valid UTF-8 by
// accident), a "utf-8" page with invalid bytes and no valid multi-byte
// sequence is detected, and a legacy multi-byte charset whose decoding yields
// many replacement characters is detected.
func ToUTF8(body []byte, headerCharset string) ([]byte, string) {
	for _, b := range boms {
		if bytes.HasPrefix(body, b.bom) {
			enc, name := charset.Lookup(b.name)
			return decode(enc, name, body[len(b.bom):])
		}
	}
	declared := strings.TrimSpace(headerCharset)
	var enc encoding.Encoding
	var name string
	if declared != "" {
		enc, name = charset.Lookup(declared)
	}
	if enc == nil {
		enc, name = MetaCharset(head(body, 1024))
	}
	if strings.HasPrefix(name, "utf-16") {
		// A UTF-16 label on bytes without a BOM is wrong in practice.
		enc, name = charset.Lookup("utf-8")
	}
	valid, multi, invalid := utf8Stats(body)
	switch {
	case valid && multi == 0 && enc == nil && bytes.Contains(body, []byte("\x1b$B")):
		// 7-bit ISO-2022-JP is valid UTF-8 byte for byte; its escape
		// sequences say what it is.
		enc, name = charset.Lookup("iso-2022-jp")
		return decode(enc, name, body)
	case valid && (multi > 0 || enc == nil || name == "utf-8"):
		return body, "utf-8"
	case enc != nil && name == "utf-8":
		if multi > 0 && invalid <= multi {
			// Mostly UTF-8 with a few broken bytes: keep it.
			return bytes.ToValidUTF8(body, []byte("\uFFFD")), "utf-8"
		}
	case enc != nil:
		out, err := enc.NewDecoder().Bytes(body)
		if err == nil && !tooManyReplacements(body, out) {
			return out, name
		}
	}
	if enc, name := detect(body); enc != nil {
		return decode(enc, name, body)
	}
	if valid {
		return body, "utf-8"
	}
	enc, name = charset.Lookup("windows-1252")
	return decode(enc, name, body)
}

var boms = []struct {
	bom  []byte
	name string
}{
	{[]byte("\xef\xbb\xbf"), "utf-8"},
	{[]byte("\xfe\xff"), "utf-16be"},
	{[]byte("\xff\xfe"), "utf-16le"},
}

func decode(enc encoding.Encoding, name string, body []byte) ([]byte, string) {
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

// detect guesses the charset statistically; nil when the detector has no
// answer Go can decode.
func detect(body []byte) (encoding.Encoding, string) {
	r, err := chardet.NewHtmlDetector().DetectBest(head(body, 64<<10))
	if err != nil {
		return nil, ""
	}
	enc, name := charset.Lookup(r.Charset)
	if enc == nil {
		return nil, ""
	}
	if name == "iso-8859-1" {
		// WHATWG maps Latin-1 labels to windows-1252, which also covers
		// the 0x80-0x9F smart quotes that pages labelled Latin-1 use.
		enc, name = charset.Lookup("windows-1252")
	}
	return enc, name
}

// utf8Stats reports whether b is valid UTF-8 (a sequence cut at the very
// end, as Common Crawl's 1 MiB truncation leaves, does not count against
// it), how many multi-byte sequences it holds and how many invalid bytes.
func utf8Stats(b []byte) (valid bool, multi, invalid int) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			if len(b)-i < utf8.UTFMax && !utf8.FullRune(b[i:]) {
				break // cut at the end
			}
			invalid++
			i++
			continue
		}
		multi++
		i += size
	}
	return invalid == 0, multi, invalid
}

// tooManyReplacements tells a legacy decoding that produced more than a
// trace of U+FFFD (beyond those already in the input as UTF-8 bytes).
func tooManyReplacements(in, out []byte) bool {
	n := bytes.Count(out, []byte("\uFFFD")) - bytes.Count(in, []byte("\uFFFD"))
	if n <= 0 {
		return false
	}
	nonASCII := 0
	for _, c := range in {
		if c >= 0x80 {
			nonASCII++
		}
	}
	return n*50 > nonASCII // over 2 % of the non-ASCII bytes
}

// MetaCharset is the HTML standard's prescan for a charset declaration:
// only <meta charset=...> and <meta http-equiv="Content-Type"
// content="...charset=..."> count; a charset attribute on any other element
// (an archive toolbar's <script charset="utf-8">) does not. A declared
// UTF-16 means UTF-8, as the standard says for ASCII-compatible bytes.
func MetaCharset(b []byte) (encoding.Encoding, string) {
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tag, hasAttr := z.TagName()
			if string(tag) != "meta" {
				continue
			}
			var pragma bool
			var fromCharset, fromContent string
			seen := map[string]bool{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := string(k)
				if seen[key] {
					continue
				}
				seen[key] = true
				val := strings.ToLower(string(v))
				switch key {
				case "http-equiv":
					pragma = strings.TrimSpace(val) == "content-type"
				case "content":
					fromContent = charsetFromContent(val)
				case "charset":
					fromCharset = val
				}
			}
			label := fromCharset
			if label == "" && pragma {
				label = fromContent
			}
			if label == "" {
				continue
			}
			enc, name := charset.Lookup(label)
			if enc == nil {
				continue
			}
			if strings.HasPrefix(name, "utf-16") {
				enc, name = charset.Lookup("utf-8")
			}
			return enc, name
		}
	}
}

// charsetFromContent extracts the charset of a content="text/html;
// charset=..." value, as the standard's algorithm does.
func charsetFromContent(s string) string {
	for {
		i := strings.Index(s, "charset")
		if i < 0 {
			return ""
		}
		s = strings.TrimLeft(s[i+len("charset"):], " \t\n\f\r")
		if !strings.HasPrefix(s, "=") {
			continue
		}
		s = strings.TrimLeft(s[1:], " \t\n\f\r")
		if s == "" {
			return ""
		}
		if q := s[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(s[1:], q); j >= 0 {
				return s[1 : 1+j]
			}
			return ""
		}
		if j := strings.IndexAny(s, "; \t\n\f\r"); j >= 0 {
			return s[:j]
		}
		return s
	}
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
