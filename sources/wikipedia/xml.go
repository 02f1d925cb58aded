package wikipedia

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pageScanner cuts a MediaWiki export stream into <page> elements without a
// general XML parser. The export schema (0.10, 0.11) is fixed and regular:
// elements never nest inside <text>, whose content is always escaped, so
// searching for the literal tags is exact, and it runs at memchr speed where
// encoding/xml would cost more than the bzip2 decode it sits behind.
type pageScanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // start of unconsumed bytes in buf
	base int64 // decompressed offset of buf[0]
	eof  bool
	err  error // read error other than io.EOF (a corrupt or cut stream)
	// limit bounds the bytes held for one page or the header, so memory
	// stays flat whatever the input: a page past it is skipped, reported.
	limit int
	// site is a <siteinfo> met between pages (a second dump concatenated
	// onto the first), handed out once with the next page.
	site []byte
}

var (
	tagSiteinfo    = []byte("<siteinfo>")
	tagSiteinfoEnd = []byte("</siteinfo>")
)

// catchSiteinfo looks at bytes a page search is about to let go: a
// <siteinfo> there starts a new dump, whose language and namespaces hold
// for the pages after it. It keeps at most maxHeaderBytes of it.
func (s *pageScanner) catchSiteinfo(region []byte) {
	if s.site == nil {
		i := bytes.Index(region, tagSiteinfo)
		if i < 0 {
			return
		}
		region = region[i:]
		s.site = make([]byte, 0, 4<<10)
	}
	if len(s.site)+len(region) <= maxHeaderBytes {
		s.site = append(s.site, region...)
	}
}

const readChunk = 256 << 10

// MaxPageBytes bounds one <page> element (escaped XML). MediaWiki caps an
// article's wikitext at 2 MiB ($wgMaxArticleSize); escaping can triple it.
// A page beyond this is not a real page: it is skipped and reported, so a
// corrupt or hostile dump cannot make a reader hold gigabytes.
const MaxPageBytes = 64 << 20

// maxHeaderBytes bounds what is kept of the text before the first <page>
// (the <siteinfo>, a few KB in real dumps).
const maxHeaderBytes = 4 << 20

func newPageScanner(r io.Reader) *pageScanner {
	return &pageScanner{r: r, buf: make([]byte, 0, readChunk*4), limit: MaxPageBytes}
}

// errTooLarge reports that a search ran past the scanner's limit.
const tooLarge = -2

