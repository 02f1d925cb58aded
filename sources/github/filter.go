package github

import (
	"bytes"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-enry/go-enry/v2"
	"github.com/google/licensecheck"
)

// secretExts are file types that hold keys or certificates; they are never
// emitted whatever they contain (the requests snapshot has test TLS keys).
var secretExts = map[string]bool{
	".pem": true, ".key": true, ".crt": true, ".cer": true, ".der": true, ".p12": true,
	".pfx": true, ".jks": true, ".keystore": true, ".p8": true, ".pkcs12": true, ".csr": true,
	".gpg": true, ".pgp": true, ".kdbx": true, ".ppk": true, ".srl": true,
}

// secretNames are whole file names that hold credentials.
var secretNames = map[string]bool{
	".env": true, "id_rsa": true, "id_dsa": true, "id_ecdsa": true, "id_ed25519": true,
	".netrc": true, ".pgpass": true, ".htpasswd": true, ".npmrc": true, ".pypirc": true,
	"credentials": true, ".git-credentials": true, ".dockercfg": true,
}

// secretPatterns match key material or credentials pasted into any file,
// each behind a literal that must be present first: one combined regexp
// over every file was a third of the code source's time.
var secretPatterns = []struct {
	lits []string
	re   *regexp.Regexp
}{
	{[]string{"-----BEGIN "}, regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*(?:PRIVATE KEY|CERTIFICATE|PRIVATE KEY BLOCK)-----`)},
	{[]string{"AKIA"}, regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`)},                                          // AWS access key id
	{[]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36}\b`)}, // GitHub tokens
	{[]string{"xox"}, regexp.MustCompile(`\bxox[baprs]-[A-Za-z0-9-]{10,}`)},                                 // Slack tokens
}

// hasSecret reports whether content holds a private key, certificate or
// a well-known token format.
func hasSecret(content []byte) bool {
	for _, p := range secretPatterns {
		for _, lit := range p.lits {
			if bytes.Contains(content, []byte(lit)) {
				if p.re.Match(content) {
					return true
				}
				break
			}
		}
	}
	return false
}

// isSecretName reports whether a path names a key, certificate or .env file.
func isSecretName(p string) bool {
	base := strings.ToLower(path.Base(p))
	if secretNames[base] || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env") {
		return true
	}
	return secretExts[path.Ext(base)]
}

// verdict is what the file rules decide about one file: a language to emit
// it under, or the counter name of the rule that dropped it.
type verdict struct {
	lang string
	drop string
}

// classify applies every file rule, cheapest first.
func (s *Source) classify(p string, content []byte) verdict {
	o := &s.opts
	if int64(len(content)) > o.MaxFileBytes {
		return verdict{drop: "skip.too_large"}
	}
	if isSecretName(p) {
		return verdict{drop: "skip.secret"}
	}
	base := strings.ToLower(path.Base(p))
	if strings.Contains(base, ".min.") || strings.HasSuffix(base, "-min.js") {
		return verdict{drop: "skip.minified"}
	}
	if o.SkipVendored && enry.IsVendor(p) {
		return verdict{drop: "skip.vendored"}
	}
	if enry.IsDotFile(p) {
		return verdict{drop: "skip.dotfile"}
	}
	if enry.IsImage(p) || enry.IsBinary(content) || !utf8.Valid(content) {
		return verdict{drop: "skip.binary"}
	}
	if hasSecret(content) {
		return verdict{drop: "skip.secret"}
	}
	if o.SkipGenerated && enry.IsGenerated(p, content) {
		return verdict{drop: "skip.generated"}
	}
	lang := enry.GetLanguage(path.Base(p), content)
	if lang == "" {
		return verdict{drop: "skip.no_language"}
	}
	if s.skipTypes[enry.GetLanguageType(lang)] {
		return verdict{drop: "skip.type_" + typeName(enry.GetLanguageType(lang))}
	}
	if s.skipLangs[strings.ToLower(lang)] || (len(s.languages) > 0 && !s.languages[strings.ToLower(lang)]) {
		return verdict{drop: "skip.language"}
	}
	if r := s.lineRules(content); r != "" {
		return verdict{drop: r}
	}
	return verdict{lang: lang}
}

// lineRules are the Codex/Stack text statistics: longest line, mean line
// length and the alphanumeric share, over characters (not bytes).
func (s *Source) lineRules(content []byte) string {
	o := &s.opts
	lines, chars, alnum, cur, longest := 0, 0, 0, 0, 0
	for _, r := range string(content) {
		chars++
		if r == '\n' {
			lines++
			longest = max(longest, cur)
			cur = 0
			continue
		}
		cur++
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			alnum++
		}
	}
	if cur > 0 {
		lines++
		longest = max(longest, cur)
	}
	if lines == 0 || chars == 0 {
		return "skip.empty"
	}
	switch {
	case longest > o.MaxLineLength:
		return "skip.max_line_length"
	case float64(chars)/float64(lines) > o.MaxMeanLineLength:
		return "skip.mean_line_length"
	case float64(alnum)/float64(chars) < o.MinAlnumFraction:
		return "skip.alnum_fraction"
	}
	return ""
}

func typeName(t enry.Type) string {
	switch t {
	case enry.Data:
		return "data"
	case enry.Programming:
		return "programming"
	case enry.Markup:
		return "markup"
	case enry.Prose:
		return "prose"
	}
	return "unknown"
}

func parseType(s string) enry.Type {
	switch strings.ToLower(s) {
	case "data":
		return enry.Data
	case "programming":
		return enry.Programming
	case "markup":
		return enry.Markup
	case "prose":
		return enry.Prose
	}
	return enry.Unknown
}

// isLicenseFile reports whether a repository-root file name is where a
// licence lives.
func isLicenseFile(name string) bool {
	n := strings.ToUpper(name)
	for _, p := range []string{"LICENSE", "LICENCE", "COPYING", "UNLICENSE"} {
		if n == p || strings.HasPrefix(n, p+"-") {
			return true
		}
		if strings.HasPrefix(n, p+".") {
			// LICENSE.txt, LICENSE.md, LICENSE.MIT are licences;
			// license.go, licence.py, License.java are code about them.
			// An extension that prose also uses (.md: Markdown, or a
			// GCC machine description) is a licence.
			langs := enry.GetLanguagesByExtension(name, nil, nil)
			isType := func(t enry.Type) func(string) bool {
				return func(l string) bool { return enry.GetLanguageType(l) == t }
			}
			return !slices.ContainsFunc(langs, isType(enry.Programming)) || slices.ContainsFunc(langs, isType(enry.Prose))
		}
	}
	return false
}

// detectLicense names the licence of licence-file texts as SPDX ids joined
// by " AND " (sorted, de-duplicated), or "" when none is recognised.
// licensecheck matches the full texts of ~250 licences; a file that is
// mostly unmatched text (a custom licence) is not guessed at.
func detectLicense(texts [][]byte) string {
	var ids []string
	for _, t := range texts {
		cov := licensecheck.Scan(t)
		if cov.Percent < 50 {
			continue
		}
		for _, m := range cov.Match {
			ids = append(ids, m.ID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return strings.Join(ids, " AND ")
}

// licenseAllowed applies the allow-list to a licence expression or list:
// every licence named must be allowed.
func (s *Source) licenseAllowed(license string) bool {
	if len(s.licenses) == 0 {
		return true
	}
	if license == "" || license == "unknown" {
		return s.opts.AllowUnlicensed
	}
	if isExpression(license) {
		// An SPDX expression from a manifest: one allowed alternative of
		// an OR is enough, every part of an AND must be allowed.
		if ok, valid := s.expressionAllowed(license); valid {
			return ok
		}
	}
	for _, id := range splitLicenses(license) {
		if !s.licenses[strings.ToLower(id)] {
			return false
		}
	}
	return true
}

func splitLicenses(l string) []string {
	f := strings.FieldsFunc(l, func(r rune) bool {
		return r == ',' || r == ' ' || r == ';' || r == '[' || r == ']' || r == '"' || r == '\''
	})
	out := f[:0]
	for _, x := range f {
		if u := strings.ToUpper(x); u != "AND" && u != "OR" {
			out = append(out, x)
		}
	}
	return out
}

// isExpression tells an SPDX expression ("MIT OR Apache-2.0") from the
// plain lists The Stack's rows carry ("Apache-2.0,MIT").
func isExpression(l string) bool {
	return strings.Contains(l, " OR ") || strings.Contains(l, " AND ") || strings.Contains(l, " WITH ") || strings.Contains(l, "(")
}

// expressionAllowed evaluates an expression against the allow-list; valid
// is false when it does not parse. AND binds tighter than OR (SPDX annex
// D); a licence WITH an exception is judged by the licence.
func (s *Source) expressionAllowed(expr string) (ok, valid bool) {
	toks := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ").Replace(expr))
	p := &exprParser{toks: toks, allowed: func(id string) bool {
		id = strings.ToLower(id)
		return s.licenses[id] || s.licenses[strings.TrimSuffix(id, "+")]
	}}
	v, good := p.or()
	if !good || p.i != len(p.toks) {
		return false, false
	}
	return v, true
}

type exprParser struct {
	toks    []string
	i       int
	allowed func(string) bool
}

func (p *exprParser) peek() string {
	if p.i < len(p.toks) {
		return strings.ToUpper(p.toks[p.i])
	}
	return ""
}

func (p *exprParser) or() (bool, bool) {
	v, ok := p.and()
	for ok && p.peek() == "OR" {
		p.i++
		w, good := p.and()
		v, ok = v || w, good
	}
	return v, ok
}

func (p *exprParser) and() (bool, bool) {
	v, ok := p.atom()
	for ok && p.peek() == "AND" {
		p.i++
		w, good := p.atom()
		v, ok = v && w, good
	}
	return v, ok
}

func (p *exprParser) atom() (bool, bool) {
	switch t := p.peek(); t {
	case "":
		return false, false
	case "(":
		p.i++
		v, ok := p.or()
		if !ok || p.peek() != ")" {
			return false, false
		}
		p.i++
		return v, true
	case ")", "AND", "OR", "WITH":
		return false, false
	}
	id := p.toks[p.i]
	p.i++
	if p.peek() == "WITH" {
		p.i += 2 // the exception narrows nothing the allow-list asks about
		if p.i > len(p.toks) {
			return false, false
		}
	}
	return p.allowed(id), true
}
