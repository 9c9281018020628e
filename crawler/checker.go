package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/store"
)

// Hop is one redirect on the way to the final URL: URL answered Status.
// The catalog keeps it as it is.
type Hop = store.Hop

// Result is what one check found. It is data, not an error: every way a
// link can fail is a Class with evidence.
type Result struct {
	URL      string `json:"url"`       // as asked for
	FinalURL string `json:"final_url"` // after redirects
	Class    Class  `json:"class"`
	Status   int    `json:"status,omitempty"` // of the deciding response; 0 when none came
	Method   string `json:"method"`           // of the deciding request
	// Redirects are the redirect responses in order, not including the
	// final one. Permanent is true when there was at least one and every
	// one was a 301 or 308: the link has moved to FinalURL.
	Redirects []Hop `json:"redirects,omitempty"`
	Permanent bool  `json:"permanent,omitempty"`
	// Latency is how long the deciding request took, redirects and body
	// included. Attempts counts every request made for the link (HEAD,
	// GET and their retries), but not robots.txt or soft-404 probes.
	Latency   time.Duration `json:"latency"`
	Attempts  int           `json:"attempts"`
	CheckedAt time.Time     `json:"checked_at"`
	// Err is a one-line description of the failure ("" on success).
	// Evidence is what a person needs to trust the verdict, one finding a
	// line, e.g. "HEAD 405, GET 200" or "Retry-After 2s honoured".
	Err         string      `json:"error,omitempty"`
	Evidence    []string    `json:"evidence,omitempty"`
	ContentType string      `json:"content_type,omitempty"`
	Title       string      `json:"title,omitempty"`
	Header      http.Header `json:"header,omitempty"`
	// Body is the (decompressed) response body, only with Options.KeepBody,
	// only for a 2xx answer to GET, and only when it was read completely
	// within max_body: the archive stores it instead of fetching again.
	Body []byte `json:"-"`
	// HTML is the start of every HTML 2xx answer to GET, whatever
	// KeepBody says: at most the first 256 KiB of the body, decoded to
	// UTF-8 (charset from the header, a BOM or a meta tag, as browsers
	// do), cut at a character boundary. HTMLTruncated says the page goes
	// on past it. It is what soft-404 detection read, kept for verdicts
	// that compare content (drift); nil for other answers.
	HTML          []byte `json:"-"`
	HTMLTruncated bool   `json:"html_truncated,omitempty"`
	// Size is the body's length in bytes when known (read to its end, or
	// announced by Content-Length), else 0. A 2xx body longer than what is
	// read is not a failure: the link is alive, and Evidence says so.
	Size int64 `json:"size,omitempty"`
	// RetryAfter is what the site asked for when the check was deferred
	// (ClassDeferred): a Retry-After longer than crawler.max_retry_wait.
	RetryAfter time.Duration `json:"retry_after,omitempty"`
}

// Options are what the configuration does not say: hooks for tests and the
// program's wiring. The zero value is fine.
type Options struct {
	Now    func() time.Time // stamps CheckedAt; time.Now by default
	Logger *slog.Logger     // nil: no logging
	// KeepBody makes checks GET (no HEAD first) and return the body of
	// 2xx answers in Result.Body.
	KeepBody bool
	// DialContext replaces the final connect, under the private-address
	// guard and network.resolve (a simulated internet's dialer in tests).
	// With it set and Resolver nil, names are handed to it unresolved and
	// the guard checks the address it connected to.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Resolver looks host names up; net.DefaultResolver by default.
	Resolver interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	}
	// Sleep waits between retries (backoff and Retry-After); tests replace
	// it to run without waiting. It must return early with ctx.Err() when
	// ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// Exclude, when set, turns excluded URLs into ClassExcluded without
	// fetching them.
	Exclude *config.Excluder
	// HostGate, when set, is asked before every request (see HostGate):
	// per-host limits shared with other processes.
	HostGate HostGate
	// Probes, when set, keeps robots.txt answers where other processes
	// read them too (see ProbeCache).
	Probes ProbeCache
}

