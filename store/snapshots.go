package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SnapshotStore is the catalog of saved copies as the archive uses it. It
// is separate from Store for the same reason CheckStore is: readers of the
// catalog need not know about it, and a new implementation can pass the
// Store suite first. *SQLite implements it; storetest.RunSnapshots tests
// it.
//
// Streaming methods follow the Store rules: fn is called once per row, the
// first error it returns stops the stream and is returned unwrapped, and fn
// may call any method, writes included.
//
// "Good" snapshots are those with a 2xx status that were not captured from
// a page found replaced (Snapshot.Replaced). The archive never stores
// failed responses, but the store does not rely on that: LatestSnapshot and
// SnapshotClosest only ever hand out good copies, so a failed response
// recorded by some other writer can never hide one.
type SnapshotStore interface {
	Store

	// AddSnapshot stores a new snapshot and returns its ID. The link is
	// s.LinkID, or the link of s.LinkURL when LinkID is 0 (ErrNotFound if
	// there is none; an error if both are given and disagree). A zero
	// CapturedAt is refused; a zero LastSeen is stored as CapturedAt and a
	// SeenCount below 1 as 1.
	AddSnapshot(ctx context.Context, s Snapshot) (int64, error)
	// LatestSnapshot returns the newest good snapshot of the link with URL
	// linkURL. ErrNotFound if the URL is not a link or has no good
	// snapshot.
	LatestSnapshot(ctx context.Context, linkURL string) (Snapshot, error)
	// SnapshotClosest returns the good snapshot of linkURL captured
	// nearest to t, either side; of two equally near, the earlier.
	// ErrNotFound as for LatestSnapshot.
	SnapshotClosest(ctx context.Context, linkURL string, t time.Time) (Snapshot, error)
	// Snapshots streams every snapshot of linkURL, good or not, newest
	// first. ErrNotFound if the URL is not a link; a link without
	// snapshots gives no calls and nil.
	Snapshots(ctx context.Context, linkURL string, fn func(Snapshot) error) error
	// SnapshotWithPayload returns the earliest snapshot, of any link,
	// whose payload digest is digest and whose WARC record is a full
	// response (WARCType "response"): the record a revisit record of the
	// same payload refers to. ErrNotFound if there is none.
	SnapshotWithPayload(ctx context.Context, digest string) (Snapshot, error)
	// MarkSeenUnchanged records that snapshot id's content was seen again
	// at at: SeenCount grows by one and LastSeen becomes at, unless it is
	// later already. ErrNotFound for an unknown snapshot.
	MarkSeenUnchanged(ctx context.Context, id int64, at time.Time) error
	// AllSnapshots streams every snapshot by ID, for integrity checks.
	AllSnapshots(ctx context.Context, fn func(Snapshot) error) error
}

var _ SnapshotStore = (*SQLite)(nil)

// WARC record types a snapshot can point at (Snapshot.WARCType).
const (
	WARCResponse = "response"
	WARCRevisit  = "revisit"
)

// Snapshot is one saved copy of a page. The archive fills it; the store
// only keeps it. Blob IDs name files in the archive's blob store, WARC
// files are named relative to its WARC directory; empty means "not kept".
type Snapshot struct {
	ID      int64 // assigned by AddSnapshot
	LinkID  int64
	LinkURL string // the link's URL, as the catalog has it
	// URL is the URL actually fetched, after redirects.
	URL         string
	CapturedAt  time.Time
	Status      int
	ContentType string
	// PayloadDigest is "sha256:<hex>" of the body as stored (decoded):
	// what deduplication compares. ContentHash is what change detection
	// compares (the readable text's hash for HTML, the payload's
	// otherwise).
	PayloadDigest string
	ContentHash   string
	RawBlob       string
	HTMLBlob      string
	TextBlob      string
	// The capture's WARC records: the response (or revisit) record at
	// WARCOffset, WARCLength bytes of the compressed file, and the request
	// record. WARCType is WARCResponse, WARCRevisit or "" (no WARC kept).
	WARCFile          string
	WARCOffset        int64
	WARCLength        int64
	WARCRequestOffset int64
	WARCRequestLength int64
	WARCType          string
	WARCRecordID      string
	// What the readable article says about itself.
	Title     string
	Byline    string
	Published string // RFC 3339; "" when the page does not say
	SiteName  string
	Excerpt   string
	Language  string
	Words     int
	// LastSeen is the last time the same content was seen (CapturedAt at
	// first); SeenCount counts the sightings, the capture included.
	LastSeen  time.Time
	SeenCount int
	// Replaced is the content verdict's reason (drift.Reason) when the
	// check that captured this copy found the page replaced (parked,
	// a login wall, a home page): such a copy is kept, as evidence, but
	// is never the latest good copy restore, fix and the UI offer.
	Replaced string
}

