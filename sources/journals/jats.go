package journals

import (
	"bufio"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// jatsReader yields one document per <article> of a JATS file: a single
// article (.nxml, PLOS, eLife) or a <pmc-articleset> of many (PMC's efetch
// and OAI output). Articles are read one at a time from the token stream.
type jatsReader struct {
	xmlInput
	n int // articles seen
}

func (s *Source) newJATSReader(path string, st *sources.Stream, br *bufio.Reader) *jatsReader {
	return &jatsReader{xmlInput: newXMLInput(s, path, st, br)}
}

// Stats counts articles ("jats.article"), those that had only an abstract
// ("jats.abstract_only"), notices flagged ("jats.notice"), sub-articles
// dropped ("jats.sub_article_dropped") and articles skipped per reason
// ("jats.skip.notice", "jats.skip.no_text").
func (r *jatsReader) Stats() doc.Counts { return r.xmlInput.Stats() }

func (r *jatsReader) Next() (*doc.Document, error) {
	for !r.done {
		off := r.dec.InputOffset()
		tok, err := r.dec.Token()
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			r.done = true
			return nil, xmlPosError(r.path, r.dec, "article", r.last, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "article" {
			continue // wrappers (pmc-articleset, OAI-PMH records) are walked into
		}
		r.n++
		a := &jatsArticle{opts: &r.src.opts.JATS, counts: r.counts}
		a.typ = attr(se, "article-type")
		if err := a.walk(r.dec, se); err != nil {
			r.done = true
			return nil, xmlPosError(r.path, r.dec, "article", r.last, err)
		}
		r.counts.Add("jats.article", 1)
		d, skip := a.document()
		id := d.ID
		if id == "" {
			id = strings.TrimSuffix(sources.BaseName(r.path), ".gz")
			for _, ext := range []string{".nxml", ".xml"} {
				id = strings.TrimSuffix(id, ext)
			}
			if r.n > 1 {
				id += "#" + strconv.Itoa(r.n)
			}
			d.ID = id
		}
		r.last = id
		if skip != "" {
			r.counts.Add("jats.skip."+skip, 1)
			if skip == "no_text" {
				return nil, &doc.RecordError{File: r.path, Record: "article " + id, Offset: off,
					Err: errors.New("no title, abstract or body text")}
			}
			continue
		}
		return d, nil
	}
	return nil, io.EOF
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// noticeTypes are article types that announce a change to another article
// rather than report research.
var noticeTypes = map[string]bool{
	"correction": true, "retraction": true, "expression-of-concern": true,
	"addendum": true, "removal": true, "partial-retraction": true, "erratum": true,
}

// jatsArticle collects one article's text and metadata while its tokens
// are walked.
type jatsArticle struct {
	opts   *JATSOptions
	counts doc.Counts

	typ, title, journal, year   string
	journalID                   string // the NLM abbreviation, when there is no journal-title
	pmcid, pmid, doi            string
	licenseURL, licenseText     string
	authors                     []string
	abstract, extra, body, back textWriter
	floats                      textWriter
	hasBody                     bool
}

func (a *jatsArticle) document() (*doc.Document, string) {
	if noticeTypes[a.typ] && a.opts.Notices == "skip" {
		return &doc.Document{ID: a.id()}, "notice"
	}
	var b strings.Builder
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(s)
	}
	add(a.title)
	add(a.abstract.String())
	add(a.extra.String())
	bodyText := strings.TrimSpace(a.body.String())
	add(bodyText)
	add(a.floats.String())
	add(a.back.String())
	d := &doc.Document{ID: a.id(), Text: b.String()}
	if strings.TrimSpace(d.Text) == "" {
		return d, "no_text"
	}
	if bodyText == "" {
		a.counts.Add("jats.abstract_only", 1)
		d.SetMeta("abstract_only", "true")
	}
	if noticeTypes[a.typ] {
		a.counts.Add("jats.notice", 1)
		d.SetMeta("notice", a.typ)
	}
	switch {
	case a.doi != "":
		d.URL = "https://doi.org/" + a.doi
	case a.pmcid != "":
		d.URL = "https://www.ncbi.nlm.nih.gov/pmc/articles/" + a.pmcid + "/"
	}
	d.SetMeta("title", a.title)
	d.SetMeta("pmcid", a.pmcid)
	d.SetMeta("pmid", a.pmid)
	d.SetMeta("doi", a.doi)
	if a.journal == "" {
		a.journal = a.journalID
	}
	d.SetMeta("journal", a.journal)
	d.SetMeta("year", a.year)
	d.SetMeta("article_type", a.typ)
	d.SetMeta("authors", strings.Join(a.authors, "; "))
	d.SetMeta("license", spdxLicense(a.licenseURL, a.licenseText))
	d.SetMeta("license_url", a.licenseURL)
	return d, ""
}

func (a *jatsArticle) id() string {
	switch {
	case a.pmcid != "":
		return a.pmcid
	case a.pmid != "":
		return "pmid" + a.pmid
	case a.doi != "":
		return a.doi
	}
	return ""
}

// walk reads the article element's children up to its end tag.
func (a *jatsArticle) walk(dec *tokenizer, start xml.StartElement) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return eofIsEarly(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			var err error
			switch t.Name.Local {
			case "front":
				err = a.front(dec)
			case "body":
				a.hasBody = true
				err = a.blocks(dec, &a.body, 0)
			case "back":
				err = a.backMatter(dec)
			case "floats-group", "floats-wrap":
				err = a.blocks(dec, &a.floats, 0)
			case "sub-article", "response":
				if a.opts.SubArticles {
					err = a.subArticle(dec)
				} else {
					a.counts.Add("jats.sub_article_dropped", 1)
					err = dec.Skip()
				}
			default:
				err = dec.Skip()
			}
			if err != nil {
				return err
			}
		}
	}
}

