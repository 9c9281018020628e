package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

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
	rules, err := c.robots.get(ctx, key, s.t, func() (robotsRules, bool) {
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
	if c.opts.Probes != nil {
		return c.sharedRobots(ctx, s, u)
	}
	body, rules, ok := c.readRobots(ctx, s, u)
	if !ok {
		return rules
	}
	return parseRobots(body, c.agent)
}

// readRobots fetches u's robots.txt. ok is true for an answer that
// holds for a while: the body of a 2xx, or nil for a 4xx (no robots.txt);
// otherwise rules says why it could not be read.
func (c *Checker) readRobots(ctx context.Context, s *session, u *url.URL) (body []byte, rules robotsRules, ok bool) {
	ru := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	x := s.do(ctx, fetchRobots, http.MethodGet, ru)
	defer x.release() // the rules are parsed; the file is not kept
	switch {
	case x.err != nil && x.status == 0:
		return nil, robotsRules{note: "robots.txt unavailable (" + classifyError(x.err, x.deadline).String() + "); checked anyway"}, false
	case x.status >= 500:
		return nil, robotsRules{note: fmt.Sprintf("robots.txt unavailable (%d); checked anyway", x.status)}, false
	case x.status < 200 || x.status >= 300:
		return nil, robotsRules{}, true // 4xx: no robots.txt, everything allowed
	}
	return bytes.Clone(x.bodyBytes()), robotsRules{}, true
}

func parseRobots(body []byte, agent string) robotsRules {
	if len(body) == 0 {
		return robotsRules{}
	}
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		return robotsRules{note: "robots.txt unreadable; checked anyway"}
	}
	return robotsRules{group: data.FindGroup(agent)}
}

// ProbeCache keeps answers about hosts where several processes share them
// (store/postgres's probe cache): the first to ask fetches, the others
// read. Probe returns the cached value of (kind, key), or calls fetch and
// keeps what it returns for ttl; a fetch error is returned and not kept.
type ProbeCache interface {
	Probe(ctx context.Context, kind, key string, ttl time.Duration, fetch func(context.Context) ([]byte, error)) ([]byte, error)
}

// errRobotsUnavailable: robots.txt could not be read this time, which is
// not worth keeping for other processes.
var errRobotsUnavailable = errors.New("robots.txt unavailable")

// sharedRobots reads robots.txt through the shared probe cache.
func (c *Checker) sharedRobots(ctx context.Context, s *session, u *url.URL) robotsRules {
	var failed robotsRules
	body, err := c.opts.Probes.Probe(ctx, "robots", u.Scheme+"://"+u.Host, hostCacheTTL, func(ctx context.Context) ([]byte, error) {
		body, rules, ok := c.readRobots(ctx, s, u)
		if !ok {
			failed = rules
			return nil, errRobotsUnavailable
		}
		return body, nil
	})
	switch {
	case failed.note != "":
		return failed
	case err != nil:
		c.log.Warn("shared robots.txt cache", "origin", u.Scheme+"://"+u.Host, "err", err)
		b, rules, ok := c.readRobots(ctx, s, u)
		if !ok {
			return rules
		}
		return parseRobots(b, c.agent)
	}
	return parseRobots(body, c.agent)
}
