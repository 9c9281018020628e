package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/store"
)

// states are the link states in the order the UI lists them.
var states = []string{
	crawler.StateDead, crawler.StateSuspect, crawler.StateMoved, crawler.StateBlocked,
	crawler.StateAlive, crawler.StateUnchecked, crawler.StateExcluded,
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"when": when,
		"iso": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		"ago":      func(t time.Time) string { return ago(t, s.now()) },
		"dur":      func(d time.Duration) string { return d.Round(time.Second).String() },
		"pct":      func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
		"num":      thousands,
		"join":     strings.Join,
		"linkURL":  func(u string) string { return "/link?url=" + url.QueryEscape(u) },
		"goURL":    func(u string) string { return "/go?url=" + url.QueryEscape(u) },
		"timemap":  func(u string) string { return timemapPrefix + pathURL(u) },
		"timegate": func(u string) string { return timegatePrefix + pathURL(u) },
		"memento":  mementoPath,
		"snapURL": func(sn store.Snapshot, what string) string {
			p := "/snapshot/" + strconv.FormatInt(sn.ID, 10)
			if what != "" {
				p += "/" + what
			}
			return p + "?link=" + url.QueryEscape(sn.LinkURL)
		},
		"filter": func(key, value string) string { return "/links?" + url.Values{key: {value}}.Encode() },
		"formats": func(sn store.Snapshot) string {
			return strings.Join(archive.SnapshotFormats(sn), ", ")
		},
		// isWeb guards every link to a URL from outside linkrot.
		"isWeb": safeurl.Web,
	}
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// ago says how long before now t was ("3 h ago"), or how long until it
// ("in 2 h").
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	suffix, prefix := " ago", ""
	if d < 0 {
		d, suffix, prefix = -d, "", "in "
	}
	var n string
	switch {
	case d < time.Minute:
		if prefix != "" {
			return "in under a minute"
		}
		return "just now"
	case d < time.Hour:
		n = fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		n = fmt.Sprintf("%d h", int(d/time.Hour))
	default:
		n = fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	return prefix + n + suffix
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// ---- dashboard ----

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
	row := runRow{Run: run, Checked: run.Summary["checked"], Dead: run.Summary["dead"],
		Suspect: run.Summary["suspect"], Newly: run.Summary["newly_dead"]}
	// Runs record the catalog's totals when they finish; the plot uses them
	// (links dead after the run), older runs their own verdicts.
	if _, ok := run.Summary["total_dead"]; ok || run.Summary["total_suspect"] > 0 {
		row.PlotDead, row.PlotSuspect, row.Totals = run.Summary["total_dead"], run.Summary["total_suspect"], true
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
	for _, st := range states {
		v.States = append(v.States, stateCount{st, counts[st]})
		v.Total += counts[st]
	}
	for st, n := range counts { // a state a newer crawler added
		if !isKnownState(st) {
			v.States = append(v.States, stateCount{st, n})
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
	v.Chart = plotRuns(runs)
	if s.status != nil {
		st := s.status()
		v.Status = &st
	}
	s.render(w, r, http.StatusOK, "dashboard.html", "Dashboard", v)
}

func isKnownState(st string) bool {
	for _, x := range states {
		if x == st {
			return true
		}
	}
	return false
}

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

// ---- links table ----

type linksView struct {
	State, Host, Doc, Q string
	States              []string
	Rows                []store.Link
	Page, Size          int
	Prev, Next          string // addresses of the neighbouring pages, "" at the ends
	BadState            bool
}

const (
	pageSize    = 50
	maxPageSize = 500
)

// links lists the links that match the filters, one page at a time, in
// URL order; the catalog filters and pages, so a page costs the same
// whatever the catalog's size.
func (s *Server) links(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := linksView{
		State: q.Get("state"), Host: strings.TrimSpace(q.Get("host")), Doc: q.Get("doc"),
		Q: strings.TrimSpace(q.Get("q")), States: states,
	}
	v.Page = positive(q.Get("page"), 1)
	v.Size = min(positive(q.Get("n"), pageSize), maxPageSize)
	if v.State != "" && !isKnownState(v.State) {
		v.BadState = true
	}
	// One query for the page and one row more (to know there is a next
	// page); filtering and paging happen in the catalog (store.LinkPage).
	err := s.cat.LinkPage(r.Context(), store.LinkFilter{State: v.State, Host: v.Host, DocumentPath: v.Doc}, v.Q,
		(v.Page-1)*v.Size, v.Size+1, func(l store.Link) error {
			v.Rows = append(v.Rows, l)
			return nil
		})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	more := len(v.Rows) > v.Size
	v.Rows = v.Rows[:min(len(v.Rows), v.Size)]
	page := func(n int) string {
		p := url.Values{}
		for k, val := range map[string]string{"state": v.State, "host": v.Host, "doc": v.Doc, "q": v.Q} {
			if val != "" {
				p.Set(k, val)
			}
		}
		if v.Size != pageSize {
			p.Set("n", strconv.Itoa(v.Size))
		}
		if n > 1 {
			p.Set("page", strconv.Itoa(n))
		}
		if len(p) == 0 {
			return "/links"
		}
		return "/links?" + p.Encode()
	}
	if v.Page > 1 {
		v.Prev = page(v.Page - 1)
	}
	if more {
		v.Next = page(v.Page + 1)
	}
	s.render(w, r, http.StatusOK, "links.html", "Links", v)
}

func positive(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return def
	}
	return n
}

// ---- one link ----

type linkView struct {
	L          store.Link
	Occs       []store.LinkOccurrence
	MoreOccs   int
	Checks     []store.CheckRecord
	MoreChecks int
	Snaps      []store.Snapshot
	MoreSnaps  int
	HasCopy    bool // a good local copy exists
	Public     *store.ArchiveCopy
}

// How many of each list the link page shows; the rest are counted.
const (
	maxOccs   = 500
	maxChecks = 200
	maxSnaps  = 200
)

func (s *Server) link(w http.ResponseWriter, r *http.Request) {
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
	v := linkView{L: l}
	err = s.cat.LinkOccurrences(ctx, l.URL, func(o store.LinkOccurrence) error {
		if len(v.Occs) < maxOccs {
			v.Occs = append(v.Occs, o)
		} else {
			v.MoreOccs++
		}
		return nil
	})
	if err == nil {
		err = s.cat.History(ctx, l.URL, func(c store.CheckRecord) error {
			if len(v.Checks) < maxChecks {
				v.Checks = append(v.Checks, c)
			} else {
				v.MoreChecks++
			}
			return nil
		})
	}
	if err == nil {
		err = s.cat.Snapshots(ctx, l.URL, func(sn store.Snapshot) error {
			v.HasCopy = v.HasCopy || sn.Good()
			if len(v.Snaps) < maxSnaps {
				v.Snaps = append(v.Snaps, sn)
			} else {
				v.MoreSnaps++
			}
			return nil
		})
	}
	if err == nil {
		var c store.ArchiveCopy
		if c, err = s.cat.ArchiveCopy(ctx, l.URL); err == nil && !c.CheckedAt.IsZero() {
			v.Public = &c
		}
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "link.html", l.URL, v)
}

// ---- runs and their reports ----

type runsView struct {
	Runs       []runRow
	Page       int
	Prev, Next string
}

func (s *Server) runs(w http.ResponseWriter, r *http.Request) {
	v := runsView{Page: positive(r.URL.Query().Get("page"), 1)}
	skip := (v.Page - 1) * pageSize
	more := false
	err := s.cat.Runs(r.Context(), v.Page*pageSize+1, func(run store.Run) error {
		if skip > 0 {
			skip--
			return nil
		}
		if len(v.Runs) == pageSize {
			more = true
			return errStop
		}
		row := newRunRow(run)
		v.Runs = append(v.Runs, row)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		s.internal(w, r, err)
		return
	}
	if v.Page > 1 {
		v.Prev = fmt.Sprintf("/runs?page=%d", v.Page-1)
	}
	if more {
		v.Next = fmt.Sprintf("/runs?page=%d", v.Page+1)
	}
	s.render(w, r, http.StatusOK, "runs.html", "Runs", v)
}

// ---- run now ----

// runNowHandler starts a run. A browser form must carry the CSRF token;
// a client that authenticated with the bearer token need not, since no
// browser sends that header on its own (and a cross-origin script cannot
// add it without a CORS preflight, which this server never grants).
func (s *Server) runNowHandler(w http.ResponseWriter, r *http.Request) {
	if s.runNow == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "Runs cannot be started from this process.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if s.auth.check(r) != authBearer && !s.csrf.check(r) {
		s.fail(w, r, http.StatusForbidden, "The form was stale or came from another site. Reload the page and press the button again.")
		return
	}
	started := s.runNow()
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		status := http.StatusAccepted
		if !started {
			status = http.StatusConflict
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]bool{"started": started})
		return
	}
	outcome := "started"
	if !started {
		outcome = "busy"
	}
	http.Redirect(w, r, "/?run="+outcome, http.StatusSeeOther)
}
