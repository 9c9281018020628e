package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DocOccurrence is one occurrence in a document together with what is
// known about its link: everything `linkrot fix` needs to decide whether
// the reference should be repaired, pointed at an archived copy or moved.
type DocOccurrence struct {
	Occurrence
	// Verified is true when checking the web settled the occurrence's
	// repair (AdoptRepair): its URL is then trusted whatever its
	// confidence.
	Verified bool

	// The link, as it is now.
	State     LinkState // StateUnchecked or a crawler state ("dead", "moved", ...)
	MovedTo   string    // for a moved link: where it moved
	FirstSeen time.Time
	// LatestSnapshot is when the newest good (2xx) local snapshot of the
	// link was captured; zero when there is none.
	LatestSnapshot time.Time
	// The copy a public web archive holds, as recorded for the link by
	// reports (schema version 7's links.archive_url); "" and zero when
	// none was recorded or the catalog predates those columns.
	ArchiveURL    string
	ArchiveTime   time.Time
	ArchiveSource string
}

// DocumentOccurrences streams the occurrences of the document at path, in
// order of their offset, each with its link's state, its newest good
// snapshot and any recorded public copy. The document may be missing; the
// caller decides what that means. ErrNotFound if the path was never saved.
//
// It is a read-only helper of *SQLite, outside the Store interface, for
// the one command that rewrites documents; fn may call any method.
func (s *SQLite) DocumentOccurrences(ctx context.Context, path string, fn func(DocOccurrence) error) error {
	var docID int64
	err := s.rq.QueryRowContext(ctx, "SELECT id FROM documents WHERE path = ?", path).Scan(&docID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("document %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("document %s: %w", path, err)
	}
	archiveCols, err := s.archiveColumns(ctx)
	if err != nil {
		return fmt.Errorf("occurrences of %s: %w", path, err)
	}
	// The newest good snapshot is a correlated max over the
	// snapshots_link_time index, one seek per occurrence; "good" is 2xx
	// and not of a replaced page, the rule LatestSnapshot follows, so fix
	// never cites a failed capture or a parking page.
	rows, err := s.rq.QueryContext(ctx, `SELECT `+occColumns+`, l.state, l.moved_to, l.first_seen,
			(SELECT max(s.captured_at) FROM snapshots s
				WHERE s.link_id = l.id AND s.status BETWEEN 200 AND 299 AND s.replaced = ''),
			`+archiveCols+`
		FROM occurrences o JOIN links l ON l.id = o.link_id
		WHERE o.document_id = ?
		ORDER BY o.start_offset, o.id`, docID)
	if err != nil {
		return fmt.Errorf("occurrences of %s: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                            occRow
			d                            DocOccurrence
			first, snap, arcTime         sql.NullString
			state, movedTo, arcURL, arcS string
		)
		dest := append(r.dest(), &state, &movedTo, &first, &snap, &arcURL, &arcTime, &arcS)
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("occurrences of %s: %w", path, err)
		}
		if d.Occurrence, err = r.occurrence(); err != nil {
			return fmt.Errorf("occurrences of %s: %w", path, err)
		}
		d.Verified = r.verified.Valid
		d.State, d.MovedTo, d.ArchiveURL, d.ArchiveSource = LinkState(state), movedTo, arcURL, arcS
		for _, t := range []struct {
			dst *time.Time
			src sql.NullString
		}{{&d.FirstSeen, first}, {&d.LatestSnapshot, snap}, {&d.ArchiveTime, arcTime}} {
			if *t.dst, err = decTime(t.src); err != nil {
				return fmt.Errorf("occurrences of %s: %s: %w", path, d.URL, err)
			}
		}
		if err := fn(d); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("occurrences of %s: %w", path, err)
	}
	return nil
}

// archiveColumns selects the recorded public copy of link l when the
// catalog has the columns for it (schema version 7), and empty values
// when it does not. Asking the schema rather than the version number keeps
// this helper independent of how migrations are numbered; it never
// migrates anything itself.
func (s *SQLite) archiveColumns(ctx context.Context) (string, error) {
	var n int
	err := s.rq.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('links')
		WHERE name IN ('archive_url', 'archive_time', 'archive_source')`).Scan(&n)
	if err != nil {
		return "", err
	}
	if n == 3 {
		return `l.archive_url, l.archive_time, l.archive_source`, nil
	}
	return `'', NULL, ''`, nil
}