// fill reads one more chunk, compacting consumed bytes away first. It
// returns false when nothing more can be read.
func (s *pageScanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 && s.pos >= len(s.buf)/2 {
		n := copy(s.buf, s.buf[s.pos:])
		s.buf = s.buf[:n]
		s.base += int64(s.pos)
		s.pos = 0
	}
	if cap(s.buf)-len(s.buf) < readChunk {
		nb := make([]byte, len(s.buf), 2*cap(s.buf)+readChunk)
		copy(nb, s.buf)
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
	s.buf = s.buf[:len(s.buf)+n]
	if err == io.EOF {
		s.eof = true
	} else if err != nil {
		s.err = err
	}
	return n > 0 || (!s.eof && s.err == nil)
}

// find returns the index in buf of sep, searching from buf[from:], reading
// more input as needed; -1 when the input ends first. With limit > 0 it
// gives up with tooLarge once more than limit bytes from s.pos are held.
// With skip, bytes before the search point are let go as it advances (the
// caller wants only what follows sep), so the search holds no more than a
// chunk however far sep is.
func (s *pageScanner) find(from int, sep []byte, limit int, skip bool) int {
	for {
		if i := bytes.Index(s.buf[from:], sep); i >= 0 {
			return from + i
		}
		// Keep the last len(sep)-1 bytes searchable across the boundary.
		from = max(len(s.buf)-len(sep)+1, s.pos)
		if skip {
			s.catchSiteinfo(s.buf[s.pos:from])
			s.pos = from
		} else if limit > 0 && len(s.buf)-s.pos > limit {
			return tooLarge
		}
		old := s.pos
		if !s.fill() {
			return -1
		}
		from -= old - s.pos
	}
}

var (
	tagPage     = []byte("<page>")
	tagPageEnd  = []byte("</page>")
	tagRevision = []byte("<revision>")
)

// header reads up to the first <page> and returns the
// bytes before it. For a multistream unit that starts mid-file it returns
// whatever precedes the first page, usually nothing.
func (s *pageScanner) header() []byte {
	i := s.find(s.pos, tagPage, maxHeaderBytes, false)
	if i == tooLarge {
		// No <page> in the first MBs (a file that is not a dump, or a dump
		// without pages): keep its start for the siteinfo; next() skips
		// through the rest without holding it.
		return bytes.Clone(s.buf[s.pos:min(len(s.buf), s.pos+maxHeaderBytes)])
	}
	if i < 0 {
		i = len(s.buf)
	}
	return s.buf[s.pos:i]
}

// rawPage is one <page> element and where it started.
type rawPage struct {
	body   []byte // from "<page>" to "</page>" inclusive, or to the end when cut
	offset int64  // decompressed offset of "<page>"
	cut    bool   // the input ended before "</page>"
	// tooLarge: the page was bigger than the scanner's limit and skipped;
	// body holds only its start (for the id and title).
	tooLarge bool
	// site is the <siteinfo> of a new dump that starts before this page.
	site []byte
}

// next returns the next page; io.EOF after the last one. A stream error is
// returned after the complete pages before it.
func (s *pageScanner) next() (rawPage, error) {
	start := s.find(s.pos, tagPage, 0, true)
	if start >= 0 {
		s.catchSiteinfo(s.buf[s.pos:start])
	}
	var site []byte
	if s.site != nil && bytes.Contains(s.site, tagSiteinfoEnd) {
		site, s.site = s.site, nil
	}
	if start < 0 {
		s.pos = len(s.buf)
		if s.err != nil {
			return rawPage{}, s.err
		}
		return rawPage{}, io.EOF
	}
	s.pos = start
	end := s.find(start+len(tagPage), tagPageEnd, s.limit, false)
	if end == tooLarge {
		// Keep the page's head for the record error, then let the rest go
		// up to its end tag.
		p := rawPage{body: bytes.Clone(s.buf[s.pos:min(len(s.buf), s.pos+64<<10)]), offset: s.base + int64(s.pos), tooLarge: true, site: site}
		s.pos = len(s.buf)
		if e := s.find(s.pos, tagPageEnd, 0, true); e >= 0 {
			s.pos = e + len(tagPageEnd)
		} else {
			s.pos = len(s.buf)
		}
		return p, nil
	}
	if end < 0 {
		p := rawPage{body: s.buf[s.pos:], offset: s.base + int64(s.pos), cut: true, site: site}
		s.pos = len(s.buf)
		return p, nil
	}
	end += len(tagPageEnd)
	p := rawPage{body: s.buf[s.pos:end], offset: s.base + int64(s.pos), site: site}
	s.pos = end
	return p, nil
}

// page is the part of a <page> element a document needs.
type page struct {
	title     string
	ns        int
	id        string
	revID     string
	timestamp string
	redirect  bool
	text      []byte // still XML-escaped
}

// between returns the content of the first <tag>...</tag> in b.
func between(b []byte, open, close string) ([]byte, bool) {
	i := bytes.Index(b, []byte(open))
	if i < 0 {
		return nil, false
	}
	b = b[i+len(open):]
	j := bytes.Index(b, []byte(close))
	if j < 0 {
		return nil, false
	}
	return b[:j], true
}

// parsePage extracts the fields of one page. Errors describe what is wrong;
// the caller adds file and offset. Whatever was read (id, title) is returned
// even on error so that the message can name the page.
func parsePage(b []byte) (page, error) {
	var p page
	rev := bytes.Index(b, tagRevision)
	head := b
	if rev >= 0 {
		head = b[:rev]
	}
	if t, ok := between(head, "<title>", "</title>"); ok {
		p.title = unescapeXML(t)
	}
	if id, ok := between(head, "<id>", "</id>"); ok {
		p.id = string(bytes.TrimSpace(id))
	}
	if p.id == "" {
		return p, errors.New("page has no <id>")
	}
	if _, err := strconv.ParseUint(p.id, 10, 64); err != nil {
		return p, fmt.Errorf("page id %q is not a number", p.id)
	}
	if p.title == "" {
		return p, errors.New("page has no <title>")
	}
	ns, ok := between(head, "<ns>", "</ns>")
	if !ok {
		return p, errors.New("page has no <ns>")
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(ns)))
	if err != nil {
		return p, fmt.Errorf("bad <ns> %q", ns)
	}
	p.ns = n
	p.redirect = bytes.Contains(head, []byte("<redirect"))
	if rev < 0 {
		return p, errors.New("page has no <revision>")
	}
	r := b[rev:]
	if id, ok := between(r, "<id>", "</id>"); ok {
		p.revID = string(bytes.TrimSpace(id))
	}
	if ts, ok := between(r, "<timestamp>", "</timestamp>"); ok {
		p.timestamp = string(bytes.TrimSpace(ts))
	}
	ti := bytes.Index(r, []byte("<text"))
	if ti < 0 {
		return p, errors.New("revision has no <text>")
	}
	r = r[ti:]
	gt := bytes.IndexByte(r, '>')
	if gt < 0 {
		return p, errors.New("unterminated <text> tag")
	}
	if r[gt-1] == '/' {
		return p, nil // <text ... /> : empty or deleted revision
	}
	r = r[gt+1:]
	te := bytes.Index(r, []byte("</text>"))
	if te < 0 {
		return p, errors.New("<text> is not closed")
	}
	p.text = r[:te]
	return p, nil
}

