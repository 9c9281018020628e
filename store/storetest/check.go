package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
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

func testDueLinks(t *testing.T, s store.CheckStore) {
	// One link per case; scanned at t0, so due at t0 until checked.
	urls := map[string]string{
		"never":   "https://due.example/never",    // unchecked: next = first seen = t0
		"past":    "https://due.example/past",     // next t0+1h
		"now":     "https://due.example/now",      // next = now exactly
		"future":  "https://due.example/future",   // next now+1ns
		"zero":    "https://due.example/zero",     // zero next: due since its check
		"tie-a":   "https://due.example/tie-a",    // same next as tie-b: by ID
		"tie-b":   "https://due.example/tie-b",    //
		"missing": "https://due.example/missing",  // only in a missing document
		"unused":  "https://due.example/unused",   // in no document any more
		"dead":    "https://due.example/dead",     // states do not matter
		"early":   "https://due.example/0-early",  // next before t0
		"later":   "https://due.example/zz-later", // next far in the future
	}
	now := t0.Add(48 * time.Hour)
	// Save in an order unlike the expected one, so IDs do not give it away.
	save(t, s, doc("due.txt", t0),
		cited(urls["tie-b"], 1), cited(urls["tie-a"], 2), cited(urls["later"], 3), cited(urls["future"], 4),
		cited(urls["now"], 5), cited(urls["past"], 6), cited(urls["never"], 7), cited(urls["zero"], 8),
		cited(urls["dead"], 9), cited(urls["early"], 10))
	save(t, s, doc("gone.txt", t0), cited(urls["missing"], 1), cited(urls["past"], 2))
	if err := s.MarkDocumentMissing(ctxT(t), "gone.txt", t0); err != nil {
		t.Fatal(err)
	}
	save(t, s, doc("was.txt", t0), cited(urls["unused"], 1))
	save(t, s, doc("was.txt", t0))

	alive := &store.LinkStatus{State: "alive", LastSuccess: t0}
	set := func(key string, next time.Time, st *store.LinkStatus) {
		t.Helper()
		record(t, s, store.CheckRecord{URL: urls[key], CheckedAt: t0, Class: "ok"}, st, next)
	}
	set("past", t0.Add(time.Hour), alive)
	set("now", now, alive)
	set("future", now.Add(time.Nanosecond), alive)
	set("zero", time.Time{}, alive)
	// tie-b was saved first, so it has the smaller ID.
	set("tie-a", t0.Add(30*time.Hour), alive)
	set("tie-b", t0.Add(30*time.Hour), alive)
	set("missing", t0, alive)
	set("unused", t0, alive)
	dead := &store.LinkStatus{State: "dead", ConsecutiveFailures: 4, FirstFailure: t0.Add(-96 * time.Hour), LastSuccess: t0.Add(-200 * time.Hour), MovedTo: "https://moved.example/"}
	set("dead", t0.Add(40*time.Hour), dead)
	set("early", t0.Add(-time.Hour), alive)
	set("later", t0.Add(1000*time.Hour), alive)

	got := due(t, s, now, false)
	// never (first seen t0) and zero (checked at t0) tie: by ID.
	want := []string{urls["early"], urls["never"], urls["zero"], urls["past"], urls["tie-b"], urls["tie-a"], urls["dead"], urls["now"]}
	if !reflect.DeepEqual(dueURLs(got), want) {
		t.Errorf("DueLinks(now) =\n %v\nwant\n %v", dueURLs(got), want)
	}
	wantAll := append(append([]string{}, want...), urls["future"], urls["later"])
	if gotAll := dueURLs(due(t, s, now, true)); !reflect.DeepEqual(gotAll, wantAll) {
		t.Errorf("DueLinks(all) =\n %v\nwant\n %v", gotAll, wantAll)
	}
	if got := dueURLs(due(t, s, t0.Add(-2*time.Hour), false)); len(got) != 0 {
		t.Errorf("DueLinks before everything = %v", got)
	}

	// The fields the state machine needs come along.
	for _, d := range got {
		l := linkByURL(t, s, d.URL)
		if d.ID != l.ID || d.Host != "due.example" || !d.FirstSeen.Equal(l.FirstSeen) ||
			!d.LastChecked.Equal(l.LastChecked) || !d.NextCheck.Equal(l.NextCheck) {
			t.Errorf("DueLink %+v does not match link %+v", d, l)
		}
		sameState(t, "DueLink "+d.URL, d.LinkStatus, l.LinkStatus)
		if d.URL == urls["dead"] {
			sameState(t, "dead DueLink", d.LinkStatus, *dead)
		}
		if d.URL == urls["never"] && (d.State != store.StateUnchecked || !d.LastChecked.IsZero()) {
			t.Errorf("unchecked DueLink = %+v", d)
		}
	}
	if err := s.DueLinks(ctxT(t), time.Time{}, false, func(store.DueLink) error { return nil }); err == nil {
		t.Errorf("DueLinks with a zero now and all=false succeeded")
	}
}

