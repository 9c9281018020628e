package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/store"
)

// Finder looks up the copy of a page in the public web archives;
// *archive.Remote is one. It must return an error matching
// archive.ErrNoRemoteCopy only when the archives answered that they hold
// no copy: that answer is recorded and not asked again, while any other
// error is retried by the next call.
type Finder interface {
	Find(ctx context.Context, url string, firstSeen time.Time) (archive.RemoteCopy, error)
}

// ArchiveCatalog is the part of the store AttachArchiveCopies uses.
type ArchiveCatalog interface {
	ArchiveCopy(ctx context.Context, url string) (store.ArchiveCopy, error)
	SetArchiveCopy(ctx context.Context, url string, c store.ArchiveCopy) error
}

// BacklogLookups bounds how many still-dead links that were never looked
// up (dead before lookups existed, or whose lookup failed) one
// AttachArchiveCopies call asks about, so that a catalog with thousands of
// them drains over several runs instead of sending thousands of requests
// to a public archive at once. Newly dead links are always asked about.
const BacklogLookups = 20

// AttachArchiveCopies asks finder for a public copy of each newly dead link
// in r, and of up to BacklogLookups still-dead ones, that the archives were
// never asked about; records each answer with SetArchiveCopy (dated
// r.GeneratedAt); and sets the entries' ArchiveCopy. A link they were
// asked about before is not asked again: its copy, if any, is already in r.
//
// A failed lookup (the archive down, a timeout) does not stop the others;
// the failures are returned together, and those links are asked again next
// time. The job calls it after Build and before Write. The caller should
// not call it when no public archive is enabled: archive.Remote then
// answers ErrNoRemoteCopy for every link, which would be recorded as "no
// copy".
func AttachArchiveCopies(ctx context.Context, cat ArchiveCatalog, finder Finder, r *Report) error {
	at := r.GeneratedAt
	if at.IsZero() {
		at = time.Now().UTC()
	}
	var (
		errs    []error
		backlog int
	)
	ask := func(e *Entry) error {
		prev, err := cat.ArchiveCopy(ctx, e.URL)
		if err != nil {
			return err
		}
		if !prev.CheckedAt.IsZero() {
			return nil
		}
		// The copy closest before the link was first seen shows the page
		// as it was when it was cited (archive.Remote.Find).
		rc, err := finder.Find(ctx, e.URL, e.FirstSeen)
		switch {
		case errors.Is(err, archive.ErrNoRemoteCopy):
			return cat.SetArchiveCopy(ctx, e.URL, store.ArchiveCopy{CheckedAt: at})
		case err != nil:
			errs = append(errs, fmt.Errorf("public archive copy of %s: %w", e.URL, err))
			return nil
		}
		if err := safeurl.Check(rc.URL); err != nil {
			// An answer that is no web URL ("javascript:", a spreadsheet
			// formula) is worth nothing: recorded as no copy, so it is
			// neither shown nor asked again.
			safeurl.Warn(rc.URL, "public archive copy of "+e.URL, err)
			return cat.SetArchiveCopy(ctx, e.URL, store.ArchiveCopy{CheckedAt: at})
		}
		c := store.ArchiveCopy{URL: rc.URL, Time: rc.Time, Source: rc.Source, CheckedAt: at}
		if err := cat.SetArchiveCopy(ctx, e.URL, c); err != nil {
			return err
		}
		e.ArchiveCopy = &ArchiveRef{URL: rc.URL, Time: rc.Time.UTC(), Source: rc.Source}
		return nil
	}
	for i := range r.NewlyDead {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := ask(&r.NewlyDead[i]); err != nil {
			return err
		}
	}
	for i := range r.StillDead {
		e := &r.StillDead[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.ArchiveCopy != nil || backlog >= BacklogLookups {
			continue
		}
		prev, err := cat.ArchiveCopy(ctx, e.URL)
		if err != nil {
			return err
		}
		if !prev.CheckedAt.IsZero() {
			continue
		}
		backlog++
		if err := ask(e); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d public archive lookups failed: %w", len(errs), errors.Join(errs...))
	}
	return nil
}
