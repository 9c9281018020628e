package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"
)

// A session is one check's colly collector. colly does every request of
// the check (HEAD, GET, retries, robots.txt, the soft-404 probe): it builds
// the request, follows redirects through our policy, and reads the body
// through our transport.
//
// One collector per check rather than one for the process, because of how
// colly v2.3.0 is built:
//   - its request context is a Collector field, not a per-request argument,
//     and we need a deadline per attempt;
//   - its cookie jar lives in the shared http.Client: per check, cookies
//     set during a redirect (sites that bounce through a cookie check) work,
//     and nothing accumulates across hosts;
//   - its visited-URL set and robots map grow with every URL; we turn both
//     off (AllowURLRevisit, IgnoreRobotsTxt) and keep our own bounded caches.
//
// Requests of a session are sequential, so one check never has more than one
// request in flight: per-host and global request concurrency are bounded by
// the check slots held in the limiter.
type session struct {
	c   *Checker
	t   *ticket
	col *colly.Collector
	cur *exchange
}

func (c *Checker) newSession(t *ticket) *session {
	col := colly.NewCollector()
	// Fields are set after NewCollector, not as options, because it applies
	// COLLY_* environment variables after the options: the environment must
	// not be able to turn robots off or the body cap on.
	col.UserAgent = c.ua
	col.IgnoreRobotsTxt = true // robots.txt is ours (robots.go), cached per host
	col.AllowURLRevisit = true // no visited set: it grows per URL, and rechecks are the point
	col.ParseHTTPErrorResponse = true
	col.MaxBodySize = 0 // the cap is in our transport, which can tell "too large" from "done"
	col.Async = false
	col.MaxDepth, col.MaxRequests = 0, 0
	col.CacheDir = ""
	col.DetectCharset = false
	col.AllowedDomains, col.DisallowedDomains = nil, nil
	col.URLFilters, col.DisallowedURLFilters = nil, nil
	col.CheckHead = false
	jar, _ := cookiejar.New(nil) // cannot fail without options
	col.SetClient(&http.Client{Transport: c.rt, Jar: jar})
	// After SetClient: colly installs its redirect check on the current
	// client, and calls ours from it for every hop.
	col.SetRedirectHandler(redirectPolicy)
	s := &session{c: c, t: t, col: col}
	col.OnResponseHeaders(s.onHeaders)
	return s
}

// fetchKind says what a request is for, which decides how much body it
// reads.
type fetchKind int

const (
	fetchCheck  fetchKind = iota // the link itself
	fetchRobots                  // robots.txt: truncated at robotsMaxBytes, always read
	fetchProbe                   // soft-404 probe: read when HTML
)

// exchange is one request with its redirects, as our transport, redirect
// policy and header callback saw it. It travels in the request context.
type exchange struct {
	kind         fetchKind
	method       string
	keepBody     bool
	limit        int64 // body cap
	truncate     bool  // stop quietly at limit instead of failing
	maxRedirects int
	origin       *url.URL

	hops     []Hop
	seen     map[string]int
	redirErr error

	status    int
	header    http.Header
	finalURL  *url.URL
	body      *capture // of the final response, when read
	skipped   bool     // headers were enough; the body was not read
	declared  int64    // Content-Length, -1 when unknown
	overLimit bool     // Content-Length announced more than limit
	raTooLong bool     // Retry-After asked for more than maxRetryAfter

	err      error
	deadline bool // the attempt's deadline passed
	dur      time.Duration
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// do runs one request through colly under its own deadline.
func (s *session) do(ctx context.Context, kind fetchKind, method string, u *url.URL) *exchange {
	c := s.c
	x := &exchange{
		kind:         kind,
		method:       method,
		keepBody:     c.opts.KeepBody && kind == fetchCheck,
		limit:        int64(c.cfg.MaxBody),
		maxRedirects: c.cfg.MaxRedirects,
		origin:       u,
		declared:     -1,
	}
	if kind == fetchRobots {
		x.limit, x.truncate, x.maxRedirects = robotsMaxBytes, true, min(c.cfg.MaxRedirects, 5)
	}
	actx, cancel := context.WithTimeout(ctx, time.Duration(c.cfg.Timeout))
	defer cancel()
	s.col.Context = context.WithValue(actx, exchangeKey{}, x)
	s.cur = x
	hdr := http.Header{}
	hdr.Set("User-Agent", c.ua)
	// Some servers answer 406 or a bare page to clients that do not say
	// they take HTML.
	hdr.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	start := time.Now()
	err := s.col.Request(method, u.String(), nil, nil, hdr)
	x.dur = time.Since(start)
	s.cur = nil
	if errors.Is(err, colly.ErrAbortedAfterHeaders) && x.skipped {
		err = nil // we stopped it: the headers were all we needed
	}
	if err != nil && x.redirErr != nil {
		err = x.redirErr
	}
	if err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		x.deadline = true
	}
	x.err = err
	return x
}

