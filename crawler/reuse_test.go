package crawler

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// TestShortBodiesKeepTheConnection: a body the check does not need (a PDF,
// a plain-text 404, fetched with GET: paths without a file extension) is read into nothing when it says it is short, so the
// next check on the host reuses the connection instead of dialing (and, on
// HTTPS, shaking hands) again; a long one is not downloaded, its
// connection is dropped, and the next check dials.
func TestShortBodiesKeepTheConnection(t *testing.T) {
	w := newWeb(t)
	site := w.Site("files.example")
	site.Page("/files/report", fakeweb.Respond(200, "application/pdf", "%PDF-1.4 "+strings.Repeat("x", 2000)))
	site.Page("/missing", fakeweb.Respond(404, "text/plain", "404 page not found\n"))
	site.Page("/download", fakeweb.Respond(200, "application/octet-stream", strings.Repeat("y", 4*drainBytes)))
	site.HTML("/page", "A page", "<p>Text.</p>")
	var dials atomic.Int32
	s := newChecker(t, w, func(_ *config.Crawler, _ *config.Network, o *Options) {
		o.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return w.DialContext(ctx, network, addr)
		}
	})
	for _, p := range []string{"/page", "/files/report", "/missing", "/files/report", "/page"} {
		r := s.check(t, "http://files.example"+p)
		want := ClassOK
		if p == "/missing" {
			want = ClassHTTP4xx
		}
		wantClass(t, r, want)
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d dials for five checks of short answers on one host, want 1", n)
	}
	wantClass(t, s.check(t, "http://files.example/download"), ClassOK)
	wantClass(t, s.check(t, "http://files.example/page"), ClassOK)
	if n := dials.Load(); n != 2 {
		t.Errorf("%d dials after a long body that was not read, want 2 (its connection dropped)", n)
	}
	if hits := w.Hits("files.example", "/download"); hits != 1 {
		t.Errorf("/download fetched %d times, want 1", hits)
	}
}
