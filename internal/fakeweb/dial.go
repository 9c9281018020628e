package fakeweb

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DialContext connects to host:port the way a dialer on the simulated
// internet would, and never leaves loopback: the name is looked up among the
// registered sites, not in DNS, and the connection goes to one of the Web's
// own listeners. Port 443 reaches the HTTPS listener, every other port the
// plain-HTTP one (so https://host:8443/ does not work; use port 443 for
// TLS). Host-level modes apply: an unregistered or NXDomain host fails with
// a *net.DNSError that has IsNotFound set, DNSFailure with IsTemporary, both
// wrapped in a *net.OpError as net.Dialer does; Refused dials a closed port
// (ECONNREFUSED); Down reaches a listener that resets; Blackhole one that
// never answers. IP literals reach a site registered under that literal,
// the Web's own listener addresses reach themselves, and any other address
// is refused rather than dialed.
//
// Its signature matches net.Dialer.DialContext and http.Transport's
// DialContext field.
func (w *Web) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return w.dial(ctx, &net.Dialer{}, network, addr)
}

// DialWith is DialContext with the final loopback connection made by d, so
// its Timeout, KeepAlive and Control hook apply. A client's SSRF guard
// installed as d.Control sees the real 127.0.0.1 address it would refuse
// without allow_private, so the guard itself stays under test.
func (w *Web) DialWith(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return w.dial(ctx, d, network, addr)
	}
}

func (w *Web) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		// What the real dialer says about it.
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.AddrError{Err: "invalid port", Addr: addr}}
	}
	target, err := w.target(canonicalHost(host), port)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	return d.DialContext(ctx, "tcp4", target)
}

// target maps a name and port to the loopback address that simulates it.
func (w *Web) target(host, port string) (string, error) {
	w.mu.Lock()
	offline := w.offline
	w.mu.Unlock()
	if offline {
		return "", os.NewSyscallError("connect", syscall.ENETUNREACH)
	}
	site := w.lookup(host)
	if site == nil {
		if ip := net.ParseIP(host); ip != nil {
			own := net.JoinHostPort(host, port)
			if own == w.HTTPAddr() || own == w.HTTPSAddr() {
				return own, nil
			}
			return w.refusedAddr, nil
		}
		return "", &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	switch site.Mode() {
	case NXDomain:
		return "", &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	case DNSFailure:
		return "", &net.DNSError{Err: "server misbehaving", Name: host, IsTemporary: true}
	case Refused:
		return w.refusedAddr, nil
	case Down:
		return w.resetLn.Addr().String(), nil
	case Blackhole:
		return w.silentLn.Addr().String(), nil
	}
	if port == "443" {
		return w.HTTPSAddr(), nil
	}
	return w.HTTPAddr(), nil
}

// Unknown reports whether host fails to resolve on this Web: never
// registered, or registered and set to NXDomain.
func (w *Web) Unknown(host string) bool {
	s := w.lookup(canonicalHost(host))
	return s == nil || s.Mode() == NXDomain
}

// Transport returns a new transport that dials through DialContext, trusts
// only the Web's CA, uses no proxy (whatever the environment says) and
// speaks HTTP/1.1. Compression is left on, so Go asks for gzip and
// decompresses transparently.
func (w *Web) Transport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         w.DialContext,
		TLSClientConfig:     &tls.Config{RootCAs: w.CertPool()},
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     30 * time.Second,
	}
}

// Client returns an http.Client over a new Transport. It follows redirects
// with net/http's default policy (at most 10); set CheckRedirect to
// http.ErrUseLastResponse to see each hop. It has no timeout: tests that
// hit slow or hanging behaviours set Timeout or use a context.
func (w *Web) Client() *http.Client {
	return &http.Client{Transport: w.Transport()}
}

// Resolve returns static name-resolution entries for every registered host,
// for clients that dial addresses themselves (the linkrot binary running
// against cmd/fakeweb, configured through network.resolve). The form is
//
//	HOST:PORT=IP:PORT
//
// for example "www.example.com:443=127.0.0.1:41234": a connection to
// HOST on PORT goes to IP:PORT instead, while the URL, Host header and TLS
// server name stay HOST. That is curl's --connect-to HOST:PORT:IP:PORT,
// not its --resolve host:port:addr, which keeps the requested port: the
// fake's listeners have random ports, so the target port is spelled out.
// Each Up host gets two entries, :80 to HTTPAddr and :443 to HTTPSAddr.
// Down, Refused and Blackhole hosts map both ports to the resetting,
// closed or silent address, so the condition is the same as through
// DialContext. NXDomain and DNSFailure hosts get no entry: a resolver
// override cannot express them, so a client using Resolve must treat names
// missing from the list as not found rather than ask real DNS (see the
// package documentation). Entries are sorted; the list is a snapshot.
func (w *Web) Resolve() []string {
	hosts := w.hostNames()
	out := make([]string, 0, 2*len(hosts))
	for _, h := range hosts {
		s := w.lookup(h)
		var http80, https443 string
		switch s.Mode() {
		case Up:
			http80, https443 = w.HTTPAddr(), w.HTTPSAddr()
		case Down:
			http80 = w.resetLn.Addr().String()
			https443 = http80
		case Refused:
			http80, https443 = w.refusedAddr, w.refusedAddr
		case Blackhole:
			http80 = w.silentLn.Addr().String()
			https443 = http80
		default:
			continue
		}
		name := h
		if strings.Contains(h, ":") { // IPv6 literal
			name = "[" + h + "]"
		}
		out = append(out, name+":80="+http80, name+":443="+https443)
	}
	sort.Strings(out)
	return out
}
