package fakeweb

import (
	"context"
	"crypto/tls"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultLogLimit is how many requests Requests keeps unless SetLogLimit
// says otherwise: enough for any politeness assertion, small enough that a
// benchmark over 200,000 URLs does not measure fakeweb's own memory.
const DefaultLogLimit = 10000

// closeWait bounds how long Close waits for handlers to notice it; a
// caller-supplied Behaviour that ignores its request context must not hang
// a test suite.
const closeWait = 5 * time.Second

// Web is a simulated internet on loopback. Every host name it knows is a
// virtual host on one plain-HTTP and one HTTPS listener, both on
// 127.0.0.1 with kernel-chosen ports. Three helper endpoints give the host
// level failures real TCP semantics: a listener that resets every
// connection, one that accepts and never answers, and a port nobody listens
// on.
type Web struct {
	ca *authority

	otherOnce sync.Once
	other     *authority
	otherErr  error

	httpLn, httpsLn   net.Listener
	resetLn, silentLn net.Listener
	refusedAddr       string
	srv               *http.Server

	done      chan struct{} // closed by Close; long behaviours select on it
	closeOnce sync.Once
	closeErr  error
	bg        sync.WaitGroup // accept loops of resetLn and silentLn

	mu        sync.Mutex
	closed    bool
	active    int // handlers running
	sites     map[string]*Site
	archives  map[string]*Archive
	latency   time.Duration
	offline   bool
	hits      map[hitKey]int
	hostHits  map[string]int
	conc      map[string]*inflight
	total     inflight
	log       []RequestLog
	logLimit  int
	generated int // hosts made by GenerateSites so far, so names never repeat
	silent    map[net.Conn]struct{}
}

type hitKey struct{ host, path string }

type inflight struct {
	cur, max int
	busy     time.Duration // handler time, summed over requests (total only)
	// first and last are when the first handler started and the last one
	// ended (total only): busy over last-first is the mean in flight.
	first, last time.Time
}

// RequestLog is one request as the server saw it.
type RequestLog struct {
	Time       time.Time // when the request's headers had been read
	Host       string    // canonical host name (lower case, no port)
	Method     string
	Path       string // URL path, without the query
	Query      string // raw query
	TLS        bool
	UserAgent  string
	Header     http.Header // a copy of every request header
	RemoteAddr string      // client address: one value per TCP connection
	Hit        int         // the request's Hit number for (Host, Path); 0 if not counted
}

// New starts a Web with no sites. Close it when done.
func New() (*Web, error) {
	ca, err := newAuthority("fakeweb test CA")
	if err != nil {
		return nil, err
	}
	w := &Web{
		ca:       ca,
		done:     make(chan struct{}),
		sites:    make(map[string]*Site),
		archives: make(map[string]*Archive),
		hits:     make(map[hitKey]int),
		hostHits: make(map[string]int),
		conc:     make(map[string]*inflight),
		logLimit: DefaultLogLimit,
		silent:   make(map[net.Conn]struct{}),
	}
	var lns []net.Listener
	fail := func(err error) (*Web, error) {
		for _, ln := range lns {
			ln.Close()
		}
		return nil, fmt.Errorf("fakeweb: listen: %w", err)
	}
	for i := 0; i < 4; i++ {
		ln, err := listenLoopback()
		if err != nil {
			return fail(err)
		}
		lns = append(lns, ln)
	}
	w.httpLn, w.httpsLn, w.resetLn, w.silentLn = lns[0], lns[1], lns[2], lns[3]

	// A port that was listened on and closed refuses connections. The kernel
	// could hand it out again, but ephemeral ports are picked from a large
	// range, so within a test's lifetime that is not a practical concern.
	ln, err := listenLoopback()
	if err != nil {
		return fail(err)
	}
	w.refusedAddr = ln.Addr().String()
	ln.Close()

	w.srv = &http.Server{
		Handler:           http.HandlerFunc(w.serve),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       90 * time.Second,
		// Handshake failures and aborted handlers are the point of many
		// tests; logging them would only bury real failures.
		ErrorLog: log.New(io.Discard, "", 0),
		// HTTP/1.1 only: resets and empty replies need Hijack, which
		// HTTP/2 does not offer.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	tlsConf := &tls.Config{
		GetCertificate: w.getCertificate,
		NextProtos:     []string{"http/1.1"},
		MinVersion:     tls.VersionTLS12,
	}
	w.bg.Add(4)
	go func() { defer w.bg.Done(); w.srv.Serve(w.httpLn) }()
	go func() { defer w.bg.Done(); w.srv.Serve(tls.NewListener(w.httpsLn, tlsConf)) }()
	go func() { defer w.bg.Done(); w.acceptReset() }()
	go func() { defer w.bg.Done(); w.acceptSilent() }()
	return w, nil
}

// listenLoopback is the only way fakeweb opens a listener: IPv4 loopback,
// port chosen by the kernel.
func listenLoopback() (net.Listener, error) {
	return net.Listen("tcp4", "127.0.0.1:0")
}

// Close stops the listeners, closes every connection and waits (boundedly)
// for running handlers to return. It is safe to call more than once.
func (w *Web) Close() error {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.done)
		if err := w.srv.Close(); err != nil {
			w.closeErr = err
		}
		w.resetLn.Close()
		w.silentLn.Close()
		w.mu.Lock()
		for c := range w.silent {
			c.Close()
		}
		w.mu.Unlock()
		w.bg.Wait()
		deadline := time.Now().Add(closeWait)
		for time.Now().Before(deadline) {
			w.mu.Lock()
			n := w.active
			w.mu.Unlock()
			if n == 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	return w.closeErr
}

// HTTPAddr is the plain-HTTP listener, "127.0.0.1:port".
func (w *Web) HTTPAddr() string { return w.httpLn.Addr().String() }

// HTTPSAddr is the HTTPS listener, "127.0.0.1:port".
func (w *Web) HTTPSAddr() string { return w.httpsLn.Addr().String() }

// SetLatency delays every response by d before its Behaviour runs, except on
// sites with their own Site.Latency.
func (w *Web) SetLatency(d time.Duration) {
	w.mu.Lock()
	w.latency = d
	w.mu.Unlock()
}

// SetOffline makes DialContext fail every dial with "network is
// unreachable", as if the checker's own uplink were down: the crawler's
// network_down detection is tested with it. Connections made without
// DialContext (through Resolve entries) are not affected.
func (w *Web) SetOffline(off bool) {
	w.mu.Lock()
	w.offline = off
	w.mu.Unlock()
}

// SetLogLimit sets how many of the latest requests Requests keeps; 0 keeps
// none.
func (w *Web) SetLogLimit(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.logLimit = max(n, 0)
	if len(w.log) > w.logLimit {
		w.log = append([]RequestLog(nil), w.log[len(w.log)-w.logLimit:]...)
	}
}

// Hits is how many requests (any method) reached path on host since the
// start or the last ResetHits. Sites made by GenerateSites count only per
// host (see HostHits), so this is 0 for them.
func (w *Web) Hits(host, path string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits[hitKey{canonicalHost(host), path}]
}

// HostHits is how many requests reached host, any path.
func (w *Web) HostHits(host string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hostHits[canonicalHost(host)]
}

// TotalHits is how many requests reached any host since the start or the
// last ResetHits: benchmarks divide it by the links checked.
func (w *Web) TotalHits() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, h := range w.hostHits {
		n += h
	}
	return n
}

