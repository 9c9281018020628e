package archive

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/store"
)

// t0 is the tests' first capture time.
var t0 = time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type testEnv struct {
	a     *Archiver
	st    *store.SQLite
	dir   string // data directory
	clock *testClock
	cfg   config.Archive
}

func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newEnv opens a catalog and an Archiver in a temporary directory, with
// the default archive configuration changed by mutate.
func newEnv(t testing.TB, mutate func(*config.Archive)) *testEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := store.OpenSQLite(ctxT(t), filepath.Join(dir, "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default().Archive
	if mutate != nil {
		mutate(&cfg)
	}
	e := &testEnv{st: st, dir: filepath.Join(dir, "data"), clock: &testClock{t: t0}, cfg: cfg}
	e.a = e.open(t)
	return e
}

// open makes another Archiver on the same directory and catalog, as the
// next run of the program would.
func (e *testEnv) open(t testing.TB) *Archiver {
	t.Helper()
	a, err := New(e.cfg, e.dir, e.st, Options{Now: e.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// links makes sure the URLs are links in the catalog and returns their IDs.
func (e *testEnv) links(t testing.TB, urls ...string) map[string]int64 {
	t.Helper()
	var occs []store.Occurrence
	for i, u := range urls {
		occs = append(occs, store.Occurrence{URL: u, Raw: u, Line: i + 1, Column: 1, Role: store.RoleCited, Confidence: 1})
	}
	_, err := e.st.SaveDocument(ctxT(t), store.Document{Path: fmt.Sprintf("doc-%d.md", time.Now().UnixNano()), ScannedAt: t0}, occs)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, u := range urls {
		l, err := e.st.LinkByURL(ctxT(t), u)
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = l.ID
	}
	return ids
}

// capture stores r for its link (created if needed) and checks the outcome.
func (e *testEnv) capture(t testing.TB, r Response, want Outcome) Snapshot {
	t.Helper()
	id := e.links(t, r.URL)[r.URL]
	got, s, err := e.a.Capture(ctxT(t), id, r)
	if err != nil {
		t.Fatalf("Capture(%s): %v", r.URL, err)
	}
	if got != want {
		t.Fatalf("Capture(%s) = %s, want %s", r.URL, got, want)
	}
	return s
}

func (e *testEnv) restore(t testing.TB, url, format string) []byte {
	t.Helper()
	var b strings.Builder
	if _, err := e.a.Restore(ctxT(t), url, time.Time{}, format, &b); err != nil {
		t.Fatalf("Restore(%s, %s): %v", url, format, err)
	}
	return []byte(b.String())
}

func (e *testEnv) verify(t testing.TB) ([]Problem, VerifyStats) {
	t.Helper()
	var ps []Problem
	st, err := e.a.Verify(ctxT(t), func(p Problem) { ps = append(ps, p) })
	if err != nil {
		t.Fatal(err)
	}
	return ps, st
}

func (e *testEnv) warcFiles(t testing.TB) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(e.dir, warcDir, "*.warc.gz"))
	sort.Strings(m)
	return m
}

func (e *testEnv) blobFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	e.a.blobs.walk(func(id, path string) error {
		if id != "" {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// page is a fakeweb site serving fixed bytes.
func newWeb(t testing.TB) *fakeweb.Web {
	t.Helper()
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// fetch GETs url from the simulated web and returns it as the job would
// hand it over.
func fetch(t testing.TB, w *fakeweb.Web, url string, at time.Time) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "linkrot-test/1.0")
	resp, err := w.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{
		URL: url, FinalURL: resp.Request.URL.String(), Status: resp.StatusCode, Header: resp.Header,
		Body: body, FetchedAt: at, Method: http.MethodGet, UserAgent: "linkrot-test/1.0",
	}
}

func htmlResponse(url, body string, at time.Time) Response {
	return Response{
		URL: url, Status: 200, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body: []byte(body), FetchedAt: at, Method: http.MethodGet, UserAgent: "linkrot-test/1.0",
	}
}

// articlePage is a news article wrapped in the usual clutter: navigation,
// ads, a cookie banner, scripts, a sidebar and a footer. para are the
// article's paragraphs.
func articlePage(title string, para ...string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>` + title + ` | The Harbour Gazette</title>
<meta property="og:site_name" content="The Harbour Gazette">
<meta name="author" content="Maria Jensen">
<meta property="article:published_time" content="2024-04-29T08:15:00Z">
<script src="https://cdn.tracker.example/t.js"></script>
<script>window.dataLayer = [{"event": "pageview-tracking-secret"}];</script>
<link rel="stylesheet" href="https://cdn.example/site.css">
</head>
<body>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. <button onclick="accept()">Accept all cookies</button></div>
<header class="site-header"><nav class="main-nav" role="navigation"><ul>
<li><a href="/">Home</a></li><li><a href="/world">World news</a></li><li><a href="/sport">Sport section</a></li>
<li><a href="/subscribe">Subscribe today and save</a></li></ul></nav></header>
<div class="ad-banner advertisement" id="top-ad"><a href="https://ads.example/click"><img src="https://ads.example/banner.gif" alt="Buy cheap watches now"></a></div>
<main><article class="post">
<h1>` + title + `</h1>
<p class="byline">By Maria Jensen</p>
`)
	for i, p := range para {
		if i == 1 {
			b.WriteString(`<figure><img src="https://cdn.example/harbour.jpg" alt="The old breakwater at dawn" onerror="alert(1)"><figcaption>The old breakwater.</figcaption></figure>` + "\n")
		}
		b.WriteString("<p>" + p + "</p>\n")
	}
	b.WriteString(`</article></main>
<aside class="sidebar"><h3>Most read</h3><ul>
<li><a href="/a">Celebrity chef opens floating restaurant</a></li>
<li><a href="/b">Ten tips for a cheaper ferry ticket</a></li></ul>
<div class="ad sponsored">Sponsored: Buy cheap watches now and win a cruise</div></aside>
<footer class="site-footer"><p>Copyright 2024 The Harbour Gazette. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
<script>document.write("<iframe src='https://ads.example/frame'></iframe>");</script>
<iframe src="https://ads.example/frame2" width="300" height="250"></iframe>
</body></html>
`)
	return b.String()
}

// harbourParas are the article's sentences; tests look for them in the
// restored copies.
var harbourParas = []string{
	"The harbour board voted on Tuesday to replace the old breakwater, which has protected the fishing fleet since 1911 but was badly damaged by last winter's storms.",
	"Engineers told the board that the new structure will be built from interlocking concrete blocks, each weighing twelve tonnes, and will extend forty metres further into the bay than the existing wall.",
	"Fishermen who attended the meeting welcomed the decision, although several complained that construction will close the northern channel for most of next summer's season.",
	"The project is expected to cost eleven million euros, of which the national government has promised to contribute two thirds once the environmental review is complete.",
	"Work is scheduled to begin in October, when the herring boats return to port, and the board hopes to finish before the storms of the following winter arrive.",
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
