package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
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
	c    *Checker
	t    *ticket
	col  *colly.Collector
	cur  *exchange
	held []*hold // reservations of the session's exchanges
}

// release gives back every byte the session's exchanges reserved.
func (s *session) release() {
	for _, h := range s.held {
		h.release()
	}
	s.held = nil
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
	limit        int64 // most body bytes buffered
	truncate     bool  // past limit, end quietly (robots.txt)
	maxRedirects int
	origin       *url.URL
	mem          *hold  // bytes reserved for this exchange's bodies
	note         string // why a body was not kept after all

	hops     []Hop
	seen     map[string]int
	next     string // the URL a redirect was about to fetch
	redirErr error

	status    int
	header    http.Header
	finalURL  *url.URL
	body      *capture // of the final response, when read
	skipped   bool     // headers were enough; the body was not read
	declared  int64    // Content-Length, -1 when unknown
	raTooLong bool     // Retry-After asked for more than max_retry_wait
	mt        string   // mediaType, once mtParsed
	mtParsed  bool

	err      error
	deadline bool // the attempt's deadline passed
	dur      time.Duration
}

type exchangeKey struct{}

func exchangeFrom(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

// do runs one request through colly under its own deadline. The bytes its
// body may take are reserved first (see budget); the exchange holds them
// until the session ends, or until release when the caller is done with it.
func (s *session) do(ctx context.Context, kind fetchKind, method string, u *url.URL) *exchange {
	c := s.c
	x := &exchange{
		kind:         kind,
		method:       method,
		keepBody:     c.opts.KeepBody && kind == fetchCheck,
		limit:        min(int64(c.cfg.MaxBody), prefixBytes),
		maxRedirects: c.cfg.MaxRedirects,
		origin:       u,
		declared:     -1,
	}
	if x.keepBody {
		x.limit = int64(c.cfg.MaxBody)
	}
	p, reserve := c.mem.main, int64(2*prefixBytes) // the raw prefix and its decoded copy
	switch kind {
	case fetchRobots:
		x.limit, x.truncate, x.maxRedirects = robotsMaxBytes, true, min(c.cfg.MaxRedirects, 5)
		p, reserve = c.mem.aux, robotsMaxBytes
	case fetchProbe:
		p = c.mem.aux
	}
	if method != http.MethodHead {
		h, err := p.acquire(ctx, reserve)
		if err != nil {
			x.err = err
			return x
		}
		x.mem = h
		s.held = append(s.held, h)
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

// release gives the exchange's reserved bytes back: its body is no longer
// needed (a probe that has been parsed, an attempt that was superseded).
func (x *exchange) release() {
	x.mem.release()
	x.body = nil
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
		// The response's own map: net/http and colly are done with it,
		// and nothing here writes to it, so no copy.
		x.header = *r.Headers
		x.mtParsed = false
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
		x.keepBody, x.limit = false, 0
		// A body that says it is short is read into nothing (see
		// capture.fill), which keeps the connection for the next request:
		// a 404's few bytes cost less than a new dial and, over TLS, a new
		// handshake. Anything else is dropped with its connection.
		if x.declared < 0 || x.declared > drainBytes {
			r.Request.Abort()
		}
		return
	}
	if x.keepBody && x.status >= 200 && x.status < 300 {
		// The whole body is wanted: reserve what it announces (or the
		// cap when it does not say) beyond the prefix already held. No
		// waiting here (see budget): without the bytes, only the prefix
		// is read and the archive skips the page this time.
		want := x.limit
		if x.declared >= 0 && x.declared < x.limit {
			want = x.declared + 1 // one byte more tells "longer than announced"
		}
		switch {
		case x.declared > x.limit:
			x.keepBody, x.limit = false, min(x.limit, prefixBytes)
			x.note = fmt.Sprintf("body of %s is larger than max_body %s: not kept", formatBytes(x.declared), formatBytes(int64(s.c.cfg.MaxBody)))
		case want > prefixBytes && !x.mem.grow(want-prefixBytes):
			x.keepBody, x.limit = false, min(x.limit, prefixBytes)
			x.note = fmt.Sprintf("body not kept: crawler.max_buffered %s is in use by other checks", formatBytes(int64(s.c.cfg.MaxBuffered)))
		}
	} else if x.kind != fetchRobots {
		x.keepBody, x.limit = false, min(x.limit, prefixBytes)
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

// mediaType is the Content-Type without parameters, lower case; parsed
// once per response (it is asked for several times).
func (x *exchange) mediaType() string {
	if !x.mtParsed {
		x.mt, x.mtParsed = parseMediaType(x.header.Get("Content-Type")), true
	}
	return x.mt
}

func parseMediaType(ct string) string {
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

// bodyBytes is the body read, raw (no charset conversion) but
// decompressed: the whole body, or its first limit bytes.
func (x *exchange) bodyBytes() []byte {
	if x.body == nil || x.skipped {
		return nil
	}
	return x.body.buf
}

// tooBig: the response failed on a size limit (response headers). A body
// longer than what is read is not a failure: see truncated.
func (x *exchange) tooBig() bool {
	var big *errTooLarge
	return errors.As(x.err, &big)
}

// bodyRead: the body was read without error, to its end or to the limit.
func (x *exchange) bodyRead() bool {
	return x.err == nil && !x.skipped && x.body != nil && x.body.done
}

// bodyComplete: bodyRead, and bodyBytes is the whole body.
func (x *exchange) bodyComplete() bool {
	return x.bodyRead() && !x.body.over && x.body.n == int64(len(x.body.buf))
}

// truncated: the body goes on past what was kept.
func (x *exchange) truncated() bool {
	return x.bodyRead() && !x.bodyComplete()
}

// size is the body's length in bytes when known (read to its end, or
// announced), else 0.
func (x *exchange) size() int64 {
	switch {
	case x.body != nil && x.body.done && !x.body.over && x.err == nil:
		return x.body.n
	case x.declared > 0:
		return x.declared
	}
	return 0
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

// capture is the body as our transport hands it to colly: read into our
// own buffer, capped, and never handed to colly at all. colly keeps what it
// reads (io.ReadAll) and converts charsets in its copy; we classify and
// archive our copy of the bytes as sent, so colly is given an empty body.
//
// At most limit bytes are buffered (the exchange's, read when the body is
// first read, after the header callback has settled it). Past that, a body
// that is not kept is read on for at most drainBytes into nothing, so that
// a page a little over the prefix still leaves its connection reusable and
// its size known; a longer one is cut off (over).
type capture struct {
	rc   io.ReadCloser
	x    *exchange
	buf  []byte
	n    int64 // bytes read, buffered or not
	done bool
	over bool // the body went on past what was read
	err  error
}

// prefixBytes is as much of a body as classification reads and as much
// decoded HTML as a Result carries: titles, headings, the first maxWords of
// text and challenge markers are all near the start.
const prefixBytes = 256 << 10

// drainBytes is how much past the prefix is read (and dropped) to finish
// a body cleanly rather than close its connection.
const drainBytes = 64 << 10

func newCapture(rc io.ReadCloser, x *exchange) *capture {
	return &capture{rc: rc, x: x}
}

func (c *capture) Read([]byte) (int, error) {
	if !c.done {
		c.done = true
		c.err = c.fill()
	}
	return 0, c.err
}

// fill reads the body into buf, growing it in steps up to limit, then
// looks past the limit.
func (c *capture) fill() error {
	limit := c.x.limit
	if c.x.status == 0 {
		// No final headers yet: this is a redirect's body, which
		// net/http reads a little of before it follows.
		limit = min(limit, 4<<10)
	}
	if d := c.x.declared; d >= 0 && d < limit {
		c.buf = make([]byte, 0, d+1)
	}
	for int64(len(c.buf)) < limit {
		if len(c.buf) == cap(c.buf) {
			next := min(max(2*int64(cap(c.buf)), 16<<10), limit)
			c.buf = slices.Grow(c.buf, int(next)-len(c.buf))
		}
		room := c.buf[len(c.buf):min(int64(cap(c.buf)), limit)]
		n, err := c.rc.Read(room)
		c.buf = c.buf[:len(c.buf)+n]
		c.n += int64(n)
		if err != nil {
			return err // io.EOF: all of it
		}
	}
	if c.x.truncate {
		c.over = true
		return io.EOF
	}
	drain := int64(1)
	if !c.x.keepBody {
		drain = drainBytes + 1
	}
	n, err := io.CopyN(io.Discard, c.rc, drain)
	c.n += n
	switch {
	case err == io.EOF:
		return io.EOF // it ended within the drain: size known
	case err != nil && c.x.skipped:
		// A body we only read to reuse the connection: its failure is
		// not the response's (the status and headers stand).
		c.over = true
		return io.EOF
	case err != nil:
		return err
	}
	c.over = true
	return io.EOF
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
