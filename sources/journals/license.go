package journals

import (
	"regexp"
	"strings"
)

var (
	ccURLRe = regexp.MustCompile(`(?i)creativecommons\.org/licenses/([a-z-]+)/(\d(?:\.\d)?)`)
	ccPDRe  = regexp.MustCompile(`(?i)creativecommons\.org/publicdomain/(zero|mark)/(\d\.\d)`)
	// "CC BY 4.0", "CC-BY-NC-ND 4.0", "Attribution 4.0 International".
	ccTextRe = regexp.MustCompile(`(?i)\b(?:CC[ -]BY(?:[ -](?:NC|SA|ND))*|Attribution(?:[ -](?:NonCommercial|ShareAlike|NoDerivatives|NoDerivs))*)[ -](\d\.\d)\b`)
	arxivRe  = regexp.MustCompile(`(?i)arxiv\.org/licenses/([a-z0-9-]+)/(\d\.\d)`)
)

// spdxLicense names a licence by its SPDX id from a licence URL or, when
// there is none, from its wording. Creative Commons URLs map exactly
// (by-nc/3.0 -> CC-BY-NC-3.0, zero/1.0 -> CC0-1.0). Text that names a CC
// licence without a version ("the Creative Commons Attribution License",
// as early PLOS articles say) gives the family without a version
// ("CC-BY"), since the version cannot be known; other licences get a
// LicenseRef- id. "" when nothing is recognised.
func spdxLicense(url, text string) string {
	for _, s := range []string{url, text} {
		if m := ccURLRe.FindStringSubmatch(s); m != nil {
			ver := m[2]
			if !strings.Contains(ver, ".") {
				ver += ".0"
			}
			return "CC-" + strings.ToUpper(m[1]) + "-" + ver
		}
		if m := ccPDRe.FindStringSubmatch(s); m != nil {
			if strings.EqualFold(m[1], "zero") {
				return "CC0-" + m[2]
			}
			return "LicenseRef-PDM-" + m[2]
		}
		if m := arxivRe.FindStringSubmatch(s); m != nil {
			return "LicenseRef-arxiv-" + strings.ToLower(m[1]) + "-" + m[2]
		}
	}
	if m := ccTextRe.FindStringSubmatch(text); m != nil {
		return ccFamily(strings.ToLower(m[0])) + "-" + m[1]
	}
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	switch {
	case strings.Contains(t, "public domain"):
		return "LicenseRef-public-domain"
	case strings.Contains(t, "creative commons") && strings.Contains(t, "attribution"):
		return ccFamily(t)
	}
	return ""
}

// ccFamily names the CC licence family lowered text t speaks of.
func ccFamily(t string) string {
	t = strings.NewReplacer("-", " ", "_", " ").Replace(t)
	fam := "CC-BY"
	if strings.Contains(t, "noncommercial") || strings.Contains(t, "non commercial") || strings.Contains(t, " nc") {
		fam += "-NC"
	}
	switch {
	case strings.Contains(t, "sharealike") || strings.Contains(t, "share alike") || strings.Contains(t, " sa"):
		fam += "-SA"
	case strings.Contains(t, "noderiv") || strings.Contains(t, "no deriv") || strings.Contains(t, " nd"):
		fam += "-ND"
	}
	return fam
}
