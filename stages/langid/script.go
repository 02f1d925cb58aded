package langid

import (
	"sync"
	"unicode"

	"github.com/pemistahl/lingua-go"
)

// alphabet is a Unicode script lingua routes by, in lingua's own order (the
// order breaks ties between equally frequent scripts).
type alphabet int8

const (
	noAlphabet alphabet = iota - 1
	arabic
	armenian
	bengali
	cyrillic
	devanagari
	georgian
	greek
	gujarati
	gurmukhi
	han
	hangul
	hebrew
	hiragana
	katakana
	latin
	tamil
	telugu
	thai
	numAlphabets
)

var scriptTables = [numAlphabets]*unicode.RangeTable{
	unicode.Arabic, unicode.Armenian, unicode.Bengali, unicode.Cyrillic,
	unicode.Devanagari, unicode.Georgian, unicode.Greek, unicode.Gujarati,
	unicode.Gurmukhi, unicode.Han, unicode.Hangul, unicode.Hebrew,
	unicode.Hiragana, unicode.Katakana, unicode.Latin, unicode.Tamil,
	unicode.Telugu, unicode.Thai,
}

// runeInfo describes one BMP rune for the hot loop: its lower case (what
// lingua's strings.ToLower gives), and that lower case's script and whether
// it is a letter (lingua's \p{L}).
type runeInfo struct {
	lower  rune
	alpha  alphabet
	letter bool
}

// bmpInfo is built once on first use and only read afterwards: a table
// lookup per rune instead of up to 18 range-table searches.
var bmpInfo = sync.OnceValue(func() *[0x10000]runeInfo {
	var t [0x10000]runeInfo
	for r := range rune(0x10000) {
		lo := unicode.ToLower(r)
		t[r] = runeInfo{lower: lo, alpha: scriptOfSlow(lo), letter: unicode.IsLetter(lo)}
	}
	return &t
})

func scriptOfSlow(r rune) alphabet {
	for a, tab := range scriptTables {
		if unicode.Is(tab, r) {
			return alphabet(a)
		}
	}
	return noAlphabet
}

// info returns the lower case of r and its script and letter class.
func info(tab *[0x10000]runeInfo, r rune) runeInfo {
	if r < 0x10000 {
		return tab[r]
	}
	lo := unicode.ToLower(r)
	return runeInfo{lower: lo, alpha: scriptOfSlow(lo), letter: unicode.IsLetter(lo)}
}

// alphabetsOf lists the scripts lingua accepts for each language (lingua's
// unexported Language.alphabets, which the rules below need).
func alphabetsOf(l lingua.Language) []alphabet {
	switch l {
	case lingua.Belarusian, lingua.Bulgarian, lingua.Kazakh, lingua.Macedonian,
		lingua.Mongolian, lingua.Russian, lingua.Serbian, lingua.Ukrainian:
		return []alphabet{cyrillic}
	case lingua.Arabic, lingua.Persian, lingua.Urdu:
		return []alphabet{arabic}
	case lingua.Hindi, lingua.Marathi:
		return []alphabet{devanagari}
	case lingua.Armenian:
		return []alphabet{armenian}
	case lingua.Bengali:
		return []alphabet{bengali}
	case lingua.Chinese:
		return []alphabet{han}
	case lingua.Georgian:
		return []alphabet{georgian}
	case lingua.Greek:
		return []alphabet{greek}
	case lingua.Gujarati:
		return []alphabet{gujarati}
	case lingua.Hebrew:
		return []alphabet{hebrew}
	case lingua.Japanese:
		return []alphabet{hiragana, katakana, han}
	case lingua.Korean:
		return []alphabet{hangul}
	case lingua.Punjabi:
		return []alphabet{gurmukhi}
	case lingua.Tamil:
		return []alphabet{tamil}
	case lingua.Telugu:
		return []alphabet{telugu}
	case lingua.Thai:
		return []alphabet{thai}
	case lingua.Unknown:
		return nil
	default:
		return []alphabet{latin}
	}
}

// uniqueCharacters are letters that only one language uses (lingua's
// unexported Language.uniqueCharacters): a word holding one votes for it.
var uniqueCharacters = map[lingua.Language]string{
	lingua.Azerbaijani: "Əə",
	lingua.Catalan:     "Ïï",
	lingua.Czech:       "ĚěŘřŮů",
	lingua.Esperanto:   "ĈĉĜĝĤĥĴĵŜŝŬŭ",
	lingua.German:      "ß",
	lingua.Hungarian:   "ŐőŰű",
	lingua.Kazakh:      "ӘәҒғҚқҢңҰұ",
	lingua.Latvian:     "ĢģĶķĻļŅņ",
	lingua.Lithuanian:  "ĖėĮįŲų",
	lingua.Macedonian:  "ЃѓЅѕЌќЏџ",
	lingua.Marathi:     "ळ",
	lingua.Mongolian:   "ӨөҮү",
	lingua.Polish:      "ŁłŃńŚśŹź",
	lingua.Romanian:    "Țţ",
	lingua.Serbian:     "ЂђЋћ",
	lingua.Slovak:      "ĹĺĽľŔŕ",
	lingua.Spanish:     "¿¡",
	lingua.Ukrainian:   "ҐґЄєЇї",
	lingua.Vietnamese:  "ẰằẦầẲẳẨẩẴẵẪẫẮắẤấẠạẶặẬậỀềẺẻỂểẼẽỄễẾếỆệỈỉĨĩỊịƠơỒồỜờỎỏỔổỞởỖỗỠỡỐốỚớỘộỢợƯưỪừỦủỬửŨũỮữỨứỤụỰựỲỳỶỷỸỹỴỵ",
	lingua.Yoruba:      "ŌōṢṣ",
}

