package dedup

import (
	"net/url"
	"strings"
)

// NormalizeURL returns the form of a URL under which copies of one page
// compare equal: scheme and host lower-cased, the scheme's default port
// dropped, the fragment dropped, an empty path written "/". Query and path
// keep their case: servers treat them as case-sensitive. ok is false for a
// string that is not an absolute URL with a host.
func NormalizeURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	host = strings.TrimSuffix(host, ".")
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
	if u.Path == "" && u.RawPath == "" && u.Opaque == "" {
		u.Path = "/"
	}
	return u.String(), true
}
