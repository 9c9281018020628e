package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

const snapshotColumns = `s.id, s.link_id, l.url, s.url, s.captured_at, s.status, s.content_type,
	s.payload_digest, s.content_hash, s.raw_blob, s.html_blob, s.text_blob,
	s.warc_file, s.warc_offset, s.warc_length, s.warc_request_offset, s.warc_request_length,
	s.warc_type, s.warc_record_id,
	s.title, s.byline, s.published, s.site_name, s.excerpt, s.language, s.words,
	s.last_seen, s.seen_count, s.replaced`

const snapshotFrom = ` FROM snapshots s JOIN links l ON l.id = s.link_id `

// goodSnapshot: a failed response never stands for the page.
const goodSnapshot = ` s.status BETWEEN 200 AND 299 AND s.replaced = '' `

func scanSnapshot(sc pgx.Row) (store.Snapshot, error) {
	var (
		s              store.Snapshot
		captured, seen *string
	)
	err := sc.Scan(&s.ID, &s.LinkID, &s.LinkURL, &s.URL, &captured, &s.Status, &s.ContentType,
		&s.PayloadDigest, &s.ContentHash, &s.RawBlob, &s.HTMLBlob, &s.TextBlob,
		&s.WARCFile, &s.WARCOffset, &s.WARCLength, &s.WARCRequestOffset, &s.WARCRequestLength,
		&s.WARCType, &s.WARCRecordID,
		&s.Title, &s.Byline, &s.Published, &s.SiteName, &s.Excerpt, &s.Language, &s.Words,
		&seen, &s.SeenCount, &s.Replaced)
	if err != nil {
		return store.Snapshot{}, err
	}
	if err := decTimes(&s.CapturedAt, captured, &s.LastSeen, seen); err != nil {
		return store.Snapshot{}, err
	}
	if s.LastSeen.IsZero() {
		s.LastSeen = s.CapturedAt
	}
	return s, nil
}

