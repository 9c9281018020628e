package job

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
)

// TestQueueRunStopsGently: `run` on PostgreSQL is a queue run that this
// process works itself. Stopping it (serve's shutdown) ends it as a run
// in one process ends: interrupted with ErrStopped, the checks taken
// recorded, none twice, and every link it held given back, so no worker
// waits for a lease; the closed run hands out nothing more.
func TestQueueRunStopsGently(t *testing.T) {
	db := pgtest.URL(t)
	h := newHarness(t)
	site := h.web.Site("slow.example")
	var urls []string
	for i := range 40 {
		p := fmt.Sprintf("/p/%d", i)
		site.HTML(p, "Page", "<p>A page that answers slowly, so the run can be stopped half-way.</p>")
		urls = append(urls, "https://slow.example"+p)
	}
	h.web.SetLatency(150 * time.Millisecond)
	cfg := h.pipelineConfig()
	cfg.Database = db
	cfg.Archive.Enabled = false
	cfg.Crawler.Concurrency, cfg.Crawler.PerHost, cfg.Crawler.Retries, cfg.Crawler.Robots = 2, 2, 0, false
	h.writeDoc("list.txt", "Links\n\n"+strings.Join(urls, "\n")+"\n")
	ctx := context.Background()
	r, err := Open(ctx, cfg, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pg := r.Postgres()

	stop := make(chan struct{})
	type result struct {
		res PipelineResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := r.Run(ctx, "run", CheckOptions{Stop: stop})
		done <- result{res, err}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for checked := 0; checked < 4; {
		if time.Now().After(deadline) {
			t.Fatal("the run made no 4 checks in 30s")
		}
		time.Sleep(50 * time.Millisecond)
		checked = 0
		_ = pg.RunChecks(ctx, 1, 1, func(store.RunCheck) error { checked++; return nil })
	}
	close(stop)
	var got result
	select {
	case got = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the stopped run did not end in 30s")
	}
	if !errors.Is(got.err, ErrStopped) || got.res.Check.Status != store.RunInterrupted {
		t.Fatalf("stopped run: %v, status %s", got.err, got.res.Check.Status)
	}
	perLink := map[string]int{}
	if err := pg.RunChecks(ctx, 1, 1, func(c store.RunCheck) error { perLink[c.URL]++; return nil }); err != nil {
		t.Fatal(err)
	}
	for u, n := range perLink {
		if n != 1 {
			t.Errorf("%s checked %d times", u, n)
		}
	}
	if c := got.res.Check.Checked; c != len(perLink) || c >= len(urls) {
		t.Errorf("summary: %d checked; the run recorded %d of %d", c, len(perLink), len(urls))
	}
	q, err := pg.Remaining(ctx, 1, time.Now().Add(time.Hour), false)
	if err != nil || q.Leased != 0 || !q.Closed || q.Todo != len(urls)-len(perLink) {
		t.Errorf("queue after the stop: %+v, %v; want closed, nothing leased, %d to do", q, err, len(urls)-len(perLink))
	}
}