// Checker checks links. It is safe for concurrent use; Check and Run share
// one set of limits (global and per-host concurrency, per-host pacing) and
// one set of per-host caches (robots.txt, soft-404 probes). A Checker is
// meant to live for one run: its caches remember each host for as long as it
// lives (bounded in size, with an expiry), which is what "once per run"
// means.
type Checker struct {
	cfg      config.Crawler
	opts     Options
	ua       string
	agent    string // robots.txt product token
	log      *slog.Logger
	rt       *roundTripper
	lim      *limiter
	robots   *onceCache[robotsRules]
	probes   *onceCache[*probeResult]
	mem      *budget
	closed   atomic.Bool
	maxQueue int
}

// Limits that are not configuration: they protect the checker itself.
const (
	backoffBase    = 500 * time.Millisecond
	backoffMax     = 10 * time.Second
	maxHeaderBytes = 1 << 20   // response headers; Go's default is 10 MB
	robotsMaxBytes = 500 << 10 // RFC 9309 asks parsers to read at least 500 KiB
	hostCacheSize  = 4096      // hosts (and path shapes) remembered for robots.txt and probes
	hostCacheTTL   = 6 * time.Hour
	titleMax       = 300
)

// New builds a Checker from the crawler and network configuration. It reads
// network.ca_file.
func New(cc config.Crawler, nc config.Network, opts Options) (*Checker, error) {
	switch {
	case cc.Concurrency < 1:
		return nil, fmt.Errorf("crawler.concurrency must be at least 1 (got %d)", cc.Concurrency)
	case cc.PerHost < 1:
		return nil, fmt.Errorf("crawler.per_host must be at least 1 (got %d)", cc.PerHost)
	case cc.Timeout <= 0:
		return nil, fmt.Errorf("crawler.timeout must be positive (got %s)", cc.Timeout)
	case cc.MaxBody < 1:
		return nil, fmt.Errorf("crawler.max_body must be at least 1 byte (got %s)", cc.MaxBody)
	case cc.Retries < 0, cc.MaxRedirects < 0, cc.PerHostInterval < 0, cc.MaxRetryWait < 0:
		return nil, errors.New("crawler.retries, max_redirects, per_host_interval and max_retry_wait must not be negative")
	}
	if cc.MaxBuffered <= 0 {
		cc.MaxBuffered = config.Default().Crawler.MaxBuffered
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ua := cc.UserAgent
	if ua == "" {
		ua = config.DefaultUserAgent
	}
	// Load has already replaced {version}; a Crawler built by hand may not
	// have.
	ua = strings.ReplaceAll(ua, config.VersionPlaceholder, config.Version)
	rt, err := newRoundTripper(cc, nc, opts)
	if err != nil {
		return nil, err
	}
	c := &Checker{
		cfg:      cc,
		opts:     opts,
		ua:       ua,
		agent:    productToken(ua),
		log:      log,
		rt:       rt,
		lim:      newLimiter(cc.Concurrency, cc.PerHost),
		robots:   newOnceCache[robotsRules](hostCacheSize, hostCacheTTL),
		probes:   newOnceCache[*probeResult](hostCacheSize, hostCacheTTL),
		mem:      newBudget(int64(cc.MaxBuffered)),
		maxQueue: max(256, 2*cc.Concurrency),
	}
	return c, nil
}

// Close releases idle connections. Checks after Close fail.
func (c *Checker) Close() error {
	c.closed.Store(true)
	c.rt.base.CloseIdleConnections()
	return nil
}

// Check checks one URL, within the same limits as Run. When ctx ends first
// the Result has ClassUnknown and Err set to the context's error: it is not
// a finding and should not be stored. Every finished check has a class
// other than ClassUnknown.
func (c *Checker) Check(ctx context.Context, rawURL string) Result {
	r, _, release := c.check(ctx, rawURL)
	release()
	return r
}

// check returns false when the check was cut short by ctx (or Close). The
// Result's Body and HTML count against crawler.max_buffered until release
// is called.
func (c *Checker) check(ctx context.Context, rawURL string) (Result, bool, func()) {
	res, done, s := c.checkIn(ctx, rawURL)
	if s == nil {
		return res, done, func() {}
	}
	return res, done, s.release
}

func (c *Checker) checkIn(ctx context.Context, rawURL string) (Result, bool, *session) {
	res := Result{URL: rawURL, CheckedAt: c.opts.Now()}
	if c.closed.Load() {
		res.Err = "checker closed"
		return res, false, nil
	}
	u, err := parseTarget(rawURL)
	if err != nil {
		res.Class = ClassInvalidURL
		res.Err = err.Error()
		res.Evidence = []string{err.Error()}
		return res, true, nil
	}
	if c.opts.Exclude != nil {
		if why, ok := c.opts.Exclude.Match(u); ok {
			res.Class = ClassExcluded
			res.Evidence = []string{"excluded by " + why}
			return res, true, nil
		}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		res.Class = ClassExcluded
		res.Evidence = []string{"scheme " + u.Scheme + " is not checked"}
		return res, true, nil
	}
	if why := badPort(u); why != "" {
		// No request can reach it; the link itself is broken.
		res.Class, res.Err = ClassProtocolError, why
		res.Evidence = []string{why}
		return res, true, nil
	}
	t, err := c.lim.acquire(ctx, hostKey(u))
	if err != nil {
		res.Err = err.Error()
		return res, false, nil
	}
	defer t.release()

	s := c.newSession(t)
	if c.cfg.Robots {
		ok, note := c.robotsAllow(ctx, s, u)
		if ctx.Err() != nil {
			res.Err = ctx.Err().Error()
			s.release()
			return res, false, nil
		}
		if note != "" {
			res.Evidence = append(res.Evidence, note)
		}
		if !ok {
			res.Class = ClassRobotsDisallowed
			res.Err = "disallowed by robots.txt"
			s.release()
			return res, true, nil
		}
	}
	c.decide(ctx, s, u, &res)
	if ctx.Err() != nil {
		res.Class, res.Err = ClassUnknown, ctx.Err().Error()
		res.Body, res.HTML = nil, nil
		s.release()
		return res, false, nil
	}
	c.log.Debug("checked", "url", rawURL, "class", res.Class, "status", res.Status, "attempts", res.Attempts, "evidence", res.Evidence)
	return res, true, s
}

// badPort says why u's port cannot be connected to, or "".
func badPort(u *url.URL) string {
	p := u.Port()
	if p == "" {
		return ""
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("port %s is out of range (1-65535)", p)
	}
	return ""
}

// parseTarget accepts absolute URLs with a host.
func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid URL: %v", err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme == "" {
		return nil, errors.New("invalid URL: no scheme")
	}
	if (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() == "" {
		return nil, errors.New("invalid URL: no host")
	}
	return u, nil
}

// hostKey is what politeness limits are per: the host name, whatever the
// scheme or port, because that is usually one server.
func hostKey(u *url.URL) string {
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// productToken is the User-Agent's first word without its version, the
// name robots.txt groups are matched against ("linkrot").
func productToken(ua string) string {
	tok, _, _ := strings.Cut(strings.TrimSpace(ua), " ")
	tok, _, _ = strings.Cut(tok, "/")
	if tok == "" {
		return "linkrot"
	}
	return strings.ToLower(tok)
}

// sleep is the default Options.Sleep.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errorText is the one-line Err of a failed exchange.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err // the URL is in the Result already
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "connection closed before the response was complete (" + err.Error() + ")"
	}
	return err.Error()
}