// eofIsEarly turns a clean EOF inside an element into an error: the XML
// was cut off.
func eofIsEarly(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// subArticle renders a sub-article's title and body after the article.
func (a *jatsArticle) subArticle(dec *tokenizer) error {
	return walkChildren(dec, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "front-stub", "front":
			return walkDeep(dec, func(se xml.StartElement) (bool, error) {
				if se.Name.Local == "article-title" {
					t, err := inlineText(dec)
					a.back.heading(1, t)
					return true, err
				}
				return false, nil
			})
		case "body":
			return a.blocks(dec, &a.back, 2)
		}
		return dec.Skip()
	})
}

// front reads the metadata and abstracts.
func (a *jatsArticle) front(dec *tokenizer) error {
	return walkDeep(dec, func(se xml.StartElement) (bool, error) {
		switch se.Name.Local {
		case "journal-title":
			t, err := inlineText(dec)
			if a.journal == "" {
				a.journal = t
			}
			return true, err
		case "journal-id":
			t, err := inlineText(dec)
			if typ := attr(se, "journal-id-type"); typ == "nlm-ta" || typ == "iso-abbrev" && a.journalID == "" {
				a.journalID = t
			}
			return true, err
		case "article-id":
			t, err := inlineText(dec)
			switch attr(se, "pub-id-type") {
			case "pmc", "pmcid":
				if t != "" && !strings.HasPrefix(t, "PMC") {
					t = "PMC" + t
				}
				a.pmcid = t
			case "pmid":
				a.pmid = t
			case "doi":
				a.doi = t
			}
			return true, err
		case "article-title":
			t, err := inlineText(dec)
			if a.title == "" {
				a.title = t
			}
			return true, err
		case "pub-date":
			return true, walkDeep(dec, func(se xml.StartElement) (bool, error) {
				if se.Name.Local != "year" {
					return false, nil
				}
				t, err := inlineText(dec)
				if a.year == "" {
					a.year = t
				}
				return true, err
			})
		case "contrib":
			if v := attr(se, "contrib-type"); v != "" && v != "author" {
				return true, dec.Skip()
			}
			return true, a.contrib(dec)
		case "license":
			if a.licenseURL == "" {
				a.licenseURL = attr(se, "href")
				if a.licenseURL == "" {
					a.licenseURL = attr(se, "resource")
				}
			}
			t, err := inlineText(dec)
			if a.licenseText == "" {
				a.licenseText = t
			}
			return true, err
		case "abstract", "trans-abstract":
			switch typ := attr(se, "abstract-type"); {
			case typ == "toc" || typ == "teaser" || typ == "graphical" || se.Name.Local == "trans-abstract":
				return true, dec.Skip()
			case typ == "" && a.abstract.Len() == 0:
				return true, a.blocks(dec, &a.abstract, 2, "title")
			default:
				return true, a.blocks(dec, &a.extra, 1)
			}
		case "related-article", "aff", "author-notes", "kwd-group", "funding-group",
			"history", "counts", "custom-meta-group", "self-uri", "article-categories", "supplementary-material":
			return true, dec.Skip()
		}
		return false, nil
	})
}

