package journals

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// medlineReader yields one document per <PubmedArticle> with an abstract.
// The file is decoded as a token stream: NLM writes whole files on one
// line, so nothing here is line-based.
type medlineReader struct {
	xmlInput
}

func (s *Source) newMedlineReader(path string, st *sources.Stream, br *bufio.Reader) *medlineReader {
	return &medlineReader{xmlInput: newXMLInput(s, path, st, br)}
}

// Stats counts citations read ("medline.citation"), skipped per reason
// ("medline.skip.no_abstract", "medline.skip.deleted",
// "medline.skip.book") and PMIDs listed in <DeleteCitation> blocks
// ("medline.delete_citation").
func (r *medlineReader) Stats() doc.Counts { return r.xmlInput.Stats() }

func (r *medlineReader) Next() (*doc.Document, error) {
	for !r.done {
		off := r.dec.InputOffset()
		tok, err := r.dec.Token()
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			r.done = true
			return nil, r.xmlError(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "PubmedArticleSet":
			continue
		case "PubmedArticle":
			a, err := parseNodeSkipping(r.dec, se, citationSkip)
			if err != nil {
				r.done = true
				return nil, r.xmlError(err)
			}
			r.counts.Add("medline.citation", 1)
			pmid := strings.TrimSpace(a.path("MedlineCitation", "PMID").allText())
			r.last = pmid
			if pmid == "" {
				return nil, &doc.RecordError{File: r.path, Record: "PubmedArticle", Offset: off, Err: errors.New("citation without a PMID")}
			}
			d, skip := r.document(a, pmid)
			if skip != "" {
				r.counts.Add("medline.skip."+skip, 1)
				continue
			}
			return d, nil
		case "DeleteCitation":
			del, err := parseNode(r.dec, se)
			if err != nil {
				r.done = true
				return nil, r.xmlError(err)
			}
			r.counts.Add("medline.delete_citation", int64(len(del.all("PMID"))))
		case "PubmedBookArticle":
			if err := r.dec.Skip(); err != nil {
				r.done = true
				return nil, r.xmlError(err)
			}
			r.counts.Add("medline.skip.book", 1)
		default:
			if err := r.dec.Skip(); err != nil {
				r.done = true
				return nil, r.xmlError(err)
			}
		}
	}
	return nil, io.EOF
}

// xmlError names the file, the position and the last good citation; a
// stream error (a truncated gzip) already carries its own position.
func (r *medlineReader) xmlError(err error) error {
	return xmlPosError(r.path, r.dec, "PMID", r.last, err)
}

func xmlPosError(path string, dec *tokenizer, what, last string, err error) error {
	after := ""
	if last != "" {
		after = fmt.Sprintf(" after %s %s", what, last)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: XML syntax error at line %d (byte %d)%s: %s", path, se.Line, dec.InputOffset(), after, se.Msg)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "stream") {
		return fmt.Errorf("%s: XML ends early at byte %d%s: %w", path, dec.InputOffset(), after, err)
	}
	return fmt.Errorf("%s%s: %w", path, after, err)
}

func (r *medlineReader) document(a *node, pmid string) (*doc.Document, string) {
	if r.src.deletedLater(r.path, pmid) {
		return nil, "deleted"
	}
	cit := a.child("MedlineCitation")
	art := cit.child("Article")
	var b strings.Builder
	title := inlineNodeText(art.child("ArticleTitle"))
	b.WriteString(title)
	abstract := 0
	for _, t := range art.child("Abstract").all("AbstractText") {
		text := inlineNodeText(t)
		if text == "" {
			continue
		}
		abstract++
		b.WriteString("\n\n")
		if l := t.attr("Label"); l != "" && !strings.EqualFold(l, "UNLABELLED") {
			b.WriteString(l)
			b.WriteString(": ")
		}
		b.WriteString(text)
	}
	if abstract == 0 && !r.src.opts.Medline.KeepNoAbstract {
		return nil, "no_abstract"
	}
	text := strings.TrimSpace(b.String())
	if text == "" {
		return nil, "no_text"
	}
	d := &doc.Document{ID: pmid, Text: text, URL: "https://pubmed.ncbi.nlm.nih.gov/" + pmid + "/"}
	d.SetMeta("pmid", pmid)
	d.SetMeta("title", title)
	journal := art.child("Journal")
	d.SetMeta("journal", strings.TrimSpace(journal.child("Title").allText()))
	date := journal.path("JournalIssue", "PubDate")
	year := strings.TrimSpace(date.child("Year").allText())
	if year == "" {
		year = firstYear(date.child("MedlineDate").allText())
	}
	d.SetMeta("year", year)
	var langs, types []string
	for _, l := range art.all("Language") {
		langs = append(langs, strings.TrimSpace(l.allText()))
	}
	for _, p := range art.child("PublicationTypeList").all("PublicationType") {
		types = append(types, strings.TrimSpace(p.allText()))
	}
	d.SetMeta("language", strings.Join(langs, ","))
	d.SetMeta("status", cit.attr("Status"))
	d.SetMeta("publication_types", strings.Join(types, "; "))
	for _, id := range a.path("PubmedData", "ArticleIdList").all("ArticleId") {
		switch id.attr("IdType") {
		case "doi":
			d.SetMeta("doi", strings.TrimSpace(id.allText()))
		case "pmc":
			d.SetMeta("pmcid", strings.TrimSpace(id.allText()))
		}
	}
	if d.Meta["doi"] == "" {
		for _, e := range art.all("ELocationID") {
			if e.attr("EIdType") == "doi" {
				d.SetMeta("doi", strings.TrimSpace(e.allText()))
			}
		}
	}
	if abstract == 0 {
		d.SetMeta("no_abstract", "true")
	}
	return d, ""
}

