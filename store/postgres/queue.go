package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/linkrot/linkrot/store"
)

// The shared queue. A run (store.CheckStore.BeginRun, by whichever process
// schedules it) fixes the instant links are due at; every worker then
// loops Claim, check, RecordCheck, Complete until Remaining says nothing
// is left. A link is handed to one worker at a time: Claim locks the rows
// it takes (FOR UPDATE SKIP LOCKED, so workers never wait on each other)
// and leases them to the worker until a time on the database's clock.
// A worker that dies stops renewing its leases (Extend); when they run
// out, the next Claim by any worker takes those links over, so none is
// skipped. Recording a check marks its link done for the run (done_run,
// in the check's own transaction), so none is checked twice, even when
// its check left it due (a pending check) or its worker died before
// Complete; Complete ends the lease.

// ErrLeaseLost matches (errors.Is) the error of Extend and Complete when
// some of the worker's leases had run out and another worker took the
// links: the caller must not record checks for them.
var ErrLeaseLost = errors.New("lease lost")

// ClaimQuery says what a worker claims.
type ClaimQuery struct {
	Worker string        // unique per worker process, as lock owners are
	RunID  int64         // the run the links are checked for
	Now    time.Time     // links due at or before Now (the run's start)
	All    bool          // every link in use, due or not (a forced run)
	Limit  int           // batch size
	Lease  time.Duration // how long the worker may hold them without Extend
}

