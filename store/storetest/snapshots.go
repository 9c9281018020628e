package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// RunSnapshots runs the store.SnapshotStore tests; each skips, saying so,
// on a store without it. open is as for Run.
func RunSnapshots(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.SnapshotStore)
	}{
		{"RoundTrip", testSnapshotRoundTrip},
		{"LatestIsGood", testLatestIsGood},
		{"ReplacedIsNotGood", testReplacedIsNotGood},
		{"Closest", testSnapshotClosest},
		{"NotFound", testSnapshotNotFound},
		{"IdentifiesLink", testSnapshotIdentifiesLink},
		{"SeenUnchanged", testSeenUnchanged},
		{"WithPayload", testSnapshotWithPayload},
		{"Streams", testSnapshotStreams},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := open(t).(store.SnapshotStore)
			if !ok {
				t.Skip("store does not implement store.SnapshotStore")
			}
			tc.fn(t, s)
		})
	}
}

// snapLinks saves a document citing urls and returns their link IDs.
func snapLinks(t *testing.T, s store.SnapshotStore, urls ...string) []int64 {
	t.Helper()
	var occs []store.Occurrence
	for i, u := range urls {
		occs = append(occs, cited(u, i+1))
	}
	save(t, s, doc("snap.md", t0), occs...)
	var ids []int64
	for _, u := range urls {
		ids = append(ids, link(t, s, u).ID)
	}
	return ids
}

func snap(linkID int64, at time.Time, status int, digest string) store.Snapshot {
	return store.Snapshot{
		LinkID: linkID, URL: fmt.Sprintf("https://final.example/%d", linkID), CapturedAt: at,
		Status: status, ContentType: "text/html; charset=utf-8",
		PayloadDigest: digest, ContentHash: "sha256:" + digest,
		RawBlob: "raw-" + digest, WARCType: store.WARCResponse,
	}
}

func addSnap(t *testing.T, s store.SnapshotStore, sn store.Snapshot) store.Snapshot {
	t.Helper()
	id, err := s.AddSnapshot(ctxT(t), sn)
	if err != nil {
		t.Fatalf("AddSnapshot(%+v): %v", sn, err)
	}
	if id == 0 {
		t.Fatal("AddSnapshot returned ID 0")
	}
	sn.ID = id
	return sn
}

func snapIDs(t *testing.T, s store.SnapshotStore, url string) []int64 {
	t.Helper()
	var ids []int64
	if err := s.Snapshots(ctxT(t), url, func(sn store.Snapshot) error {
		ids = append(ids, sn.ID)
		return nil
	}); err != nil {
		t.Fatalf("Snapshots(%s): %v", url, err)
	}
	return ids
}

func testSnapshotRoundTrip(t *testing.T, s store.SnapshotStore) {
	const u = "https://a.example/article"
	id := snapLinks(t, s, u)[0]
	in := store.Snapshot{
		LinkID: id, URL: "https://a.example/article?moved", CapturedAt: t0, Status: 203,
		ContentType: "text/html; charset=windows-1251", PayloadDigest: "sha256:aa", ContentHash: "sha256:bb",
		RawBlob: "r", HTMLBlob: "h", TextBlob: "x",
		WARCFile: "linkrot-20240301020304-00000.warc.gz", WARCOffset: 1234, WARCLength: 567,
		WARCRequestOffset: 1000, WARCRequestLength: 234, WARCType: store.WARCResponse,
		WARCRecordID: "<urn:uuid:12345678-1234-4234-8234-123456789abc>",
		Title:        "Заголовок — title", Byline: "By Someone", Published: "2014-09-29T00:00:00Z",
		SiteName: "A Site", Excerpt: "An excerpt.", Language: "ru", Words: 321,
	}
	in = addSnap(t, s, in)
	got, err := s.LatestSnapshot(ctxT(t), u)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.LinkURL = u
	want.LastSeen = t0
	want.SeenCount = 1
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LatestSnapshot:\n got %+v\nwant %+v", got, want)
	}
	if !got.Good() {
		t.Error("203 is not Good")
	}
}

func testLatestIsGood(t *testing.T, s store.SnapshotStore) {
	const u = "https://a.example/x"
	id := snapLinks(t, s, u)[0]
	good := addSnap(t, s, snap(id, t0, 200, "g"))
	// Written later, newer, and failed: it must hide nothing.
	bad := addSnap(t, s, snap(id, t0.Add(time.Hour), 404, "b"))
	soft := addSnap(t, s, snap(id, t0.Add(2*time.Hour), 500, "c"))
	got, err := s.LatestSnapshot(ctxT(t), u)
	if err != nil || got.ID != good.ID {
		t.Errorf("LatestSnapshot = %d, %v; want the 200 (%d)", got.ID, err, good.ID)
	}
	got, err = s.SnapshotClosest(ctxT(t), u, t0.Add(2*time.Hour))
	if err != nil || got.ID != good.ID {
		t.Errorf("SnapshotClosest(at the 500) = %d, %v; want the 200 (%d)", got.ID, err, good.ID)
	}
	// The history still has everything.
	if ids := snapIDs(t, s, u); !reflect.DeepEqual(ids, []int64{soft.ID, bad.ID, good.ID}) {
		t.Errorf("Snapshots = %v, want %v", ids, []int64{soft.ID, bad.ID, good.ID})
	}
}

