package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DriftStore keeps the content verdicts of checks (issue 15): similarity
// to the reference copy, drifted, replaced. It is separate from CheckStore
// like SnapshotStore is; *SQLite implements it and storetest.RunDrift
// tests it.
//
// Streaming methods follow the Store rules (fn once per row, its first
// error stops the stream and is returned unwrapped, fn may write).
type DriftStore interface {
	Store

	// RecordDrift stores the content verdict of check d.CheckID; recording
	// it again replaces it. The link and time are the check's. ErrNotFound
	// if the check does not exist; an error if d.ReferenceSnapshotID names
	// a snapshot of another link or none, or if the verdict is
	// inconsistent (similarity outside [0, 1], drifted and replaced both,
	// replaced without a reason or a reason without replaced).
	RecordDrift(ctx context.Context, d Drift) error
	// RecordDrifts records several verdicts as RecordDrift would. One
	// that cannot be recorded is named in the returned error (joined),
	// and the others are still recorded.
	RecordDrifts(ctx context.Context, ds []Drift) error
	// GoodSnapshotsBefore streams the good copies of link linkID captured
	// strictly before t, newest first (a verdict's reference candidates).
	GoodSnapshotsBefore(ctx context.Context, linkID int64, t time.Time, fn func(Snapshot) error) error
	// LinksWithGoodCopies streams, once each in ID order, the links with
	// at least one good copy.
	LinksWithGoodCopies(ctx context.Context, fn func(linkID int64) error) error
	// LatestDrift returns the verdict of the link's most recent check
	// that has one. ErrNotFound if linkURL is not a link or has none.
	LatestDrift(ctx context.Context, linkURL string) (Drift, error)
	// DriftHistory streams the link's verdicts oldest first, for a chart
	// of similarity over time. ErrNotFound if linkURL is not a link.
	DriftHistory(ctx context.Context, linkURL string, fn func(Drift) error) error
	// LatestDrifts streams the latest verdict of every link that has one,
	// by link URL; with flaggedOnly, only those that are drifted or
	// replaced (`links --drifted`).
	LatestDrifts(ctx context.Context, flaggedOnly bool, fn func(Drift) error) error
}

var _ DriftStore = (*SQLite)(nil)

// Drift is the content verdict of one check.
type Drift struct {
	CheckID int64
	// Set by the store from the check (ignored by RecordDrift).
	LinkID    int64
	LinkURL   string
	CheckedAt time.Time
	// Comparable: there was a reference text; Similarity is in [0, 1]
	// then, and stored as NULL (read back as 0) otherwise.
	Comparable bool
	Similarity float64
	Drifted    bool
	Replaced   bool
	// ReplacedReason is drift.Reason's stable name when Replaced.
	ReplacedReason string
	Evidence       string
	// ReferenceSnapshotID is the snapshot compared with; 0 for none.
	// ReferenceCapturedAt is its capture time, set by the store on read.
	ReferenceSnapshotID int64
	ReferenceCapturedAt time.Time
}

func checkDrift(d Drift) error {
	switch {
	case d.CheckID <= 0:
		return errors.New("no check ID")
	case d.Comparable && !(d.Similarity >= 0 && d.Similarity <= 1):
		return fmt.Errorf("similarity %v outside [0, 1]", d.Similarity)
	case d.Drifted && !d.Comparable:
		return errors.New("drifted without a reference to compare with")
	case d.Drifted && d.Replaced:
		return errors.New("both drifted and replaced (a replaced page is only replaced)")
	case d.Replaced && d.ReplacedReason == "":
		return errors.New("replaced without a reason")
	case !d.Replaced && d.ReplacedReason != "":
		return fmt.Errorf("reason %q without replaced", d.ReplacedReason)
	case d.ReferenceSnapshotID < 0:
		return fmt.Errorf("negative reference snapshot ID %d", d.ReferenceSnapshotID)
	}
	return nil
}

// RecordDrift implements DriftStore.
func (s *SQLite) RecordDrift(ctx context.Context, d Drift) error {
	return s.RecordDrifts(ctx, []Drift{d})
}

