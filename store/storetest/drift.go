package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// driftStore is what the drift tests need: verdicts refer to checks and
// snapshots.
type driftStore interface {
	store.DriftStore
	store.CheckStore
	store.SnapshotStore
}

// RunDrift runs the store.DriftStore tests; each skips, saying so, on a
// store without it (or without the check and snapshot parts it refers
// to). open is as for Run.
func RunDrift(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s driftStore)
	}{
		{"RecordAndRead", testDriftRecordAndRead},
		{"LatestByCheckTime", testDriftLatestByCheckTime},
		{"LatestDrifts", testLatestDrifts},
		{"Refused", testDriftRefused},
		{"Batch", testDriftBatch},
		{"ReferenceCandidates", testReferenceCandidates},
		{"NotFound", testDriftNotFound},
		{"StreamsStop", testDriftStreamsStop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(driftStore)
			if !ok {
				t.Skip("store does not implement store.DriftStore with CheckStore and SnapshotStore")
			}
			tc.fn(t, s)
		})
	}
}

func checkAt(t *testing.T, s driftStore, url string, at time.Time) int64 {
	t.Helper()
	return record(t, s, store.CheckRecord{URL: url, CheckedAt: at, Class: "ok", Status: 200, Method: "GET"}, nil, time.Time{})
}

func recordDrift(t *testing.T, s driftStore, d store.Drift) {
	t.Helper()
	if err := s.RecordDrift(ctxT(t), d); err != nil {
		t.Fatalf("RecordDrift(%+v): %v", d, err)
	}
}

func latestDrift(t *testing.T, s driftStore, url string) store.Drift {
	t.Helper()
	d, err := s.LatestDrift(ctxT(t), url)
	if err != nil {
		t.Fatalf("LatestDrift(%s): %v", url, err)
	}
	return d
}

func driftHistory(t *testing.T, s driftStore, url string) []store.Drift {
	t.Helper()
	var out []store.Drift
	if err := s.DriftHistory(ctxT(t), url, func(d store.Drift) error { out = append(out, d); return nil }); err != nil {
		t.Fatalf("DriftHistory(%s): %v", url, err)
	}
	return out
}

func testDriftRecordAndRead(t *testing.T, s driftStore) {
	const u = "https://drift.example/article"
	ids := snapLinks(t, s, u)
	ref := addSnap(t, s, snap(ids[0], t0, 200, "aa"))
	c1 := checkAt(t, s, u, t0.Add(24*time.Hour))
	want := store.Drift{
		CheckID: c1, LinkID: ids[0], LinkURL: u, CheckedAt: t0.Add(24 * time.Hour),
		Comparable: true, Similarity: 0.4375, Drifted: true, Evidence: "",
		ReferenceSnapshotID: ref.ID, ReferenceCapturedAt: t0,
	}
	recordDrift(t, s, store.Drift{CheckID: c1, Comparable: true, Similarity: 0.4375, Drifted: true, ReferenceSnapshotID: ref.ID,
		LinkURL: "ignored", CheckedAt: t0.Add(time.Hour)}) // set by the store, not the caller
	if got := latestDrift(t, s, u); !reflect.DeepEqual(got, want) {
		t.Errorf("LatestDrift =\n%+v\nwant\n%+v", got, want)
	}
	// Recording the same check again replaces its verdict.
	recordDrift(t, s, store.Drift{CheckID: c1, Replaced: true, ReplacedReason: "parked", Evidence: "title: buy this domain"})
	got := latestDrift(t, s, u)
	if got.Drifted || !got.Replaced || got.ReplacedReason != "parked" || got.Evidence != "title: buy this domain" ||
		got.Comparable || got.Similarity != 0 || got.ReferenceSnapshotID != 0 || !got.ReferenceCapturedAt.IsZero() {
		t.Errorf("after re-recording: %+v", got)
	}
	if h := driftHistory(t, s, u); len(h) != 1 {
		t.Errorf("re-recording made %d history rows, want 1", len(h))
	}
	// Similarity is kept exactly at the ends of its range.
	for _, sim := range []float64{0, 1} {
		c := checkAt(t, s, u, t0.Add(48*time.Hour+time.Duration(sim)*time.Hour))
		recordDrift(t, s, store.Drift{CheckID: c, Comparable: true, Similarity: sim, Drifted: sim < 0.5})
		if d := latestDrift(t, s, u); !d.Comparable || d.Similarity != sim {
			t.Errorf("similarity %v came back %+v", sim, d)
		}
	}
}

