package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// needsVerification is the condition OccurrencesNeedingVerification uses.
// It must stay textually equivalent to the WHERE of the partial index
// occurrences_unverified (migration 0005) for SQLite to use that index;
// 0.6 is VerifyBelow.
const needsVerification = `o.verified_at IS NULL AND (o.confidence < 0.6 OR o.alternatives IS NOT NULL)`

// OccurrencesNeedingVerification implements CheckStore.
func (s *SQLite) OccurrencesNeedingVerification(ctx context.Context, fn func(OccurrenceRef) error) error {
	rows, err := s.rq.QueryContext(ctx, `SELECT `+docColumns+`, o.id, `+occColumns+`
		FROM `+presentOccurrences+` JOIN links l ON l.id = o.link_id
		WHERE `+needsVerification+`
		ORDER BY d.path, o.start_offset, o.id`)
	if err != nil {
		return fmt.Errorf("occurrences to verify: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			ref OccurrenceRef
			r   occRow
		)
		ref.Document, err = scanDocument(rows, append([]any{&ref.ID}, r.dest()...)...)
		if err != nil {
			return fmt.Errorf("occurrences to verify: %w", err)
		}
		if ref.Occurrence, err = r.occurrence(); err != nil {
			return fmt.Errorf("occurrences to verify: %s: %w", ref.Document.Path, err)
		}
		if err := fn(ref); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("occurrences to verify: %w", err)
	}
	return nil
}

// verdict is a repair_verdicts row: what a verified repair does to an
// occurrence extracted as (raw, extracted URL) in one document.
type verdict struct {
	url          string
	confidence   float64
	alternatives []string // URLs the occurrence held between extraction and url
	reasons      []string
	verifiedAt   string
}

type verdictKey struct{ raw, extracted string }

// applyVerdicts rewrites freshly extracted rows of document docID that a
// verified repair covers, the way AdoptRepair rewrote them.
func applyVerdicts(ctx context.Context, tx *sql.Tx, docID int64, rows []occRow) ([]occRow, error) {
	vs, err := queryVerdicts(ctx, tx, docID)
	if err != nil || len(vs) == 0 {
		return rows, err
	}
	out := slices.Clone(rows)
	for i, r := range out {
		v, ok := vs[verdictKey{r.raw, r.url}]
		if !ok {
			continue
		}
		if out[i], err = moveOcc(r, r.url, v.url, v.alternatives, v.reasons, v.confidence, v.verifiedAt); err != nil {
			return nil, fmt.Errorf("verified repair of %s: %w", r.url, err)
		}
	}
	return out, nil
}

