package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Politeness across workers. Each host has limit slots (rows of
// host_slots); a worker takes one before each request to the host and
// gives it back after, so however many workers there are, at most limit
// requests to the host are in flight. A slot is leased, like a link: a
// worker that dies holding one loses it when the lease runs out. The
// per-host interval is a row of host_pace: taking a slot also moves the
// host's next allowed start to now + interval, on the database's clock,
// so request starts to one host are interval apart across all workers.

// HostSlot is a slot a worker holds (AcquireHostSlot).
type HostSlot struct {
	Host   string
	Slot   int
	Holder string
}

// AcquireHostSlot tries to take a slot of host (of limit) for holder,
// leased for lease, respecting interval between request starts. It
// returns ok false and how long to wait before asking again when the host
// is at its limit or its interval has not passed; it never blocks on
// other workers for longer than their short transactions.
func (s *Store) AcquireHostSlot(ctx context.Context, host, holder string, limit int, interval, lease time.Duration) (slot HostSlot, ok bool, wait time.Duration, err error) {
	what := fmt.Sprintf("host slot of %s for %s", host, holder)
	if holder == "" || limit <= 0 || lease <= 0 || interval < 0 {
		return HostSlot{}, false, 0, fmt.Errorf("%s: holder, a positive limit and lease, and an interval >= 0 are needed", what)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback(ctx)

	// The host's pace row is the per-host mutex: every acquisition for
	// the host locks it first, so the checks below and the updates after
	// them are one step for all workers.
	if _, err := tx.Exec(ctx, `INSERT INTO host_pace (host, next_at) VALUES ($1, '1970-01-01T00:00:00Z')
		ON CONFLICT (host) DO NOTHING`, host); err != nil {
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	var waitUS int64
	err = tx.QueryRow(ctx, `SELECT GREATEST(0, EXTRACT(EPOCH FROM next_at - clock_timestamp()) * 1e6)::bigint
		FROM host_pace WHERE host = $1 FOR UPDATE`, host).Scan(&waitUS)
	if err != nil {
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	if waitUS > 0 {
		return HostSlot{}, false, time.Duration(waitUS) * time.Microsecond, nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO host_slots (host, slot)
		SELECT $1, g FROM generate_series(0, $2 - 1) AS g
		ON CONFLICT (host, slot) DO NOTHING`, host, limit); err != nil {
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	var n int
	err = tx.QueryRow(ctx, `UPDATE host_slots SET holder = $2, lease_until = clock_timestamp() + $3
		WHERE (host, slot) = (SELECT host, slot FROM host_slots
			WHERE host = $1 AND slot < $4 AND (lease_until IS NULL OR lease_until < clock_timestamp())
			ORDER BY slot LIMIT 1)
		RETURNING slot`, host, holder, lease, limit).Scan(&n)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			// All slots busy: the earliest a lease can end is a fair
			// bound on the wait, but slots are usually given back
			// sooner, so callers poll at a short interval instead.
			return HostSlot{}, false, 10 * time.Millisecond, tx.Commit(ctx)
		}
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE host_pace SET next_at = clock_timestamp() + $2 WHERE host = $1`, host, interval); err != nil {
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	return HostSlot{Host: host, Slot: n, Holder: holder}, true, 0, nil
}

// ReleaseHostSlot gives a slot back. Giving back a slot whose lease ran
// out and was taken by another worker does nothing.
func (s *Store) ReleaseHostSlot(ctx context.Context, h HostSlot) error {
	_, err := s.pool.Exec(ctx, `UPDATE host_slots SET holder = '', lease_until = NULL
		WHERE host = $1 AND slot = $2 AND holder = $3`, h.Host, h.Slot, h.Holder)
	if err != nil {
		return fmt.Errorf("release host slot %d of %s: %w", h.Slot, h.Host, err)
	}
	return nil
}

// WaitHostSlot calls AcquireHostSlot until it gets a slot or ctx ends.
func (s *Store) WaitHostSlot(ctx context.Context, host, holder string, limit int, interval, lease time.Duration) (HostSlot, error) {
	for {
		h, ok, wait, err := s.AcquireHostSlot(ctx, host, holder, limit, interval, lease)
		if err != nil || ok {
			return h, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return HostSlot{}, ctx.Err()
		case <-t.C:
		}
	}
}