// A crawler records each check while it streams the due links.
func testDueLinksWhileRecording(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	var occs []store.Occurrence
	for i := range 20 {
		occs = append(occs, cited(fmt.Sprintf("https://stream.example/%02d", i), i+1))
	}
	save(t, s, doc("s.txt", t0), occs...)
	runID := beginRun(t, s, t0)
	now := t0.Add(time.Hour)
	n := 0
	err := s.DueLinks(ctx, now, false, func(d store.DueLink) error {
		n++
		at := now.Add(time.Duration(n) * time.Second)
		if _, err := s.LinkByURL(ctx, d.URL); err != nil {
			return err
		}
		if n%2 == 0 {
			_, err := s.RecordCheck(ctx, store.CheckRecord{LinkID: d.ID, RunID: runID, CheckedAt: at, Class: "timeout", Pending: true}, nil, time.Time{})
			return err
		}
		_, err := s.RecordCheck(ctx, store.CheckRecord{LinkID: d.ID, URL: d.URL, RunID: runID, CheckedAt: at, Class: "ok"},
			&store.LinkStatus{State: "alive", LastSuccess: at}, at.Add(7*24*time.Hour))
		return err
	})
	if err != nil {
		t.Fatalf("DueLinks with a recording callback: %v", err)
	}
	if n != 20 {
		t.Errorf("callback ran %d times, want 20 (the stream must not see its own updates twice)", n)
	}
	// Checked links are no longer due; pending ones still are.
	if got := due(t, s, now.Add(time.Hour), false); len(got) != 10 {
		t.Errorf("due after the run: %d links, want the 10 pending ones", len(got))
	}
	if got := len(pending(t, s, runID)); got != 10 {
		t.Errorf("pending checks = %d, want 10", got)
	}
}

func testRuns(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	if got := runs(t, s, 0); len(got) != 0 {
		t.Errorf("Runs of an empty store = %+v", got)
	}
	r1 := beginRun(t, s, t0)
	r2, err := s.BeginRun(ctx, t0.Add(24*time.Hour), "check")
	if err != nil {
		t.Fatal(err)
	}
	r3 := beginRun(t, s, t0.Add(48*time.Hour))
	if r1 == 0 || r1 == r2 || r2 == r3 {
		t.Fatalf("run IDs %d %d %d", r1, r2, r3)
	}
	summary := &store.RunSummary{Checked: 120, NewlyDead: 2, Totals: map[store.LinkState]int{store.StateDead: 3}}
	if err := s.FinishRun(ctx, r1, t0.Add(time.Hour), store.RunOK, summary); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, r2, t0.Add(25*time.Hour), store.RunNetworkDown, nil); err != nil {
		t.Fatal(err)
	}

	got := runs(t, s, 0)
	if len(got) != 3 || got[0].ID != r3 || got[1].ID != r2 || got[2].ID != r1 {
		t.Fatalf("Runs = %+v, want newest first: %d %d %d", got, r3, r2, r1)
	}
	if r := got[0]; r.Status != store.RunRunning || !r.FinishedAt.IsZero() || !r.StartedAt.Equal(t0.Add(48*time.Hour)) || r.Kind != "run" || r.Summary != nil {
		t.Errorf("running run = %+v", r)
	}
	if r := got[1]; r.Status != store.RunNetworkDown || r.Kind != "check" || !r.FinishedAt.Equal(t0.Add(25*time.Hour)) || r.Summary != nil {
		t.Errorf("network-down run = %+v", r)
	}
	if r := got[2]; r.Status != store.RunOK || !reflect.DeepEqual(r.Summary, summary) || !r.FinishedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("finished run = %+v", r)
	}
	if got := runs(t, s, 2); len(got) != 2 || got[0].ID != r3 || got[1].ID != r2 {
		t.Errorf("Runs(limit 2) = %+v", got)
	}

	if err := s.FinishRun(ctx, r1, t0.Add(2*time.Hour), store.RunFailed, nil); err == nil {
		t.Errorf("finishing a finished run succeeded")
	}
	if err := s.FinishRun(ctx, r3+100, t0, store.RunOK, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FinishRun(unknown) = %v, want ErrNotFound", err)
	}
	for _, bad := range []store.RunStatus{"", store.RunRunning, "done"} {
		if err := s.FinishRun(ctx, r3, t0.Add(49*time.Hour), bad, nil); err == nil {
			t.Errorf("FinishRun with status %q succeeded", bad)
		}
	}
	// The refused attempts left it running; it can still be finished.
	if err := s.FinishRun(ctx, r3, t0.Add(49*time.Hour), store.RunInterrupted, &store.RunSummary{Checked: 3}); err != nil {
		t.Errorf("FinishRun after refused attempts: %v", err)
	}
	if r := runs(t, s, 1)[0]; r.Status != store.RunInterrupted || r.Summary == nil || r.Summary.Checked != 3 {
		t.Errorf("interrupted run = %+v", r)
	}
	if got := runs(t, s, 1)[0]; got.ID != r3 {
		t.Errorf("Runs(1) = %+v", got)
	}
}

