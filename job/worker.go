// This file is the distributed check (issue 10): a coordinator opens a run
// on a PostgreSQL catalog, any number of `linkrot worker` processes claim
// its due links from the shared queue and check them, and the coordinator
// decides network_down over the whole run once the queue is empty.

package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
)

// KindDistributed is the kind of a run whose links workers check.
const KindDistributed = "distributed"

// ErrNoPostgres is returned by the distributed operations on a SQLite
// catalog: the queue lives in PostgreSQL.
var ErrNoPostgres = errors.New("the shared queue needs a PostgreSQL catalog (database: postgres://...)")

// WorkerOptions tune a worker.
type WorkerOptions struct {
	Name   string        // unique among workers; pid@host/worker when empty
	Batch  int           // links claimed at a time; default 2 × crawler.concurrency
	Lease  time.Duration // how long a claim lasts without renewal; default 1m
	Poll   time.Duration // how often to look for work when there is none; default 500ms
	Follow bool          // keep waiting for the next run instead of exiting
}

// WorkerStats is what a worker did.
type WorkerStats struct {
	Runs    int // runs it took part in
	Checked int // checks it recorded
}

// Kinds of run the shared queue serves. `check --distributed` opens
// KindDistributed; on a PostgreSQL catalog `run` and serve's runs are
// queue runs too, under their own kind, so reports still say what started
// them. A kind ending in allSuffix claims every link in use (`run --all`).
const allSuffix = " --all"

// queueKind reports whether a run of kind is served by the queue, and
// whether it claims every link in use rather than the due ones.
func queueKind(kind string) (queue, all bool) {
	base, all := strings.CutSuffix(kind, allSuffix)
	switch base {
	case KindDistributed, "run", "serve":
		return true, all
	}
	return false, false
}

// openRun returns the newest queue run still running (ID 0 if none).
func openRun(ctx context.Context, cat store.Catalog) (store.Run, error) {
	var open store.Run
	err := cat.Runs(ctx, 20, func(r store.Run) error {
		if q, _ := queueKind(r.Kind); open.ID == 0 && r.Status == store.RunRunning && q {
			open = r
		}
		return nil
	})
	return open, err
}

// Work claims due links of the open queue run from the shared queue and
// checks them, until the run's queue is empty or the run is closed (or,
// with Follow, until ctx ends). Stopping (ctx cancelled) gives back the
// links it holds.
func (r *Runner) Work(ctx context.Context, o WorkerOptions) (WorkerStats, error) {
	var stats WorkerStats
	if r.pg == nil {
		return stats, fmt.Errorf("worker: %w", ErrNoPostgres)
	}
	if o.Name == "" {
		o.Name = r.owner + "/worker"
	}
	o.defaults(r.cfg.Crawler.Concurrency)
	excluder, err := r.cfg.Exclude.Compile()
	if err != nil {
		return stats, err
	}
	chk, err := r.queueChecker(o, false)
	if err != nil {
		return stats, err
	}
	defer chk.Close()
	var last int64 // the run worked last: open until its coordinator settles it
	for {
		open, err := openRun(ctx, r.cat)
		if err != nil {
			return stats, err
		}
		if open.ID == 0 || open.ID == last {
			if !o.Follow {
				if stats.Runs == 0 {
					r.log.Info("no distributed run is open; start one with `linkrot check --distributed` (or `linkrot run` on PostgreSQL)")
				}
				return stats, nil
			}
			if err := sleepCtx(ctx, o.Poll); err != nil {
				return stats, nil // stopped while idle: nothing held
			}
			continue
		}
		stats.Runs++
		last = open.ID
		r.log.Info("working on run", "run", open.ID, "worker", o.Name)
		ro := Options{Policy: crawler.PolicyFrom(r.cfg.Recheck, r.cfg.DeadAfter), Excluder: excluder, Now: r.now, Logger: r.log}
		ro.defaults()
		w := r.newWorker(o, open, newRun(r.cat, ro, open.ID))
		err = w.work(ctx, chk, nil)
		stats.Checked += w.run.sum.Checked
		if err != nil || ctx.Err() != nil {
			return stats, err
		}
		if !o.Follow {
			return stats, nil
		}
	}
}

