package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ReportStore is the catalog as reports read it: what a run's checks did
// to their links, which links are in a state now or were at the end of an
// older run, the repairs a run exercised, and the copies public web
// archives hold of links. It builds on CheckStore because every query is
// about checks and runs; *SQLite implements it and storetest.RunReports
// tests it.
//
// Streaming methods follow the Store rules.
type ReportStore interface {
	CheckStore

	// RunChecks streams the checks of the runs fromRun to toRun
	// (inclusive), each with the transition it made, grouped by link (in
	// link ID order) and, within a link, in the order they were recorded.
	RunChecks(ctx context.Context, fromRun, toRun int64, fn func(RunCheck) error) error

	// LinksInState streams, by URL, the links used in a document that is
	// not missing whose state is one of states. With afterRun 0 that is
	// their state now. Otherwise it is the state they had when the first
	// run after afterRun made its first check (now, if none has): the
	// state_after of their last transition before then. Link.State is that
	// state; every other field is as the link is now. Links whose state
	// then is unknown (no transition recorded, as with checks made before
	// schema version 7) are left out.
	LinksInState(ctx context.Context, states []LinkState, afterRun int64, fn func(Link) error) error

	// RepairedOccurrences streams the occurrences, in documents that are
	// not missing, whose URL was repaired or verified on the web, by
	// document path then offset. With fromRun and toRun not 0 it gives only
	// those whose link was checked in one of the runs fromRun to toRun.
	RepairedOccurrences(ctx context.Context, fromRun, toRun int64, fn func(RepairedOccurrence) error) error

	// SetArchiveCopy records what the public web archives answered for the
	// link with URL linkURL: c.URL empty means they hold no usable copy.
	// c.CheckedAt (when they were asked) must be set. It replaces what was
	// recorded before. ErrNotFound if the URL is not a link.
	SetArchiveCopy(ctx context.Context, linkURL string, c ArchiveCopy) error
	// ArchiveCopy returns what SetArchiveCopy recorded for linkURL; the zero
	// ArchiveCopy if the archives were never asked. ErrNotFound if the URL
	// is not a link.
	ArchiveCopy(ctx context.Context, linkURL string) (ArchiveCopy, error)
}

var _ ReportStore = (*SQLite)(nil)

// RunCheck is a check with the transition it made to its link.
// StateBefore and StateAfter are both "" when the check changed no state:
// recorded as history only, still pending, rewritten as network_down, or
// recorded before schema version 7.
type RunCheck struct {
	CheckRecord
	Host        string // the link's host, as Link.Host
	StateBefore LinkState
	StateAfter  LinkState
}

// RepairedOccurrence is an occurrence whose URL was repaired or settled on
// the web, with its document and its link's state now.
type RepairedOccurrence struct {
	Document   Document
	Occurrence Occurrence
	LinkState  LinkState
	// ExtractedURL is the URL extraction gave when a verification on the
	// web replaced it ("" when it was kept); VerifiedAt is when the web
	// settled it (zero if it never did).
	ExtractedURL string
	VerifiedAt   time.Time
}

// ArchiveCopy is the copy of a link in a public web archive.
type ArchiveCopy struct {
	URL    string    // the memento to open in a browser; "" when there is none
	Time   time.Time // when the archive captured the page
	Source string    // "wayback", "memento:<timegate host>"
	// CheckedAt is when the archives were asked; zero means never.
	CheckedAt time.Time
}

// rowsScanner lets scanCheck and scanLink, which scan a fixed set of
// columns, read rows that carry more after them: the extra destinations
// are appended to every Scan.
type rowsScanner struct {
	rows  *sql.Rows
	extra []any
}

func (r rowsScanner) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.extra...)...) }

// RunChecks implements ReportStore.
func (s *SQLite) RunChecks(ctx context.Context, fromRun, toRun int64, fn func(RunCheck) error) error {
	what := fmt.Sprintf("checks of runs %d to %d", fromRun, toRun)
	// checks_run serves the range; the sort by link is over one run's (or
	// one period's) checks only.
	rows, err := s.rq.QueryContext(ctx, `SELECT `+checkColumns+`, l.host, c.state_before, c.state_after
		FROM checks c JOIN links l ON l.id = c.link_id
		WHERE c.run_id BETWEEN ? AND ?
		ORDER BY c.link_id, c.id`, fromRun, toRun)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r *sql.Rows) (RunCheck, error) {
		var rc RunCheck
		var err error
		rc.CheckRecord, err = scanCheck(rowsScanner{r, []any{&rc.Host, &rc.StateBefore, &rc.StateAfter}})
		return rc, err
	}, fn)
}