func testPendingApplied(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	a, b, c := "https://pend.example/a", "https://pend.example/b", "https://pend.example/c"
	save(t, s, doc("p.txt", t0), cited(a, 1), cited(b, 2), cited(c, 3))
	before := linkByURL(t, s, a)
	run := beginRun(t, s, t0.Add(time.Hour))
	other := beginRun(t, s, t0.Add(2*time.Hour))

	at := t0.Add(90 * time.Minute)
	pa := record(t, s, store.CheckRecord{URL: a, RunID: run, CheckedAt: at, Class: "http_4xx", Status: 404, Error: "gone", Pending: true}, nil, time.Time{})
	pb := record(t, s, store.CheckRecord{URL: b, RunID: run, CheckedAt: at.Add(time.Second), Class: "ok", Status: 200, Pending: true}, nil, time.Time{})
	record(t, s, store.CheckRecord{URL: c, RunID: run, CheckedAt: at, Class: "ok"}, &store.LinkStatus{State: "alive", LastSuccess: at}, at.Add(time.Hour))
	po := record(t, s, store.CheckRecord{URL: c, RunID: other, CheckedAt: at, Class: "timeout", Pending: true}, nil, time.Time{})

	// Pending checks change nothing: the link is still unchecked and due.
	if got := linkByURL(t, s, a); !reflect.DeepEqual(got, before) {
		t.Errorf("a pending check changed its link:\n got %+v\nwant %+v", got, before)
	}
	if h := history(t, s, a); len(h) != 1 || !h[0].Pending || h[0].ID != pa || h[0].RunID != run {
		t.Errorf("history with a pending check = %+v", h)
	}

	ps := pending(t, s, run)
	if len(ps) != 2 || ps[0].ID != pa || ps[1].ID != pb || ps[0].URL != a || ps[0].Class != "http_4xx" || !ps[0].Pending {
		t.Fatalf("PendingChecks(run) = %+v, want checks %d and %d", ps, pa, pb)
	}

	// Apply them from inside the stream, as the job does.
	states := map[string]store.LinkStatus{
		a: {State: "suspect", ConsecutiveFailures: 1, FirstFailure: at},
		b: {State: "alive", LastSuccess: at.Add(time.Second)},
	}
	err := s.PendingChecks(ctx, run, func(cr store.CheckRecord) error {
		if _, err := s.LinkByURL(ctx, cr.URL); err != nil {
			return err
		}
		return s.ApplyPending(ctx, cr.ID, states[cr.URL], cr.CheckedAt.Add(24*time.Hour))
	})
	if err != nil {
		t.Fatalf("applying pending checks: %v", err)
	}
	la := linkByURL(t, s, a)
	sameState(t, "applied a", la.LinkStatus, states[a])
	if !la.LastChecked.Equal(at) || !la.NextCheck.Equal(at.Add(24*time.Hour)) || la.LastClass != "http_4xx" || la.LastStatus != 404 || la.LastError != "gone" {
		t.Errorf("applied link a = %+v", la)
	}
	sameState(t, "applied b", linkByURL(t, s, b).LinkStatus, states[b])
	if h := history(t, s, a); len(h) != 1 || h[0].Pending || h[0].Class != "http_4xx" {
		t.Errorf("history after apply = %+v", h)
	}
	if ps := pending(t, s, run); len(ps) != 0 {
		t.Errorf("pending after apply = %+v", ps)
	}

	// Applying twice would count a failure twice: refused.
	if err := s.ApplyPending(ctx, pa, states[a], at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ApplyPending twice = %v, want ErrNotFound", err)
	}
	if err := s.ApplyPending(ctx, po+100, states[a], at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ApplyPending(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.ApplyPending(ctx, po, store.LinkStatus{}, at); err == nil {
		t.Errorf("ApplyPending with an empty state succeeded")
	}
	// The other run's pending check is untouched by all this.
	if ps := pending(t, s, other); len(ps) != 1 || ps[0].ID != po {
		t.Errorf("other run's pending = %+v", ps)
	}
	if got := linkByURL(t, s, c); got.State != "alive" || got.LastClass != "ok" {
		t.Errorf("link c = %+v", got)
	}
}

func testPendingNetworkDown(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	a, b := "https://down.example/a", "https://down.example/b"
	save(t, s, doc("d.txt", t0), cited(a, 1), cited(b, 2))
	alive := store.LinkStatus{State: "alive", LastSuccess: t0}
	record(t, s, store.CheckRecord{URL: a, CheckedAt: t0, Class: "ok"}, &alive, t0.Add(time.Hour))
	beforeA, beforeB := linkByURL(t, s, a), linkByURL(t, s, b)

	run := beginRun(t, s, t0.Add(2*time.Hour))
	other := beginRun(t, s, t0.Add(2*time.Hour))
	at := t0.Add(2 * time.Hour)
	record(t, s, store.CheckRecord{URL: a, RunID: run, CheckedAt: at, Class: "timeout", Evidence: []string{"dial timeout"}, Pending: true}, nil, time.Time{})
	record(t, s, store.CheckRecord{URL: b, RunID: run, CheckedAt: at, Class: "dns_error", Pending: true}, nil, time.Time{})
	keep := record(t, s, store.CheckRecord{URL: b, RunID: other, CheckedAt: at, Class: "conn_refused", Pending: true}, nil, time.Time{})

	n, err := s.MarkRunNetworkDown(ctx, run)
	if err != nil || n != 2 {
		t.Fatalf("MarkRunNetworkDown = %d, %v; want 2", n, err)
	}
	if got := linkByURL(t, s, a); !reflect.DeepEqual(got, beforeA) {
		t.Errorf("network down changed link a:\n got %+v\nwant %+v", got, beforeA)
	}
	if got := linkByURL(t, s, b); !reflect.DeepEqual(got, beforeB) {
		t.Errorf("network down changed link b:\n got %+v\nwant %+v", got, beforeB)
	}
	ha := history(t, s, a)
	if len(ha) != 2 || ha[0].Class != store.ClassNetworkDown || ha[0].Pending {
		t.Fatalf("history of a = %+v", ha)
	}
	if len(ha[0].Evidence) != 2 || ha[0].Evidence[0] != "dial timeout" || !strings.Contains(ha[0].Evidence[1], "timeout") {
		t.Errorf("evidence after network down = %q, want the original and the class observed", ha[0].Evidence)
	}
	// b's two checks share a time: the later recorded (the other run's,
	// still pending) comes first.
	if hb := history(t, s, b); len(hb) != 2 || hb[0].ID != keep || !hb[0].Pending || hb[1].Class != store.ClassNetworkDown || hb[1].Pending {
		t.Errorf("history of b = %+v", hb)
	}
	if ps := pending(t, s, run); len(ps) != 0 {
		t.Errorf("pending after network down = %+v", ps)
	}
	// Both links are still due: the next run checks them again.
	if got := dueURLs(due(t, s, at, false)); !reflect.DeepEqual(got, []string{b, a}) && !reflect.DeepEqual(got, []string{a, b}) {
		t.Errorf("due after a network-down run = %v", got)
	}
	// Nothing left to mark; the other run is untouched.
	if n, err := s.MarkRunNetworkDown(ctx, run); n != 0 || err != nil {
		t.Errorf("second MarkRunNetworkDown = %d, %v", n, err)
	}
	if ps := pending(t, s, other); len(ps) != 1 || ps[0].ID != keep || ps[0].Class != "conn_refused" {
		t.Errorf("other run's pending = %+v", ps)
	}
}

func testLocks(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	const name, stale = "job", 10 * time.Minute
	a, b, c := "100@host-a", "200@host-b", "300@host-c"

	if err := s.AcquireLock(ctx, name, a, t0, stale); err != nil {
		t.Fatalf("first AcquireLock: %v", err)
	}
	err := s.AcquireLock(ctx, name, b, t0.Add(time.Minute), stale)
	var held *store.LockHeldError
	if !errors.As(err, &held) || !errors.Is(err, store.ErrLockHeld) {
		t.Fatalf("AcquireLock of a held lock = %v, want *LockHeldError", err)
	}
	if held.Owner != a || held.Name != name || !held.Since.Equal(t0) || !held.Heartbeat.Equal(t0) {
		t.Errorf("LockHeldError = %+v", held)
	}
	if !strings.Contains(err.Error(), a) {
		t.Errorf("error %q does not name the holder", err)
	}
	// Other names are independent.
	if err := s.AcquireLock(ctx, "other", b, t0, stale); err != nil {
		t.Errorf("AcquireLock(other): %v", err)
	}
	// The holder may acquire again; it refreshes the heartbeat.
	if err := s.AcquireLock(ctx, name, a, t0.Add(2*time.Minute), stale); err != nil {
		t.Errorf("re-acquire by the holder: %v", err)
	}
	if err := s.Heartbeat(ctx, name, a, t0.Add(5*time.Minute)); err != nil {
		t.Fatalf("Heartbeat: %v", err)
	}
	// Fresh until staleAfter has passed since the last heartbeat.
	err = s.AcquireLock(ctx, name, b, t0.Add(15*time.Minute-time.Nanosecond), stale)
	if !errors.As(err, &held) || !held.Heartbeat.Equal(t0.Add(5*time.Minute)) || !held.Since.Equal(t0) {
		t.Fatalf("AcquireLock just before stale = %v (%+v)", err, held)
	}
	if err := s.AcquireLock(ctx, name, b, t0.Add(15*time.Minute), stale); err != nil {
		t.Fatalf("taking over a stale lock: %v", err)
	}
	// The old holder finds out at its next heartbeat.
	if err := s.Heartbeat(ctx, name, a, t0.Add(16*time.Minute)); !errors.Is(err, store.ErrLockLost) {
		t.Errorf("Heartbeat after takeover = %v, want ErrLockLost", err)
	}
	// Its late release does not free the new holder's lock.
	if err := s.ReleaseLock(ctx, name, a); err != nil {
		t.Errorf("ReleaseLock by the old holder: %v", err)
	}
	err = s.AcquireLock(ctx, name, c, t0.Add(16*time.Minute), stale)
	if !errors.As(err, &held) || held.Owner != b || !held.Since.Equal(t0.Add(15*time.Minute)) {
		t.Errorf("after the old holder's release: %v (%+v), want held by %s", err, held, b)
	}
	if err := s.ReleaseLock(ctx, name, b); err != nil {
		t.Fatalf("ReleaseLock: %v", err)
	}
	if err := s.ReleaseLock(ctx, name, b); err != nil {
		t.Errorf("second ReleaseLock: %v", err)
	}
	if err := s.AcquireLock(ctx, name, c, t0.Add(17*time.Minute), stale); err != nil {
		t.Errorf("AcquireLock after release: %v", err)
	}
	if err := s.Heartbeat(ctx, "never", c, t0); !errors.Is(err, store.ErrLockLost) {
		t.Errorf("Heartbeat of an unheld lock = %v, want ErrLockLost", err)
	}
	for _, bad := range []struct {
		name, owner string
		stale       time.Duration
	}{{"", c, stale}, {name, "", stale}, {"x", c, 0}, {"x", c, -time.Second}} {
		if err := s.AcquireLock(ctx, bad.name, bad.owner, t0, bad.stale); err == nil || errors.Is(err, store.ErrLockHeld) {
			t.Errorf("AcquireLock(%q, %q, %v) = %v, want an input error", bad.name, bad.owner, bad.stale, err)
		}
	}
}

func needing(t *testing.T, s store.CheckStore) []store.OccurrenceRef {
	t.Helper()
	var out []store.OccurrenceRef
	if err := s.OccurrencesNeedingVerification(ctxT(t), func(r store.OccurrenceRef) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("OccurrencesNeedingVerification: %v", err)
	}
	return out
}

// doubtful is a repaired occurrence of guess with alternatives.
func doubtful(guess string, line int, conf float64, alts ...string) store.Occurrence {
	o := cited(guess, line)
	o.Raw = strings.Replace(guess, "state", "stat e", 1)
	o.Repaired = true
	o.Repairs = []string{"joined a line break"}
	o.Alternatives = alts
	o.Reasons = []string{"title mentions it"}
	o.Confidence = conf
	return o
}

func testVerificationQueue(t *testing.T, s store.CheckStore) {
	low := doubtful("https://q.example/islamic-state-1", 3, 0.4)
	alts := doubtful("https://q.example/islamic-state-2", 5, 0.9, "https://q.example/islamic-stat")
	sure := cited("https://q.example/sure", 1)
	edge := doubtful("https://q.example/islamic-state-edge", 7, store.VerifyBelow)
	save(t, s, doc("b.txt", t0), sure, alts, low, edge)
	save(t, s, doc("a.txt", t0), doubtful("https://q.example/state-a", 2, 0.1))
	save(t, s, doc("gone.txt", t0), doubtful("https://q.example/state-gone", 2, 0.1))
	if err := s.MarkDocumentMissing(ctxT(t), "gone.txt", t0); err != nil {
		t.Fatal(err)
	}

	got := needing(t, s)
	var where []string
	for _, r := range got {
		where = append(where, fmt.Sprintf("%s:%d", r.Document.Path, r.Occurrence.Line))
		if r.ID == 0 {
			t.Errorf("OccurrenceRef without ID: %+v", r)
		}
	}
	// By document path, then offset; confidence exactly VerifyBelow with
	// no alternatives is not doubtful; missing documents are left out.
	if want := []string{"a.txt:2", "b.txt:3", "b.txt:5"}; !reflect.DeepEqual(where, want) {
		t.Fatalf("OccurrencesNeedingVerification = %v, want %v", where, want)
	}
	if !reflect.DeepEqual(got[1].Occurrence, low) || !reflect.DeepEqual(got[2].Occurrence, alts) {
		t.Errorf("occurrences to verify:\n got %+v\n     %+v\nwant %+v\n     %+v", got[1].Occurrence, got[2].Occurrence, low, alts)
	}
	sameDoc(t, got[1].Document, doc("b.txt", t0))
}

func testAdoptRepair(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	guess := "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862"
	right := "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862-x"
	other := "https://www.themoscowtimes.com/2014/09/29/other"
	o := doubtful(guess, 57, 0.4, right, other)
	save(t, s, doc("news.txt", t0), o)
	save(t, s, doc("else.txt", t0), cited(guess, 1))
	refs := needing(t, s)
	if len(refs) != 1 {
		t.Fatalf("to verify: %+v", refs)
	}

	at := t0.Add(24 * time.Hour)
	if err := s.AdoptRepair(ctx, refs[0].ID, right, 0.97, []string{"web: " + right + " answers 200", "its title matches"}, at); err != nil {
		t.Fatalf("AdoptRepair: %v", err)
	}
	los := linkOccs(t, s, right)
	if len(los) != 1 {
		t.Fatalf("occurrences of the adopted URL = %+v", los)
	}
	want := o
	want.URL = right
	want.Alternatives = []string{other, guess}
	want.Reasons = []string{"title mentions it", "web: " + right + " answers 200", "its title matches"}
	want.Confidence = 0.97
	if !reflect.DeepEqual(los[0].Occurrence, want) {
		t.Errorf("adopted occurrence:\n got %+v\nwant %+v", los[0].Occurrence, want)
	}
	// Link counts follow the occurrence; the new link is due at once.
	if l := linkByURL(t, s, guess); l.Occurrences != 1 || !reflect.DeepEqual(l.Roles, []string{"cited"}) {
		t.Errorf("guessed link after adoption: %+v", l)
	}
	nl := linkByURL(t, s, right)
	if nl.Occurrences != 1 || nl.State != store.StateUnchecked || !nl.FirstSeen.Equal(at) || !nl.NextCheck.Equal(at) || nl.Host != "www.themoscowtimes.com" {
		t.Errorf("adopted link: %+v", nl)
	}
	if got := needing(t, s); len(got) != 0 {
		t.Errorf("still to verify after adoption: %+v", got)
	}
	if err := s.AdoptRepair(ctx, refs[0].ID+1000, right, 1, nil, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AdoptRepair(unknown ID) = %v, want ErrNotFound", err)
	}

	// Confirming the URL an occurrence has: verified, nothing moves.
	save(t, s, doc("c.txt", t0), doubtful("https://c.example/state", 1, 0.5))
	ref := needing(t, s)[0]
	if err := s.AdoptRepair(ctx, ref.ID, ref.Occurrence.URL, 0.8, []string{"answers 200"}, at); err != nil {
		t.Fatal(err)
	}
	if got := linkOccs(t, s, ref.Occurrence.URL); len(got) != 1 || got[0].Occurrence.Confidence != 0.8 ||
		got[0].Occurrence.Alternatives != nil || len(got[0].Occurrence.Reasons) != 2 {
		t.Errorf("confirmed occurrence = %+v", got)
	}
	if got := needing(t, s); len(got) != 0 {
		t.Errorf("still to verify after confirming: %+v", got)
	}

	for name, bad := range map[string]struct {
		url  string
		conf float64
	}{"empty URL": {"", 1}, "NaN": {right, nan()}} {
		if err := s.AdoptRepair(ctx, ref.ID, bad.url, bad.conf, nil, at); err == nil {
			t.Errorf("%s: AdoptRepair accepted it", name)
		}
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func testAdoptedRepairSurvivesRescan(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	guess := "https://r.example/islamic-state"
	first := "https://r.example/islamic-state-a1"
	second := "https://r.example/islamic-state-a2"
	o := doubtful(guess, 4, 0.3, first, second)
	d := doc("notes.md", t0)
	save(t, s, d, cited("https://r.example/other", 1), o)
	refs := needing(t, s)
	if len(refs) != 1 {
		t.Fatalf("to verify: %+v", refs)
	}
	id := refs[0].ID
	stored := func() store.Occurrence {
		t.Helper()
		for _, u := range []string{guess, first, second} {
			for _, lo := range linkOccs(t, s, u) {
				if lo.Document.Path == d.Path && lo.Occurrence.Raw == o.Raw {
					return lo.Occurrence
				}
			}
		}
		t.Fatalf("the occurrence is gone")
		return store.Occurrence{}
	}

	if err := s.AdoptRepair(ctx, id, first, 0.8, []string{"first answers"}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	adopted := stored()

	// Rescanning the same text extracts the guess again; the verdict is
	// applied, so nothing changes and nothing needs verifying.
	d.ScannedAt = t0.Add(2 * time.Hour)
	wantStats(t, save(t, s, d, cited("https://r.example/other", 1), o), 2, 0, 0)
	if got := stored(); !reflect.DeepEqual(got, adopted) {
		t.Errorf("unchanged rescan:\n got %+v\nwant %+v", got, adopted)
	}
	if refs := needing(t, s); len(refs) != 0 {
		t.Errorf("to verify after an unchanged rescan: %+v", refs)
	}

	// A second adoption of the same occurrence (its ID still holds: an
	// unchanged rescan does not replace rows).
	if err := s.AdoptRepair(ctx, id, second, 0.9, []string{"second is better"}, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	twice := stored()
	if twice.URL != second || twice.Confidence != 0.9 ||
		!reflect.DeepEqual(twice.Reasons, []string{"title mentions it", "first answers", "second is better"}) {
		t.Errorf("after a second adoption: %+v", twice)
	}
	if !reflect.DeepEqual(twice.Alternatives, []string{guess, first}) {
		t.Errorf("alternatives after a second adoption = %v, want [%s %s]", twice.Alternatives, guess, first)
	}

	// The document is edited elsewhere: its occurrences are replaced, and
	// the verdict still holds.
	moved := o
	moved.Start, moved.End, moved.Line = o.Start+50, o.End+50, o.Line+1
	d.ScannedAt = t0.Add(4 * time.Hour)
	wantStats(t, save(t, s, d, cited("https://r.example/new", 1), moved), 2, 1, 1)
	want := twice
	want.Start, want.End, want.Line = moved.Start, moved.End, moved.Line
	if got := stored(); !reflect.DeepEqual(got, want) {
		t.Errorf("edited rescan:\n got %+v\nwant %+v", got, want)
	}
	if refs := needing(t, s); len(refs) != 0 {
		t.Errorf("to verify after an edited rescan: %+v", refs)
	}
	for _, u := range []string{guess, first} {
		if l := linkByURL(t, s, u); l.Occurrences != 0 {
			t.Errorf("%s regained %d occurrences", u, l.Occurrences)
		}
	}
	if l := linkByURL(t, s, second); l.Occurrences != 1 {
		t.Errorf("adopted link has %d occurrences after rescans", l.Occurrences)
	}
	// The ID from before the edit is gone, and not given to the new row.
	if err := s.AdoptRepair(ctx, id, first, 1, nil, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AdoptRepair with an ID from before the edit = %v, want ErrNotFound", err)
	}
	d.ScannedAt = t0.Add(5 * time.Hour)
	wantStats(t, save(t, s, d, cited("https://r.example/new", 1), moved), 2, 0, 0)
	if got := stored(); !reflect.DeepEqual(got, want) {
		t.Errorf("rescan after the edit:\n got %+v\nwant %+v", got, want)
	}

	// Other raw text, or another document, is another extraction: no
	// verdict applies.
	plain := o
	plain.Raw = guess
	save(t, s, d, plain)
	save(t, s, doc("fresh.md", t0), o)
	var where []string
	for _, r := range needing(t, s) {
		where = append(where, r.Document.Path+" "+r.Occurrence.URL)
	}
	if want := []string{"fresh.md " + guess, "notes.md " + guess}; !reflect.DeepEqual(where, want) {
		t.Errorf("to verify = %v, want %v", where, want)
	}
}

func testCheckStreamsStop(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	u := "https://stop.example/"
	save(t, s, doc("s.txt", t0), cited(u, 1), cited("https://stop.example/2", 2),
		doubtful("https://stop.example/state-1", 3, 0.1), doubtful("https://stop.example/state-2", 4, 0.1))
	run1 := beginRun(t, s, t0)
	beginRun(t, s, t0.Add(time.Hour))
	for range 2 {
		record(t, s, store.CheckRecord{URL: u, RunID: run1, CheckedAt: t0, Class: "ok", Pending: true}, nil, time.Time{})
	}
	streams := map[string]func(ctx context.Context, fn func() error) error{
		"DueLinks": func(ctx context.Context, fn func() error) error {
			return s.DueLinks(ctx, t0, true, func(store.DueLink) error { return fn() })
		},
		"Runs": func(ctx context.Context, fn func() error) error {
			return s.Runs(ctx, 0, func(store.Run) error { return fn() })
		},
		"History": func(ctx context.Context, fn func() error) error {
			return s.History(ctx, u, func(store.CheckRecord) error { return fn() })
		},
		"PendingChecks": func(ctx context.Context, fn func() error) error {
			return s.PendingChecks(ctx, run1, func(store.CheckRecord) error { return fn() })
		},
		"OccurrencesNeedingVerification": func(ctx context.Context, fn func() error) error {
			return s.OccurrencesNeedingVerification(ctx, func(store.OccurrenceRef) error { return fn() })
		},
	}
	stop := errors.New("stop here")
	for name, stream := range streams {
		n := 0
		if err := stream(ctx, func() error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("%s: err %v after %d calls, want the callback's error after 1", name, err, n)
		}
		cctx, cancel := context.WithCancel(ctx)
		n = 0
		err := stream(cctx, func() error { n++; cancel(); return nil })
		if !errors.Is(err, context.Canceled) || n != 1 {
			t.Errorf("%s cancelled in callback: err %v after %d calls, want context.Canceled after 1", name, err, n)
		}
		cancel()
	}
}

// An ID read before its document was saved again must not reach another
// occurrence, however the rows were replaced.
func testOccurrenceIDsNotReused(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	save(t, s, doc("a.txt", t0), doubtful("https://ids.example/state-a", 1, 0.2))
	refs := needing(t, s)
	if len(refs) != 1 {
		t.Fatalf("to verify: %+v", refs)
	}
	old := refs[0].ID
	// The document loses the occurrence, then the same and another
	// document gain new doubtful ones.
	save(t, s, doc("a.txt", t0))
	save(t, s, doc("a.txt", t0), doubtful("https://ids.example/state-a", 1, 0.2))
	save(t, s, doc("b.txt", t0), doubtful("https://ids.example/state-b", 1, 0.2))
	for _, r := range needing(t, s) {
		if r.ID == old {
			t.Errorf("occurrence ID %d was given again, to %s in %s", old, r.Occurrence.URL, r.Document.Path)
		}
	}
	if err := s.AdoptRepair(ctx, old, "https://ids.example/x", 1, nil, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AdoptRepair with a replaced occurrence's ID = %v, want ErrNotFound", err)
	}
	if got := needing(t, s); len(got) != 2 {
		t.Errorf("to verify after the refused adoption: %+v", got)
	}
}

// The same broken text twice in one document: each occurrence is adopted
// on its own, and a rescan gives both back as they were, evidence once.
func testAdoptTwins(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	guess, right := "https://twin.example/state", "https://twin.example/state-1"
	a := doubtful(guess, 2, 0.3, right)
	b := doubtful(guess, 9, 0.3, right)
	d := doc("t.txt", t0)
	save(t, s, d, a, b)
	for range 2 {
		refs := needing(t, s)
		if len(refs) == 0 {
			t.Fatal("nothing to verify")
		}
		if err := s.AdoptRepair(ctx, refs[0].ID, right, 0.9, []string{"answers 200"}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if refs := needing(t, s); len(refs) != 0 {
		t.Fatalf("still to verify: %+v", refs)
	}
	before := linkOccs(t, s, right)
	if len(before) != 2 {
		t.Fatalf("adopted occurrences = %+v", before)
	}
	for _, lo := range before {
		if !reflect.DeepEqual(lo.Occurrence.Reasons, []string{"title mentions it", "answers 200"}) ||
			!reflect.DeepEqual(lo.Occurrence.Alternatives, []string{guess}) {
			t.Errorf("adopted twin = %+v", lo.Occurrence)
		}
	}
	d.ScannedAt = t0.Add(time.Hour)
	wantStats(t, save(t, s, d, a, b), 2, 0, 0)
	after := linkOccs(t, s, right)
	for i := range after {
		after[i].Document.ScannedAt = before[i].Document.ScannedAt
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("twins after rescan:\n got %+v\nwant %+v", after, before)
	}
}

// testDueByHost pages through due links host by host: every due link once,
// hosts in order, links by ID, nothing from a missing document or not due.
func testDueByHost(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	var occs []store.Occurrence
	for i := range 5 {
		occs = append(occs, cited(fmt.Sprintf("https://b.example/%d", i), i+1), cited(fmt.Sprintf("https://a.example/%d", i), i+10))
	}
	save(t, s, doc("hosts.txt", t0), occs...)
	save(t, s, doc("gone.txt", t0), cited("https://c.example/only-missing", 1))
	if err := s.MarkDocumentMissing(ctx, "gone.txt", t0); err != nil {
		t.Fatal(err)
	}
	future := &store.LinkStatus{State: "alive", LastSuccess: t0}
	record(t, s, store.CheckRecord{URL: "https://a.example/4", CheckedAt: t0, Class: "ok", Status: 200}, future, t0.Add(72*time.Hour))
	now := t0.Add(time.Hour)

	var hosts []string
	if err := s.DueHosts(ctx, now, false, "", 10, func(h string) error { hosts = append(hosts, h); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(hosts, " ") != "a.example b.example" {
		t.Fatalf("due hosts %v", hosts)
	}
	hosts = nil
	if err := s.DueHosts(ctx, now, false, "a.example", 10, func(h string) error { hosts = append(hosts, h); return nil }); err != nil || len(hosts) != 1 {
		t.Fatalf("hosts after a.example: %v %v", hosts, err)
	}
	var got []string
	var after int64
	for page := 0; page < 10; page++ {
		n := 0
		err := s.DueLinksOfHost(ctx, now, false, store.DueQuery{Host: "a.example", AfterID: after, Limit: 2}, func(d store.DueLink) error {
			got = append(got, d.URL)
			after = d.ID
			n++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n < 2 {
			break
		}
	}
	if strings.Join(got, " ") != "https://a.example/0 https://a.example/1 https://a.example/2 https://a.example/3" {
		t.Errorf("due links of a.example: %v", got)
	}
	counts, err := s.LinkStateCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["alive"] != 1 || counts["unchecked"] != 9 {
		t.Errorf("state counts %v", counts)
	}
}
