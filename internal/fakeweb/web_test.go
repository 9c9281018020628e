package fakeweb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestHTTPSForAnyName(t *testing.T) {
	w := newWeb(t)
	const host = "www.themoscowtimes.com"
	w.Site(host).HTML("/", "The Moscow Times", "<p>News.</p>")
	c := w.Client()

	resp, body := get(t, c, "https://"+host+"/")
	wantStatus(t, resp, 200)
	wantContains(t, "body", body, "<title>The Moscow Times</title>")
	if resp.TLS == nil || resp.TLS.PeerCertificates[0].DNSNames[0] != host {
		t.Fatalf("TLS state %+v, want a certificate for %s", resp.TLS, host)
	}
	if resp.ProtoMajor != 1 {
		t.Errorf("proto %s, want HTTP/1.1 (hijacking behaviours need it)", resp.Proto)
	}
	resp, _ = get(t, c, "http://"+host+"/")
	wantStatus(t, resp, 200)
	if resp.TLS != nil {
		t.Error("plain http answered over TLS")
	}

	// The CA PEM and file carry the same CA that the pool does.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(w.CACertPEM()) {
		t.Fatal("CACertPEM does not parse")
	}
	path, err := w.CAFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pemFile, err := os.ReadFile(path)
	if err != nil || string(pemFile) != string(w.CACertPEM()) {
		t.Fatalf("CAFile wrote %q, %v", pemFile, err)
	}
	tr := &http.Transport{DialContext: w.DialContext, TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	resp, _ = get(t, &http.Client{Transport: tr}, "https://"+host+"/")
	wantStatus(t, resp, 200)

	// Without the CA the certificate is not trusted.
	bare := &http.Transport{DialContext: w.DialContext, TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}
	defer bare.CloseIdleConnections()
	_, err = (&http.Client{Transport: bare}).Get("https://" + host + "/")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("without the CA: %v, want x509.UnknownAuthorityError", err)
	}
}

func TestTLSFaults(t *testing.T) {
	w := newWeb(t)
	for _, h := range []string{"expired.test", "untrusted.test", "wrongname.test"} {
		w.Site(h).HTML("/", "x", "")
	}
	w.Site("expired.test").TLS(TLSExpired)
	w.Site("untrusted.test").TLS(TLSUntrusted)
	w.Site("wrongname.test").TLS(TLSWrongName)
	c := w.Client()

	_, err := c.Get("https://expired.test/")
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("expired: %v", err)
	}
	_, err = c.Get("https://untrusted.test/")
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("untrusted: %v", err)
	}
	_, err = c.Get("https://wrongname.test/")
	var hostname x509.HostnameError
	if !errors.As(err, &hostname) {
		t.Errorf("wrong name: %v", err)
	}
	// Fixing the fault takes effect on the next connection.
	w.Site("expired.test").TLS(TLSOK)
	resp, _ := get(t, w.Client(), "https://expired.test/")
	wantStatus(t, resp, 200)
}

func TestHostModes(t *testing.T) {
	w := newWeb(t)
	s := w.Site("flaky.test").HTML("/", "Flaky", "<p>up</p>")
	c := w.Client()
	c.Timeout = 5 * time.Second

	// Never registered: NXDOMAIN, as net.Dialer reports it.
	_, err := c.Get("http://never-registered.test/")
	var dnsErr *net.DNSError
	var opErr *net.OpError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || !errors.As(err, &opErr) {
		t.Fatalf("unregistered host: %v, want a *net.OpError around a not-found *net.DNSError", err)
	}
	if !w.Unknown("never-registered.test") || w.Unknown("flaky.test") {
		t.Error("Unknown disagrees with the registry")
	}

	s.NXDomain()
	_, err = c.Get("https://flaky.test/")
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || !w.Unknown("flaky.test") {
		t.Errorf("NXDomain: %v", err)
	}
	s.DNSFail()
	_, err = c.Get("https://flaky.test/")
	if !errors.As(err, &dnsErr) || !dnsErr.IsTemporary || dnsErr.IsNotFound {
		t.Errorf("DNSFail: %v", err)
	}
	s.Refuse()
	_, err = c.Get("https://flaky.test/")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Refuse: %v, want ECONNREFUSED", err)
	}
	s.Down()
	for _, u := range []string{"http://flaky.test/", "https://flaky.test/"} {
		_, err = c.Get(u)
		if !isReset(err) {
			t.Errorf("Down %s: %v, want a connection reset", u, err)
		}
	}
	s.Blackhole()
	short := w.Client()
	short.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err = short.Get("https://flaky.test/")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("Blackhole: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Blackhole took %v to time out", d)
	}
	s.Up()
	resp, _ := get(t, c, "https://flaky.test/")
	wantStatus(t, resp, 200)
}

