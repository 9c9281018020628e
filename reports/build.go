package reports

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/linkrot/linkrot/store"
)

// Catalog is the part of the store a report reads; *store.SQLite is one.
type Catalog interface {
	Runs(ctx context.Context, limit int, fn func(store.Run) error) error
	RunChecks(ctx context.Context, fromRun, toRun int64, fn func(store.RunCheck) error) error
	LinksInState(ctx context.Context, states []store.LinkState, afterRun int64, fn func(store.Link) error) error
	LinkByURL(ctx context.Context, url string) (store.Link, error)
	LinkOccurrences(ctx context.Context, url string, fn func(store.LinkOccurrence) error) error
	RepairedOccurrences(ctx context.Context, fromRun, toRun int64, fn func(store.RepairedOccurrence) error) error
	LatestSnapshot(ctx context.Context, url string) (store.Snapshot, error)
	ArchiveCopy(ctx context.Context, url string) (store.ArchiveCopy, error)
}

// Selection picks what a report covers: the run RunID, or the runs started
// at or after Since, or (both zero) the latest finished run.
type Selection struct {
	RunID int64
	Since time.Time
	// Now gives the report's time; time.Now when nil.
	Now func() time.Time
	// Texts reads stored copies for "Changed since cited"'s removed
	// sentences; nil lists the links and verdicts without them.
	Texts SnapshotTexts
}

// ErrNoRuns is returned (wrapped) when a report of the latest run is asked
// for and no run has finished yet.
var ErrNoRuns = errors.New("no check run has finished yet")

// Build reads the report sel selects from the catalog. A run ID that is not
// in the catalog is an error matching store.ErrNotFound.
func Build(ctx context.Context, cat Catalog, sel Selection) (Report, error) {
	if sel.RunID != 0 && !sel.Since.IsZero() {
		return Report{}, errors.New("report: choose a run or a period, not both")
	}
	now := time.Now
	if sel.Now != nil {
		now = sel.Now
	}
	r := Report{Schema: Schema, GeneratedAt: now().UTC()}
	runs, newest, err := selectRuns(ctx, cat, sel)
	if err != nil {
		return Report{}, err
	}
	r.Selection, r.Summary = scope(sel, runs, newest)
	b := builder{cat: cat, r: &r, checked: map[string]*checked{}, hosts: map[string]*HostGroup{}}
	if len(runs) > 0 {
		if err := b.readChecks(ctx); err != nil {
			return Report{}, err
		}
	}
	if err := b.readStates(ctx); err != nil {
		return Report{}, err
	}
	if err := b.readTransitions(ctx); err != nil {
		return Report{}, err
	}
	if len(runs) > 0 {
		if err := b.readRepairs(ctx); err != nil {
			return Report{}, err
		}
	}
	var end time.Time
	if !r.Selection.Latest && r.Summary.FinishedAt != nil {
		end = *r.Summary.FinishedAt
	}
	if err := b.readChanged(ctx, sel.Texts, end); err != nil {
		return Report{}, err
	}
	b.group()
	s := &r.Summary
	s.NewlyDead, s.StillDead, s.Recovered = len(r.NewlyDead), len(r.StillDead), len(r.Recovered)
	s.Dead = s.NewlyDead + s.StillDead
	s.Moved, s.Suspect, s.Blocked, s.Repaired = len(r.Moved), len(r.Suspect), len(r.Blocked), len(r.Repaired)
	return r, nil
}

