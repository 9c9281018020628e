package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/linkrot/linkrot/config"
)

// hostGuard defends against DNS rebinding: a page on evil.example whose
// name the attacker re-points at 127.0.0.1 makes the victim's browser
// send requests to the UI as if from the same origin, with Host (and
// Origin) naming evil.example. Checking Host against the names this
// server really has stops that, whatever the browser thinks the origin
// is. Allowed are:
//
//   - the address the request reached, as an IP literal with its port
//     (an IP literal cannot be re-pointed);
//   - "localhost" and "*.localhost" with that port, when that address is
//     loopback (RFC 6761: those names never leave the machine);
//   - the host of web.base_url, with its port (or none, or the listening
//     port), for a UI behind a reverse proxy.
//
// Anything else gets 421 Misdirected Request. A request that changes
// state (any method but GET, HEAD and OPTIONS) that carries an Origin,
// or else a Referer, must name an allowed host in it too, or it gets 403.
type hostGuard struct {
	listenHost, listenPort string // web.listen, when a request carries no local address
	baseHost, basePort     string // web.base_url's host, lower case; "" without one
}

func newHostGuard(cfg config.Web) *hostGuard {
	g := &hostGuard{}
	g.listenHost, g.listenPort, _ = net.SplitHostPort(cfg.Listen)
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Host != "" {
		g.baseHost = normHost(u.Hostname())
		g.basePort = u.Port()
		if g.basePort == "" {
			g.basePort = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
	}
	return g
}

// check answers r with 421 or 403 and returns false when r names a host
// this server does not have.
func (g *hostGuard) check(w http.ResponseWriter, r *http.Request) bool {
	if !g.allowed(r, r.Host, "") {
		http.Error(w, "421 misdirected request: this server does not answer for "+quoteHost(r.Host)+
			" (set web.base_url to the name it is reached by)", http.StatusMisdirectedRequest)
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	from := r.Header.Get("Origin")
	if from == "null" {
		// The UI sends Referrer-Policy: no-referrer, so a browser posts
		// its own forms with "Origin: null". It still says where the form
		// came from in Sec-Fetch-Site; a sandboxed frame (an archived
		// page) posting here is "cross-site" and stays refused.
		if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
			return true
		}
		http.Error(w, "403 forbidden: a request from another site", http.StatusForbidden)
		return false
	}
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return true // not a browser, or one that sends neither: the CSRF token decides
	}
	u, err := url.Parse(from)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !g.allowed(r, u.Host, u.Scheme) {
		http.Error(w, "403 forbidden: a request from another site", http.StatusForbidden)
		return false
	}
	return true
}

// allowed reports whether hostport (a Host header, or an Origin's host
// with its scheme to tell a missing port) names this server for r.
func (g *hostGuard) allowed(r *http.Request, hostport, scheme string) bool {
	host, port := splitHostPort(hostport)
	if host == "" {
		return false
	}
	localIP, localPort := g.local(r)
	// Behind a proxy the port the client used is unknown here, so the
	// base name is taken without one too.
	if g.baseHost != "" && host == g.baseHost && (port == "" || port == g.basePort || port == localPort) {
		return true
	}
	if port == "" {
		port = "80"
		if scheme == "https" || (scheme == "" && r.TLS != nil) {
			port = "443"
		}
	}
	if port != localPort {
		return false
	}
	loopback := localIP != nil && localIP.IsLoopback()
	if localIP == nil {
		// web.listen names a host, not an address: only that name and,
		// for localhost, its loopback addresses.
		if host == normHost(g.listenHost) {
			return true
		}
		loopback = normHost(g.listenHost) == "localhost"
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.Equal(localIP) || (loopback && ip.IsLoopback()) ||
			(localIP != nil && localIP.IsUnspecified())
	}
	return loopback && (host == "localhost" || strings.HasSuffix(host, ".localhost"))
}

// local is the address r reached: the connection's local address, or
// web.listen when the request carries none.
func (g *hostGuard) local(r *http.Request) (net.IP, string) {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if host, port, err := net.SplitHostPort(a.String()); err == nil {
			return net.ParseIP(host), port
		}
	}
	if g.listenHost == "" {
		return net.IPv4zero, g.listenPort
	}
	return net.ParseIP(g.listenHost), g.listenPort
}

// splitHostPort splits a Host value; the port is "" when it has none.
// The host comes back lower case, without brackets or a trailing dot.
func splitHostPort(hp string) (host, port string) {
	if h, p, err := net.SplitHostPort(hp); err == nil {
		return normHost(h), p
	}
	return normHost(strings.TrimSuffix(strings.TrimPrefix(hp, "["), "]")), ""
}

func normHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// quoteHost shows a Host value in an error without control characters.
func quoteHost(h string) string {
	if len(h) > 100 {
		h = h[:100]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, h)
}
