package crawler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// decide makes the requests for one link and fills in the verdict.
//
// Evidence before verdict: with head_first, a HEAD comes first, and only a
// plain success settles the link (2xx with a non-HTML type, or HTML from a
// host whose soft-404 probe already got an honest 404). Everything else a
// HEAD answers (405, 404, 403, 501, 5xx, a missing Content-Type, an HTML
// page that still needs its soft-404 check…) is confirmed with a GET. Only
// failures no GET could change (NXDOMAIN, refused, TLS, private address)
// end at the HEAD.
//
// GETs are retried with exponential backoff and jitter after timeouts,
// resets, DNS failures, 408, 429 and 5xx (except 501), up to
// crawler.retries times; a Retry-After on 429/503 is honoured up to
// maxRetryAfter (at least once, even with retries 0), and a longer one ends
// the check at once, since waiting that long is not on and asking again
// sooner is rude.
func (c *Checker) decide(ctx context.Context, s *session, u *url.URL, res *Result) {
	method := http.MethodGet
	if c.cfg.HeadFirst && !c.opts.KeepBody && !c.untrustedHost(u) {
		method = http.MethodHead
	}
	retriesLeft := c.cfg.Retries
	afterLeft := max(c.cfg.Retries, 1) // Retry-After waits allowed
	backoffs := 0
	var trail, notes []string
	for {
		x := s.do(ctx, fetchCheck, method, u)
		res.Attempts++
		if ctx.Err() != nil {
			return
		}
		class := ClassUnknown
		if x.err != nil && !x.tooBig() {
			class = classifyError(x.err, x.deadline)
		}
		trail = append(trail, x.summary(class))

		if method == http.MethodHead {
			if c.headSettles(x) {
				c.verdict(ctx, s, u, x, res, trail, notes)
				return
			}
			if x.err != nil && x.status == 0 && (methodIndependent(class) || class == ClassTooLarge) {
				c.verdict(ctx, s, u, x, res, trail, notes)
				return
			}
		}

		wait, note, again := c.nextStep(x, class, &retriesLeft, &afterLeft, &backoffs)
		if note != "" {
			notes = append(notes, note)
		}
		if !again {
			if method == http.MethodHead && !x.retryAfterTooLong() {
				// Nothing to wait for: the GET confirms at once.
				method = http.MethodGet
				continue
			}
			c.verdict(ctx, s, u, x, res, trail, notes)
			return
		}
		if wait > 0 {
			s.t.pause()
			err := c.opts.Sleep(ctx, wait)
			if err == nil {
				err = s.t.resume(ctx)
			}
			if err != nil {
				return
			}
		}
		method = http.MethodGet
	}
}

// headSettles: a HEAD answer good enough to stop at.
func (c *Checker) headSettles(x *exchange) bool {
	if x.err != nil || x.status < 200 || x.status > 299 {
		return false
	}
	mt := x.mediaType()
	if mt == "" {
		return false // odd: a GET will tell what it is
	}
	final := x.final()
	if redirectedAway(x.origin, final, len(x.hops)) != "" {
		return false // failing evidence: confirm with GET
	}
	if !isHTMLType(mt) {
		return true
	}
	// HTML needs its body for the soft-404 check, unless the host already
	// proved it answers missing pages with a real 404 (title checks aside,
	// that is the one soft-404 case a HEAD cannot rule out).
	return !isRoot(final) && c.trustedHost(final)
}

// nextStep decides whether to ask again and after how long.
func (c *Checker) nextStep(x *exchange, class Class, retriesLeft, afterLeft, backoffs *int) (time.Duration, string, bool) {
	if x.status == http.StatusTooManyRequests || x.status == http.StatusServiceUnavailable {
		if d, ok := x.retryAfter(); ok {
			switch {
			case d > maxRetryAfter:
				x.raTooLong = true
				return 0, fmt.Sprintf("Retry-After %s exceeds the %s bound; not waiting", roundDur(d), roundDur(maxRetryAfter)), false
			case *afterLeft > 0:
				*afterLeft--
				if *retriesLeft > 0 {
					*retriesLeft--
				}
				return d, fmt.Sprintf("Retry-After %s honoured", roundDur(d)), true
			}
			return 0, "", false
		}
	}
	if x.method == http.MethodHead {
		// A HEAD that failed before any answer (timeout, reset) costs a
		// retry; any answer it got goes straight to a GET.
		if x.status == 0 && retryable(class) {
			if *retriesLeft == 0 {
				return 0, "", false
			}
			*retriesLeft--
			d := c.backoff(*backoffs)
			*backoffs++
			return d, fmt.Sprintf("HEAD %s, retried after %s backoff", class, roundDur(d)), true
		}
		return 0, "", false
	}
	var why string
	switch {
	case x.err != nil && !x.tooBig() && retryable(class):
		// Also when the headers came and the body broke off.
		why = class.String()
	case x.status >= 500 && x.status != http.StatusNotImplemented && x.status <= 599 && !x.tooBig():
		why = strconv.Itoa(x.status)
	case x.status == http.StatusRequestTimeout, x.status == http.StatusTooManyRequests:
		why = strconv.Itoa(x.status)
	default:
		return 0, "", false
	}
	if *retriesLeft == 0 {
		return 0, "", false
	}
	*retriesLeft--
	d := c.backoff(*backoffs)
	*backoffs++
	return d, fmt.Sprintf("%s, retried after %s backoff", why, roundDur(d)), true
}

