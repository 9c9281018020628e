// This file is a run on the shared queue of a PostgreSQL catalog, as
// `run` and serve's schedule open it: the process that holds the job lock
// opens the run, checks its links as one worker among any `linkrot worker
// --follow` processes, then settles it over every worker's checks.

package job

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// queueOptions say how runQueue opens and works a run.
type queueOptions struct {
	kind   string // the run's kind; a queue kind (queueKind)
	all    bool   // every link in use, due or not
	poll   time.Duration
	opened func(runID int64)
	// work, when set, makes this process one of the run's workers,
	// checking with these options (archive, content verdicts, repairs
	// verified first, Stop, Progress). When nil it only waits and
	// settles (`check --distributed`).
	work *Options
}

// queueCheck is how run and serve check on a PostgreSQL catalog (nil on
// SQLite, where they check in this process): a run on the shared queue,
// worked by this process and any workers that join.
func (r *Runner) queueCheck() func(context.Context, Options) (Summary, error) {
	if r.pg == nil {
		return nil
	}
	return func(ctx context.Context, o Options) (Summary, error) {
		kind := o.Kind
		if o.All {
			kind += allSuffix
		}
		return r.runQueue(ctx, queueOptions{kind: kind, all: o.All, work: &o})
	}
}

// runQueue opens a queue run, waits until its queue is empty (working it
// when q.work is set), then settles it as one run: network_down decided
// over every worker's checks, pending checks applied, the summary kept.
// The caller holds the job lock.
func (r *Runner) runQueue(ctx context.Context, q queueOptions) (Summary, error) {
	if r.pg == nil {
		return Summary{}, ErrNoPostgres
	}
	if q.poll <= 0 {
		q.poll = time.Second
	}
	if err := finishAbandonedRuns(ctx, r.cat, r.now()); err != nil {
		return Summary{}, err
	}
	var local *worker
	if q.work != nil {
		o := *q.work
		o.defaults()
		progress := o.Progress
		o.Progress = noProgress{} // the queue's counts drive it (watchQueue)
		wo := WorkerOptions{Name: r.owner + "/leader"}
		wo.defaults(r.cfg.Crawler.Concurrency)
		chk, err := r.queueChecker(wo, o.Archive != nil)
		if err != nil {
			return Summary{}, err
		}
		defer chk.Close()
		removeLeftovers(ctx, o.Archive, r.log)
		if stopRequested(o.Stop) {
			return Summary{}, ErrStopped // as Check: no run is recorded
		}
		local = r.newWorker(wo, store.Run{Kind: q.kind}, newRun(r.cat, o, 0))
		local.chk, local.progress = chk, progress
		if o.Verify {
			// Before the run opens: its queue then holds the links the
			// adopted repairs point to.
			if err := local.run.verifyRepairs(ctx, chk); err != nil {
				return Summary{}, err
			}
		}
	}
	if err := r.pg.Analyze(ctx); err != nil {
		return Summary{}, err
	}
	start := r.now()
	runID, err := r.cat.BeginRun(ctx, start, q.kind)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{RunID: runID}
	if q.opened != nil {
		q.opened(runID)
	}
	finish := func(status store.RunStatus, cause error) (Summary, error) {
		sum.Status = status
		sum.Duration = r.now().Sub(start)
		if s := sum.Duration.Seconds(); s > 0 {
			sum.ChecksPerS = float64(sum.Checked) / s
		}
		if totals, err := r.cat.LinkStateCounts(context.WithoutCancel(ctx)); err == nil {
			sum.Totals = totals
		}
		if err := r.cat.FinishRun(context.WithoutCancel(ctx), runID, r.now(), status, &sum); err != nil && cause == nil {
			cause = err
		}
		return sum, cause
	}
	// A run ended early counts the checks made so far; the pending ones
	// stay pending, as in one process.
	tally := func() {
		if acc, err := r.tallyRun(context.WithoutCancel(ctx), runID, sum); err == nil {
			sum = acc.sum
		}
	}
	due := start.Add(dueMargin)
	if local != nil {
		local.runID, local.run.runID, local.due = runID, runID, due
		stopped, err := local.workAndWatch(ctx, q.poll)
		addLocal(&sum, &local.run.sum)
		if ctx.Err() != nil || err != nil || stopped {
			tally()
		}
		switch {
		case ctx.Err() != nil:
			return finish(store.RunInterrupted, ctx.Err())
		case err != nil:
			return finish(store.RunFailed, err)
		case stopped:
			// As Check: pending checks stay pending; the workers stop
			// at their next claim, the run being closed.
			return finish(store.RunInterrupted, ErrStopped)
		}
	}
	// Other workers may still hold links (this process's worker returns
	// once nothing is left to claim); a dead one's come back when their
	// leases run out, and this process does not claim them, so wait. A
	// stop meanwhile closes the run as interrupted: the workers' checks
	// in flight are still recorded, and the next run checks the rest.
	var stop <-chan struct{}
	if q.work != nil {
		stop = q.work.Stop
	}
	for {
		qs, err := r.pg.Remaining(ctx, runID, due, q.all)
		if err != nil {
			if ctx.Err() != nil {
				return finish(store.RunInterrupted, ctx.Err())
			}
			return finish(store.RunFailed, err)
		}
		if qs.Finished() {
			break
		}
		if stopRequested(stop) {
			tally()
			return finish(store.RunInterrupted, ErrStopped)
		}
		if err := sleepCtx(ctx, q.poll); err != nil {
			return finish(store.RunInterrupted, err)
		}
	}
	if err := r.settleRun(ctx, runID, &sum); err != nil {
		if errors.Is(err, ErrNetworkDown) {
			return finish(store.RunNetworkDown, err)
		}
		return finish(store.RunFailed, err)
	}
	return finish(store.RunOK, nil)
}

