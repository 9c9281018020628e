package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/linkrot/linkrot/store"
)

// Memento path prefixes.
const (
	timegatePrefix = "/timegate/"
	timemapPrefix  = "/timemap/link/"
	mementoPrefix  = "/web/"
)

// stampLayout is the 14-digit time of a memento URL, as the Wayback
// Machine and every Memento archive write it.
const stampLayout = "20060102150405"

// rawRest returns what follows prefix in r's path, escaped as the client
// sent it, plus "?" and the raw query when there is one: the whole
// original URL, query included.
func rawRest(r *http.Request, prefix string) string {
	p := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(p, prefix)
	if !ok {
		// The escaped prefix differs from the decoded one only if the
		// client escaped a letter of "/web/"; fall back to the decoded path.
		rest = strings.TrimPrefix(r.URL.Path, prefix)
	}
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		rest += "?" + r.URL.RawQuery
	}
	return rest
}

// collapsedScheme matches "http:/host": a scheme whose "//" a proxy or a
// client merged into one slash.
var collapsedScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):/([^/])`)

var hasScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// uriCandidates lists the catalog URLs a URL taken from a path may stand
// for, most literal first. The catalog keeps URLs as documents wrote them,
// which may be percent-encoded or not ("Köln" or "K%C3%B6ln"), while a
// client sends them encoded; linkrot's own links encode only what a path
// cannot hold (see pathURL), so decoding gives the stored form back.
func uriCandidates(raw string) []string {
	var out []string
	add := func(u string) {
		if u == "" {
			return
		}
		u = collapsedScheme.ReplaceAllString(u, "$1://$2")
		for _, have := range out {
			if have == u {
				return
			}
		}
		out = append(out, u)
	}
	add(raw)
	add(strings.ReplaceAll(raw, "%23", "#"))
	if dec, err := url.PathUnescape(raw); err == nil {
		add(dec)
	}
	// "example.com/page", as people type it: the scheme is guessed,
	// https first.
	schemeless := true
	for _, u := range out {
		schemeless = schemeless && !hasScheme.MatchString(u)
	}
	if schemeless {
		for _, u := range append([]string(nil), out...) {
			add("https://" + u)
			add("http://" + u)
		}
	}
	return out
}

// findLink returns the first candidate that is a link in the catalog.
func (s *Server) findLink(ctx context.Context, candidates []string) (store.Link, error) {
	for _, u := range candidates {
		l, err := s.cat.LinkByURL(ctx, u)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.Link{}, err
		}
	}
	return store.Link{}, store.ErrNotFound
}

// pathURL escapes a catalog URL to stand in a path, a Location or a
// Link header: bytes a URL cannot hold (space, quotes, angle brackets,
// controls, non-ASCII), "#" (which would end the path) and a "%" that
// starts no escape are percent-encoded; everything else, "?" included, is
// kept, so the URL reads as itself and uriCandidates decodes it back.
func pathURL(u string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
			b.WriteByte(c)
		case c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}#%", c) >= 0:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// mementoPath is the local path of the memento of u captured at t.
func mementoPath(t time.Time, u string) string {
	return mementoPrefix + t.UTC().Format(stampLayout) + "/" + pathURL(u)
}

// parseStamp reads a memento time of 4 to 14 digits; missing parts are
// the start of the period ("2014" is 1 January 2014, 00:00:00). exact says
// whether all 14 digits were given.
func parseStamp(s string) (t time.Time, exact bool, err error) {
	if len(s) < 4 || len(s) > 14 {
		return time.Time{}, false, errors.New("a memento time has 4 to 14 digits: YYYYMMDDhhmmss")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false, errors.New("a memento time has only digits: YYYYMMDDhhmmss")
		}
	}
	// Padded with zeros as the Wayback Machine does, then a zero month or
	// day (which no calendar has) becomes the first.
	full := []byte(s + strings.Repeat("0", 14-len(s)))
	for _, i := range []int{4, 6} {
		if full[i] == '0' && full[i+1] == '0' {
			full[i+1] = '1'
		}
	}
	t, err = time.Parse(stampLayout, string(full))
	if err != nil {
		return time.Time{}, false, errors.New("not a valid time: " + s)
	}
	return t, len(s) == 14, nil
}

// baseURL is the absolute address of this server as the client reached
// it, for Memento's Link headers and TimeMaps, which must hold absolute
// URLs. A Host header that is not a plain host[:port] is not echoed.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" || !validHost.MatchString(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

var validHost = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$`)
