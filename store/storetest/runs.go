package storetest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

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
