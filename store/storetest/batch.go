package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

func init() {
	checkTests = append(checkTests,
		struct {
			name string
			fn   func(t *testing.T, s store.CheckStore)
		}{"RecordChecksBatch", testRecordChecksBatch},
		struct {
			name string
			fn   func(t *testing.T, s store.CheckStore)
		}{"RecordChecksAllOrNothing", testRecordChecksAllOrNothing})
}

// testRecordChecksBatch: a batch writes each check as RecordCheck would,
// in order, states and transitions included, and gives the IDs in order.
func testRecordChecksBatch(t *testing.T, s store.CheckStore) {
	a, b := "https://batch.example/a", "https://batch.example/b"
	save(t, s, doc("batch.txt", t0), cited(a, 1), cited(b, 2))
	la := linkByURL(t, s, a)
	run, err := s.BeginRun(ctxT(t), t0, "check")
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	dead := store.LinkStatus{State: "suspect", ConsecutiveFailures: 1, FirstFailure: at}
	alive := store.LinkStatus{State: "alive", LastSuccess: at.Add(time.Second)}
	ws := []store.CheckWrite{
		{Check: store.CheckRecord{LinkID: la.ID, URL: a, RunID: run, CheckedAt: at, Class: "http_4xx", Status: 404,
			Evidence: []string{"GET 404"}, Redirects: []store.Hop{{URL: a, Status: 404}}}, State: &dead, NextCheck: at.Add(24 * time.Hour)},
		{Check: store.CheckRecord{URL: b, RunID: run, CheckedAt: at, Class: "connection_refused", Pending: true}},
		// The same link twice in one batch: the second sees the first's state.
		{Check: store.CheckRecord{LinkID: la.ID, RunID: run, CheckedAt: at.Add(time.Second), Class: "ok", Status: 200}, State: &alive},
	}
	ids, err := s.RecordChecks(ctxT(t), ws)
	if err != nil {
		t.Fatalf("RecordChecks: %v", err)
	}
	if len(ids) != 3 || ids[0] == 0 || !(ids[0] < ids[1] && ids[1] < ids[2]) {
		t.Fatalf("RecordChecks IDs %v; want three, increasing", ids)
	}
	got := linkByURL(t, s, a)
	sameState(t, "after the batch", got.LinkStatus, alive)
	if got.LastClass != "ok" || !got.LastChecked.Equal(at.Add(time.Second)) || !got.NextCheck.Equal(at.Add(time.Second)) {
		t.Errorf("link a after the batch: class %q, last checked %v, next %v", got.LastClass, got.LastChecked, got.NextCheck)
	}
	h := history(t, s, a)
	if len(h) != 2 || h[0].ID != ids[2] || h[1].ID != ids[0] || h[1].Status != 404 || len(h[1].Evidence) != 1 || len(h[1].Redirects) != 1 {
		t.Errorf("history of a: %+v", h)
	}
	if lb := linkByURL(t, s, b); lb.State != "unchecked" && lb.State != "" {
		t.Errorf("a pending check in a batch changed link b to %q", lb.State)
	}
	var pending []int64
	if err := s.PendingChecks(ctxT(t), run, func(c store.CheckRecord) error { pending = append(pending, c.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0] != ids[1] {
		t.Errorf("pending checks %v; want [%d]", pending, ids[1])
	}
	if ids, err := s.RecordChecks(ctxT(t), nil); err != nil || ids != nil {
		t.Errorf("RecordChecks(nil) = %v, %v", ids, err)
	}
}

// testRecordChecksAllOrNothing: one bad check refuses the whole batch,
// naming the check, and writes nothing.
func testRecordChecksAllOrNothing(t *testing.T, s store.CheckStore) {
	a := "https://batch-none.example/a"
	save(t, s, doc("none.txt", t0), cited(a, 1))
	la := linkByURL(t, s, a)
	st := store.LinkStatus{State: "alive", LastSuccess: t0}
	good := store.CheckWrite{Check: store.CheckRecord{LinkID: la.ID, CheckedAt: t0, Class: "ok"}, State: &st}
	for name, bad := range map[string]store.CheckWrite{
		"unknown URL":          {Check: store.CheckRecord{URL: "https://batch-none.example/nobody", CheckedAt: t0, Class: "ok"}},
		"empty class":          {Check: store.CheckRecord{URL: a, CheckedAt: t0}},
		"pending with a state": {Check: store.CheckRecord{URL: a, RunID: 1, CheckedAt: t0, Class: "timeout", Pending: true}, State: &st},
	} {
		_, err := s.RecordChecks(ctxT(t), []store.CheckWrite{good, bad})
		if err == nil {
			t.Errorf("%s: RecordChecks accepted the batch", name)
			continue
		}
		if name == "unknown URL" && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: error %v; want ErrNotFound", name, err)
		}
		if h := history(t, s, a); len(h) != 0 {
			t.Errorf("%s: a refused batch left %d checks", name, len(h))
		}
	}
}
