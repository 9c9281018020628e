package sources

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// FetchURL returns the form of a found URL that a client requests. The
// finder reports URLs as the document wrote them (a host in Unicode,
// "…/path%" with its stray '%'); the fetch form has the host in ASCII
// (IDNA lookup rules, "☃.net" → "xn--n3h.net"), stray '%' escaped as "%25",
// and "https://" before a URL written without a scheme. It is an error when
// net/url cannot parse the result or IDNA rejects the host.
func FetchURL(u string) (string, error) {
	if !hasWebScheme(u) {
		u = "https://" + u
	}
	p, err := url.Parse(escapeStrayPercents(u))
	if err != nil {
		return "", err
	}
	if p.Host == "" {
		return "", fmt.Errorf("%q has no host", u)
	}
	host := p.Hostname()
	if strings.HasPrefix(p.Host, "[") {
		return p.String(), nil
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil && !isASCII(host) {
		return "", fmt.Errorf("host %q: %w", host, err)
	}
	if err == nil && ascii != host {
		if port := p.Port(); port != "" {
			p.Host = ascii + ":" + port
		} else {
			p.Host = ascii
		}
	}
	return p.String(), nil
}

// hasWebScheme reports whether u starts with http:// or https:// (any case).
func hasWebScheme(u string) bool {
	for _, p := range []string{"http://", "https://"} {
		if len(u) >= len(p) && strings.EqualFold(u[:len(p)], p) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
