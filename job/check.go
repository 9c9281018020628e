// This file is the check run: it streams the due links through the
// crawler, records every check as it finishes (record.go, writer.go), applies the link
// state machine, and tells the checker's own network outage from link rot.

package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// Checker is the part of the crawler a run needs.
type Checker interface {
	Run(ctx context.Context, in <-chan crawler.Request, out func(crawler.Request, crawler.Result)) error
	Check(ctx context.Context, url string) crawler.Result
}

// Catalog is the part of the store a run needs.
type Catalog interface {
	LinkByURL(ctx context.Context, url string) (store.Link, error)
	CountDue(ctx context.Context, now time.Time, all bool) (int, error)
	DueHosts(ctx context.Context, now time.Time, all bool, afterHost string, limit int, fn func(string) error) error
	DueLinksOfHost(ctx context.Context, now time.Time, all bool, q store.DueQuery, fn func(store.DueLink) error) error
	BeginRun(ctx context.Context, startedAt time.Time, kind string) (int64, error)
	FinishRun(ctx context.Context, runID int64, finishedAt time.Time, status store.RunStatus, summary *store.RunSummary) error
	Runs(ctx context.Context, limit int, fn func(store.Run) error) error
	RecordCheck(ctx context.Context, c store.CheckRecord, state *store.LinkStatus, nextCheck time.Time) (int64, error)
	RecordChecks(ctx context.Context, ws []store.CheckWrite) ([]int64, error)
	ApplyPending(ctx context.Context, checkID int64, state store.LinkStatus, nextCheck time.Time) error
	MarkRunNetworkDown(ctx context.Context, runID int64) (int, error)
	OccurrencesNeedingVerification(ctx context.Context, fn func(store.OccurrenceRef) error) error
	AdoptRepair(ctx context.Context, occurrenceID int64, url string, confidence float64, reasons []string, at time.Time) error
	AcquireLock(ctx context.Context, name, owner string, now time.Time, staleAfter time.Duration) error
	Heartbeat(ctx context.Context, name, owner string, now time.Time) error
	ReleaseLock(ctx context.Context, name, owner string) error
}

// Capturer keeps snapshots of live pages; *archive.Archiver is one.
type Capturer interface {
	Capture(ctx context.Context, linkID int64, r archive.Response) (archive.Outcome, archive.Snapshot, error)
}

// Progress hears about a run as it goes; the CLI draws a bar with it.
type Progress interface {
	Start(total int)
	Checked(url string, class crawler.Class, state store.LinkState)
	Finish()
}

// Options tune a check run.
type Options struct {
	All      bool // ignore next_check: check every link in use
	Policy   crawler.Policy
	Excluder *config.Excluder
	Now      func() time.Time
	Owner    string // lock owner; pid@host when empty
	Progress Progress
	Logger   *slog.Logger
	// NetworkDownHosts is the least number of distinct hosts that must fail
	// at the network level (and be most of the hosts tried) before a run
	// is judged the checker's own outage. Default 3.
	NetworkDownHosts int
	// Verify checks the candidates of doubtful repairs before the run.
	Verify bool
	// Archive, when set, is given every successful response that has a
	// body (the crawler's KeepBody), after its check is recorded.
	Archive Capturer
	// Drift, when set, gives every HTML answer a content verdict
	// (similarity to the cited copy, drifted, replaced) from the body the
	// check read; the catalog must then be a driftCatalog.
	Drift *DriftOptions
	// UserAgent goes into the archived request record.
	UserAgent string
	// ActiveHosts is how many hosts take turns in the feed at a time; it
	// should let the crawler fill its global slots (concurrency / per_host,
	// with room to spare). Default 32.
	ActiveHosts int
	// HostBacklog is the most links of one host the feed hands the
	// crawler before some come back (0: no limit). It keeps a slow host
	// from filling the crawler's queue while faster hosts wait; the feed
	// takes another host in the meantime. RunPipeline sets 2 × per_host.
	HostBacklog int
	// BacklogWait is how long the feed, with every active host at
	// HostBacklog, waits for a link to come back before it hands out one
	// more anyway (default 1 s): a result that never comes back must not
	// stall a run.
	BacklogWait time.Duration
	// Kind names what started the run in the catalog ("check", "run",
	// "serve"). Default "check".
	Kind string
	// Locked says the caller already holds the job lock as Owner
	// (RunPipeline holds it across rescan, check and report), so Check
	// must neither take it again nor release it.
	Locked bool
	// Stop, when closed, ends the run gently: no more due links are
	// handed to the crawler, the checks it has taken finish (or time out)
	// and are recorded, and the run ends interrupted with ErrStopped.
	// The crawler may have taken up to its queue window (1024 or more)
	// besides the requests in flight, so bound the drain by cancelling ctx,
	// which abandons whatever is left.
	Stop <-chan struct{}
}

