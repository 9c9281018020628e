package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// checkTests are run by Run on stores that implement store.CheckStore.
var checkTests = []struct {
	name string
	fn   func(t *testing.T, s store.CheckStore)
}{
	{"LinkByURL", testLinkByURL},
	{"DueByHost", testDueByHost},
	{"RecordCheckAndHistory", testRecordCheckAndHistory},
	{"RecordCheckIdentifiesLink", testRecordCheckIdentifiesLink},
	{"RecordCheckRefusesBadInput", testRecordCheckRefusesBadInput},
	{"DueLinks", testDueLinks},
	{"DueLinksWhileRecording", testDueLinksWhileRecording},
	{"Runs", testRuns},
	{"PendingApplied", testPendingApplied},
	{"PendingNetworkDown", testPendingNetworkDown},
	{"Locks", testLocks},
	{"VerificationQueue", testVerificationQueue},
	{"AdoptRepair", testAdoptRepair},
	{"AdoptedRepairSurvivesRescan", testAdoptedRepairSurvivesRescan},
	{"OccurrenceIDsNotReused", testOccurrenceIDsNotReused},
	{"AdoptTwins", testAdoptTwins},
	{"CheckStreamsStop", testCheckStreamsStop},
}

func runCheckTests(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range checkTests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(store.CheckStore)
			if !ok {
				t.Skip("store does not implement store.CheckStore")
			}
			tc.fn(t, s)
		})
	}
}

func record(t *testing.T, s store.CheckStore, c store.CheckRecord, st *store.LinkStatus, next time.Time) int64 {
	t.Helper()
	id, err := s.RecordCheck(ctxT(t), c, st, next)
	if err != nil {
		t.Fatalf("RecordCheck(%s %s at %v): %v", c.URL, c.Class, c.CheckedAt, err)
	}
	if id == 0 {
		t.Fatalf("RecordCheck returned check ID 0")
	}
	return id
}

func history(t *testing.T, s store.CheckStore, url string) []store.CheckRecord {
	t.Helper()
	var out []store.CheckRecord
	if err := s.History(ctxT(t), url, func(c store.CheckRecord) error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatalf("History(%s): %v", url, err)
	}
	return out
}

func linkByURL(t *testing.T, s store.CheckStore, url string) store.Link {
	t.Helper()
	l, err := s.LinkByURL(ctxT(t), url)
	if err != nil {
		t.Fatalf("LinkByURL(%s): %v", url, err)
	}
	return l
}

func due(t *testing.T, s store.CheckStore, now time.Time, all bool) []store.DueLink {
	t.Helper()
	var out []store.DueLink
	if err := s.DueLinks(ctxT(t), now, all, func(d store.DueLink) error {
		out = append(out, d)
		return nil
	}); err != nil {
		t.Fatalf("DueLinks(%v, all=%v): %v", now, all, err)
	}
	return out
}

func dueURLs(ds []store.DueLink) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.URL)
	}
	return out
}

func pending(t *testing.T, s store.CheckStore, runID int64) []store.CheckRecord {
	t.Helper()
	var out []store.CheckRecord
	if err := s.PendingChecks(ctxT(t), runID, func(c store.CheckRecord) error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatalf("PendingChecks(%d): %v", runID, err)
	}
	return out
}

func runs(t *testing.T, s store.CheckStore, limit int) []store.Run {
	t.Helper()
	var out []store.Run
	if err := s.Runs(ctxT(t), limit, func(r store.Run) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("Runs(%d): %v", limit, err)
	}
	return out
}

func beginRun(t *testing.T, s store.CheckStore, at time.Time) int64 {
	t.Helper()
	id, err := s.BeginRun(ctxT(t), at, "run")
	if err != nil {
		t.Fatalf("BeginRun: %v", err)
	}
	return id
}

// sameState compares link states, times as instants.
func sameState(t *testing.T, what string, got, want store.LinkStatus) {
	t.Helper()
	if !got.FirstFailure.Equal(want.FirstFailure) || !got.LastSuccess.Equal(want.LastSuccess) {
		t.Errorf("%s: first failure %v, last success %v; want %v, %v", what,
			got.FirstFailure, got.LastSuccess, want.FirstFailure, want.LastSuccess)
	}
	got.FirstFailure, got.LastSuccess, want.FirstFailure, want.LastSuccess = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s: state %+v, want %+v", what, got, want)
	}
}

// sameCheck compares check records ignoring how CheckedAt's location is
// represented.
func sameCheck(t *testing.T, got, want store.CheckRecord) {
	t.Helper()
	if !got.CheckedAt.Equal(want.CheckedAt) {
		t.Errorf("check %d: CheckedAt %v, want %v", want.ID, got.CheckedAt, want.CheckedAt)
	}
	got.CheckedAt, want.CheckedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("check round trip:\n got %+v\nwant %+v", got, want)
	}
}

