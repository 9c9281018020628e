package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/storetest"
)

func TestSQLiteConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "linkrot.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestRecordChecksKeepingTheState: a check that leaves a link's state as
// it was (written without naming the state, see sqlKeepLinkState) still
// updates everything else, by link ID and by URL, and the state lists and
// counts still find the link where it is.
func TestRecordChecksKeepingTheState(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "keep.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	urls := []string{"https://keep.example/a", "https://keep.example/b"}
	var occs []store.Occurrence
	for i, u := range urls {
		occs = append(occs, store.Occurrence{URL: u, Raw: u, Start: i * 40, End: i*40 + len(u), Line: i + 1, Column: 1, Role: store.RoleCited, Confidence: 1})
	}
	if _, err := s.SaveDocument(ctx, store.Document{Path: "keep.txt", Format: "text", ScannedAt: time.Now()}, occs); err != nil {
		t.Fatal(err)
	}
	a, err := s.LinkByURL(ctx, urls[0])
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	record := func(at time.Time, byID bool, st store.LinkStatus, class string) {
		t.Helper()
		var ws []store.CheckWrite
		for _, u := range urls {
			c := store.CheckRecord{URL: u, CheckedAt: at, Class: class, Status: 500, Method: "GET", Attempts: 1}
			if byID && u == urls[0] {
				c = store.CheckRecord{LinkID: a.ID, CheckedAt: at, Class: class, Status: 500, Method: "GET", Attempts: 1}
			}
			st := st
			ws = append(ws, store.CheckWrite{Check: c, State: &st, NextCheck: at.Add(time.Hour)})
		}
		if _, err := s.RecordChecks(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	record(t0, true, store.LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 1, FirstFailure: t0}, "http_5xx")
	t1 := t0.Add(24 * time.Hour)
	record(t1, true, store.LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 2, FirstFailure: t0}, "timeout")
	for _, u := range urls {
		l, err := s.LinkByURL(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if l.State != store.StateSuspect || l.ConsecutiveFailures != 2 || !l.LastChecked.Equal(t1) ||
			!l.NextCheck.Equal(t1.Add(time.Hour)) || l.LastClass != "timeout" || !l.FirstFailure.Equal(t0) {
			t.Errorf("%s after a second suspect check: %+v", u, l)
		}
	}
	counts, err := s.LinkStateCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.StateSuspect] != 2 || len(counts) != 1 {
		t.Errorf("state counts %v, want 2 suspect", counts)
	}
	var inState []string
	if err := s.LinksInState(ctx, []store.LinkState{store.StateSuspect}, 0, func(l store.Link) error { inState = append(inState, l.URL); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(inState) != 2 {
		t.Errorf("LinksInState(suspect) = %q, want both links", inState)
	}
}