// selectRuns returns the runs sel covers, oldest first, and the ID of the
// newest run in the catalog.
func selectRuns(ctx context.Context, cat Catalog, sel Selection) ([]store.Run, int64, error) {
	var (
		runs   []store.Run
		newest int64
	)
	errStop := errors.New("stop")
	// Runs come newest first; the few kept are the selection's.
	err := cat.Runs(ctx, 0, func(run store.Run) error {
		if newest == 0 {
			newest = run.ID
		}
		switch {
		case sel.RunID != 0:
			if run.ID == sel.RunID {
				runs = append(runs, run)
				return errStop
			}
		case !sel.Since.IsZero():
			if run.StartedAt.Before(sel.Since) {
				return errStop
			}
			runs = append(runs, run)
		case run.Status != store.RunRunning:
			runs = append(runs, run)
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, 0, fmt.Errorf("report: %w", err)
	}
	switch {
	case sel.RunID != 0 && len(runs) == 0:
		return nil, 0, fmt.Errorf("report: run %d: %w", sel.RunID, store.ErrNotFound)
	case sel.RunID == 0 && sel.Since.IsZero() && len(runs) == 0:
		return nil, 0, fmt.Errorf("report: %w", ErrNoRuns)
	}
	slices.Reverse(runs)
	return runs, newest, nil
}

func scope(sel Selection, runs []store.Run, newest int64) (Scope, Summary) {
	sc := Scope{Kind: "run"}
	if !sel.Since.IsZero() {
		sc.Kind = "since"
		since := sel.Since.UTC()
		sc.Since = &since
	}
	sum := Summary{Status: "none", Runs: []RunInfo{}, ByState: map[string]int{}, ByClass: map[string]int{}}
	if len(runs) == 0 {
		sc.Latest = true // no run: the states are those of now
		return sc, sum
	}
	sc.FirstRun, sc.LastRun = runs[0].ID, runs[len(runs)-1].ID
	sc.Latest = sc.LastRun == newest
	for _, run := range runs {
		ri := RunInfo{ID: run.ID, Kind: run.Kind, Status: string(run.Status), StartedAt: run.StartedAt.UTC(),
			FinishedAt: timePtr(run.FinishedAt), Counters: run.Summary.Counters()}
		if ri.Counters == nil {
			ri.Counters = map[string]int{}
		}
		if !run.FinishedAt.IsZero() {
			ri.DurationSeconds = run.FinishedAt.Sub(run.StartedAt).Seconds()
		}
		sum.DurationSeconds += ri.DurationSeconds
		sum.Runs = append(sum.Runs, ri)
	}
	first, last := runs[0], runs[len(runs)-1]
	sum.Status = string(last.Status)
	sum.StartedAt, sum.FinishedAt = timePtr(first.StartedAt), timePtr(last.FinishedAt)
	return sc, sum
}

// timePtr is nil for the zero time, so JSON says null instead of year 1.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// checked is what the selection's checks did to one link.
type checked struct {
	url, host   string
	before      store.LinkState // the state before the first check that made a transition
	after       store.LinkState // the state after the last one
	last        store.RunCheck
	newlyDead   bool
	recovered   bool
	inStateList bool // found again among the links in a listed state
}

type builder struct {
	cat Catalog
	r   *Report
	// checked keeps only the links whose checks matter to the lists (dead,
	// suspect, blocked or moved after them, or recovered), so memory
	// follows the trouble, not the size of the run.
	checked map[string]*checked
	hosts   map[string]*HostGroup
}

func (b *builder) host(name string) *HostGroup {
	h := b.hosts[name]
	if h == nil {
		h = &HostGroup{Host: name}
		b.hosts[name] = h
	}
	return h
}

// readChecks streams the selection's checks, one link's together, and
// folds each link's into one net transition.
func (b *builder) readChecks(ctx context.Context) error {
	sum := &b.r.Summary
	var cur *checked
	flush := func() {
		if cur == nil {
			return
		}
		sum.LinksChecked++
		h := b.host(cur.host)
		h.Checked++
		if cur.after != "" {
			sum.ByState[string(cur.after)]++
		}
		if cur.after == stateSuspect || cur.after == stateDead {
			h.Failed++
		}
		cur.newlyDead = cur.after == stateDead && cur.before != "" && cur.before != stateDead
		cur.recovered = cur.before == stateDead && (cur.after == stateAlive || cur.after == stateMoved)
		switch cur.after {
		case stateDead, stateSuspect, stateBlocked, stateMoved:
			b.checked[cur.url] = cur
		default:
			if cur.recovered {
				b.checked[cur.url] = cur
			}
		}
		cur = nil
	}
	err := b.cat.RunChecks(ctx, b.r.Selection.FirstRun, b.r.Selection.LastRun, func(c store.RunCheck) error {
		if cur != nil && cur.last.LinkID != c.LinkID {
			flush()
		}
		if cur == nil {
			cur = &checked{url: c.URL, host: c.Host}
		}
		sum.Checks++
		sum.ByClass[c.Class]++
		if c.StateAfter != "" {
			if cur.before == "" {
				cur.before = c.StateBefore
			}
			cur.after = c.StateAfter
		}
		cur.last = c
		return nil
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	flush()
	return nil
}

// readStates lists the links dead, suspect, blocked or moved at the end of
// the selection.
func (b *builder) readStates(ctx context.Context) error {
	afterRun := b.r.Selection.LastRun
	if b.r.Selection.Latest {
		afterRun = 0
	}
	var links []store.Link
	err := b.cat.LinksInState(ctx, []store.LinkState{stateDead, stateSuspect, stateBlocked, stateMoved}, afterRun,
		func(l store.Link) error { links = append(links, l); return nil })
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	r := b.r
	for _, l := range links {
		c := b.checked[l.URL]
		e, err := b.entry(ctx, l, c)
		if err != nil {
			return err
		}
		if c != nil {
			c.inStateList = true
		}
		switch l.State {
		case stateDead:
			if c != nil && c.newlyDead {
				r.NewlyDead = append(r.NewlyDead, e)
			} else {
				r.StillDead = append(r.StillDead, e)
			}
		case stateSuspect:
			r.Suspect = append(r.Suspect, e)
		case stateBlocked:
			r.Blocked = append(r.Blocked, e)
		case stateMoved:
			r.Moved = append(r.Moved, e)
		}
		if c != nil && c.recovered {
			r.Recovered = append(r.Recovered, e)
		}
	}
	return nil
}

// readTransitions adds the newly dead and recovered links the state lists
// did not give: recovered links that are alive, and links no document uses
// any more (the run still checked them, so the report says so).
func (b *builder) readTransitions(ctx context.Context) error {
	var rest []*checked
	for _, c := range b.checked {
		if !c.inStateList && (c.newlyDead || c.recovered) {
			rest = append(rest, c)
		}
	}
	slices.SortFunc(rest, func(x, y *checked) int { return cmp.Compare(x.url, y.url) })
	for _, c := range rest {
		l, err := b.cat.LinkByURL(ctx, c.url)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		l.State = c.after
		e, err := b.entry(ctx, l, c)
		if err != nil {
			return err
		}
		if c.newlyDead {
			b.r.NewlyDead = append(b.r.NewlyDead, e)
		} else {
			b.r.Recovered = append(b.r.Recovered, e)
		}
	}
	for _, list := range []*[]Entry{&b.r.NewlyDead, &b.r.Recovered} {
		slices.SortStableFunc(*list, func(x, y Entry) int { return cmp.Compare(x.URL, y.URL) })
	}
	return nil
}

// entry builds the report entry of link l (its State already the state at
// the end of the selection), with what the selection's checks did (c, nil
// if it was not checked), its places, and its copies.
func (b *builder) entry(ctx context.Context, l store.Link, c *checked) (Entry, error) {
	e := Entry{
		URL: l.URL, Host: l.Host, State: l.State,
		Class: l.LastClass, Status: l.LastStatus, Error: l.LastError, LastChecked: timePtr(l.LastChecked),
		FinalURL: l.FinalURL, MovedTo: l.MovedTo, FirstSeen: l.FirstSeen.UTC(),
		Failures: l.ConsecutiveFailures, FirstFailure: timePtr(l.FirstFailure), LastSuccess: timePtr(l.LastSuccess),
		Evidence: []string{}, Occurrences: []Place{},
	}
	if c != nil {
		e.StateBefore = c.before
		e.Class, e.Status, e.Error = c.last.Class, c.last.Status, c.last.Error
		e.LastChecked, e.FinalURL = timePtr(c.last.CheckedAt), c.last.FinalURL
		if len(c.last.Evidence) > 0 {
			e.Evidence = c.last.Evidence
		}
	}
	err := b.cat.LinkOccurrences(ctx, l.URL, func(lo store.LinkOccurrence) error {
		e.Occurrences = append(e.Occurrences, Place{
			Document: lo.Document.Path, Title: lo.Document.Title,
			Line: lo.Occurrence.Line, Column: lo.Occurrence.Column, Role: lo.Occurrence.Role,
			Raw: lo.Occurrence.Raw, Repaired: lo.Occurrence.Repaired,
		})
		return nil
	})
	if err != nil {
		return Entry{}, fmt.Errorf("report: %w", err)
	}
	// Copies matter for links that are gone or going; a live link is its
	// own copy.
	if l.State == stateDead || l.State == stateSuspect || l.State == stateBlocked {
		if err := b.copies(ctx, &e); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}

func (b *builder) copies(ctx context.Context, e *Entry) error {
	s, err := b.cat.LatestSnapshot(ctx, e.URL)
	switch {
	case err == nil:
		e.Snapshot = &SnapshotRef{CapturedAt: s.CapturedAt.UTC(), URL: s.URL, Title: s.Title, RestoreCommand: RestoreCommand(e.URL)}
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("report: %w", err)
	}
	ac, err := b.cat.ArchiveCopy(ctx, e.URL)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if ac.URL != "" {
		e.ArchiveCopy = &ArchiveRef{URL: ac.URL, Time: ac.Time.UTC(), Source: ac.Source}
	}
	return nil
}

func (b *builder) readRepairs(ctx context.Context) error {
	sel := b.r.Selection
	err := b.cat.RepairedOccurrences(ctx, sel.FirstRun, sel.LastRun, func(ro store.RepairedOccurrence) error {
		o := ro.Occurrence
		b.r.Repaired = append(b.r.Repaired, Repair{
			Document: ro.Document.Path, Line: o.Line, Column: o.Column, Raw: o.Raw, URL: o.URL,
			ExtractedURL: ro.ExtractedURL, Confidence: o.Confidence,
			Repairs: orEmpty(o.Repairs), Alternatives: orEmpty(o.Alternatives), Reasons: orEmpty(o.Reasons),
			Verified: !ro.VerifiedAt.IsZero(), VerifiedAt: timePtr(ro.VerifiedAt), State: ro.LinkState,
		})
		return nil
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// group fills Documents and Hosts from the lists.
func (b *builder) group() {
	r := b.r
	docs := map[string]*DocumentGroup{}
	add := func(list []Entry, newly bool) {
		for _, e := range list {
			h := b.host(e.Host)
			switch e.State {
			case stateDead:
				h.Dead++
			case stateSuspect:
				h.Suspect++
			case stateBlocked:
				h.Blocked++
			}
			if e.State == stateBlocked {
				continue // nothing to fix in the document: we cannot know
			}
			for _, p := range e.Occurrences {
				d := docs[p.Document]
				if d == nil {
					d = &DocumentGroup{Path: p.Document, Title: p.Title}
					docs[p.Document] = d
				}
				d.Links = append(d.Links, DocLink{URL: e.URL, State: e.State, NewlyDead: newly,
					Line: p.Line, Column: p.Column, Role: p.Role, MovedTo: e.MovedTo})
			}
		}
	}
	add(r.NewlyDead, true)
	add(r.StillDead, false)
	add(r.Suspect, false)
	add(r.Moved, false)
	add(r.Blocked, false)
	r.Documents = []DocumentGroup{}
	for _, d := range docs {
		slices.SortFunc(d.Links, func(x, y DocLink) int {
			return cmp.Or(cmp.Compare(x.Line, y.Line), cmp.Compare(x.Column, y.Column), cmp.Compare(x.URL, y.URL))
		})
		r.Documents = append(r.Documents, *d)
	}
	slices.SortFunc(r.Documents, func(x, y DocumentGroup) int { return cmp.Compare(x.Path, y.Path) })

	r.Hosts = []HostGroup{}
	for _, h := range b.hosts {
		if h.Failed+h.Dead+h.Suspect+h.Blocked > 0 {
			r.Hosts = append(r.Hosts, *h)
		}
	}
	// The hosts that fail most come first: most dead or suspect links,
	// then most failed checks, then the highest share of failures.
	slices.SortFunc(r.Hosts, func(x, y HostGroup) int {
		return cmp.Or(
			cmp.Compare(y.Dead+y.Suspect, x.Dead+x.Suspect),
			cmp.Compare(y.Failed, x.Failed),
			cmp.Compare(float64(y.Failed)/float64(max(y.Checked, 1)), float64(x.Failed)/float64(max(x.Checked, 1))),
			cmp.Compare(x.Host, y.Host))
	})
	for _, list := range []*[]Entry{&r.NewlyDead, &r.StillDead, &r.Recovered, &r.Moved, &r.Suspect, &r.Blocked} {
		if *list == nil {
			*list = []Entry{}
		}
	}
	if r.Repaired == nil {
		r.Repaired = []Repair{}
	}
}
