package store

import (
	"context"
	"fmt"
	"time"
)

// CheckWrite is one check for RecordChecks, with what RecordCheck takes
// besides it: the link's new state (nil: history only) and next check.
type CheckWrite struct {
	Check     CheckRecord
	State     *LinkStatus
	NextCheck time.Time
}

// encWrite validates and encodes one CheckWrite before any transaction.
func encWrite(w CheckWrite) (checkRow, stateRow, error) {
	c := w.Check
	if c.Pending && w.State != nil {
		return checkRow{}, stateRow{}, fmt.Errorf("a pending check cannot change state")
	}
	row, err := encCheck(c)
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

// checkName names a check in errors: its URL, else its link.
func checkName(c CheckRecord) string {
	if c.URL != "" {
		return c.URL
	}
	return fmt.Sprintf("link %d", c.LinkID)
}

// RecordChecks implements CheckStore.
func (s *SQLite) RecordChecks(ctx context.Context, ws []CheckWrite) ([]int64, error) {
	if len(ws) == 0 {
		return nil, nil
	}
	rows := make([]checkRow, len(ws))
	sts := make([]stateRow, len(ws))
	for i, w := range ws {
		var err error
		if rows[i], sts[i], err = encWrite(w); err != nil {
			return nil, fmt.Errorf("record check of %s: %w", checkName(w.Check), err)
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("record %d checks: %w", len(ws), err)
	}
	defer tx.Rollback()
	ids := make([]int64, len(ws))
	for i, w := range ws {
		if ids[i], err = s.recordCheckTx(ctx, tx, w.Check, rows[i], w.State != nil, sts[i]); err != nil {
			return nil, fmt.Errorf("record check of %s: %w", checkName(w.Check), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("record %d checks: %w", len(ws), err)
	}
	return ids, nil
}
