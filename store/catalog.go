package store

import (
	"context"
	"time"
)

// Catalog is everything linkrot's application layer (package job) and its
// readers (web, reports, fix, archive) ask of a catalog: the interfaces
// above plus the lookup cache, paging, counts, the job lock and a health
// check. *SQLite and the PostgreSQL store (store/postgres) both implement
// it, so `database:` may name either.
type Catalog interface {
	ReportStore
	SnapshotStore
	DriftStore

	// LinkPage gives one page of the links that match f and contain q,
	// in URL order (see (*SQLite).LinkPage).
	LinkPage(ctx context.Context, f LinkFilter, q string, offset, limit int, fn func(Link) error) error
	// LinkStateCounts counts the links in use by state.
	LinkStateCounts(ctx context.Context) (map[LinkState]int, error)
	// DocumentOccurrences streams one document's occurrences with their
	// links' states, snapshots and public copies.
	DocumentOccurrences(ctx context.Context, path string, fn func(DocOccurrence) error) error
	// RecordLookup and LookupOf are the public-archive lookup cache.
	RecordLookup(ctx context.Context, l Lookup) error
	LookupOf(ctx context.Context, url string) (Lookup, bool, error)
	// AcquireLock, Heartbeat and ReleaseLock are the job lock.
	AcquireLock(ctx context.Context, name, owner string, now time.Time, staleAfter time.Duration) error
	Heartbeat(ctx context.Context, name, owner string, now time.Time) error
	ReleaseLock(ctx context.Context, name, owner string) error
	// Ping checks that the catalog answers (for /healthz).
	Ping(ctx context.Context) error
}

var _ Catalog = (*SQLite)(nil)