func (o *WorkerOptions) defaults(concurrency int) {
	if o.Batch <= 0 {
		o.Batch = 2 * max(concurrency, 1)
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
}

// queueChecker is a worker's crawler: per-host limits and pacing through
// the database's host slots (held as o.Name), robots.txt and probes from
// the database's cache. keepBody keeps response bodies for the archive.
func (r *Runner) queueChecker(o WorkerOptions, keepBody bool) (*crawler.Checker, error) {
	gate := &hostGate{pg: r.pg, log: r.log, holder: o.Name, limit: max(r.cfg.Crawler.PerHost, 1),
		interval: time.Duration(r.cfg.Crawler.PerHostInterval), lease: o.Lease}
	return crawler.New(r.cfg.Crawler, r.cfg.Network, crawler.Options{Now: r.now, HostGate: gate, Probes: r.pg,
		Logger: r.log, KeepBody: keepBody})
}

// newWorker is one worker's part in the queue run open, recording through rn.
func (r *Runner) newWorker(o WorkerOptions, open store.Run, rn *run) *worker {
	_, all := queueKind(open.Kind)
	return &worker{r: r, o: o, runID: open.ID, due: open.StartedAt.Add(dueMargin), all: all, run: rn,
		held: map[int64]bool{}, freed: make(chan struct{}, 1)}
}

// worker is one worker's part in one run.
type worker struct {
	r     *Runner
	o     WorkerOptions
	runID int64
	due   time.Time // links due by then belong to the run
	all   bool      // every link in use belongs to the run
	run   *run      // records the checks as a run does (pending included)
	// The coordinator's own worker (runQueue) keeps its crawler and the
	// caller's progress here.
	chk      Checker
	progress Progress
	mu       sync.Mutex
	held     map[int64]bool // links claimed and not yet completed
	freed    chan struct{}  // a held link was completed (room to claim more)
	// completed are links recorded whose leases are still to be ended.
	completed []int64
	stopped   atomic.Bool // work's stop ended the feed before the queue was empty
}

// work checks the run's links until its queue is empty or the run is
// closed. Closing stop ends it gently, as Options.Stop ends a run: no more
// claims, the checks the crawler has taken are recorded and completed,
// the rest given back.
func (w *worker) work(ctx context.Context, chk Checker, stop <-chan struct{}) error {
	pg := w.r.pg
	defer func() {
		// Stopped or failed: give back what is held, so other workers
		// take it at once rather than after the lease. Everything this
		// worker holds, not only what it knows of: a Claim cut short by
		// the stop may have committed.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := pg.ReleaseAll(rctx, w.o.Name); err != nil {
			w.r.log.Warn("releasing leases", "err", err)
		}
	}()
	feedCtx, stopFeed := context.WithCancel(ctx)
	defer stopFeed()
	fed := make(chan struct{}) // closed when the feed has returned
	if stop != nil {
		// A stop after the feed is done (the run's queue is empty)
		// changes nothing, as in Check.
		go func() {
			select {
			case <-stop:
				w.stopped.Store(true)
				stopFeed()
			case <-fed:
			}
		}()
	}
	go w.extend(feedCtx)
	defer w.run.warns.flush(w.run.opts.Logger) // after the content workers below
	waitContent := w.run.startContent(ctx)
	defer waitContent()
	in := make(chan crawler.Request, w.o.Batch)
	feedErr := make(chan error, 1)
	go func() {
		defer close(fed)
		defer close(in)
		feedErr <- w.feed(feedCtx, in)
	}()
	var recordErr error
	var once sync.Once
	runErr := chk.Run(ctx, in, func(req crawler.Request, res crawler.Result) {
		if ctx.Err() != nil {
			return // cut short by the stop: not a check; the link is released
		}
		err := w.run.recordNow(ctx, req, res)
		if err == nil {
			err = w.complete(ctx, req.ID)
		}
		if err != nil {
			once.Do(func() { recordErr = err; stopFeed() })
		}
	})
	stopFeed()
	ferr := <-feedErr
	switch {
	case recordErr != nil:
		return recordErr
	case ctx.Err() != nil:
		return nil
	case runErr != nil:
		return runErr
	case ferr != nil && !errors.Is(ferr, context.Canceled):
		return ferr
	}
	return nil
}