// ResetHits forgets hit counts, the request log and concurrency peaks.
// Behaviours that depend on Hit (Flap, AfterHits, RetryAfter…) start over.
func (w *Web) ResetHits() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.hits)
	clear(w.hostHits)
	w.log = nil
	for h, c := range w.conc {
		if c.cur == 0 {
			delete(w.conc, h)
		} else {
			c.max = c.cur
		}
	}
	w.total.max = w.total.cur
	w.total.busy, w.total.first, w.total.last = 0, time.Time{}, time.Time{}
}

// Requests returns a copy of the logged requests, oldest first.
func (w *Web) Requests() []RequestLog {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]RequestLog(nil), w.log...)
}

// MaxConcurrent is the highest number of requests to host that were being
// handled at the same moment. A request counts from the time its headers are
// read until its Behaviour returns, latency included.
func (w *Web) MaxConcurrent(host string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.conc[canonicalHost(host)]; c != nil {
		return c.max
	}
	return 0
}

// MaxConcurrentTotal is MaxConcurrent over all hosts together.
func (w *Web) MaxConcurrentTotal() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total.max
}

// reqInfo travels in the request context to the Behaviours.
type reqInfo struct {
	web    *Web
	site   *Site
	host   string
	hit    int
	sameAs bool // set once SameAs has re-dispatched, to stop recursion
}

