package postgres

import (
	"context"
	"errors"

	"github.com/linkrot/linkrot/store"
)

// RecordDrifts implements store.DriftStore: each verdict as RecordDrift
// writes it, on one pooled connection's autocommits (PostgreSQL commits
// are cheap next to modernc SQLite's, which is what the batch is for).
// A verdict that cannot be written is named in the error; the others
// are still stored.
func (s *Store) RecordDrifts(ctx context.Context, ds []store.Drift) error {
	var errs []error
	for _, d := range ds {
		if err := s.RecordDrift(ctx, d); err != nil {
			if ctx.Err() != nil {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
