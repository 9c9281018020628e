package job

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// countingCatalog is the real catalog, with RecordChecks watched (and
// failed on demand).
type countingCatalog struct {
	*store.SQLite
	mu      sync.Mutex
	batches []int
	failAt  int // fail the failAt-th batch (1-based); 0 never
}

func (c *countingCatalog) RecordChecks(ctx context.Context, ws []store.CheckWrite) ([]int64, error) {
	c.mu.Lock()
	c.batches = append(c.batches, len(ws))
	n := len(c.batches)
	c.mu.Unlock()
	if n == c.failAt {
		return nil, errors.New("disk full")
	}
	return c.SQLite.RecordChecks(ctx, ws)
}

func (c *countingCatalog) RecordCheck(context.Context, store.CheckRecord, *store.LinkStatus, time.Time) (int64, error) {
	return 0, errors.New("a run must record through RecordChecks")
}

// TestRunCommitsInBatches: a run of many links commits them in fewer
// transactions than checks, every check stored and counted once.
func TestRunCommitsInBatches(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.cfg.Crawler.Concurrency = 32
	h.cfg.Crawler.PerHost = 8
	urls := h.web.GenerateSites(4, 150)
	h.doc("many.txt", "Links\n\n"+strings.Join(urls, "\n")+"\n")
	cat := &countingCatalog{SQLite: h.st}
	s, err := Check(context.Background(), cat, h.checker(), Options{
		All: true, Policy: crawler.PolicyFrom(h.cfg.Recheck, h.cfg.DeadAfter), Now: h.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range cat.batches {
		total += n
	}
	if s.Checked != len(urls) || total != len(urls) {
		t.Fatalf("checked %d, written %d in %d batches; want %d", s.Checked, total, len(cat.batches), len(urls))
	}
	if len(cat.batches) >= len(urls)/2 {
		t.Errorf("%d checks took %d transactions: not batched", len(urls), len(cat.batches))
	}
	for _, u := range urls[:5] {
		n := 0
		if err := h.st.History(context.Background(), u, func(store.CheckRecord) error { n++; return nil }); err != nil || n != 1 {
			t.Errorf("%s: %d checks stored (%v)", u, n, err)
		}
	}
}

// TestFailedCommitFailsRun: a batch the catalog refuses ends the run with
// its error, and none of its checks is counted.
func TestFailedCommitFailsRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	urls := h.web.GenerateSites(2, 20)
	h.doc("few.txt", "Links\n\n"+strings.Join(urls, "\n")+"\n")
	cat := &countingCatalog{SQLite: h.st, failAt: 1}
	s, err := Check(context.Background(), cat, h.checker(), Options{
		All: true, Policy: crawler.PolicyFrom(h.cfg.Recheck, h.cfg.DeadAfter), Now: h.clock.Now,
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("run error %v; want the commit's", err)
	}
	if s.Status != store.RunFailed || s.Checked != 0 {
		t.Errorf("summary %+v; want failed with nothing counted", s)
	}
}

// TestByteGateBoundsQueuedBodies: bodies waiting for a commit are held
// only up to queuedBytes; one more waits until a commit releases some.
func TestByteGateBoundsQueuedBodies(t *testing.T) {
	t.Parallel()
	var g byteGate
	g.acquire(queuedBytes - 10)
	passed := make(chan struct{})
	go func() {
		g.acquire(20)
		close(passed)
	}()
	select {
	case <-passed:
		t.Fatal("acquire went past the bound")
	case <-time.After(50 * time.Millisecond):
	}
	g.release(queuedBytes - 10)
	select {
	case <-passed:
	case <-time.After(10 * time.Second):
		t.Fatal("acquire still blocked after a release")
	}
	g.release(20)
	g.acquire(5 * queuedBytes) // an item over the bound passes alone
	if g.held != 5*queuedBytes {
		t.Fatalf("held %d", g.held)
	}
}