// isReset accepts the two ways Linux reports a peer's RST, depending on
// whether the client was reading or writing when it arrived.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func TestDialRules(t *testing.T) {
	w := newWeb(t)
	w.Site("a.test").HTML("/", "A", "")
	ctx := context.Background()

	// Foreign IP addresses are refused, never dialed.
	_, err := w.DialContext(ctx, "tcp", "93.184.216.34:80")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("foreign IP: %v, want ECONNREFUSED", err)
	}
	if _, err := w.DialContext(ctx, "udp", "a.test:53"); err == nil {
		t.Error("udp dial succeeded")
	}
	// The Web's own addresses reach themselves, so URLs built from
	// HTTPAddr work too (the bare address lists the sites).
	resp, body := get(t, w.Client(), "http://"+w.HTTPAddr()+"/")
	wantStatus(t, resp, 200)
	wantContains(t, "index", body, "a.test")

	// DialWith uses the caller's dialer: its Control hook sees loopback.
	var seen string
	d := &net.Dialer{Control: func(network, address string, _ syscall.RawConn) error {
		seen = address
		return nil
	}}
	conn, err := w.DialWith(d)(ctx, "tcp", "a.test:443")
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if seen != w.HTTPSAddr() {
		t.Errorf("Control saw %q, want %q", seen, w.HTTPSAddr())
	}
	guard := &net.Dialer{Control: func(string, string, syscall.RawConn) error { return errors.New("private address refused") }}
	if _, err := w.DialWith(guard)(ctx, "tcp", "a.test:80"); err == nil {
		t.Error("a refusing Control hook did not stop the dial")
	}

	w.SetOffline(true)
	_, err = w.DialContext(ctx, "tcp", "a.test:80")
	if !errors.Is(err, syscall.ENETUNREACH) {
		t.Errorf("offline: %v, want ENETUNREACH", err)
	}
	w.SetOffline(false)

	// A Host header for an unknown name (possible only without our
	// dialer) is misdirected, not served.
	req, _ := http.NewRequest("GET", "http://"+w.HTTPAddr()+"/", nil)
	req.Host = "stranger.test"
	direct := &http.Transport{} // zero value: no proxy, whatever the environment says
	defer direct.CloseIdleConnections()
	resp, err = direct.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantStatus(t, resp, http.StatusMisdirectedRequest)
}

func TestResolveEntries(t *testing.T) {
	w := newWeb(t)
	w.Site("up.test").HTML("/", "Up", "<p>resolved</p>")
	w.Site("down.test").Down()
	w.Site("gone.test").NXDomain()
	got := w.Resolve()
	want := []string{
		"down.test:443=" + w.resetLn.Addr().String(),
		"down.test:80=" + w.resetLn.Addr().String(),
		"up.test:443=" + w.HTTPSAddr(),
		"up.test:80=" + w.HTTPAddr(),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Resolve:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A client that implements the form with its own dialer, as the
	// crawler will, reaches the site over HTTPS with the CA.
	table := map[string]string{}
	for _, e := range got {
		from, to, _ := strings.Cut(e, "=")
		table[from] = to
	}
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			to, ok := table[addr]
			if !ok {
				return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
			}
			return d.DialContext(ctx, network, to)
		},
		TLSClientConfig: &tls.Config{RootCAs: w.CertPool()},
	}
	defer tr.CloseIdleConnections()
	resp, body := get(t, &http.Client{Transport: tr}, "https://up.test/")
	wantStatus(t, resp, 200)
	wantContains(t, "body", body, "resolved")
	if _, err := (&http.Client{Transport: tr}).Get("http://down.test/"); !isReset(err) {
		t.Errorf("down.test through Resolve: %v, want a reset", err)
	}
}