var xmlEntities = map[string]string{"lt": "<", "gt": ">", "amp": "&", "quot": `"`, "apos": "'"}

// unescapeXML decodes the five XML entities and numeric character
// references. Text left as-is when an entity is unknown, as browsers do.
func unescapeXML(b []byte) string {
	i := bytes.IndexByte(b, '&')
	if i < 0 {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b))
	for i >= 0 {
		sb.Write(b[:i])
		b = b[i:]
		semi := bytes.IndexByte(b[:min(len(b), 12)], ';')
		done := false
		if semi > 1 {
			ent := string(b[1:semi])
			if v, ok := xmlEntities[ent]; ok {
				sb.WriteString(v)
				done = true
			} else if ent[0] == '#' {
				var n uint64
				var err error
				if len(ent) > 1 && (ent[1] == 'x' || ent[1] == 'X') {
					n, err = strconv.ParseUint(ent[2:], 16, 32)
				} else {
					n, err = strconv.ParseUint(ent[1:], 10, 32)
				}
				if err == nil && utf8.ValidRune(rune(n)) {
					sb.WriteRune(rune(n))
					done = true
				}
			}
		}
		if done {
			b = b[semi+1:]
		} else {
			sb.WriteByte('&')
			b = b[1:]
		}
		i = bytes.IndexByte(b, '&')
	}
	sb.Write(b)
	return sb.String()
}

// siteInfo is what a document needs from <siteinfo>.
type siteInfo struct {
	dbname string
	base   string // e.g. https://en.wikipedia.org/wiki/Main_Page
	// xmlLang is the xml:lang of the <mediawiki> root element.
	xmlLang string
	// namespaces maps key to name; names of File (6), Media (-2) and
	// Category (14) feed the converter.
	namespaces map[int]string
}

func parseSiteInfo(h []byte) siteInfo {
	si := siteInfo{namespaces: map[int]string{}}
	if i := bytes.Index(h, []byte("<mediawiki")); i >= 0 {
		root := h[i:]
		if gt := bytes.IndexByte(root, '>'); gt >= 0 {
			root = root[:gt]
		}
		if v, ok := between(root, `xml:lang="`, `"`); ok {
			si.xmlLang = string(bytes.TrimSpace(v))
		}
	}
	if v, ok := between(h, "<dbname>", "</dbname>"); ok {
		si.dbname = string(bytes.TrimSpace(v))
	}
	if v, ok := between(h, "<base>", "</base>"); ok {
		si.base = unescapeXML(bytes.TrimSpace(v))
	}
	ns, _ := between(h, "<namespaces>", "</namespaces>")
	for {
		i := bytes.Index(ns, []byte("<namespace "))
		if i < 0 {
			break
		}
		ns = ns[i:]
		gt := bytes.IndexByte(ns, '>')
		if gt < 0 {
			break
		}
		tag := ns[:gt]
		key := 0
		if k, ok := between(tag, `key="`, `"`); ok {
			key, _ = strconv.Atoi(string(k))
		}
		ns = ns[gt+1:]
		if tag[len(tag)-1] == '/' {
			continue
		}
		if end := bytes.Index(ns, []byte("</namespace>")); end >= 0 {
			si.namespaces[key] = unescapeXML(ns[:end])
			ns = ns[end:]
		}
	}
	return si
}