// feed claims batches while the run has links left, and hands them to
// the crawler; it returns when the run's queue is empty or the run was
// closed (its coordinator stopped or failed).
func (w *worker) feed(ctx context.Context, in chan<- crawler.Request) error {
	pg := w.r.pg
	for {
		limit, err := w.room(ctx)
		if err != nil {
			return err
		}
		batch, err := pg.Claim(ctx, postgres.ClaimQuery{Worker: w.o.Name, RunID: w.runID, Now: w.due, All: w.all,
			Limit: limit, Lease: w.o.Lease})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			q, err := pg.Remaining(ctx, w.runID, w.due, w.all)
			if err != nil {
				return err
			}
			if q.Finished() || q.Closed {
				w.r.log.Info("leaving run: nothing left to claim", "run", w.runID, "worker", w.o.Name,
					"done", q.Done, "closed", q.Closed)
				return nil
			}
			// Others (or this worker's own crawler) still hold links; a
			// dead worker's come back when their leases run out.
			if err := sleepCtx(ctx, w.o.Poll); err != nil {
				return err
			}
			continue
		}
		// All held at once: a stop while handing them out must give
		// back the ones not yet handed too.
		w.mu.Lock()
		for _, l := range batch {
			w.held[l.ID] = true
		}
		w.mu.Unlock()
		for _, l := range batch {
			if err := w.hand(ctx, l, in); err != nil {
				return err
			}
		}
	}
}

// hand gives one claimed link to the crawler, or records it excluded.
func (w *worker) hand(ctx context.Context, l store.DueLink, in chan<- crawler.Request) error {
	r := w.run
	var reason string
	if why, excluded := r.excluded(l.URL); excluded {
		reason = "excluded by configuration: " + why
	} else if l.DefangedOnly {
		reason = "written defanged in every document that cites it (a security indicator), so never fetched"
	}
	if reason != "" {
		if err := r.recordExcludedNow(ctx, l, reason); err != nil {
			return err
		}
		return w.complete(ctx, l.ID)
	}
	r.mu.Lock()
	r.inFlight[l.ID] = l
	r.mu.Unlock()
	select {
	case in <- crawler.Request{ID: l.ID, URL: l.URL}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// complete notes that a held link's check is recorded. The check's own
// transaction already marked the link done in the run, so only its lease
// is left to end: leases are ended a batch at a time (one statement per
// batch instead of one per link), and the rest by ReleaseAll when the
// worker leaves the run.
func (w *worker) complete(ctx context.Context, id int64) error {
	w.mu.Lock()
	delete(w.held, id)
	w.completed = append(w.completed, id)
	var ids []int64
	if len(w.completed) >= w.o.Batch {
		ids, w.completed = w.completed, nil
	}
	w.mu.Unlock()
	select {
	case w.freed <- struct{}{}:
	default: // the feed has been told already
	}
	if ids == nil {
		return nil
	}
	err := w.r.pg.Complete(ctx, w.o.Name, w.runID, ids)
	if errors.Is(err, postgres.ErrLeaseLost) {
		// This worker was too slow and another took some links over: the
		// only case where a link may be checked twice. Say so, go on.
		w.r.log.Warn("completing links", "worker", w.o.Name, "err", err)
		return nil
	}
	return err
}

// room waits until the worker holds at most one batch, so that it never
// holds more than two. The crawler takes requests into a window of its
// own far larger than its concurrency; claiming as fast as it takes them
// would lease most of a run to the first worker and leave the others
// idle. Claiming only whole batches keeps Claims few.
func (w *worker) room(ctx context.Context) (int, error) {
	for {
		w.mu.Lock()
		n := len(w.held)
		w.mu.Unlock()
		if n <= w.o.Batch {
			return w.o.Batch, nil
		}
		select {
		case <-w.freed:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func (w *worker) heldIDs() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]int64, 0, len(w.held))
	for id := range w.held {
		ids = append(ids, id)
	}
	return ids
}

// extend renews the held leases three times per lease period.
func (w *worker) extend(ctx context.Context) {
	t := time.NewTicker(w.o.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ids := w.heldIDs(); len(ids) > 0 {
			// A lease lost (this worker was too slow) is the only
			// case where a link may be checked twice; say so.
			if err := w.r.pg.Extend(ctx, w.o.Name, ids, w.o.Lease); err != nil && ctx.Err() == nil {
				w.r.log.Warn("extending leases", "worker", w.o.Name, "err", err)
			}
		}
	}
}

// hostGate keeps crawler.per_host and per_host_interval across every
// worker through the database's host slots.
type hostGate struct {
	pg              *postgres.Store
	log             *slog.Logger
	holder          string
	limit           int
	interval, lease time.Duration
}

func (g *hostGate) Enter(ctx context.Context, host string) (func(), error) {
	slot, err := g.pg.WaitHostSlot(ctx, host, g.holder, g.limit, g.interval, g.lease)
	if err != nil {
		return nil, err
	}
	return func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := g.pg.ReleaseHostSlot(rctx, slot); err != nil {
			g.log.Warn("releasing a host slot (its lease frees it anyway)", "host", host, "err", err)
		}
	}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
