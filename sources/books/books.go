// Package books reads Project Gutenberg plain-text books: one document per
// file, with the Project Gutenberg header, licence and footer stripped for
// every marker variant PG has used since the 1990s, and title, author,
// language and ebook number taken from the header into meta.
package books

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// Options configures the books source.
type Options struct {
	// MaxBytes is the largest book read; a bigger file is an error, since a
	// book is held whole while its footer is found. Default 64 MiB.
	MaxBytes int64 `yaml:"max_bytes"`
	// KeepUnmarked keeps files that have no Project Gutenberg markers at
	// all (PG's own GitHub mirror ships bodies only). Default true.
	KeepUnmarked bool `yaml:"keep_unmarked"`
	// StripCredits removes the volunteers' credit paragraphs at the top of
	// the body ("Produced by ...", "Transcribed from the 1889 ... edition
	// by ...", "This etext was produced from ..."). Default true.
	StripCredits bool `yaml:"strip_credits"`
	// CreditPatterns are the regular expressions (case-insensitive,
	// matched at the start of a paragraph among the body's first ones) that
	// make a paragraph a credit; empty means DefaultCreditPatterns.
	CreditPatterns []string `yaml:"credit_patterns"`
}

// DefaultOptions are the defaults a config starts from.
func DefaultOptions() Options {
	return Options{MaxBytes: 64 << 20, KeepUnmarked: true, StripCredits: true}
}

// UnmarshalYAML fills defaults before decoding; the old-style signature keeps
// the decoder's unknown-key strictness.
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports impossible settings.
func (o Options) Validate() error {
	if o.MaxBytes <= 0 {
		return fmt.Errorf("max_bytes must be positive, got %d", o.MaxBytes)
	}
	if _, err := compileCredits(o.CreditPatterns); err != nil {
		return err
	}
	return nil
}

// Source is the books source kind.
type Source struct {
	opts    Options
	credits *regexp.Regexp // nil: credits stay
}