// dueMargin is how far past the run's start a link may be due and still be
// checked in this run.
const dueMargin = time.Hour

// ErrNetworkDown is returned (wrapped) when a run was judged the checker's
// own outage: its checks changed no state.
var ErrNetworkDown = errors.New("most hosts failed at the network level; this looks like the checker's own network outage, so no link state was changed")

// ErrStopped is returned when Options.Stop ended a run before every due
// link was checked; the rest are checked by the next run.
var ErrStopped = errors.New("run stopped before every due link was checked")

// Summary is what a run did; the catalog keeps it with the run.
type Summary = store.RunSummary

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Owner == "" {
		o.Owner = defaultOwner()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ActiveHosts <= 0 {
		o.ActiveHosts = 32
	}
	if o.NetworkDownHosts <= 0 {
		o.NetworkDownHosts = 3
	}
	if o.Progress == nil {
		o.Progress = noProgress{}
	}
	if o.Kind == "" {
		o.Kind = "check"
	}
}

type noProgress struct{}

func (noProgress) Start(int)                                      {}
func (noProgress) Checked(string, crawler.Class, store.LinkState) {}
func (noProgress) Finish()                                        {}

// Check runs one check of every due link. Checks are committed in small
// batches within a few tens of milliseconds of finishing, and counted only
// once committed, so a killed run loses only the requests in flight and
// the last batch, none of which it had reported.
func Check(ctx context.Context, cat Catalog, chk Checker, opts Options) (Summary, error) {
	opts.defaults()
	if !opts.Locked {
		release, err := Lock(ctx, cat, opts.Owner, opts.Now, opts.Logger)
		if err != nil {
			return Summary{}, err
		}
		defer release()
	}
	if err := finishAbandonedRuns(ctx, cat, opts.Now()); err != nil {
		return Summary{}, err
	}
	removeLeftovers(ctx, opts.Archive, opts.Logger)
	if stopRequested(opts.Stop) {
		// Stopped before checking began (serve shut down during the
		// rescan): no run is recorded; the next one does the work.
		return Summary{}, ErrStopped
	}
	start := opts.Now()
	runID, err := cat.BeginRun(ctx, start, opts.Kind)
	if err != nil {
		return Summary{}, err
	}
	r := newRun(cat, opts, runID)
	if opts.Verify {
		if err := r.verifyRepairs(ctx, chk); err != nil {
			return r.finish(ctx, start, store.RunFailed, err)
		}
	}
	err = r.checkDue(ctx, chk)
	switch {
	case ctx.Err() != nil:
		return r.finish(ctx, start, store.RunInterrupted, ctx.Err())
	case err != nil:
		return r.finish(ctx, start, store.RunFailed, err)
	case r.stopped.Load():
		// Pending network-level checks stay pending, as after a cancel:
		// too few hosts were tried to tell an outage from link rot.
		return r.finish(ctx, start, store.RunInterrupted, ErrStopped)
	}
	if r.networkDown() {
		n, err := cat.MarkRunNetworkDown(ctx, runID)
		if err != nil {
			return r.finish(ctx, start, store.RunFailed, err)
		}
		r.sum.NetworkDown += n
		return r.finish(ctx, start, store.RunNetworkDown, fmt.Errorf("%w (%d of %d hosts unreachable)", ErrNetworkDown, len(r.hostsNetFail), len(r.hostsTried)))
	}
	if err := r.applyPending(ctx); err != nil {
		return r.finish(ctx, start, store.RunFailed, err)
	}
	return r.finish(ctx, start, store.RunOK, nil)
}

func stopRequested(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false // also for a nil channel: no stop was asked for
	}
}

