package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// occRow is an occurrence in its stored form. Comparing two of them tells
// whether a rescan changed anything.
type occRow struct {
	url                            string
	raw                            string
	start, end, line, col          int
	role                           string
	repaired                       bool
	repairs, alternatives, reasons sql.NullString
	confidence                     float64
	// Set by a verified repair (AdoptRepair, or its verdict reapplied on
	// save): the URL extraction gave, when it was replaced, and when.
	extracted, verified sql.NullString
}

func encOccurrence(o Occurrence) (occRow, error) {
	if o.URL == "" {
		return occRow{}, errors.New("empty URL")
	}
	if o.Role != RoleSource && o.Role != RoleCited {
		return occRow{}, fmt.Errorf("URL %s: role %q is neither %q nor %q", o.URL, o.Role, RoleSource, RoleCited)
	}
	if math.IsNaN(o.Confidence) || math.IsInf(o.Confidence, 0) {
		// SQLite would store NaN as NULL and lose it silently.
		return occRow{}, fmt.Errorf("URL %s: confidence %v is not a number", o.URL, o.Confidence)
	}
	r := occRow{
		url: o.URL, raw: o.Raw,
		start: o.Start, end: o.End, line: o.Line, col: o.Column,
		role: o.Role, repaired: o.Repaired, confidence: o.Confidence,
	}
	var err error
	if r.repairs, err = encList(o.Repairs); err != nil {
		return occRow{}, err
	}
	if r.alternatives, err = encList(o.Alternatives); err != nil {
		return occRow{}, err
	}
	if r.reasons, err = encList(o.Reasons); err != nil {
		return occRow{}, err
	}
	return r, nil
}

func (r occRow) occurrence() (Occurrence, error) {
	o := Occurrence{
		URL: r.url, Raw: r.raw,
		Start: r.start, End: r.end, Line: r.line, Column: r.col,
		Role: r.role, Repaired: r.repaired, Confidence: r.confidence,
	}
	var err error
	if o.Repairs, err = decList(r.repairs); err != nil {
		return Occurrence{}, err
	}
	if o.Alternatives, err = decList(r.alternatives); err != nil {
		return Occurrence{}, err
	}
	if o.Reasons, err = decList(r.reasons); err != nil {
		return Occurrence{}, err
	}
	return o, nil
}

