package evalset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Short texts are where language identifiers differ most: a sentence or a
// 100-character snippet holds few n-grams. The sets below cut the published
// labelled text into such pieces (UDHR sentences and snippets, Wikipedia
// snippets) and add the translated messages of Debian's gettext catalogues,
// one-sentence texts written by translators in each language.

// sentenceEnd matches a sentence end: a terminal mark of Latin, Greek,
// Armenian, Devanagari, Arabic, CJK or Thai text, followed by space or the
// end of the text.
var sentenceEnd = regexp.MustCompile(`[.!?;։।॥؟。！？]+["'»”’)]*(\s+|$)`)

// Sentences cuts every UDHR "para" item into sentences of at least
// minLetters letters, as "sentence" items.
func Sentences(items []Item, minLetters int) []Item {
	var out []Item
	for _, it := range items {
		if it.Source != "udhr" || it.Kind != "para" {
			continue
		}
		n := 0
		for _, line := range strings.Split(it.Text, "\n") {
			prev := 0
			for _, m := range sentenceEnd.FindAllStringIndex(line, -1) {
				n = addSentence(&out, it, line[prev:m[1]], minLetters, n)
				prev = m[1]
			}
			n = addSentence(&out, it, line[prev:], minLetters, n)
		}
	}
	return out
}

func addSentence(out *[]Item, from Item, s string, minLetters, n int) int {
	s = strings.TrimSpace(s)
	if letters(s) < minLetters {
		return n
	}
	*out = append(*out, Item{Source: from.Source, Kind: "sentence", ID: fmt.Sprintf("%s.s%d", from.ID, n), Lang: from.Lang, Text: s})
	return n + 1
}

// Snippets returns the first n characters of every "para" item of source,
// cut back to the last space when there is one in the last third (a word is
// not cut), as "snippet<n>" items.
func Snippets(items []Item, source string, n int) []Item {
	var out []Item
	kind := fmt.Sprintf("snippet%d", n)
	for _, it := range items {
		if it.Source != source || it.Kind != "para" {
			continue
		}
		text := strings.Join(strings.Fields(it.Text), " ")
		if utf8.RuneCountInString(text) > n {
			cut := 0
			for i := range text {
				if cut == n {
					text = text[:i]
					break
				}
				cut++
			}
			if sp := strings.LastIndexByte(text, ' '); sp > 2*len(text)/3 {
				text = text[:sp]
			}
		}
		out = append(out, Item{Source: it.Source, Kind: kind, ID: it.ID, Lang: it.Lang, Text: text})
	}
	return out
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// LocaleDir is where Debian installs gettext catalogues.
const LocaleDir = "/usr/share/locale"

var (
	printfDirective = regexp.MustCompile(`%(\d+\$)?[-+ #0']*(\d+|\*)?(\.\d+)?(hh|ll|[hlLqjzt])?[diouxXeEfFgGaAcspnI%]`)
	markup          = regexp.MustCompile(`<[^>]*>|&[a-z]+;`)
)

// Gettext reads the translations of one gettext domain (a .mo catalogue
// per locale under localeDir/<locale>/LC_MESSAGES) for the locales whose
// language is in codes: the bare locale ("de") or else the first regional
// one ("pt_BR"), never a script or dialect variant ("sr@latin"). From each
// it keeps up to perLang translated messages of at least minLetters
// letters, spread evenly over the catalogue, with printf directives, markup
// and mnemonic underscores removed, as "gettext"/<domain> items. Messages
// left untranslated (msgstr equal to msgid) are skipped.
func Gettext(localeDir, domain string, codes map[string]bool, perLang, minLetters int) ([]Item, error) {
	files, err := filepath.Glob(filepath.Join(localeDir, "*", "LC_MESSAGES", domain+".mo"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("gettext: no %s.mo under %s", domain, localeDir)
	}
	sort.Strings(files) // "pt" before "pt_BR"
	chosen := map[string]string{}
	for _, f := range files {
		loc := filepath.Base(filepath.Dir(filepath.Dir(f)))
		if strings.ContainsAny(loc, "@.") {
			continue
		}
		lang := strings.SplitN(loc, "_", 2)[0]
		if !codes[lang] || chosen[lang] != "" {
			continue
		}
		chosen[lang] = f
	}
	langs := make([]string, 0, len(chosen))
	for l := range chosen {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	var items []Item
	for _, lang := range langs {
		f := chosen[lang]
		msgs, err := readMO(f)
		if err != nil {
			return nil, err
		}
		var texts []string
		for _, m := range msgs {
			if m[0] == m[1] {
				continue
			}
			t := cleanMessage(m[1])
			if letters(t) >= minLetters {
				texts = append(texts, t)
			}
		}
		for i, t := range spreadStrings(texts, perLang) {
			items = append(items, Item{Source: "gettext", Kind: domain, ID: fmt.Sprintf("%s#%d", f, i), Lang: lang, Text: t})
		}
	}
	return items, nil
}

func cleanMessage(s string) string {
	s = printfDirective.ReplaceAllString(s, "")
	s = markup.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "_", "")
	s = strings.Join(strings.Fields(s), " ")
	return norm.NFC.String(s)
}

// spreadStrings picks n of ss evenly (all when there are fewer).
func spreadStrings(ss []string, n int) []string {
	if len(ss) <= n {
		return ss
	}
	out := make([]string, n)
	for i := range n {
		out[i] = ss[i*len(ss)/n]
	}
	return out
}

// readMO returns the (msgid, msgstr) pairs of a GNU .mo catalogue: the
// singular forms, without the header entry and without message contexts.
func readMO(file string) ([][2]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	bad := func(what string) error { return fmt.Errorf("gettext: %s: %s", file, what) }
	if len(b) < 28 {
		return nil, bad("too short for a .mo header")
	}
	var order binary.ByteOrder
	switch binary.LittleEndian.Uint32(b) {
	case 0x950412de:
		order = binary.LittleEndian
	case 0xde120495:
		order = binary.BigEndian
	default:
		return nil, bad("not a .mo file (bad magic)")
	}
	n, origs, trans := order.Uint32(b[8:]), order.Uint32(b[12:]), order.Uint32(b[16:])
	str := func(table uint32, i uint32) (string, error) {
		at := uint64(table) + 8*uint64(i)
		if at+8 > uint64(len(b)) {
			return "", bad(fmt.Sprintf("string table entry %d past the end", i))
		}
		l, off := uint64(order.Uint32(b[at:])), uint64(order.Uint32(b[at+4:]))
		if off+l > uint64(len(b)) {
			return "", bad(fmt.Sprintf("string %d at %d+%d past the end", i, off, l))
		}
		s := b[off : off+l]
		if j := bytes.IndexByte(s, 0); j >= 0 { // plural forms: keep the first
			s = s[:j]
		}
		return string(s), nil
	}
	var out [][2]string
	for i := range n {
		id, err := str(origs, i)
		if err != nil {
			return nil, err
		}
		tr, err := str(trans, i)
		if err != nil {
			return nil, err
		}
		if j := strings.IndexByte(id, 4); j >= 0 { // msgctxt \x04 msgid
			id = id[j+1:]
		}
		if id == "" || tr == "" || !utf8.ValidString(tr) {
			continue
		}
		out = append(out, [2]string{id, tr})
	}
	return out, nil
}
