package wikipedia

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dbzip2 "github.com/dsnet/compress/bzip2"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// miniDump writes a dump with the given root attributes and siteinfo (may
// be empty) holding one page per text, ids 1, 2, ...
func miniDump(t *testing.T, root, siteinfo string, texts ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "<mediawiki xmlns=\"http://www.mediawiki.org/xml/export-0.10/\" version=\"0.10\"%s>\n%s\n", root, siteinfo)
	for i, text := range texts {
		fmt.Fprintf(&b, "<page><title>Page %d</title><ns>0</ns><id>%d</id><revision><id>%d</id><timestamp>2024-01-01T00:00:00Z</timestamp>"+
			"<text xml:space=\"preserve\">%s</text></revision></page>\n", i+1, i+1, 100+i, text)
	}
	b.WriteString("</mediawiki>\n")
	p := filepath.Join(t.TempDir(), "dump.xml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func site(db string) string { return "<siteinfo><dbname>" + db + "</dbname></siteinfo>" }

const body = "Some article text that is long enough to be kept as prose by the source."

// keptIDs reads a dump and returns the ids kept and the reader's counts.
func keptIDs(t *testing.T, o Options, path string) (string, doc.Counts) {
	t.Helper()
	r, err := s2open(t, o, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	docs, skipped, err := doc.ReadAll(r)
	if err != nil || len(skipped) > 0 {
		t.Fatalf("err %v, skipped %v", err, skipped)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return strings.Join(ids, ","), r.(interface{ Counts() doc.Counts }).Counts()
}

func TestLocalizedDisambiguation(t *testing.T) {
	tests := []struct {
		name, root, site, text string
		dropped                bool
	}{
		{"de template", "", site("dewiki"), body + "\n{{Begriffsklärung}}", true},
		{"de abbreviation BKS", "", site("dewiki"), body + "\n{{BKS}}", true},
		{"ru, first letter lower case", "", site("ruwiki"), body + "\n{{неоднозначность}}", true},
		{"uk, any case", "", site("ukwiki"), body + "\n{{НЕОДНОЗНАЧНІСТЬ|x}}", true},
		{"ltg", "", site("ltgwiki"), body + "\n{{Zeimeibu_škiršona}}", true},
		{"zh", "", site("zhwiki"), body + "\n{{消歧义}}", true},
		{"ja romanised", "", site("jawiki"), body + "\n{{Aimai}}", true},
		{"fr magic word", "", site("frwiki"), body + "\n__HOMONYMIE__", true},
		{"de magic word, lower case", "", site("dewiki"), body + "\n__begriffsklärung__", true},
		{"English names on every wiki", "", site("plwiki"), body + "\n{{Disambig}}", true},
		{"no siteinfo: xml:lang picks the wiki", ` xml:lang="nl"`, "", body + "\n{{Dp}}", true},
		{"xml:lang nb is no.wikipedia", ` xml:lang="nb"`, "", body + "\n{{Peker}}", true},
		{"another wiki's name is not one here", "", site("enwiki"), body + "\n{{Db}}", false},
		{"a wiki the lists lack uses every wiki's names", "", site("xxwiki"), body + "\n{{Begriffsklärung}}", true},
		{"no siteinfo, no xml:lang: every wiki's names", "", "", body + "\n{{Homonymie}}", true},
		{"ordinary template", "", site("dewiki"), body + "\n{{Infobox Ort}}", false},
		{"underscores are not a magic word", "", site("frwiki"), body + " a__b__c", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := miniDump(t, tc.root, tc.site, tc.text)
			ids, counts := keptIDs(t, DefaultOptions(), p)
			if got := counts["wikipedia.disambiguation"] == 1; got != tc.dropped || (ids == "") != tc.dropped {
				t.Errorf("dropped %v (ids %q, counts %v), want %v", got, ids, counts, tc.dropped)
			}
		})
	}
	// The configured names still add to the built-in ones.
	o := DefaultOptions()
	o.DisambiguationTemplates = []string{"Mehrdeutig"}
	if ids, _ := keptIDs(t, o, miniDump(t, "", site("dewiki"), body+"{{mehrdeutig}}")); ids != "" {
		t.Errorf("configured template not matched: kept %s", ids)
	}
}

// TestLocalizedDisambiguationCorpus: ltgwiki marks its disambiguation pages
// with {{Zeimeibu škiršona}} (seven in the dump), which the English-only
// list kept as articles.
func TestLocalizedDisambiguationCorpus(t *testing.T) {
	p := filepath.Join(corpustest.Dir(t, "wikipedia"), "ltgwiki-smallwiki-latest-pages-articles.xml.bz2")
	o := DefaultOptions()
	o.Disambiguation = DisambiguationFlag
	docs, _, final := readAll(t, mustNew(t, o), p)
	if final != nil {
		t.Fatal(final)
	}
	var titles []string
	for _, d := range docs {
		if d.Meta["disambiguation"] == "true" {
			titles = append(titles, d.Meta["title"])
		}
	}
	if len(titles) != 7 || !strings.Contains(strings.Join(titles, "|"), "Rēzne (zeimeibu škiršona)") {
		t.Errorf("disambiguation pages %q, want the 7 marked {{Zeimeibu škiršona}}", titles)
	}
}

func TestRedirectWithoutElement(t *testing.T) {
	tests := []struct {
		text     string
		redirect bool
	}{
		{"#REDIRECT [[Venus]]", true},
		{"#redirect[[Venus]]", true},
		{"#REDIRECT: [[Venus]]", true},
		{"  \n#Redirect [[Venus]]\n{{R from move}}", true},
		{"#WEITERLEITUNG [[Venus (Planet)]]", true},
		{"#weiterleitung [[Venus]]", true},
		{"#ПЕРЕНАПРАВЛЕНИЕ [[Венера]]", true},
		{"#перенаправление [[Венера]]", true},
		{"#重定向 [[金星]]", true},
		{"#転送 [[金星]]", true},
		{"#تحويل [[الزهرة]]", true},
		{"#REDIRECTION [[Vénus]]", true},
		{"#REDIRECT Venus", false},              // no link: a numbered list item
		{"# First item [[with a link]]", false}, // "#" alone is a list
		{body + "\n#REDIRECT [[Venus]]", false}, // not at the start
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := isRedirectText(tc.text); got != tc.redirect {
				t.Errorf("isRedirectText = %v, want %v", got, tc.redirect)
			}
		})
	}
	// Through the reader: a dewiki export without <redirect/>.
	p := miniDump(t, ` xml:lang="de"`, "", "#WEITERLEITUNG [[Page 2]]", body)
	ids, counts := keptIDs(t, DefaultOptions(), p)
	if ids != "2" || counts["wikipedia.redirect"] != 1 {
		t.Errorf("kept %q, counts %v; want the redirect skipped and counted", ids, counts)
	}
}

