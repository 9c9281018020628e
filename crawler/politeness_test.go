package crawler

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// runAll feeds urls to Run and returns the results by URL.
func runAll(t testing.TB, c *Checker, urls []string) map[string]Result {
	t.Helper()
	in := make(chan Request)
	go func() {
		for i, u := range urls {
			in <- Request{ID: int64(i), URL: u}
		}
		close(in)
	}()
	var mu sync.Mutex
	inOut := 0
	got := make(map[string]Result, len(urls))
	err := c.Run(context.Background(), in, func(r Request, res Result) {
		mu.Lock()
		inOut++
		if inOut > 1 {
			t.Error("out called concurrently")
		}
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inOut--
		got[r.URL] = res
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(urls) {
		t.Fatalf("%d results for %d URLs", len(got), len(urls))
	}
	return got
}

func TestConcurrencyLimits(t *testing.T) {
	w := newWeb(t)
	w.SetLatency(30 * time.Millisecond)
	var urls []string
	hosts := []string{"a.example", "b.example", "c.example", "d.example", "e.example"}
	for _, h := range hosts {
		w.Site(h).Page("/p/*", fakeweb.HTML("Page", "<p>A page like any other on this host.</p>"))
	}
	// Host-sorted input, the worst case for head-of-line blocking.
	for _, h := range hosts {
		for i := 0; i < 12; i++ {
			urls = append(urls, fmt.Sprintf("http://%s/p/%d", h, i))
		}
	}
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.Concurrency, cc.PerHost = 4, 2
	})
	start := time.Now()
	for u, r := range runAll(t, s.c, urls) {
		if r.Class != ClassOK {
			t.Errorf("%s: %s", u, r.Class)
		}
	}
	for _, h := range hosts {
		if m := w.MaxConcurrent(h); m > 2 {
			t.Errorf("%s: %d requests at once, per_host is 2", h, m)
		}
	}
	if m := w.MaxConcurrentTotal(); m > 4 || m < 3 {
		t.Errorf("%d requests at once overall, want 3-4 (concurrency 4)", m)
	}
	t.Logf("%d URLs in %s", len(urls), time.Since(start))

	// Per host only: with ample global slots, each host still gets 2.
	w.ResetHits()
	s2 := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.Concurrency, cc.PerHost = 32, 2
	})
	runAll(t, s2.c, urls)
	for _, h := range hosts {
		if m := w.MaxConcurrent(h); m != 2 {
			t.Errorf("%s: %d requests at once, want exactly per_host 2", h, m)
		}
	}
	if m := w.MaxConcurrentTotal(); m < 6 {
		t.Errorf("only %d requests at once overall; hosts were not checked in parallel", m)
	}
}

func TestPerHostInterval(t *testing.T) {
	w := newWeb(t)
	w.Site("paced.example").Page("/p/*", fakeweb.HTML("Paced", "<p>Take it slowly.</p>"))
	w.Site("other.example").Page("/p/*", fakeweb.HTML("Other", "<p>Another host.</p>"))
	const interval = 100 * time.Millisecond
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.PerHostInterval = config.Duration(interval)
		cc.PerHost = 2
	})
	var urls []string
	for i := 0; i < 4; i++ {
		urls = append(urls, fmt.Sprintf("http://paced.example/p/%d", i), fmt.Sprintf("http://other.example/p/%d", i))
	}
	start := time.Now()
	runAll(t, s.c, urls)
	elapsed := time.Since(start)
	for _, h := range []string{"paced.example", "other.example"} {
		reqs := requestsTo(w, h)
		times := make([]time.Time, len(reqs))
		for i, r := range reqs {
			times[i] = r.Time
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		// The k-th request cannot start before start + k·interval, and
		// arrives after it starts; arrivals may be late (a busy machine),
		// so only early ones count.
		for k, at := range times {
			if early := start.Add(time.Duration(k) * interval).Sub(at); early > 2*time.Millisecond {
				t.Errorf("%s: request %d arrived %s early", h, k, early)
				for _, r := range reqs {
					t.Logf("%s %s %s", r.Time.Sub(start), r.Method, r.Path)
				}
			}
		}
		if len(reqs) != 6 { // robots, a probe, one GET for each of the four pages
			t.Errorf("%s: %d requests, want 6", h, len(reqs))
		}
	}
	// Two hosts are paced independently: the run takes about as long as
	// one host's requests, not both hosts'.
	n := len(requestsTo(w, "paced.example"))
	if max := time.Duration(n+3) * interval; elapsed > max {
		t.Errorf("run took %s, more than one host's %d requests (%s): hosts share a limit", elapsed, n, max)
	}
}

