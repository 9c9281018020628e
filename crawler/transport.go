package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/netguard"
)

// roundTripper is the transport colly's client uses. Around one shared
// http.Transport it adds what must hold for every request, including each
// redirect hop, robots.txt and probes:
//   - per-host pacing (per_host_interval between request starts);
//   - the body cap, counted after decompression, so a gzip bomb stops at
//     max_body however well it compresses;
//   - telling a header flood apart from other broken responses.
type roundTripper struct {
	base     *http.Transport
	pace     *pacer
	gate     HostGate // nil: no limits beyond this process
	maxHeads int64
}

func newRoundTripper(cc config.Crawler, nc config.Network, opts Options) (*roundTripper, error) {
	resolves, err := nc.Resolves()
	if err != nil {
		return nil, err
	}
	pool, err := rootCAs(nc.CAFile)
	if err != nil {
		return nil, err
	}
	gcfg := netguard.Config{AllowPrivate: nc.AllowPrivate, Resolves: resolves, Dial: opts.DialContext, ResolveOnly: nc.ResolveOnly}
	if opts.Resolver != nil {
		gcfg.Resolver = opts.Resolver
	}
	guard := netguard.New(gcfg)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := guard.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &meteredConn{Conn: c}, nil
	}
	base := &http.Transport{
		// Never a proxy from the environment: it would bypass the address
		// guard and, in tests, the rule that traffic stays on loopback.
		Proxy:                  nil,
		DialContext:            dial,
		TLSClientConfig:        &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    time.Duration(cc.Timeout),
		MaxResponseHeaderBytes: maxHeaderBytes,
		// Idle connections are bounded in total, so memory does not grow
		// with the number of hosts seen.
		MaxIdleConns:          2 * cc.Concurrency,
		MaxIdleConnsPerHost:   cc.PerHost,
		IdleConnTimeout:       30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &roundTripper{base: base, pace: newPacer(time.Duration(cc.PerHostInterval)), gate: opts.HostGate, maxHeads: maxHeaderBytes}, nil
}

// rootCAs is the system pool plus network.ca_file.
func rootCAs(file string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if file == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("network.ca_file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("network.ca_file: no PEM certificates in %s", file)
	}
	return pool, nil
}

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	host := strings.TrimSuffix(strings.ToLower(req.URL.Hostname()), ".")
	if err := t.pace.wait(ctx, host); err != nil {
		return nil, err
	}
	if t.gate != nil {
		leave, err := t.gate.Enter(ctx, host)
		if err != nil {
			return nil, err
		}
		resp, err := t.roundTrip(req)
		if err != nil {
			leave()
			return nil, err
		}
		resp.Body = &gatedBody{ReadCloser: resp.Body, leave: leave}
		return resp, nil
	}
	return t.roundTrip(req)
}

// roundTrip is RoundTrip once the request may start.
func (t *roundTripper) roundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	x := exchangeFrom(ctx)
	var conn atomic.Pointer[meteredConn]
	var start atomic.Int64
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			mc, h2 := unwrapConn(info.Conn)
			if mc != nil && !h2 {
				conn.Store(mc)
				start.Store(mc.read.Load())
			}
		},
	}
	resp, err := t.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	if err != nil {
		// net/http reports a header flood with an untyped error. On an
		// HTTP/1 connection we can tell it from the bytes received: a
		// response that failed after sending more than the limit failed
		// because of the limit.
		mc := conn.Load()
		switch {
		case mc != nil && mc.read.Load()-start.Load() >= t.maxHeads:
			err = &errTooLarge{What: "response headers", Limit: t.maxHeads}
		case mc != nil && mc.read.Load() > start.Load() && brokeHTTP(err):
			// Bytes came and net/http could not read them as a response.
			err = &protocolError{err: err}
		}
		return nil, err
	}
	if req.Method == http.MethodHead && resp.ContentLength < 0 &&
		resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotModified {
		// A HEAD answer without a length says nothing about where the
		// server thinks the response ends. Servers that stream (live
		// feeds, or any Go handler that writes without looking at the
		// method: net/http discards the writes and keeps it running) go on
		// after the headers, and the next request on that keep-alive
		// connection would never be answered. Retire the connection: it
		// closes when next used, and net/http, having written nothing,
		// sends that request on a new connection.
		if mc := conn.Load(); mc != nil {
			mc.retired.Store(true)
		}
	}
	// colly gunzips bodies itself when it thinks net/http did not: on
	// Content-Encoding gzip (HEAD answers included, whose empty body then
	// fails as EOF), on gzip Content-Types and on .xml.gz paths, all
	// without a size limit. Go has already decoded what it asked for, so
	// tell colly it is done; anything else stays as sent.
	resp.Uncompressed = true
	if x != nil && req.Method != http.MethodHead {
		c := newCapture(resp.Body, x)
		x.body = c // the last response's capture is the final one's
		resp.Body = c
	}
	return resp, nil
}

// brokeHTTP: a failed round trip after bytes arrived that is not a
// network failure (timeout, reset, early close, cancellation), so the bytes
// themselves were the trouble.
func brokeHTTP(err error) bool {
	switch {
	case isTimeout(err), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return false
	}
	var tooBig *errTooLarge
	return !errors.As(err, &tooBig) && !isTLSError(err)
}

// unwrapConn finds our metered connection under TLS, and says whether it
// speaks HTTP/2 (where one connection carries other requests' bytes too).
func unwrapConn(c net.Conn) (*meteredConn, bool) {
	h2 := false
	if tc, ok := c.(*tls.Conn); ok {
		h2 = tc.ConnectionState().NegotiatedProtocol == "h2"
		c = tc.NetConn()
	}
	mc, _ := c.(*meteredConn)
	return mc, h2
}

// meteredConn counts bytes received, and refuses to be reused once
// retired.
type meteredConn struct {
	net.Conn
	read    atomic.Int64
	retired atomic.Bool
}

var errRetired = errors.New("connection retired after an open-ended HEAD response")

func (c *meteredConn) Write(p []byte) (int, error) {
	if c.retired.Load() {
		c.Conn.Close()
		return 0, errRetired
	}
	return c.Conn.Write(p)
}

func (c *meteredConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// pacer spaces request starts to one host by interval. Each request
// reserves the next free start time and sleeps until then, so waiting
// requests are served in order and none is lost when another gives up.
type pacer struct {
	interval time.Duration
	mu       sync.Mutex
	next     map[string]time.Time
	sweepAt  int
}

func newPacer(interval time.Duration) *pacer {
	return &pacer{interval: interval, next: make(map[string]time.Time), sweepAt: 256}
}

func (p *pacer) wait(ctx context.Context, host string) error {
	if p.interval <= 0 {
		return ctx.Err()
	}
	now := time.Now()
	p.mu.Lock()
	at := now
	if n, ok := p.next[host]; ok && n.After(now) {
		at = n
	}
	p.next[host] = at.Add(p.interval)
	if len(p.next) >= p.sweepAt {
		// Hosts whose next start is already free need no entry: the map
		// holds only hosts used within the last interval.
		for h, n := range p.next {
			if !n.After(now) {
				delete(p.next, h)
			}
		}
		p.sweepAt = max(256, 2*len(p.next))
	}
	p.mu.Unlock()
	return sleep(ctx, at.Sub(now))
}
