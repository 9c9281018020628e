package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

var _ store.DriftStore = (*Store)(nil)

// RecordDrift implements store.DriftStore. One statement: the row takes
// the check's link and time, and the reference must be a snapshot of the
// same link, or nothing is written.
func (s *Store) RecordDrift(ctx context.Context, d store.Drift) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("record drift of check %d: %w", d.CheckID, err)
	}
	var sim *float64
	var ref *int64
	if d.Comparable {
		sim = &d.Similarity
	}
	if d.ReferenceSnapshotID != 0 {
		ref = &d.ReferenceSnapshotID
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO check_drift
			(check_id, link_id, checked_at, similarity, drifted, replaced, replaced_reason, evidence, reference_snapshot_id)
		SELECT c.id, c.link_id, c.checked_at, $1, $2, $3, $4, $5, $6::bigint
		FROM checks c
		WHERE c.id = $7 AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM snapshots sn WHERE sn.id = $6::bigint AND sn.link_id = c.link_id))
		ON CONFLICT (check_id) DO UPDATE SET
			similarity = excluded.similarity, drifted = excluded.drifted, replaced = excluded.replaced,
			replaced_reason = excluded.replaced_reason, evidence = excluded.evidence,
			reference_snapshot_id = excluded.reference_snapshot_id`,
		sim, d.Drifted, d.Replaced, d.ReplacedReason, d.Evidence, ref, d.CheckID)
	if err != nil {
		return fmt.Errorf("record drift of check %d: %w", d.CheckID, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	// Nothing written: say which of the two was missing.
	var one int
	err = s.pool.QueryRow(ctx, `SELECT 1 FROM checks WHERE id = $1`, d.CheckID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("record drift of check %d: check %w", d.CheckID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("record drift of check %d: %w", d.CheckID, err)
	}
	return fmt.Errorf("record drift of check %d: reference snapshot %d is not a snapshot of the check's link", d.CheckID, d.ReferenceSnapshotID)
}

const driftColumns = `d.check_id, d.link_id, l.url, d.checked_at, d.similarity, d.drifted, d.replaced,
	d.replaced_reason, d.evidence, d.reference_snapshot_id, sn.captured_at`

const driftFrom = ` FROM check_drift d JOIN links l ON l.id = d.link_id
	LEFT JOIN snapshots sn ON sn.id = d.reference_snapshot_id `

// latestDrift keeps a link's latest verdict: by check time, the
// later-recorded check first among equal times.
const latestDrift = ` d.check_id = (SELECT d2.check_id FROM check_drift d2 WHERE d2.link_id = d.link_id
	ORDER BY d2.checked_at DESC, d2.check_id DESC LIMIT 1) `

func scanDrift(sc pgx.Row) (store.Drift, error) {
	var (
		d              store.Drift
		checked, refAt *string
		sim            *float64
		ref            *int64
	)
	err := sc.Scan(&d.CheckID, &d.LinkID, &d.LinkURL, &checked, &sim, &d.Drifted, &d.Replaced,
		&d.ReplacedReason, &d.Evidence, &ref, &refAt)
	if err != nil {
		return store.Drift{}, err
	}
	if sim != nil {
		d.Comparable, d.Similarity = true, *sim
	}
	if ref != nil {
		d.ReferenceSnapshotID = *ref
	}
	if err := decTimes(&d.CheckedAt, checked, &d.ReferenceCapturedAt, refAt); err != nil {
		return store.Drift{}, err
	}
	return d, nil
}

// LatestDrift implements store.DriftStore.
func (s *Store) LatestDrift(ctx context.Context, linkURL string) (store.Drift, error) {
	id, err := s.snapshotLinkID(ctx, "latest drift", linkURL)
	if err != nil {
		return store.Drift{}, err
	}
	d, err := scanDrift(s.pool.QueryRow(ctx, `SELECT `+driftColumns+driftFrom+
		`WHERE d.link_id = $1 ORDER BY d.checked_at DESC, d.check_id DESC LIMIT 1`, id))
	if err != nil {
		return store.Drift{}, fmt.Errorf("latest drift of %s: %w", linkURL, notFound(err))
	}
	return d, nil
}

// DriftHistory implements store.DriftStore.
func (s *Store) DriftHistory(ctx context.Context, linkURL string, fn func(store.Drift) error) error {
	id, err := s.snapshotLinkID(ctx, "drift history", linkURL)
	if err != nil {
		return err
	}
	return s.streamDrift(ctx, "drift history of "+linkURL,
		`WHERE d.link_id = $1 ORDER BY d.checked_at, d.check_id`, []any{id}, fn)
}

// LatestDrifts implements store.DriftStore.
func (s *Store) LatestDrifts(ctx context.Context, flaggedOnly bool, fn func(store.Drift) error) error {
	q := `WHERE` + latestDrift
	if flaggedOnly {
		q += `AND (d.drifted OR d.replaced) `
	}
	return s.streamDrift(ctx, "latest drifts", q+`ORDER BY l.url`, nil, fn)
}

func (s *Store) streamDrift(ctx context.Context, what, q string, a []any, fn func(store.Drift) error) error {
	rows, err := s.pool.Query(ctx, `SELECT `+driftColumns+driftFrom+q, a...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r pgx.Rows) (store.Drift, error) { return scanDrift(r) }, fn)
}
