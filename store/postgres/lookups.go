package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// RecordLookup caches a public-archive lookup; an answer is also kept on
// the link, which reports, fix and the web UI read (as store.SQLite does).
func (s *Store) RecordLookup(ctx context.Context, l store.Lookup) error {
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
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO archive_lookups (url, asked_at, found, copy_url, copy_time, source, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (url) DO UPDATE SET asked_at = excluded.asked_at, found = excluded.found,
				copy_url = excluded.copy_url, copy_time = excluded.copy_time, source = excluded.source, error = excluded.error`,
			l.URL, asked, l.Found, l.CopyURL, copyTime, l.Source, l.Err)
		if err != nil || l.Err != "" {
			// A failed lookup leaves the last answer on the link.
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE links SET archive_url = $1, archive_time = $2, archive_source = $3,
			archive_checked = $4 WHERE url = $5`, l.CopyURL, copyTime, l.Source, asked, l.URL)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// LookupOf returns the cached lookup of url; ok is false when the archives
// were never asked about it.
func (s *Store) LookupOf(ctx context.Context, url string) (l store.Lookup, ok bool, err error) {
	var asked, copyTime *string
	err = s.pool.QueryRow(ctx, `SELECT url, asked_at, found, copy_url, copy_time, source, error
		FROM archive_lookups WHERE url = $1`, url).Scan(&l.URL, &asked, &l.Found, &l.CopyURL, &copyTime, &l.Source, &l.Err)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Lookup{}, false, nil
	}
	if err == nil {
		err = decTimes(&l.AskedAt, asked, &l.CopyTime, copyTime)
	}
	if err != nil {
		return store.Lookup{}, false, fmt.Errorf("archive lookup of %s: %w", url, err)
	}
	return l, true, nil
}