func (a *jatsArticle) contrib(dec *tokenizer) error {
	var surname, given, collab string
	err := walkDeep(dec, func(se xml.StartElement) (bool, error) {
		var err error
		switch se.Name.Local {
		case "surname":
			surname, err = inlineText(dec)
		case "given-names":
			given, err = inlineText(dec)
		case "collab":
			collab, err = inlineText(dec)
		case "aff", "xref", "role", "bio", "email", "address":
			err = dec.Skip()
		default:
			return false, nil
		}
		return true, err
	})
	name := strings.TrimSpace(given + " " + surname)
	if name == "" {
		name = collab
	}
	if name != "" {
		a.authors = append(a.authors, name)
	}
	return err
}

// backMatter keeps footnotes when asked; references, acknowledgements,
// glossaries and appendices' reference lists are dropped.
func (a *jatsArticle) backMatter(dec *tokenizer) error {
	return walkChildren(dec, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "fn-group":
			if a.opts.Footnotes {
				return a.blocks(dec, &a.back, 2)
			}
		case "app-group", "app":
			return a.blocks(dec, &a.back, 1)
		}
		return dec.Skip()
	})
}

// walkChildren calls f for each child element until the end of the
// current element; f must consume the child.
func walkChildren(dec *tokenizer, f func(xml.StartElement) error) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return eofIsEarly(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if err := f(t); err != nil {
				return err
			}
		}
	}
}

// walkDeep visits every descendant element; f returns true when it has
// consumed the element, false to descend into it.
func walkDeep(dec *tokenizer, f func(xml.StartElement) (bool, error)) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return eofIsEarly(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		case xml.StartElement:
			done, err := f(t)
			if err != nil {
				return err
			}
			if !done {
				depth++
			}
		}
	}
}

// inlineText reads the rest of the current element as one line of text.
func inlineText(dec *tokenizer) (string, error) {
	var w textWriter
	err := inline(dec, &w)
	return strings.Join(strings.Fields(w.cur.String()), " "), err
}

// inline writes the current element's text into w's open paragraph,
// marking superscripts and rendering math.
func inline(dec *tokenizer, w *textWriter) error {
	for {
		tok, err := dec.Token()
		if err != nil {
			return eofIsEarly(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.CharData:
			w.text(string(t))
		case xml.StartElement:
			switch t.Name.Local {
			case "sup":
				w.text("^")
				if err := inline(dec, w); err != nil {
					return err
				}
			case "math", "tex-math", "alternatives", "inline-formula":
				if err := math(dec, t, w); err != nil {
					return err
				}
			case "fn", "inline-graphic", "graphic", "media", "object-id":
				if err := dec.Skip(); err != nil {
					return err
				}
			default:
				if err := inline(dec, w); err != nil {
					return err
				}
			}
		}
	}
}