// onHeaders runs once the final response's headers are in, before colly
// reads the body: it records the response and skips bodies we don't need.
func (s *session) onHeaders(r *colly.Response) {
	x := s.cur
	if x == nil {
		return
	}
	x.status = r.StatusCode
	if r.Headers != nil {
		x.header = r.Headers.Clone()
	}
	if r.Request != nil {
		x.finalURL = r.Request.URL
	}
	if cl := x.header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			x.declared = n
		}
	}
	if x.method == http.MethodHead {
		return
	}
	if !x.wantBody() {
		x.skipped = true
		r.Request.Abort()
		return
	}
	if x.declared > x.limit && !x.truncate {
		// Announced as too large: no need to read 10 MiB to find out.
		x.overLimit, x.skipped = true, true
		r.Request.Abort()
	}
}

// wantBody says whether classification or the archive needs the body.
func (x *exchange) wantBody() bool {
	switch x.kind {
	case fetchRobots:
		return true
	case fetchProbe:
		return x.status == http.StatusOK && x.htmlOrUnknown()
	}
	switch {
	case x.htmlOrUnknown():
		return true // title, soft-404 and challenge detection
	case x.keepBody && x.status >= 200 && x.status < 300:
		return true
	case x.status == http.StatusForbidden, x.status == http.StatusTooManyRequests, x.status == http.StatusServiceUnavailable:
		return true // challenge markers
	}
	return false
}