func TestPoliteness(t *testing.T) {
	w := newWeb(t)
	// Requests to /a wait at a gate the test opens once all five are in
	// flight, so the peak is exact however slow the machine is.
	gate := make(chan struct{})
	open := HTML("A", "")
	s := w.Site("polite.test").Page("/a", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		open.ServeHTTP(rw, r)
	}))
	w.Site("other.test").HTML("/", "O", "")
	c := w.Client()

	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", "https://polite.test/a", nil)
			req.Header.Set("User-Agent", "linkrot-test/1")
			resp, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); w.HostHits("polite.test") < 5; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("five requests never arrived")
		}
	}
	close(gate)
	wg.Wait()
	if got := w.MaxConcurrent("polite.test"); got != 5 {
		t.Errorf("MaxConcurrent = %d, want 5", got)
	}
	if got := w.MaxConcurrentTotal(); got != 5 {
		t.Errorf("MaxConcurrentTotal = %d, want 5", got)
	}
	s.Latency(100 * time.Millisecond)
	fetch(t, c, http.MethodHead, "https://polite.test/a")
	get(t, c, "http://other.test/")
	if got := w.Hits("polite.test", "/a"); got != 6 {
		t.Errorf("Hits = %d, want 6", got)
	}
	if got := w.HostHits("POLITE.test:443"); got != 6 {
		t.Errorf("HostHits = %d, want 6", got)
	}
	log := w.Requests()
	if len(log) != 7 {
		t.Fatalf("%d requests logged, want 7", len(log))
	}
	if l := log[0]; l.Host != "polite.test" || l.UserAgent != "linkrot-test/1" || !l.TLS || l.Path != "/a" {
		t.Errorf("first log entry %+v", l)
	}
	if l := log[5]; l.Method != http.MethodHead || l.Hit != 6 {
		t.Errorf("HEAD entry %+v", l)
	}
	if l := log[6]; l.Host != "other.test" || l.TLS {
		t.Errorf("last log entry %+v", l)
	}

	// Sequential requests after a reset peak at one.
	w.ResetHits()
	for i := 0; i < 3; i++ {
		get(t, c, "https://polite.test/a")
	}
	if got := w.MaxConcurrent("polite.test"); got != 1 {
		t.Errorf("after ResetHits, MaxConcurrent = %d, want 1", got)
	}
	log = w.Requests()
	if len(log) != 3 || log[0].Hit != 1 {
		t.Fatalf("after ResetHits: %+v", log)
	}
	// Latency spaces the requests.
	if gap := log[2].Time.Sub(log[0].Time); gap < 200*time.Millisecond {
		t.Errorf("three sequential requests with 100ms latency within %v", gap)
	}
	// One at a time: the span covers the three handlers end to end, and
	// their summed time over it is about one in flight.
	first, last := w.Span()
	if span := last.Sub(first); span < 300*time.Millisecond {
		t.Errorf("Span of three sequential 100ms requests is %v", span)
	} else if avg := w.HandlerTime().Seconds() / span.Seconds(); avg < 0.5 || avg > 1.01 {
		t.Errorf("mean in flight %.2f for sequential requests, want about 1", avg)
	}

	w.SetLogLimit(2)
	get(t, c, "http://other.test/")
	if n := len(w.Requests()); n != 2 {
		t.Errorf("log limit 2 kept %d", n)
	}
}

func TestLatency(t *testing.T) {
	w := newWeb(t)
	w.Site("slow.test").HTML("/", "S", "")
	w.Site("fast.test").HTML("/", "F", "").Latency(0)
	w.SetLatency(time.Second)
	c := w.Client()
	start := time.Now()
	get(t, c, "http://fast.test/")
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("site latency 0 did not override the global one: %v", d)
	}
	start = time.Now()
	get(t, c, "http://slow.test/")
	if d := time.Since(start); d < time.Second {
		t.Errorf("global latency not applied: %v", d)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s := w.Site("x.test")
	s.Page("/hang", Hang())
	s.Page("/drip", Drip(10*time.Millisecond, 1, -1))
	s.Page("/endless", Huge(-1))
	w.Site("bh.test").Blackhole()
	c := w.Client()
	errs := make(chan error, 4)
	for _, u := range []string{"http://x.test/hang", "https://x.test/drip", "http://x.test/endless", "http://bh.test/"} {
		go func() {
			resp, err := c.Get(u)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			errs <- err
		}()
	}
	// Wait until the three handlers are in flight.
	for deadline := time.Now().Add(5 * time.Second); w.HostHits("x.test") < 3; {
		if time.Now().After(deadline) {
			t.Fatal("requests never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	for i := 0; i < 4; i++ {
		select {
		case err := <-errs:
			if err == nil {
				t.Error("a request survived Close")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a client still hangs after Close")
		}
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestTotalHitsCountsEveryHost(t *testing.T) {
	w := newWeb(t)
	w.Site("a.example").HTML("/", "A", "<p>a</p>")
	urls := w.GenerateSites(2, 3)
	for _, u := range append(urls, "http://a.example/") {
		resp, err := w.Client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := w.TotalHits(); got < 7 {
		t.Errorf("TotalHits = %d, want at least 7 (one per URL, plus redirects)", got)
	}
	w.ResetHits()
	if w.TotalHits() != 0 {
		t.Error("ResetHits must clear the total")
	}
}
