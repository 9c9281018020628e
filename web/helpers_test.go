package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
)

// The catalog every test serves: a few links in each state, one dead link
// with three local copies (whose pages carry a script), one alive link
// whose URL has a query, a hundred and twenty links on one host for
// paging, and three finished runs. Everything is written through the
// store and the archive's Capture, with bytes made here: no network.

const (
	urlAlive   = "https://alive.example/page?id=7&x=y"
	urlDead    = "https://dead.example/2014/09/29/harbour-story"
	urlGone    = "https://gone.example/nothing"
	urlSuspect = "https://flaky.example/x"
	urlNew     = "https://new.example/a"
	bulkLinks  = 120
)

var (
	testNow = time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC)
	// The dead link's copies.
	snapTimes = []time.Time{
		time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 15, 10, 0, 0, 0, time.UTC),
		time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC),
	}
	aliveSnap = time.Date(2024, 6, 9, 3, 0, 5, 0, time.UTC)
)

type fixture struct {
	st    *store.SQLite
	arc   *archive.Archiver
	cfg   *config.Config
	srv   *Server
	ts    *httptest.Server
	runs  atomic.Int32 // RunNow calls
	snaps map[string][]store.Snapshot
}

// newFixture builds the catalog and serves it on loopback; mutate may
// change the configuration first.
func newFixture(t *testing.T, mutate func(*config.Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	if mutate != nil {
		mutate(cfg)
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	arc, err := archive.New(cfg.Archive, cfg.DataDir, st, archive.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { arc.Close() })
	f := &fixture{st: st, arc: arc, cfg: cfg, snaps: map[string][]store.Snapshot{}}
	f.fill(t)

	f.srv, err = New(Deps{
		Config: cfg, Store: st, Archive: arc,
		RunNow: func() bool { f.runs.Add(1); return true },
		Status: func() Status {
			return Status{NextRun: testNow.Add(15 * time.Hour),
				LastRun: &job.Summary{RunID: 3, Status: "ok", Checked: 4, Dead: 2, NewlyDead: 1, Suspect: 1, Duration: 42 * time.Second}}
		},
		Now: func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(f.srv)
	t.Cleanup(f.ts.Close)
	return f
}

func (f *fixture) fill(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	seen := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	occs := []store.Occurrence{
		{URL: urlDead, Raw: "https://dead.example/2014/09/29/harbour-st\nory", Line: 1, Column: 15, Role: store.RoleSource,
			Repaired: true, Repairs: []string{"joined line wrap"}, Confidence: 0.85,
			Alternatives: []string{"https://dead.example/2014/09/29/harbour-st"},
			Reasons:      []string{`joining completes the title word "story"`}},
		{URL: urlAlive, Raw: urlAlive, Line: 3, Column: 1, Role: store.RoleCited, Confidence: 1},
		{URL: urlGone, Raw: urlGone, Line: 4, Column: 1, Role: store.RoleCited, Confidence: 1},
		{URL: urlSuspect, Raw: urlSuspect, Line: 5, Column: 1, Role: store.RoleCited, Confidence: 1},
		{URL: urlNew, Raw: urlNew, Line: 6, Column: 1, Role: store.RoleCited, Confidence: 1},
	}
	for i := range occs {
		occs[i].Start, occs[i].End = i*100, i*100+len(occs[i].Raw)
	}
	if _, err := f.st.SaveDocument(ctx, store.Document{Path: "notes/reading.md", Format: "markdown",
		Title: "Harbour Story", ScannedAt: seen}, occs); err != nil {
		t.Fatal(err)
	}
	var bulk []store.Occurrence
	for i := range bulkLinks {
		u := fmt.Sprintf("https://bulk.example/p/%03d", i)
		bulk = append(bulk, store.Occurrence{URL: u, Raw: u, Start: i * 40, End: i*40 + len(u), Line: i + 1, Column: 1,
			Role: store.RoleCited, Confidence: 1})
	}
	if _, err := f.st.SaveDocument(ctx, store.Document{Path: "bulk.txt", Format: "text", ScannedAt: seen}, bulk); err != nil {
		t.Fatal(err)
	}

	// The copies, taken while the pages were alive.
	for i, at := range snapTimes {
		f.capture(t, urlDead, at, fmt.Sprintf("version %d", i+1))
	}
	f.capture(t, urlAlive, aliveSnap, "the alive page")

	// Three runs: the dead links fail in each, and are dead after the third.
	for i, start := range []time.Time{
		time.Date(2024, 6, 3, 3, 0, 0, 0, time.UTC),
		time.Date(2024, 6, 6, 3, 0, 0, 0, time.UTC),
		time.Date(2024, 6, 9, 3, 0, 0, 0, time.UTC),
	} {
		run, err := f.st.BeginRun(ctx, start, "run")
		if err != nil {
			t.Fatal(err)
		}
		failState := store.StateSuspect
		dead := 0
		if i == 2 {
			failState, dead = "dead", 2
		}
		firstFail := time.Date(2024, 6, 3, 3, 0, 1, 0, time.UTC)
		for _, c := range []struct {
			url, class string
			status     int
			state      store.LinkStatus
		}{
			{urlAlive, "ok", 200, store.LinkStatus{State: "alive", LastSuccess: start}},
			{urlDead, "http_4xx", 404, store.LinkStatus{State: failState, ConsecutiveFailures: i + 1, FirstFailure: firstFail}},
			{urlGone, "dns_nxdomain", 0, store.LinkStatus{State: failState, ConsecutiveFailures: i + 1, FirstFailure: firstFail}},
			{urlSuspect, "timeout", 0, store.LinkStatus{State: "suspect", ConsecutiveFailures: 1, FirstFailure: start}},
		} {
			at := start.Add(time.Second)
			rec := store.CheckRecord{URL: c.url, RunID: run, CheckedAt: at, Class: c.class, Status: c.status,
				Method: "GET", LatencyMS: 120, Attempts: 1, Evidence: []string{"test evidence for " + c.class}}
			if c.class == "timeout" {
				rec.Error = "deadline exceeded"
			}
			st := c.state
			if _, err := f.st.RecordCheck(ctx, rec, &st, at.Add(24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.st.FinishRun(ctx, run, start.Add(42*time.Second), store.RunOK, &store.RunSummary{
			Checked: 4, Alive: 1, Dead: dead, Suspect: 3 - dead, NewlyDead: dead,
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// page is a captured page: an article long enough for readability, and a
// script that must never run anywhere linkrot serves it.
func page(title, variant string) string {
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>` + title + `</title>
<script>document.documentElement.setAttribute("data-pwned", "yes"); fetch("/run", {method: "POST"});</script>
</head><body><nav><a href="/">Home</a></nav><article><h1>` + title + `</h1>
<p>The harbour board voted on Tuesday to replace the old breakwater, which has protected the fishing fleet since 1911 but was badly damaged by last winter's storms (` + variant + `).</p>
<p>Engineers told the board that the new structure will be built from interlocking concrete blocks, each weighing twelve tonnes, and will extend forty metres further into the bay.</p>
<p>Fishermen who attended the meeting welcomed the decision, although several complained that construction will close the northern channel for most of next summer.</p>
<img src="https://tracker.example/pixel.gif" alt="">
</article></body></html>`
}

func (f *fixture) capture(t *testing.T, u string, at time.Time, variant string) {
	t.Helper()
	ctx := context.Background()
	l, err := f.st.LinkByURL(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	out, sn, err := f.arc.Capture(ctx, l.ID, archive.Response{URL: u, Status: 200,
		Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Body:   []byte(page("Harbour Board Votes", variant)), FetchedAt: at})
	if err != nil || out != archive.Captured {
		t.Fatalf("capture %s at %s: %s, %v", u, at, out, err)
	}
	f.snaps[u] = append(f.snaps[u], sn)
}

// noFollow is a client that returns redirects instead of following them.
func (f *fixture) noFollow() *http.Client {
	c := *f.ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// get requests path (with optional header pairs) without following
// redirects and returns the response and its body.
func (f *fixture) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.do(t, req)
}

func (f *fixture) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := f.noFollow().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func wantStatus(t *testing.T, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%.600s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

// snapshotCSPPrefix is the policy the task requires of archived content;
// the server adds base-uri, form-action and frame-ancestors after it.
const snapshotCSPPrefix = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

func wantSandboxed(t *testing.T, resp *http.Response) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, snapshotCSPPrefix+";") {
		t.Errorf("%s: Content-Security-Policy %q, want it to start with %q", resp.Request.URL.Path, csp, snapshotCSPPrefix)
	}
	if strings.Contains(csp, "allow-scripts") || strings.Contains(csp, "allow-same-origin") || strings.Contains(csp, "script-src") {
		t.Errorf("%s: policy %q lets something run", resp.Request.URL.Path, csp)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", resp.Request.URL.Path, got)
	}
}
