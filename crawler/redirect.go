package crawler

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// redirectError stops a redirect chain: too long, or going round in a
// circle.
type redirectError struct {
	Loop  bool
	Hops  int
	Limit int
	URL   string // the URL seen again, for a loop
}

func (e *redirectError) Error() string {
	if e.Loop {
		return fmt.Sprintf("redirect loop: %s reached %d times", e.URL, loopVisits)
	}
	return fmt.Sprintf("more than %d redirects", e.Limit)
}

// loopVisits is how often one URL may come up in a chain before it counts as
// a loop. Twice is allowed: sites that set a cookie and redirect to the
// same URL are not looping.
const loopVisits = 3

// redirectPolicy is colly's redirect handler: it records every hop of the
// exchange and stops at max_redirects or a loop.
func redirectPolicy(req *http.Request, via []*http.Request) error {
	x := exchangeFrom(req.Context())
	if x == nil {
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}
	prev := via[len(via)-1]
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	x.hops = append(x.hops, Hop{URL: prev.URL.String(), Status: status})
	x.next = req.URL.String()
	if x.seen == nil {
		x.seen = map[string]int{loopKey(via[0].URL): 1}
	}
	k := loopKey(req.URL)
	x.seen[k]++
	switch {
	case x.seen[k] >= loopVisits:
		x.redirErr = &redirectError{Loop: true, Hops: len(x.hops), URL: req.URL.String()}
	case len(x.hops) > x.maxRedirects:
		x.redirErr = &redirectError{Hops: len(x.hops), Limit: x.maxRedirects}
	default:
		return nil
	}
	return x.redirErr
}

func loopKey(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// isRoot: the site's home page, "/" with no query.
func isRoot(u *url.URL) bool {
	return (u.Path == "" || u.Path == "/") && u.RawQuery == ""
}

// notFoundPath matches the error pages sites redirect missing pages to:
// /404, /404.html, /not-found, /page-not-found, /errors/404.aspx, …
var notFoundPath = regexp.MustCompile(`(?i)(^|/)(404|not[-_]?found|page[-_]?not[-_]?found|error[-_]?404|404[-_]?error|errors?/404|(error|fehler|erreur)[-_]?page)(\.[a-z0-9]{1,5})?/?$`)

// notFoundQuery matches "?error=404", "?code=404", "?status=notfound".
var notFoundQuery = regexp.MustCompile(`(?i)(^|&)(error|code|status|err|e)=(404|not[-_]?found)(&|$)`)

func isNotFoundPage(u *url.URL) bool {
	return notFoundPath.MatchString(u.Path) || notFoundQuery.MatchString(u.RawQuery)
}

// redirectedAway says why a chain that ended in a 2xx really means "gone":
// it landed on the home page (and the link was not to the home page), or on
// the site's not-found page.
func redirectedAway(orig, final *url.URL, hops int) string {
	if hops == 0 {
		return ""
	}
	switch {
	case isRoot(final) && !isRoot(orig):
		return "redirected to the site root " + final.String()
	case isNotFoundPage(final) && !isNotFoundPage(orig):
		return "redirected to a not-found page " + final.String()
	}
	return ""
}

// chainText is the evidence line for a redirect chain:
// "redirects: 301 http://a/x → 302 https://a/x → https://a/y".
func chainText(hops []Hop, final string) string {
	var b strings.Builder
	b.WriteString("redirects: ")
	for i, h := range hops {
		// A 30-hop chain would bury the rest of the evidence.
		if len(hops) > 8 && i >= 3 && i < len(hops)-3 {
			if i == 3 {
				fmt.Fprintf(&b, "… %d more … → ", len(hops)-6)
			}
			continue
		}
		fmt.Fprintf(&b, "%d %s → ", h.Status, h.URL)
	}
	b.WriteString(final)
	return b.String()
}
