package crawler

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

func TestPrivateAddressRefused(t *testing.T) {
	w := newWeb(t)
	w.Site("www.example.com").HTML("/", "Example", "<p>Example.</p>")
	port := w.HTTPAddr()[strings.LastIndex(w.HTTPAddr(), ":")+1:]

	// By default: fakeweb's names all land on 127.0.0.1, so every check
	// is refused, and nothing is sent.
	def := newChecker(t, w, func(_ *config.Crawler, nc *config.Network, _ *Options) { nc.AllowPrivate = false })
	r := def.check(t, "http://www.example.com/")
	wantClass(t, r, ClassPrivateAddress)
	wantEvidence(t, r, "refusing to connect to 127.0.0.1 (loopback address) for www.example.com")
	if r.Attempts != 1 {
		t.Errorf("refused link tried %d times", r.Attempts)
	}
	r = def.check(t, "http://127.0.0.1:"+port+"/")
	wantClass(t, r, ClassPrivateAddress)
	if n := w.HostHits("www.example.com") + w.HostHits("127.0.0.1"); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}

	// allow_private lifts it.
	allow := newChecker(t, w, nil)
	wantClass(t, allow.check(t, "http://www.example.com/"), ClassOK)
	allowed := w.HostHits("www.example.com")

	// A public-looking name that resolves inside: refused after DNS, both
	// through network.resolve and through the resolver.
	viaResolve := newChecker(t, w, func(_ *config.Crawler, nc *config.Network, o *Options) {
		nc.AllowPrivate = false
		nc.Resolve = []string{"www.example.com:80=" + w.HTTPAddr()}
		o.DialContext, o.Resolver = nil, nxResolver{}
	})
	r = viaResolve.check(t, "http://www.example.com/")
	wantClass(t, r, ClassPrivateAddress)
	viaDNS := newChecker(t, w, func(_ *config.Crawler, nc *config.Network, o *Options) {
		nc.AllowPrivate = false
		o.DialContext = nil
		o.Resolver = mapResolver{"news.example.org": "10.20.30.40", "meta.example.org": "169.254.169.254", "v6.example.org": "::ffff:192.168.1.1"}
	})
	for _, tc := range []struct{ url, why string }{
		{"http://news.example.org/", "10.20.30.40 (private address) for news.example.org"},
		{"http://meta.example.org/latest/meta-data/", "169.254.169.254 (link-local address)"},
		{"http://v6.example.org/", "192.168.1.1 (private address)"},
		{"http://[::1]:" + port + "/", "::1 (loopback address)"},
		{"http://0.0.0.0:" + port + "/", "unspecified"},
	} {
		r = viaDNS.check(t, tc.url)
		wantClass(t, r, ClassPrivateAddress)
		wantEvidence(t, r, tc.why)
	}
	if n := w.HostHits("www.example.com"); n != allowed {
		t.Errorf("%d requests reached the server after the allowed check", n-allowed)
	}
}

// TestResolveMap dials by address, the way the binary runs against
// cmd/fakeweb: network.resolve in fakeweb's HOST:PORT=IP:PORT form, no test
// dialer, and a resolver that knows nothing, so no name reaches real DNS.
func TestResolveMap(t *testing.T) {
	w := newWeb(t)
	w.Demo()
	s := newChecker(t, w, func(_ *config.Crawler, nc *config.Network, o *Options) {
		nc.Resolve = w.Resolve()
		o.DialContext, o.Resolver = nil, nxResolver{}
	})
	wantClass(t, s.check(t, fakeweb.MoscowTimesURL), ClassOK)
	wantClass(t, s.check(t, "http://ok.demo.test/"), ClassOK)
	wantClass(t, s.check(t, "http://status.demo.test/410"), ClassHTTP4xx)
	wantClass(t, s.check(t, "https://refused.demo.test/"), ClassConnRefused)
	wantClass(t, s.check(t, "http://down.demo.test/"), ClassConnReset)
	r := s.check(t, "https://nxdomain.demo.test/")
	wantClass(t, r, ClassDNSNXDomain)

	// curl --resolve form: same port. Port 80 on loopback is nobody's, so
	// just check the mapping is used: the resolver would say NXDOMAIN.
	same := newChecker(t, w, func(cc *config.Crawler, nc *config.Network, o *Options) {
		nc.Resolve = []string{"ok.demo.test:80:127.0.0.1", "*:81:127.0.0.1"}
		o.DialContext, o.Resolver = nil, nxResolver{}
		cc.Retries = 0
	})
	for _, u := range []string{"http://ok.demo.test/", "http://any.demo.test:81/"} {
		if r := same.check(t, u); r.Class == ClassDNSNXDomain {
			t.Errorf("%s: resolve entry not used: %s", u, r.Class)
		}
	}
}