// TestIdleHostsForgotten: per-host state goes away with the checks.
func TestIdleHostsForgotten(t *testing.T) {
	w := newWeb(t)
	var urls []string
	for i := 0; i < 50; i++ {
		h := fmt.Sprintf("h%d.example", i)
		w.Site(h).HTML("/", "Home", "<p>Home.</p>")
		urls = append(urls, "http://"+h+"/")
	}
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.PerHostInterval = config.Duration(time.Millisecond)
	})
	runAll(t, s.c, urls)
	s.c.lim.mu.Lock()
	n := len(s.c.lim.hosts)
	s.c.lim.mu.Unlock()
	if n != 0 {
		t.Errorf("%d hosts still in the limiter after the run", n)
	}

	// The pacer keeps only hosts whose next start is still ahead.
	p := newPacer(time.Millisecond)
	for i := 0; i < 300; i++ {
		p.wait(context.Background(), fmt.Sprintf("old%d.example", i))
	}
	time.Sleep(5 * time.Millisecond)
	for i := 0; i < 600; i++ {
		p.wait(context.Background(), fmt.Sprintf("new%d.example", i))
	}
	if n := len(p.next); n >= 900 {
		t.Errorf("pacer keeps %d hosts, idle ones included", n)
	}
}

// TestMemoryBounded: the heap after 4,000 checks is what it was after 1,000.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 4,000 checks")
	}
	w := newWeb(t)
	w.SetLogLimit(0)
	const hosts, perHost = 40, 100
	byHost := w.GenerateSites(hosts, perHost)
	s := newChecker(t, w, nil)
	in := make(chan Request)
	go func() {
		for i := 0; i < perHost; i++ {
			for h := 0; h < hosts; h++ {
				in <- Request{ID: int64(i*hosts + h), URL: byHost[h*perHost+i]}
			}
		}
		close(in)
	}()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var n int
	var mid uint64
	err := s.c.Run(context.Background(), in, func(Request, Result) {
		if n++; n == 1000 {
			mid = heap()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	end := heap()
	t.Logf("heap after 1,000 checks %d KiB, after %d %d KiB", mid>>10, n, end>>10)
	if end > mid+8<<20 {
		t.Errorf("heap grew from %d KiB to %d KiB", mid>>10, end>>10)
	}
}

// TestWaitingForRobotsFreesTheSlot: a check that waits for another check
// of its host to fetch robots.txt gives its global slot back meanwhile,
// so a check of another host runs instead of queueing behind a wait.
func TestWaitingForRobotsFreesTheSlot(t *testing.T) {
	w := newWeb(t)
	slow := w.Site("slow-robots.example")
	slow.Page("/robots.txt", fakeweb.Delay(600*time.Millisecond, fakeweb.Respond(200, "text/plain", "User-agent: *\nAllow: /\n")))
	slow.HTML("/a", "A", "<p>a</p>")
	slow.HTML("/b", "B", "<p>b</p>")
	w.Site("other.example").HTML("/c", "C", "<p>c</p>")
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.Concurrency, cc.PerHost, cc.Robots = 2, 2, true
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	in := make(chan Request)
	var mu sync.Mutex
	var order []string
	done := make(chan error, 1)
	go func() {
		done <- s.c.Run(ctx, in, func(req Request, _ Result) {
			mu.Lock()
			order = append(order, req.URL)
			mu.Unlock()
		})
	}()
	in <- Request{ID: 1, URL: "https://slow-robots.example/a"}
	in <- Request{ID: 2, URL: "https://slow-robots.example/b"}
	// Both slots are taken once robots.txt is asked for; give /b time to
	// reach its wait.
	for w.Hits("slow-robots.example", "/robots.txt") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	in <- Request{ID: 3, URL: "https://other.example/c"}
	close(in)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(order) != 3 || order[0] != "https://other.example/c" {
		t.Errorf("results in the order %q: the other host's check should finish first, while the two wait for robots.txt", order)
	}
}
