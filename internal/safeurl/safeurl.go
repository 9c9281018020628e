// Package safeurl is the one place that decides which URLs may leave
// linkrot for a user: in a report, as a link in the UI, or written into a
// user's document by `fix`. URLs come from documents, from the servers
// linkrot checks (redirects) and from public archives (availability
// answers, Memento Location headers), and none of those is trusted: a
// `javascript:` URL becomes script in a browser, `=cmd|…` a formula in a
// spreadsheet, a control character a forged terminal or Markdown line.
//
// Only absolute http and https URLs with a host pass Check. CheckLocal
// also lets through the local archive's own root-relative paths.
package safeurl

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnsafe is wrapped by every refusal, so callers can tell a refused
// URL from other failures with errors.Is.
var ErrUnsafe = errors.New("not a URL linkrot passes on")

// MaxLen bounds a URL passed on; longer ones are almost surely junk (or an
// attempt to flood a report) and no browser or archive needs them.
const MaxLen = 8192

// Check returns nil when raw is an absolute http or https URL with a
// host, no whitespace or control characters and no user information,
// and an error wrapping ErrUnsafe saying why not otherwise.
func Check(raw string) error {
	if err := plain(raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: malformed: %v", ErrUnsafe, err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return fmt.Errorf("%w: not an absolute URL", ErrUnsafe)
	default:
		return fmt.Errorf("%w: scheme %q (only http and https)", ErrUnsafe, u.Scheme)
	}
	// "http:foo" parses with an opaque part and no host.
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%w: no host", ErrUnsafe)
	}
	if h := u.Hostname(); net.ParseIP(h) == nil && strings.IndexFunc(h, badHostRune) >= 0 {
		return fmt.Errorf("%w: host %q is not a host name", ErrUnsafe, h)
	}
	if u.User != nil {
		// user@host hides the real host from a reader ("https://bank@evil").
		return fmt.Errorf("%w: user information in the URL", ErrUnsafe)
	}
	return nil
}

// CheckLocal is Check, but also lets through the local archive's own
// URLs given as a root-relative path ("/web/2024…/https://…"; never
// "//host", which is another host). Its absolute URLs (under web.base_url
// or `fix --local-base`) are http(s) and pass Check.
func CheckLocal(raw string) error {
	if err := plain(raw); err != nil {
		return err
	}
	if strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") && !strings.HasPrefix(raw, `/\`) {
		if _, err := url.Parse(raw); err != nil {
			return fmt.Errorf("%w: malformed: %v", ErrUnsafe, err)
		}
		return nil
	}
	return Check(raw)
}

// Web reports whether Check passes raw.
func Web(raw string) bool { return Check(raw) == nil }

// Filter returns raw when Check passes it and "" otherwise, logging a
// warning that names what the URL was (what: "public archive copy of
// https://…") so the operator can find where it came from.
func Filter(raw, what string) string {
	if raw == "" {
		return ""
	}
	if err := Check(raw); err != nil {
		Warn(raw, what, err)
		return ""
	}
	return raw
}

// Warn logs that raw was dropped. slog quotes a value with control
// characters, so the URL cannot forge a log line.
func Warn(raw, what string, err error) {
	if len(raw) > 200 {
		raw = raw[:200] + "…"
	}
	slog.Warn("dropped a URL that is not safe to pass on", "what", what, "url", raw, "why", err.Error())
}

// badHostRune: a host name is letters (any script, for IDNs), digits,
// '-', '_' and dots; anything else ('"', '%', '<') would be read
// differently by the next parser.
func badHostRune(r rune) bool {
	return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.')
}

// plain refuses what no URL passed on may hold, whatever its form.
func plain(raw string) error {
	switch {
	case raw == "":
		return fmt.Errorf("%w: empty", ErrUnsafe)
	case len(raw) > MaxLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrUnsafe, MaxLen)
	case strings.IndexFunc(raw, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0:
		return fmt.Errorf("%w: whitespace or control characters", ErrUnsafe)
	case !utf8.ValidString(raw):
		return fmt.Errorf("%w: not valid UTF-8", ErrUnsafe)
	}
	return nil
}

// SpreadsheetCell neutralises a CSV cell that a spreadsheet would read as
// a formula (OWASP's CSV-injection rule): one that begins with '=', '+',
// '-', '@', a tab or a carriage return gets a leading single quote, which
// spreadsheets show as text and do not evaluate.
func SpreadsheetCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