func TestCAFile(t *testing.T) {
	w := newWeb(t)
	w.Demo()
	with := newChecker(t, w, nil) // newChecker sets network.ca_file from w
	r := with.check(t, fakeweb.MoscowTimesURL)
	wantClass(t, r, ClassOK)
	if r.Title != "Russia Calls for Joint Effort With U.S. to Fight Islamic State" {
		t.Errorf("title %q", r.Title)
	}
	without := newChecker(t, w, func(_ *config.Crawler, nc *config.Network, _ *Options) { nc.CAFile = "" })
	r = without.check(t, fakeweb.MoscowTimesURL)
	wantClass(t, r, ClassTLSError)
	wantEvidence(t, r, "unknown authority")

	nc := config.Default().Network
	nc.CAFile = "/nonexistent/ca.pem"
	if _, err := New(config.Default().Crawler, nc, Options{}); err == nil {
		t.Error("New accepted a missing ca_file")
	}
}

// TestHostileResponses: bombs, endless and slow bodies and header floods
// are cut off quickly, with bounded memory.
func TestHostileResponses(t *testing.T) {
	w := newWeb(t)
	site := w.Site("hostile.example")
	site.Page("/bomb", fakeweb.GzipBomb(2<<30))
	site.Page("/huge", fakeweb.Huge(1<<30))
	site.Page("/endless", fakeweb.Huge(-1))
	site.Page("/drip", fakeweb.Drip(100*time.Millisecond, 16, -1))
	site.Page("/slow-headers", fakeweb.Delay(time.Minute, fakeweb.HTML("Late", "<p>Late.</p>")))
	site.Page("/flood", fakeweb.HeaderFlood(2000, 8000))
	site.Page("/big-ok", fakeweb.HTML("Big but fine", strings.Repeat("<p>Long page, still under max_body. </p>\n", 40000))) // ~1.5 MiB

	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.MaxBody = 4 << 20
		cc.Timeout = config.Duration(1500 * time.Millisecond)
		cc.Retries = 0
	})
	for _, tc := range []struct {
		path string
		want Class
		ev   string
	}{
		// A 200 too long to read is alive, its size noted (issue 14): it
		// answers, and its start is what soft-404 detection needs.
		{"/bomb", ClassOK, "body of unknown length, longer than the 256 KiB read"},
		{"/huge", ClassOK, "body of 1024 MiB, longer than the 256 KiB read"},
		{"/endless", ClassOK, "body of unknown length, longer than the 256 KiB read"},
		{"/drip", ClassTimeout, "deadline"},
		{"/slow-headers", ClassTimeout, "deadline"},
		{"/flood", ClassTooLarge, "response headers larger than 1 MiB"},
		{"/big-ok", ClassOK, "GET 200"},
	} {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		r := s.check(t, "http://hostile.example"+tc.path)
		el := time.Since(start)
		runtime.ReadMemStats(&after)
		wantClass(t, r, tc.want)
		wantEvidence(t, r, tc.ev)
		// HEAD + GET, each at most the deadline.
		if el > 2*time.Duration(s.cc.Timeout)+2*time.Second {
			t.Errorf("%s took %s", tc.path, el)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%s allocated %d MiB", tc.path, alloc>>20)
		}
	}
}

func TestBodyNotReadWhenNotNeeded(t *testing.T) {
	w := newWeb(t)
	// Without KeepBody a large download is not read: its headers are
	// enough, whatever HEAD said.
	w.Site("dl.example").Page("/file.bin", fakeweb.HeadFails(405, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/octet-stream")
		rw.Header().Set("Content-Length", "1073741824")
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < 1<<30; sent += len(chunk) {
			if _, err := rw.Write(chunk); err != nil {
				return
			}
		}
	})))
	s := newChecker(t, w, nil)
	start := time.Now()
	r := s.check(t, "http://dl.example/file.bin")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "HEAD 405, GET 200")
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %s", el)
	}
}

// TestOpenEndedHead: a server that keeps working after the headers of a
// HEAD answer (as any Go handler that streams without looking at the
// method does) leaves its connection busy; the GET that follows must not
// wait on it.
func TestOpenEndedHead(t *testing.T) {
	w := newWeb(t)
	page := fakeweb.HTML("Live", "<p>Live coverage.</p>")
	w.Site("live.example").Page("/now.mp4", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			page.ServeHTTP(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusOK)
		http.NewResponseController(rw).Flush()
		<-r.Context().Done() // busy until the client goes away
	}))
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.Retries = 0
		cc.Robots = false
	})
	start := time.Now()
	r := s.check(t, "http://live.example/now.mp4")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "HEAD 200, GET 200")
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %s: the GET waited on the HEAD's connection", el)
	}
}
