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

func needing(t *testing.T, s store.CheckStore) []store.OccurrenceRef {
	t.Helper()
	var out []store.OccurrenceRef
	if err := s.OccurrencesNeedingVerification(ctxT(t), func(r store.OccurrenceRef) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatalf("OccurrencesNeedingVerification: %v", err)
	}
	return out
}

// doubtful is a repaired occurrence of guess with alternatives.
func doubtful(guess string, line int, conf float64, alts ...string) store.Occurrence {
	o := cited(guess, line)
	o.Raw = strings.Replace(guess, "state", "stat e", 1)
	o.Repaired = true
	o.Repairs = []string{"joined a line break"}
	o.Alternatives = alts
	o.Reasons = []string{"title mentions it"}
	o.Confidence = conf
	return o
}

func testVerificationQueue(t *testing.T, s store.CheckStore) {
	low := doubtful("https://q.example/islamic-state-1", 3, 0.4)
	alts := doubtful("https://q.example/islamic-state-2", 5, 0.9, "https://q.example/islamic-stat")
	sure := cited("https://q.example/sure", 1)
	edge := doubtful("https://q.example/islamic-state-edge", 7, store.VerifyBelow)
	save(t, s, doc("b.txt", t0), sure, alts, low, edge)
	save(t, s, doc("a.txt", t0), doubtful("https://q.example/state-a", 2, 0.1))
	save(t, s, doc("gone.txt", t0), doubtful("https://q.example/state-gone", 2, 0.1))
	if err := s.MarkDocumentMissing(ctxT(t), "gone.txt", t0); err != nil {
		t.Fatal(err)
	}

	got := needing(t, s)
	var where []string
	for _, r := range got {
		where = append(where, fmt.Sprintf("%s:%d", r.Document.Path, r.Occurrence.Line))
		if r.ID == 0 {
			t.Errorf("OccurrenceRef without ID: %+v", r)
		}
	}
	// By document path, then offset; confidence exactly VerifyBelow with
	// no alternatives is not doubtful; missing documents are left out.
	if want := []string{"a.txt:2", "b.txt:3", "b.txt:5"}; !reflect.DeepEqual(where, want) {
		t.Fatalf("OccurrencesNeedingVerification = %v, want %v", where, want)
	}
	if !reflect.DeepEqual(got[1].Occurrence, low) || !reflect.DeepEqual(got[2].Occurrence, alts) {
		t.Errorf("occurrences to verify:\n got %+v\n     %+v\nwant %+v\n     %+v", got[1].Occurrence, got[2].Occurrence, low, alts)
	}
	sameDoc(t, got[1].Document, doc("b.txt", t0))
}

