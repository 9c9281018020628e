package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
)

var t0 = time.Date(2024, 3, 1, 2, 3, 4, 0, time.UTC)

// clients opens n stores on one fresh schema: separate pools, as separate
// worker processes would have.
func clients(t *testing.T, n int) []*postgres.Store {
	t.Helper()
	u := pgtest.URL(t)
	var out []*postgres.Store
	for range n {
		s, err := postgres.Open(t.Context(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// seed saves one document citing n links spread over hosts.
func seed(t *testing.T, s *postgres.Store, n, hosts int) {
	t.Helper()
	var occs []store.Occurrence
	for i := range n {
		u := fmt.Sprintf("https://h%d.example/page/%d", i%hosts, i)
		occs = append(occs, store.Occurrence{URL: u, Raw: u, Line: i + 1, Role: store.RoleCited, Confidence: 1})
	}
	if _, err := s.SaveDocument(t.Context(), store.Document{Path: "seed.txt", ScannedAt: t0}, occs); err != nil {
		t.Fatal(err)
	}
}

// TestClaimEachLinkOnce runs three workers (each on its own pool, four
// goroutines each) over one run: every link is checked exactly once.
func TestClaimEachLinkOnce(t *testing.T) {
	cs := clients(t, 3)
	const n = 300
	seed(t, cs[0], n, 7)
	ctx := t.Context()
	run, err := cs[0].BeginRun(ctx, t0.Add(time.Hour), "run")
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for w, s := range cs {
		for g := range 4 {
			worker := fmt.Sprintf("w%d.%d", w, g)
			wg.Go(func() {
				for {
					batch, err := s.Claim(ctx, postgres.ClaimQuery{Worker: worker, RunID: run, Now: now, Limit: 7, Lease: time.Minute})
					if err != nil {
						errs <- err
						return
					}
					if len(batch) == 0 {
						return
					}
					var ids []int64
					for _, d := range batch {
						mu.Lock()
						if prev, dup := seen[d.ID]; dup {
							errs <- fmt.Errorf("link %d claimed by %s and %s", d.ID, prev, worker)
						}
						seen[d.ID] = worker
						mu.Unlock()
						// A pending check leaves the link due: only
						// Complete keeps it from being claimed again.
						_, err := s.RecordCheck(ctx, store.CheckRecord{LinkID: d.ID, RunID: run, CheckedAt: now, Class: "ok", Pending: true}, nil, time.Time{})
						if err != nil {
							errs <- err
							return
						}
						ids = append(ids, d.ID)
					}
					if err := s.Complete(ctx, worker, run, ids); err != nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != n {
		t.Errorf("%d links checked, want %d", len(seen), n)
	}
	q, err := cs[1].Remaining(ctx, run, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Finished() || q.Done != n {
		t.Errorf("queue after the run: %+v, want finished with %d done", q, n)
	}
	// A new run starts over: the links are still due (pending checks
	// changed nothing) and each is claimable again.
	run2, _ := cs[0].BeginRun(ctx, now, "run")
	if q, _ := cs[2].Remaining(ctx, run2, now, false); q.Todo != n {
		t.Errorf("next run's queue: %+v, want %d to do", q, n)
	}
}

// TestExpiredLeaseTakenOver: a worker that claims links and dies leaves
// them to another worker once its lease runs out, not before; its late
// Complete is refused.
func TestExpiredLeaseTakenOver(t *testing.T) {
	cs := clients(t, 2)
	seed(t, cs[0], 10, 2)
	ctx := t.Context()
	now := t0.Add(time.Hour)
	run, _ := cs[0].BeginRun(ctx, now, "run")
	dead, err := cs[0].Claim(ctx, postgres.ClaimQuery{Worker: "dead", RunID: run, Now: now, Limit: 4, Lease: 300 * time.Millisecond})
	if err != nil || len(dead) != 4 {
		t.Fatalf("claim: %d links, %v", len(dead), err)
	}
	live, err := cs[1].Claim(ctx, postgres.ClaimQuery{Worker: "live", RunID: run, Now: now, Limit: 100, Lease: time.Minute})
	if err != nil || len(live) != 6 {
		t.Fatalf("claim beside a live lease: %d links (want the 6 others), %v", len(live), err)
	}
	ids := func(ds []store.DueLink) []int64 {
		var out []int64
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}
	if err := cs[1].Complete(ctx, "live", run, ids(live)); err != nil {
		t.Fatal(err)
	}
	if q, _ := cs[1].Remaining(ctx, run, now, false); q.Leased != 4 || q.Todo != 0 {
		t.Errorf("queue while the dead worker's lease holds: %+v", q)
	}
	time.Sleep(400 * time.Millisecond)
	took, err := cs[1].Claim(ctx, postgres.ClaimQuery{Worker: "live", RunID: run, Now: now, Limit: 100, Lease: time.Minute})
	if err != nil || len(took) != 4 {
		t.Fatalf("claim after the lease ran out: %d links, %v", len(took), err)
	}
	for i, d := range took {
		if d.ID != dead[i].ID {
			t.Errorf("took over link %d, want %d", d.ID, dead[i].ID)
		}
	}
	if err := cs[0].Extend(ctx, "dead", ids(dead), time.Minute); !errors.Is(err, postgres.ErrLeaseLost) {
		t.Errorf("Extend by the dead worker: %v, want ErrLeaseLost", err)
	}
	if err := cs[0].Complete(ctx, "dead", run, ids(dead)); !errors.Is(err, postgres.ErrLeaseLost) {
		t.Errorf("Complete by the dead worker: %v, want ErrLeaseLost", err)
	}
	if err := cs[1].Release(ctx, "live", ids(took)[:2]); err != nil {
		t.Fatal(err)
	}
	if q, _ := cs[0].Remaining(ctx, run, now, false); q.Todo != 2 || q.Leased != 2 || q.Done != 6 {
		t.Errorf("queue after releasing 2: %+v", q)
	}
}

// TestHostLimitAcrossWorkers: three workers, each with its own pool and
// eight goroutines, hammer one host with a limit of 2 slots: never more
// than 2 hold one at once, and 2 do (the limit is reached, not avoided).
func TestHostLimitAcrossWorkers(t *testing.T) {
	cs := clients(t, 3)
	ctx := t.Context()
	const limit = 2
	var inFlight, peak, done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for w, s := range cs {
		for g := range 8 {
			holder := fmt.Sprintf("w%d.%d", w, g)
			wg.Go(func() {
				for range 5 {
					h, err := s.WaitHostSlot(ctx, "busy.example", holder, limit, 0, time.Minute)
					if err != nil {
						errs <- err
						return
					}
					n := inFlight.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					time.Sleep(3 * time.Millisecond) // the "request"
					inFlight.Add(-1)
					done.Add(1)
					if err := s.ReleaseHostSlot(ctx, h); err != nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if peak.Load() != limit || done.Load() != 3*8*5 {
		t.Errorf("peak %d requests in flight (limit %d), %d done", peak.Load(), limit, done.Load())
	}
}

// TestHostIntervalAndSlotLease: request starts to one host are the
// interval apart across workers, and a slot held by a dead worker frees
// itself when its lease ends.
func TestHostIntervalAndSlotLease(t *testing.T) {
	cs := clients(t, 2)
	ctx := t.Context()
	const interval = 80 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for w, s := range cs {
		for g := range 3 {
			wg.Go(func() {
				for range 2 {
					h, err := s.WaitHostSlot(ctx, "paced.example", fmt.Sprintf("w%d.%d", w, g), 10, interval, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					starts = append(starts, time.Now())
					mu.Unlock()
					if err := s.ReleaseHostSlot(ctx, h); err != nil {
						t.Error(err)
					}
				}
			})
		}
	}
	wg.Wait()
	if len(starts) != 12 {
		t.Fatalf("%d starts, want 12", len(starts))
	}
	// The starts are taken by the database; the times here are when each
	// goroutine got to run after its commit, which a loaded machine can
	// delay for one start and so shorten one gap. So: the typical (median)
	// gap is the interval, and the whole series spans at least all but
	// one of its intervals.
	slicesSortTimes(starts)
	gaps := make([]time.Duration, 0, len(starts)-1)
	for i := 1; i < len(starts); i++ {
		gaps = append(gaps, starts[i].Sub(starts[i-1]))
	}
	sorted := slices.Clone(gaps)
	slices.Sort(sorted)
	if med := sorted[len(sorted)/2]; med < interval-15*time.Millisecond {
		t.Errorf("median gap between starts %v, interval %v (gaps %v)", med, interval, gaps)
	}
	if span, least := starts[len(starts)-1].Sub(starts[0]), time.Duration(len(starts)-2)*interval; span < least {
		t.Errorf("12 starts span %v, want at least %v (gaps %v)", span, least, gaps)
	}

	// Slot lease: "dead" takes the only slot and never gives it back.
	if _, ok, _, err := cs[0].AcquireHostSlot(ctx, "solo.example", "dead", 1, 0, 200*time.Millisecond); !ok || err != nil {
		t.Fatalf("first acquire: %v %v", ok, err)
	}
	if _, ok, _, err := cs[1].AcquireHostSlot(ctx, "solo.example", "live", 1, 0, time.Minute); ok || err != nil {
		t.Fatalf("acquire of a held slot: ok=%v err=%v", ok, err)
	}
	time.Sleep(250 * time.Millisecond)
	h, ok, _, err := cs[1].AcquireHostSlot(ctx, "solo.example", "live", 1, 0, time.Minute)
	if !ok || err != nil || h.Holder != "live" {
		t.Fatalf("acquire after the lease ran out: %+v %v %v", h, ok, err)
	}
	// The dead holder's late release does not free the live one's slot.
	if err := cs[0].ReleaseHostSlot(ctx, postgres.HostSlot{Host: "solo.example", Slot: 0, Holder: "dead"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _, _ := cs[0].AcquireHostSlot(ctx, "solo.example", "third", 1, 0, time.Minute); ok {
		t.Error("a late release by the old holder freed the new holder's slot")
	}
}

func slicesSortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// TestProbeFetchedOnce: workers asking for the same robots.txt at once
// fetch it once; an expired entry is fetched again; a failed fetch is not
// cached.
func TestProbeFetchedOnce(t *testing.T) {
	cs := clients(t, 3)
	ctx := t.Context()
	var fetches atomic.Int64
	fetch := func(context.Context) ([]byte, error) {
		fetches.Add(1)
		time.Sleep(50 * time.Millisecond) // a slow host: the others must wait, not fetch
		return []byte("User-agent: *\nDisallow: /private\n"), nil
	}
	var wg sync.WaitGroup
	for _, s := range cs {
		for range 4 {
			wg.Go(func() {
				v, err := s.Probe(ctx, postgres.ProbeRobots, "https://r.example", time.Hour, fetch)
				if err != nil || string(v) != "User-agent: *\nDisallow: /private\n" {
					t.Errorf("probe: %q %v", v, err)
				}
			})
		}
	}
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times by 12 callers, want 1", n)
	}
	if err := cs[0].PutProbe(ctx, postgres.ProbeSoft404, "https://s.example", []byte("x"), 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := cs[1].GetProbe(ctx, postgres.ProbeSoft404, "https://s.example"); !ok || err != nil || string(p.Value) != "x" {
		t.Errorf("fresh probe: %+v %v %v", p, ok, err)
	}
	time.Sleep(150 * time.Millisecond)
	if _, ok, err := cs[1].GetProbe(ctx, postgres.ProbeSoft404, "https://s.example"); ok || err != nil {
		t.Errorf("expired probe still given: %v %v", ok, err)
	}
	boom := errors.New("host down")
	if _, err := cs[2].Probe(ctx, postgres.ProbeRobots, "https://down.example", time.Hour,
		func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failed fetch: %v", err)
	}
	if _, ok, _ := cs[0].GetProbe(ctx, postgres.ProbeRobots, "https://down.example"); ok {
		t.Error("a failed fetch was cached")
	}
}

// TestClaimAllAndNotDue: links checked recently are not due and not
// claimed, except by a forced run (All), which takes each once.
func TestClaimAllAndNotDue(t *testing.T) {
	cs := clients(t, 1)
	s := cs[0]
	seed(t, s, 5, 1)
	ctx := t.Context()
	now := t0.Add(time.Hour)
	err := s.DueLinks(ctx, now, false, func(d store.DueLink) error {
		_, err := s.RecordCheck(ctx, store.CheckRecord{LinkID: d.ID, CheckedAt: now, Class: "ok"},
			&store.LinkStatus{State: "alive", LastSuccess: now}, now.Add(24*time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	run, _ := s.BeginRun(ctx, now, "run")
	if got, err := s.Claim(ctx, postgres.ClaimQuery{Worker: "w", RunID: run, Now: now, Limit: 10, Lease: time.Minute}); err != nil || len(got) != 0 {
		t.Errorf("claim of links not due: %d, %v", len(got), err)
	}
	forced, _ := s.BeginRun(ctx, now, "check")
	q := postgres.ClaimQuery{Worker: "w", RunID: forced, Now: now, All: true, Limit: 10, Lease: time.Minute}
	got, err := s.Claim(ctx, q)
	if err != nil || len(got) != 5 {
		t.Fatalf("forced claim: %d, %v", len(got), err)
	}
	var ids []int64
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	if err := s.Complete(ctx, "w", forced, ids); err != nil {
		t.Fatal(err)
	}
	if again, err := s.Claim(ctx, q); err != nil || len(again) != 0 {
		t.Errorf("forced claim after completing every link: %d, %v", len(again), err)
	}
	if _, err := s.Claim(ctx, postgres.ClaimQuery{Worker: "", RunID: forced, Limit: 1, Lease: time.Second}); err == nil {
		t.Error("claim without a worker name accepted")
	}
}

// TestClosedRunHandsOutNothing: once the run is no longer running (its
// coordinator stopped or failed), Claim takes nothing more from it and
// Remaining says it is closed, so workers leave it; a recorded check
// marks its link done in the run even before Complete.
func TestClosedRunHandsOutNothing(t *testing.T) {
	cs := clients(t, 1)
	s := cs[0]
	seed(t, s, 6, 2)
	ctx := t.Context()
	now := t0.Add(time.Hour)
	run, err := s.BeginRun(ctx, now, "serve")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Claim(ctx, postgres.ClaimQuery{Worker: "w", RunID: run, Now: now, Limit: 2, Lease: time.Minute})
	if err != nil || len(got) != 2 {
		t.Fatalf("claim: %d links, %v", len(got), err)
	}
	// Recorded but not completed (a worker killed in between): done.
	if _, err := s.RecordCheck(ctx, store.CheckRecord{LinkID: got[0].ID, RunID: run, CheckedAt: now, Class: "ok"},
		&store.LinkStatus{State: store.StateAlive, LastSuccess: now}, now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseAll(ctx, "w"); err != nil {
		t.Fatal(err)
	}
	if q, err := s.Remaining(ctx, run, now, false); err != nil || q.Todo != 5 || q.Leased != 0 || q.Done != 1 || q.Closed {
		t.Errorf("queue of the open run: %+v, %v; want 5 to do, 1 done", q, err)
	}
	if err := s.FinishRun(ctx, run, now.Add(time.Minute), store.RunInterrupted, nil); err != nil {
		t.Fatal(err)
	}
	more, err := s.Claim(ctx, postgres.ClaimQuery{Worker: "w", RunID: run, Now: now, Limit: 10, Lease: time.Minute})
	if err != nil || len(more) != 0 {
		t.Errorf("claim from a closed run: %d links, %v; want none", len(more), err)
	}
	if q, err := s.Remaining(ctx, run, now, false); err != nil || !q.Closed || q.Todo != 5 {
		t.Errorf("queue of the closed run: %+v, %v; want closed with 5 left", q, err)
	}
}
