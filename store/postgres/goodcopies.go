package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// GoodSnapshotsBefore streams the good copies of link linkID captured
// before t, newest first: a content verdict's reference candidates, by ID
// and filtered in SQL (as *store.SQLite does).
func (s *Store) GoodSnapshotsBefore(ctx context.Context, linkID int64, t time.Time, fn func(store.Snapshot) error) error {
	at, err := encTime(t)
	if err != nil {
		return fmt.Errorf("copies of link %d before %v: %w", linkID, t, err)
	}
	return s.streamSnapshots(ctx, fmt.Sprintf("copies of link %d", linkID),
		`WHERE s.link_id = $1 AND`+goodSnapshot+`AND s.captured_at < $2 ORDER BY s.captured_at DESC, s.id DESC`,
		[]any{linkID, at}, fn)
}

// LinksWithGoodCopies streams, once each and in ID order, the links that
// have at least one good copy, so that a run's pages without one skip the
// reference query.
func (s *Store) LinksWithGoodCopies(ctx context.Context, fn func(linkID int64) error) error {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT s.link_id FROM snapshots s WHERE`+goodSnapshot+`ORDER BY s.link_id`)
	if err != nil {
		return fmt.Errorf("links with good copies: %w", err)
	}
	return eachRow(ctx, rows, "links with good copies", func(r pgx.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, fn)
}
