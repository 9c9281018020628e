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
	// CountDue counts what DueLinks streams, the same links left out.
	for _, c := range []struct {
		at   time.Time
		all  bool
		want int
	}{{now, false, len(want)}, {now, true, len(wantAll)}, {t0.Add(-2 * time.Hour), false, 0}} {
		if n, err := s.CountDue(ctxT(t), c.at, c.all); err != nil || n != c.want {
			t.Errorf("CountDue(%v, all=%v) = %d, %v; want %d", c.at, c.all, n, err, c.want)
		}
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
