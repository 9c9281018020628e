package main

import (
	"context"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/store"
)

// driftJSON are the content-verdict fields of every link in `links
// --json` (issue 15): similarity is null when the page could not be
// compared (no verdict, or no reference copy), reference_copy is null
// without one.
type driftJSON struct {
	Similarity     *float64     `json:"similarity"`
	Drifted        bool         `json:"drifted"`
	Replaced       bool         `json:"replaced"`
	ReplacedReason string       `json:"replaced_reason,omitempty"`
	ReferenceCopy  *refCopyJSON `json:"reference_copy"`
}

type refCopyJSON struct {
	SnapshotID int64     `json:"snapshot_id"`
	CapturedAt time.Time `json:"captured_at"`
}

func driftFields(d store.Drift) driftJSON {
	out := driftJSON{Drifted: d.Drifted, Replaced: d.Replaced, ReplacedReason: d.ReplacedReason}
	if d.Comparable {
		s := d.Similarity
		out.Similarity = &s
	}
	if d.ReferenceSnapshotID != 0 {
		out.ReferenceCopy = &refCopyJSON{SnapshotID: d.ReferenceSnapshotID, CapturedAt: d.ReferenceCapturedAt}
	}
	return out
}

// latestDrifts loads the latest verdict of every link that has one (only
// the flagged ones for --drifted/--replaced), by URL.
func latestDrifts(ctx context.Context, st store.DriftStore, flaggedOnly bool) (map[string]store.Drift, error) {
	m := map[string]store.Drift{}
	err := st.LatestDrifts(ctx, flaggedOnly, func(d store.Drift) error {
		m[d.LinkURL] = d
		return nil
	})
	return m, err
}

// keepByDrift applies --drifted and --replaced (either, when both).
func (o linksOptions) keepByDrift(d store.Drift, ok bool) bool {
	if !o.drifted && !o.replaced {
		return true
	}
	return ok && (o.drifted && d.Drifted || o.replaced && d.Replaced)
}

// verdictWord is the plain listing's verdict column: "drifted 0.42" or
// "replaced parked".
func verdictWord(d store.Drift) string {
	if d.Replaced {
		return "replaced " + d.ReplacedReason
	}
	return fmt.Sprintf("drifted %.2f", d.Similarity)
}