// Claim leases to q.Worker up to q.Limit links that are due (as DueLinks
// defines it), not yet done in q.RunID and not leased to anyone (or whose
// lease ran out), in DueLinks order. A run no longer running (its
// coordinator stopped, failed or was replaced) has nothing to claim.
func (s *Store) Claim(ctx context.Context, q ClaimQuery) ([]store.DueLink, error) {
	what := fmt.Sprintf("claim links for %s in run %d", q.Worker, q.RunID)
	if q.Worker == "" || q.RunID == 0 || q.Limit <= 0 || q.Lease <= 0 {
		return nil, fmt.Errorf("%s: worker, run, limit and lease must all be set", what)
	}
	var a args
	worker, run := a.add(q.Worker), a.add(q.RunID)
	cond, err := dueCondition(&a, q.Now, q.All)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	// clock_timestamp, not now(): now() is when the transaction began,
	// which can be long before the row locks were granted. The UPDATE
	// finds the batch by = ANY of an array, so it reads the batch's rows
	// by key whatever the planner thinks of joining a CTE.
	rows, err := s.pool.Query(ctx, `
		WITH c AS (
			SELECT l.id FROM links l
			WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)`+cond+`
				AND l.done_run IS DISTINCT FROM `+run+`
				AND (l.lease_until IS NULL OR l.lease_until < clock_timestamp())
				AND `+runOpen(run)+`
			ORDER BY l.next_check, l.id
			LIMIT `+a.add(q.Limit)+`
			FOR UPDATE OF l SKIP LOCKED)
		UPDATE links l SET claimed_by = `+worker+`,
			lease_until = clock_timestamp() + `+a.add(q.Lease)+`
		WHERE l.id = ANY (ARRAY(SELECT id FROM c))
		RETURNING `+dueLinkColumns, a...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var out []store.DueLink
	err = eachRow(ctx, rows, what, scanDueLinkRows, func(d store.DueLink) error {
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(x, y store.DueLink) int {
		if c := x.NextCheck.Compare(y.NextCheck); c != 0 {
			return c
		}
		return int(x.ID - y.ID)
	})
	return out, nil
}

// Extend renews the worker's leases on links by lease from now. It returns
// ErrLeaseLost (wrapped, naming how many) if some of them are no longer
// the worker's; the others are renewed.
func (s *Store) Extend(ctx context.Context, worker string, links []int64, lease time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE links SET lease_until = clock_timestamp() + $1
		WHERE id = ANY($2) AND claimed_by = $3 AND lease_until IS NOT NULL`, lease, links, worker)
	if err != nil {
		return fmt.Errorf("extend leases of %s: %w", worker, err)
	}
	if n := int(tag.RowsAffected()); n != len(links) {
		return fmt.Errorf("extend leases of %s: %d of %d links are no longer held: %w", worker, len(links)-n, len(links), ErrLeaseLost)
	}
	return nil
}

// Complete marks links done for run and ends the worker's leases on them.
// Links whose lease the worker no longer holds are left alone and counted
// in the ErrLeaseLost error.
func (s *Store) Complete(ctx context.Context, worker string, runID int64, links []int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE links SET done_run = $1, claimed_by = '', lease_until = NULL
		WHERE id = ANY($2) AND claimed_by = $3 AND lease_until IS NOT NULL`, runID, links, worker)
	if err != nil {
		return fmt.Errorf("complete links of %s: %w", worker, err)
	}
	if n := int(tag.RowsAffected()); n != len(links) {
		return fmt.Errorf("complete links of %s: %d of %d were no longer held: %w", worker, len(links)-n, len(links), ErrLeaseLost)
	}
	return nil
}

// Release gives links back unchecked (a worker shutting down), so that
// other workers can claim them at once instead of after the lease.
func (s *Store) Release(ctx context.Context, worker string, links []int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE links SET claimed_by = '', lease_until = NULL
		WHERE id = ANY($1) AND claimed_by = $2`, links, worker)
	if err != nil {
		return fmt.Errorf("release links of %s: %w", worker, err)
	}
	return nil
}

// ReleaseAll gives back every link worker still holds. A stopping worker
// calls it rather than Release with the links it knows of: a stop that
// cancels a Claim after the database committed it leaves links leased
// that the worker never saw.
func (s *Store) ReleaseAll(ctx context.Context, worker string) error {
	_, err := s.pool.Exec(ctx, `UPDATE links SET claimed_by = '', lease_until = NULL
		WHERE claimed_by = $1`, worker)
	if err != nil {
		return fmt.Errorf("release links of %s: %w", worker, err)
	}
	return nil
}

// QueueState is what is left of a run's queue.
type QueueState struct {
	Todo   int // due, not done in the run, not leased: claimable now
	Leased int // due, not done, under a live lease: being checked
	Done   int // done in the run (due or not since)
	// Closed: the run is no longer running (stopped, failed, or closed
	// as abandoned), so nothing more is claimed from it.
	Closed bool
}

// Finished reports whether nothing is left to claim or being checked.
func (q QueueState) Finished() bool { return q.Todo == 0 && q.Leased == 0 }

// Remaining counts a run's queue, with the due rule of Claim (now, all).
func (s *Store) Remaining(ctx context.Context, runID int64, now time.Time, all bool) (QueueState, error) {
	var a args
	run := a.add(runID)
	cond, err := dueCondition(&a, now, all)
	if err != nil {
		return QueueState{}, fmt.Errorf("queue of run %d: %w", runID, err)
	}
	var q QueueState
	err = s.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE l.done_run IS DISTINCT FROM `+run+`
				AND (l.lease_until IS NULL OR l.lease_until < clock_timestamp())),
			count(*) FILTER (WHERE l.done_run IS DISTINCT FROM `+run+` AND l.lease_until >= clock_timestamp()),
			(SELECT count(*) FROM links WHERE done_run = `+run+`),
			NOT `+runOpen(run)+`
		FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)`+cond, a...).
		Scan(&q.Todo, &q.Leased, &q.Done, &q.Closed)
	if err != nil {
		return QueueState{}, fmt.Errorf("queue of run %d: %w", runID, err)
	}
	return q, nil
}

// runOpen is true while the run (the parameter run) is running.
func runOpen(run string) string {
	return `EXISTS (SELECT 1 FROM runs WHERE id = ` + run + ` AND status = 'running')`
}

// Analyze refreshes the planner's statistics of the tables the queue's
// statements read. Claim picks the first due links in next_check order;
// on statistics older than the catalog's last big change (a first run
// after `add` or migrate-store, before autovacuum came by) the planner
// reads every present link and sorts them instead, for every Claim. A
// coordinator calls it once as it opens a run; it samples at most a few
// tens of thousands of rows per table, whatever the catalog's size.
func (s *Store) Analyze(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `ANALYZE links, occurrences, documents, checks, host_slots`); err != nil {
		return fmt.Errorf("refreshing the planner's statistics: %w", err)
	}
	return nil
}
