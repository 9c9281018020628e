package pubarchive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/safeurl"
)

// ErrNoRemoteCopy means that every public archive asked answered, and none
// holds a usable copy. When an archive could not be asked (down, timeout,
// bad answer), Find returns that failure instead, so a caller never takes
// "we could not tell" for "there is none".
var ErrNoRemoteCopy = errors.New("no copy in any public web archive")

// RemoteCopy is one capture of a page in a public web archive.
type RemoteCopy struct {
	URL      string    // the memento / snapshot URL, to be opened in a browser
	Original string    // the captured URL as the archive recorded it
	Time     time.Time // when the archive captured it, UTC
	// Status is the HTTP status the archive got when it captured the page.
	// 0 means the source did not say: Memento TimeGates and TimeMaps do not
	// carry it, and a CDX revisit row whose original capture was not seen.
	Status int
	Source string // "wayback" or "memento:<timegate host>"
}

// RemoteOptions tune a Remote; the zero value is usable.
type RemoteOptions struct {
	UserAgent string        // "" means linkrot's default User-Agent
	Logger    *slog.Logger  // nil: no logging
	Timeout   time.Duration // per request, body included; 0 means 30s
}

// Remote asks public web archives for copies of a page: the Wayback
// Machine (availability and CDX APIs) and Memento TimeGates (RFC 7089).
// It is safe for concurrent use.
type Remote struct {
	cfg      config.External
	client   *http.Client // follows redirects
	noFollow *http.Client // the same, but returns each redirect: TimeGates answer with one
	ua       string
	log      *slog.Logger
	timeout  time.Duration
	replay   string // Wayback replay prefix, ".../web/", derived from the CDX URL
}

const (
	defaultRemoteTimeout = 30 * time.Second
	// Bounds on what is read from an archive. CDX and TimeMap answers list
	// captures and can be huge for popular pages; 5 MiB is tens of
	// thousands of rows, more than any choice here needs.
	maxListBody  = 5 << 20
	maxJSONBody  = 1 << 20  // availability answers are a few hundred bytes
	maxDrainBody = 64 << 10 // read from answers we ignore, so the connection can be reused
)

// NewRemote returns a Remote using client for every request (nil: a
// default client). Give it the crawler's client to share its dialer,
// resolver overrides and CAs; the client's redirect policy is kept for
// everything but TimeGates, whose redirect is the answer itself.
func NewRemote(cfg config.External, client *http.Client, opts RemoteOptions) *Remote {
	if client == nil {
		client = &http.Client{}
	}
	noFollow := *client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := &Remote{
		cfg:      cfg,
		client:   client,
		noFollow: &noFollow,
		ua:       opts.UserAgent,
		log:      opts.Logger,
		timeout:  opts.Timeout,
		replay:   waybackReplayBase(cfg.Wayback.CDXURL),
	}
	if r.ua == "" {
		r.ua = strings.ReplaceAll(config.DefaultUserAgent, config.VersionPlaceholder, config.Version)
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.timeout <= 0 {
		r.timeout = defaultRemoteTimeout
	}
	return r
}

// RemoteError is a failure of one archive service. Its message names the
// service and the URL asked, e.g.
// "wayback availability API at https://archive.org/wayback/available?url=…: status 503".
type RemoteError struct {
	Service string // "wayback availability API", "wayback CDX API", "memento TimeGate", "memento TimeMap"
	URL     string // the request URL
	Status  int    // the HTTP status, 0 when there was no (usable) response
	Err     error  // the cause; nil when the status says it all
}

func (e *RemoteError) Error() string {
	msg := e.Service + " at " + e.URL
	if e.Status != 0 {
		msg += fmt.Sprintf(": status %d", e.Status)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *RemoteError) Unwrap() error { return e.Err }

// Service names, used in errors and logs.
const (
	svcAvailability = "wayback availability API"
	svcCDX          = "wayback CDX API"
	svcTimeGate     = "memento TimeGate"
	svcTimeMap      = "memento TimeMap"
	svcMemento      = "memento" // a memento itself, asked for its Memento-Datetime
)

// send does one request with linkrot's User-Agent and the per-request
// timeout. The timeout stays in force while the body is read and is
// released when the body is closed.
func (r *Remote) send(ctx context.Context, c *http.Client, method, service, rawURL string, header http.Header) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		cancel()
		return nil, &RemoteError{Service: service, URL: rawURL, Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", r.ua)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		cancel()
		return nil, &RemoteError{Service: service, URL: rawURL, Err: unwrapURLError(err)}
	}
	r.log.Debug("public archive request", "service", service, "url", rawURL,
		"status", resp.StatusCode, "elapsed", time.Since(start))
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// unwrapURLError drops net/http's "Get \"URL\": " prefix: RemoteError
// already names the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// drainAndClose reads a little of a body we do not use and closes it.
func drainAndClose(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrainBody))
	resp.Body.Close()
}

// tooLargeError is what capReader returns past its limit.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("response larger than %s", sizeText(e.limit))
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// capReader reads at most limit bytes and then fails with tooLargeError if
// more follow, so a parser never mistakes a cut-off answer for a complete
// one.
type capReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func newCapReader(r io.Reader, limit int64) *capReader {
	return &capReader{r: r, left: limit, limit: limit}
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			return 0, &tooLargeError{c.limit}
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// archiveTarget checks that raw is an absolute http(s) URL and drops its
// fragment, which archives never store.
func archiveTarget(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("public archive lookup: %q is not an absolute http(s) URL", raw)
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	return s, nil
}

// withQuery returns endpoint with q added to whatever query it already has.
func withQuery(endpoint string, q url.Values) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", err
	}
	all := u.Query()
	for k, vs := range q {
		all[k] = vs
	}
	u.RawQuery = all.Encode()
	return u.String(), nil
}