// mediaType is the Content-Type without parameters, lower case.
func (x *exchange) mediaType() string {
	ct := x.header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

func isHTMLType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// htmlOrUnknown: HTML, or no Content-Type at all (then the body tells).
func (x *exchange) htmlOrUnknown() bool {
	mt := x.mediaType()
	return mt == "" || isHTMLType(mt)
}

// isHTML is htmlOrUnknown settled by sniffing the body when there was no
// Content-Type.
func (x *exchange) isHTML() bool {
	mt := x.mediaType()
	if mt != "" {
		return isHTMLType(mt)
	}
	if b := x.bodyBytes(); len(b) > 0 {
		return strings.HasPrefix(http.DetectContentType(b), "text/html")
	}
	return false
}

// bodyBytes is the body read, raw (no charset conversion) but decompressed.
func (x *exchange) bodyBytes() []byte {
	if x.body == nil || x.skipped {
		return nil
	}
	return x.body.buf.Bytes()
}

// tooBig: the body is larger than the limit, as announced or as read.
func (x *exchange) tooBig() bool {
	return x.overLimit || (x.body != nil && x.body.over)
}

// bodyRead: the body was read to its end, within the limit; bodyBytes
// holds at least its first parseBytes.
func (x *exchange) bodyRead() bool {
	return x.err == nil && !x.skipped && !x.tooBig() && x.body != nil && x.body.done
}

// bodyComplete: bodyRead, and bodyBytes is the whole body (bodies past
// parseBytes are only copied whole with KeepBody).
func (x *exchange) bodyComplete() bool {
	return x.bodyRead() && x.body.complete()
}

// summary is the exchange in a few words for the evidence trail:
// "HEAD 405", "GET 200", "GET timeout".
func (x *exchange) summary(class Class) string {
	if x.status != 0 && (x.err == nil || x.tooBig()) {
		return fmt.Sprintf("%s %d", x.method, x.status)
	}
	if x.status != 0 {
		return fmt.Sprintf("%s %d then %s", x.method, x.status, class)
	}
	return x.method + " " + class.String()
}

// finalOr is the URL the exchange ended at.
func (x *exchange) final() *url.URL {
	if x.finalURL != nil {
		return x.finalURL
	}
	return x.origin
}

// capture is the body as our transport hands it to colly: counted, capped
// and copied. Our copy is what we classify and archive, because colly
// converts the charset of its own copy to UTF-8, and the archive needs the
// bytes as they were sent.
//
// colly keeps everything it reads (io.ReadAll), so it is handed only the
// first parseBytes; the rest is read here, into our copy when the body is
// kept and into nothing otherwise, and colly then sees the end of the body
// (or the too-large error). Memory per check stays near 2×parseBytes
// unless the body is kept, however big the response.
type capture struct {
	rc       io.ReadCloser
	buf      bytes.Buffer
	n        int64
	limit    int64 // read at most this much; one byte more is "too large"
	handoff  int64 // what colly gets to see
	keep     bool  // copy everything up to limit, not just handoff
	truncate bool  // at limit, end quietly instead of failing
	done     bool
	over     bool // the body went past limit
	err      error
}

// parseBytes is as much of a body as classification reads: titles,
// headings, the first maxWords of text and challenge markers are all near
// the start.
const parseBytes = 1 << 20

func newCapture(rc io.ReadCloser, x *exchange, declared int64) *capture {
	c := &capture{rc: rc, limit: x.limit, keep: x.keepBody, truncate: x.truncate}
	c.handoff = min(c.limit, parseBytes)
	if c.truncate {
		c.handoff = c.limit
	}
	if declared > 0 {
		c.buf.Grow(int(min(declared, c.handoff)))
	}
	return c
}

func (c *capture) Read(p []byte) (int, error) {
	if c.done {
		return 0, c.err
	}
	if c.n >= c.handoff {
		c.done = true
		c.err = c.drain()
		return 0, c.err
	}
	p = p[:min(int64(len(p)), c.handoff-c.n)]
	n, err := c.rc.Read(p)
	c.n += int64(n)
	c.buf.Write(p[:n])
	if err != nil {
		c.done, c.err = true, err
	}
	return n, err
}

// drain reads the rest of the body past handoff, up to one byte past the
// limit.
func (c *capture) drain() error {
	scratch := make([]byte, 32<<10)
	for {
		room := c.limit + 1 - c.n
		if room <= 0 {
			break
		}
		n, err := c.rc.Read(scratch[:min(int64(len(scratch)), room)])
		if keepN := min(int64(n), c.limit-c.n); c.keep && keepN > 0 {
			c.buf.Write(scratch[:keepN])
		}
		c.n += int64(n)
		if c.n > c.limit {
			break
		}
		if err != nil {
			return err // io.EOF: the whole body, within the limit
		}
	}
	if c.truncate {
		return io.EOF
	}
	c.over = true
	return &errTooLarge{What: "body", Limit: c.limit}
}

// complete: the whole body is in buf.
func (c *capture) complete() bool {
	return c.done && errors.Is(c.err, io.EOF) && !c.over && (c.keep || c.n <= c.handoff)
}

func (c *capture) Close() error { return c.rc.Close() }

// errTooLarge reports a response over a size limit.
type errTooLarge struct {
	What  string // "body", "response headers"
	Limit int64
}

func (e *errTooLarge) Error() string {
	return fmt.Sprintf("%s larger than %s", e.What, formatBytes(e.Limit))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
