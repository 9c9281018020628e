package sources

// Host checks: what a host may be as written (labels and a TLD, an IPv4
// address, a single label after a scheme, an IDN that passes IDNA lookup
// rules, an IPv6 literal that net/url and net read).

import (
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ipLiteral reports whether h, the host net/url read from brackets, is an
// IPv6 address, with its zone if any.
func ipLiteral(h string) bool {
	if k := strings.IndexByte(h, '%'); k >= 0 {
		h = h[:k]
	}
	ip := net.ParseIP(h)
	return ip != nil && strings.IndexByte(h, ':') >= 0
}

// validHost checks a host as written: labels of letters, digits and
// hyphens, a TLD of letters (or an IPv4 address); after an explicit scheme
// a single label is a host too (http://intranet/, http://localhost:8080).
// A host in Unicode must also pass IDNA (UTS #46) lookup rules.
func validHost[T ~string | ~[]byte](host T, hasScheme bool) bool {
	h := hostname(host)
	if len(h) > 0 && h[0] == '[' {
		u, err := url.Parse("http://" + string(h))
		return hasScheme && err == nil && ipLiteral(u.Hostname())
	}
	if len(h) > 0 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	labels, numeric := 0, 0
	full := h
	for len(h) > 0 || labels == 0 {
		k := 0
		for k < len(h) && h[k] != '.' {
			k++
		}
		l := h[:k]
		if len(l) == 0 || l[0] == '-' || l[len(l)-1] == '-' || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			if l[i] < utf8.RuneSelf && byteClass[l[i]]&clsHost == 0 {
				return false // "example]org"
			}
		}
		labels++
		if allDigits(l) {
			numeric++
		}
		if k == len(h) {
			break
		}
		h = h[k+1:]
	}
	if numeric == labels {
		return labels == 4
	}
	if labels == 1 {
		// "www" alone is the start of a host whose dots were lost
		return hasScheme && idnaValid(full) && !(len(full) == 3 && strings.EqualFold(string(full), "www"))
	}
	return hasTLDShape(h) && idnaValid(full)
}

// idnaValid checks a host with non-ASCII characters against the IDNA lookup
// profile; ASCII hosts were checked label by label already.
func idnaValid[T ~string | ~[]byte](h T) bool {
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			_, err := idna.Lookup.ToASCII(string(h))
			return err == nil
		}
	}
	return true
}

// hostname drops the user information and port from an authority.
func hostname[T ~string | ~[]byte](h T) T {
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] == '@' {
			h = h[i+1:]
			break
		}
	}
	if len(h) > 0 && h[0] == '[' {
		for i := 0; i < len(h); i++ {
			if h[i] == ']' {
				return h[:i+1]
			}
		}
		return h
	}
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] == ':' {
			return h[:i]
		}
	}
	return h
}

// hasTLDShape reports whether the last label of h looks like a TLD: two or
// more letters (any script), or an IDN "xn--" label.
func hasTLDShape[T ~string | ~[]byte](h T) bool {
	dot := -1
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] == '.' {
			dot = i
			break
		}
	}
	tld := string(h[dot+1:])
	if strings.HasPrefix(tld, "xn--") && len(tld) > 4 {
		return true
	}
	n := 0
	for _, r := range tld {
		if r < 0x80 && !isLetter(byte(r)) || r >= 0x80 && !isURLRune(r) {
			return false
		}
		n++
	}
	return n >= 2
}