func TestRedirectWordsGenerated(t *testing.T) {
	// The generated list covers MediaWiki's languages, not a handful.
	if len(redirectWords) < 150 {
		t.Fatalf("%d redirect words; regenerate names_gen.go", len(redirectWords))
	}
	for _, w := range redirectWords {
		if !strings.HasPrefix(w, "#") || strings.ContainsAny(w, " \t\n[") {
			t.Errorf("redirect word %q: not a magic word", w)
		}
	}
	if len(disambiguationTemplates) < 150 {
		t.Errorf("disambiguation templates for %d wikis only", len(disambiguationTemplates))
	}
}

func TestURLWithoutSiteinfo(t *testing.T) {
	tests := []struct {
		name, root, configured, lang, url string
	}{
		{"xml:lang", ` xml:lang="de"`, "", "de", "https://de.wikipedia.org/wiki/Page_1"},
		{"xml:lang of a wiki with another prefix", ` xml:lang="nb"`, "", "nb", "https://no.wikipedia.org/wiki/Page_1"},
		{"config when the root says nothing", "", "fr", "fr", "https://fr.wikipedia.org/wiki/Page_1"},
		{"xml:lang wins over config", ` xml:lang="uk"`, "fr", "uk", "https://uk.wikipedia.org/wiki/Page_1"},
		{"nothing known: no URL rather than a bare title", "", "", "und", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Language = tc.configured
			docs, _, final := readAll(t, mustNew(t, o), miniDump(t, tc.root, "", body))
			if final != nil || len(docs) != 1 {
				t.Fatalf("%d docs, %v", len(docs), final)
			}
			if docs[0].Language != tc.lang || docs[0].URL != tc.url {
				t.Errorf("language %q url %q, want %q %q", docs[0].Language, docs[0].URL, tc.lang, tc.url)
			}
		})
	}
	// siteinfo still decides when it is there.
	docs, _, _ := readAll(t, mustNew(t, DefaultOptions()), miniDump(t, ` xml:lang="en"`, site("dewiki"), body))
	if len(docs) != 1 || docs[0].URL != "https://de.wikipedia.org/wiki/Page_1" {
		t.Errorf("with siteinfo: %v", docs)
	}
}

// TestMultistreamRepeatedPageID: a page id the index lists in two streams
// that land in different units gets "#2" in the later unit, as a whole-file
// read numbers it, so the tasks of one dump never share an id.
func TestMultistreamRepeatedPageID(t *testing.T) {
	dir := t.TempDir()
	dump := filepath.Join(dir, "xxwiki-pages-articles-multistream.xml.bz2")
	r := rand.New(rand.NewPCG(3, 4))
	filler := func() string {
		// Random letters compress poorly, so each stream is its own unit.
		b := make([]byte, 3000)
		for i := range b {
			b[i] = "abcdefghij klmnop"[r.IntN(17)]
		}
		return string(b)
	}
	streams := []string{
		"<mediawiki xml:lang=\"en\">\n" + site("enwiki") + "\n",
		fmt.Sprintf("<page><title>A</title><ns>0</ns><id>7</id><revision><id>1</id><text>%s</text></revision></page>\n", filler()),
		fmt.Sprintf("<page><title>A</title><ns>0</ns><id>7</id><revision><id>2</id><text>%s</text></revision></page>\n"+
			"<page><title>C</title><ns>0</ns><id>8</id><revision><id>3</id><text>%s</text></revision></page>\n", filler(), filler()),
		"</mediawiki>\n",
	}
	var data bytes.Buffer
	var offsets []int
	for _, s := range streams {
		offsets = append(offsets, data.Len())
		w, err := dbzip2.NewWriter(&data, nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(s))
		w.Close()
	}
	if err := os.WriteFile(dump, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	index := fmt.Sprintf("%d:7:A\n%d:7:A\n%d:8:C\n", offsets[1], offsets[2], offsets[2])
	var ib bytes.Buffer
	w, _ := dbzip2.NewWriter(&ib, nil)
	w.Write([]byte(index))
	w.Close()
	if err := os.WriteFile(filepath.Join(dir, "xxwiki-pages-articles-multistream-index.txt.bz2"), ib.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.UnitBytes = 1024
	s := mustNew(t, o)
	units, err := s.Units([]sources.Input{{Path: dump}})
	if err != nil || len(units) < 2 {
		t.Fatalf("%d units, %v: want the two streams in different units", len(units), err)
	}
	docs, _, final := readAll(t, s, dump)
	if final != nil {
		t.Fatal(final)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "7,7#2,8" {
		t.Errorf("ids %v, want 7,7#2,8", ids)
	}
}
