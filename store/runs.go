package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// BeginRun implements CheckStore.
func (s *SQLite) BeginRun(ctx context.Context, startedAt time.Time, kind string) (int64, error) {
	if startedAt.IsZero() {
		return 0, errors.New("begin run: no start time")
	}
	t, err := encTime(startedAt)
	if err != nil {
		return 0, fmt.Errorf("begin run: %w", err)
	}
	var id int64
	err = s.w.QueryRowContext(ctx,
		"INSERT INTO runs (started_at, status, kind) VALUES (?, ?, ?) RETURNING id",
		t, RunRunning, kind).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("begin run: %w", err)
	}
	return id, nil
}

// FinishRun implements CheckStore.
func (s *SQLite) FinishRun(ctx context.Context, runID int64, finishedAt time.Time, status RunStatus, summary *RunSummary) error {
	switch status {
	case RunOK, RunNetworkDown, RunInterrupted, RunFailed:
	default:
		return fmt.Errorf("finish run %d: status %q is not one of %s, %s, %s, %s",
			runID, status, RunOK, RunNetworkDown, RunInterrupted, RunFailed)
	}
	if finishedAt.IsZero() {
		return fmt.Errorf("finish run %d: no finish time", runID)
	}
	t, err := encTime(finishedAt)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	var counts sql.NullString
	if summary != nil {
		b, err := json.Marshal(summary) // keys sorted: stable text
		if err != nil {
			return fmt.Errorf("finish run %d: %w", runID, err)
		}
		counts = sql.NullString{String: string(b), Valid: true}
	}
	// Only a running run can finish, so two processes (or a retry) cannot
	// overwrite each other's verdict.
	res, err := s.w.ExecContext(ctx,
		"UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE id = ? AND status = ?",
		t, status, counts, runID, RunRunning)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	if n == 1 {
		return nil
	}
	var prev string
	err = s.w.QueryRowContext(ctx, "SELECT status FROM runs WHERE id = ?", runID).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("finish run %d: %w", runID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	return fmt.Errorf("finish run %d: already finished (%s)", runID, prev)
}

// Runs implements CheckStore.
func (s *SQLite) Runs(ctx context.Context, limit int, fn func(Run) error) error {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.rq.QueryContext(ctx, `SELECT id, kind, started_at, finished_at, status, counts
		FROM runs ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                        Run
			started, finished, count sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.Kind, &started, &finished, &r.Status, &count); err != nil {
			return fmt.Errorf("list runs: %w", err)
		}
		if r.StartedAt, err = decTime(started); err != nil {
			return fmt.Errorf("list runs: run %d: %w", r.ID, err)
		}
		if r.FinishedAt, err = decTime(finished); err != nil {
			return fmt.Errorf("list runs: run %d: %w", r.ID, err)
		}
		if count.Valid && count.String != "" {
			if err := json.Unmarshal([]byte(count.String), &r.Summary); err != nil {
				return fmt.Errorf("list runs: run %d: stored counts %q: %w", r.ID, count.String, err)
			}
		}
		if err := fn(r); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list runs: %w", err)
	}
	return nil
}