func testDriftLatestByCheckTime(t *testing.T, s driftStore) {
	const u = "https://drift.example/timeline"
	snapLinks(t, s, u)
	// Recorded out of order: the latest is by check time, not by writing.
	late := checkAt(t, s, u, t0.Add(72*time.Hour))
	early := checkAt(t, s, u, t0.Add(24*time.Hour))
	mid := checkAt(t, s, u, t0.Add(48*time.Hour))
	recordDrift(t, s, store.Drift{CheckID: late, Comparable: true, Similarity: 0.3, Drifted: true})
	recordDrift(t, s, store.Drift{CheckID: early, Comparable: true, Similarity: 1})
	recordDrift(t, s, store.Drift{CheckID: mid, Comparable: true, Similarity: 0.9})
	if d := latestDrift(t, s, u); d.CheckID != late {
		t.Errorf("LatestDrift is check %d, want %d (latest check time)", d.CheckID, late)
	}
	var sims []float64
	for _, d := range driftHistory(t, s, u) {
		sims = append(sims, d.Similarity)
	}
	if want := []float64{1, 0.9, 0.3}; !reflect.DeepEqual(sims, want) {
		t.Errorf("DriftHistory similarities = %v, want %v (oldest first)", sims, want)
	}
	// A check without a verdict (a HEAD-settled or failed check) changes
	// nothing.
	checkAt(t, s, u, t0.Add(96*time.Hour))
	if d := latestDrift(t, s, u); d.CheckID != late {
		t.Errorf("a check without verdict became the latest: %+v", d)
	}
}

func testLatestDrifts(t *testing.T, s driftStore) {
	urls := []string{"https://d.example/c-fine-now", "https://d.example/a-drifted", "https://d.example/b-replaced", "https://d.example/d-no-ref", "https://d.example/e-never"}
	snapLinks(t, s, urls...)
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	// c drifted once, then came back: its latest verdict is not flagged.
	recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, urls[0], day(1)), Comparable: true, Similarity: 0.2, Drifted: true})
	recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, urls[0], day(2)), Comparable: true, Similarity: 0.95})
	// a was fine, then drifted.
	recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, urls[1], day(1)), Comparable: true, Similarity: 1})
	recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, urls[1], day(2)), Comparable: true, Similarity: 0.1, Drifted: true})
	recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, urls[2], day(2)), Replaced: true, ReplacedReason: "redirect_to_home"})
	recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, urls[3], day(2))})
	checkAt(t, s, urls[4], day(2))

	collect := func(flagged bool) []string {
		var out []string
		err := s.LatestDrifts(ctxT(t), flagged, func(d store.Drift) error {
			out = append(out, d.LinkURL)
			return nil
		})
		if err != nil {
			t.Fatalf("LatestDrifts(%v): %v", flagged, err)
		}
		return out
	}
	if got, want := collect(true), []string{urls[1], urls[2]}; !reflect.DeepEqual(got, want) {
		t.Errorf("LatestDrifts(flagged) = %v, want %v", got, want)
	}
	if got, want := collect(false), []string{urls[1], urls[2], urls[0], urls[3]}; !reflect.DeepEqual(got, want) {
		t.Errorf("LatestDrifts(all) = %v, want %v (by URL, links with a verdict)", got, want)
	}
}

func testDriftRefused(t *testing.T, s driftStore) {
	ctx := ctxT(t)
	ids := snapLinks(t, s, "https://r.example/a", "https://r.example/b")
	other := addSnap(t, s, snap(ids[1], t0, 200, "bb"))
	c := checkAt(t, s, "https://r.example/a", t0.Add(time.Hour))
	for name, d := range map[string]store.Drift{
		"no check":                 {Comparable: true, Similarity: 1},
		"similarity above 1":       {CheckID: c, Comparable: true, Similarity: 1.5},
		"similarity below 0":       {CheckID: c, Comparable: true, Similarity: -0.1},
		"drifted and replaced":     {CheckID: c, Comparable: true, Similarity: 0.1, Drifted: true, Replaced: true, ReplacedReason: "parked"},
		"drifted without a ref":    {CheckID: c, Drifted: true},
		"replaced without reason":  {CheckID: c, Replaced: true},
		"reason without replaced":  {CheckID: c, ReplacedReason: "parked"},
		"another link's snapshot":  {CheckID: c, Comparable: true, Similarity: 1, ReferenceSnapshotID: other.ID},
		"snapshot that is missing": {CheckID: c, Comparable: true, Similarity: 1, ReferenceSnapshotID: other.ID + 100},
	} {
		if err := s.RecordDrift(ctx, d); err == nil {
			t.Errorf("%s: RecordDrift accepted %+v", name, d)
		}
	}
	if _, err := s.LatestDrift(ctx, "https://r.example/a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refused verdicts left something: %v", err)
	}
}

func testDriftNotFound(t *testing.T, s driftStore) {
	ctx := ctxT(t)
	snapLinks(t, s, "https://nf.example/")
	if err := s.RecordDrift(ctx, store.Drift{CheckID: 424242}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordDrift of an unknown check: %v, want ErrNotFound", err)
	}
	if _, err := s.LatestDrift(ctx, "https://nope.example/"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestDrift of an unknown URL: %v, want ErrNotFound", err)
	}
	if _, err := s.LatestDrift(ctx, "https://nf.example/"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestDrift of a link without verdicts: %v, want ErrNotFound", err)
	}
	if err := s.DriftHistory(ctx, "https://nope.example/", func(store.Drift) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DriftHistory of an unknown URL: %v, want ErrNotFound", err)
	}
	if h := driftHistory(t, s, "https://nf.example/"); len(h) != 0 {
		t.Errorf("DriftHistory of a link without verdicts: %+v", h)
	}
}