// workAndWatch works the run until its queue is empty, or Stop; the
// progress, when there is one, follows the queue's count of links done,
// whichever worker did them. It reports whether Stop ended it.
func (w *worker) workAndWatch(ctx context.Context, poll time.Duration) (stopped bool, err error) {
	if w.progress != nil {
		watchCtx, stopWatch := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { w.watchQueue(watchCtx, poll) })
		defer func() { stopWatch(); wg.Wait() }()
	}
	err = w.work(ctx, w.chk, w.run.opts.Stop)
	return w.stopped.Load(), err
}

// watchQueue moves the progress by the queue's count of links done, every
// poll: the queue counts links, not which ones, so Checked is told only
// that one more is done.
func (w *worker) watchQueue(ctx context.Context, poll time.Duration) {
	p := w.progress
	q, err := w.r.pg.Remaining(ctx, w.runID, w.due, w.all)
	if err != nil {
		return
	}
	p.Start(q.Todo + q.Leased + q.Done)
	defer p.Finish()
	shown := q.Done
	for {
		for ; shown < q.Done; shown++ {
			p.Checked("", crawler.ClassOK, "")
		}
		if sleepCtx(ctx, poll) != nil {
			return
		}
		if q, err = w.r.pg.Remaining(ctx, w.runID, w.due, w.all); err != nil {
			return
		}
	}
}

// addLocal adds what only the process that ran them knows to a queue
// run's summary: repairs verified, snapshots and content verdicts.
func addLocal(sum, local *Summary) {
	sum.Verified += local.Verified
	sum.Captured += local.Captured
	sum.Unchanged += local.Unchanged
	sum.CaptureErrs += local.CaptureErrs
	sum.Judged += local.Judged
	sum.Drifted += local.Drifted
	sum.Replaced += local.Replaced
}

// newRun is the state of run runID checked with opts (defaults applied).
func newRun(cat Catalog, opts Options, runID int64) *run {
	r := &run{cat: cat, opts: opts, runID: runID, inFlight: map[int64]store.DueLink{},
		hostOut: map[string]int{}, back: make(chan struct{}, 1),
		hostsTried: map[string]bool{}, hostsNetFail: map[string]bool{}}
	r.sum.RunID = runID
	if opts.Drift != nil {
		if dc, ok := cat.(driftCatalog); ok {
			r.drift, r.driftCat = opts.Drift, dc
		} else {
			opts.Logger.Warn("content verdicts are off: the catalog does not keep them")
		}
	}
	return r
}

// startContent starts the workers that judge and archive responses after
// their check is committed, when the run does either; the function it
// returns, called once no more checks are committed, waits for them.
func (r *run) startContent(ctx context.Context) (wait func()) {
	if r.opts.Archive == nil && r.drift == nil {
		return func() {}
	}
	finishDrifts := func() {}
	if r.drift != nil {
		if err := r.loadCopies(ctx); err != nil && ctx.Err() == nil {
			// Only an optimisation: each page asks for its copies instead.
			r.opts.Logger.Warn("listing the links that have copies", "err", err)
		}
		finishDrifts = r.startDrifts(ctx)
	}
	// Off the writer: readability and the comparison are CPU work that
	// would otherwise stall every commit behind one page.
	r.content = make(chan contentJob, 2)
	var workers sync.WaitGroup
	for range 2 {
		workers.Go(func() {
			for j := range r.content {
				r.content1(ctx, j)
			}
		})
	}
	return func() {
		close(r.content)
		workers.Wait()
		finishDrifts() // after the workers: they are what writes to it
	}
}
