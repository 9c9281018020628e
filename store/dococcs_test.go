package store_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

func TestDocumentOccurrences(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	scanned := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	const dead, moved, plain = "https://dead.example/a", "https://moved.example/b", "https://plain.example/c"
	occs := []store.Occurrence{
		{URL: moved, Raw: moved, Start: 40, End: 40 + len(moved), Line: 2, Column: 1, Role: store.RoleCited, Confidence: 1},
		{URL: dead, Raw: "https://dead.exam-\nple/a", Start: 5, End: 28, Line: 1, Column: 6, Role: store.RoleCited,
			Repaired: true, Repairs: []string{"joined line wrap"}, Confidence: 0.4},
		{URL: plain, Raw: plain, Start: 80, End: 80 + len(plain), Line: 3, Column: 1, Role: store.RoleSource, Confidence: 1},
	}
	if _, err := s.SaveDocument(ctx, store.Document{Path: "/docs/a.txt", Hash: "h", ScannedAt: scanned}, occs); err != nil {
		t.Fatal(err)
	}
	checked := scanned.Add(time.Hour)
	if _, err := s.RecordCheck(ctx, store.CheckRecord{URL: dead, CheckedAt: checked, Class: "http_4xx", Status: 410},
		&store.LinkStatus{State: "dead", ConsecutiveFailures: 3, FirstFailure: checked}, checked.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordCheck(ctx, store.CheckRecord{URL: moved, CheckedAt: checked, Class: "redirect", Status: 200},
		&store.LinkStatus{State: "moved", MovedTo: "https://moved.example/new", LastSuccess: checked}, checked.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Two good snapshots and a later failed one: the newest good counts.
	for _, sn := range []struct {
		at     time.Time
		status int
	}{{scanned.Add(time.Minute), 200}, {scanned.Add(2 * time.Minute), 200}, {scanned.Add(3 * time.Minute), 404}} {
		if _, err := s.AddSnapshot(ctx, store.Snapshot{LinkURL: dead, URL: dead, CapturedAt: sn.at, Status: sn.status}); err != nil {
			t.Fatal(err)
		}
	}
	// The doubtful repair is settled on the web.
	var ref store.OccurrenceRef
	if err := s.OccurrencesNeedingVerification(ctx, func(r store.OccurrenceRef) error { ref = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.AdoptRepair(ctx, ref.ID, dead, 1, []string{"answered 410 like its alternatives"}, checked); err != nil {
		t.Fatal(err)
	}

	var got []store.DocOccurrence
	if err := s.DocumentOccurrences(ctx, "/docs/a.txt", func(o store.DocOccurrence) error {
		got = append(got, o)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].URL != dead || got[1].URL != moved || got[2].URL != plain {
		t.Fatalf("want dead, moved, plain by offset; got %+v", got)
	}
	d := got[0]
	if d.State != "dead" || !d.Verified || d.Raw != occs[1].Raw || d.Start != 5 || !d.FirstSeen.Equal(scanned) ||
		!d.LatestSnapshot.Equal(scanned.Add(2*time.Minute)) {
		t.Errorf("dead occurrence: %+v", d)
	}
	if m := got[1]; m.State != "moved" || m.MovedTo != "https://moved.example/new" || m.Verified || !m.LatestSnapshot.IsZero() {
		t.Errorf("moved occurrence: %+v", m)
	}
	if p := got[2]; p.State != store.StateUnchecked || p.Role != store.RoleSource || p.ArchiveURL != "" {
		t.Errorf("plain occurrence: %+v", p)
	}

	err = s.DocumentOccurrences(ctx, "/docs/none.txt", func(store.DocOccurrence) error { return nil })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown document: %v", err)
	}
}
