package filter

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/curate-dev/curate/pipeline/doc"
)

// piiStage replaces email addresses and public IP addresses with
// placeholders, as datatrove's PIIFormatter does for FineWeb. Differences,
// all deliberate:
//   - Emails match case-insensitively (datatrove's regex is lower-case only
//     and leaves "John.Smith@Example.com" in place).
//   - An IPv4 address must stand alone: "v1.2.3.4" or "1.2.3.4.5" (version
//     strings) are left alone, where datatrove's unanchored regex rewrites
//     the first four numbers.
//   - An address's local part stops at "/", "=", "?" and "&", an
//     scp-style remote (git@github.com:org/repo.git) is not an address,
//     and neither is a name@ before an all-digit top-level label
//     (lodash@4.17.21, actions/checkout@v4.1.0), so paths, queries,
//     clone commands and package versions around them survive.
//   - A dotted quad that reads as a version (after '-' or "version", or
//     all single digits away from "dns"/"server": BigCode's filters for
//     The Stack) is left alone.
//   - IPv6 addresses in the global unicast range are replaced too.
//   - Multicast addresses count as non-public (they identify no one).
//   - Replacements cycle per document from the first one, so the output
//     does not depend on how documents are spread over workers (datatrove
//     cycles through one counter per process).
//
// Email domain literals ("user@[192.0.2.1]") are not matched as emails;
// the address inside is still judged as an IP.
type piiStage struct{ o PIIOptions }

func (s *piiStage) Name() string { return "pii" }

func (s *piiStage) Apply(d *doc.Document, c doc.Counter) string {
	text := d.Text
	if s.o.Emails {
		var n int
		text, n = s.replaceEmails(text)
		if n > 0 {
			c.Add("pii.email", int64(n))
		}
	}
	if s.o.IPs {
		var n4, n6 int
		text, n4, n6 = s.replaceIPs(text)
		if n4 > 0 {
			c.Add("pii.ipv4", int64(n4))
		}
		if n6 > 0 {
			c.Add("pii.ipv6", int64(n6))
		}
	}
	d.Text = text
	return ""
}

// isLocalChar: the characters of datatrove's email local part
// [a-z0-9!#$%&'*+/=?^_`{|}~-], here in either case, less "/", "=", "?"
// and "&": RFC 5322 allows them, but in text they are the separators of
// paths, queries and key=value pairs, so an address after them
// ("login?user=jane@x.org", "/CN=host/emailAddress=dev@x.org") would take
// the whole path or query with it.
func isLocalChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%'*+^_`{|}~-", c) >= 0
}

// isRemoteSpec reports whether an address-shaped user@host ending at end
// is an scp-style remote ("git@github.com:org/repo.git", "me@host:~/x"):
// a host followed by ':' and a path or port, which names an account on a
// server (most often a forge's shared "git" account), not a mailbox.
func isRemoteSpec(text string, end int) bool {
	if end+1 >= len(text) || text[end] != ':' {
		return false
	}
	c := text[end+1]
	return isAlnum(c) || strings.IndexByte("~/._-", c) >= 0
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isWordAt reports whether the rune at/ending at a byte position is a regex
// \w character (Unicode letters and digits, and "_").
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// matchEmail looks for an address around the '@' at index at and returns
// its bounds, or ok=false.
func matchEmail(text string, at int) (start, end int, ok bool) {
	// Local part: atoms of local characters separated by single dots,
	// ending right before '@'.
	if at == 0 || !isLocalChar(text[at-1]) {
		return 0, 0, false
	}
	j := at
	for j > 0 && (isLocalChar(text[j-1]) || text[j-1] == '.') {
		if text[j-1] == '.' && (j-1 == 0 || text[j-2] == '.' || !isLocalChar(text[j-2])) {
			break // a leading or doubled dot ends the local part
		}
		j--
	}
	// The regex starts with \b: move right to the first position where a
	// word boundary holds, i.e. where "word-ness" changes.
	for ; j < at; j++ {
		if text[j] == '.' {
			continue
		}
		prevWord := false
		if j > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:j])
			prevWord = isWordRune(r)
		}
		curWord := isAlnum(text[j]) || text[j] == '_'
		if prevWord != curWord {
			break
		}
	}
	if j >= at || text[j] == '.' {
		return 0, 0, false
	}
	// Domain: two or more labels [a-z0-9]([a-z0-9-]*[a-z0-9])? joined by dots.
	k := at + 1
	labels := 0
	end = -1
	for {
		ls := k
		for k < len(text) && (isAlnum(text[k]) || text[k] == '-') {
			k++
		}
		if k == ls || text[ls] == '-' {
			break
		}
		le := k
		for le > ls && text[le-1] == '-' {
			le-- // a label cannot end in '-'; the regex backtracks to here
		}
		labels++
		if labels >= 2 && hasLetter(text[ls:le]) {
			// A top-level domain is never all digits (RFC 3696 §2), so
			// "lodash@4.17.21", "action@v8.0.0" and "pass@10.1.1.10:80"
			// (a package version, an Action ref, URL credentials before
			// an IP) are not addresses.
			end = le
		}
		if le != k || k >= len(text) || text[k] != '.' {
			break
		}
		k++
	}
	if end < 0 {
		return 0, 0, false
	}
	return j, end, true
}

