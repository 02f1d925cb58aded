// Package wikipedia reads MediaWiki XML export dumps (schema 0.10 and 0.11,
// the *-pages-articles*.xml[.bz2|.xz|.gz] files Wikimedia publishes) and
// yields one document of plain text per article.
//
// Multistream dumps (*-pages-articles-multistream.xml.bz2, each bzip2 stream
// holding 100 pages) are split into units by the stream offsets of the
// -index.txt.bz2 found beside them, so one large dump becomes many ingest
// tasks, and within a unit the streams are decoded in parallel. Other files
// are one unit each, decoded in a goroutine ahead of the page parser.
//
// Wikitext is turned into plain text by Converter (see wikitext.go).
package wikipedia

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Disambiguation page handling.
const (
	DisambiguationSkip = "skip"
	DisambiguationKeep = "keep"
	DisambiguationFlag = "flag"
)

// Options configure the Wikipedia source (YAML key `wikipedia` of a source).
type Options struct {
	// Namespaces lists the page namespaces kept; articles are namespace 0.
	Namespaces []int `yaml:"namespaces"`
	// Disambiguation says what to do with disambiguation pages: "skip" (the
	// default: they are lists of links, not prose), "keep", or "flag" (keep
	// them with meta disambiguation=true for a later filter).
	Disambiguation string `yaml:"disambiguation"`
	// DisambiguationTemplates adds template names (case-insensitive, without
	// "Template:") that mark a disambiguation page, to the built-in lists:
	// every Wikipedia's own names (chosen by the dump's wiki) and English.
	DisambiguationTemplates []string `yaml:"disambiguation_templates"`
	// Language is the wiki's language code ("de") for dumps that carry
	// neither <siteinfo> nor xml:lang on their root element; it gives the
	// documents' language and https://<language>.wikipedia.org/wiki/ URLs.
	// Empty: such pages get language "und" and no URL.
	Language string `yaml:"language"`
	// KeepTables flattens wiki tables into lines of tab-separated cells
	// instead of dropping them (WikiExtractor and most corpora drop them).
	KeepTables bool `yaml:"keep_tables"`
	// TitleInText puts the page title as the first line of the text.
	TitleInText bool `yaml:"title_in_text"`
	// UnitBytes is the compressed size of one ingest unit of a multistream
	// dump: consecutive bzip2 streams are grouped until they reach it.
	UnitBytes int64 `yaml:"unit_bytes"`
	// DecodeWorkers is how many goroutines decode the bzip2 streams of one
	// multistream unit at once; 0 means one per CPU.
	DecodeWorkers int `yaml:"decode_workers"`
}

// DefaultOptions are the defaults the YAML decoder starts from.
func DefaultOptions() Options {
	return Options{
		Namespaces:     []int{0},
		Disambiguation: DisambiguationSkip,
		TitleInText:    true,
		UnitBytes:      64 << 20,
	}
}

// UnmarshalYAML fills unset fields with defaults while keeping the strict
// decoder's unknown-key checks (old-style unmarshaler on purpose).
func (o *Options) UnmarshalYAML(unmarshal func(any) error) error {
	*o = DefaultOptions()
	type plain Options
	return unmarshal((*plain)(o))
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch o.Disambiguation {
	case DisambiguationSkip, DisambiguationKeep, DisambiguationFlag:
	default:
		return fmt.Errorf("wikipedia: disambiguation must be skip, keep or flag, not %q", o.Disambiguation)
	}
	if len(o.Namespaces) == 0 {
		return errors.New("wikipedia: namespaces must list at least one namespace (articles are 0)")
	}
	if o.UnitBytes < 1<<10 {
		return fmt.Errorf("wikipedia: unit_bytes %d is too small (at least 1024)", o.UnitBytes)
	}
	if o.DecodeWorkers < 0 {
		return fmt.Errorf("wikipedia: decode_workers %d must be 0 (one per CPU) or more", o.DecodeWorkers)
	}
	return nil
}

// Source reads Wikipedia dumps; it implements sources.Kind.
type Source struct {
	opts Options
	ns   map[int]bool

	mu     sync.Mutex
	index  map[string]*multistream    // by dump path, loaded once
	disamb map[string]map[string]bool // by wiki prefix + language, built once
}

var _ sources.Kind = (*Source)(nil)

// New builds a Source from validated options.
func New(opts Options) (*Source, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &Source{opts: opts, ns: map[int]bool{}, disamb: map[string]map[string]bool{}, index: map[string]*multistream{}}
	for _, n := range opts.Namespaces {
		s.ns[n] = true
	}
	if s.opts.DecodeWorkers == 0 {
		s.opts.DecodeWorkers = runtime.GOMAXPROCS(0)
	}
	return s, nil
}