func testAdoptRepair(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	guess := "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862"
	right := "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862-x"
	other := "https://www.themoscowtimes.com/2014/09/29/other"
	o := doubtful(guess, 57, 0.4, right, other)
	save(t, s, doc("news.txt", t0), o)
	save(t, s, doc("else.txt", t0), cited(guess, 1))
	refs := needing(t, s)
	if len(refs) != 1 {
		t.Fatalf("to verify: %+v", refs)
	}

	at := t0.Add(24 * time.Hour)
	if err := s.AdoptRepair(ctx, refs[0].ID, right, 0.97, []string{"web: " + right + " answers 200", "its title matches"}, at); err != nil {
		t.Fatalf("AdoptRepair: %v", err)
	}
	los := linkOccs(t, s, right)
	if len(los) != 1 {
		t.Fatalf("occurrences of the adopted URL = %+v", los)
	}
	want := o
	want.URL = right
	want.Alternatives = []string{other, guess}
	want.Reasons = []string{"title mentions it", "web: " + right + " answers 200", "its title matches"}
	want.Confidence = 0.97
	if !reflect.DeepEqual(los[0].Occurrence, want) {
		t.Errorf("adopted occurrence:\n got %+v\nwant %+v", los[0].Occurrence, want)
	}
	// Link counts follow the occurrence; the new link is due at once.
	if l := linkByURL(t, s, guess); l.Occurrences != 1 || !reflect.DeepEqual(l.Roles, []string{"cited"}) {
		t.Errorf("guessed link after adoption: %+v", l)
	}
	nl := linkByURL(t, s, right)
	if nl.Occurrences != 1 || nl.State != store.StateUnchecked || !nl.FirstSeen.Equal(at) || !nl.NextCheck.Equal(at) || nl.Host != "www.themoscowtimes.com" {
		t.Errorf("adopted link: %+v", nl)
	}
	if got := needing(t, s); len(got) != 0 {
		t.Errorf("still to verify after adoption: %+v", got)
	}
	if err := s.AdoptRepair(ctx, refs[0].ID+1000, right, 1, nil, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AdoptRepair(unknown ID) = %v, want ErrNotFound", err)
	}

	// Confirming the URL an occurrence has: verified, nothing moves.
	save(t, s, doc("c.txt", t0), doubtful("https://c.example/state", 1, 0.5))
	ref := needing(t, s)[0]
	if err := s.AdoptRepair(ctx, ref.ID, ref.Occurrence.URL, 0.8, []string{"answers 200"}, at); err != nil {
		t.Fatal(err)
	}
	if got := linkOccs(t, s, ref.Occurrence.URL); len(got) != 1 || got[0].Occurrence.Confidence != 0.8 ||
		got[0].Occurrence.Alternatives != nil || len(got[0].Occurrence.Reasons) != 2 {
		t.Errorf("confirmed occurrence = %+v", got)
	}
	if got := needing(t, s); len(got) != 0 {
		t.Errorf("still to verify after confirming: %+v", got)
	}

	for name, bad := range map[string]struct {
		url  string
		conf float64
	}{"empty URL": {"", 1}, "NaN": {right, nan()}} {
		if err := s.AdoptRepair(ctx, ref.ID, bad.url, bad.conf, nil, at); err == nil {
			t.Errorf("%s: AdoptRepair accepted it", name)
		}
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func testAdoptedRepairSurvivesRescan(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	guess := "https://r.example/islamic-state"
	first := "https://r.example/islamic-state-a1"
	second := "https://r.example/islamic-state-a2"
	o := doubtful(guess, 4, 0.3, first, second)
	d := doc("notes.md", t0)
	save(t, s, d, cited("https://r.example/other", 1), o)
	refs := needing(t, s)
	if len(refs) != 1 {
		t.Fatalf("to verify: %+v", refs)
	}
	id := refs[0].ID
	stored := func() store.Occurrence {
		t.Helper()
		for _, u := range []string{guess, first, second} {
			for _, lo := range linkOccs(t, s, u) {
				if lo.Document.Path == d.Path && lo.Occurrence.Raw == o.Raw {
					return lo.Occurrence
				}
			}
		}
		t.Fatalf("the occurrence is gone")
		return store.Occurrence{}
	}

	if err := s.AdoptRepair(ctx, id, first, 0.8, []string{"first answers"}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	adopted := stored()

	// Rescanning the same text extracts the guess again; the verdict is
	// applied, so nothing changes and nothing needs verifying.
	d.ScannedAt = t0.Add(2 * time.Hour)
	wantStats(t, save(t, s, d, cited("https://r.example/other", 1), o), 2, 0, 0)
	if got := stored(); !reflect.DeepEqual(got, adopted) {
		t.Errorf("unchanged rescan:\n got %+v\nwant %+v", got, adopted)
	}
	if refs := needing(t, s); len(refs) != 0 {
		t.Errorf("to verify after an unchanged rescan: %+v", refs)
	}

	// A second adoption of the same occurrence (its ID still holds: an
	// unchanged rescan does not replace rows).
	if err := s.AdoptRepair(ctx, id, second, 0.9, []string{"second is better"}, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	twice := stored()
	if twice.URL != second || twice.Confidence != 0.9 ||
		!reflect.DeepEqual(twice.Reasons, []string{"title mentions it", "first answers", "second is better"}) {
		t.Errorf("after a second adoption: %+v", twice)
	}
	if !reflect.DeepEqual(twice.Alternatives, []string{guess, first}) {
		t.Errorf("alternatives after a second adoption = %v, want [%s %s]", twice.Alternatives, guess, first)
	}

	// The document is edited elsewhere: its occurrences are replaced, and
	// the verdict still holds.
	moved := o
	moved.Start, moved.End, moved.Line = o.Start+50, o.End+50, o.Line+1
	d.ScannedAt = t0.Add(4 * time.Hour)
	wantStats(t, save(t, s, d, cited("https://r.example/new", 1), moved), 2, 1, 1)
	want := twice
	want.Start, want.End, want.Line = moved.Start, moved.End, moved.Line
	if got := stored(); !reflect.DeepEqual(got, want) {
		t.Errorf("edited rescan:\n got %+v\nwant %+v", got, want)
	}
	if refs := needing(t, s); len(refs) != 0 {
		t.Errorf("to verify after an edited rescan: %+v", refs)
	}
	for _, u := range []string{guess, first} {
		if l := linkByURL(t, s, u); l.Occurrences != 0 {
			t.Errorf("%s regained %d occurrences", u, l.Occurrences)
		}
	}
	if l := linkByURL(t, s, second); l.Occurrences != 1 {
		t.Errorf("adopted link has %d occurrences after rescans", l.Occurrences)
	}
	// The ID from before the edit is gone, and not given to the new row.
	if err := s.AdoptRepair(ctx, id, first, 1, nil, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AdoptRepair with an ID from before the edit = %v, want ErrNotFound", err)
	}
	d.ScannedAt = t0.Add(5 * time.Hour)
	wantStats(t, save(t, s, d, cited("https://r.example/new", 1), moved), 2, 0, 0)
	if got := stored(); !reflect.DeepEqual(got, want) {
		t.Errorf("rescan after the edit:\n got %+v\nwant %+v", got, want)
	}

	// Other raw text, or another document, is another extraction: no
	// verdict applies.
	plain := o
	plain.Raw = guess
	save(t, s, d, plain)
	save(t, s, doc("fresh.md", t0), o)
	var where []string
	for _, r := range needing(t, s) {
		where = append(where, r.Document.Path+" "+r.Occurrence.URL)
	}
	if want := []string{"fresh.md " + guess, "notes.md " + guess}; !reflect.DeepEqual(where, want) {
		t.Errorf("to verify = %v, want %v", where, want)
	}
}

// An ID read before its document was saved again must not reach another
// occurrence, however the rows were replaced.
func testOccurrenceIDsNotReused(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	save(t, s, doc("a.txt", t0), doubtful("https://ids.example/state-a", 1, 0.2))
	refs := needing(t, s)
	if len(refs) != 1 {
		t.Fatalf("to verify: %+v", refs)
	}
	old := refs[0].ID
	// The document loses the occurrence, then the same and another
	// document gain new doubtful ones.
	save(t, s, doc("a.txt", t0))
	save(t, s, doc("a.txt", t0), doubtful("https://ids.example/state-a", 1, 0.2))
	save(t, s, doc("b.txt", t0), doubtful("https://ids.example/state-b", 1, 0.2))
	for _, r := range needing(t, s) {
		if r.ID == old {
			t.Errorf("occurrence ID %d was given again, to %s in %s", old, r.Occurrence.URL, r.Document.Path)
		}
	}
	if err := s.AdoptRepair(ctx, old, "https://ids.example/x", 1, nil, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AdoptRepair with a replaced occurrence's ID = %v, want ErrNotFound", err)
	}
	if got := needing(t, s); len(got) != 2 {
		t.Errorf("to verify after the refused adoption: %+v", got)
	}
}

// The same broken text twice in one document: each occurrence is adopted
// on its own, and a rescan gives both back as they were, evidence once.
func testAdoptTwins(t *testing.T, s store.CheckStore) {
	ctx := ctxT(t)
	guess, right := "https://twin.example/state", "https://twin.example/state-1"
	a := doubtful(guess, 2, 0.3, right)
	b := doubtful(guess, 9, 0.3, right)
	d := doc("t.txt", t0)
	save(t, s, d, a, b)
	for range 2 {
		refs := needing(t, s)
		if len(refs) == 0 {
			t.Fatal("nothing to verify")
		}
		if err := s.AdoptRepair(ctx, refs[0].ID, right, 0.9, []string{"answers 200"}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if refs := needing(t, s); len(refs) != 0 {
		t.Fatalf("still to verify: %+v", refs)
	}
	before := linkOccs(t, s, right)
	if len(before) != 2 {
		t.Fatalf("adopted occurrences = %+v", before)
	}
	for _, lo := range before {
		if !reflect.DeepEqual(lo.Occurrence.Reasons, []string{"title mentions it", "answers 200"}) ||
			!reflect.DeepEqual(lo.Occurrence.Alternatives, []string{guess}) {
			t.Errorf("adopted twin = %+v", lo.Occurrence)
		}
	}
	d.ScannedAt = t0.Add(time.Hour)
	wantStats(t, save(t, s, d, a, b), 2, 0, 0)
	after := linkOccs(t, s, right)
	for i := range after {
		after[i].Document.ScannedAt = before[i].Document.ScannedAt
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("twins after rescan:\n got %+v\nwant %+v", after, before)
	}
}