func testDriftStreamsStop(t *testing.T, s driftStore) {
	ctx := ctxT(t)
	const u = "https://stop.example/"
	snapLinks(t, s, u, u+"2")
	for i := range 3 {
		recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, u, t0.Add(time.Duration(i)*time.Hour)), Comparable: true, Similarity: 0.1, Drifted: true})
	}
	recordDrift(t, s, store.Drift{CheckID: checkAt(t, s, u+"2", t0), Comparable: true, Similarity: 0.1, Drifted: true})
	stop := errors.New("stop")
	n := 0
	if err := s.DriftHistory(ctx, u, func(store.Drift) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("DriftHistory: %v after %d calls, want the callback's error after 1", err, n)
	}
	n = 0
	if err := s.LatestDrifts(ctx, true, func(store.Drift) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("LatestDrifts: %v after %d calls", err, n)
	}
	// A callback may write: record a verdict while streaming.
	err := s.LatestDrifts(ctx, false, func(d store.Drift) error {
		return s.RecordDrift(ctx, store.Drift{CheckID: d.CheckID, Comparable: true, Similarity: 1})
	})
	if err != nil {
		t.Errorf("LatestDrifts with a writing callback: %v", err)
	}
	if d := latestDrift(t, s, u); d.Drifted {
		t.Errorf("the write from the callback was lost: %+v", d)
	}
}

// testDriftBatch: RecordDrifts keeps the good verdicts of a batch and
// names the ones it could not record.
func testDriftBatch(t *testing.T, s driftStore) {
	const u, v = "https://drift.example/batch-a", "https://drift.example/batch-b"
	ids := snapLinks(t, s, u, v)
	refV := addSnap(t, s, snap(ids[1], t0, 200, "bb"))
	cu := checkAt(t, s, u, t0.Add(time.Hour))
	cv := checkAt(t, s, v, t0.Add(time.Hour))
	err := s.RecordDrifts(ctxT(t), []store.Drift{
		{CheckID: cu, Replaced: true, ReplacedReason: "parked"},
		{CheckID: cu + cv + 1000, Comparable: true, Similarity: 0.5},                   // no such check
		{CheckID: cu, Comparable: true, Similarity: 0.9, ReferenceSnapshotID: refV.ID}, // another link's copy
		{CheckID: cv, Comparable: true, Similarity: 0.25, Drifted: true, ReferenceSnapshotID: refV.ID},
		{CheckID: cv, Drifted: true}, // inconsistent: drifted without a reference
	})
	if err == nil {
		t.Fatal("RecordDrifts with three bad verdicts returned no error")
	}
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the missing check is not ErrNotFound in %v", err)
	}
	for _, want := range []string{fmt.Sprintf("check %d", cu+cv+1000), "not a snapshot of the check's link", "drifted without a reference"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if d := latestDrift(t, s, u); !d.Replaced || d.ReplacedReason != "parked" || d.Comparable {
		t.Errorf("latest verdict of %s = %+v, want the batch's parked one", u, d)
	}
	if d := latestDrift(t, s, v); !d.Drifted || d.Similarity != 0.25 || d.ReferenceSnapshotID != refV.ID {
		t.Errorf("latest verdict of %s = %+v, want the batch's drifted one", v, d)
	}
	if err := s.RecordDrifts(ctxT(t), nil); err != nil {
		t.Errorf("RecordDrifts(nil) = %v", err)
	}
}

// testReferenceCandidates: the good copies before a time, newest first,
// and the set of links that have one.
func testReferenceCandidates(t *testing.T, s driftStore) {
	const u, v, w = "https://ref.example/a", "https://ref.example/b", "https://ref.example/c"
	ids := snapLinks(t, s, u, v, w)
	old := addSnap(t, s, snap(ids[0], t0, 200, "a1"))
	mid := addSnap(t, s, snap(ids[0], t0.Add(time.Hour), 200, "a2"))
	addSnap(t, s, snap(ids[0], t0.Add(2*time.Hour), 500, "a3")) // failed: never a reference
	addSnap(t, s, snap(ids[0], t0.Add(3*time.Hour), 200, "a4")) // at the check's time: not before it
	addSnap(t, s, snap(ids[1], t0, 404, "b1"))                  // v has no good copy
	parked := snap(ids[2], t0, 200, "c1")
	parked.Replaced = "parked"
	addSnap(t, s, parked) // nor has w: a replaced copy is not good
	var got []int64
	err := s.GoodSnapshotsBefore(ctxT(t), ids[0], t0.Add(3*time.Hour), func(sn store.Snapshot) error {
		got = append(got, sn.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{mid.ID, old.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("GoodSnapshotsBefore = %v, want %v (newest first, good, strictly before)", got, want)
	}
	var links []int64
	if err := s.LinksWithGoodCopies(ctxT(t), func(id int64) error { links = append(links, id); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []int64{ids[0]}; !reflect.DeepEqual(links, want) {
		t.Errorf("LinksWithGoodCopies = %v, want %v", links, want)
	}
}