func queryVerdicts(ctx context.Context, tx *sql.Tx, docID int64) (map[verdictKey]verdict, error) {
	rows, err := tx.QueryContext(ctx, `SELECT raw, extracted_url, url, confidence, alternatives, reasons, verified_at
		FROM repair_verdicts WHERE document_id = ?`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out map[verdictKey]verdict
	for rows.Next() {
		var (
			k          verdictKey
			v          verdict
			alts, rsns sql.NullString
		)
		if err := rows.Scan(&k.raw, &k.extracted, &v.url, &v.confidence, &alts, &rsns, &v.verifiedAt); err != nil {
			return nil, err
		}
		if v.alternatives, err = decList(alts); err != nil {
			return nil, err
		}
		if v.reasons, err = decList(rsns); err != nil {
			return nil, err
		}
		if out == nil {
			out = map[verdictKey]verdict{}
		}
		out[k] = v
	}
	return out, rows.Err()
}

// moveOcc moves occurrence r, extracted as ext and now at r.url, to url.
// Its alternatives keep their order minus url and the carried URLs, then
// gain r.url and carried (URLs it held earlier); reasons are appended.
// AdoptRepair calls it on the stored row with nothing carried; SaveDocument
// on the fresh row (at ext) with the verdict's carried URLs. Both give the
// same row, which is what lets a rescan find it unchanged.
func moveOcc(r occRow, ext, url string, carried, reasons []string, confidence float64, verifiedAt string) (occRow, error) {
	alts, err := decList(r.alternatives)
	if err != nil {
		return occRow{}, err
	}
	var out []string
	for _, a := range alts {
		if a != url && !slices.Contains(carried, a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, a := range append([]string{r.url}, carried...) {
		if a != url && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	rs, err := decList(r.reasons)
	if err != nil {
		return occRow{}, err
	}
	if r.alternatives, err = encList(out); err != nil {
		return occRow{}, err
	}
	if r.reasons, err = encList(append(rs, reasons...)); err != nil {
		return occRow{}, err
	}
	r.confidence = confidence
	r.repaired = r.repaired || url != ext
	r.url = url
	r.extracted = sql.NullString{String: ext, Valid: url != ext}
	r.verified = sql.NullString{String: verifiedAt, Valid: true}
	return r, nil
}

// AdoptRepair implements CheckStore.
func (s *SQLite) AdoptRepair(ctx context.Context, occurrenceID int64, url string, confidence float64, reasons []string, at time.Time) error {
	where := fmt.Sprintf("occurrence %d", occurrenceID)
	if url == "" {
		return fmt.Errorf("adopt repair in %s: empty URL", where)
	}
	if math.IsNaN(confidence) || math.IsInf(confidence, 0) {
		return fmt.Errorf("adopt repair in %s: confidence %v is not a number", where, confidence)
	}
	if at.IsZero() {
		at = time.Now()
	}
	t, err := encTime(at)
	if err != nil {
		return fmt.Errorf("adopt repair in %s: %w", where, err)
	}
	if err := s.adoptRepair(ctx, occurrenceID, url, confidence, reasons, t.(string)); err != nil {
		return fmt.Errorf("adopt repair in %s as %s: %w", where, url, err)
	}
	return nil
}

func (s *SQLite) adoptRepair(ctx context.Context, occID int64, url string, confidence float64, reasons []string, at string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var (
		docID int64
		r     occRow
	)
	err = tx.QueryRowContext(ctx, `SELECT o.document_id, `+occColumns+`
		FROM occurrences o JOIN links l ON l.id = o.link_id WHERE o.id = ?`, occID).
		Scan(append([]any{&docID}, r.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	cur, ext := r.url, r.url
	if r.extracted.Valid {
		ext = r.extracted.String
	}
	moved, err := moveOcc(r, ext, url, nil, reasons, confidence, at)
	if err != nil {
		return err
	}

	var linkID int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM links WHERE url = ?", url).Scan(&linkID)
	if errors.Is(err, sql.ErrNoRows) {
		// Like a link found by a scan: unchecked and due at once.
		err = tx.QueryRowContext(ctx, `INSERT INTO links (url, host, state, first_seen, next_check)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, url, hostOf(url), StateUnchecked, at, at).Scan(&linkID)
	}
	if err != nil {
		return fmt.Errorf("link %s: %w", url, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE occurrences SET link_id = ?, repaired = ?, confidence = ?,
		alternatives = ?, reasons = ?, extracted_url = ?, verified_at = ? WHERE id = ?`,
		linkID, moved.repaired, moved.confidence, moved.alternatives, moved.reasons,
		moved.extracted, moved.verified, occID)
	if err != nil {
		return err
	}

	// The verdict must turn a fresh extraction into this row. A verified
	// occurrence already carries the earlier verdict, so that one is
	// extended; an unverified one is the fresh extraction itself (say the
	// twin of an occurrence adopted before, same raw text), so the verdict
	// starts over rather than counting the evidence twice.
	var prevAlts, prevReasons sql.NullString
	if r.verified.Valid {
		err = tx.QueryRowContext(ctx, `SELECT alternatives, reasons FROM repair_verdicts
			WHERE document_id = ? AND raw = ? AND extracted_url = ?`, docID, r.raw, ext).Scan(&prevAlts, &prevReasons)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	carried, err := decList(prevAlts)
	if err != nil {
		return err
	}
	if cur != ext && !slices.Contains(carried, cur) {
		carried = append(carried, cur)
	}
	carried = slices.DeleteFunc(carried, func(a string) bool { return a == url })
	vReasons, err := decList(prevReasons)
	if err != nil {
		return err
	}
	vReasons = append(vReasons, reasons...)
	encAlts, err := encList(carried)
	if err != nil {
		return err
	}
	encReasons, err := encList(vReasons)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO repair_verdicts
			(document_id, raw, extracted_url, url, confidence, alternatives, reasons, verified_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (document_id, raw, extracted_url) DO UPDATE SET
			url = excluded.url, confidence = excluded.confidence, alternatives = excluded.alternatives,
			reasons = excluded.reasons, verified_at = excluded.verified_at`,
		docID, r.raw, ext, url, confidence, encAlts, encReasons, at)
	if err != nil {
		return err
	}
	return tx.Commit()
}
