package job

import (
	"context"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/reports"
)

// WriteReport builds the report of run runID and writes it in every
// format to dir. Public copies of dead links are those the catalog has
// cached (LookUpDeadLinks): a report never waits on the network. texts
// (nil for none) reads the stored copies "Changed since cited" compares.
func WriteReport(ctx context.Context, cat reports.Catalog, runID int64, dir string, formats []string, now func() time.Time, texts reports.SnapshotTexts) ([]string, error) {
	r, err := reports.Build(ctx, cat, reports.Selection{RunID: runID, Now: now, Texts: texts})
	if err != nil {
		return nil, fmt.Errorf("building the report of run %d: %w", runID, err)
	}
	files, err := reports.Write(dir, formats, r)
	if err != nil {
		return files, fmt.Errorf("writing the report of run %d: %w", runID, err)
	}
	return files, nil
}
