package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// RunChecks implements store.ReportStore.
func (s *Store) RunChecks(ctx context.Context, fromRun, toRun int64, fn func(store.RunCheck) error) error {
	what := fmt.Sprintf("checks of runs %d to %d", fromRun, toRun)
	rows, err := s.pool.Query(ctx, `SELECT `+checkColumns+`, l.host, c.state_before, c.state_after
		FROM checks c JOIN links l ON l.id = c.link_id
		WHERE c.run_id BETWEEN $1 AND $2
		ORDER BY c.link_id, c.id`, fromRun, toRun)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r pgx.Rows) (store.RunCheck, error) {
		var rc store.RunCheck
		var err error
		rc.CheckRecord, err = scanCheck(r, &rc.Host, &rc.StateBefore, &rc.StateAfter)
		return rc, err
	}, fn)
}

// LinksInState implements store.ReportStore.
func (s *Store) LinksInState(ctx context.Context, linkStates []store.LinkState, afterRun int64, fn func(store.Link) error) error {
	states := make([]string, len(linkStates))
	for i, st := range linkStates {
		states[i] = string(st)
	}
	what := fmt.Sprintf("links in state %s", strings.Join(states, ", "))
	if len(states) == 0 {
		return fmt.Errorf("%s: no state asked for", what)
	}
	inUse := `EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`
	var q string
	var a args
	if afterRun == 0 {
		q = `SELECT ` + linkColumns + `, l.state FROM links l
			WHERE l.state = ANY(` + a.add(states) + `) AND ` + inUse + ` ORDER BY l.url`
	} else {
		// The first check of a later run bounds "the end of afterRun"
		// (runs hold the job lock, so their checks do not interleave).
		var bound *int64
		err := s.pool.QueryRow(ctx,
			`SELECT id FROM checks WHERE run_id > $1 ORDER BY run_id, id LIMIT 1`, afterRun).Scan(&bound)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%s after run %d: %w", what, afterRun, err)
		}
		b := int64(1<<63 - 1)
		if bound != nil {
			b = *bound
		}
		q = `SELECT * FROM (SELECT ` + linkColumns + `,
				(SELECT c.state_after FROM checks c
					WHERE c.link_id = l.id AND c.id < ` + a.add(b) + ` AND c.state_after <> ''
					ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) AS as_of
			FROM links l WHERE ` + inUse + `) AS x
			WHERE as_of = ANY(` + a.add(states) + `) ORDER BY 2`
	}
	rows, err := s.pool.Query(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r pgx.Rows) (store.Link, error) {
		var state *string
		l, err := scanLink(r, &state)
		if state != nil {
			l.State = store.LinkState(*state)
		}
		return l, err
	}, fn)
}

// RepairedOccurrences implements store.ReportStore.
func (s *Store) RepairedOccurrences(ctx context.Context, fromRun, toRun int64, fn func(store.RepairedOccurrence) error) error {
	q := `SELECT ` + docColumns + `, ` + occColumns + `, l.state
		FROM ` + presentOccurrences + ` JOIN links l ON l.id = o.link_id
		WHERE (o.repaired OR o.verified_at IS NOT NULL)`
	var a args
	if fromRun != 0 || toRun != 0 {
		q += ` AND EXISTS (SELECT 1 FROM checks c WHERE c.link_id = o.link_id AND c.run_id BETWEEN ` +
			a.add(fromRun) + ` AND ` + a.add(toRun) + `)`
	}
	q += ` ORDER BY d.path, o.start_offset, o.id`
	rows, err := s.pool.Query(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("repaired occurrences: %w", err)
	}
	return eachRow(ctx, rows, "repaired occurrences", func(rows pgx.Rows) (store.RepairedOccurrence, error) {
		var (
			ro  store.RepairedOccurrence
			r   occRow
			err error
		)
		if ro.Document, err = scanDocument(rows, append(r.dest(), &ro.LinkState)...); err != nil {
			return ro, err
		}
		if ro.Occurrence, err = r.occurrence(); err != nil {
			return ro, err
		}
		if r.extracted != nil {
			ro.ExtractedURL = *r.extracted
		}
		ro.VerifiedAt, err = decTime(r.verified)
		return ro, err
	}, fn)
}