func testLinkByURL(t *testing.T, s store.CheckStore) {
	u := "https://by-url.example/page"
	save(t, s, doc("a.txt", t0), source(u, 1), cited(u, 2))
	save(t, s, doc("b.txt", t0.Add(time.Hour)), cited(u, 1))
	l := linkByURL(t, s, u)
	if l.URL != u || l.ID == 0 || l.Host != "by-url.example" || l.State != store.StateUnchecked ||
		l.Occurrences != 3 || !reflect.DeepEqual(l.Roles, []string{"cited", "source"}) ||
		!l.FirstSeen.Equal(t0) || !l.NextCheck.Equal(t0) || !l.LastChecked.IsZero() {
		t.Errorf("LinkByURL = %+v", l)
	}
	// It is the same link Links gives.
	if fromLinks := link(t, s, u); !reflect.DeepEqual(fromLinks, l) {
		t.Errorf("LinkByURL differs from Links:\n got %+v\nwant %+v", l, fromLinks)
	}
	if _, err := s.LinkByURL(ctxT(t), "https://nope.example/"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LinkByURL(unknown) = %v, want ErrNotFound", err)
	}
}

func testRecordCheckAndHistory(t *testing.T, s store.CheckStore) {
	u := "https://history.example/a"
	save(t, s, doc("h.txt", t0), cited(u, 1))
	l := linkByURL(t, s, u)

	full := store.CheckRecord{
		LinkID: l.ID, URL: u, CheckedAt: t0.Add(time.Hour), Class: "http_4xx", Status: 404,
		FinalURL:  "https://history.example/b",
		Redirects: []store.Hop{{URL: u, Status: 301}, {URL: "https://history.example/b", Status: 404}},
		Method:    "GET", LatencyMS: 1234, Attempts: 2, Error: "404 Not Found",
		Evidence: []string{"HEAD 405, fell back to GET", "ünïcode ✓"},
	}
	st := store.LinkStatus{State: "suspect", ConsecutiveFailures: 1, FirstFailure: full.CheckedAt, MovedTo: "https://history.example/moved"}
	next := t0.Add(25 * time.Hour)
	full.ID = record(t, s, full, &st, next)

	got := linkByURL(t, s, u)
	sameState(t, "after RecordCheck", got.LinkStatus, st)
	if !got.LastChecked.Equal(full.CheckedAt) || !got.NextCheck.Equal(next) {
		t.Errorf("last checked %v, next %v; want %v, %v", got.LastChecked, got.NextCheck, full.CheckedAt, next)
	}
	if got.LastClass != "http_4xx" || got.LastStatus != 404 || got.LastError != "404 Not Found" || got.FinalURL != full.FinalURL {
		t.Errorf("last check fields: %q %d %q %q", got.LastClass, got.LastStatus, got.LastError, got.FinalURL)
	}
	if got.Occurrences != 1 || !got.FirstSeen.Equal(t0) {
		t.Errorf("RecordCheck changed scan fields: %+v", got)
	}
	if ls := linkURLs(links(t, s, store.LinkFilter{State: "suspect"})); !reflect.DeepEqual(ls, []string{u}) {
		t.Errorf("Links(state=suspect) = %v", ls)
	}

	// History only: the link keeps the state above. Recorded out of time
	// order, and two at the same instant.
	older := store.CheckRecord{URL: u, CheckedAt: t0, Class: "timeout", Error: "deadline exceeded", Attempts: 3}
	older.ID = record(t, s, older, nil, time.Time{})
	older.LinkID = l.ID
	tie1 := store.CheckRecord{LinkID: l.ID, URL: u, CheckedAt: t0.Add(2 * time.Hour), Class: "ok", Status: 200}
	tie1.ID = record(t, s, tie1, nil, time.Time{})
	tie2 := tie1
	tie2.Class, tie2.Status = "http_5xx", 503
	tie2.ID = record(t, s, tie2, nil, time.Time{})
	if after := linkByURL(t, s, u); !reflect.DeepEqual(after, got) {
		t.Errorf("a check with no state changed the link:\n got %+v\nwant %+v", after, got)
	}

	h := history(t, s, u)
	if len(h) != 4 {
		t.Fatalf("History = %d checks, want 4", len(h))
	}
	for i, want := range []store.CheckRecord{tie2, tie1, full, older} {
		sameCheck(t, h[i], want)
	}
	if h[3].Redirects != nil || h[3].Evidence != nil {
		t.Errorf("empty lists came back as %#v, %#v; want nil", h[3].Redirects, h[3].Evidence)
	}
	if _, err := s.LinkByURL(ctxT(t), u); err != nil {
		t.Fatal(err)
	}
	err := s.History(ctxT(t), "https://nope.example/", func(store.CheckRecord) error { return nil })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("History(unknown) = %v, want ErrNotFound", err)
	}
	// A link never checked has an empty history, not an error.
	save(t, s, doc("h2.txt", t0), cited("https://fresh.example/", 1))
	if h := history(t, s, "https://fresh.example/"); len(h) != 0 {
		t.Errorf("History of an unchecked link = %+v", h)
	}

	// A zero next check means due at once.
	record(t, s, store.CheckRecord{URL: u, CheckedAt: t0.Add(3 * time.Hour), Class: "ok"},
		&store.LinkStatus{State: "alive", LastSuccess: t0.Add(3 * time.Hour)}, time.Time{})
	if got := linkByURL(t, s, u); !got.NextCheck.Equal(t0.Add(3*time.Hour)) || got.State != "alive" || got.MovedTo != "" || got.ConsecutiveFailures != 0 {
		t.Errorf("after ok with zero next check: %+v", got)
	}
}