// Good reports whether the snapshot is of a successful (2xx) response
// and not of a page found replaced.
func (s Snapshot) Good() bool { return s.Status >= 200 && s.Status <= 299 && s.Replaced == "" }

const snapshotColumns = `s.id, s.link_id, l.url, s.url, s.captured_at, s.status, s.content_type,
	s.payload_digest, s.content_hash, s.raw_blob, s.html_blob, s.text_blob,
	s.warc_file, s.warc_offset, s.warc_length, s.warc_request_offset, s.warc_request_length,
	s.warc_type, s.warc_record_id,
	s.title, s.byline, s.published, s.site_name, s.excerpt, s.language, s.words,
	s.last_seen, s.seen_count, s.replaced`

const snapshotFrom = ` FROM snapshots s JOIN links l ON l.id = s.link_id `

// goodSnapshot is the SQL condition LatestSnapshot and SnapshotClosest
// add: a failed response never stands for the page.
const goodSnapshot = ` s.status BETWEEN 200 AND 299 AND s.replaced = '' `

func scanSnapshot(sc interface{ Scan(...any) error }) (Snapshot, error) {
	var (
		s              Snapshot
		captured, seen sql.NullString
	)
	err := sc.Scan(&s.ID, &s.LinkID, &s.LinkURL, &s.URL, &captured, &s.Status, &s.ContentType,
		&s.PayloadDigest, &s.ContentHash, &s.RawBlob, &s.HTMLBlob, &s.TextBlob,
		&s.WARCFile, &s.WARCOffset, &s.WARCLength, &s.WARCRequestOffset, &s.WARCRequestLength,
		&s.WARCType, &s.WARCRecordID,
		&s.Title, &s.Byline, &s.Published, &s.SiteName, &s.Excerpt, &s.Language, &s.Words,
		&seen, &s.SeenCount, &s.Replaced)
	if err != nil {
		return Snapshot{}, err
	}
	if s.CapturedAt, err = decTime(captured); err != nil {
		return Snapshot{}, err
	}
	if s.LastSeen, err = decTime(seen); err != nil {
		return Snapshot{}, err
	}
	if s.LastSeen.IsZero() {
		s.LastSeen = s.CapturedAt
	}
	return s, nil
}

// AddSnapshot implements SnapshotStore.
func (s *SQLite) AddSnapshot(ctx context.Context, sn Snapshot) (int64, error) {
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

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, err)
	}
	defer tx.Rollback()
	linkID := sn.LinkID
	if linkID != 0 {
		var u string
		err = tx.QueryRowContext(ctx, "SELECT url FROM links WHERE id = ?", linkID).Scan(&u)
		if err == nil && sn.LinkURL != "" && u != sn.LinkURL {
			return 0, fmt.Errorf("add snapshot: link %d is %s, not %s", linkID, u, sn.LinkURL)
		}
	} else {
		err = tx.QueryRowContext(ctx, "SELECT id FROM links WHERE url = ?", sn.LinkURL).Scan(&linkID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO snapshots (
			link_id, captured_at, url, status, content_type, payload_digest, content_hash,
			raw_blob, html_blob, text_blob,
			warc_file, warc_offset, warc_length, warc_request_offset, warc_request_length,
			warc_type, warc_record_id,
			title, byline, published, site_name, excerpt, language, words, last_seen, seen_count, replaced)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		linkID, captured, sn.URL, sn.Status, sn.ContentType, sn.PayloadDigest, sn.ContentHash,
		sn.RawBlob, sn.HTMLBlob, sn.TextBlob,
		sn.WARCFile, sn.WARCOffset, sn.WARCLength, sn.WARCRequestOffset, sn.WARCRequestLength,
		sn.WARCType, sn.WARCRecordID,
		sn.Title, sn.Byline, sn.Published, sn.SiteName, sn.Excerpt, sn.Language, sn.Words, seen, sn.SeenCount, sn.Replaced)
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("add snapshot of %s: %w", what, err)
	}
	return id, nil
}

