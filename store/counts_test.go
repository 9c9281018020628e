package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

func TestLinkStateCountsAndPing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, now := catalogWithMissingDoc(t, "https://a.example/1", "https://a.example/2")
	dead := store.LinkStatus{State: "dead", ConsecutiveFailures: 3, FirstFailure: now}
	if _, err := st.RecordCheck(ctx, store.CheckRecord{URL: "https://a.example/2", CheckedAt: now, Class: "http_4xx", Status: 404}, &dead, now); err != nil {
		t.Fatal(err)
	}
	counts, err := st.LinkStateCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["dead"] != 1 || counts["unchecked"] != 1 || len(counts) != 2 {
		t.Errorf("counts = %v (the link only a missing document cites must not count)", counts)
	}
	if err := st.Ping(ctx); err != nil {
		t.Error(err)
	}
	if _, err := st.SnapshotByID(ctx, 42); err == nil {
		t.Error("no snapshot 42, want an error")
	}
}

// CountDue is the number of links DueLinks streams, for the same time
// and for --all, with links of a missing document and links not yet due
// left out.
func TestCountDueMatchesDueLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, now := catalogWithMissingDoc(t, "https://a.example/1", "https://a.example/2", "https://c.example/3")
	alive := store.LinkStatus{State: "alive", LastSuccess: now}
	if _, err := st.RecordCheck(ctx, store.CheckRecord{URL: "https://a.example/2", CheckedAt: now, Class: "ok", Status: 200}, &alive, now.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Time
		all  bool
		want int
	}{{now.Add(time.Hour), false, 2}, {now.Add(72 * time.Hour), false, 3}, {now, true, 3}} {
		streamed := 0
		if err := st.DueLinks(ctx, c.at, c.all, func(store.DueLink) error { streamed++; return nil }); err != nil {
			t.Fatal(err)
		}
		n, err := st.CountDue(ctx, c.at, c.all)
		if err != nil {
			t.Fatal(err)
		}
		if n != streamed || n != c.want {
			t.Errorf("at %v all=%v: CountDue = %d, DueLinks streamed %d, want %d", c.at, c.all, n, streamed, c.want)
		}
	}
}

// catalogWithMissingDoc is a new catalog whose document /d/a.txt cites
// urls and whose document /d/b.txt, now missing, cites
// https://b.example/gone-doc; now is when both were scanned.
func catalogWithMissingDoc(t *testing.T, urls ...string) (*store.SQLite, time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	occ := func(u string) store.Occurrence { return store.Occurrence{URL: u, Raw: u, Role: "cited", Confidence: 1} }
	var cited []store.Occurrence
	for _, u := range urls {
		cited = append(cited, occ(u))
	}
	if _, err := st.SaveDocument(ctx, store.Document{Path: "/d/a.txt", Hash: "h", ScannedAt: now}, cited); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveDocument(ctx, store.Document{Path: "/d/b.txt", Hash: "h2", ScannedAt: now},
		[]store.Occurrence{occ("https://b.example/gone-doc")}); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkDocumentMissing(ctx, "/d/b.txt", now); err != nil {
		t.Fatal(err)
	}
	return st, now
}