// Find returns the best public copy of rawURL: status 200, captured at or
// closest before firstSeen (the moment linkrot first saw the link in a
// document, so the copy shows the page as it was cited), else the closest
// after it; with a zero firstSeen, the latest. It asks every enabled source
// at once: the Wayback Machine (availability API, then the CDX API when
// that answer is not already the precise choice) and each Memento TimeGate
// (then its TimeMap when the TimeGate's links do not settle the choice).
//
// Copies from all sources are ranked together: first the side of
// firstSeen (before wins), then whether the capture status is known to be
// 200 (Wayback says so; TimeGates and TimeMaps do not, and archives keep
// captures of error pages and redirects), then closeness. So an unverified
// memento is chosen only when no verified copy is on the same side.
//
// A source that fails does not hide another's copy; its error is logged.
// With no copy anywhere, the error is ErrNoRemoteCopy when every source
// answered, and otherwise the failures joined (not ErrNoRemoteCopy).
func (r *Remote) Find(ctx context.Context, rawURL string, firstSeen time.Time) (RemoteCopy, error) {
	target, err := archiveTarget(rawURL)
	if err != nil {
		return RemoteCopy{}, err
	}
	type source struct {
		name string
		find func(context.Context) ([]RemoteCopy, error)
	}
	var sources []source
	if r.cfg.Wayback.Enabled {
		sources = append(sources, source{"wayback", func(ctx context.Context) ([]RemoteCopy, error) {
			return r.findWayback(ctx, target, firstSeen)
		}})
	}
	if r.cfg.Memento.Enabled {
		for _, tg := range r.cfg.Memento.Timegates {
			sources = append(sources, source{mementoSource(tg), func(ctx context.Context) ([]RemoteCopy, error) {
				return r.findMemento(ctx, tg, target, firstSeen)
			}})
		}
	}
	if len(sources) == 0 {
		return RemoteCopy{}, fmt.Errorf("%w: no public archive is enabled", ErrNoRemoteCopy)
	}

	// The sources are independent services, so they are asked at once: a
	// slow archive costs its own latency, not the sum.
	type result struct {
		copies []RemoteCopy
		err    error
	}
	results := make([]result, len(sources))
	var wg sync.WaitGroup
	for i, s := range sources {
		wg.Go(func() {
			copies, err := s.find(ctx)
			results[i] = result{copies, err}
		})
	}
	wg.Wait()

	var (
		best  RemoteCopy
		found bool
		errs  []error
	)
	// Sources in config order, copies in the order each source found them:
	// among equals the earlier one stays, so the choice is deterministic.
	for i, res := range results {
		for _, c := range res.copies {
			if !usable(c) {
				continue
			}
			if err := safeurl.Check(c.URL); err != nil {
				// An archive's answer goes into reports and documents:
				// only a web URL is worth anything there.
				safeurl.Warn(c.URL, "public archive copy of "+target+" from "+c.Source, err)
				continue
			}
			if !found || betterCopy(c, best, firstSeen) {
				best, found = c, true
			}
		}
		if res.err != nil && !errors.Is(res.err, ErrNoRemoteCopy) {
			// Debug: the caller aggregates failures into one line per kind.
			r.log.Debug("public archive lookup failed", "source", sources[i].name, "url", target, "err", res.err)
			errs = append(errs, res.err)
		}
	}
	if found {
		r.log.Debug("public archive copy chosen", "url", target, "first_seen", firstSeen,
			"copy", best.URL, "time", best.Time, "status", best.Status, "source", best.Source)
		return best, nil
	}
	if len(errs) == 0 {
		return RemoteCopy{}, ErrNoRemoteCopy
	}
	return RemoteCopy{}, fmt.Errorf("no public archive copy of %s found, and %d of %d sources failed: %w",
		target, len(errs), len(sources), errors.Join(errs...))
}

// usable: a known 200, or a memento whose status nobody told us. Wayback
// copies always come with a status, so a 0 there (an unresolved revisit)
// is not usable.
func usable(c RemoteCopy) bool {
	if c.URL == "" || c.Time.IsZero() {
		return false
	}
	return c.Status == http.StatusOK || (c.Status == 0 && strings.HasPrefix(c.Source, "memento:"))
}

// betterCopy reports whether a should be preferred to b for a link first
// seen at firstSeen (zero: the latest is wanted). See Find for the order.
func betterCopy(a, b RemoteCopy, firstSeen time.Time) bool {
	if firstSeen.IsZero() {
		if av, bv := a.Status == http.StatusOK, b.Status == http.StatusOK; av != bv {
			return av
		}
		return a.Time.After(b.Time)
	}
	aBefore, bBefore := !a.Time.After(firstSeen), !b.Time.After(firstSeen)
	if aBefore != bBefore {
		return aBefore
	}
	if av, bv := a.Status == http.StatusOK, b.Status == http.StatusOK; av != bv {
		return av
	}
	if aBefore {
		return a.Time.After(b.Time)
	}
	return a.Time.Before(b.Time)
}
