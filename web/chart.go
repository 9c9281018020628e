package web

import (
	"fmt"
	"strings"
	"time"
)

// The dashboard's plot of dead and suspect links over runs is drawn here
// as plain SVG geometry that the template writes out: no script, no
// charting library, and readable in any browser with scripts off. The
// numbers come from each run's stored summary: the catalog's totals when
// the run finished (total_dead, total_suspect), or for runs recorded before
// those existed, how many of the links that run checked it left dead or
// suspect.

type chart struct {
	W, H    int
	Empty   bool
	Left    float64 // the plot area's left edge
	Right   float64
	Top     float64
	Bottom  float64
	YTicks  []tick
	XTicks  []tick
	Series  []series
	Caption string
}

type tick struct {
	X, Y   float64
	Label  string
	Anchor string // SVG text-anchor: the end labels stay inside the plot
}

type series struct {
	Name   string // "dead" or "suspect": the CSS class that colours it
	Label  string
	Points string // the polyline's points attribute
	Dots   []dot
}

type dot struct {
	X, Y  float64
	Title string // the native SVG tooltip
}

// plotRuns draws runs (newest first, as the catalog gives them).
func plotRuns(newestFirst []runRow) chart {
	c := chart{W: 720, H: 220, Left: 48, Right: 708, Top: 14, Bottom: 186}
	var runs []runRow
	for i := len(newestFirst) - 1; i >= 0; i-- {
		if !newestFirst[i].FinishedAt.IsZero() { // a running run has no summary yet
			runs = append(runs, newestFirst[i])
		}
	}
	if len(runs) == 0 {
		c.Empty = true
		return c
	}
	top := 1
	for _, r := range runs {
		top = max(top, r.PlotDead, r.PlotSuspect)
	}
	ymax := niceCeil(top)
	x := func(i int) float64 {
		if len(runs) == 1 {
			return (c.Left + c.Right) / 2
		}
		return c.Left + float64(i)*(c.Right-c.Left)/float64(len(runs)-1)
	}
	y := func(v int) float64 { return c.Bottom - float64(v)*(c.Bottom-c.Top)/float64(ymax) }
	for _, v := range []int{0, ymax / 2, ymax} {
		if v == ymax/2 && (ymax%2 != 0 || ymax < 2) {
			continue
		}
		c.YTicks = append(c.YTicks, tick{X: c.Left - 6, Y: y(v), Label: thousands(v), Anchor: "end"})
	}
	layout := axisLayout(runs[0].StartedAt, runs[len(runs)-1].StartedAt)
	label := func(r runRow) string {
		if r.ID == 0 {
			return "now"
		}
		return r.StartedAt.UTC().Format(layout)
	}
	if len(runs) == 1 {
		c.XTicks = append(c.XTicks, tick{X: x(0), Y: c.Bottom + 18, Label: label(runs[0]), Anchor: "middle"})
	} else {
		c.XTicks = append(c.XTicks, tick{X: x(0), Y: c.Bottom + 18, Label: label(runs[0]), Anchor: "start"},
			tick{X: x(len(runs) - 1), Y: c.Bottom + 18, Label: label(runs[len(runs)-1]), Anchor: "end"})
	}
	for _, sr := range []struct {
		name, label string
		val         func(runRow) int
	}{
		{"dead", "dead", func(r runRow) int { return r.PlotDead }},
		{"suspect", "suspect", func(r runRow) int { return r.PlotSuspect }},
	} {
		se := series{Name: sr.name, Label: sr.label}
		var pts []string
		for i, r := range runs {
			px, py := x(i), y(sr.val(r))
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
			title := fmt.Sprintf("run %d, %s: %s %s", r.ID, when(r.StartedAt), thousands(sr.val(r)), sr.label)
			if r.ID == 0 {
				title = fmt.Sprintf("now, as counted above: %s %s", thousands(sr.val(r)), sr.label)
			}
			se.Dots = append(se.Dots, dot{X: px, Y: py, Title: title})
		}
		se.Points = strings.Join(pts, " ")
		c.Series = append(c.Series, se)
	}
	finished := len(runs)
	if runs[len(runs)-1].ID == 0 {
		finished--
	}
	c.Caption = fmt.Sprintf("Links dead and suspect in the catalog after each of the last %d finished runs", finished)
	if finished < len(runs) {
		c.Caption += ", then now (the last point: the count of the cards above)"
	}
	for _, r := range runs {
		if !r.Totals {
			c.Caption += " (older runs, which did not record totals, show only the links they checked)"
			break
		}
	}
	return c
}

// axisLayout is the time format of the x-axis's labels: dates when the
// runs span days, times of day when they all fall on one day (so the
// ends do not both read "Dec 2"), both when a day boundary is crossed
// within a day's time.
func axisLayout(first, last time.Time) string {
	first, last = first.UTC(), last.UTC()
	switch {
	case first.Format(time.DateOnly) == last.Format(time.DateOnly):
		return "15:04 UTC"
	case last.Sub(first) < 48*time.Hour:
		return "Jan 2 15:04"
	}
	return "Jan 2"
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, so the axis
// reads in round numbers.
func niceCeil(n int) int {
	if n <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
	}
}
