package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/config"
)

// everyPath is one request per route: each pattern of routeTable made
// concrete, each raw route, and a path no route has.
func everyPath(t *testing.T, s *Server) [][2]string {
	t.Helper()
	var out [][2]string
	for _, rt := range s.routeTable() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			t.Fatalf("route %q has no method", rt.pattern)
		}
		path = strings.NewReplacer("{$}", "", "{id}", "1", "{what}", "raw").Replace(path)
		if strings.HasSuffix(path, "/") && path != "/" {
			path += "icon.svg"
		}
		if strings.Contains(path, "{") {
			t.Fatalf("route %q: a wildcard this test does not fill in", rt.pattern)
		}
		out = append(out, [2]string{method, path})
	}
	for _, p := range rawRoutes {
		if strings.HasSuffix(p, "/") {
			p += "https://dead.example/x"
		}
		out = append(out, [2]string{http.MethodGet, p})
	}
	return append(out, [2]string{http.MethodGet, "/no/such/page"}, [2]string{http.MethodPost, "/links"})
}

func (f *fixture) request(t *testing.T, method, path, host string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.ts.URL+path, strings.NewReader(url.Values{"csrf": {"x"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if host != "" {
		req.Host = host
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.do(t, req)
}

// TestForeignHostOnEveryRoute: a DNS-rebinding page's requests (Host
// evil.example, with the server's port) get 421 on every route, POST
// /run included, and start nothing; the server's own names are answered.
func TestForeignHostOnEveryRoute(t *testing.T) {
	f := newFixture(t, func(c *config.Config) { c.Web.BaseURL = "https://links.example.org" })
	port := f.ts.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndex(port, ":")+1:]
	paths := everyPath(t, f.srv)
	for _, host := range []string{"evil.example:" + port, "evil.example", "127.0.0.1.evil.example:" + port,
		"localhost.evil.example:" + port, "links.example.org.evil.example", "10.1.2.3:" + port, "", "links.example.org:" + port + "1"} {
		for _, mp := range paths {
			h := host
			if h == "" {
				h = " " // a request must have a Host; an empty one is refused too
			}
			resp, body := f.request(t, mp[0], mp[1], h)
			if resp.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("Host %q: %s %s answered %d, want 421\n%.200s", host, mp[0], mp[1], resp.StatusCode, body)
			}
			if strings.Contains(body, "csrf") || strings.Contains(body, "dead.example") {
				t.Errorf("Host %q: %s %s leaked the page", host, mp[0], mp[1])
			}
		}
	}
	if n := f.runs.Load(); n != 0 {
		t.Errorf("a foreign Host started %d runs", n)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "app.localhost:" + port, "LOCALHOST.:" + port,
		"[::1]:" + port, "links.example.org", "links.example.org:443", "Links.Example.Org:" + port} {
		resp, body := f.request(t, http.MethodGet, "/links", host)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("Host %q: %d\n%.200s", host, resp.StatusCode, body)
		}
	}
}

// TestPostNeedsOwnOrigin: a POST whose Origin (or, without one, Referer)
// names another site gets 403, even with an allowed Host.
func TestPostNeedsOwnOrigin(t *testing.T) {
	f := newFixture(t, func(c *config.Config) { c.Web.BaseURL = "https://links.example.org" })
	for _, h := range [][]string{
		{"Origin", "http://evil.example"},
		{"Origin", "null"},
		{"Origin", "null", "Sec-Fetch-Site", "cross-site"}, // a sandboxed frame: an archived page
		{"Origin", "https://links.example.org.evil.example"},
		{"Referer", "http://evil.example/page"},
		{"Referer", "javascript:alert(1)"},
	} {
		resp, body := f.request(t, http.MethodPost, "/run", "", h...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s: %d, want 403\n%.200s", h[0], h[1], resp.StatusCode, body)
		}
	}
	if n := f.runs.Load(); n != 0 {
		t.Errorf("a foreign origin started %d runs", n)
	}
	// The server's own origins pass the guard (then the CSRF token, which
	// this request lacks, refuses it: not 403 from the host guard's text).
	for _, o := range []string{f.ts.URL, "https://links.example.org"} {
		resp, body := f.request(t, http.MethodPost, "/run", "", "Origin", o)
		if strings.Contains(body, "a request from another site") {
			t.Errorf("Origin %s refused by the host guard: %d %s", o, resp.StatusCode, body)
		}
	}
	// The UI's own form in a browser: no-referrer makes it "Origin: null",
	// and Sec-Fetch-Site says it is this site's.
	resp, body := f.request(t, http.MethodPost, "/run", "", "Origin", "null", "Sec-Fetch-Site", "same-origin")
	if strings.Contains(body, "a request from another site") {
		t.Errorf("the UI's own form refused by the host guard: %d %s", resp.StatusCode, body)
	}
}

func TestHostGuardListenFallback(t *testing.T) {
	// Without a local address in the request, web.listen decides.
	g := newHostGuard(config.Web{Listen: "localhost:8080"})
	r, _ := http.NewRequest(http.MethodGet, "http://localhost:8080/", nil)
	for host, want := range map[string]bool{"localhost:8080": true, "127.0.0.1:8080": true, "evil.example:8080": false, "localhost:9090": false} {
		if got := g.allowed(r, host, ""); got != want {
			t.Errorf("listen localhost:8080, Host %s: %v, want %v", host, got, want)
		}
	}
}