// RecordDrifts stores several verdicts in one transaction (a check run
// writes them in batches, as it writes checks). Each is written as
// RecordDrift would; one that cannot be (a missing check, a foreign
// reference, an inconsistent verdict) is left out and named in the
// returned error, and the others are still committed.
func (s *SQLite) RecordDrifts(ctx context.Context, ds []Drift) error {
	var errs []error
	ok := ds[:0:0]
	for _, d := range ds {
		if err := checkDrift(d); err != nil {
			errs = append(errs, fmt.Errorf("record drift of check %d: %w", d.CheckID, err))
			continue
		}
		ok = append(ok, d)
	}
	if len(ok) == 0 {
		return errors.Join(errs...)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record %d drift verdicts: %w", len(ok), err)
	}
	defer tx.Rollback()
	insert := s.wq.inTx(ctx, tx, sqlInsertDrift)
	for _, d := range ok {
		if err := recordDriftTx(ctx, tx, insert, d); err != nil {
			if ctx.Err() != nil || !isRowError(err) {
				return err
			}
			errs = append(errs, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record %d drift verdicts: %w", len(ok), err)
	}
	return errors.Join(errs...)
}

// driftRowError is a verdict that names a check or a reference that is
// not there: the batch goes on without it.
type driftRowError struct{ err error }

func (e driftRowError) Error() string { return e.err.Error() }
func (e driftRowError) Unwrap() error { return e.err }

func isRowError(err error) bool {
	var re driftRowError
	return errors.As(err, &re)
}

// sqlInsertDrift is one statement: the row takes the check's link and
// time, and the reference must be a snapshot of the same link, or nothing
// is written.
const sqlInsertDrift = `INSERT INTO check_drift
			(check_id, link_id, checked_at, similarity, drifted, replaced, replaced_reason, evidence, reference_snapshot_id)
		SELECT c.id, c.link_id, c.checked_at, ?, ?, ?, ?, ?, ?
		FROM checks c
		WHERE c.id = ? AND (? IS NULL OR EXISTS (SELECT 1 FROM snapshots sn WHERE sn.id = ? AND sn.link_id = c.link_id))
		ON CONFLICT (check_id) DO UPDATE SET
			similarity = excluded.similarity, drifted = excluded.drifted, replaced = excluded.replaced,
			replaced_reason = excluded.replaced_reason, evidence = excluded.evidence,
			reference_snapshot_id = excluded.reference_snapshot_id`

// recordDriftTx writes d in tx through insert (sqlInsertDrift).
func recordDriftTx(ctx context.Context, tx *sql.Tx, insert *sql.Stmt, d Drift) error {
	var sim, ref any
	if d.Comparable {
		sim = d.Similarity
	}
	if d.ReferenceSnapshotID != 0 {
		ref = d.ReferenceSnapshotID
	}
	args := []any{sim, d.Drifted, d.Replaced, d.ReplacedReason, d.Evidence, ref, d.CheckID, ref, ref}
	res, err := insert.ExecContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("record drift of check %d: %w", d.CheckID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("record drift of check %d: %w", d.CheckID, err)
	} else if n > 0 {
		return nil
	}
	// Nothing written: say which of the two was missing.
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM checks WHERE id = ?`, d.CheckID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return driftRowError{fmt.Errorf("record drift of check %d: check %w", d.CheckID, ErrNotFound)}
	}
	if err != nil {
		return fmt.Errorf("record drift of check %d: %w", d.CheckID, err)
	}
	return driftRowError{fmt.Errorf("record drift of check %d: reference snapshot %d is not a snapshot of the check's link", d.CheckID, d.ReferenceSnapshotID)}
}

const driftColumns = `d.check_id, d.link_id, l.url, d.checked_at, d.similarity, d.drifted, d.replaced,
	d.replaced_reason, d.evidence, d.reference_snapshot_id, sn.captured_at`

const driftFrom = ` FROM check_drift d JOIN links l ON l.id = d.link_id
	LEFT JOIN snapshots sn ON sn.id = d.reference_snapshot_id `

// latestDrift is the condition that keeps a link's latest verdict: by
// check time, the later-recorded check first among equal times.
const latestDrift = ` d.check_id = (SELECT d2.check_id FROM check_drift d2 WHERE d2.link_id = d.link_id
	ORDER BY d2.checked_at DESC, d2.check_id DESC LIMIT 1) `

func scanDrift(sc interface{ Scan(...any) error }) (Drift, error) {
	var (
		d                 Drift
		checked, refAt    sql.NullString
		sim               sql.NullFloat64
		ref               sql.NullInt64
		drifted, replaced bool
	)
	err := sc.Scan(&d.CheckID, &d.LinkID, &d.LinkURL, &checked, &sim, &drifted, &replaced,
		&d.ReplacedReason, &d.Evidence, &ref, &refAt)
	if err != nil {
		return Drift{}, err
	}
	d.Drifted, d.Replaced = drifted, replaced
	d.Comparable, d.Similarity = sim.Valid, sim.Float64
	d.ReferenceSnapshotID = ref.Int64
	if d.CheckedAt, err = decTime(checked); err != nil {
		return Drift{}, err
	}
	if d.ReferenceCapturedAt, err = decTime(refAt); err != nil {
		return Drift{}, err
	}
	return d, nil
}

// LatestDrift implements DriftStore.
func (s *SQLite) LatestDrift(ctx context.Context, linkURL string) (Drift, error) {
	id, err := s.snapshotLinkID(ctx, "latest drift", linkURL)
	if err != nil {
		return Drift{}, err
	}
	d, err := scanDrift(s.rq.QueryRowContext(ctx, `SELECT `+driftColumns+driftFrom+
		`WHERE d.link_id = ? ORDER BY d.checked_at DESC, d.check_id DESC LIMIT 1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Drift{}, fmt.Errorf("latest drift of %s: %w", linkURL, ErrNotFound)
	}
	if err != nil {
		return Drift{}, fmt.Errorf("latest drift of %s: %w", linkURL, err)
	}
	return d, nil
}

// DriftHistory implements DriftStore.
func (s *SQLite) DriftHistory(ctx context.Context, linkURL string, fn func(Drift) error) error {
	id, err := s.snapshotLinkID(ctx, "drift history", linkURL)
	if err != nil {
		return err
	}
	return s.streamDrift(ctx, "drift history of "+linkURL,
		`WHERE d.link_id = ? ORDER BY d.checked_at, d.check_id`, []any{id}, fn)
}

// LatestDrifts implements DriftStore.
func (s *SQLite) LatestDrifts(ctx context.Context, flaggedOnly bool, fn func(Drift) error) error {
	q := `WHERE` + latestDrift
	if flaggedOnly {
		q += `AND (d.drifted = 1 OR d.replaced = 1) `
	}
	return s.streamDrift(ctx, "latest drifts", q+`ORDER BY l.url`, nil, fn)
}

func (s *SQLite) streamDrift(ctx context.Context, what, q string, args []any, fn func(Drift) error) error {
	rows, err := s.rq.QueryContext(ctx, `SELECT `+driftColumns+driftFrom+q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r *sql.Rows) (Drift, error) { return scanDrift(r) }, fn)
}

// Validate reports what is inconsistent in a verdict before it is stored
// (every DriftStore refuses the same verdicts).
func (d Drift) Validate() error { return checkDrift(d) }