func (s *piiStage) replaceEmails(text string) (string, int) {
	if strings.IndexByte(text, '@') < 0 {
		return text, 0
	}
	var b strings.Builder
	last, n := 0, 0
	emails := placeholders{choices: s.o.EmailReplacements}
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], '@')
		if k < 0 {
			break
		}
		at := i + k
		start, end, ok := matchEmail(text, at)
		if ok && start >= last && (isReservedDomain(text[at+1:end]) || isRemoteSpec(text, end)) {
			// user@example.com is documentation, not anyone's address;
			// git@github.com:org/repo is a remote.
			i = end
			continue
		}
		if ok && start >= last {
			if n == 0 {
				b.Grow(len(text))
			}
			b.WriteString(text[last:start])
			b.WriteString(emails.placeholder(strings.ToLower(text[start:end])))
			n++
			last = end
			i = end
			continue
		}
		i = at + 1
	}
	if n == 0 {
		return text, 0
	}
	b.WriteString(text[last:])
	return b.String(), n
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// versionLike reports whether the dotted quad text[start:end] reads as
// a version number rather than an address, as BigCode's PII filters for
// The Stack judge it: it follows a '-' (OTP-23.3.4.5, gcc-4.8.2.1, and SVG
// path data), the word "version" comes right before it
// (ERLANG_OTP_VERSION=23.3.4.5, AssemblyVersion("1.0.0.0")), or every part
// is one digit (1.2.0.0) with neither "dns" nor "server" within 100 bytes.
func versionLike(text string, start, end int) bool {
	if start > 0 && text[start-1] == '-' {
		return true
	}
	// "version" right before it, past nothing but " =:(\"'v"
	// ("cached version [here](http://72.14.207.104/…" is an address).
	before := strings.TrimRight(text[max(0, start-16):start], " =:(\"'v")
	if strings.HasSuffix(strings.ToLower(before), "version") {
		return true
	}
	if end-start != 7 {
		return false
	}
	near := strings.ToLower(text[max(0, start-100):min(len(text), end+100)])
	return !strings.Contains(near, "dns") && !strings.Contains(near, "server")
}

