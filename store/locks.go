package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AcquireLock implements CheckStore. The read and the write happen in one
// BEGIN IMMEDIATE transaction, which holds SQLite's write lock, so two
// processes racing for a free or stale lock cannot both win.
func (s *SQLite) AcquireLock(ctx context.Context, name, owner string, now time.Time, staleAfter time.Duration) error {
	if name == "" || owner == "" {
		return fmt.Errorf("acquire lock %q for %q: empty name or owner", name, owner)
	}
	if staleAfter <= 0 {
		// Without a timeout a crashed holder would block every later job
		// until someone edits the database by hand.
		return fmt.Errorf("acquire lock %q: stale timeout must be positive, got %v", name, staleAfter)
	}
	if now.IsZero() {
		return fmt.Errorf("acquire lock %q: no current time given", name)
	}
	t, err := encTime(now)
	if err != nil {
		return fmt.Errorf("acquire lock %q: %w", name, err)
	}
	if err := s.acquireLock(ctx, name, owner, now, t, staleAfter); err != nil {
		var held *LockHeldError
		if errors.As(err, &held) {
			return err
		}
		return fmt.Errorf("acquire lock %q: %w", name, err)
	}
	return nil
}

func (s *SQLite) acquireLock(ctx context.Context, name, owner string, now time.Time, t any, staleAfter time.Duration) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var (
		holder          string
		acquired, heart sql.NullString
	)
	err = tx.QueryRowContext(ctx, "SELECT owner, acquired_at, heartbeat FROM locks WHERE name = ?", name).
		Scan(&holder, &acquired, &heart)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx,
			"INSERT INTO locks (name, owner, acquired_at, heartbeat) VALUES (?, ?, ?, ?)", name, owner, t, t)
	case err != nil:
		return err
	case holder == owner:
		_, err = tx.ExecContext(ctx, "UPDATE locks SET heartbeat = ? WHERE name = ?", t, name)
	default:
		var since, beat time.Time
		if since, err = decTime(acquired); err != nil {
			return err
		}
		if beat, err = decTime(heart); err != nil {
			return err
		}
		// A heartbeat dated in the future was written by a clock that was
		// wrong (or set back since); trusting it could block every job for
		// as long as the clock was off, so it counts as stale.
		if age := now.Sub(beat); age >= 0 && age < staleAfter {
			return &LockHeldError{Name: name, Owner: holder, Since: since, Heartbeat: beat}
		}
		// The holder has been silent for staleAfter: presumed dead.
		_, err = tx.ExecContext(ctx,
			"UPDATE locks SET owner = ?, acquired_at = ?, heartbeat = ? WHERE name = ?", owner, t, t, name)
	}
	if err != nil {
		return err
	}
	return tx.Commit()
}

// Heartbeat implements CheckStore.
func (s *SQLite) Heartbeat(ctx context.Context, name, owner string, now time.Time) error {
	if now.IsZero() {
		return fmt.Errorf("heartbeat of lock %q: no current time given", name)
	}
	t, err := encTime(now)
	if err != nil {
		return fmt.Errorf("heartbeat of lock %q: %w", name, err)
	}
	res, err := s.wq.ExecContext(ctx, "UPDATE locks SET heartbeat = ? WHERE name = ? AND owner = ?", t, name, owner)
	if err != nil {
		return fmt.Errorf("heartbeat of lock %q: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("heartbeat of lock %q: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("lock %q is no longer held by %s: %w", name, owner, ErrLockLost)
	}
	return nil
}

// ReleaseLock implements CheckStore.
func (s *SQLite) ReleaseLock(ctx context.Context, name, owner string) error {
	// The owner condition makes a late release by a holder that was taken
	// over harmless to the new holder.
	if _, err := s.wq.ExecContext(ctx, "DELETE FROM locks WHERE name = ? AND owner = ?", name, owner); err != nil {
		return fmt.Errorf("release lock %q: %w", name, err)
	}
	return nil
}