type infoKey struct{}

func infoOf(r *http.Request) *reqInfo {
	i, _ := r.Context().Value(infoKey{}).(*reqInfo)
	return i
}

// Hit is the 1-based number of this request among all requests for its host
// and URL path (HEAD and GET alike) since the Web started or ResetHits. It is
// 0 outside a Web or on generated sites. Behaviours that change over time
// are built on it, so they behave the same per URL even when one Behaviour
// serves many paths.
func Hit(r *http.Request) int {
	if i := infoOf(r); i != nil {
		return i.hit
	}
	return 0
}

// begin accounts for a request arriving; false means the Web is closing.
func (w *Web) begin(host string, site *Site, r *http.Request) (int, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, false
	}
	w.active++
	c := w.conc[host]
	if c == nil {
		c = &inflight{}
		w.conc[host] = c
	}
	c.cur++
	c.max = max(c.max, c.cur)
	w.total.cur++
	w.total.max = max(w.total.max, w.total.cur)
	if w.total.first.IsZero() {
		w.total.first = time.Now()
	}
	w.hostHits[host]++
	hit := 0
	if site == nil || !site.generated {
		k := hitKey{host, r.URL.Path}
		w.hits[k]++
		hit = w.hits[k]
	}
	if w.logLimit > 0 {
		if len(w.log) >= w.logLimit {
			// Drop the older half at once so appending stays amortised O(1).
			keep := w.logLimit / 2
			n := copy(w.log, w.log[len(w.log)-keep:])
			clear(w.log[n:])
			w.log = w.log[:n]
		}
		w.log = append(w.log, RequestLog{
			Time:       time.Now(),
			Host:       host,
			Method:     r.Method,
			Path:       r.URL.Path,
			Query:      r.URL.RawQuery,
			TLS:        r.TLS != nil,
			UserAgent:  r.UserAgent(),
			Header:     r.Header.Clone(),
			RemoteAddr: r.RemoteAddr,
			Hit:        hit,
		})
	}
	return hit, true
}

func (w *Web) end(host string, start time.Time) {
	d := time.Since(start)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active--
	w.conc[host].cur--
	w.total.cur--
	w.total.busy += d
	w.total.last = time.Now()
}

// HandlerTime is the time the handlers took, latency included, summed
// over every request: divided by TotalHits it says how far past the
// configured latency the server itself was (its own CPU, a busy machine).
func (w *Web) HandlerTime() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total.busy
}

// Span is when the first request's handler started and the last one's
// ended (zero times before any request). HandlerTime over their distance
// is how many requests the server had in flight on average: how well a
// client kept its slots busy.
func (w *Web) Span() (first, last time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total.first, w.total.last
}

