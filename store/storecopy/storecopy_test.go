package storecopy_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
	"github.com/linkrot/linkrot/store/storecopy"
)

var t0 = time.Date(2024, 3, 1, 2, 3, 4, 567891234, time.UTC)

// fill writes a small catalog with a row in every table: documents
// (one missing), links, occurrences (one repaired and verified), runs,
// checks (pending and applied), snapshots and a repair verdict.
func fill(t *testing.T, s *store.SQLite) {
	t.Helper()
	ctx := t.Context()
	for d := range 5 {
		var occs []store.Occurrence
		for i := range 20 {
			u := fmt.Sprintf("https://h%d.example/ünï/%d?q='x'", (d+i)%4, i)
			occs = append(occs, store.Occurrence{URL: u, Raw: u, Start: i * 10, End: i*10 + len(u), Line: i + 1, Column: 3,
				Role: store.RoleCited, Confidence: 1, Reasons: []string{"tab\there", "quote\"s"}})
		}
		occs = append(occs, store.Occurrence{URL: "https://guess.example/a", Raw: "guess.example/a", Line: 99,
			Role: store.RoleSource, Repaired: true, Repairs: []string{"added scheme"}, Confidence: 0.4,
			Alternatives: []string{"https://guess.example/b"}})
		if _, err := s.SaveDocument(ctx, store.Document{Path: fmt.Sprintf("dir/doc %d.md", d), Format: "markdown",
			Title: "Título", ModTime: t0, ScannedAt: t0.Add(time.Duration(d) * time.Second)}, occs); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkDocumentMissing(ctx, "dir/doc 4.md", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var refs []store.OccurrenceRef
	if err := s.OccurrencesNeedingVerification(ctx, func(r store.OccurrenceRef) error { refs = append(refs, r); return nil }); err != nil || len(refs) == 0 {
		t.Fatalf("occurrences to verify: %d, %v", len(refs), err)
	}
	if err := s.AdoptRepair(ctx, refs[0].ID, "https://guess.example/b", 0.9, []string{"title matches"}, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	run, err := s.BeginRun(ctx, t0.Add(3*time.Hour), "run")
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	err = s.DueLinks(ctx, t0.Add(3*time.Hour), false, func(d store.DueLink) error {
		i++
		c := store.CheckRecord{LinkID: d.ID, RunID: run, CheckedAt: t0.Add(3*time.Hour + time.Duration(i)*time.Millisecond),
			Class: "ok", Status: 200, Method: "HEAD", Attempts: 1, LatencyMS: int64(i),
			Redirects: []store.Hop{{URL: d.URL + "/r", Status: 301}}, Evidence: []string{"e"}}
		if i%3 == 0 {
			c.Pending = true
			_, err := s.RecordCheck(ctx, c, nil, time.Time{})
			return err
		}
		checkID, err := s.RecordCheck(ctx, c, &store.LinkStatus{State: "alive", LastSuccess: c.CheckedAt}, c.CheckedAt.Add(24*time.Hour))
		if err != nil || i%5 != 0 {
			return err
		}
		snap, err := s.AddSnapshot(ctx, store.Snapshot{LinkID: d.ID, URL: d.URL, CapturedAt: c.CheckedAt, Status: 200,
			PayloadDigest: fmt.Sprintf("sha256:%064d", i), WARCType: store.WARCResponse, Title: "T", Words: 12})
		if err != nil {
			return err
		}
		drift := store.Drift{CheckID: checkID, Comparable: true, Similarity: 1 / float64(i), Drifted: i%2 == 0,
			Evidence: "words\tgone", ReferenceSnapshotID: snap}
		if i%10 == 5 {
			drift = store.Drift{CheckID: checkID, Replaced: true, ReplacedReason: "parked"}
		}
		return s.RecordDrift(ctx, drift)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, run, t0.Add(4*time.Hour), store.RunOK, &store.RunSummary{Alive: i}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetArchiveCopy(ctx, "https://h0.example/ünï/0?q='x'", store.ArchiveCopy{URL: "https://web.archive.invalid/x",
		Time: t0, Source: "wayback", CheckedAt: t0.Add(5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for i, l := range []store.Lookup{
		{URL: "https://h1.example/ünï/1?q='x'", AskedAt: t0.Add(5 * time.Hour), Found: true,
			CopyURL: "https://web.archive.invalid/y", CopyTime: t0, Source: "memento:tg.invalid"},
		{URL: "https://h2.example/ünï/2?q='x'", AskedAt: t0.Add(5 * time.Hour), Err: "timeout"},
		{URL: "https://not-a-link.example/", AskedAt: t0.Add(6 * time.Hour)},
	} {
		if err := s.RecordLookup(ctx, l); err != nil {
			t.Fatalf("lookup %d: %v", i, err)
		}
	}
}

func sqliteCatalog(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "linkrot.db")
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s)
	s.Close()
	return path
}

func TestCopyVerifiedAndIdempotent(t *testing.T) {
	dst := pgtest.URL(t)
	src := sqliteCatalog(t)
	ctx := t.Context()

	batches := 0
	rep, err := storecopy.Copy(ctx, src, dst, storecopy.Options{BatchRows: 7, Progress: func(string, int64) { batches++ }})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"documents": true, "links": true, "occurrences": true, "runs": true, "checks": true,
		"snapshots": true, "repair_verdicts": true, "archive_lookups": true, "check_drift": true}
	for _, tr := range rep.Tables {
		if !tr.Equal() || tr.SourceRows == 0 || tr.Inserted != tr.SourceRows {
			t.Errorf("%s: %+v", tr.Table, tr)
		}
		delete(want, tr.Table)
	}
	if len(want) != 0 {
		t.Errorf("tables not copied: %v", want)
	}
	if batches < 10 {
		t.Errorf("%d batches of 7 rows: the copy did not go in batches", batches)
	}

	// Again: nothing to add, still equal.
	rep, err = storecopy.Copy(ctx, src, dst, storecopy.Options{})
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	for _, tr := range rep.Tables {
		if !tr.Equal() || tr.Inserted != 0 {
			t.Errorf("re-run, %s: %+v", tr.Table, tr)
		}
	}

	// Both catalogs answer alike through the store interfaces.
	a, err := store.OpenSQLite(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	la, lb := allLinks(t, a), allLinks(t, b)
	if len(la) == 0 || !reflect.DeepEqual(la, lb) {
		t.Errorf("links differ after the copy:\n sqlite %d %+v\n postgres %d %+v", len(la), first(la), len(lb), first(lb))
	}
	for _, u := range []string{la[0].URL, la[len(la)-1].URL} {
		if ha, hb := history(t, a, u), history(t, b, u); !reflect.DeepEqual(ha, hb) {
			t.Errorf("history of %s differs:\n%+v\n%+v", u, ha, hb)
		}
	}
	if ca, cb := counts(t, a), counts(t, b); !reflect.DeepEqual(ca, cb) {
		t.Errorf("state counts differ: %v vs %v", ca, cb)
	}
	// New rows get new IDs: the sequences moved past the copied ones.
	if _, err := b.SaveDocument(ctx, store.Document{Path: "new.txt", ScannedAt: t0},
		[]store.Occurrence{{URL: "https://new.example/", Role: store.RoleCited}}); err != nil {
		t.Fatalf("save after the copy: %v", err)
	}
	if _, err := b.BeginRun(ctx, t0, "run"); err != nil {
		t.Fatalf("begin run after the copy: %v", err)
	}

	// A destination that now holds other data (the rows added above, a
	// changed state) is named, not overwritten.
	if _, err := b.Pool().Exec(ctx, "UPDATE links SET state = 'dead' WHERE id = $1", la[0].ID); err != nil {
		t.Fatal(err)
	}
	_, err = storecopy.Copy(ctx, src, dst, storecopy.Options{})
	var mm *storecopy.MismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "links (source 82 rows") {
		t.Errorf("copy over a changed destination: %v", err)
	}
}

func TestCopyRefusesUnknownSourceTable(t *testing.T) {
	dst := pgtest.URL(t)
	src := sqliteCatalog(t)
	s, err := store.OpenSQLite(t.Context(), src)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	mustExecSQLite(t, src, "CREATE TABLE extra_notes (id INTEGER PRIMARY KEY, body TEXT)")
	_, err = storecopy.Copy(t.Context(), src, dst, storecopy.Options{})
	if err == nil || !strings.Contains(err.Error(), "extra_notes") {
		t.Errorf("copy of a source with an unknown table: %v", err)
	}
}

func allLinks(t *testing.T, s store.Store) []store.Link {
	var out []store.Link
	if err := s.Links(t.Context(), store.LinkFilter{}, func(l store.Link) error { out = append(out, l); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func first(ls []store.Link) any {
	if len(ls) == 0 {
		return nil
	}
	return ls[0]
}

func history(t *testing.T, s store.CheckStore, u string) []store.CheckRecord {
	var out []store.CheckRecord
	if err := s.History(t.Context(), u, func(c store.CheckRecord) error { out = append(out, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func counts(t *testing.T, s interface {
	LinkStateCounts(context.Context) (map[store.LinkState]int, error)
}) map[store.LinkState]int {
	c, err := s.LinkStateCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCopyResumesAfterInterruption: a copy stopped half way (here by
// cancelling it after a few batches) is finished by running it again,
// which skips the rows already there.
func TestCopyResumesAfterInterruption(t *testing.T) {
	dst := pgtest.URL(t)
	src := sqliteCatalog(t)
	ctx, cancel := context.WithCancel(t.Context())
	batches := 0
	_, err := storecopy.Copy(ctx, src, dst, storecopy.Options{BatchRows: 10, Progress: func(table string, _ int64) {
		batches++
		if table == "occurrences" {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted copy: %v", err)
	}
	rep, err := storecopy.Copy(t.Context(), src, dst, storecopy.Options{BatchRows: 10})
	if err != nil {
		t.Fatalf("resumed copy: %v", err)
	}
	resumed := false
	for _, tr := range rep.Tables {
		if tr.Table == "occurrences" && tr.Inserted > 0 && tr.Inserted < tr.SourceRows {
			resumed = true // some rows were there, the rest were added
		}
		if tr.Table == "links" && tr.Inserted != 0 {
			t.Errorf("links copied again: %+v", tr)
		}
	}
	if !resumed {
		t.Errorf("occurrences were not resumed: %+v", rep.Tables)
	}
}