// Units splits multistream dumps by their index and leaves other inputs
// whole. Index files given among the inputs (a glob like *.bz2 matches them)
// are not units of their own.
func (s *Source) Units(inputs []sources.Input) ([]sources.Unit, error) {
	var units []sources.Unit
	for _, in := range inputs {
		if isIndexName(in.Path) {
			continue
		}
		if sources.IsURL(in.Path) {
			units = append(units, sources.Unit{Input: in, End: -1})
			continue
		}
		ms, err := s.multistream(in.Path)
		if err != nil {
			return nil, err
		}
		if ms == nil {
			units = append(units, sources.Unit{Input: in, End: -1})
			continue
		}
		for i, r := range ms.split(s.opts.UnitBytes) {
			units = append(units, sources.Unit{Input: in, Part: i, Start: r[0], End: r[1]})
		}
	}
	return units, nil
}

// Open starts reading one unit.
func (s *Source) Open(u sources.Unit) (doc.Reader, error) {
	path := u.Input.Path
	if sources.IsURL(path) {
		return nil, fmt.Errorf("%s: the wikipedia source reads local files; download the dump first", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wikipedia: %w", err)
	}
	var (
		body    io.ReadCloser
		site    siteInfo
		multi   = u.Start > 0 || u.End >= 0
		repeats map[string]int
	)
	if multi {
		ms, err := s.multistream(path)
		if err == nil && ms == nil {
			err = fmt.Errorf("%s: unit asks for bytes %d-%d but no multistream index was found beside the dump", path, u.Start, u.End)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		site = ms.site
		body = newStreamDecoder(f, path, ms.streamsIn(u.Start, u.End), s.opts.DecodeWorkers)
		repeats = ms.priorOccurrences(u.Start)
	} else {
		dec, err := openWhole(f, path)
		if err != nil {
			f.Close()
			return nil, err
		}
		body = newAhead(dec)
	}
	r := &reader{src: s, path: path, file: f, body: body, multi: multi, counts: doc.Counts{}, repeats: repeats}
	r.sc = newPageScanner(r.body)
	if !multi {
		site = parseSiteInfo(r.sc.header())
	}
	r.setSite(site)
	return r, nil
}

// openWhole opens a whole dump with the decompressor its magic bytes name
// and the text encoding its byte-order mark names.
func openWhole(f *os.File, path string) (io.Reader, error) {
	br := bufio.NewReaderSize(f, 1<<20)
	head, _ := br.Peek(6)
	var dec io.Reader
	if sources.Detect(head) == sources.Bzip2 {
		// compress/bzip2 from the standard library decodes ~25% slower
		// than dsnet's decoder here; both read concatenated streams.
		dec = newBzip2(path, br, 0)
	} else {
		st, err := sources.NewStream(path, br)
		if err != nil {
			return nil, err
		}
		dec = st
	}
	return &lazyBOM{r: dec}, nil
}

// lazyBOM applies decodeBOM on the first Read, so that the first block is
// decoded by the goroutine that reads ahead, not by Open.
type lazyBOM struct {
	r    io.Reader
	init bool
}

func (l *lazyBOM) Read(p []byte) (int, error) {
	if !l.init {
		l.r, l.init = decodeBOM(l.r), true
	}
	return l.r.Read(p)
}

// decodeBOM turns UTF-16 input (marked by its byte-order mark) into UTF-8
// and drops a UTF-8 BOM. Real Wikimedia dumps are UTF-8; re-encoded copies
// exist (one is in the test corpus).
func decodeBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	if len(head) >= 2 && head[0] != 0xFF && head[0] != 0xFE {
		// UTF-16 without a BOM would scan as no pages at all: read it by
		// the side its NUL bytes are on.
		sniff, _ := br.Peek(4096)
		switch sources.SniffUTF16(sniff) {
		case sources.UTF16LE:
			return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder())
		case sources.UTF16BE:
			return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder())
		}
	}
	switch {
	case len(head) >= 2 && head[0] == 0xFF && head[1] == 0xFE:
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF:
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		br.Discard(3)
	}
	return br
}

// reader yields the documents of one unit.
type reader struct {
	src   *Source
	path  string
	file  *os.File
	body  io.ReadCloser
	sc    *pageScanner
	multi bool

	conv    *Converter
	lang    string
	urlBase string
	disamb  map[string]bool // template names marking disambiguation here
	// repeats counts the occurrences so far of page ids the multistream
	// index lists more than once, starting from those in earlier units.
	repeats  map[string]int
	lastPage string // id of the last page read, for stream errors
	done     bool
	counts   doc.Counts
	// pendingErrs are multistream streams that failed to decode and were
	// skipped, to report as record errors.
	pendingErrs []error
}