// replaceIPs finds runs of hex digits, dots and colons that stand alone and
// replaces those that parse as public addresses.
func (s *piiStage) replaceIPs(text string) (string, int, int) {
	var b strings.Builder
	last, n4, n6 := 0, 0, 0
	v4s := placeholders{choices: s.o.IPv4Replacements}
	v6s := placeholders{choices: s.o.IPv6Replacements}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !isHex(c) && c != ':' {
			continue
		}
		if i > 0 {
			p := text[i-1]
			if isAlnum(p) || p == '_' || p == '.' || p == ':' || p >= utf8.RuneSelf {
				continue
			}
		}
		j := i
		dots, colons := 0, 0
		for j < len(text) && (isHex(text[j]) || text[j] == '.' || text[j] == ':') {
			switch text[j] {
			case '.':
				dots++
			case ':':
				colons++
			}
			j++
		}
		if dots < 3 && colons < 2 {
			i = j - 1
			continue
		}
		start, end, v6 := i, -1, false
		var addr netip.Addr
		if colons >= 2 {
			cand := strings.TrimRight(text[i:j], ".")
			if a, err := netip.ParseAddr(cand); err == nil && boundaryAfter(text, i+len(cand)) {
				addr, end, v6 = a, i+len(cand), true
			}
		}
		if end < 0 && dots >= 3 {
			// Dotted quad, possibly followed by ":port" or a full stop.
			k := i
			for k < j && (text[k] >= '0' && text[k] <= '9' || text[k] == '.') {
				k++
			}
			cand := strings.TrimRight(text[i:k], ".")
			// Either the run ends here (and no word character follows), or a
			// port follows; a hex letter right after the digits makes it
			// something else (a hash, a version tag).
			standalone := k < j && text[k] == ':'
			if k == j {
				standalone = boundaryAfter(text, j)
			}
			if standalone && !versionLike(text, i, i+len(cand)) {
				if a, err := netip.ParseAddr(cand); err == nil && a.Is4() {
					addr, end = a, i+len(cand)
				}
			}
		}
		if end < 0 {
			i = j - 1
			continue
		}
		if s.o.OnlyPublicIPs && !isPublic(addr) {
			i = end - 1
			continue
		}
		if n4+n6 == 0 {
			b.Grow(len(text))
		}
		b.WriteString(text[last:start])
		if v6 {
			b.WriteString(v6s.placeholder(addr.String()))
			n6++
		} else {
			b.WriteString(v4s.placeholder(addr.String()))
			n4++
		}
		last = end
		i = end - 1
	}
	if n4+n6 == 0 {
		return text, 0, 0
	}
	b.WriteString(text[last:])
	return b.String(), n4, n6
}

// boundaryAfter reports whether an address ending at i is not glued to a
// following word character.
func boundaryAfter(text string, i int) bool {
	if i >= len(text) {
		return true
	}
	c := text[i]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(text[i:])
		return !isWordRune(r)
	}
	return !isAlnum(c) && c != '_'
}

// Non-public ranges: the IANA special-purpose registries' "not globally
// reachable" entries (what Python's ipaddress is_global, and so datatrove,
// checks), plus multicast.
var (
	privateV4 = mustPrefixes(
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	)
	// Globally reachable exceptions inside 192.0.0.0/24 (PCP and TURN anycast).
	publicV4 = mustPrefixes("192.0.0.9/32", "192.0.0.10/32")
	// IPv6 outside 2000::/3 is never global unicast; inside it these are not global.
	privateV6 = mustPrefixes("2001::/23", "2001:db8::/32", "3fff::/20")
	publicV6  = mustPrefixes("2001:1::1/128", "2001:1::2/128", "2001:3::/32", "2001:4:112::/48", "2001:20::/28", "2001:30::/28")
	globalV6  = netip.MustParsePrefix("2000::/3")
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isPublic reports whether an address could identify a host on the
// Internet.
func isPublic(a netip.Addr) bool {
	a = a.WithZone("")
	if a.Is4In6() {
		a = a.Unmap()
	}
	if a.Is4() {
		if inAny(a, publicV4) {
			return true
		}
		return !inAny(a, privateV4) && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
	}
	if !globalV6.Contains(a) {
		return false
	}
	if inAny(a, publicV6) {
		return true
	}
	return !inAny(a, privateV6)
}

// placeholders hands out replacement values within one document: each
// distinct address gets the next value of the list (cycling), and keeps it,
// so a file that writes one address three times still names one party,
// not three.
type placeholders struct {
	choices []string
	given   map[string]string
}

func (p *placeholders) placeholder(addr string) string {
	if v, ok := p.given[addr]; ok {
		return v
	}
	if p.given == nil {
		p.given = map[string]string{}
	}
	v := p.choices[len(p.given)%len(p.choices)]
	p.given[addr] = v
	return v
}

// reservedDomains are the names RFC 2606 and RFC 6761 set aside for
// documentation and testing; no one receives mail there.
var reservedDomains = []string{"example.com", "example.net", "example.org", "example", "test", "invalid", "localhost"}

// isReservedDomain reports a reserved domain or a name under one.
func isReservedDomain(domain string) bool {
	d := strings.ToLower(strings.TrimSuffix(domain, "."))
	for _, r := range reservedDomains {
		if d == r || strings.HasSuffix(d, "."+r) {
			return true
		}
	}
	return false
}