// charsToLanguages is lingua's charsToLanguagesMapping: letters shared by a
// few languages; when half the words hold one, the candidates shrink to them.
var charsToLanguages = map[string][]lingua.Language{
	"Ãã":     {lingua.Portuguese, lingua.Vietnamese},
	"ĄąĘę":   {lingua.Lithuanian, lingua.Polish},
	"Żż":     {lingua.Polish, lingua.Romanian},
	"Îî":     {lingua.French, lingua.Romanian},
	"Ññ":     {lingua.Basque, lingua.Spanish},
	"ŇňŤť":   {lingua.Czech, lingua.Slovak},
	"Ăă":     {lingua.Romanian, lingua.Vietnamese},
	"İıĞğ":   {lingua.Azerbaijani, lingua.Turkish},
	"ЈјЉљЊњ": {lingua.Macedonian, lingua.Serbian},
	"ẸẹỌọ":   {lingua.Vietnamese, lingua.Yoruba},
	"ÐðÞþ":   {lingua.Icelandic, lingua.Turkish},
	"Ûû":     {lingua.French, lingua.Hungarian},
	"Ōō":     {lingua.Maori, lingua.Yoruba},

	"ĀāĒēĪī": {lingua.Latvian, lingua.Maori, lingua.Yoruba},
	"Şş":     {lingua.Azerbaijani, lingua.Romanian, lingua.Turkish},
	"Ďď":     {lingua.Czech, lingua.Romanian, lingua.Slovak},
	"Ćć":     {lingua.Bosnian, lingua.Croatian, lingua.Polish},
	"Đđ":     {lingua.Bosnian, lingua.Croatian, lingua.Vietnamese},
	"Іі":     {lingua.Belarusian, lingua.Kazakh, lingua.Ukrainian},
	"Ìì":     {lingua.Italian, lingua.Vietnamese, lingua.Yoruba},
	"Øø":     {lingua.Bokmal, lingua.Danish, lingua.Nynorsk},

	"Ūū":     {lingua.Latvian, lingua.Lithuanian, lingua.Maori, lingua.Yoruba},
	"Ëë":     {lingua.Afrikaans, lingua.Albanian, lingua.Dutch, lingua.French},
	"ÈèÙù":   {lingua.French, lingua.Italian, lingua.Vietnamese, lingua.Yoruba},
	"Êê":     {lingua.Afrikaans, lingua.French, lingua.Portuguese, lingua.Vietnamese},
	"Õõ":     {lingua.Estonian, lingua.Hungarian, lingua.Portuguese, lingua.Vietnamese},
	"Ôô":     {lingua.French, lingua.Portuguese, lingua.Slovak, lingua.Vietnamese},
	"ЁёЫыЭэ": {lingua.Belarusian, lingua.Kazakh, lingua.Mongolian, lingua.Russian},
	"ЩщЪъ":   {lingua.Bulgarian, lingua.Kazakh, lingua.Mongolian, lingua.Russian},
	"Òò":     {lingua.Catalan, lingua.Italian, lingua.Vietnamese, lingua.Yoruba},
	"Ææ":     {lingua.Bokmal, lingua.Danish, lingua.Icelandic, lingua.Nynorsk},
	"Åå":     {lingua.Bokmal, lingua.Danish, lingua.Nynorsk, lingua.Swedish},

	"Ýý": {lingua.Czech, lingua.Icelandic, lingua.Slovak, lingua.Turkish, lingua.Vietnamese},
	"Ää": {lingua.Estonian, lingua.Finnish, lingua.German, lingua.Slovak, lingua.Swedish},
	"Àà": {lingua.Catalan, lingua.French, lingua.Italian, lingua.Portuguese, lingua.Vietnamese},
	"Ââ": {lingua.French, lingua.Portuguese, lingua.Romanian, lingua.Turkish, lingua.Vietnamese},

	"Üü":     {lingua.Azerbaijani, lingua.Catalan, lingua.Estonian, lingua.German, lingua.Hungarian, lingua.Spanish, lingua.Turkish},
	"ČčŠšŽž": {lingua.Bosnian, lingua.Czech, lingua.Croatian, lingua.Latvian, lingua.Lithuanian, lingua.Slovak, lingua.Slovene},
	"Çç":     {lingua.Albanian, lingua.Azerbaijani, lingua.Basque, lingua.Catalan, lingua.French, lingua.Portuguese, lingua.Turkish},

	"Öö": {lingua.Azerbaijani, lingua.Estonian, lingua.Finnish, lingua.German, lingua.Hungarian, lingua.Icelandic, lingua.Swedish, lingua.Turkish},

	"Óó":     {lingua.Catalan, lingua.Hungarian, lingua.Icelandic, lingua.Irish, lingua.Polish, lingua.Portuguese, lingua.Slovak, lingua.Spanish, lingua.Vietnamese, lingua.Yoruba},
	"ÁáÍíÚú": {lingua.Catalan, lingua.Czech, lingua.Icelandic, lingua.Irish, lingua.Hungarian, lingua.Portuguese, lingua.Slovak, lingua.Spanish, lingua.Vietnamese, lingua.Yoruba},

	"Éé": {lingua.Catalan, lingua.Czech, lingua.French, lingua.Hungarian, lingua.Icelandic, lingua.Irish, lingua.Italian, lingua.Portuguese, lingua.Slovak, lingua.Spanish, lingua.Vietnamese, lingua.Yoruba},
}