func (r *reader) setSite(si siteInfo) {
	var drop []string
	for _, k := range []int{-2, 6, 14} {
		if n, ok := si.namespaces[k]; ok {
			drop = append(drop, n)
		}
	}
	r.conv = NewConverter(drop, r.src.opts.KeepTables)
	var prefix string
	r.lang, r.urlBase, prefix = siteLanguage(si, r.src.opts.Language)
	r.disamb = r.src.disambiguationFor(prefix, r.lang)
}

// disambiguationFor returns the shared template set of one wiki.
func (s *Source) disambiguationFor(prefix, lang string) map[string]bool {
	key := prefix + "\x00" + lang
	s.mu.Lock()
	defer s.mu.Unlock()
	set, ok := s.disamb[key]
	if !ok {
		set = disambiguationSet(prefix, lang, s.opts.DisambiguationTemplates)
		s.disamb[key] = set
	}
	return set
}

// Next returns the next kept article.
func (r *reader) Next() (*doc.Document, error) {
	for {
		if sd, ok := r.body.(*streamDecoder); ok && len(r.pendingErrs) == 0 {
			r.pendingErrs = sd.skipped()
		}
		if len(r.pendingErrs) > 0 {
			e := r.pendingErrs[0]
			r.pendingErrs = r.pendingErrs[1:]
			rec := "stream"
			if r.lastPage != "" {
				rec += " after page id " + r.lastPage
			}
			return nil, &doc.RecordError{File: r.path, Record: rec, Offset: -1, Err: e}
		}
		if r.done {
			return nil, io.EOF
		}
		rp, err := r.sc.next()
		if err == io.EOF {
			// Back to the top: a last stream that failed to decode is
			// reported there, not lost behind the EOF.
			r.done = true
			continue
		}
		if err != nil {
			r.done = true
			after := "before the first page"
			if r.lastPage != "" {
				after = "after page " + r.lastPage
			}
			return nil, fmt.Errorf("%w (%s)", err, after) // err names the file and offset
		}
		if rp.site != nil && !r.multi {
			// A second dump concatenated onto the first: its own language,
			// URLs and namespaces from here on.
			r.setSite(parseSiteInfo(rp.site))
		}
		p, perr := parsePage(rp.body)
		if rp.tooLarge {
			return nil, r.recordErr(p, rp, fmt.Errorf("page larger than %d MiB: skipped", MaxPageBytes>>20))
		}
		if rp.cut {
			r.done = true
			if r.sc.err != nil {
				// The compressed stream broke: final for this input, with
				// the page it broke in.
				return nil, fmt.Errorf("%w (in %s)", r.sc.err, r.recordErr(p, rp, nil).Record)
			}
			// The XML stops mid-page (a dump cut with head): skip that page.
			return nil, r.recordErr(p, rp, errors.New("input ends inside the page (dump truncated)"))
		}
		if perr != nil {
			return nil, r.recordErr(p, rp, perr)
		}
		r.lastPage = p.id
		if d := r.document(p); d != nil {
			return d, nil
		}
	}
}

func (r *reader) recordErr(p page, rp rawPage, err error) *doc.RecordError {
	rec := "page"
	if p.id != "" {
		rec += " id " + p.id
	} else if r.lastPage != "" {
		rec += " after id " + r.lastPage
	}
	if p.title != "" {
		rec += " " + strconv.Quote(p.title)
	}
	off := rp.offset
	if r.multi {
		off = -1 // offsets inside a unit would mislead; the page id locates it
	}
	return &doc.RecordError{File: r.path, Record: rec, Offset: off, Err: err}
}

// document converts a page, or returns nil for a page that is not kept.
func (r *reader) document(p page) *doc.Document {
	// Every page of the index counts, kept or not, as the index does.
	id := r.pageDocID(p.id)
	switch {
	case !r.src.ns[p.ns]:
		r.counts.Add("wikipedia.namespace", 1)
		return nil
	case p.redirect:
		r.counts.Add("wikipedia.redirect", 1)
		return nil
	}
	wikitext := unescapeXML(p.text)
	if isRedirectText(wikitext) {
		// A redirect without <redirect/> (exports, old dumps, tools
		// that drop the element): the localized magic word says it.
		r.counts.Add("wikipedia.redirect", 1)
		return nil
	}
	disamb := isDisambiguation(wikitext, r.disamb)
	if disamb && r.src.opts.Disambiguation == DisambiguationSkip {
		r.counts.Add("wikipedia.disambiguation", 1)
		return nil
	}
	text := ""
	if len(wikitext) > 0 {
		text = r.conv.Text(wikitext)
	}
	if text == "" {
		r.counts.Add("wikipedia.empty", 1)
		return nil
	}
	if r.src.opts.TitleInText {
		text = p.title + "\n\n" + text
	}
	d := &doc.Document{ID: id, Text: text, Language: r.lang}
	if r.urlBase != "" {
		// Without a known wiki there is no URL: a bare title is none.
		d.URL = r.urlBase + titleURL(p.title)
	}
	d.SetMeta("title", p.title)
	d.SetMeta("page_id", p.id)
	d.SetMeta("revision_id", p.revID)
	d.SetMeta("timestamp", p.timestamp)
	if disamb && r.src.opts.Disambiguation == DisambiguationFlag {
		d.SetMeta("disambiguation", "true")
	}
	return d
}

