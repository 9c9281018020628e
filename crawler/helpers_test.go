package crawler

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// newWeb starts a simulated internet that the test closes when it ends.
func newWeb(t testing.TB) *fakeweb.Web {
	t.Helper()
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// sleeps records the waits a checker asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) list() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// setup is a checker wired to a Web.
type setup struct {
	w      *fakeweb.Web
	c      *Checker
	sleeps *sleeps
	cc     config.Crawler
	nc     config.Network
}

// newChecker builds a checker that dials through w, with short timeouts,
// no pacing, private addresses allowed (w is on loopback) and recorded
// instead of real sleeps. edit may change any of it.
func newChecker(t testing.TB, w *fakeweb.Web, edit func(*config.Crawler, *config.Network, *Options)) *setup {
	t.Helper()
	cc := config.Default().Crawler
	cc.Timeout = config.Duration(2 * time.Second)
	cc.PerHostInterval = 0
	nc := config.Default().Network
	nc.AllowPrivate = true
	sl := &sleeps{}
	opts := Options{Sleep: sl.sleep}
	if w != nil {
		opts.DialContext = w.DialContext
		if dir := t.TempDir(); dir != "" {
			f, err := w.CAFile(dir)
			if err != nil {
				t.Fatal(err)
			}
			nc.CAFile = f
		}
	}
	if edit != nil {
		edit(&cc, &nc, &opts)
	}
	c, err := New(cc, nc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &setup{w: w, c: c, sleeps: sl, cc: cc, nc: nc}
}

func (s *setup) check(t testing.TB, url string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.c.Check(ctx, url)
}

func wantClass(t testing.TB, r Result, want Class) {
	t.Helper()
	if r.Class != want {
		t.Errorf("%s: class %s, want %s\n%s", r.URL, r.Class, want, describe(r))
	}
}

func wantEvidence(t testing.TB, r Result, sub string) {
	t.Helper()
	if !hasEvidence(r, sub) {
		t.Errorf("%s: no evidence containing %q\n%s", r.URL, sub, describe(r))
	}
}

func hasEvidence(r Result, sub string) bool {
	for _, e := range r.Evidence {
		if strings.Contains(e, sub) {
			return true
		}
	}
	return false
}

func describe(r Result) string {
	var b strings.Builder
	b.WriteString("  class=" + r.Class.String() + " status=" + strconv.Itoa(r.Status) + " method=" + r.Method + " final=" + r.FinalURL + " err=" + r.Err + "\n")
	for _, e := range r.Evidence {
		b.WriteString("  evidence: " + e + "\n")
	}
	return b.String()
}

// nxResolver knows no names at all: with it, nothing can reach real DNS.
type nxResolver struct{}

func (nxResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// mapResolver answers from a fixed table and knows nothing else.
type mapResolver map[string]string

func (m mapResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, ok := m[host]; ok {
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// requestsTo are the logged requests to host.
func requestsTo(w *fakeweb.Web, host string) []fakeweb.RequestLog {
	var out []fakeweb.RequestLog
	for _, r := range w.Requests() {
		if r.Host == host {
			out = append(out, r)
		}
	}
	return out
}