// inlineNodeText flattens a title or abstract with inline markup (<i>,
// <sub>, <sup>, <b>) to one line, superscripts marked with ^ so that
// 10<sup>5</sup> stays 10^5.
func inlineNodeText(n *node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*node)
	walk = func(n *node) {
		for _, o := range n.order {
			switch o := o.(type) {
			case string:
				b.WriteString(o)
			case *node:
				if o.name == "sup" {
					b.WriteByte('^')
				}
				walk(o)
			}
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// citationSkip are the parts of a <PubmedArticle> no document needs;
// they are skipped without building tokens (references alone are often
// half a record).
var citationSkip = map[string]bool{
	"ReferenceList": true, "AuthorList": true, "MeshHeadingList": true, "GrantList": true,
	"KeywordList": true, "ChemicalList": true, "CommentsCorrectionsList": true,
	"InvestigatorList": true, "History": true, "SupplMeshList": true, "DataBankList": true,
	"PersonalNameSubjectList": true, "GeneSymbolList": true, "OtherAbstract": true, "OtherID": true,
}

var yearRe = regexp.MustCompile(`\b(1[5-9]|20)\d\d\b`)

func firstYear(s string) string { return yearRe.FindString(s) }

// medlineOrder numbers inputs by base name, the order NLM numbers its
// baseline and update files in (pubmed26n0001 ... pubmed26n1335 ...),
// wherever they sit.
func medlineOrder(inputs []sources.Input) map[string]int {
	paths := make([]string, len(inputs))
	for i, in := range inputs {
		paths[i] = in.Path
	}
	sort.SliceStable(paths, func(i, j int) bool {
		bi, bj := sources.BaseName(paths[i]), sources.BaseName(paths[j])
		if bi != bj {
			return bi < bj
		}
		return paths[i] < paths[j]
	})
	order := make(map[string]int, len(paths))
	for i, p := range paths {
		order[p] = i
	}
	return order
}

var (
	deleteTag = []byte("<DeleteCitation")
	pmidRe    = regexp.MustCompile(`<PMID[^>]*>\s*(\d+)\s*</PMID>`)
)

// scanDeletions lists the PMIDs in the <DeleteCitation> block of a MEDLINE
// file. It looks for the tag with a byte search, not an XML parse (the
// block closes the file, after some 30,000 citations); inputs that are
// not MEDLINE are skipped after their first bytes.
func scanDeletions(in sources.Input, forced bool) ([]string, error) {
	st, err := sources.OpenUnit(sources.Unit{Input: in, End: -1})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	br := bufio.NewReaderSize(st, 64<<10)
	if !forced {
		f, err := sniff(br, "auto")
		if err != nil || f != "medline" {
			return nil, nil // Open reports what is wrong with it.
		}
	}
	const chunk = 1 << 20
	buf := make([]byte, 0, 2*chunk)
	for {
		n, err := io.ReadFull(br, buf[len(buf):cap(buf)][:chunk])
		buf = buf[:len(buf)+n]
		if i := bytes.Index(buf, deleteTag); i >= 0 {
			rest, rerr := io.ReadAll(io.LimitReader(br, 256<<20))
			if rerr != nil {
				return nil, fmt.Errorf("%s: reading <DeleteCitation>: %w", in.Path, rerr)
			}
			block := append(buf[i:], rest...)
			if j := bytes.Index(block, []byte("</DeleteCitation>")); j >= 0 {
				block = block[:j]
			}
			var pmids []string
			for _, m := range pmidRe.FindAllSubmatch(block, -1) {
				pmids = append(pmids, string(m[1]))
			}
			return pmids, nil
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: scanning for <DeleteCitation>: %w", in.Path, err)
		}
		// Keep a tail so a tag split across chunks is still found.
		keep := len(deleteTag)
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
	}
}