// AddSnapshot implements store.SnapshotStore.
func (s *Store) AddSnapshot(ctx context.Context, sn store.Snapshot) (int64, error) {
	what := sn.LinkURL
	if what == "" {
		what = fmt.Sprintf("link %d", sn.LinkID)
	}
	if sn.LinkID == 0 && sn.LinkURL == "" {
		return 0, errors.New("add snapshot: neither link ID nor URL")
	}
	if sn.CapturedAt.IsZero() {
		return 0, fmt.Errorf("add snapshot of %s: zero CapturedAt", what)
	}
	if sn.WARCOffset < 0 || sn.WARCLength < 0 || sn.WARCRequestOffset < 0 || sn.WARCRequestLength < 0 {
		return 0, fmt.Errorf("add snapshot of %s: negative WARC offset or length", what)
	}
	captured, err := encTime(sn.CapturedAt)
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, err)
	}
	if sn.LastSeen.IsZero() || sn.LastSeen.Before(sn.CapturedAt) {
		sn.LastSeen = sn.CapturedAt
	}
	seen, err := encTime(sn.LastSeen)
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: last seen: %w", what, err)
	}
	sn.SeenCount = max(sn.SeenCount, 1)

	linkID := sn.LinkID
	if linkID != 0 {
		var u string
		err = s.pool.QueryRow(ctx, "SELECT url FROM links WHERE id = $1", linkID).Scan(&u)
		if err == nil && sn.LinkURL != "" && u != sn.LinkURL {
			return 0, fmt.Errorf("add snapshot: link %d is %s, not %s", linkID, u, sn.LinkURL)
		}
	} else {
		linkID, err = s.linkID(ctx, sn.LinkURL)
	}
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, notFound(err))
	}
	// Links are never deleted, so the link found above is still there for
	// the insert's foreign key; no transaction is needed.
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO snapshots (
			link_id, captured_at, url, status, content_type, payload_digest, content_hash,
			raw_blob, html_blob, text_blob,
			warc_file, warc_offset, warc_length, warc_request_offset, warc_request_length,
			warc_type, warc_record_id,
			title, byline, published, site_name, excerpt, language, words, last_seen, seen_count, replaced)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27)
		RETURNING id`,
		linkID, captured, sn.URL, sn.Status, sn.ContentType, sn.PayloadDigest, sn.ContentHash,
		sn.RawBlob, sn.HTMLBlob, sn.TextBlob,
		sn.WARCFile, sn.WARCOffset, sn.WARCLength, sn.WARCRequestOffset, sn.WARCRequestLength,
		sn.WARCType, sn.WARCRecordID,
		sn.Title, sn.Byline, sn.Published, sn.SiteName, sn.Excerpt, sn.Language, sn.Words, seen, sn.SeenCount, sn.Replaced).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, err)
	}
	return id, nil
}

func (s *Store) snapshotLinkID(ctx context.Context, what, linkURL string) (int64, error) {
	id, err := s.linkID(ctx, linkURL)
	if err != nil {
		return 0, fmt.Errorf("%s of %s: %w", what, linkURL, err)
	}
	return id, nil
}

func (s *Store) oneSnapshot(ctx context.Context, what, q string, a ...any) (store.Snapshot, error) {
	sn, err := scanSnapshot(s.pool.QueryRow(ctx, `SELECT `+snapshotColumns+snapshotFrom+q, a...))
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("%s: %w", what, notFound(err))
	}
	return sn, nil
}

// SnapshotByID returns one snapshot; store.ErrNotFound if there is none.
func (s *Store) SnapshotByID(ctx context.Context, id int64) (store.Snapshot, error) {
	return s.oneSnapshot(ctx, fmt.Sprintf("snapshot %d", id), `WHERE s.id = $1`, id)
}

// LatestSnapshot implements store.SnapshotStore.
func (s *Store) LatestSnapshot(ctx context.Context, linkURL string) (store.Snapshot, error) {
	id, err := s.snapshotLinkID(ctx, "latest snapshot", linkURL)
	if err != nil {
		return store.Snapshot{}, err
	}
	return s.oneSnapshot(ctx, "latest snapshot of "+linkURL,
		`WHERE s.link_id = $1 AND`+goodSnapshot+`ORDER BY s.captured_at DESC, s.id DESC LIMIT 1`, id)
}

// SnapshotClosest implements store.SnapshotStore.
func (s *Store) SnapshotClosest(ctx context.Context, linkURL string, t time.Time) (store.Snapshot, error) {
	what := fmt.Sprintf("snapshot of %s closest to %s", linkURL, t.UTC().Format(time.RFC3339))
	if t.IsZero() {
		return s.LatestSnapshot(ctx, linkURL)
	}
	id, err := s.snapshotLinkID(ctx, "closest snapshot", linkURL)
	if err != nil {
		return store.Snapshot{}, err
	}
	at, err := encTime(t)
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	before, errB := s.oneSnapshot(ctx, what,
		`WHERE s.link_id = $1 AND`+goodSnapshot+`AND s.captured_at <= $2 ORDER BY s.captured_at DESC, s.id DESC LIMIT 1`, id, at)
	after, errA := s.oneSnapshot(ctx, what,
		`WHERE s.link_id = $1 AND`+goodSnapshot+`AND s.captured_at > $2 ORDER BY s.captured_at, s.id LIMIT 1`, id, at)
	switch {
	case errB != nil && !errors.Is(errB, store.ErrNotFound):
		return store.Snapshot{}, errB
	case errA != nil && !errors.Is(errA, store.ErrNotFound):
		return store.Snapshot{}, errA
	case errB != nil:
		return after, errA
	case errA != nil:
		return before, nil
	case after.CapturedAt.Sub(t) < t.Sub(before.CapturedAt):
		return after, nil
	default:
		return before, nil
	}
}

// Snapshots implements store.SnapshotStore.
func (s *Store) Snapshots(ctx context.Context, linkURL string, fn func(store.Snapshot) error) error {
	id, err := s.snapshotLinkID(ctx, "snapshots", linkURL)
	if err != nil {
		return err
	}
	return s.streamSnapshots(ctx, "snapshots of "+linkURL,
		`WHERE s.link_id = $1 ORDER BY s.captured_at DESC, s.id DESC`, []any{id}, fn)
}

// AllSnapshots implements store.SnapshotStore.
func (s *Store) AllSnapshots(ctx context.Context, fn func(store.Snapshot) error) error {
	return s.streamSnapshots(ctx, "all snapshots", `ORDER BY s.id`, nil, fn)
}

// SnapshotWithPayload implements store.SnapshotStore.
func (s *Store) SnapshotWithPayload(ctx context.Context, digest string) (store.Snapshot, error) {
	if digest == "" {
		return store.Snapshot{}, fmt.Errorf("snapshot with empty payload digest: %w", store.ErrNotFound)
	}
	return s.oneSnapshot(ctx, "snapshot with payload "+digest,
		`WHERE s.payload_digest = $1 AND s.warc_type = $2 ORDER BY s.captured_at, s.id LIMIT 1`, digest, store.WARCResponse)
}

// MarkSeenUnchanged implements store.SnapshotStore.
func (s *Store) MarkSeenUnchanged(ctx context.Context, id int64, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("mark snapshot %d seen: zero time", id)
	}
	t, err := encTime(at)
	if err != nil {
		return fmt.Errorf("mark snapshot %d seen: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE snapshots
		SET last_seen = GREATEST(COALESCE(last_seen, captured_at), $1::text), seen_count = seen_count + 1
		WHERE id = $2`, t, id)
	if err != nil {
		return fmt.Errorf("mark snapshot %d seen: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("mark snapshot %d seen: %w", id, store.ErrNotFound)
	}
	return nil
}

func (s *Store) streamSnapshots(ctx context.Context, what, q string, a []any, fn func(store.Snapshot) error) error {
	rows, err := s.pool.Query(ctx, `SELECT `+snapshotColumns+snapshotFrom+q, a...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r pgx.Rows) (store.Snapshot, error) { return scanSnapshot(r) }, fn)
}
