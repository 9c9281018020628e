package fakeweb

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestGenerateSites(t *testing.T) {
	w := newWeb(t)
	urls := w.GenerateSites(30, 50)
	if len(urls) != 1500 {
		t.Fatalf("%d URLs, want 1500", len(urls))
	}
	if urls[0] != "https://site00000.fakeweb.test/p/0" || urls[50] != "http://site00001.fakeweb.test/p/0" {
		t.Errorf("URLs start %q, %q", urls[0], urls[50])
	}
	// Names continue across calls.
	more := w.GenerateSites(1, 1)
	if more[0] != "https://site00030.fakeweb.test/p/0" {
		t.Errorf("second call %q", more)
	}

	c := noRedirects(w)
	counts := map[int]int{}
	for _, u := range urls {
		resp, body := get(t, c, u)
		counts[resp.StatusCode]++
		if resp.StatusCode == 200 && !strings.Contains(body, "<title>Site ") && !strings.Contains(body, "Page not found") {
			t.Fatalf("%s: %q", u, clip(body))
		}
		if resp.StatusCode == 301 {
			// The move target is alive.
			target := u[:strings.Index(u, "/p/")] + resp.Header.Get("Location")
			r2, _ := get(t, c, target)
			wantStatus(t, r2, 200)
		}
	}
	// Roughly the documented mix, and the same every time.
	if counts[200] < 1050 || counts[200] > 1350 || counts[404] == 0 || counts[410] == 0 ||
		counts[301] == 0 || counts[302] == 0 || counts[503] == 0 || counts[500] == 0 {
		t.Errorf("status mix %v", counts)
	}
	again := map[int]int{}
	for _, u := range urls {
		resp, _ := get(t, c, u)
		again[resp.StatusCode]++
	}
	if fmt.Sprint(again) != fmt.Sprint(counts) {
		t.Errorf("second pass %v, first %v", again, counts)
	}

	// Pages link within the site and to the next site.
	_, body := get(t, c, "https://site00000.fakeweb.test/p/0")
	wantContains(t, "links", body, `href="/p/1"`)
	wantContains(t, "links", body, `href="http://site00001.fakeweb.test/p/0"`)

	// Robots on host 3, soft-404 on host 7, hard 404 elsewhere.
	_, robots := get(t, c, "http://site00003.fakeweb.test/robots.txt")
	wantContains(t, "robots", robots, "Disallow: /p/9")
	resp, _ := get(t, c, "http://site00007.fakeweb.test/nope")
	wantStatus(t, resp, 200)
	resp, _ = get(t, c, "https://site00008.fakeweb.test/nope")
	wantStatus(t, resp, 404)
	resp, _ = get(t, c, "https://site00008.fakeweb.test/p/050") // not canonical
	wantStatus(t, resp, 404)

	// Per-host counts only, to keep memory flat.
	if w.Hits("site00000.fakeweb.test", "/p/0") != 0 || w.HostHits("site00000.fakeweb.test") < 2 {
		t.Errorf("hits %d, host hits %d", w.Hits("site00000.fakeweb.test", "/p/0"), w.HostHits("site00000.fakeweb.test"))
	}
}

// TestGenerateSitesMemory checks that 200,000 URLs cost the Web little:
// the sites hold per-host state only, so memory grows with hosts, not URLs.
func TestGenerateSitesMemory(t *testing.T) {
	w := newWeb(t)
	// Two collections, so objects freed by finalizers of earlier tests
	// are gone before the first reading.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := len(w.GenerateSites(1000, 200)) // the URL list is dropped at once
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n != 200000 {
		t.Fatalf("%d URLs", n)
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if grown > 2<<20 {
		t.Errorf("1000 generated hosts keep %d bytes, want under 2 MiB", grown)
	}
	resp, _ := get(t, w.Client(), "http://site00999.fakeweb.test/p/199")
	if resp.StatusCode == 0 {
		t.Fatal("last generated page unreachable")
	}
	t.Logf("1000 generated hosts (200,000 URLs) keep %d KiB", grown>>10)
}