// serve is the one handler behind both listeners: it routes by Host header.
func (w *Web) serve(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	host := canonicalHost(r.Host)
	site := w.lookup(host)
	hit, ok := w.begin(host, site, r)
	if !ok {
		abort()
	}
	defer w.end(host, start)
	info := &reqInfo{web: w, site: site, host: host, hit: hit}
	r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
	if site == nil {
		w.noSite(rw, r, host)
		return
	}
	h, mode, delay := site.route(r.URL.Path)
	switch mode {
	case Down, Refused:
		// Reached only by a client that bypassed DialContext and Resolve;
		// a reset is the closest thing left.
		ResetBeforeResponse().ServeHTTP(rw, r)
		return
	case Blackhole:
		Hang().ServeHTTP(rw, r)
		return
	case NXDomain, DNSFailure:
		w.noSite(rw, r, host)
		return
	}
	if delay < 0 {
		w.mu.Lock()
		delay = w.latency
		w.mu.Unlock()
	}
	if delay > 0 && !wait(r, delay) {
		abort()
	}
	h.ServeHTTP(rw, r)
}

// noSite answers a request for a host nobody registered. A client that
// uses DialContext never gets here (it gets NXDOMAIN), but someone poking
// the listener by address does: the bare address lists the sites.
func (w *Web) noSite(rw http.ResponseWriter, r *http.Request, host string) {
	if net.ParseIP(host) != nil || host == "localhost" {
		hosts := w.hostNames()
		var b strings.Builder
		b.WriteString("<ul>\n")
		for i, h := range hosts {
			if i == 1000 {
				fmt.Fprintf(&b, "<li>… and %d more</li>\n", len(hosts)-i)
				break
			}
			fmt.Fprintf(&b, "<li>%s</li>\n", html.EscapeString(h))
		}
		b.WriteString("</ul>\n")
		HTML("fakeweb", "<p>Sites on this fakeweb (send their name in the Host header):</p>"+b.String()).ServeHTTP(rw, r)
		return
	}
	Respond(http.StatusMisdirectedRequest, "text/plain; charset=utf-8",
		"fakeweb: no site for host "+host+"\n").ServeHTTP(rw, r)
}

func (w *Web) hostNames() []string {
	w.mu.Lock()
	hosts := make([]string, 0, len(w.sites))
	for h := range w.sites {
		hosts = append(hosts, h)
	}
	w.mu.Unlock()
	sort.Strings(hosts)
	return hosts
}

// lookup returns the site registered for a canonical host, or nil.
func (w *Web) lookup(host string) *Site {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sites[host]
}

// Site returns the site for host, registering an empty one (every path 404)
// on first use. host is a name without port; every port of the name reaches
// the same site. Calling Site again returns the same *Site.
func (w *Web) Site(host string) *Site {
	host = canonicalHost(host)
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.sites[host]; s != nil {
		return s
	}
	s := newSite(w, host)
	w.sites[host] = s
	return s
}

// wait sleeps for d unless the client goes away or the Web closes first; it
// reports whether the full time passed.
func wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	var done <-chan struct{}
	if i := infoOf(r); i != nil {
		done = i.web.done
	}
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-done:
		return false
	}
}

// closing returns a channel closed when the Web behind r closes, or nil.
func closing(r *http.Request) <-chan struct{} {
	if i := infoOf(r); i != nil {
		return i.web.done
	}
	return nil
}

// acceptReset resets every connection as soon as it is accepted, giving
// clients a real ECONNRESET for hosts that are Down.
func (w *Web) acceptReset() {
	for {
		c, err := w.resetLn.Accept()
		if err != nil {
			return
		}
		resetConn(c)
	}
}

// acceptSilent holds every connection open without reading or writing, so a
// Blackhole host times out the way an unresponsive server does.
func (w *Web) acceptSilent() {
	for {
		c, err := w.silentLn.Accept()
		if err != nil {
			return
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			c.Close()
			return
		}
		w.silent[c] = struct{}{}
		w.mu.Unlock()
	}
}

// resetConn closes c with an RST instead of a FIN. For TLS the RST goes
// out on the underlying TCP connection, without a close_notify alert.
func resetConn(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	c.Close()
}