// finishAbandonedRuns closes runs left "running" by a killed process; the
// caller holds the lock, so no live process owns them.
func finishAbandonedRuns(ctx context.Context, cat Catalog, now time.Time) error {
	var open []int64
	err := cat.Runs(ctx, 20, func(r store.Run) error {
		if r.Status == store.RunRunning {
			open = append(open, r.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range open {
		if err := cat.FinishRun(ctx, id, now, store.RunInterrupted, nil); err != nil {
			return err
		}
	}
	return nil
}

// run is the state of one check run.
type run struct {
	cat   Catalog
	opts  Options
	runID int64
	mu    sync.Mutex
	sum   Summary
	// inFlight holds the due links handed to the crawler and not yet back:
	// bounded by the crawler's queues, not by the number of links.
	inFlight     map[int64]store.DueLink
	hostOut      map[string]int // inFlight per host, for Options.HostBacklog
	back         chan struct{}  // a link came back from the crawler (feed.go)
	waits        waits          // what the run waits on, for the progress display (waiting.go)
	hostsTried   map[string]bool
	hostsNetFail map[string]bool
	pending      []pendingState
	recordErr    error
	stopped      atomic.Bool // Options.Stop ended the feed
	// content feeds the workers that judge and archive responses (after
	// their check is committed); small, since each item holds a whole
	// response body.
	content  chan contentJob
	drift    *DriftOptions // nil: no content verdicts
	driftCat driftCatalog
	drifts   chan store.Drift // verdicts waiting for their batch (driftwriter.go)
	copies   *idSet           // links with a good copy when the run began; nil: not known
	warns    warnings         // repeated per-link failures, told once per kind at the end
	// writes feeds the writer goroutine (writer.go), which commits checks
	// in batches.
	writes chan write
	queued byteGate // response bytes in writes and the batch being filled
}

type captureJob struct {
	linkID int64
	resp   archive.Response
}

// pendingState is the state a network-level failure will set if the run
// turns out not to be the checker's own outage.
type pendingState struct {
	checkID int64
	state   store.LinkStatus
	next    time.Time
	trans   crawler.Transition
}

func (r *run) finish(ctx context.Context, start time.Time, status store.RunStatus, cause error) (Summary, error) {
	r.sum.Status = status
	r.sum.Duration = r.opts.Now().Sub(start)
	if s := r.sum.Duration.Seconds(); s > 0 {
		r.sum.ChecksPerS = float64(r.sum.Checked) / s
	}
	// The catalog's totals after the run, so that a plot over runs shows
	// how many links are dead, not just how many this run happened to check.
	if c, ok := r.cat.(interface {
		LinkStateCounts(context.Context) (map[store.LinkState]int, error)
	}); ok {
		if totals, err := c.LinkStateCounts(context.WithoutCancel(ctx)); err == nil {
			r.sum.Totals = totals
		}
	}
	if err := r.cat.FinishRun(context.WithoutCancel(ctx), r.runID, r.opts.Now(), status, &r.sum); err != nil && cause == nil {
		cause = err
	}
	return r.sum, cause
}

// checkDue streams the due links into the crawler and records each result.
func (r *run) checkDue(ctx context.Context, chk Checker) error {
	defer r.warns.flush(r.opts.Logger) // last: after the content workers and the verdict writer
	// A link checked late in last night's run is due a little after
	// tonight's start; the margin keeps it from slipping a whole night.
	now := r.opts.Now().Add(dueMargin)
	// The progress total is counted beside the first checks, not before
	// them: on a large catalog the count is a scan the first requests
	// need not wait for. Without it the bar only counts up. Its query
	// starts before any check can be committed and reads one snapshot
	// (SQLite's WAL, PostgreSQL's statement), so the checks committed
	// meanwhile do not change what it counts.
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		total, err := r.cat.CountDue(ctx, now, r.opts.All)
		if err != nil {
			r.opts.Logger.Debug("counting the due links for the progress bar", "err", err)
			return
		}
		r.opts.Progress.Start(total)
	}()
	defer r.opts.Progress.Finish()
	defer func() { <-counted }()

	in := make(chan crawler.Request, 64)
	feedErr := make(chan error, 1)
	feedCtx, cancelFeed := context.WithCancel(ctx)
	defer cancelFeed()
	// The archive workers, then the writer, start before the feed: the
	// writer hands captures to them, and the feed writes excluded links.
	waitContent := r.startContent(ctx)
	fail := func(err error) {
		r.mu.Lock()
		if r.recordErr == nil {
			r.recordErr = err
		}
		r.mu.Unlock()
		cancelFeed()
	}
	r.writes = make(chan write, batchMax)
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		r.writeLoop(ctx, r.writes, fail)
	}()
	fed := make(chan struct{}) // closed when the feed has returned
	if r.opts.Stop != nil {
		// Stopping ends only the feed: the crawler finishes what it has
		// taken (ctx is still live) and Run returns once in is drained.
		// A stop after the last link was fed changes nothing.
		go func() {
			select {
			case <-r.opts.Stop:
				r.stopped.Store(true)
				cancelFeed()
			case <-fed:
			}
		}()
	}
	go func() {
		defer close(fed)
		defer close(in)
		feedErr <- r.feed(feedCtx, now, func(l store.DueLink) error {
			if reason, excluded := r.excluded(l.URL); excluded {
				r.recordExcluded(l, "excluded by configuration: "+reason)
				return nil
			}
			if l.DefangedOnly {
				// Refanging is for reading and reports; fetching a
				// malware indicator someone defanged would be harmful.
				r.recordExcluded(l, "written defanged in every document that cites it (a security indicator), so never fetched")
				return nil
			}
			r.mu.Lock()
			r.inFlight[l.ID] = l
			r.hostOut[l.Host]++
			r.waits.handed(l.ID, l.URL)
			r.mu.Unlock()
			select {
			case in <- crawler.Request{ID: l.ID, URL: l.URL}:
				return nil
			case <-feedCtx.Done():
				return feedCtx.Err()
			}
		})
	}()
	stopWatch := r.watchWaits()
	defer stopWatch()
	runErr := chk.Run(ctx, in, func(req crawler.Request, res crawler.Result) {
		if err := r.record(req, res); err != nil {
			fail(err)
		}
	})
	cancelFeed()
	// The feed writes excluded links too: it must be done before the
	// writer is told there is nothing more.
	ferr := <-feedErr
	close(r.writes)
	<-writerDone
	waitContent()
	switch {
	case r.recordErr != nil:
		return r.recordErr
	case runErr != nil:
		return runErr
	case ferr != nil && !errors.Is(ferr, context.Canceled):
		return ferr
	}
	return nil
}

func (r *run) excluded(raw string) (string, bool) {
	if r.opts.Excluder == nil {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "unparsable URL: " + err.Error(), true
	}
	return r.opts.Excluder.Match(u)
}

// capture hands one response to the archive. A failed capture is logged
// and counted; it never fails the run, whose checks are already safe.
func (r *run) capture(ctx context.Context, j captureJob) {
	out, _, err := r.opts.Archive.Capture(ctx, j.linkID, j.resp)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopping: the capture was abandoned, not broken.
		r.opts.Logger.Debug("snapshot abandoned", "url", j.resp.URL, "err", err)
	case err != nil:
		r.sum.CaptureErrs++
		r.warns.add(r.opts.Logger, "snapshot failed", j.resp.URL, err)
	case out == archive.Captured:
		r.sum.Captured++
	case out == archive.Unchanged:
		r.sum.Unchanged++
	}
}

// count adds one link's outcome to the summary; the caller holds mu.
func (r *run) count(state store.LinkState, t crawler.Transition) {
	switch state {
	case store.StateAlive:
		r.sum.Alive++
	case store.StateMoved:
		r.sum.Moved++
	case store.StateSuspect:
		r.sum.Suspect++
	case store.StateDead:
		r.sum.Dead++
	case store.StateBlocked:
		r.sum.Blocked++
	case store.StateExcluded:
		r.sum.Excluded++
	}
	if t.NewlyDead {
		r.sum.NewlyDead++
	}
	if t.Recovered {
		r.sum.Recovered++
	}
}

// networkDown applies DESIGN.md's rule: most distinct hosts failed at the
// network level, and enough of them that it is not one bad site.
func (r *run) networkDown() bool {
	failed, tried := len(r.hostsNetFail), len(r.hostsTried)
	return failed >= r.opts.NetworkDownHosts && failed*2 > tried
}

func (r *run) applyPending(ctx context.Context) error {
	for _, p := range r.pending {
		if err := r.cat.ApplyPending(ctx, p.checkID, p.state, p.next); err != nil {
			return fmt.Errorf("applying a deferred check: %w", err)
		}
		r.count(p.state.State, p.trans)
	}
	r.pending = nil
	return nil
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return strings.ToLower(u.Hostname())
	}
	return raw
}
