package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lookup is one answer (or failure) of the public web archives about a
// URL, as the catalog caches it.
type Lookup struct {
	URL      string
	AskedAt  time.Time
	Found    bool
	CopyURL  string
	CopyTime time.Time // when the archive captured the copy
	Source   string    // "wayback", "memento:<host>"
	// Err is why asking failed ("" for an answer). A failure is asked
	// again by the next run; an answer only after the refresh period.
	Err string
}

// RecordLookup caches a lookup. An answer is also kept on the link (its
// ArchiveCopy), which is what reports, fix and the web UI read.
func (s *SQLite) RecordLookup(ctx context.Context, l Lookup) error {
	what := "record archive lookup of " + l.URL
	if l.AskedAt.IsZero() {
		return fmt.Errorf("%s: zero AskedAt", what)
	}
	asked, err := encTime(l.AskedAt)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	copyTime, err := encTime(l.CopyTime)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO archive_lookups (url, asked_at, found, copy_url, copy_time, source, error)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET asked_at = excluded.asked_at, found = excluded.found,
			copy_url = excluded.copy_url, copy_time = excluded.copy_time, source = excluded.source, error = excluded.error`,
		l.URL, asked, l.Found, l.CopyURL, copyTime, l.Source, l.Err)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if l.Err == "" {
		// A failed lookup leaves the last answer on the link.
		_, err = tx.ExecContext(ctx, `UPDATE links SET archive_url = ?, archive_time = ?, archive_source = ?,
			archive_checked = ? WHERE url = ?`, l.CopyURL, copyTime, l.Source, asked, l.URL)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// LookupOf returns the cached lookup of url; ok is false when the archives
// were never asked about it.
func (s *SQLite) LookupOf(ctx context.Context, url string) (l Lookup, ok bool, err error) {
	var asked string
	var copyTime sql.NullString
	err = s.rq.QueryRowContext(ctx, `SELECT url, asked_at, found, copy_url, copy_time, source, error
		FROM archive_lookups WHERE url = ?`, url).Scan(&l.URL, &asked, &l.Found, &l.CopyURL, &copyTime, &l.Source, &l.Err)
	if errors.Is(err, sql.ErrNoRows) {
		return Lookup{}, false, nil
	}
	if err != nil {
		return Lookup{}, false, fmt.Errorf("archive lookup of %s: %w", url, err)
	}
	if l.AskedAt, err = decTime(sql.NullString{String: asked, Valid: true}); err != nil {
		return Lookup{}, false, fmt.Errorf("archive lookup of %s: %w", url, err)
	}
	if l.CopyTime, err = decTime(copyTime); err != nil {
		return Lookup{}, false, fmt.Errorf("archive lookup of %s: %w", url, err)
	}
	return l, true, nil
}