// SetArchiveCopy implements store.ReportStore.
func (s *Store) SetArchiveCopy(ctx context.Context, linkURL string, c store.ArchiveCopy) error {
	what := "set archive copy of " + linkURL
	if c.CheckedAt.IsZero() {
		return fmt.Errorf("%s: zero CheckedAt", what)
	}
	if c.URL == "" && (!c.Time.IsZero() || c.Source != "") {
		return fmt.Errorf("%s: a capture time or source without a copy URL", what)
	}
	checked, err := encTime(c.CheckedAt)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	at, err := encTime(c.Time)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE links SET archive_url = $1, archive_time = $2, archive_source = $3,
		archive_checked = $4 WHERE url = $5`, c.URL, at, c.Source, checked, linkURL)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// ArchiveCopy implements store.ReportStore.
func (s *Store) ArchiveCopy(ctx context.Context, linkURL string) (store.ArchiveCopy, error) {
	var (
		c           store.ArchiveCopy
		at, checked *string
	)
	err := s.pool.QueryRow(ctx, `SELECT archive_url, archive_time, archive_source, archive_checked
		FROM links WHERE url = $1`, linkURL).Scan(&c.URL, &at, &c.Source, &checked)
	if err != nil {
		return store.ArchiveCopy{}, fmt.Errorf("archive copy of %s: %w", linkURL, notFound(err))
	}
	if err := decTimes(&c.Time, at, &c.CheckedAt, checked); err != nil {
		return store.ArchiveCopy{}, fmt.Errorf("archive copy of %s: %w", linkURL, err)
	}
	return c, nil
}

// DocumentOccurrences streams the occurrences of the document at path by
// offset, each with its link's state, newest good snapshot and recorded
// public copy, as (*store.SQLite).DocumentOccurrences does for `linkrot
// fix`. store.ErrNotFound if the path was never saved.
func (s *Store) DocumentOccurrences(ctx context.Context, path string, fn func(store.DocOccurrence) error) error {
	var docID int64
	if err := s.pool.QueryRow(ctx, "SELECT id FROM documents WHERE path = $1", path).Scan(&docID); err != nil {
		return fmt.Errorf("document %s: %w", path, notFound(err))
	}
	rows, err := s.pool.Query(ctx, `SELECT `+occColumns+`, l.state, l.moved_to, l.first_seen,
			(SELECT max(s.captured_at) FROM snapshots s
				WHERE s.link_id = l.id AND s.status BETWEEN 200 AND 299 AND s.replaced = ''),
			l.archive_url, l.archive_time, l.archive_source
		FROM occurrences o JOIN links l ON l.id = o.link_id
		WHERE o.document_id = $1
		ORDER BY o.start_offset, o.id`, docID)
	if err != nil {
		return fmt.Errorf("occurrences of %s: %w", path, err)
	}
	return eachRow(ctx, rows, "occurrences of "+path, func(rows pgx.Rows) (store.DocOccurrence, error) {
		var (
			r                    occRow
			d                    store.DocOccurrence
			first, snap, arcTime *string
		)
		dest := append(r.dest(), &d.State, &d.MovedTo, &first, &snap, &d.ArchiveURL, &arcTime, &d.ArchiveSource)
		if err := rows.Scan(dest...); err != nil {
			return d, err
		}
		var err error
		if d.Occurrence, err = r.occurrence(); err != nil {
			return d, err
		}
		d.Verified = r.verified != nil
		return d, decTimes(&d.FirstSeen, first, &d.LatestSnapshot, snap, &d.ArchiveTime, arcTime)
	}, fn)
}
