// Package crawler checks links: it fetches them politely through colly,
// classifies what happened, and decides from a link's history whether it is
// alive, suspect, dead, moved or blocked.
package crawler

import "fmt"

// Class is the outcome of one check. The stable names (String) are what the
// store keeps and reports show; never rename one, only add.
//
// Every finished check ends in one of the documented classes below;
// ClassUnknown is only the zero value and the class of a check that was cut
// short (its context ended, or the Checker was closed), which is not a
// finding and is never stored.
type Class int

const (
	ClassUnknown          Class = iota
	ClassOK                     // 2xx, not a soft-404
	ClassRedirect               // 2xx reached only through a permanent redirect
	ClassHTTP4xx                // a 4xx other than the blocked ones
	ClassHTTP5xx                // a 5xx
	ClassSoft404                // a 200 that means "not found"
	ClassRedirectToRoot         // redirected to the site root or a /404 page
	ClassDNSNXDomain            // the name does not exist
	ClassDNSError               // the lookup failed otherwise
	ClassConnRefused            // nothing listens
	ClassConnReset              // the connection was reset or closed early
	ClassTimeout                // the deadline passed
	ClassTLSError               // certificate or handshake failure
	ClassTooManyRedirects       // more than max_redirects, or a loop
	ClassTooLarge               // over the body or header limits
	ClassBlocked                // 401/403/407/429/999 or a challenge page
	ClassRobotsDisallowed       // robots.txt forbids it; not fetched
	ClassNetworkDown            // the checker's own network was down
	ClassExcluded               // excluded by configuration; not fetched
	ClassPrivateAddress         // refused: resolves to a private address
	ClassProtocolError          // the server answered, but not in HTTP (bad status line, HTTP/0.9, garbage), or the port is out of range
	ClassDeferred               // Retry-After longer than crawler.max_retry_wait: left for a later run, state unchanged
	ClassInvalidURL             // the URL cannot be parsed or has no host; never fetched
)

var classNames = [...]string{
	ClassUnknown:          "unknown",
	ClassOK:               "ok",
	ClassRedirect:         "redirect",
	ClassHTTP4xx:          "http_4xx",
	ClassHTTP5xx:          "http_5xx",
	ClassSoft404:          "soft_404",
	ClassRedirectToRoot:   "redirect_to_root",
	ClassDNSNXDomain:      "dns_nxdomain",
	ClassDNSError:         "dns_error",
	ClassConnRefused:      "conn_refused",
	ClassConnReset:        "conn_reset",
	ClassTimeout:          "timeout",
	ClassTLSError:         "tls_error",
	ClassTooManyRedirects: "too_many_redirects",
	ClassTooLarge:         "too_large",
	ClassBlocked:          "blocked",
	ClassRobotsDisallowed: "robots_disallowed",
	ClassNetworkDown:      "network_down",
	ClassExcluded:         "excluded",
	ClassPrivateAddress:   "private_address",
	ClassProtocolError:    "protocol_error",
	ClassDeferred:         "deferred",
	ClassInvalidURL:       "invalid_url",
}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return fmt.Sprintf("class(%d)", int(c))
	}
	return classNames[c]
}

// ParseClass reads a stored class name back.
func ParseClass(s string) (Class, error) {
	for i, n := range classNames {
		if n == s {
			return Class(i), nil
		}
	}
	return ClassUnknown, fmt.Errorf("unknown check class %q", s)
}

// MarshalText and UnmarshalText make JSON and YAML use the stable names.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
func (c *Class) UnmarshalText(b []byte) error {
	v, err := ParseClass(string(b))
	*c = v
	return err
}

// IsSuccess: the link works (possibly through a redirect).
func (c Class) IsSuccess() bool { return c == ClassOK || c == ClassRedirect }

// IsHard: strong evidence the resource is gone.
func (c Class) IsHard() bool {
	switch c {
	case ClassHTTP4xx, ClassSoft404, ClassRedirectToRoot, ClassDNSNXDomain, ClassTooManyRedirects, ClassInvalidURL:
		return true
	}
	return false
}

// IsTransient: a failure that may pass; it counts toward dead only when it
// persists. A protocol error is one: a server that does not speak HTTP is
// as unusable as one that refuses the connection, and may be fixed.
func (c Class) IsTransient() bool {
	switch c {
	case ClassHTTP5xx, ClassDNSError, ClassConnRefused, ClassConnReset, ClassTimeout, ClassTLSError, ClassTooLarge,
		ClassProtocolError:
		return true
	}
	return false
}

// IsBlocked: the site refuses us, so we cannot know; never dead.
func (c Class) IsBlocked() bool {
	return c == ClassBlocked || c == ClassRobotsDisallowed || c == ClassPrivateAddress
}

// IsFailure: counts toward dead.
func (c Class) IsFailure() bool { return c.IsHard() || c.IsTransient() }

// IsDeferred: the check was put off (the site asked for a longer pause than
// the run may wait); it says nothing about the link.
func (c Class) IsDeferred() bool { return c == ClassDeferred }

// IsNetworkLevel: the failure happened before any HTTP answer, so a run in
// which most hosts fail this way is the checker's own outage.
func (c Class) IsNetworkLevel() bool {
	switch c {
	case ClassDNSNXDomain, ClassDNSError, ClassConnRefused, ClassTimeout, ClassConnReset, ClassNetworkDown:
		return true
	}
	return false
}
