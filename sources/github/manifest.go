package github

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/google/licensecheck"
)

// manifestOrder is where a repository states its licence as an SPDX
// expression, in the order they are asked; the first that gives a valid
// expression wins over guessing from licence files, which cannot tell
// "MIT OR Apache-2.0" (choose one) from "MIT AND Apache-2.0" (both apply).
var manifestOrder = []string{"Cargo.toml", "package.json", "pyproject.toml", "setup.cfg", "*.gemspec", "composer.json"}

// isManifest reports whether a root file name is one of manifestOrder.
func isManifest(name string) bool {
	return manifestRank(name) >= 0
}

func manifestRank(name string) int {
	for i, m := range manifestOrder {
		if ok, _ := path.Match(m, name); ok {
			return i
		}
	}
	return -1
}

// manifestLicense reads the licence expression a manifest declares, "" if
// none or not valid SPDX ("BSD License" in a setup.cfg is a name, not an
// expression: the licence files decide then).
func manifestLicense(name string, b []byte) string {
	var exprs []string
	switch {
	case name == "Cargo.toml":
		exprs = tomlStrings(b, []string{"package", "workspace.package"}, "license")
	case name == "pyproject.toml":
		exprs = tomlStrings(b, []string{"project", "tool.poetry"}, "license")
	case name == "setup.cfg":
		exprs = iniValue(b, "metadata", "license")
	case name == "package.json", name == "composer.json":
		exprs = jsonLicense(b)
	case strings.HasSuffix(name, ".gemspec"):
		exprs = gemspecLicenses(b)
	}
	var valid []string
	for _, e := range exprs {
		if n, ok := normalizeSPDX(e); ok && !slices.Contains(valid, n) {
			valid = append(valid, n) // a licence listed twice is one choice
		}
	}
	switch len(valid) {
	case 0:
		return ""
	case 1:
		return valid[0]
	}
	// A list of licences in package.json, composer.json or a gemspec
	// offers each as an alternative (composer's documented meaning).
	for i, v := range valid {
		if strings.Contains(v, " ") {
			valid[i] = "(" + v + ")"
		}
	}
	return strings.Join(valid, " OR ")
}

// tomlStrings finds key = "value" or key = { text = "value" } in the given
// tables; enough TOML for the licence field, without a TOML dependency.
func tomlStrings(b []byte, tables []string, key string) []string {
	want := map[string]bool{}
	for _, t := range tables {
		want[t] = true
	}
	table := ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			table = strings.TrimSpace(strings.Trim(line, "[]"))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !want[table] {
			continue
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		switch {
		case k == key && strings.HasPrefix(v, "{"):
			// PEP 621: license = { text = "MIT" } (or { file = ... }).
			if m := inlineText.FindStringSubmatch(v); m != nil {
				return []string{m[1]}
			}
		case k == key || k == key+".text":
			if s, ok := tomlString(v); ok {
				return []string{s}
			}
		}
	}
	return nil
}

var inlineText = regexp.MustCompile(`\btext\s*=\s*["']([^"']*)["']`)

func tomlString(v string) (string, bool) {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[1 : 1+end], true
		}
	}
	return "", false
}

// iniValue reads key in [section] of a setup.cfg.
func iniValue(b []byte, section, key string) []string {
	cur := ""
	for _, line := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			cur = strings.TrimSpace(t[1 : len(t)-1])
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if ok && cur == section && strings.TrimSpace(k) == key {
			return []string{strings.TrimSpace(v)}
		}
	}
	return nil
}

// jsonLicense reads "license" (a string, an array, or the old {"type": X})
// and the deprecated "licenses" array of package.json / composer.json.
func jsonLicense(b []byte) []string {
	var m struct {
		License  json.RawMessage `json:"license"`
		Licenses json.RawMessage `json:"licenses"`
	}
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	// "licenses" is the deprecated form of "license": npm reads it only
	// when "license" is absent, and manifests that keep both for old tools
	// (apache/thrift) repeat the same licence in it.
	if out := jsonLicenseValue(m.License); len(out) > 0 {
		return out
	}
	return jsonLicenseValue(m.Licenses)
}

func jsonLicenseValue(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var typed struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &typed) == nil && typed.Type != "" {
		return []string{typed.Type}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, x := range list {
			out = append(out, jsonLicenseValue(x)...)
		}
		return out
	}
	return nil
}

var (
	gemLicense  = regexp.MustCompile(`\.licenses?\s*=\s*(.+)`)
	quotedValue = regexp.MustCompile(`["']([^"']+)["']`)
	wordArray   = regexp.MustCompile(`%w[\[(]([^\])]*)[\])]`)
)

// gemspecLicenses reads spec.license = "MIT" or spec.licenses = [...] /
// %w[...] from Ruby source, without running it.
func gemspecLicenses(b []byte) []string {
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		m := gemLicense.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if w := wordArray.FindStringSubmatch(m[1]); w != nil {
			return strings.Fields(w[1])
		}
		var out []string
		for _, q := range quotedValue.FindAllStringSubmatch(m[1], -1) {
			out = append(out, q[1])
		}
		return out
	}
	return nil
}

// spdxIDs is the set of licence ids licensecheck knows, upper-cased.
var spdxIDs = func() map[string]string {
	m := map[string]string{}
	for _, l := range licensecheck.BuiltinLicenses() {
		m[strings.ToUpper(l.ID)] = l.ID
	}
	return m
}()

// normalizeSPDX checks an SPDX licence expression (ids, AND, OR, WITH,
// parentheses, "+", LicenseRef-) and returns it with canonical id case,
// upper-case operators and single spaces.
func normalizeSPDX(expr string) (string, bool) {
	expr = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(expr)
	toks := strings.Fields(expr)
	if len(toks) == 0 {
		return "", false
	}
	var out []string
	depth := 0
	wantID := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		u := strings.ToUpper(t)
		switch {
		case t == "(":
			if !wantID {
				return "", false
			}
			depth++
			out = append(out, t)
		case t == ")":
			if wantID || depth == 0 {
				return "", false
			}
			depth--
			out = append(out, t)
		case u == "AND" || u == "OR":
			if wantID {
				return "", false
			}
			out = append(out, u)
			wantID = true
		case u == "WITH":
			if wantID || i+1 >= len(toks) {
				return "", false
			}
			i++
			out = append(out, "WITH", toks[i])
		default:
			if !wantID {
				return "", false
			}
			id, ok := spdxID(t)
			if !ok {
				return "", false
			}
			out = append(out, id)
			wantID = false
		}
	}
	if wantID || depth != 0 {
		return "", false
	}
	s := strings.Join(out, " ")
	return strings.NewReplacer("( ", "(", " )", ")").Replace(s), true
}

func spdxID(t string) (string, bool) {
	if strings.HasPrefix(t, "LicenseRef-") || strings.HasPrefix(t, "DocumentRef-") {
		return t, true
	}
	plus := strings.HasSuffix(t, "+")
	base := strings.TrimSuffix(t, "+")
	id, ok := spdxIDs[strings.ToUpper(base)]
	if !ok {
		return "", false
	}
	if plus {
		id += "+"
	}
	return id, true
}
