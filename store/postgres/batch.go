package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// RecordChecks implements store.CheckStore: the checks are written in
// order in one transaction, as RecordCheck writes one, and committed
// together or not at all.
func (s *Store) RecordChecks(ctx context.Context, ws []store.CheckWrite) ([]int64, error) {
	if len(ws) == 0 {
		return nil, nil
	}
	rows := make([]checkRow, len(ws))
	sts := make([]stateRow, len(ws))
	for i, w := range ws {
		var err error
		if rows[i], sts[i], err = encWrite(w); err != nil {
			return nil, fmt.Errorf("record check of %s: %w", writeName(w.Check), err)
		}
	}
	if len(ws) == 1 {
		// One statement: its own transaction, without BEGIN and COMMIT.
		id, err := recordCheckIn(ctx, s.pool, ws[0].Check, rows[0], ws[0].State != nil, sts[0])
		if err != nil {
			return nil, fmt.Errorf("record check of %s: %w", writeName(ws[0].Check), err)
		}
		return []int64{id}, nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("record %d checks: %w", len(ws), err)
	}
	defer tx.Rollback(ctx)
	ids := make([]int64, len(ws))
	for i, w := range ws {
		if ids[i], err = recordCheckIn(ctx, tx, w.Check, rows[i], w.State != nil, sts[i]); err != nil {
			return nil, fmt.Errorf("record check of %s: %w", writeName(w.Check), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("record %d checks: %w", len(ws), err)
	}
	return ids, nil
}

func encWrite(w store.CheckWrite) (checkRow, stateRow, error) {
	if w.Check.Pending && w.State != nil {
		return checkRow{}, stateRow{}, fmt.Errorf("a pending check cannot change state")
	}
	row, err := encCheck(w.Check)
	if err != nil {
		return checkRow{}, stateRow{}, err
	}
	var st stateRow
	if w.State != nil {
		if st, err = encState(*w.State, w.NextCheck); err != nil {
			return checkRow{}, stateRow{}, err
		}
	}
	return row, st, nil
}

func writeName(c store.CheckRecord) string {
	if c.URL != "" {
		return c.URL
	}
	return fmt.Sprintf("link %d", c.LinkID)
}

// queryRower is what recordCheckIn runs on: a transaction (a batch), or
// the pool (one check, its own transaction).
type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// recordCheckIn writes one check, in one statement: it locks the link row
// first (FOR UPDATE, so the state read is the state replaced, even with
// another worker writing the link), inserts the check and updates the
// link once: its new state, if any, and done_run (the link is done in
// the check's run, so the shared queue never hands it out again in that
// run, even when its worker dies before Complete; queue.go).
func recordCheckIn(ctx context.Context, q queryRower, c store.CheckRecord, row checkRow, setState bool, st stateRow) (int64, error) {
	args := []any{row.runID, row.checkedAt, c.Class, c.Status, c.FinalURL, row.redirects,
		c.Method, c.LatencyMS, c.Attempts, c.Error, row.evidence, c.Pending, setState}
	var after string
	if setState {
		after = string(st.st.State)
	}
	args = append(args, after)
	// $15 finds the link: its id, or (LinkID 0) its URL; $16 is the URL a
	// caller that gave both expects.
	find := `l.id = $15 AND ($16 = '' OR l.url = $16)`
	args = append(args, c.LinkID, c.URL)
	if c.LinkID == 0 {
		find = `l.url = $15 AND $16 = $16` // $16 is unused here but must be typed
		args[len(args)-2] = c.URL
	}
	set := `done_run = COALESCE(c.run_id, links.done_run)`
	if setState {
		set += `, ` + linkStateSet
		args = append(args, st.st.State, st.st.ConsecutiveFailures, st.firstFailure, st.lastSuccess, st.st.MovedTo, st.next)
	}
	var id int64
	err := q.QueryRow(ctx, `
		WITH old AS (SELECT l.id, l.state FROM links l WHERE `+find+` FOR UPDATE),
		c AS (
			INSERT INTO checks (link_id, run_id, checked_at, class, status_code, final_url, redirects,
				method, latency_ms, attempts, error, evidence, pending, state_before, state_after)
			SELECT old.id, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
				CASE WHEN $13::boolean THEN old.state ELSE '' END, $14
			FROM old
			RETURNING id, link_id, run_id, checked_at, class, status_code, error, final_url)
		UPDATE links SET `+set+` FROM c WHERE links.id = c.link_id
		RETURNING c.id`, args...).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) && c.LinkID != 0 && c.URL != "" {
		// Not found, or found under another URL: say which.
		var u string
		if q.QueryRow(ctx, `SELECT url FROM links WHERE id = $1`, c.LinkID).Scan(&u) == nil {
			return 0, fmt.Errorf("link %d is %s, not %s", c.LinkID, u, c.URL)
		}
	}
	if err != nil {
		return 0, notFound(err)
	}
	return id, nil
}
