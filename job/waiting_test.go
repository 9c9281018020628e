package job

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/store"
)

// recordingProgress is a Progress that keeps what the run told it.
type recordingProgress struct {
	mu       sync.Mutex
	waiting  []string
	total    int  // what Start was told
	finished bool // Finish was called
	early    bool // Start came after Finish
}

func (p *recordingProgress) Start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.early = total, p.finished
}
func (*recordingProgress) Checked(string, crawler.Class, store.LinkState) {}
func (p *recordingProgress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = true
}
func (p *recordingProgress) Waiting(url string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting = append(p.waiting, url)
}

// TestProgressNamesWhatTheRunWaitsOn: a page that takes a while to answer
// is named to the progress display while the run waits on it. Not
// parallel: it shortens the package's wait thresholds.
func TestProgressNamesWhatTheRunWaitsOn(t *testing.T) {
	oldAfter, oldEvery := waitAfter, waitEvery
	waitAfter, waitEvery = 500*time.Millisecond, 25*time.Millisecond
	defer func() { waitAfter, waitEvery = oldAfter, oldEvery }()

	h := newHarness(t)
	h.web.Site("slow.example.com").Page("/late", fakeweb.Delay(2*time.Second, fakeweb.HTML("Late", "<p>here at last</p>")))
	h.web.Site("fast.example.com").HTML("/now", "Now", "<p>at once</p>")
	h.doc("a.txt", "https://slow.example.com/late\nhttps://fast.example.com/now\n")
	p := &recordingProgress{}
	excl, _ := h.cfg.Exclude.Compile()
	s, err := Check(context.Background(), h.st, h.checker(), Options{
		Policy: crawler.PolicyFrom(h.cfg.Recheck, h.cfg.DeadAfter), Excluder: excl, Now: h.clock.Now, Progress: p,
	})
	if err != nil || s.Checked != 2 {
		t.Fatalf("%+v, %v", s, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// The total is counted beside the checks, but always told, and before
	// the display is finished.
	if p.total != 2 || !p.finished || p.early {
		t.Errorf("progress told total %d, finished %v, Start after Finish %v", p.total, p.finished, p.early)
	}
	if len(p.waiting) == 0 {
		t.Fatal("the run waited on the slow page without saying so")
	}
	for _, u := range p.waiting {
		if u != "https://slow.example.com/late" {
			t.Errorf("named %s as what the run waits on", u)
		}
	}
}

// TestSummaryExplainsDeferredAndPrivate: a link whose site asks for an
// hour's pause is deferred with its reason in the summary; links refused
// for a private address are counted.
func TestSummaryExplainsDeferredAndPrivate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.web.Site("busy.example.com").Page("/x", fakeweb.RetryAfterSeconds(429, 100, 3600, fakeweb.HTML("X", "<p>x</p>")))
	h.web.Site("ok.example.com").HTML("/y", "Y", "<p>y</p>")
	h.doc("a.txt", "https://busy.example.com/x\nhttps://ok.example.com/y\n")
	s, err := h.run(false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Deferred != 1 || len(s.DeferredReasons) != 1 || !strings.HasPrefix(s.DeferredReasons[0], "https://busy.example.com/x: deferred") ||
		!strings.Contains(s.DeferredReasons[0], "crawler.max_retry_wait") {
		t.Errorf("deferred %d, reasons %q", s.Deferred, s.DeferredReasons)
	}

	h2 := newHarness(t)
	h2.cfg.Network.AllowPrivate = false
	h2.web.Site("intranet.example.com").HTML("/a", "A", "<p>a</p>").HTML("/b", "B", "<p>b</p>")
	h2.doc("b.txt", "https://intranet.example.com/a\nhttps://intranet.example.com/b\n")
	s, err = h2.run(false)
	if err != nil {
		t.Fatal(err)
	}
	if s.PrivateAddress != 2 || s.Blocked != 2 {
		t.Errorf("private: %+v", s)
	}
}