// pageDocID is the page id, numbered "#2", "#3"... for later occurrences
// of a page id the multistream index repeats, counted across units the way
// the pipeline numbers repeats within one (whole-file) task.
func (r *reader) pageDocID(id string) string {
	n, ok := r.repeats[id]
	if !ok {
		return id
	}
	r.repeats[id] = n + 1
	if n == 0 {
		return id
	}
	return id + "#" + strconv.Itoa(n+1)
}

// Counts returns how many pages each rule skipped ("wikipedia.namespace",
// "wikipedia.redirect", "wikipedia.disambiguation", "wikipedia.empty"), for
// the run's report.
func (r *reader) Counts() doc.Counts { return r.counts }

// Close stops decoding and closes the file.
func (r *reader) Close() error {
	err := r.body.Close()
	if cerr := r.file.Close(); err == nil {
		err = cerr
	}
	return err
}

// isDisambiguation looks for a disambiguation template of the wiki or a
// localized __DISAMBIG__ switch among the page's templates. Template names
// compare without regard to case, which also folds the first letter the
// way MediaWiki titles do.
func isDisambiguation(w string, templates map[string]bool) bool {
	if hasDisambiguationMagic(w) {
		return true
	}
	for rest := w; ; {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return false
		}
		rest = rest[i+2:]
		end := strings.IndexAny(rest, "|}\n")
		if end < 0 || end > 80 {
			continue
		}
		if templates[normName(rest[:end])] {
			return true
		}
	}
}

// siteLanguage derives the ISO 639 language code, the article URL prefix
// and the wiki's prefix from the siteinfo (dbname "enwiki" → "en", base
// https://en.wikipedia.org/...). A dump without <siteinfo> is placed by the
// xml:lang of its root element, else by the configured language: exports
// of Special:Export and trimmed test dumps often lack the siteinfo.
func siteLanguage(si siteInfo, configured string) (lang, urlBase, prefix string) {
	prefix = strings.TrimSuffix(si.dbname, "wiki")
	if prefix == "" && si.base == "" {
		declared := si.xmlLang
		if declared == "" {
			declared = configured
		}
		declared = strings.ToLower(strings.TrimSpace(declared))
		if declared == "" {
			return "und", "", ""
		}
		prefix = languagePrefix(declared)
		return declared, "https://" + prefix + ".wikipedia.org/wiki/", prefix
	}
	lang = strings.ReplaceAll(prefix, "_", "-")
	if l, ok := wikiLanguages[prefix]; ok {
		lang = l
	}
	if lang == "" {
		lang = "und"
	}
	host := strings.ReplaceAll(prefix, "_", "-") + ".wikipedia.org"
	scheme := "https"
	if u, err := url.Parse(si.base); err == nil && u.Host != "" {
		host, scheme = u.Host, u.Scheme
		if prefix == "" {
			prefix, _, _ = strings.Cut(u.Host, ".")
		}
	}
	return lang, scheme + "://" + host + "/wiki/", prefix
}

// wikiLanguages maps Wikipedia prefixes that are not ISO 639 codes.
var wikiLanguages = map[string]string{
	"simple": "en", "be_x_old": "be-tarask", "zh_classical": "lzh", "zh_min_nan": "nan",
	"zh_yue": "yue", "nds_nl": "nds", "roa_rup": "rup", "bat_smg": "sgs",
	"fiu_vro": "vro", "map_bms": "jv", "roa_tara": "it", "cbk_zam": "cbk", "no": "nb",
}

// titleURL escapes a title for a URL the way MediaWiki does: spaces become
// underscores, and ";:@$!*(),/~" stay as they are.
func titleURL(title string) string {
	title = strings.ReplaceAll(title, " ", "_")
	var b strings.Builder
	for i := 0; i < len(title); i++ {
		c := title[i]
		if isASCIILetter(c) || (c >= '0' && c <= '9') || strings.IndexByte("-_.~;:@$!*(),/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
