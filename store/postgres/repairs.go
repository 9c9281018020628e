package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// OccurrencesNeedingVerification implements store.CheckStore. The
// condition matches the partial index occurrences_unverified (0.6 is
// store.VerifyBelow).
func (s *Store) OccurrencesNeedingVerification(ctx context.Context, fn func(store.OccurrenceRef) error) error {
	rows, err := s.pool.Query(ctx, `SELECT `+docColumns+`, o.id, `+occColumns+`
		FROM `+presentOccurrences+` JOIN links l ON l.id = o.link_id
		WHERE o.verified_at IS NULL AND (o.confidence < 0.6 OR o.alternatives IS NOT NULL)
		ORDER BY d.path, o.start_offset, o.id`)
	if err != nil {
		return fmt.Errorf("occurrences to verify: %w", err)
	}
	return eachRow(ctx, rows, "occurrences to verify", func(rows pgx.Rows) (store.OccurrenceRef, error) {
		var (
			ref store.OccurrenceRef
			r   occRow
			err error
		)
		if ref.Document, err = scanDocument(rows, append([]any{&ref.ID}, r.dest()...)...); err != nil {
			return ref, err
		}
		ref.Occurrence, err = r.occurrence()
		return ref, err
	}, fn)
}

type verdict struct {
	url          string
	confidence   float64
	alternatives []string
	reasons      []string
	verifiedAt   string
}

type verdictKey struct{ raw, extracted string }

// applyVerdicts rewrites freshly extracted rows of document docID that a
// verified repair covers, the way AdoptRepair rewrote them.
func applyVerdicts(ctx context.Context, tx pgx.Tx, docID int64, rows []occRow) ([]occRow, error) {
	q, err := tx.Query(ctx, `SELECT raw, extracted_url, url, confidence, alternatives, reasons, verified_at
		FROM repair_verdicts WHERE document_id = $1`, docID)
	if err != nil {
		return nil, err
	}
	vs := map[verdictKey]verdict{}
	for q.Next() {
		var (
			k          verdictKey
			v          verdict
			alts, rsns *string
		)
		if err := q.Scan(&k.raw, &k.extracted, &v.url, &v.confidence, &alts, &rsns, &v.verifiedAt); err != nil {
			q.Close()
			return nil, err
		}
		if v.alternatives, err = decList(alts); err != nil {
			q.Close()
			return nil, err
		}
		if v.reasons, err = decList(rsns); err != nil {
			q.Close()
			return nil, err
		}
		vs[k] = v
	}
	q.Close()
	if err := q.Err(); err != nil || len(vs) == 0 {
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

// moveOcc moves occurrence r, extracted as ext and now at r.url, to url,
// by the rules of the SQLite store (store/repairs.go): alternatives keep
// their order minus url and the carried URLs, then gain r.url and carried;
// reasons are appended.
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
	r.extracted = nil
	if url != ext {
		r.extracted = &ext
	}
	r.verified = &verifiedAt
	return r, nil
}

// AdoptRepair implements store.CheckStore.
func (s *Store) AdoptRepair(ctx context.Context, occurrenceID int64, url string, confidence float64, reasons []string, at time.Time) error {
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
	if err := s.adoptRepair(ctx, occurrenceID, url, confidence, reasons, *t); err != nil {
		return fmt.Errorf("adopt repair in %s as %s: %w", where, url, err)
	}
	return nil
}

func (s *Store) adoptRepair(ctx context.Context, occID int64, url string, confidence float64, reasons []string, at string) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)

	var (
		docID int64
		r     occRow
	)
	err = tx.QueryRow(ctx, `SELECT o.document_id, `+occColumns+`
		FROM occurrences o JOIN links l ON l.id = o.link_id WHERE o.id = $1 FOR UPDATE OF o`, occID).
		Scan(append([]any{&docID}, r.dest()...)...)
	if err != nil {
		return notFound(err)
	}
	cur, ext := r.url, r.url
	if r.extracted != nil {
		ext = *r.extracted
	}
	moved, err := moveOcc(r, ext, url, nil, reasons, confidence, at)
	if err != nil {
		return err
	}
	var linkID int64
	err = tx.QueryRow(ctx, `INSERT INTO links (url, host, state, first_seen, next_check)
		VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (url) DO UPDATE SET url = excluded.url
		RETURNING id`, url, store.HostOf(url), store.StateUnchecked, at).Scan(&linkID)
	if err != nil {
		return fmt.Errorf("link %s: %w", url, err)
	}
	_, err = tx.Exec(ctx, `UPDATE occurrences SET link_id = $1, repaired = $2, confidence = $3,
		alternatives = $4, reasons = $5, extracted_url = $6, verified_at = $7 WHERE id = $8`,
		linkID, moved.repaired, moved.confidence, moved.alternatives, moved.reasons,
		moved.extracted, moved.verified, occID)
	if err != nil {
		return err
	}

	// As in SQLite: a verified occurrence extends its earlier verdict, an
	// unverified one starts a new one.
	var prevAlts, prevReasons *string
	if r.verified != nil {
		err = tx.QueryRow(ctx, `SELECT alternatives, reasons FROM repair_verdicts
			WHERE document_id = $1 AND raw = $2 AND extracted_url = $3`, docID, r.raw, ext).Scan(&prevAlts, &prevReasons)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
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
	_, err = tx.Exec(ctx, `INSERT INTO repair_verdicts
			(document_id, raw, extracted_url, url, confidence, alternatives, reasons, verified_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (document_id, raw, extracted_url) DO UPDATE SET
			url = excluded.url, confidence = excluded.confidence, alternatives = excluded.alternatives,
			reasons = excluded.reasons, verified_at = excluded.verified_at`,
		docID, r.raw, ext, url, confidence, encAlts, encReasons, at)
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}