// testReplacedIsNotGood: a copy captured when the page was found replaced
// (a parking page) keeps its reason, stays in the history, and is never
// the latest or closest good copy (issue 17 item 6).
func testReplacedIsNotGood(t *testing.T, s store.SnapshotStore) {
	const u = "https://a.example/parked"
	id := snapLinks(t, s, u)[0]
	article := addSnap(t, s, snap(id, t0, 200, "a"))
	p := snap(id, t0.Add(time.Hour), 200, "p")
	p.Replaced = "parked"
	parked := addSnap(t, s, p)
	got, err := s.LatestSnapshot(ctxT(t), u)
	if err != nil || got.ID != article.ID {
		t.Errorf("LatestSnapshot = %d, %v; want the article (%d), not the parking page (%d)", got.ID, err, article.ID, parked.ID)
	}
	got, err = s.SnapshotClosest(ctxT(t), u, t0.Add(time.Hour))
	if err != nil || got.ID != article.ID {
		t.Errorf("SnapshotClosest(at the parking page) = %d, %v; want the article (%d)", got.ID, err, article.ID)
	}
	var history []store.Snapshot
	if err := s.Snapshots(ctxT(t), u, func(sn store.Snapshot) error { history = append(history, sn); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[0].ID != parked.ID || history[0].Replaced != "parked" || history[0].Good() || !history[1].Good() {
		t.Errorf("Snapshots = %+v; want the parking page (replaced \"parked\", not good) then the article", history)
	}
	// Only a replaced copy: no good copy at all.
	const v = "https://b.example/parked"
	vid := snapLinks(t, s, v)[0]
	q := snap(vid, t0, 200, "q")
	q.Replaced = "login_wall"
	addSnap(t, s, q)
	if _, err := s.LatestSnapshot(ctxT(t), v); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestSnapshot of a link with only a replaced copy: %v, want ErrNotFound", err)
	}
}

func testSnapshotClosest(t *testing.T, s store.SnapshotStore) {
	const u = "https://a.example/c"
	id := snapLinks(t, s, u)[0]
	a := addSnap(t, s, snap(id, t0, 200, "a"))
	b := addSnap(t, s, snap(id, t0.Add(10*time.Hour), 200, "b"))
	c := addSnap(t, s, snap(id, t0.Add(20*time.Hour), 200, "c"))
	for _, tc := range []struct {
		at   time.Time
		want int64
	}{
		{t0.Add(-100 * time.Hour), a.ID},
		{t0, a.ID},
		{t0.Add(4 * time.Hour), a.ID},
		{t0.Add(5 * time.Hour), a.ID}, // a tie goes to the earlier copy
		{t0.Add(6 * time.Hour), b.ID},
		{t0.Add(10 * time.Hour), b.ID},
		{t0.Add(16 * time.Hour), c.ID},
		{t0.Add(1000 * time.Hour), c.ID},
		{time.Time{}, c.ID}, // zero: the latest
	} {
		got, err := s.SnapshotClosest(ctxT(t), u, tc.at)
		if err != nil || got.ID != tc.want {
			t.Errorf("SnapshotClosest(%v) = %d, %v; want %d", tc.at, got.ID, err, tc.want)
		}
	}
	// Other time zones name the same instants.
	got, err := s.SnapshotClosest(ctxT(t), u, t0.Add(16*time.Hour).In(time.FixedZone("X", -7*3600)))
	if err != nil || got.ID != c.ID {
		t.Errorf("SnapshotClosest in another zone = %d, %v", got.ID, err)
	}
}

func testSnapshotNotFound(t *testing.T, s store.SnapshotStore) {
	const u = "https://a.example/none"
	snapLinks(t, s, u)
	ctx := ctxT(t)
	for name, err := range map[string]error{
		"LatestSnapshot(no snapshots)":      errOnly(s.LatestSnapshot(ctx, u)),
		"SnapshotClosest(no snapshots)":     errOnly(s.SnapshotClosest(ctx, u, t0)),
		"LatestSnapshot(unknown URL)":       errOnly(s.LatestSnapshot(ctx, "https://unknown.example/")),
		"SnapshotClosest(unknown URL)":      errOnly(s.SnapshotClosest(ctx, "https://unknown.example/", t0)),
		"SnapshotWithPayload(unknown)":      errOnly(s.SnapshotWithPayload(ctx, "sha256:none")),
		"Snapshots(unknown URL)":            s.Snapshots(ctx, "https://unknown.example/", func(store.Snapshot) error { return nil }),
		"MarkSeenUnchanged(unknown ID)":     s.MarkSeenUnchanged(ctx, 424242, t0),
		"AddSnapshot(unknown link URL)":     errOnlyID(s.AddSnapshot(ctx, store.Snapshot{LinkURL: "https://unknown.example/", CapturedAt: t0, Status: 200})),
		"AddSnapshot(unknown link ID)":      errOnlyID(s.AddSnapshot(ctx, store.Snapshot{LinkID: 424242, CapturedAt: t0, Status: 200})),
		"SnapshotWithPayload(empty digest)": errOnly(s.SnapshotWithPayload(ctx, "")),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	if ids := snapIDs(t, s, u); len(ids) != 0 {
		t.Errorf("Snapshots of a link without any = %v", ids)
	}
}

func errOnly(_ store.Snapshot, err error) error { return err }
func errOnlyID(_ int64, err error) error        { return err }

func testSnapshotIdentifiesLink(t *testing.T, s store.SnapshotStore) {
	const u, v = "https://a.example/one", "https://a.example/two"
	ids := snapLinks(t, s, u, v)
	ctx := ctxT(t)
	byURL := addSnap(t, s, store.Snapshot{LinkURL: v, CapturedAt: t0, Status: 200})
	got, err := s.LatestSnapshot(ctx, v)
	if err != nil || got.ID != byURL.ID || got.LinkID != ids[1] {
		t.Errorf("snapshot added by URL: %+v, %v", got, err)
	}
	if _, err := s.AddSnapshot(ctx, store.Snapshot{LinkID: ids[0], LinkURL: v, CapturedAt: t0, Status: 200}); err == nil {
		t.Error("AddSnapshot accepted a link ID and URL that disagree")
	}
	for name, sn := range map[string]store.Snapshot{
		"zero CapturedAt": {LinkID: ids[0], Status: 200},
		"no link":         {CapturedAt: t0, Status: 200},
		"negative offset": {LinkID: ids[0], CapturedAt: t0, Status: 200, WARCOffset: -1},
	} {
		if _, err := s.AddSnapshot(ctx, sn); err == nil {
			t.Errorf("AddSnapshot accepted %s", name)
		}
	}
	if ids := snapIDs(t, s, u); len(ids) != 0 {
		t.Errorf("refused snapshots were stored: %v", ids)
	}
}

func testSeenUnchanged(t *testing.T, s store.SnapshotStore) {
	const u = "https://a.example/seen"
	id := snapLinks(t, s, u)[0]
	sn := addSnap(t, s, snap(id, t0, 200, "s"))
	ctx := ctxT(t)
	for _, at := range []time.Time{t0.Add(48 * time.Hour), t0.Add(24 * time.Hour)} {
		if err := s.MarkSeenUnchanged(ctx, sn.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.LatestSnapshot(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	// The late report counts but does not move last_seen back.
	if got.SeenCount != 3 || !got.LastSeen.Equal(t0.Add(48*time.Hour)) || !got.CapturedAt.Equal(t0) {
		t.Errorf("after two sightings: count %d, last seen %v, captured %v", got.SeenCount, got.LastSeen, got.CapturedAt)
	}
	if err := s.MarkSeenUnchanged(ctx, sn.ID, time.Time{}); err == nil {
		t.Error("MarkSeenUnchanged accepted a zero time")
	}
}

func testSnapshotWithPayload(t *testing.T, s store.SnapshotStore) {
	ids := snapLinks(t, s, "https://a.example/p1", "https://b.example/p2")
	rev := snap(ids[0], t0, 200, "sha256:same")
	rev.WARCType = store.WARCRevisit
	addSnap(t, s, rev) // a revisit holds no payload to refer to
	first := addSnap(t, s, snap(ids[1], t0.Add(time.Hour), 200, "sha256:same"))
	addSnap(t, s, snap(ids[0], t0.Add(2*time.Hour), 200, "sha256:same"))
	addSnap(t, s, snap(ids[0], t0.Add(-time.Hour), 200, "sha256:other"))
	got, err := s.SnapshotWithPayload(ctxT(t), "sha256:same")
	if err != nil || got.ID != first.ID || got.LinkURL != "https://b.example/p2" {
		t.Errorf("SnapshotWithPayload = %+v, %v; want snapshot %d of the other link", got, err, first.ID)
	}
}

func testSnapshotStreams(t *testing.T, s store.SnapshotStore) {
	const u = "https://a.example/stream"
	id := snapLinks(t, s, u)[0]
	var want []int64
	for i := range 3 {
		want = append(want, addSnap(t, s, snap(id, t0.Add(time.Duration(i)*time.Hour), 200, fmt.Sprint(i))).ID)
	}
	ctx := ctxT(t)
	// The callback may write, as verify and capture do while streaming.
	var got []int64
	err := s.AllSnapshots(ctx, func(sn store.Snapshot) error {
		got = append(got, sn.ID)
		return s.MarkSeenUnchanged(ctx, sn.ID, t0.Add(100*time.Hour))
	})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("AllSnapshots = %v, %v; want %v", got, err, want)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.AllSnapshots(ctx, func(store.Snapshot) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("AllSnapshots: callback error gave %v after %d calls", err, n)
	}
	n = 0
	if err := s.Snapshots(ctx, u, func(store.Snapshot) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Snapshots: callback error gave %v after %d calls", err, n)
	}
	if ids := snapIDs(t, s, u); !reflect.DeepEqual(ids, []int64{want[2], want[1], want[0]}) {
		t.Errorf("Snapshots = %v, want newest first", ids)
	}
}
