package job

import (
	"sync"
	"time"

	"github.com/linkrot/linkrot/crawler"
)

// A run must never sit silent on one URL: when no check has come back for
// a few seconds, the progress display is told which URL the run has been
// waiting on longest, and for how long. The summary counts the links
// deferred (a Retry-After too long to wait for) and those refused for a
// private address, so that `check` can say why.

// Waiter is a Progress that can show what the run is waiting on.
type Waiter interface {
	Waiting(url string, d time.Duration)
}

// waitAfter is how long a run goes without a result before the progress
// display names what it waits on; waitEvery is how often it looks.
var (
	waitAfter = 3 * time.Second
	waitEvery = time.Second
)

// maxDeferredReasons bounds the reasons a summary keeps.
const maxDeferredReasons = 5

// waits tracks when each link in flight was handed to the crawler, on the
// wall clock (it is for display; the run's clock may be a test's).
type waits struct {
	mu    sync.Mutex
	since map[int64]waitEntry
	last  time.Time // when a result last came back (or the run began)
}

type waitEntry struct {
	url string
	at  time.Time
}

func (w *waits) handed(id int64, url string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.since == nil {
		w.since = map[int64]waitEntry{}
	}
	w.since[id] = waitEntry{url, time.Now()}
}

func (w *waits) back(id int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.since, id)
	w.last = time.Now()
}

// longest returns the link waited on longest, if the run has gone
// waitAfter without a result.
func (w *waits) longest(now time.Time) (string, time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.last) < waitAfter {
		return "", 0, false
	}
	var best waitEntry
	for _, e := range w.since {
		if best.url == "" || e.at.Before(best.at) {
			best = e
		}
	}
	if best.url == "" || now.Sub(best.at) < waitAfter {
		return "", 0, false
	}
	return best.url, now.Sub(best.at), true
}

// watchWaits starts telling the progress display what the run waits on,
// if it can show it; the returned function stops it.
func (r *run) watchWaits() (stop func()) {
	wt, ok := r.opts.Progress.(Waiter)
	if !ok {
		return func() {}
	}
	r.waits.mu.Lock()
	r.waits.last = time.Now()
	r.waits.mu.Unlock()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(waitEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				if u, d, ok := r.waits.longest(now); ok {
					wt.Waiting(u, d)
				}
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// noteOutcome counts what the summary explains; the caller holds r.mu.
func (r *run) noteOutcome(url string, res crawler.Result) {
	switch res.Class {
	case crawler.ClassDeferred:
		r.sum.Deferred++
		if len(r.sum.DeferredReasons) < maxDeferredReasons {
			r.sum.DeferredReasons = append(r.sum.DeferredReasons, url+": "+res.Err)
		}
	case crawler.ClassPrivateAddress:
		r.sum.PrivateAddress++
	}
}