func testRecordCheckIdentifiesLink(t *testing.T, s store.CheckStore) {
	a, b := "https://id.example/a", "https://id.example/b"
	save(t, s, doc("i.txt", t0), cited(a, 1), cited(b, 2))
	la, lb := linkByURL(t, s, a), linkByURL(t, s, b)
	ctx := ctxT(t)

	record(t, s, store.CheckRecord{LinkID: la.ID, CheckedAt: t0, Class: "ok"}, nil, time.Time{})
	record(t, s, store.CheckRecord{URL: a, CheckedAt: t0, Class: "ok"}, nil, time.Time{})
	for _, c := range history(t, s, a) {
		if c.LinkID != la.ID || c.URL != a {
			t.Errorf("check by ID or URL stored as link %d %s", c.LinkID, c.URL)
		}
	}
	if _, err := s.RecordCheck(ctx, store.CheckRecord{LinkID: la.ID, URL: b, CheckedAt: t0, Class: "ok"}, nil, time.Time{}); err == nil {
		t.Errorf("RecordCheck with the ID of %s and the URL of %s succeeded", a, b)
	}
	if _, err := s.RecordCheck(ctx, store.CheckRecord{URL: "https://nope.example/", CheckedAt: t0, Class: "ok"}, nil, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordCheck of an unknown URL: %v, want ErrNotFound", err)
	}
	if _, err := s.RecordCheck(ctx, store.CheckRecord{LinkID: la.ID + lb.ID + 1000, CheckedAt: t0, Class: "ok"}, nil, time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordCheck of an unknown link ID: %v, want ErrNotFound", err)
	}
	if h := history(t, s, b); len(h) != 0 {
		t.Errorf("refused checks were stored for %s: %+v", b, h)
	}
}

func testRecordCheckRefusesBadInput(t *testing.T, s store.CheckStore) {
	u := "https://bad.example/"
	save(t, s, doc("b.txt", t0), cited(u, 1))
	before := linkByURL(t, s, u)
	runID := beginRun(t, s, t0)
	ok := store.CheckRecord{URL: u, RunID: runID, CheckedAt: t0, Class: "ok"}
	alive := &store.LinkStatus{State: "alive"}
	for name, tc := range map[string]struct {
		c    store.CheckRecord
		st   *store.LinkStatus
		next time.Time
	}{
		"empty class":         {store.CheckRecord{URL: u, CheckedAt: t0}, nil, time.Time{}},
		"zero time":           {store.CheckRecord{URL: u, Class: "ok"}, nil, time.Time{}},
		"no link":             {store.CheckRecord{CheckedAt: t0, Class: "ok"}, nil, time.Time{}},
		"pending with state":  {store.CheckRecord{URL: u, RunID: runID, CheckedAt: t0, Class: "ok", Pending: true}, alive, t0},
		"pending without run": {store.CheckRecord{URL: u, CheckedAt: t0, Class: "ok", Pending: true}, nil, time.Time{}},
		"empty state":         {ok, &store.LinkStatus{}, t0},
		"negative failures":   {ok, &store.LinkStatus{State: "suspect", ConsecutiveFailures: -1}, t0},
		"next in year 10000":  {ok, alive, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"unknown run":         {store.CheckRecord{URL: u, RunID: runID + 100, CheckedAt: t0, Class: "ok"}, alive, t0},
	} {
		if _, err := s.RecordCheck(ctxT(t), tc.c, tc.st, tc.next); err == nil {
			t.Errorf("%s: RecordCheck accepted it", name)
		}
	}
	if h := history(t, s, u); len(h) != 0 {
		t.Errorf("refused checks were stored: %+v", h)
	}
	if after := linkByURL(t, s, u); !reflect.DeepEqual(after, before) {
		t.Errorf("refused checks changed the link:\n got %+v\nwant %+v", after, before)
	}
	// A cancelled context writes nothing either.
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	if _, err := s.RecordCheck(ctx, ok, alive, t0.Add(time.Hour)); err == nil {
		t.Errorf("RecordCheck with a cancelled context succeeded")
	}
	if h := history(t, s, u); len(h) != 0 {
		t.Errorf("cancelled check was stored: %+v", h)
	}
}