// encList stores an empty list as NULL so that nil and []string{} are one
// value and resaving either changes nothing.
func encList(l []string) (sql.NullString, error) {
	if len(l) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(l)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

func decList(ns sql.NullString) ([]string, error) {
	if !ns.Valid || ns.String == "" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(ns.String), &l); err != nil {
		return nil, fmt.Errorf("stored list %q: %w", ns.String, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// SaveDocument implements Store. A zero doc.ScannedAt means now. If the
// occurrences are exactly those already stored, only the document row is
// written, so a nightly rescan of unchanged files costs little.
//
// Errors: invalid input (empty Path, an occurrence with an empty URL, a role
// other than source/cited, a non-finite confidence, a time outside years
// 0-9999) is refused before anything is written; a cancelled ctx rolls the
// whole save back.
func (s *SQLite) SaveDocument(ctx context.Context, doc Document, occs []Occurrence) (SaveStats, error) {
	if doc.Path == "" {
		return SaveStats{}, errors.New("save document: empty path")
	}
	if doc.ScannedAt.IsZero() {
		doc.ScannedAt = time.Now()
	}
	// Everything that can be refused is checked and encoded before the
	// transaction, so the single writer is held only for SQL.
	modTime, err := encTime(doc.ModTime)
	if err != nil {
		return SaveStats{}, fmt.Errorf("save document %s: mod time: %w", doc.Path, err)
	}
	scannedAt, err := encTime(doc.ScannedAt)
	if err != nil {
		return SaveStats{}, fmt.Errorf("save document %s: scanned at: %w", doc.Path, err)
	}
	rows := make([]occRow, len(occs))
	for i, o := range occs {
		if rows[i], err = encOccurrence(o); err != nil {
			return SaveStats{}, fmt.Errorf("save document %s: occurrence %d (line %d): %w", doc.Path, i+1, o.Line, err)
		}
	}

	stats, err := s.saveDocument(ctx, doc, modTime, scannedAt, rows)
	if err != nil {
		return SaveStats{}, fmt.Errorf("save document %s: %w", doc.Path, err)
	}
	return stats, nil
}

func (s *SQLite) saveDocument(ctx context.Context, doc Document, modTime, scannedAt any, rows []occRow) (SaveStats, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return SaveStats{}, err
	}
	defer tx.Rollback() // no-op after Commit

	var docID int64
	err = tx.QueryRowContext(ctx, `
		INSERT INTO documents (path, format, hash, size, mod_time, title, date, source_url, scanned_at, missing_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
		ON CONFLICT (path) DO UPDATE SET
			format = excluded.format, hash = excluded.hash, size = excluded.size,
			mod_time = excluded.mod_time, title = excluded.title, date = excluded.date,
			source_url = excluded.source_url, scanned_at = excluded.scanned_at,
			missing_since = NULL
		RETURNING id`,
		doc.Path, doc.Format, doc.Hash, doc.Size, modTime, doc.Title, doc.Date, doc.SourceURL, scannedAt,
	).Scan(&docID)
	if err != nil {
		return SaveStats{}, err
	}

	// Verified repairs of this document's doubtful URLs are applied before
	// comparing, so a rescan that extracts the same thing again finds the
	// stored (adopted) occurrences unchanged.
	if rows, err = applyVerdicts(ctx, tx, docID, rows); err != nil {
		return SaveStats{}, err
	}
	old, err := queryOccRows(ctx, tx, docID)
	if err != nil {
		return SaveStats{}, err
	}
	stats := SaveStats{Occurrences: len(rows), Removed: removed(old, rows)}
	if slices.Equal(old, rows) {
		return stats, tx.Commit()
	}

	// Replace rather than patch: occurrences have no identity of their own
	// (offsets shift whenever the text above them changes), and a document
	// has tens of them, not thousands.
	if _, err := tx.ExecContext(ctx, "DELETE FROM occurrences WHERE document_id = ?", docID); err != nil {
		return SaveStats{}, err
	}
	findLink, err := tx.PrepareContext(ctx, "SELECT id FROM links WHERE url = ?")
	if err != nil {
		return SaveStats{}, err
	}
	defer findLink.Close()
	// next_check = first_seen: a new link is due at once.
	addLink, err := tx.PrepareContext(ctx, `
		INSERT INTO links (url, host, state, first_seen, next_check) VALUES (?, ?, ?, ?, ?)
		RETURNING id`)
	if err != nil {
		return SaveStats{}, err
	}
	defer addLink.Close()
	addOcc, err := tx.PrepareContext(ctx, `
		INSERT INTO occurrences (document_id, link_id, start_offset, end_offset, line, col, raw, role,
			repaired, repairs, confidence, alternatives, reasons, extracted_url, verified_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return SaveStats{}, err
	}
	defer addOcc.Close()

	linkIDs := make(map[string]int64, len(rows))
	for _, r := range rows {
		id, ok := linkIDs[r.url]
		if !ok {
			err := findLink.QueryRowContext(ctx, r.url).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				err = addLink.QueryRowContext(ctx, r.url, hostOf(r.url), StateUnchecked, scannedAt, scannedAt).Scan(&id)
				stats.NewLinks++
			}
			if err != nil {
				return SaveStats{}, fmt.Errorf("link %s: %w", r.url, err)
			}
			linkIDs[r.url] = id
		}
		_, err := addOcc.ExecContext(ctx, docID, id, r.start, r.end, r.line, r.col, r.raw, r.role,
			r.repaired, r.repairs, r.confidence, r.alternatives, r.reasons, r.extracted, r.verified)
		if err != nil {
			return SaveStats{}, fmt.Errorf("occurrence of %s at line %d: %w", r.url, r.line, err)
		}
	}
	return stats, tx.Commit()
}

// removed counts the old occurrences whose URL the new ones no longer
// have, matching URLs as a multiset.
func removed(old, cur []occRow) int {
	left := make(map[string]int, len(cur))
	for _, r := range cur {
		left[r.url]++
	}
	n := 0
	for _, r := range old {
		if left[r.url] > 0 {
			left[r.url]--
		} else {
			n++
		}
	}
	return n
}

// occColumns selects an occRow from occurrences o joined with links l;
// dest gives the matching Scan destinations.
const occColumns = `l.url, o.raw, o.start_offset, o.end_offset, o.line, o.col, o.role,
	o.repaired, o.repairs, o.alternatives, o.reasons, o.confidence, o.extracted_url, o.verified_at`

func (r *occRow) dest() []any {
	return []any{&r.url, &r.raw, &r.start, &r.end, &r.line, &r.col, &r.role,
		&r.repaired, &r.repairs, &r.alternatives, &r.reasons, &r.confidence, &r.extracted, &r.verified}
}

func scanOccRow(sc interface{ Scan(...any) error }) (occRow, error) {
	var r occRow
	err := sc.Scan(r.dest()...)
	return r, err
}

// queryOccRows returns a document's stored occurrences in the order they
// were saved.
func queryOccRows(ctx context.Context, tx *sql.Tx, docID int64) ([]occRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+occColumns+`
		FROM occurrences o JOIN links l ON l.id = o.link_id
		WHERE o.document_id = ? ORDER BY o.id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []occRow
	for rows.Next() {
		r, err := scanOccRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// docColumns selects a Document from documents d.
const docColumns = `d.id, d.path, d.format, d.hash, d.size, d.mod_time, d.title, d.date,
	d.source_url, d.scanned_at, d.missing_since`

func scanDocument(sc interface{ Scan(...any) error }, extra ...any) (Document, error) {
	var (
		d                         Document
		modTime, scanned, missing sql.NullString
	)
	dest := append([]any{&d.ID, &d.Path, &d.Format, &d.Hash, &d.Size, &modTime, &d.Title, &d.Date,
		&d.SourceURL, &scanned, &missing}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return Document{}, err
	}
	var err error
	if d.ModTime, err = decTime(modTime); err != nil {
		return Document{}, err
	}
	if d.ScannedAt, err = decTime(scanned); err != nil {
		return Document{}, err
	}
	if d.MissingSince, err = decTime(missing); err != nil {
		return Document{}, err
	}
	return d, nil
}

// DocumentByPath implements Store.
func (s *SQLite) DocumentByPath(ctx context.Context, path string) (Document, error) {
	row := s.rq.QueryRowContext(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.path = ?`, path)
	d, err := scanDocument(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, fmt.Errorf("document %s: %w", path, ErrNotFound)
	}
	if err != nil {
		return Document{}, fmt.Errorf("document %s: %w", path, err)
	}
	return d, nil
}

// Documents implements Store.
func (s *SQLite) Documents(ctx context.Context, fn func(Document) error) error {
	rows, err := s.rq.QueryContext(ctx, `SELECT `+docColumns+` FROM documents d ORDER BY d.path`)
	if err != nil {
		return fmt.Errorf("list documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		if err := fn(d); err != nil {
			return err
		}
		// database/sql notices cancellation only between its own calls;
		// check here too so a cancelled stream stops at the next row.
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list documents: %w", err)
	}
	return nil
}

// MarkDocumentMissing implements Store.
func (s *SQLite) MarkDocumentMissing(ctx context.Context, path string, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	t, err := encTime(at)
	if err != nil {
		return fmt.Errorf("mark document %s missing: %w", path, err)
	}
	// COALESCE keeps the first time it was found gone.
	res, err := s.w.ExecContext(ctx,
		"UPDATE documents SET missing_since = COALESCE(missing_since, ?) WHERE path = ?", t, path)
	if err != nil {
		return fmt.Errorf("mark document %s missing: %w", path, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("mark document %s missing: %w", path, err)
	}
	if n == 0 {
		return fmt.Errorf("mark document %s missing: %w", path, ErrNotFound)
	}
	return nil
}
