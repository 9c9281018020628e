package store

import (
	"context"
	"fmt"
)

// LinkStateCounts counts the links in use (cited by a document that is not
// missing) by state, in one query: the dashboard, /metrics and the run
// summaries ask for it.
func (s *SQLite) LinkStateCounts(ctx context.Context) (map[LinkState]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT l.state, COUNT(*) FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)
		GROUP BY l.state`)
	if err != nil {
		return nil, fmt.Errorf("counting links by state: %w", err)
	}
	defer rows.Close()
	counts := map[LinkState]int{}
	for rows.Next() {
		var st LinkState
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("counting links by state: %w", err)
		}
		if st == "" {
			st = StateUnchecked
		}
		counts[st] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting links by state: %w", err)
	}
	return counts, nil
}

// SnapshotByID returns one snapshot; ErrNotFound if there is none.
func (s *SQLite) SnapshotByID(ctx context.Context, id int64) (Snapshot, error) {
	return s.oneSnapshot(ctx, fmt.Sprintf("snapshot %d", id), `WHERE s.id = ?`, id)
}

// Ping checks that the catalog answers (for /healthz).
func (s *SQLite) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("catalog %s: %w", s.path, err)
	}
	return nil
}
