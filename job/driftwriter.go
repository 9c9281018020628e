// This file writes the content verdicts of a run in batches, as the
// writer does checks: a statement and a commit per verdict cost as much
// CPU as the rest of an alive page's check (issue 11).

package job

import (
	"context"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/store"
)

// startDrifts starts the goroutine that stores what saveDrift is given;
// the returned func closes the queue and waits for the last commit.
func (r *run) startDrifts(ctx context.Context) (finish func()) {
	r.drifts = make(chan store.Drift, batchMax)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.driftLoop(ctx, r.drifts)
	}()
	return func() {
		close(r.drifts)
		<-done
	}
}

// saveDrift queues one verdict for its batch; with no writer started it
// stores the verdict at once.
func (r *run) saveDrift(ctx context.Context, d store.Drift) {
	if r.drifts == nil {
		r.storeDrifts(ctx, []store.Drift{d})
		return
	}
	r.drifts <- d
}

func (r *run) driftLoop(ctx context.Context, in <-chan store.Drift) {
	var batch []store.Drift
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch) > 0 {
			r.storeDrifts(ctx, batch)
		}
		batch = batch[:0]
	}
	for {
		select {
		case d, ok := <-in:
			if !ok {
				flush()
				return
			}
			if len(batch) == 0 {
				timer.Reset(batchWait)
			}
			batch = append(batch, d)
			if len(batch) >= batchMax {
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

// storeDrifts writes one batch. A verdict that cannot be stored is
// logged: the checks it was judged from are committed already, and the
// next run judges the link again.
func (r *run) storeDrifts(ctx context.Context, batch []store.Drift) {
	if err := r.driftCat.RecordDrifts(ctx, batch); err != nil && ctx.Err() == nil {
		r.warns.add(r.opts.Logger, "storing content verdicts failed", fmt.Sprintf("a batch of %d", len(batch)), err)
	}
}