// New builds the source.
func New(opts Options) (*Source, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Source{opts: opts}
	if opts.StripCredits {
		patterns := opts.CreditPatterns
		if len(patterns) == 0 {
			patterns = DefaultCreditPatterns
		}
		var err error
		if s.credits, err = compileCredits(patterns); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Units reads every book whole: one unit per file.
func (s *Source) Units(inputs []sources.Input) ([]sources.Unit, error) {
	return sources.WholeFile(inputs), nil
}

// Open reads one book.
func (s *Source) Open(u sources.Unit) (doc.Reader, error) {
	st, err := sources.OpenUnit(u)
	if err != nil {
		return nil, err
	}
	return &reader{src: s, stream: st, size: u.Input.Size}, nil
}

type reader struct {
	src    *Source
	stream *sources.Stream
	size   int64 // of the raw input; a capacity hint for plain files
	done   bool
	counts doc.Counts
}

// Counts reports the credit paragraphs removed ("books.credit_paragraphs")
// and the books that had any ("books.credits_stripped"), for the report.
func (r *reader) Counts() doc.Counts { return r.counts }

// readAllSized reads up to limit bytes, starting from a buffer of the
// input's size so a plain book is read without regrowing copies.
func readAllSized(r io.Reader, limit, hint int64) ([]byte, error) {
	if hint <= 0 || hint > limit {
		hint = 64 << 10
	}
	buf := bytes.NewBuffer(make([]byte, 0, hint+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
}

func (r *reader) Close() error { return r.stream.Close() }

// InputOffset is how many raw input bytes have been read, for progress.
func (r *reader) InputOffset() int64 { return r.stream.CompressedOffset() }

func (r *reader) Next() (*doc.Document, error) {
	if r.done {
		return nil, io.EOF
	}
	r.done = true
	path := r.stream.Path
	raw, err := readAllSized(r.stream, r.src.opts.MaxBytes+1, r.size)
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > r.src.opts.MaxBytes {
		return nil, fmt.Errorf("%s: book larger than max_bytes (%d)", path, r.src.opts.MaxBytes)
	}
	text, enc, err := decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	book := Parse(text)
	if !book.Marked && !r.src.opts.KeepUnmarked {
		return nil, io.EOF
	}
	if strings.TrimSpace(book.Body) == "" {
		return nil, &doc.RecordError{File: path, Record: "book", Offset: -1,
			Err: fmt.Errorf("no body text left after stripping the Project Gutenberg header and footer")}
	}
	body, credits := stripCredits(book.Body, r.src.credits)
	if credits > 0 {
		r.counts = doc.Counts{"books.credit_paragraphs": int64(credits), "books.credits_stripped": 1}
	}
	d := &doc.Document{Text: body, Language: book.Language}
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if book.EbookNumber != "" {
		id = book.EbookNumber
		d.URL = "https://www.gutenberg.org/ebooks/" + book.EbookNumber
	}
	d.ID = id
	d.SetMeta("title", book.Title)
	d.SetMeta("author", book.Author)
	d.SetMeta("declared_language", book.LanguageName)
	d.SetMeta("ebook_number", book.EbookNumber)
	d.SetMeta("encoding", enc)
	return d, nil
}

// decode turns raw bytes into UTF-8 text with LF line endings. PG files
// come as ASCII, UTF-8 with or without a BOM, UTF-16 with a BOM, and
// ISO-8859-1 ("-8.txt" files); anything that is not valid UTF-8 is taken as
// Latin-1, which PG declares for its 8-bit files.
func decode(raw []byte) (string, string, error) {
	enc := "utf-8"
	switch {
	case bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")):
		raw = raw[3:]
		enc = "utf-8-bom"
	case bytes.HasPrefix(raw, []byte("\xff\xfe")), bytes.HasPrefix(raw, []byte("\xfe\xff")):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(raw)
		if err != nil {
			return "", "", fmt.Errorf("utf-16: %w", err)
		}
		raw, enc = out, "utf-16"
	default:
		switch sniff := sources.SniffUTF16(raw[:min(len(raw), 4096)]); sniff {
		case sources.UTF16LE, sources.UTF16BE:
			order := unicode.LittleEndian
			if sniff == sources.UTF16BE {
				order = unicode.BigEndian
			}
			out, err := unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder().Bytes(raw)
			if err != nil {
				return "", "", fmt.Errorf("utf-16 without BOM: %w", err)
			}
			raw, enc = out, "utf-16-nobom"
		case sources.Binary:
			return "", "", errors.New("NUL bytes in no UTF-16 pattern: not a text file")
		}
	}
	if !utf8.Valid(raw) {
		out, err := charmap.ISO8859_1.NewDecoder().Bytes(raw)
		if err != nil {
			return "", "", fmt.Errorf("latin-1: %w", err)
		}
		raw, enc = out, "iso-8859-1"
	}
	s := string(raw)
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s, enc, nil
}

// Book is a parsed Project Gutenberg file.
type Book struct {
	Body         string
	Title        string
	Author       string
	LanguageName string // as declared: "English"
	Language     string // ISO 639-1, "" if the name is unknown
	EbookNumber  string
	// Marked is true when a PG header or footer was found and stripped.
	Marked bool
}

var (
	// START markers: "*** START OF THIS PROJECT GUTENBERG EBOOK X ***",
	// the 2002 comma form, the no-space form, ETEXT, and the marker split
	// over two lines (its closing *** is then on a later line).
	startRe = regexp.MustCompile(`(?i)^\s*\*{3}\s*START OF (THE|THIS) PROJECT GUTENBERG`)
	// The 1990s small print sits at the top and closes with this line.
	smallPrintEndRe = regexp.MustCompile(`(?i)^\s*\*END\*?\s*THE SMALL PRINT`)
	endRes          = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^\s*\*{3}\s*END OF (THE|THIS) PROJECT GUTENBERG`),
		regexp.MustCompile(`(?i)^\s*End of (the )?Project Gutenberg`),
		regexp.MustCompile(`(?i)^\s*End of this Project Gutenberg`),
		regexp.MustCompile(`(?i)^\s*(\*{3}\s*)?START:? FULL LICENSE`),
		regexp.MustCompile(`(?i)^\s*\*{3}\s*START\*\*\s*THE SMALL PRINT`),
		regexp.MustCompile(`(?i)^\s*\*+\s*The Legal Small Print`),
		smallPrintEndRe,
	}
	ebookRe = regexp.MustCompile(`(?i)\[\s*e-?(book|text)\s*#\s*(\d+)\s*\]`)
)

// languageCodes maps the names PG writes in "Language:" to ISO 639-1.
var languageCodes = map[string]string{
	"english": "en", "french": "fr", "german": "de", "spanish": "es", "dutch": "nl",
	"italian": "it", "portuguese": "pt", "finnish": "fi", "swedish": "sv", "danish": "da",
	"norwegian": "no", "latin": "la", "greek": "el", "russian": "ru", "chinese": "zh",
	"japanese": "ja", "polish": "pl", "hungarian": "hu", "czech": "cs", "esperanto": "eo",
	"catalan": "ca", "tagalog": "tl", "welsh": "cy", "icelandic": "is", "irish": "ga",
}

// Parse strips the PG header and footer from text (LF line endings) and
// reads the header fields. The body is a substring of text: a book is
// scanned line by line by offsets, never split into a slice of lines.
func Parse(text string) Book {
	var b Book
	start, end := 0, len(text)
	headerEnd := -1
	for off := 0; off < len(text); {
		ln, next := lineAt(text, off)
		if firstByte(ln) == '*' && startRe.MatchString(ln) {
			bodyFrom := next
			// A split marker closes with *** on one of the next lines.
			if !strings.HasSuffix(strings.TrimSpace(ln), "***") {
				for k, o := 0, next; k < 3 && o < len(text); k++ {
					l2, n2 := lineAt(text, o)
					if strings.HasSuffix(strings.TrimSpace(l2), "***") {
						bodyFrom = n2
						break
					}
					o = n2
				}
			}
			headerEnd, start = off, bodyFrom
			break
		}
		off = next
	}
	if headerEnd < 0 {
		// 1990s files: the licence comes first and ends with *END*THE SMALL
		// PRINT; only trust it in the first half, since later files put
		// the same small print at the end.
		for off := 0; off < len(text)/2; {
			ln, next := lineAt(text, off)
			if firstByte(ln) == '*' && smallPrintEndRe.MatchString(ln) {
				headerEnd, start = off, next
				break
			}
			off = next
		}
	}
	if headerEnd >= 0 {
		b.Marked = true
		b.readHeader(text[:headerEnd])
	}
	for off := start; off < len(text); {
		ln, next := lineAt(text, off)
		if matchesAny(endRes, ln) {
			end = off
			b.Marked = true
			break
		}
		off = next
	}
	b.Body = trimBlankLines(text[start:end])
	return b
}

// lineAt returns the line starting at off (without its newline) and the
// offset of the next line.
func lineAt(text string, off int) (string, int) {
	i := strings.IndexByte(text[off:], '\n')
	if i < 0 {
		return text[off:], len(text)
	}
	return text[off : off+i], off + i + 1
}

// trimBlankLines drops whole blank lines at both ends but keeps the
// indentation of the first kept line.
func trimBlankLines(s string) string {
	for {
		ln, next := lineAt(s, 0)
		if next >= len(s) || strings.TrimSpace(ln) != "" {
			break
		}
		s = s[next:]
	}
	s = strings.TrimRight(s, " \t\n")
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

// firstByte is the first non-blank byte of s, 0 if none. Every marker
// starts with '*', 'E' or 'S', so checking it first skips the regexps on
// almost every line of a book.
func firstByte(s string) byte {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return s[i]
		}
	}
	return 0
}

func matchesAny(res []*regexp.Regexp, s string) bool {
	switch firstByte(s) {
	case '*', 'E', 'e', 'S', 's':
	default:
		return false
	}
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func (b *Book) readHeader(header string) {
	lines := strings.Split(header, "\n")
	for i := 0; i < len(lines); i++ {
		ln := strings.TrimSpace(lines[i])
		key, val, ok := strings.Cut(ln, ":")
		if ok {
			val = strings.TrimSpace(val)
			switch strings.ToLower(key) {
			case "title":
				// Long titles wrap onto indented continuation lines.
				for i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") && strings.TrimSpace(lines[i+1]) != "" {
					i++
					val += " " + strings.TrimSpace(lines[i])
				}
				b.Title = val
			case "author":
				b.Author = val
			case "language":
				b.LanguageName = val
				b.Language = languageCodes[strings.ToLower(val)]
			}
		}
		if b.EbookNumber == "" {
			if m := ebookRe.FindStringSubmatch(ln); m != nil {
				b.EbookNumber = m[2]
			}
		}
	}
}
