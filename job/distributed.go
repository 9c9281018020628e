package job

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// DistributedOptions tune CheckDistributed.
type DistributedOptions struct {
	Poll time.Duration // how often the queue is looked at; default 1s
	// Opened, when set, is called with the run's ID once workers can
	// claim its links.
	Opened func(runID int64)
}

// CheckDistributed is `linkrot check --distributed`: under the job lock it
// opens a run whose due links `linkrot worker` processes check from the
// shared queue, waits until the queue is empty, then decides network_down
// once over every check of the run (all workers together), applies or
// rewrites the pending checks and finishes the run. It checks nothing
// itself.
func (r *Runner) CheckDistributed(ctx context.Context, o DistributedOptions) (Summary, error) {
	if r.pg == nil {
		return Summary{}, fmt.Errorf("check --distributed: %w", ErrNoPostgres)
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	var sum Summary
	err := r.locked(ctx, func() error {
		if err := finishAbandonedRuns(ctx, r.cat, r.now()); err != nil {
			return err
		}
		start := r.now()
		runID, err := r.cat.BeginRun(ctx, start, KindDistributed)
		if err != nil {
			return err
		}
		sum.RunID = runID
		if o.Opened != nil {
			o.Opened(runID)
		}
		finish := func(status store.RunStatus, cause error) error {
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
			return cause
		}
		due := start.Add(dueMargin)
		for {
			q, err := r.pg.Remaining(ctx, runID, due, false)
			if err != nil {
				if ctx.Err() != nil {
					return finish(store.RunInterrupted, ctx.Err())
				}
				return finish(store.RunFailed, err)
			}
			if q.Finished() {
				break
			}
			if err := sleepCtx(ctx, o.Poll); err != nil {
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
	})
	return sum, err
}

// settleRun applies DESIGN.md's outage rule to every check of the run,
// whichever worker made it: if most hosts (and enough of them) failed at
// the network level, the pending checks become network_down; otherwise
// each is applied to its link. It fills in sum's counts.
func (r *Runner) settleRun(ctx context.Context, runID int64, sum *Summary) error {
	tried, failed := map[string]bool{}, map[string]bool{}
	err := r.cat.RunChecks(ctx, runID, runID, func(c store.RunCheck) error {
		sum.Checked++
		tried[c.Host] = true
		if cls, err := crawler.ParseClass(c.Class); err == nil && cls.IsNetworkLevel() {
			failed[c.Host] = true
		}
		if !c.Pending {
			countState(sum, c.StateAfter)
			if c.StateAfter == store.StateDead && c.StateBefore != store.StateDead {
				sum.NewlyDead++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	o := Options{}
	o.defaults()
	if len(failed) >= o.NetworkDownHosts && len(failed)*2 > len(tried) {
		n, err := r.cat.MarkRunNetworkDown(ctx, runID)
		if err != nil {
			return err
		}
		sum.NetworkDown += n
		return fmt.Errorf("%w (%d of %d hosts unreachable)", ErrNetworkDown, len(failed), len(tried))
	}
	policy := crawler.PolicyFrom(r.cfg.Recheck, r.cfg.DeadAfter)
	var pending []store.CheckRecord
	if err := r.cat.PendingChecks(ctx, runID, func(c store.CheckRecord) error { pending = append(pending, c); return nil }); err != nil {
		return err
	}
	for _, c := range pending {
		link, err := r.cat.LinkByURL(ctx, c.URL)
		if err != nil {
			return err
		}
		cls, err := crawler.ParseClass(c.Class)
		if err != nil {
			return fmt.Errorf("pending check %d: %w", c.ID, err)
		}
		next, at, trans := policy.Next(link.LinkStatus, crawler.Observation{URL: c.URL, Class: cls, FinalURL: c.FinalURL, CheckedAt: c.CheckedAt})
		if err := r.cat.ApplyPending(ctx, c.ID, next, at); err != nil {
			return fmt.Errorf("applying a deferred check: %w", err)
		}
		countState(sum, next.State)
		if trans.NewlyDead {
			sum.NewlyDead++
		}
		if trans.Recovered {
			sum.Recovered++
		}
	}
	return nil
}

// countState adds one link's state after the run to the summary.
func countState(sum *Summary, after store.LinkState) {
	switch after {
	case store.StateAlive:
		sum.Alive++
	case store.StateMoved:
		sum.Moved++
	case store.StateSuspect:
		sum.Suspect++
	case store.StateDead:
		sum.Dead++
	case store.StateBlocked:
		sum.Blocked++
	case store.StateExcluded:
		sum.Excluded++
	}
}
