package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// occRow is an occurrence in its stored form. Comparing two of them tells
// whether a rescan changed anything.
type occRow struct {
	url                            string
	raw                            string
	start, end, line, col          int
	role                           string
	repaired                       bool
	repairs, alternatives, reasons *string
	confidence                     float64
	// Set by a verified repair: the URL extraction gave, when replaced,
	// and when it was verified.
	extracted, verified *string
}

func strEq(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func (r occRow) equal(o occRow) bool {
	return r.url == o.url && r.raw == o.raw && r.start == o.start && r.end == o.end &&
		r.line == o.line && r.col == o.col && r.role == o.role && r.repaired == o.repaired &&
		strEq(r.repairs, o.repairs) && strEq(r.alternatives, o.alternatives) &&
		strEq(r.reasons, o.reasons) && r.confidence == o.confidence &&
		strEq(r.extracted, o.extracted) && strEq(r.verified, o.verified)
}

func encOccurrence(o store.Occurrence) (occRow, error) {
	if o.URL == "" {
		return occRow{}, errors.New("empty URL")
	}
	if o.Role != store.RoleSource && o.Role != store.RoleCited {
		return occRow{}, fmt.Errorf("URL %s: role %q is neither %q nor %q", o.URL, o.Role, store.RoleSource, store.RoleCited)
	}
	if math.IsNaN(o.Confidence) || math.IsInf(o.Confidence, 0) {
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

func (r occRow) occurrence() (store.Occurrence, error) {
	o := store.Occurrence{
		URL: r.url, Raw: r.raw,
		Start: r.start, End: r.end, Line: r.line, Column: r.col,
		Role: r.role, Repaired: r.repaired, Confidence: r.confidence,
	}
	var err error
	if o.Repairs, err = decList(r.repairs); err != nil {
		return store.Occurrence{}, err
	}
	if o.Alternatives, err = decList(r.alternatives); err != nil {
		return store.Occurrence{}, err
	}
	if o.Reasons, err = decList(r.reasons); err != nil {
		return store.Occurrence{}, err
	}
	return o, nil
}

// encList stores an empty list as NULL so that nil and []string{} are one
// value; the JSON text is the one SQLite keeps, so copies compare equal.
func encList(l []string) (*string, error) {
	if len(l) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

func decList(s *string) ([]string, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(*s), &l); err != nil {
		return nil, fmt.Errorf("stored list %q: %w", *s, err)
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}

// SaveDocument implements store.Store, as *store.SQLite does: invalid
// input is refused before anything is written, unchanged occurrences
// write only the document row.
func (s *Store) SaveDocument(ctx context.Context, doc store.Document, occs []store.Occurrence) (store.SaveStats, error) {
	if doc.Path == "" {
		return store.SaveStats{}, errors.New("save document: empty path")
	}
	if doc.ScannedAt.IsZero() {
		doc.ScannedAt = time.Now()
	}
	modTime, err := encTime(doc.ModTime)
	if err != nil {
		return store.SaveStats{}, fmt.Errorf("save document %s: mod time: %w", doc.Path, err)
	}
	scannedAt, err := encTime(doc.ScannedAt)
	if err != nil {
		return store.SaveStats{}, fmt.Errorf("save document %s: scanned at: %w", doc.Path, err)
	}
	rows := make([]occRow, len(occs))
	for i, o := range occs {
		if rows[i], err = encOccurrence(o); err != nil {
			return store.SaveStats{}, fmt.Errorf("save document %s: occurrence %d (line %d): %w", doc.Path, i+1, o.Line, err)
		}
	}
	stats, err := s.saveDocument(ctx, doc, modTime, scannedAt, rows)
	if err != nil {
		return store.SaveStats{}, fmt.Errorf("save document %s: %w", doc.Path, err)
	}
	return stats, nil
}

func (s *Store) saveDocument(ctx context.Context, doc store.Document, modTime, scannedAt *string, rows []occRow) (store.SaveStats, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return store.SaveStats{}, err
	}
	defer tx.Rollback(ctx)

	var docID int64
	err = tx.QueryRow(ctx, `
		INSERT INTO documents (path, format, hash, size, mod_time, title, date, source_url, scanned_at, missing_since)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)
		ON CONFLICT (path) DO UPDATE SET
			format = excluded.format, hash = excluded.hash, size = excluded.size,
			mod_time = excluded.mod_time, title = excluded.title, date = excluded.date,
			source_url = excluded.source_url, scanned_at = excluded.scanned_at,
			missing_since = NULL
		RETURNING id`,
		doc.Path, doc.Format, doc.Hash, doc.Size, modTime, doc.Title, doc.Date, doc.SourceURL, scannedAt,
	).Scan(&docID)
	if err != nil {
		return store.SaveStats{}, err
	}
	if rows, err = applyVerdicts(ctx, tx, docID, rows); err != nil {
		return store.SaveStats{}, err
	}
	old, err := queryOccRows(ctx, tx, docID)
	if err != nil {
		return store.SaveStats{}, err
	}
	stats := store.SaveStats{Occurrences: len(rows), Removed: removed(old, rows)}
	if slices.EqualFunc(old, rows, occRow.equal) {
		return stats, tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM occurrences WHERE document_id = $1", docID); err != nil {
		return store.SaveStats{}, err
	}
	linkIDs := make(map[string]int64, len(rows))
	for _, r := range rows {
		id, ok := linkIDs[r.url]
		if !ok {
			// Two writers may add the same new link at once: ON CONFLICT
			// makes the second one find the first's row instead of failing.
			// xmax = 0 tells a fresh insert from an update.
			var fresh bool
			err := tx.QueryRow(ctx, `
				INSERT INTO links (url, host, state, first_seen, next_check) VALUES ($1, $2, $3, $4, $4)
				ON CONFLICT (url) DO UPDATE SET url = excluded.url
				RETURNING id, xmax = 0`, r.url, store.HostOf(r.url), store.StateUnchecked, scannedAt).Scan(&id, &fresh)
			if err != nil {
				return store.SaveStats{}, fmt.Errorf("link %s: %w", r.url, err)
			}
			if fresh {
				stats.NewLinks++
			}
			linkIDs[r.url] = id
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO occurrences (document_id, link_id, start_offset, end_offset, line, col, raw, role,
				repaired, repairs, confidence, alternatives, reasons, extracted_url, verified_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			docID, id, r.start, r.end, r.line, r.col, r.raw, r.role,
			r.repaired, r.repairs, r.confidence, r.alternatives, r.reasons, r.extracted, r.verified)
		if err != nil {
			return store.SaveStats{}, fmt.Errorf("occurrence of %s at line %d: %w", r.url, r.line, err)
		}
	}
	return stats, tx.Commit(ctx)
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

// occColumns selects an occRow from occurrences o joined with links l.
const occColumns = `l.url, o.raw, o.start_offset, o.end_offset, o.line, o.col, o.role,
	o.repaired, o.repairs, o.alternatives, o.reasons, o.confidence, o.extracted_url, o.verified_at`

func (r *occRow) dest() []any {
	return []any{&r.url, &r.raw, &r.start, &r.end, &r.line, &r.col, &r.role,
		&r.repaired, &r.repairs, &r.alternatives, &r.reasons, &r.confidence, &r.extracted, &r.verified}
}

func queryOccRows(ctx context.Context, tx pgx.Tx, docID int64) ([]occRow, error) {
	rows, err := tx.Query(ctx, `SELECT `+occColumns+`
		FROM occurrences o JOIN links l ON l.id = o.link_id
		WHERE o.document_id = $1 ORDER BY o.id`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []occRow
	for rows.Next() {
		var r occRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// docColumns selects a Document from documents d.
const docColumns = `d.id, d.path, d.format, d.hash, d.size, d.mod_time, d.title, d.date,
	d.source_url, d.scanned_at, d.missing_since`

func scanDocument(sc pgx.Row, extra ...any) (store.Document, error) {
	var (
		d                         store.Document
		modTime, scanned, missing *string
	)
	dest := append([]any{&d.ID, &d.Path, &d.Format, &d.Hash, &d.Size, &modTime, &d.Title, &d.Date,
		&d.SourceURL, &scanned, &missing}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return store.Document{}, err
	}
	err := decTimes(&d.ModTime, modTime, &d.ScannedAt, scanned, &d.MissingSince, missing)
	return d, err
}

// DocumentByPath implements store.Store.
func (s *Store) DocumentByPath(ctx context.Context, path string) (store.Document, error) {
	d, err := scanDocument(s.pool.QueryRow(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.path = $1`, path))
	if err != nil {
		return store.Document{}, fmt.Errorf("document %s: %w", path, notFound(err))
	}
	return d, nil
}

// Documents implements store.Store.
func (s *Store) Documents(ctx context.Context, fn func(store.Document) error) error {
	rows, err := s.pool.Query(ctx, `SELECT `+docColumns+` FROM documents d ORDER BY d.path`)
	if err != nil {
		return fmt.Errorf("list documents: %w", err)
	}
	return eachRow(ctx, rows, "list documents", func(r pgx.Rows) (store.Document, error) { return scanDocument(r) }, fn)
}

// MarkDocumentMissing implements store.Store.
func (s *Store) MarkDocumentMissing(ctx context.Context, path string, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	t, err := encTime(at)
	if err != nil {
		return fmt.Errorf("mark document %s missing: %w", path, err)
	}
	tag, err := s.pool.Exec(ctx,
		"UPDATE documents SET missing_since = COALESCE(missing_since, $1) WHERE path = $2", t, path)
	if err != nil {
		return fmt.Errorf("mark document %s missing: %w", path, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mark document %s missing: %w", path, store.ErrNotFound)
	}
	return nil
}
