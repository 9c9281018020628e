package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// RunReports runs the store.ReportStore tests; each skips, saying so, on
// a store without it. open is as for Run.
func RunReports(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.ReportStore)
	}{
		{"TransitionsRecorded", testTransitionsRecorded},
		{"PendingTransitions", testPendingTransitions},
		{"LinksInStateNowAndThen", testLinksInStateNowAndThen},
		{"RepairedOccurrences", testRepairedOccurrences},
		{"ArchiveCopy", testArchiveCopy},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(store.ReportStore)
			if !ok {
				t.Skip("store does not implement store.ReportStore")
			}
			tc.fn(t, s)
		})
	}
}

func runChecks(t *testing.T, s store.ReportStore, from, to int64) []store.RunCheck {
	t.Helper()
	var out []store.RunCheck
	if err := s.RunChecks(ctxT(t), from, to, func(c store.RunCheck) error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatalf("RunChecks(%d, %d): %v", from, to, err)
	}
	return out
}

// transitions renders checks as "url class before>after" for comparison.
func transitions(cs []store.RunCheck) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.URL+" "+c.Class+" "+string(c.StateBefore)+">"+string(c.StateAfter))
	}
	return out
}

func inState(t *testing.T, s store.ReportStore, afterRun int64, states ...store.LinkState) []string {
	t.Helper()
	out := []string{}
	if err := s.LinksInState(ctxT(t), states, afterRun, func(l store.Link) error {
		out = append(out, l.URL+" "+string(l.State))
		return nil
	}); err != nil {
		t.Fatalf("LinksInState(%v, %d): %v", states, afterRun, err)
	}
	return out
}

func testTransitionsRecorded(t *testing.T, s store.ReportStore) {
	a, b := "https://tr.example/a", "https://tr.example/b"
	save(t, s, doc("t.txt", t0), cited(a, 1), cited(b, 2))
	r1 := beginRun(t, s, t0)
	record(t, s, store.CheckRecord{URL: a, RunID: r1, CheckedAt: t0, Class: "http_4xx", Status: 404},
		&store.LinkStatus{State: "suspect", ConsecutiveFailures: 1, FirstFailure: t0}, t0.Add(time.Hour))
	record(t, s, store.CheckRecord{URL: b, RunID: r1, CheckedAt: t0, Class: "ok", Status: 200},
		&store.LinkStatus{State: "alive", LastSuccess: t0}, t0.Add(time.Hour))
	// History only: no transition.
	record(t, s, store.CheckRecord{URL: b, RunID: r1, CheckedAt: t0.Add(time.Second), Class: "ok"}, nil, time.Time{})

	t1 := t0.Add(48 * time.Hour)
	r2 := beginRun(t, s, t1)
	record(t, s, store.CheckRecord{URL: a, RunID: r2, CheckedAt: t1, Class: "http_4xx", Status: 404},
		&store.LinkStatus{State: "dead", ConsecutiveFailures: 2, FirstFailure: t0}, t1.Add(time.Hour))
	record(t, s, store.CheckRecord{URL: b, RunID: r2, CheckedAt: t1, Class: "ok", Status: 200},
		&store.LinkStatus{State: "alive", LastSuccess: t1}, t1.Add(time.Hour))
	// Outside any run: never part of a run's checks.
	record(t, s, store.CheckRecord{URL: a, CheckedAt: t1.Add(time.Minute), Class: "http_4xx"},
		&store.LinkStatus{State: "dead", ConsecutiveFailures: 3, FirstFailure: t0}, t1.Add(time.Hour))

	got := transitions(runChecks(t, s, r1, r1))
	want := []string{a + " http_4xx unchecked>suspect", b + " ok unchecked>alive", b + " ok >"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("run 1 checks = %q\nwant %q", got, want)
	}
	got = transitions(runChecks(t, s, r2, r2))
	want = []string{a + " http_4xx suspect>dead", b + " ok alive>alive"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("run 2 checks = %q\nwant %q", got, want)
	}
	// A range gives each link's checks together, in recording order.
	got = transitions(runChecks(t, s, r1, r2))
	want = []string{a + " http_4xx unchecked>suspect", a + " http_4xx suspect>dead",
		b + " ok unchecked>alive", b + " ok >", b + " ok alive>alive"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runs 1-2 checks = %q\nwant %q", got, want)
	}
	cs := runChecks(t, s, r2, r2)
	if c := cs[0]; c.Host != "tr.example" || c.RunID != r2 || c.Status != 404 || !c.CheckedAt.Equal(t1) || c.LinkID == 0 || c.ID == 0 {
		t.Errorf("run check = %+v", c)
	}
	if cs := runChecks(t, s, r2+1, r2+5); len(cs) != 0 {
		t.Errorf("checks of runs that do not exist = %+v", cs)
	}
	// History, the CheckStore view, is unchanged by the transition columns.
	if h := history(t, s, a); len(h) != 3 || h[0].RunID != 0 || h[1].RunID != r2 {
		t.Errorf("history = %+v", h)
	}
}

