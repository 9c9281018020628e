package postgres

import (
	"context"
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

// recordCheckIn writes one check in tx, locking its link row first so
// that the state read is the state replaced, as RecordCheck does. The
// check's row and the link's one update (its new state, if any, and
// done_run: the link is done in the check's run, so the shared queue
// never hands it out again in that run, even when its worker dies before
// Complete; queue.go) are one statement.
func recordCheckIn(ctx context.Context, tx pgx.Tx, c store.CheckRecord, row checkRow, setState bool, st stateRow) (int64, error) {
	linkID := c.LinkID
	var prevState string
	var err error
	if linkID != 0 {
		var u string
		err = tx.QueryRow(ctx, "SELECT url, state FROM links WHERE id = $1 FOR UPDATE", linkID).Scan(&u, &prevState)
		if err == nil && c.URL != "" && u != c.URL {
			return 0, fmt.Errorf("link %d is %s, not %s", linkID, u, c.URL)
		}
	} else {
		err = tx.QueryRow(ctx, "SELECT id, state FROM links WHERE url = $1 FOR UPDATE", c.URL).Scan(&linkID, &prevState)
	}
	if err != nil {
		return 0, notFound(err)
	}
	var before, after string
	if setState {
		before, after = prevState, string(st.st.State)
	}
	set := `done_run = COALESCE(c.run_id, links.done_run)`
	args := []any{linkID, row.runID, row.checkedAt, c.Class, c.Status, c.FinalURL, row.redirects,
		c.Method, c.LatencyMS, c.Attempts, c.Error, row.evidence, c.Pending, before, after}
	if setState {
		set += `, ` + linkStateSet
		args = append(args, st.st.State, st.st.ConsecutiveFailures, st.firstFailure, st.lastSuccess, st.st.MovedTo, st.next)
	}
	var id int64
	err = tx.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO checks (link_id, run_id, checked_at, class, status_code, final_url, redirects,
				method, latency_ms, attempts, error, evidence, pending, state_before, state_after)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			RETURNING id, link_id, run_id, checked_at, class, status_code, error, final_url)
		UPDATE links SET `+set+` FROM c WHERE links.id = c.link_id
		RETURNING c.id`, args...).Scan(&id)
	if err != nil {
		return 0, err
	}
	return id, nil
}
