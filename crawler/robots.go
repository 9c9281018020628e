package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/temoto/robotstxt"
)

// robotsRules is a host's robots.txt as far as we are concerned.
type robotsRules struct {
	group *robotstxt.Group // nil: everything allowed
	note  string           // why robots.txt was not used, for the evidence
}

// robotsAllow reports whether robots.txt lets us fetch u, and a note when
// robots.txt could not be read.
//
// colly's own robots support is not used: in v2.3.0 it fetches robots.txt
// without the request context (no deadline), skips the check for HEAD
// requests, keeps every host's file forever, matches groups against the whole
// User-Agent string, and treats a 5xx robots.txt as "disallow everything".
//
// That last point is a deliberate difference from RFC 9309 here too: when
// robots.txt answers 5xx or cannot be fetched, the link is checked anyway. A
// dying host usually fails robots.txt too, and a link checker that called
// it "robots_disallowed" (never dead) would hide exactly the links it exists
// to find. One request per link is what a reader clicking it would send.
func (c *Checker) robotsAllow(ctx context.Context, s *session, u *url.URL) (bool, string) {
	key := u.Scheme + "://" + u.Host
	rules, err := c.robots.get(ctx, key, func() (robotsRules, bool) {
		r := c.fetchRobots(ctx, s, u)
		return r, ctx.Err() == nil
	})
	if err != nil {
		return true, ""
	}
	if rules.group == nil {
		return true, rules.note
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if !rules.group.Test(p) {
		return false, fmt.Sprintf("robots.txt disallows %s for %s", p, c.agent)
	}
	return true, rules.note
}

func (c *Checker) fetchRobots(ctx context.Context, s *session, u *url.URL) robotsRules {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	x := s.do(ctx, fetchRobots, http.MethodGet, ru)
	defer x.release() // the rules are parsed; the file is not kept
	switch {
	case x.err != nil && x.status == 0:
		return robotsRules{note: "robots.txt unavailable (" + classifyError(x.err, x.deadline).String() + "); checked anyway"}
	case x.status >= 500:
		return robotsRules{note: fmt.Sprintf("robots.txt unavailable (%d); checked anyway", x.status)}
	case x.status < 200 || x.status >= 300:
		return robotsRules{} // 4xx: no robots.txt, everything allowed
	}
	data, err := robotstxt.FromBytes(x.bodyBytes())
	if err != nil {
		return robotsRules{note: "robots.txt unreadable; checked anyway"}
	}
	return robotsRules{group: data.FindGroup(c.agent)}
}
