package job

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// pipelineConfig points a whole job at the harness: its docs folder as the
// only source, its data dir, and fakeweb through network.resolve (the
// pipeline builds its own crawler, so no dialer can be injected).
func (h *harness) pipelineConfig() *config.Config {
	h.t.Helper()
	cfg := *h.cfg
	cfg.DataDir = filepath.Join(h.dir, "data")
	cfg.Reports.Dir = filepath.Join(cfg.DataDir, "reports")
	cfg.Sources = []string{filepath.Join(h.dir, "docs")}
	cfg.Network.Resolve = h.web.Resolve()
	cfg.Network.ResolveOnly = true
	cfg.Archive.External.Wayback.Enabled = false
	cfg.Archive.External.Memento.Enabled = false
	return &cfg
}

// writeDoc puts a document in the sources without ingesting it.
func (h *harness) writeDoc(name, content string) {
	h.t.Helper()
	p := filepath.Join(h.dir, "docs", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func TestPipelineRescansChecksAndReports(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	body := "<p>The harbour authority began work on the breakwater on Monday, ahead of the winter storms.</p>"
	h.web.Site("news.example.com").HTML("/a", "Story A", body).HTML("/b", "Story B", body)
	cfg := h.pipelineConfig()
	h.writeDoc("a.txt", "Notes\n\nhttps://news.example.com/a\n")
	ctx := context.Background()

	res, err := RunPipeline(ctx, cfg, h.st, PipelineOptions{Rescan: true, Now: h.clock.Now, Kind: "run"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ingest.Added != 1 || res.Check.Checked != 1 || res.Check.Alive != 1 || res.Check.Captured != 1 {
		t.Fatalf("first job: %+v", res)
	}
	if len(res.ReportFiles) == 0 || res.ReportErr != nil {
		t.Fatalf("report: %v, %v", res.ReportFiles, res.ReportErr)
	}
	for _, f := range res.ReportFiles {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}

	// A document added between two jobs is found by the rescan and its
	// link checked; the first link is not due yet.
	h.writeDoc("b.txt", "More\n\nhttps://news.example.com/b\n")
	h.clock.Advance(time.Hour)
	res, err = RunPipeline(ctx, cfg, h.st, PipelineOptions{Rescan: true, Now: h.clock.Now, Kind: "run"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ingest.Added != 1 || res.Ingest.Unchanged != 1 || res.Check.Checked != 1 {
		t.Fatalf("second job: %+v", res)
	}
	if s := h.state("https://news.example.com/b"); s != store.StateAlive {
		t.Errorf("new link is %s", s)
	}
	var kinds []string
	_ = h.st.Runs(ctx, 0, func(r store.Run) error { kinds = append(kinds, r.Kind+"/"+string(r.Status)); return nil })
	if strings.Join(kinds, ",") != "run/ok,run/ok" {
		t.Errorf("runs: %v", kinds)
	}
}

func TestPipelineDoesNothingWhileAnotherJobHoldsTheLock(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cfg := h.pipelineConfig()
	h.writeDoc("a.txt", "https://news.example.com/a\n")
	release, err := Lock(context.Background(), h.st, "4242@otherhost", h.clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	res, err := RunPipeline(context.Background(), cfg, h.st, PipelineOptions{Rescan: true, Now: h.clock.Now})
	if !errors.Is(err, ErrJobRunning) || !strings.Contains(err.Error(), "4242@otherhost") {
		t.Fatalf("err = %v", err)
	}
	// The rescan waits for the lock too: it rewrites what a check reads.
	if res.Check.RunID != 0 || res.Ingest.Documents != 0 {
		t.Errorf("something ran: %+v", res)
	}
}

func TestPipelineStoppedBeforeCheckingRecordsNoRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cfg := h.pipelineConfig()
	h.writeDoc("a.txt", "https://news.example.com/a\n")
	stop := make(chan struct{})
	close(stop)
	res, err := RunPipeline(context.Background(), cfg, h.st, PipelineOptions{Rescan: true, Now: h.clock.Now, Stop: stop})
	if !errors.Is(err, ErrStopped) || res.Check.RunID != 0 || res.Ingest.Added != 1 {
		t.Fatalf("res %+v, err %v", res, err)
	}
	n := 0
	_ = h.st.Runs(context.Background(), 0, func(store.Run) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d runs recorded", n)
	}
	// And the lock is free again.
	release, err := Lock(context.Background(), h.st, "4242@otherhost", h.clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	release()
}

// stepChecker answers every request at once, one at a time, and calls
// after each result: a crawler whose pace the test controls.
type stepChecker struct{ after func() }

func (c *stepChecker) Run(ctx context.Context, in <-chan crawler.Request, out func(crawler.Request, crawler.Result)) error {
	for req := range in {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		out(req, crawler.Result{URL: req.URL, Class: crawler.ClassOK, Status: 200, Method: "GET"})
		c.after()
	}
	return ctx.Err()
}

func (c *stepChecker) Check(_ context.Context, url string) crawler.Result {
	return crawler.Result{URL: url, Class: crawler.ClassOK, Status: 200}
}

// TestStopLetsTakenChecksFinish: closing Stop mid-run ends the feed; what
// the crawler had already taken is checked and recorded, the run is
// interrupted, and the rest stays due for the next run.
func TestStopLetsTakenChecksFinish(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var doc strings.Builder
	for i := range 300 {
		fmt.Fprintf(&doc, "https://h%d.example.com/page\n", i)
	}
	h.doc("many.txt", doc.String())
	stop := make(chan struct{})
	results := 0
	chk := &stepChecker{after: func() {
		if results++; results == 1 {
			close(stop)
		}
	}}
	sum, err := Check(context.Background(), h.st, chk, Options{
		Policy: crawler.PolicyFrom(h.cfg.Recheck, h.cfg.DeadAfter), Now: h.clock.Now, Stop: stop,
	})
	if !errors.Is(err, ErrStopped) || sum.Status != store.RunInterrupted {
		t.Fatalf("sum %+v, err %v", sum, err)
	}
	alive, unchecked := 0, 0
	_ = h.st.Links(context.Background(), store.LinkFilter{}, func(l store.Link) error {
		switch l.State {
		case store.StateAlive:
			alive++
		case "unchecked":
			unchecked++
		}
		return nil
	})
	if alive != sum.Checked || alive != results || alive+unchecked != 300 {
		t.Errorf("checked %d, results %d, alive %d, unchecked %d", sum.Checked, results, alive, unchecked)
	}
	if unchecked == 0 {
		t.Error("the stop did not stop the feed")
	}
}

// TestActiveHosts: the feed works enough hosts to fill the global slots at
// per_host each, and never fewer than a quarter of the slots, so a high
// per_host does not make a few hosts open a connection per slot each.
func TestActiveHosts(t *testing.T) {
	for _, c := range []struct{ conc, perHost, want int }{
		{256, 64, 64}, // the quarter: 4 checks per host, not 32
		{32, 2, 32},   // per_host binds: twice the hosts the slots need
		{16, 4, 8},
		{1, 1, 2},
		{0, 0, 1},
	} {
		cc := config.Default().Crawler
		cc.Concurrency, cc.PerHost = c.conc, c.perHost
		if got := activeHosts(cc); got != c.want {
			t.Errorf("concurrency %d, per_host %d: %d active hosts, want %d", c.conc, c.perHost, got, c.want)
		}
	}
}
