package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/linkrot/linkrot/drift"
	"github.com/linkrot/linkrot/store"
)

// The link's "changes" page (issue 15): the cited copy beside the current
// one, line by line, and the similarity of each check to the cited copy
// over time as server-drawn SVG (the UI runs no script).

// driftReader is what the page needs of the catalog beyond catalog;
// *store.SQLite has it.
type driftReader interface {
	LatestDrift(ctx context.Context, linkURL string) (store.Drift, error)
	DriftHistory(ctx context.Context, linkURL string, fn func(store.Drift) error) error
	SnapshotByID(ctx context.Context, id int64) (store.Snapshot, error)
}

// textReader reads a stored copy's readable text (*archive.Archiver).
type textReader interface {
	SnapshotText(s store.Snapshot) (string, error)
}

type changesView struct {
	L        store.Link
	Verdict  *store.Drift // the latest; nil before any
	Ref, Cur *store.Snapshot
	Diff     drift.SideBySideDiff
	NoDiff   string // why no diff is shown, "" when one is
	Chart    chart
	Points   int
}

// maxDiffRows bounds the side-by-side table of one page.
const maxDiffRows = 400

func (s *Server) changes(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	raw := r.URL.Query().Get("url")
	if raw == "" {
		http.Redirect(w, r, "/links", http.StatusSeeOther)
		return
	}
	l, err := s.findLink(ctx, []string{raw})
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "This URL is not in the catalog: "+raw)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	dr, ok := s.cat.(driftReader)
	if !ok {
		s.fail(w, r, http.StatusNotImplemented, "This catalog keeps no content verdicts.")
		return
	}
	v := changesView{L: l}
	var hist []store.Drift
	if err := dr.DriftHistory(ctx, l.URL, func(d store.Drift) error { hist = append(hist, d); return nil }); err != nil {
		s.internal(w, r, err)
		return
	}
	v.Chart, v.Points = plotSimilarity(hist, s.cfg.Drift.Threshold)
	if len(hist) > 0 {
		v.Verdict = &hist[len(hist)-1]
	}
	if err := s.sideBySide(ctx, dr, &v); err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "changes.html", "Changes of "+l.URL, v)
}

// sideBySide fills the diff of the cited copy and the newest copy.
func (s *Server) sideBySide(ctx context.Context, dr driftReader, v *changesView) error {
	switch {
	case v.Verdict == nil:
		v.NoDiff = "No check has judged this page's content yet."
		return nil
	case v.Verdict.ReferenceSnapshotID == 0:
		v.NoDiff = "There was no cited copy to compare with: the archive kept none before the check."
		return nil
	}
	texts, ok := s.arc.(textReader)
	if !ok {
		v.NoDiff = "The local archive is not available to this server."
		return nil
	}
	ref, err := dr.SnapshotByID(ctx, v.Verdict.ReferenceSnapshotID)
	if err != nil {
		return err
	}
	v.Ref = &ref
	var cur store.Snapshot
	found := errors.New("found")
	err = s.cat.Snapshots(ctx, v.L.URL, func(sn store.Snapshot) error {
		if sn.Status >= 200 && sn.Status <= 299 {
			cur = sn
			return found
		}
		return nil
	})
	if err != nil && !errors.Is(err, found) {
		return err
	}
	if cur.ID == 0 || cur.ID == ref.ID {
		v.NoDiff = "The newest copy is the cited copy: the page has not changed since."
		return nil
	}
	v.Cur = &cur
	refText, err := texts.SnapshotText(ref)
	if err != nil {
		v.NoDiff = "The cited copy cannot be read: " + err.Error()
		return nil
	}
	curText, err := texts.SnapshotText(cur)
	if err != nil {
		v.NoDiff = "The newest copy cannot be read: " + err.Error()
		return nil
	}
	v.Diff = drift.SideBySide(refText, curText, maxDiffRows)
	return nil
}

// plotSimilarity draws each comparable verdict's similarity (0 to 1) in
// check order, with the drift threshold as a labelled grid line.
func plotSimilarity(hist []store.Drift, threshold float64) (chart, int) {
	c := chart{W: 720, H: 200, Left: 48, Right: 708, Top: 14, Bottom: 166}
	var pts []store.Drift
	for _, d := range hist {
		if d.Comparable {
			pts = append(pts, d)
		}
	}
	if len(pts) == 0 {
		c.Empty = true
		return c, 0
	}
	x := func(i int) float64 {
		if len(pts) == 1 {
			return (c.Left + c.Right) / 2
		}
		return c.Left + float64(i)*(c.Right-c.Left)/float64(len(pts)-1)
	}
	y := func(f float64) float64 { return c.Bottom - f*(c.Bottom-c.Top) }
	for _, t := range []struct {
		v     float64
		label string
	}{{0, "0"}, {threshold, fmt.Sprintf("%.2f", threshold)}, {1, "1"}} {
		c.YTicks = append(c.YTicks, tick{X: c.Left - 6, Y: y(t.v), Label: t.label, Anchor: "end"})
	}
	label := func(d store.Drift) string { return d.CheckedAt.UTC().Format("Jan 2 2006") }
	first, last := pts[0], pts[len(pts)-1]
	if len(pts) == 1 {
		c.XTicks = append(c.XTicks, tick{X: x(0), Y: c.Bottom + 18, Label: label(first), Anchor: "middle"})
	} else {
		c.XTicks = append(c.XTicks, tick{X: x(0), Y: c.Bottom + 18, Label: label(first), Anchor: "start"},
			tick{X: x(len(pts) - 1), Y: c.Bottom + 18, Label: label(last), Anchor: "end"})
	}
	se := series{Name: "suspect", Label: "similarity"}
	var coords []string
	for i, d := range pts {
		px, py := x(i), y(d.Similarity)
		coords = append(coords, fmt.Sprintf("%.1f,%.1f", px, py))
		what := "as cited"
		if d.Drifted {
			what = "drifted"
		}
		se.Dots = append(se.Dots, dot{X: px, Y: py, Title: fmt.Sprintf("%s: similarity %.2f, %s", when(d.CheckedAt), d.Similarity, what)})
	}
	se.Points = strings.Join(coords, " ")
	c.Series = []series{se}
	c.Caption = fmt.Sprintf("Similarity to the cited copy at each of %d checks; below %.2f the page counts as drifted", len(pts), threshold)
	return c, len(pts)
}
