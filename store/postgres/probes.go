package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The probe cache: robots.txt files and soft-404 probe answers, fetched by
// one worker and read by all until they expire, so N workers do not ask a
// host N times. The store keeps the bytes; what they mean is the caller's.

// Probe kinds the crawler caches.
const (
	ProbeRobots  = "robots"  // key: origin ("https://example.com"), value: the robots.txt body
	ProbeSoft404 = "soft404" // key: origin, value: the probe's verdict as the crawler encodes it
)

// Probe is a cached answer.
type Probe struct {
	Value     []byte
	FetchedAt time.Time
	ExpiresAt time.Time
}

// GetProbe returns the cached answer for (kind, key) if it has not
// expired; ok is false otherwise.
func (s *Store) GetProbe(ctx context.Context, kind, key string) (p Probe, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT value, fetched_at, expires_at FROM probe_cache
		WHERE kind = $1 AND key = $2 AND expires_at > clock_timestamp()`, kind, key).
		Scan(&p.Value, &p.FetchedAt, &p.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Probe{}, false, nil
	}
	if err != nil {
		return Probe{}, false, fmt.Errorf("probe cache %s %s: %w", kind, key, err)
	}
	return p, true, nil
}

// PutProbe stores an answer for ttl, replacing any earlier one.
func (s *Store) PutProbe(ctx context.Context, kind, key string, value []byte, ttl time.Duration) error {
	if value == nil {
		value = []byte{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO probe_cache (kind, key, value, fetched_at, expires_at)
		VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp() + $4)
		ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value,
			fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`, kind, key, value, ttl)
	if err != nil {
		return fmt.Errorf("probe cache %s %s: %w", kind, key, err)
	}
	return nil
}

// Probe returns the cached answer for (kind, key), or calls fetch, caches
// what it returns for ttl and returns that. Workers asking for the same
// key at once wait for the first one's fetch (a transaction-scoped
// advisory lock on the key) and then read its answer, so the host is
// asked once. A failed fetch caches nothing and returns fetch's error.
func (s *Store) Probe(ctx context.Context, kind, key string, ttl time.Duration, fetch func(context.Context) ([]byte, error)) ([]byte, error) {
	if p, ok, err := s.GetProbe(ctx, kind, key); err != nil || ok {
		return p.Value, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("probe cache %s %s: %w", kind, key, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "linkrot-probe\n"+kind+"\n"+key); err != nil {
		return nil, fmt.Errorf("probe cache %s %s: %w", kind, key, err)
	}
	// Another worker may have fetched it while this one waited.
	if p, ok, err := s.GetProbe(ctx, kind, key); err != nil || ok {
		return p.Value, err
	}
	v, err := fetch(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.PutProbe(ctx, kind, key, v, ttl); err != nil {
		return nil, err
	}
	return v, tx.Commit(ctx)
}
