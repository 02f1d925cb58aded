package reddit

import (
	"html"
	"regexp"
	"strings"
)

// numericRef is a decimal or hexadecimal character reference.
var numericRef = regexp.MustCompile(`&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});`)

// unescapeMarkdown turns a stored Reddit body or title into the text a
// reader sees. Reddit stores the Markdown source HTML-escaped once (&amp;
// &lt; &gt;), so one unescape gives the Markdown back. What users or the
// editor typed as character references is still there then: the new
// editor writes "&#x200B;" for every blank paragraph, apostrophes arrive
// as "&#39;". Markdown renders those references, so the numeric ones are
// decoded too; named ones left after the first pass are kept, since they
// are as often literal HTML being discussed. A paragraph that was only the
// editor's zero-width spacer becomes an empty line.
func unescapeMarkdown(s string) string {
	s = html.UnescapeString(s)
	if !strings.Contains(s, "&#") {
		return s
	}
	s = numericRef.ReplaceAllStringFunc(s, html.UnescapeString)
	if !strings.Contains(s, "\u200b") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Trim(l, "\u200b \t\r") == "" {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}
