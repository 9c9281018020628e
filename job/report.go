package job

import (
	"context"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/reports"
)

// ReportCatalog is what writing a run's report needs from the store.
type ReportCatalog interface {
	reports.Catalog
	reports.ArchiveCatalog
}

// WriteReport builds the report of run runID, attaches public-archive
// copies for its dead links when finder is not nil, and writes it in every
// format to dir. A failed archive lookup is returned with the files, not
// instead of them: the report matters more than the copies.
func WriteReport(ctx context.Context, cat ReportCatalog, finder reports.Finder, runID int64, dir string, formats []string, now func() time.Time) ([]string, error) {
	r, err := reports.Build(ctx, cat, reports.Selection{RunID: runID, Now: now})
	if err != nil {
		return nil, fmt.Errorf("building the report of run %d: %w", runID, err)
	}
	var lookupErr error
	if finder != nil {
		if err := reports.AttachArchiveCopies(ctx, cat, finder, &r); err != nil {
			lookupErr = fmt.Errorf("looking up public copies of dead links: %w", err)
		}
	}
	files, err := reports.Write(dir, formats, r)
	if err != nil {
		return files, fmt.Errorf("writing the report of run %d: %w", runID, err)
	}
	return files, lookupErr
}
