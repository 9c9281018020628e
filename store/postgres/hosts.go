package postgres

import (
	"context"
	"fmt"
	"time"
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
	// One round trip: the steps are linkrot_acquire_host_slot (migration
	// 0004), run as one transaction of their own.
	var n int
	var waitUS int64
	err = s.pool.QueryRow(ctx, `SELECT o_slot, o_wait_us FROM linkrot_acquire_host_slot($1, $2, $3, $4, $5)`,
		host, holder, limit, interval, lease).Scan(&n, &waitUS)
	if err != nil {
		return HostSlot{}, false, 0, fmt.Errorf("%s: %w", what, err)
	}
	if n < 0 {
		return HostSlot{}, false, time.Duration(waitUS) * time.Microsecond, nil
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