// LinksInState implements ReportStore.
func (s *SQLite) LinksInState(ctx context.Context, states []LinkState, afterRun int64, fn func(Link) error) error {
	what := fmt.Sprintf("links in state %v", states)
	if len(states) == 0 {
		return fmt.Errorf("%s: no state asked for", what)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(states)), ", ")
	var args []any
	for _, st := range states {
		args = append(args, st)
	}
	inUse := `EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`
	var q string
	if afterRun == 0 {
		// links_state_next_check finds the links in these states.
		q = `SELECT ` + linkColumns + `, l.state FROM links l
			WHERE l.state IN (` + marks + `) AND ` + inUse + ` ORDER BY l.url`
	} else {
		// Runs hold the job lock, so every check of a later run was
		// recorded after every check of this one: the first check of the
		// next run that made any is where "the end of afterRun" stops.
		var bound sql.NullInt64
		err := s.rq.QueryRowContext(ctx,
			`SELECT id FROM checks WHERE run_id > ? ORDER BY run_id, id LIMIT 1`, afterRun).Scan(&bound)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s after run %d: %w", what, afterRun, err)
		}
		if !bound.Valid {
			bound.Int64 = 1<<63 - 1
		}
		// The state then is the last transition before the bound, found
		// by walking checks_link_time backwards from the newest check:
		// usually the first step finds it.
		q = `SELECT * FROM (SELECT ` + linkColumns + `,
				(SELECT c.state_after FROM checks c
					WHERE c.link_id = l.id AND c.id < ? AND c.state_after <> ''
					ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) AS as_of
			FROM links l WHERE ` + inUse + `)
			WHERE as_of IN (` + marks + `) ORDER BY url`
		args = append([]any{bound.Int64}, args...)
	}
	rows, err := s.rq.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var state LinkState
		l, err := scanLink(rowsScanner{rows, []any{&state}})
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		l.State = state
		if err := fn(l); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// RepairedOccurrences implements ReportStore.
func (s *SQLite) RepairedOccurrences(ctx context.Context, fromRun, toRun int64, fn func(RepairedOccurrence) error) error {
	q := `SELECT ` + docColumns + `, ` + occColumns + `, l.state
		FROM ` + presentOccurrences + ` JOIN links l ON l.id = o.link_id
		WHERE (o.repaired = 1 OR o.verified_at IS NOT NULL)`
	var args []any
	if fromRun != 0 || toRun != 0 {
		q += ` AND EXISTS (SELECT 1 FROM checks c WHERE c.link_id = o.link_id AND c.run_id BETWEEN ? AND ?)`
		args = append(args, fromRun, toRun)
	}
	q += ` ORDER BY d.path, o.start_offset, o.id`
	rows, err := s.rq.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("repaired occurrences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			ro RepairedOccurrence
			r  occRow
		)
		ro.Document, err = scanDocument(rows, append(r.dest(), &ro.LinkState)...)
		if err != nil {
			return fmt.Errorf("repaired occurrences: %w", err)
		}
		if ro.Occurrence, err = r.occurrence(); err != nil {
			return fmt.Errorf("repaired occurrences: %s: %w", ro.Document.Path, err)
		}
		ro.ExtractedURL = r.extracted.String
		if ro.VerifiedAt, err = decTime(r.verified); err != nil {
			return fmt.Errorf("repaired occurrences: %s: %w", ro.Document.Path, err)
		}
		if err := fn(ro); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("repaired occurrences: %w", err)
	}
	return nil
}

// SetArchiveCopy implements ReportStore.
func (s *SQLite) SetArchiveCopy(ctx context.Context, linkURL string, c ArchiveCopy) error {
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
	res, err := s.wq.ExecContext(ctx, `UPDATE links SET archive_url = ?, archive_time = ?, archive_source = ?,
		archive_checked = ? WHERE url = ?`, c.URL, at, c.Source, checked, linkURL)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// ArchiveCopy implements ReportStore.
func (s *SQLite) ArchiveCopy(ctx context.Context, linkURL string) (ArchiveCopy, error) {
	var (
		c           ArchiveCopy
		at, checked sql.NullString
	)
	err := s.rq.QueryRowContext(ctx, `SELECT archive_url, archive_time, archive_source, archive_checked
		FROM links WHERE url = ?`, linkURL).Scan(&c.URL, &at, &c.Source, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return ArchiveCopy{}, fmt.Errorf("archive copy of %s: %w", linkURL, ErrNotFound)
	}
	if err != nil {
		return ArchiveCopy{}, fmt.Errorf("archive copy of %s: %w", linkURL, err)
	}
	if c.Time, err = decTime(at); err != nil {
		return ArchiveCopy{}, fmt.Errorf("archive copy of %s: %w", linkURL, err)
	}
	if c.CheckedAt, err = decTime(checked); err != nil {
		return ArchiveCopy{}, fmt.Errorf("archive copy of %s: %w", linkURL, err)
	}
	return c, nil
}
