package fakeweb

import (
	"net/http"
	"strings"
	"testing"
)

// TestBenchSite: every kind of bench page behaves as its truth says, under
// a named host and under 127.0.0.1, and the index lists every page.
func TestBenchSite(t *testing.T) {
	w := newWeb(t)
	b := w.BenchSite(400, 4)
	if len(b.URLs) != 400 || len(b.Broken) != 400 {
		t.Fatalf("%d URLs, %d truths", len(b.URLs), len(b.Broken))
	}
	c := w.Client()
	seen := map[string]bool{}
	for i, u := range b.URLs {
		kind := b.Kinds[i]
		if seen[kind] {
			continue
		}
		seen[kind] = true
		for _, url := range []string{u, "http://" + w.HTTPAddr() + b.Paths[i]} {
			resp, body := fetch(t, c, http.MethodGet, url)
			code := resp.StatusCode
			switch kind {
			case "ok", "301", "302":
				if code != 200 {
					t.Errorf("%s (%s): %d", url, kind, code)
				}
			case "429-once", "503-once":
				want := map[string]int{"429-once": 429, "503-once": 503}[kind]
				if code != want {
					t.Errorf("%s first hit: %d, want %d", url, code, want)
				}
				if resp2, _ := fetch(t, c, http.MethodGet, url); resp2.StatusCode != 200 {
					t.Errorf("%s second hit: %d", url, resp2.StatusCode)
				}
			case "soft404":
				if code != 200 || !strings.Contains(body, "<title>Page not found</title>") {
					t.Errorf("%s: %d %q", url, code, body)
				}
			case "404", "410", "500":
				if want := map[string]int{"404": 404, "410": 410, "500": 500}[kind]; code != want {
					t.Errorf("%s: %d, want %d", url, code, want)
				}
			}
			if b.Broken[i] != (kind == "404" || kind == "410" || kind == "500" || kind == "soft404") {
				t.Errorf("%s: truth %v for %s", url, b.Broken[i], kind)
			}
		}
	}
	if len(seen) != len(benchKinds) {
		t.Errorf("kinds seen %v, want all %d", seen, len(benchKinds))
	}
	_, index := fetch(t, c, http.MethodGet, "http://"+w.HTTPAddr()+b.IndexPath)
	if n := strings.Count(index, "<a href=\"http://"+w.HTTPAddr()+"/b/"); n != 400 {
		t.Errorf("index lists %d pages", n)
	}
}
