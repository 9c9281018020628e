package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/store"
)

// AcquireLock implements store.CheckStore: the row is read FOR UPDATE (or
// inserted, ON CONFLICT waiting for a racing inserter) in one transaction,
// so two processes racing for a free or stale lock cannot both win.
func (s *Store) AcquireLock(ctx context.Context, name, owner string, now time.Time, staleAfter time.Duration) error {
	if name == "" || owner == "" {
		return fmt.Errorf("acquire lock %q for %q: empty name or owner", name, owner)
	}
	if staleAfter <= 0 {
		return fmt.Errorf("acquire lock %q: stale timeout must be positive, got %v", name, staleAfter)
	}
	if now.IsZero() {
		now = time.Now()
	}
	t, err := encTime(now)
	if err != nil {
		return fmt.Errorf("acquire lock %q: %w", name, err)
	}
	if err := s.acquireLock(ctx, name, owner, now, t, staleAfter); err != nil {
		var held *store.LockHeldError
		if errors.As(err, &held) {
			return err
		}
		return fmt.Errorf("acquire lock %q: %w", name, err)
	}
	return nil
}

func (s *Store) acquireLock(ctx context.Context, name, owner string, now time.Time, t *string, staleAfter time.Duration) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	// Insert if free; a concurrent inserter makes this wait and then do
	// nothing, and the row is read below either way.
	if _, err := tx.Exec(ctx, `INSERT INTO locks (name, owner, acquired_at, heartbeat) VALUES ($1, $2, $3, $3)
		ON CONFLICT (name) DO NOTHING`, name, owner, t); err != nil {
		return err
	}
	var (
		holder          string
		acquired, heart *string
	)
	err = tx.QueryRow(ctx, "SELECT owner, acquired_at, heartbeat FROM locks WHERE name = $1 FOR UPDATE", name).
		Scan(&holder, &acquired, &heart)
	if err != nil {
		return err
	}
	switch {
	case holder == owner:
		_, err = tx.Exec(ctx, "UPDATE locks SET heartbeat = $1 WHERE name = $2", t, name)
	default:
		var since, beat time.Time
		if err := decTimes(&since, acquired, &beat, heart); err != nil {
			return err
		}
		if now.Sub(beat) < staleAfter {
			return &store.LockHeldError{Name: name, Owner: holder, Since: since, Heartbeat: beat}
		}
		_, err = tx.Exec(ctx, "UPDATE locks SET owner = $1, acquired_at = $2, heartbeat = $2 WHERE name = $3", owner, t, name)
	}
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Heartbeat implements store.CheckStore.
func (s *Store) Heartbeat(ctx context.Context, name, owner string, now time.Time) error {
	if now.IsZero() {
		now = time.Now()
	}
	t, err := encTime(now)
	if err != nil {
		return fmt.Errorf("heartbeat of lock %q: %w", name, err)
	}
	tag, err := s.pool.Exec(ctx, "UPDATE locks SET heartbeat = $1 WHERE name = $2 AND owner = $3", t, name, owner)
	if err != nil {
		return fmt.Errorf("heartbeat of lock %q: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("lock %q is no longer held by %s: %w", name, owner, store.ErrLockLost)
	}
	return nil
}

// ReleaseLock implements store.CheckStore.
func (s *Store) ReleaseLock(ctx context.Context, name, owner string) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM locks WHERE name = $1 AND owner = $2", name, owner); err != nil {
		return fmt.Errorf("release lock %q: %w", name, err)
	}
	return nil
}
