// This file is the run's catalog writer: finished checks are committed in
// small batches by one goroutine, and counted only once committed.

package job

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// A batch is committed when it holds batchMax checks, batchBytes of
// response bytes (bodies kept for the archive), or batchWait after its
// first check, whichever comes first. A transaction per check cost about
// half a run's CPU (issue 11); batchWait bounds what a kill can lose to the
// checks of a fifth of a second, which were never reported. Longer
// batches share more of the index pages each commit writes: 200 ms took
// a tenth less CPU than 50 ms.
const (
	batchMax   = 256
	batchBytes = 4 << 20
	batchWait  = 200 * time.Millisecond
)

// write is one finished check waiting for its batch's commit.
type write struct {
	w        store.CheckWrite
	url      string
	class    crawler.Class
	next     store.LinkStatus // the state it sets (or will, if pending)
	trans    crawler.Transition
	excluded bool // not fetched: counted as excluded, not as checked
	// res is the crawler's result (nil for an excluded link), kept for
	// the work that follows the commit (the archive's capture).
	res *crawler.Result
}

func (w *write) bytes() int {
	if w.res == nil {
		return 0
	}
	return len(w.res.Body) + len(w.res.HTML)
}

// enqueue hands a finished check to the writer. After a failed commit
// the writer drops what it is given, and the run ends with that error.
// Response bytes waiting for the writer are bounded (queuedBytes): the
// crawler's max_buffered counts them only until the callback returns.
func (r *run) enqueue(w write) {
	r.queued.acquire(w.bytes())
	r.writes <- w
}

// queuedBytes bounds the response bytes held by checks waiting for their
// commit: twice a batch's worth, so the writer always has a batch to fill.
const queuedBytes = 2 * batchBytes

// byteGate is a counting semaphore over bytes. A single item larger than
// the limit still passes when nothing else is held.
type byteGate struct {
	mu   sync.Mutex
	cond sync.Cond
	held int
}

func (g *byteGate) acquire(n int) {
	if n == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond.L == nil {
		g.cond.L = &g.mu
	}
	for g.held > 0 && g.held+n > queuedBytes {
		g.cond.Wait()
	}
	g.held += n
}

func (g *byteGate) release(n int) {
	if n == 0 {
		return
	}
	g.mu.Lock()
	g.held -= n
	g.mu.Unlock()
	g.cond.Broadcast()
}

// writeLoop is the writer goroutine: it commits what enqueue gives it in
// batches until writes is closed, then commits the rest.
func (r *run) writeLoop(ctx context.Context, writes <-chan write, failed func(error)) {
	var (
		batch []write
		size  int
		dead  bool // a commit failed: drop the rest
	)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch) > 0 && !dead {
			if err := r.commit(ctx, batch); err != nil {
				dead = true
				failed(err)
			}
		}
		clear(batch) // drop the bodies now, not when the slots are reused
		r.queued.release(size)
		batch, size = batch[:0], 0
	}
	for {
		select {
		case w, ok := <-writes:
			if !ok {
				flush()
				return
			}
			if dead {
				r.queued.release(w.bytes())
				continue
			}
			if len(batch) == 0 {
				timer.Reset(batchWait)
			}
			batch = append(batch, w)
			size += w.bytes()
			if len(batch) >= batchMax || size >= batchBytes {
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

// commit writes one batch in one transaction, then does, check by check
// and in order, what may only follow a commit.
func (r *run) commit(ctx context.Context, batch []write) error {
	ws := make([]store.CheckWrite, len(batch))
	for i := range batch {
		ws[i] = batch[i].w
	}
	ids, err := r.cat.RecordChecks(ctx, ws)
	if err != nil {
		return fmt.Errorf("recording %d checks: %w", len(batch), err)
	}
	for i := range batch {
		r.committed(ctx, &batch[i], ids[i])
	}
	return nil
}

// committed runs once per check after its commit, in the writer
// goroutine, with the check's ID: this is where work that needs a stored
// check belongs (the archive's capture, the summary, progress).
func (r *run) committed(ctx context.Context, w *write, checkID int64) {
	if w.excluded {
		r.mu.Lock()
		r.sum.Excluded++
		r.mu.Unlock()
		r.opts.Progress.Checked(w.url, w.class, w.next.State)
		return
	}
	res := w.res
	if r.content != nil && (r.drift != nil && judged(*res) || r.opts.Archive != nil && res.Class.IsSuccess() && res.Body != nil) {
		// Judged, then captured (content1), after the commit: the check's
		// id is known and the reference is never the copy about to be stored.
		r.content <- contentJob{linkID: w.w.Check.LinkID, checkID: checkID, url: w.url, res: *res}
	}
	pending := w.w.Check.Pending
	// Logged only once committed: a line here is a check that survives a kill.
	r.opts.Logger.Debug("checked", "url", w.url, "class", res.Class.String(), "state", w.next.State, "pending", pending)
	host := hostOf(w.url)
	r.mu.Lock()
	r.sum.Checked++
	r.noteOutcome(w.url, *res)
	r.hostsTried[host] = true
	if pending {
		r.hostsNetFail[host] = true
		r.pending = append(r.pending, pendingState{checkID: checkID, state: w.next, next: w.w.NextCheck, trans: w.trans})
	} else {
		r.count(w.next.State, w.trans)
	}
	r.mu.Unlock()
	r.opts.Progress.Checked(w.url, res.Class, w.next.State)
}
