package reports

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/linkrot/linkrot/internal/safeurl"
)

// csvHeader names the CSV columns; it is part of the format's contract,
// so columns are only ever added at the end.
var csvHeader = []string{"url", "state", "class", "status", "document", "line", "column", "role",
	"first_failure", "failures", "snapshot", "archive_url"}

// writeCells writes one row with every cell neutralised for spreadsheets
// (safeurl.SpreadsheetCell): a document path, a URL or a title that
// begins with '=', '+', '-', '@', a tab or a carriage return gets a
// leading single quote, so that no cell is ever read as a formula.
func writeCells(cw *csv.Writer, cells ...string) error {
	for i, c := range cells {
		cells[i] = safeurl.SpreadsheetCell(c)
	}
	return cw.Write(cells)
}

// renderCSV writes one row per place a dead or suspect link is used
// (newly dead first, then still dead, then suspect), for spreadsheets and
// scripts. A link no document uses any more still gets one row, with the
// place columns empty. first_failure and snapshot (the capture time of
// the local copy, empty when there is none) are RFC 3339 UTC. Cells that
// a spreadsheet would take for a formula begin with a single quote.
func renderCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, list := range [][]Entry{r.NewlyDead, r.StillDead, r.Suspect} {
		for _, e := range list {
			status := ""
			if e.Status > 0 {
				status = strconv.Itoa(e.Status)
			}
			var firstFailure, snapshot, archiveURL string
			if e.FirstFailure != nil {
				firstFailure = e.FirstFailure.UTC().Format(time.RFC3339)
			}
			if e.Snapshot != nil {
				snapshot = e.Snapshot.CapturedAt.UTC().Format(time.RFC3339)
			}
			if e.ArchiveCopy != nil {
				archiveURL = e.ArchiveCopy.URL
			}
			row := func(doc, line, col, role string) error {
				return writeCells(cw, e.URL, string(e.State), e.Class, status, doc, line, col, role,
					firstFailure, strconv.Itoa(e.Failures), snapshot, archiveURL)
			}
			if len(e.Occurrences) == 0 {
				if err := row("", "", "", ""); err != nil {
					return err
				}
			}
			for _, o := range e.Occurrences {
				if err := row(o.Document, strconv.Itoa(o.Line), strconv.Itoa(o.Column), o.Role); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