// backoff is exponential with jitter: n-th retry waits a random time in
// [b/2, b] with b = backoffBase·2ⁿ, at most backoffMax, so that checks
// failing together do not come back together.
func (c *Checker) backoff(n int) time.Duration {
	b := backoffBase << min(n, 16)
	if b > backoffMax || b <= 0 {
		b = backoffMax
	}
	return b/2 + rand.N(b/2+1)
}

// retryAfter parses Retry-After: seconds or an HTTP date.
func (x *exchange) retryAfter() (time.Duration, bool) {
	v := strings.TrimSpace(x.header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	// Wall-clock time, not Options.Now: this is about the server's clock
	// and real waiting, not about what the record says.
	return max(time.Until(t), 0), true
}

func (x *exchange) retryAfterTooLong() bool { return x.raTooLong }

func roundDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.String()
}

// verdict turns the deciding exchange into the Result.
func (c *Checker) verdict(ctx context.Context, s *session, u *url.URL, x *exchange, res *Result, trail, notes []string) {
	final := x.final()
	res.Method = x.method
	res.Status = x.status
	res.FinalURL = final.String()
	res.Redirects = x.hops
	res.Latency = x.dur
	res.Header = x.header
	if x.header != nil {
		res.ContentType = x.header.Get("Content-Type")
	}
	ev := []string{strings.Join(trail, ", ")}
	if len(x.hops) > 0 {
		ev = append(ev, chainText(x.hops, res.FinalURL))
	}
	ev = append(ev, notes...)
	defer func() { res.Evidence = append(res.Evidence, ev...) }()

	fail := func(class Class, err string, more ...string) {
		res.Class, res.Err = class, err
		ev = append(ev, more...)
	}

	if x.status == 0 || (x.err != nil && !x.tooBig()) {
		// No usable answer: the transport error decides, even when headers
		// arrived and the body broke off.
		class := classifyError(x.err, x.deadline)
		msg := errorText(x.err)
		if x.deadline {
			msg = fmt.Sprintf("no complete answer within the %s deadline", time.Duration(c.cfg.Timeout))
		}
		fail(class, msg, msg)
		return
	}

	var pg *page
	if x.method == http.MethodGet && x.bodyRead() && x.isHTML() {
		pg = parsePage(x.bodyBytes(), res.ContentType)
		res.Title = pg.title
	}
	title := ""
	if pg != nil {
		title = pg.title
	}
	if why := challenge(x.status, x.header, title, x.bodyBytes()); why != "" {
		fail(ClassBlocked, fmt.Sprintf("%d: bot challenge", x.status), why)
		return
	}

	switch code := x.status; {
	case code >= 200 && code <= 299:
	case blockedStatus(code):
		msg := statusText(code)
		if code == http.StatusTooManyRequests {
			msg += " (persisted)"
		}
		fail(ClassBlocked, msg)
		return
	case code >= 400 && code <= 499:
		fail(ClassHTTP4xx, statusText(code))
		return
	case code >= 500 && code <= 599:
		fail(ClassHTTP5xx, statusText(code))
		return
	default:
		fail(ClassUnknown, statusText(code), fmt.Sprintf("unexpected final status %d", code))
		return
	}

	// 2xx from here on.
	if x.tooBig() {
		if x.method == http.MethodGet && x.htmlOrUnknown() {
			fail(ClassTooLarge, fmt.Sprintf("page larger than max_body %s", formatBytes(x.limit)),
				fmt.Sprintf("body larger than max_body %s", formatBytes(x.limit)))
			return
		}
		// A big download (PDF, video) is alive; it is just not kept.
		ev = append(ev, fmt.Sprintf("body larger than max_body %s; not read", formatBytes(x.limit)))
	}
	if why := redirectedAway(u, final, len(x.hops)); why != "" {
		fail(ClassRedirectToRoot, why, why)
		return
	}
	if pg != nil && x.status == http.StatusOK {
		soft, more := c.softNotFound(ctx, s, u, final, pg)
		if soft {
			fail(ClassSoft404, "soft 404: a 200 page that says the page is missing", more...)
			if c.opts.KeepBody && x.bodyComplete() {
				res.Body = x.bodyBytes()
			}
			return
		}
		ev = append(ev, more...)
	}
	res.Class = ClassOK
	if len(x.hops) > 0 && allPermanent(x.hops) {
		res.Class, res.Permanent = ClassRedirect, true
	}
	if c.opts.KeepBody && x.method == http.MethodGet && x.bodyComplete() {
		res.Body = x.bodyBytes()
	}
}

func allPermanent(hops []Hop) bool {
	for _, h := range hops {
		if h.Status != http.StatusMovedPermanently && h.Status != http.StatusPermanentRedirect {
			return false
		}
	}
	return true
}

func statusText(code int) string {
	t := http.StatusText(code)
	if code == 999 {
		t = "Request denied"
	}
	if t == "" {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + t
}
