package job

import (
	"context"
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
	var sum Summary
	err := r.locked(ctx, func() error {
		var err error
		sum, err = r.runQueue(ctx, queueOptions{kind: KindDistributed, poll: o.Poll, opened: o.Opened})
		return err
	})
	return sum, err
}

// tallyRun counts every check of the run, whichever worker made it, into
// a run whose summary starts from sum, as a run in one process counts its
// checks once committed (writer.go's committed): pending checks are
// counted as checked, their hosts as failing at the network level.
func (r *Runner) tallyRun(ctx context.Context, runID int64, sum Summary) (*run, error) {
	o := Options{}
	o.defaults()
	acc := newRun(r.cat, o, runID)
	acc.sum = sum
	err := r.cat.RunChecks(ctx, runID, runID, func(c store.RunCheck) error {
		cls, err := crawler.ParseClass(c.Class)
		if err != nil {
			return fmt.Errorf("check %d of run %d: %w", c.ID, runID, err)
		}
		if cls == crawler.ClassExcluded {
			acc.sum.Excluded++ // not fetched: not a check, no host tried
			return nil
		}
		acc.sum.Checked++
		acc.noteOutcome(c.URL, crawler.Result{Class: cls, Err: c.Error})
		acc.hostsTried[c.Host] = true
		if c.Pending {
			acc.hostsNetFail[c.Host] = true
			return nil
		}
		acc.count(c.StateAfter, crawler.Transition{
			NewlyDead: c.StateAfter == store.StateDead && c.StateBefore != store.StateDead,
			Recovered: c.StateBefore == store.StateDead && cls.IsSuccess(),
		})
		return nil
	})
	return acc, err
}

// settleRun applies DESIGN.md's outage rule to every check of the run,
// whichever worker made it: if most hosts (and enough of them) failed at
// the network level, the pending checks become network_down; otherwise
// each is applied to its link. It fills in sum's counts (tallyRun).
func (r *Runner) settleRun(ctx context.Context, runID int64, sum *Summary) error {
	acc, err := r.tallyRun(ctx, runID, *sum)
	defer func() { *sum = acc.sum }()
	if err != nil {
		return err
	}
	if acc.networkDown() {
		n, err := r.cat.MarkRunNetworkDown(ctx, runID)
		if err != nil {
			return err
		}
		acc.sum.NetworkDown += n
		return fmt.Errorf("%w (%d of %d hosts unreachable)", ErrNetworkDown, len(acc.hostsNetFail), len(acc.hostsTried))
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
		acc.pending = append(acc.pending, pendingState{checkID: c.ID, state: next, next: at, trans: trans})
	}
	return acc.applyPending(ctx)
}
