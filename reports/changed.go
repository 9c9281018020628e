package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/drift"
	"github.com/linkrot/linkrot/store"
)

// Changed is one link in "Changed since cited": it still answers, but its
// latest content verdict says it drifted from the cited copy or was
// replaced by something else (issue 15).
type Changed struct {
	URL   string          `json:"url"`
	Host  string          `json:"host"`
	State store.LinkState `json:"state"`
	// Drifted and Replaced are never both true; ReplacedReason names the
	// kind of replacement (parked, login_wall, redirect_to_home, …).
	Drifted        bool   `json:"drifted"`
	Replaced       bool   `json:"replaced"`
	ReplacedReason string `json:"replaced_reason"`
	// Similarity is the share of the cited copy's text the page still
	// says, null when there was no copy to compare with.
	Similarity *float64  `json:"similarity"`
	Evidence   string    `json:"evidence"`
	CheckedAt  time.Time `json:"checked_at"` // the check that judged it
	// ReferenceCopy is the cited copy compared with; null without one.
	ReferenceCopy *SnapshotRef `json:"reference_copy"`
	// Removed are sentences of the cited copy the page no longer has (at
	// most drift.DefaultChangeLimit; MoreRemoved counts the rest),
	// RemovedWords their words. Empty when the current page's copy is
	// not in the archive (archiving off, or too soon to capture again).
	Removed      []string `json:"removed"`
	MoreRemoved  int      `json:"more_removed"`
	RemovedWords int      `json:"removed_words"`
	Occurrences  []Place  `json:"occurrences"`
}

// SnapshotTexts reads a stored copy's readable text (*archive.Archiver).
type SnapshotTexts interface {
	SnapshotText(s store.Snapshot) (string, error)
}

// driftCatalog is what the section needs beyond Catalog; *store.SQLite
// has it. A catalog without it gives an empty section.
type driftCatalog interface {
	LatestDrifts(ctx context.Context, flaggedOnly bool, fn func(store.Drift) error) error
	SnapshotByID(ctx context.Context, id int64) (store.Snapshot, error)
	Snapshots(ctx context.Context, linkURL string, fn func(store.Snapshot) error) error
}

// readChanged fills ChangedSinceCited: every link whose latest verdict,
// made by the end of the selection, is drifted or replaced.
func (b *builder) readChanged(ctx context.Context, texts SnapshotTexts, end time.Time) error {
	dc, ok := b.cat.(driftCatalog)
	if !ok {
		return nil
	}
	var flagged []store.Drift
	err := dc.LatestDrifts(ctx, true, func(d store.Drift) error {
		if end.IsZero() || !d.CheckedAt.After(end) {
			flagged = append(flagged, d)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, d := range flagged {
		c, err := b.changed(ctx, dc, texts, d)
		if err != nil {
			return err
		}
		b.r.ChangedSinceCited = append(b.r.ChangedSinceCited, c)
		if c.Drifted {
			b.r.Summary.Drifted++
		} else {
			b.r.Summary.Replaced++
		}
	}
	return nil
}

func (b *builder) changed(ctx context.Context, dc driftCatalog, texts SnapshotTexts, d store.Drift) (Changed, error) {
	c := Changed{URL: d.LinkURL, Drifted: d.Drifted, Replaced: d.Replaced, ReplacedReason: d.ReplacedReason,
		Evidence: d.Evidence, CheckedAt: d.CheckedAt.UTC(), Removed: []string{}, Occurrences: []Place{}}
	if d.Comparable {
		s := d.Similarity
		c.Similarity = &s
	}
	l, err := b.cat.LinkByURL(ctx, d.LinkURL)
	if err != nil {
		return Changed{}, fmt.Errorf("report: %w", err)
	}
	c.Host, c.State = l.Host, l.State
	err = b.cat.LinkOccurrences(ctx, d.LinkURL, func(lo store.LinkOccurrence) error {
		c.Occurrences = append(c.Occurrences, Place{
			Document: lo.Document.Path, Title: lo.Document.Title,
			Line: lo.Occurrence.Line, Column: lo.Occurrence.Column, Role: lo.Occurrence.Role,
			Raw: lo.Occurrence.Raw, Repaired: lo.Occurrence.Repaired,
		})
		return nil
	})
	if err != nil {
		return Changed{}, fmt.Errorf("report: %w", err)
	}
	if d.ReferenceSnapshotID == 0 {
		return c, nil
	}
	ref, err := dc.SnapshotByID(ctx, d.ReferenceSnapshotID)
	if err != nil {
		return Changed{}, fmt.Errorf("report: %w", err)
	}
	c.ReferenceCopy = &SnapshotRef{CapturedAt: ref.CapturedAt.UTC(), URL: ref.URL, Title: ref.Title,
		RestoreCommand: RestoreCommand(d.LinkURL) + " --at " + ref.CapturedAt.UTC().Format(time.RFC3339)}
	if texts == nil {
		return c, nil
	}
	cur, ok, err := newestCopy(ctx, dc, d.LinkURL)
	if err != nil || !ok || cur.ID == ref.ID || !cur.CapturedAt.After(ref.CapturedAt) {
		return c, err
	}
	refText, err := texts.SnapshotText(ref)
	if err != nil {
		return c, nil // a damaged copy: `linkrot verify` names it; the verdict still stands
	}
	curText, err := texts.SnapshotText(cur)
	if err != nil {
		return c, nil
	}
	ch := drift.Changed(refText, curText, 0)
	c.Removed, c.MoreRemoved, c.RemovedWords = ch.Removed, ch.MoreRemoved, ch.RemovedWords
	if c.Removed == nil {
		c.Removed = []string{}
	}
	return c, nil
}

var errFound = errors.New("found")

// newestCopy is the link's newest 2xx copy, replaced or not: what the
// page said when it was last captured.
func newestCopy(ctx context.Context, dc driftCatalog, linkURL string) (store.Snapshot, bool, error) {
	var s store.Snapshot
	err := dc.Snapshots(ctx, linkURL, func(sn store.Snapshot) error {
		if sn.Status < 200 || sn.Status > 299 {
			return nil
		}
		s = sn
		return errFound
	})
	if errors.Is(err, errFound) {
		return s, true, nil
	}
	return store.Snapshot{}, false, err
}
