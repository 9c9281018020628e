package crawler

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// rawServer is a TCP server on loopback that answers each request with
// the bytes listed for its path, exactly as given, then closes the
// connection: no HTTP library on the server side to tidy anything up.
func rawServer(t *testing.T, replies map[string]string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				for {
					h, err := br.ReadString('\n')
					if err != nil || h == "\r\n" || h == "\n" {
						break
					}
				}
				f := strings.Fields(line)
				if len(f) < 2 {
					return
				}
				c.Write([]byte(replies[f[1]]))
				// A moment for the client to read before the close.
				time.Sleep(20 * time.Millisecond)
			}()
		}
	}()
	return ln.Addr().String()
}

// TestBrokenHTTP: a server that answers with something that is not HTTP,
// and a port no server can have, end in protocol_error, never unknown,
// with the reason in the evidence; such links count toward dead like a
// refused connection (TestStateDeferredAndProtocolError).
func TestBrokenHTTP(t *testing.T) {
	addr := rawServer(t, map[string]string{
		"/bad-status-line": fakeweb.BadStatusLine,
		"/no-status-line":  fakeweb.NoStatusLine,
		"/http09":          fakeweb.HTTP09,
		"/garbage":         fakeweb.Garbage,
		"/bad-code":        fakeweb.BadStatusCode,
		"/code-600":        "HTTP/1.1 600 Beyond\r\nContent-Length: 2\r\n\r\nok",
		"/302-nowhere":     "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n",
		"/empty":           "",
		"/fine":            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
	})
	s := newChecker(t, nil, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.Robots = false
		cc.Retries = 0
	})
	for _, tc := range []struct {
		path string
		want Class
		ev   string
	}{
		{"/bad-status-line", ClassProtocolError, "not HTTP"},
		{"/no-status-line", ClassProtocolError, "not HTTP"},
		{"/http09", ClassProtocolError, "not HTTP"},
		{"/garbage", ClassProtocolError, "not HTTP"},
		{"/bad-code", ClassProtocolError, "not HTTP"},
		{"/code-600", ClassProtocolError, "final status 600"},
		{"/302-nowhere", ClassProtocolError, "redirect without a usable Location"},
		{"/empty", ClassConnReset, "connection closed"},
		{"/fine", ClassOK, "GET 200"},
	} {
		r := s.check(t, "http://"+addr+tc.path)
		wantClass(t, r, tc.want)
		wantEvidence(t, r, tc.ev)
	}
	for _, u := range []string{"http://127.0.0.1:99999/", "http://example.test:0/", "https://example.test:65536/x"} {
		r := s.check(t, u)
		wantClass(t, r, ClassProtocolError)
		wantEvidence(t, r, "out of range")
		if r.Attempts != 0 {
			t.Errorf("%s: %d requests for a port that cannot exist", u, r.Attempts)
		}
	}
	// A URL that cannot be parsed is a class of its own, not unknown.
	for _, u := range []string{"not-a-url", "http://%zz/", "http:///nohost"} {
		wantClass(t, s.check(t, u), ClassInvalidURL)
	}
}

// TestDeferredDoesNotHoldTheRun: a link asking for a Retry-After longer
// than crawler.max_retry_wait is deferred at once, with real sleeping,
// while the other links of the run are checked.
func TestDeferredDoesNotHoldTheRun(t *testing.T) {
	w := newWeb(t)
	live := fakeweb.HTML("Fine", "<p>Fine.</p>")
	site := w.Site("slowdown.example")
	site.Page("/hour", fakeweb.RetryAfterSeconds(http.StatusTooManyRequests, -1, 3600, live))
	site.Page("/minute-503", fakeweb.RetryAfterSeconds(http.StatusServiceUnavailable, -1, 60, live))
	site.Page("/p/*", live)
	s := newChecker(t, w, func(_ *config.Crawler, _ *config.Network, o *Options) { o.Sleep = nil })
	urls := []string{"http://slowdown.example/hour", "http://slowdown.example/minute-503"}
	for i := range 10 {
		urls = append(urls, fmt.Sprintf("http://slowdown.example/p/%d", i))
	}
	start := time.Now()
	got := runAll(t, s.c, urls)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("run took %s: it waited on a deferred link", el)
	}
	for _, u := range urls[:2] {
		r := got[u]
		wantClass(t, r, ClassDeferred)
		if r.RetryAfter < time.Minute || !strings.Contains(r.Err, "max_retry_wait") {
			t.Errorf("%s: retry after %s, err %q", u, r.RetryAfter, r.Err)
		}
	}
	for _, u := range urls[2:] {
		wantClass(t, got[u], ClassOK)
	}
}

// TestRefusedRedirectNamesTarget: a redirect from a public site to an
// internal address is refused, and the evidence says where it pointed.
func TestRefusedRedirectNamesTarget(t *testing.T) {
	w := newWeb(t)
	w.Site("pub.example").Redirect("/go", http.StatusFound, "http://intranet.example/admin?x=1")
	s := newChecker(t, w, func(_ *config.Crawler, nc *config.Network, o *Options) {
		nc.AllowPrivate = false
		o.Resolver = mapResolver{"pub.example": "93.184.216.34", "intranet.example": "10.1.2.3"}
		// The public address is never dialed: the connection goes to
		// fakeweb's site of that name on loopback.
		o.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !strings.HasPrefix(addr, "93.184.216.34:") {
				return nil, fmt.Errorf("test dialer: unexpected %s", addr)
			}
			c, err := w.DialContext(ctx, network, "pub.example:80")
			if err != nil {
				return nil, err
			}
			return publicConn{c}, nil
		}
	})
	r := s.check(t, "http://pub.example/go")
	wantClass(t, r, ClassPrivateAddress)
	wantEvidence(t, r, "refused redirect target: http://intranet.example/admin?x=1")
	wantEvidence(t, r, "10.1.2.3 (private address)")
}

// publicConn is a loopback connection that says it reached a public
// address, as the simulated public site would be.
type publicConn struct{ net.Conn }

func (publicConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.ParseIP("93.184.216.34"), Port: 80}
}