func testPendingTransitions(t *testing.T, s store.ReportStore) {
	ctx := ctxT(t)
	a, b := "https://pt.example/a", "https://pt.example/b"
	save(t, s, doc("p.txt", t0), cited(a, 1), cited(b, 2))
	record(t, s, store.CheckRecord{URL: a, CheckedAt: t0, Class: "ok"}, &store.LinkStatus{State: "alive", LastSuccess: t0}, t0)
	run := beginRun(t, s, t0.Add(time.Hour))
	pa := record(t, s, store.CheckRecord{URL: a, RunID: run, CheckedAt: t0.Add(time.Hour), Class: "timeout", Pending: true}, nil, time.Time{})
	if got := transitions(runChecks(t, s, run, run)); !reflect.DeepEqual(got, []string{a + " timeout >"}) {
		t.Errorf("pending check = %q; a pending check has made no transition yet", got)
	}
	st := store.LinkStatus{State: "suspect", ConsecutiveFailures: 1, FirstFailure: t0.Add(time.Hour), LastSuccess: t0}
	if err := s.ApplyPending(ctx, pa, st, t0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := transitions(runChecks(t, s, run, run)); !reflect.DeepEqual(got, []string{a + " timeout alive>suspect"}) {
		t.Errorf("applied pending check = %q", got)
	}
	// A run judged the checker's outage changes nothing, and says so.
	down := beginRun(t, s, t0.Add(2*time.Hour))
	record(t, s, store.CheckRecord{URL: b, RunID: down, CheckedAt: t0.Add(2 * time.Hour), Class: "dns_error", Pending: true}, nil, time.Time{})
	if _, err := s.MarkRunNetworkDown(ctx, down); err != nil {
		t.Fatal(err)
	}
	if got := transitions(runChecks(t, s, down, down)); !reflect.DeepEqual(got, []string{b + " network_down >"}) {
		t.Errorf("network_down check = %q", got)
	}
}

func testLinksInStateNowAndThen(t *testing.T, s store.ReportStore) {
	a, b, c, gone := "https://st.example/a", "https://st.example/b", "https://st.example/c", "https://st.example/gone"
	save(t, s, doc("s.txt", t0), cited(a, 1), cited(b, 2), cited(c, 3))
	save(t, s, doc("old.txt", t0), cited(gone, 1))
	step := func(run int64, at time.Time, u, class string, state store.LinkState) {
		t.Helper()
		record(t, s, store.CheckRecord{URL: u, RunID: run, CheckedAt: at, Class: class},
			&store.LinkStatus{State: state, ConsecutiveFailures: 1, FirstFailure: t0}, at.Add(time.Hour))
	}
	t1, t2, t3 := t0.Add(24*time.Hour), t0.Add(48*time.Hour), t0.Add(72*time.Hour)
	r1 := beginRun(t, s, t1)
	step(r1, t1, a, "http_4xx", "suspect")
	step(r1, t1, b, "http_4xx", "suspect")
	step(r1, t1, gone, "http_4xx", "dead")
	r2 := beginRun(t, s, t2)
	step(r2, t2, a, "http_4xx", "dead")
	step(r2, t2, b, "http_4xx", "dead")
	r3 := beginRun(t, s, t3)
	step(r3, t3, a, "ok", "alive")
	// A run with no checks, then a check by hand.
	r4 := beginRun(t, s, t3.Add(time.Hour))
	step(0, t3.Add(2*time.Hour), c, "http_5xx", "suspect")
	if err := s.MarkDocumentMissing(ctxT(t), "old.txt", t3); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		after  int64
		states []store.LinkState
		want   []string
	}{
		{0, []store.LinkState{"dead"}, []string{b + " dead"}},
		{0, []store.LinkState{"dead", "suspect", "alive"}, []string{a + " alive", b + " dead", c + " suspect"}},
		{r1, []store.LinkState{"dead", "suspect"}, []string{a + " suspect", b + " suspect"}},
		{r2, []store.LinkState{"dead"}, []string{a + " dead", b + " dead"}},
		{r3, []store.LinkState{"dead", "alive", "suspect"}, []string{a + " alive", b + " dead", c + " suspect"}},
		{r4, []store.LinkState{"suspect"}, []string{c + " suspect"}},
		{r1, []store.LinkState{"alive"}, []string{}},
	} {
		if got := inState(t, s, tc.after, tc.states...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("LinksInState(%v, after run %d) = %q, want %q", tc.states, tc.after, got, tc.want)
		}
	}
	// Other fields are the link as it is now.
	err := s.LinksInState(ctxT(t), []store.LinkState{"suspect"}, r1, func(l store.Link) error {
		if l.URL == a && (l.LastClass != "ok" || l.Occurrences != 1 || l.Host != "st.example") {
			t.Errorf("link a after run 1 = %+v", l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LinksInState(ctxT(t), nil, 0, func(store.Link) error { return nil }); err == nil {
		t.Error("LinksInState with no states succeeded")
	}
	stop := errors.New("stop")
	if err := s.LinksInState(ctxT(t), []store.LinkState{"dead", "alive"}, 0, func(store.Link) error { return stop }); err != stop {
		t.Errorf("callback error = %v, want it unwrapped", err)
	}
}

func testRepairedOccurrences(t *testing.T, s store.ReportStore) {
	ctx := ctxT(t)
	plain, fixed, doubt := "https://rp.example/plain", "https://rp.example/fixed-url", "https://rp.example/doubt"
	rep := cited(fixed, 2)
	rep.Raw = "https://rp.example/fixed- url"
	rep.Repaired, rep.Repairs, rep.Confidence, rep.Reasons = true, []string{"joined a split"}, 0.9, []string{"title words"}
	save(t, s, doc("r.txt", t0), cited(plain, 1), rep, doubtful(doubt, 3, 0.4, doubt+"-ful"))

	var refs []store.OccurrenceRef
	if err := s.OccurrencesNeedingVerification(ctx, func(o store.OccurrenceRef) error { refs = append(refs, o); return nil }); err != nil || len(refs) != 1 {
		t.Fatalf("to verify: %+v %v", refs, err)
	}
	if err := s.AdoptRepair(ctx, refs[0].ID, doubt+"-ful", 0.95, []string{"verified on the web"}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	all := func(from, to int64) []store.RepairedOccurrence {
		t.Helper()
		var out []store.RepairedOccurrence
		if err := s.RepairedOccurrences(ctx, from, to, func(r store.RepairedOccurrence) error { out = append(out, r); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	got := all(0, 0)
	if len(got) != 2 {
		t.Fatalf("repaired occurrences = %+v", got)
	}
	if r := got[0]; r.Occurrence.URL != fixed || r.Occurrence.Raw != rep.Raw || r.Document.Path != "r.txt" ||
		r.LinkState != store.StateUnchecked || !r.VerifiedAt.IsZero() || r.ExtractedURL != "" || r.Occurrence.Confidence != 0.9 {
		t.Errorf("repaired = %+v", r)
	}
	if r := got[1]; r.Occurrence.URL != doubt+"-ful" || r.ExtractedURL != doubt || !r.VerifiedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("verified = %+v", r)
	}
	run := beginRun(t, s, t0.Add(2*time.Hour))
	record(t, s, store.CheckRecord{URL: fixed, RunID: run, CheckedAt: t0.Add(2 * time.Hour), Class: "ok"},
		&store.LinkStatus{State: "alive"}, t0.Add(3*time.Hour))
	if got := all(run, run); len(got) != 1 || got[0].Occurrence.URL != fixed || got[0].LinkState != "alive" {
		t.Errorf("repaired and checked in run %d = %+v", run, got)
	}
	if got := all(run+1, run+1); len(got) != 0 {
		t.Errorf("repaired in a run with no checks = %+v", got)
	}
}

func testArchiveCopy(t *testing.T, s store.ReportStore) {
	ctx := ctxT(t)
	u := "https://ac.example/page"
	save(t, s, doc("a.txt", t0), cited(u, 1))
	if c, err := s.ArchiveCopy(ctx, u); err != nil || c != (store.ArchiveCopy{}) {
		t.Errorf("never asked: %+v, %v", c, err)
	}
	none := store.ArchiveCopy{CheckedAt: t0}
	if err := s.SetArchiveCopy(ctx, u, none); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ArchiveCopy(ctx, u); err != nil || c.URL != "" || !c.CheckedAt.Equal(t0) {
		t.Errorf("asked, none: %+v, %v", c, err)
	}
	found := store.ArchiveCopy{URL: "https://web.archive.example/web/20200101000000/" + u,
		Time: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Source: "wayback", CheckedAt: t0.Add(time.Hour)}
	if err := s.SetArchiveCopy(ctx, u, found); err != nil {
		t.Fatal(err)
	}
	c, err := s.ArchiveCopy(ctx, u)
	if err != nil || c.URL != found.URL || !c.Time.Equal(found.Time) || c.Source != "wayback" || !c.CheckedAt.Equal(found.CheckedAt) {
		t.Errorf("found: %+v, %v", c, err)
	}
	if err := s.SetArchiveCopy(ctx, "https://nope.example/", found); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetArchiveCopy(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.ArchiveCopy(ctx, "https://nope.example/"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ArchiveCopy(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.SetArchiveCopy(ctx, u, store.ArchiveCopy{URL: found.URL}); err == nil {
		t.Error("SetArchiveCopy without CheckedAt succeeded")
	}
	// The copy is not part of the link's check state.
	if l := linkByURL(t, s, u); l.State != store.StateUnchecked || !l.LastChecked.IsZero() {
		t.Errorf("link after SetArchiveCopy = %+v", l)
	}
}
