package web

import (
	"net/http"
	"time"

	"github.com/linkrot/linkrot/store"
)

type dashboardView struct {
	States    []stateCount
	Total     int
	CountsErr bool
	Runs      []runRow // newest first
	Chart     chart
	Status    *Status
	Flash     string
}

type stateCount struct {
	State string
	Count int
}

type runRow struct {
	store.Run
	Duration time.Duration
	Checked  int
	Dead     int
	Suspect  int
	Newly    int
	// What the plot shows: the catalog's totals after the run when the run
	// recorded them (Totals), else the run's own verdicts.
	PlotDead, PlotSuspect int
	Totals                bool
}

// newRunRow reads what the pages show of a run from its stored summary.
func newRunRow(run store.Run) runRow {
	row := runRow{Run: run}
	if sum := run.Summary; sum != nil {
		row.Checked, row.Dead, row.Suspect, row.Newly = sum.Checked, sum.Dead, sum.Suspect, sum.NewlyDead
	}
	// Runs record the catalog's totals when they finish; the plot uses them
	// (links dead after the run), older runs their own verdicts.
	if sum := run.Summary; sum != nil && sum.Totals != nil {
		row.PlotDead, row.PlotSuspect, row.Totals = sum.Totals[store.StateDead], sum.Totals[store.StateSuspect], true
	} else {
		row.PlotDead, row.PlotSuspect = row.Dead, row.Suspect
	}
	if !run.FinishedAt.IsZero() {
		row.Duration = run.FinishedAt.Sub(run.StartedAt)
	}
	return row
}

// chartRuns is how many runs the dashboard plots.
const chartRuns = 60

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := dashboardView{Flash: flash(r.URL.Query().Get("run"))}
	counts, err := s.states.get(ctx)
	if err != nil {
		s.log.Error("web: counting links by state", "err", err)
		v.CountsErr = true
	}
	for _, st := range store.LinkStates {
		v.States = append(v.States, stateCount{string(st), counts[st]})
		v.Total += counts[st]
	}
	for st, n := range counts { // a state a newer crawler added
		if !st.Known() {
			v.States = append(v.States, stateCount{string(st), n})
			v.Total += n
		}
	}
	var runs []runRow
	err = s.cat.Runs(ctx, chartRuns, func(run store.Run) error {
		row := newRunRow(run)
		runs = append(runs, row)
		return nil
	})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Runs = runs[:min(len(runs), 10)]
	// The cards count the catalog now; the runs' points count it after
	// each run. A last point "now", from the very counts the cards show,
	// makes the chart end where the cards are (a recheck, or a link
	// added since the last run, would otherwise set them apart).
	plot := runs
	if !v.CountsErr && len(runs) > 0 {
		at := s.now()
		nowRow := runRow{PlotDead: counts[store.StateDead], PlotSuspect: counts[store.StateSuspect], Totals: true}
		nowRow.StartedAt, nowRow.FinishedAt = at, at
		plot = append([]runRow{nowRow}, runs...)
	}
	v.Chart = plotRuns(plot)
	if s.status != nil {
		st := s.status()
		v.Status = &st
	}
	s.render(w, r, http.StatusOK, "dashboard.html", "Dashboard", v)
}

func isKnownState(st string) bool { return store.LinkState(st).Known() }

// flash turns the run-now redirect's outcome into a sentence; anything
// else in the query is ignored, so the page never echoes a parameter.
func flash(outcome string) string {
	switch outcome {
	case "started":
		return "A run has started. Refresh this page to follow it."
	case "busy":
		return "A run is already in progress; no second one was started."
	}
	return ""
}