// snapshotLinkID looks linkURL up for the snapshot readers.
func (s *SQLite) snapshotLinkID(ctx context.Context, what, linkURL string) (int64, error) {
	var id int64
	err := s.rq.QueryRowContext(ctx, "SELECT id FROM links WHERE url = ?", linkURL).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s of %s: %w", what, linkURL, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("%s of %s: %w", what, linkURL, err)
	}
	return id, nil
}

// oneSnapshot runs a query for at most one snapshot; no row is ErrNotFound.
func (s *SQLite) oneSnapshot(ctx context.Context, what, q string, args ...any) (Snapshot, error) {
	sn, err := scanSnapshot(s.rq.QueryRowContext(ctx, `SELECT `+snapshotColumns+snapshotFrom+q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Snapshot{}, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	return sn, nil
}

// LatestSnapshot implements SnapshotStore.
func (s *SQLite) LatestSnapshot(ctx context.Context, linkURL string) (Snapshot, error) {
	id, err := s.snapshotLinkID(ctx, "latest snapshot", linkURL)
	if err != nil {
		return Snapshot{}, err
	}
	// snapshots_link_time serves this backwards; id breaks ties between
	// snapshots of the same instant, the later written first.
	return s.oneSnapshot(ctx, "latest snapshot of "+linkURL,
		`WHERE s.link_id = ? AND`+goodSnapshot+`ORDER BY s.captured_at DESC, s.id DESC LIMIT 1`, id)
}

// SnapshotClosest implements SnapshotStore.
func (s *SQLite) SnapshotClosest(ctx context.Context, linkURL string, t time.Time) (Snapshot, error) {
	what := fmt.Sprintf("snapshot of %s closest to %s", linkURL, t.UTC().Format(time.RFC3339))
	if t.IsZero() {
		return s.LatestSnapshot(ctx, linkURL)
	}
	id, err := s.snapshotLinkID(ctx, "closest snapshot", linkURL)
	if err != nil {
		return Snapshot{}, err
	}
	at, err := encTime(t)
	if err != nil {
		return Snapshot{}, fmt.Errorf("%s: %w", what, err)
	}
	// Two index probes, one on each side of t, instead of ordering every
	// snapshot of the link by distance.
	before, errB := s.oneSnapshot(ctx, what,
		`WHERE s.link_id = ? AND`+goodSnapshot+`AND s.captured_at <= ? ORDER BY s.captured_at DESC, s.id DESC LIMIT 1`, id, at)
	after, errA := s.oneSnapshot(ctx, what,
		`WHERE s.link_id = ? AND`+goodSnapshot+`AND s.captured_at > ? ORDER BY s.captured_at, s.id LIMIT 1`, id, at)
	switch {
	case errB != nil && !errors.Is(errB, ErrNotFound):
		return Snapshot{}, errB
	case errA != nil && !errors.Is(errA, ErrNotFound):
		return Snapshot{}, errA
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

// Snapshots implements SnapshotStore.
func (s *SQLite) Snapshots(ctx context.Context, linkURL string, fn func(Snapshot) error) error {
	id, err := s.snapshotLinkID(ctx, "snapshots", linkURL)
	if err != nil {
		return err
	}
	return s.streamSnapshots(ctx, "snapshots of "+linkURL,
		`WHERE s.link_id = ? ORDER BY s.captured_at DESC, s.id DESC`, []any{id}, fn)
}

// GoodSnapshotsBefore streams the good copies of link linkID captured
// before t, newest first: the candidates for a content verdict's
// reference. By ID and filtered in SQL, because a check run asks it for
// every alive page, most of which have no copy yet.
func (s *SQLite) GoodSnapshotsBefore(ctx context.Context, linkID int64, t time.Time, fn func(Snapshot) error) error {
	at, err := encTime(t)
	if err != nil {
		return fmt.Errorf("copies of link %d before %v: %w", linkID, t, err)
	}
	return s.streamSnapshots(ctx, fmt.Sprintf("copies of link %d", linkID),
		`WHERE s.link_id = ? AND`+goodSnapshot+`AND s.captured_at < ? ORDER BY s.captured_at DESC, s.id DESC`,
		[]any{linkID, at}, fn)
}

// LinksWithGoodCopies streams, once each and in ID order, the links that
// have at least one good copy: a check run asks it once so that pages with
// no copy (most, when the archive is new or off) skip the per-check query.
func (s *SQLite) LinksWithGoodCopies(ctx context.Context, fn func(linkID int64) error) error {
	rows, err := s.rq.QueryContext(ctx, `SELECT DISTINCT s.link_id FROM snapshots s WHERE`+goodSnapshot+`ORDER BY s.link_id`)
	if err != nil {
		return fmt.Errorf("links with good copies: %w", err)
	}
	return eachRow(ctx, rows, "links with good copies", func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, fn)
}

// AllSnapshots implements SnapshotStore.
func (s *SQLite) AllSnapshots(ctx context.Context, fn func(Snapshot) error) error {
	return s.streamSnapshots(ctx, "all snapshots", `ORDER BY s.id`, nil, fn)
}

// SnapshotWithPayload implements SnapshotStore.
func (s *SQLite) SnapshotWithPayload(ctx context.Context, digest string) (Snapshot, error) {
	if digest == "" {
		return Snapshot{}, fmt.Errorf("snapshot with empty payload digest: %w", ErrNotFound)
	}
	return s.oneSnapshot(ctx, "snapshot with payload "+digest,
		`WHERE s.payload_digest = ? AND s.warc_type = ? ORDER BY s.captured_at, s.id LIMIT 1`, digest, WARCResponse)
}

// MarkSeenUnchanged implements SnapshotStore.
func (s *SQLite) MarkSeenUnchanged(ctx context.Context, id int64, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("mark snapshot %d seen: zero time", id)
	}
	t, err := encTime(at)
	if err != nil {
		return fmt.Errorf("mark snapshot %d seen: %w", id, err)
	}
	// Stored times are fixed-width text, so max() is the later time. A
	// sighting reported late (out of order) still counts but does not
	// move last_seen back.
	res, err := s.wq.ExecContext(ctx, `UPDATE snapshots
		SET last_seen = max(COALESCE(last_seen, captured_at), ?), seen_count = seen_count + 1
		WHERE id = ?`, t, id)
	if err != nil {
		return fmt.Errorf("mark snapshot %d seen: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark snapshot %d seen: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("mark snapshot %d seen: %w", id, ErrNotFound)
	}
	return nil
}

func (s *SQLite) streamSnapshots(ctx context.Context, what, q string, args []any, fn func(Snapshot) error) error {
	rows, err := s.rq.QueryContext(ctx, `SELECT `+snapshotColumns+snapshotFrom+q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r *sql.Rows) (Snapshot, error) { return scanSnapshot(r) }, fn)
}

// SnapshotByID returns one snapshot; ErrNotFound if there is none.
func (s *SQLite) SnapshotByID(ctx context.Context, id int64) (Snapshot, error) {
	return s.oneSnapshot(ctx, fmt.Sprintf("snapshot %d", id), `WHERE s.id = ?`, id)
}
