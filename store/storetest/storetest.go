// Package storetest is the conformance suite every store.Store
// implementation runs, so that SQLite and any later implementation behave
// the same to their callers.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// Run runs the suite: the Store tests, then the store.CheckStore tests if
// the store implements it. open must return a new, empty store each time
// it is called and arrange for it to be closed (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"SaveAndRead", testSaveAndRead},
		{"ReplaceOccurrences", testReplaceOccurrences},
		{"IdempotentResave", testIdempotentResave},
		{"LinksCreatedOnce", testLinksCreatedOnce},
		{"LinkFilters", testLinkFilters},
		{"Hosts", testHosts},
		{"MissingDocuments", testMissingDocuments},
		{"Ordering", testOrdering},
		{"CallbacksUseStore", testCallbacksUseStore},
		{"CallbackErrorStops", testCallbackErrorStops},
		{"NotFound", testNotFound},
		{"InvalidInput", testInvalidInput},
		{"CancelledContext", testCancelledContext},
		{"UnicodeAndLongURLs", testUnicodeAndLongURLs},
		{"ConcurrentReadersWhileWriting", testConcurrentReadersWhileWriting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
	// The checking part is optional (see store.CheckStore); each of its
	// tests skips, saying so, on a store without it.
	runCheckTests(t, open)
}

// t0 is a fixed scan time; stores keep times in UTC with nanoseconds.
var t0 = time.Date(2024, 3, 1, 2, 3, 4, 567891234, time.UTC)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	// A bound on every test, so a deadlock in a store fails instead of
	// hanging the whole run.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func doc(path string, at time.Time) store.Document {
	return store.Document{
		Path: path, Format: "text", Hash: strings.Repeat("ab", 32), Size: 1234,
		ModTime: at.Add(-time.Hour), Title: "Title of " + path, Date: "2014-09-29",
		SourceURL: "https://example.com/" + path, ScannedAt: at,
	}
}

func cited(url string, line int) store.Occurrence {
	return store.Occurrence{
		URL: url, Raw: url, Start: line * 100, End: line*100 + len(url),
		Line: line, Column: 1, Role: store.RoleCited, Confidence: 1,
	}
}

func source(url string, line int) store.Occurrence {
	o := cited(url, line)
	o.Role = store.RoleSource
	return o
}

func save(t *testing.T, s store.Store, d store.Document, occs ...store.Occurrence) store.SaveStats {
	t.Helper()
	st, err := s.SaveDocument(ctxT(t), d, occs)
	if err != nil {
		t.Fatalf("SaveDocument(%s): %v", d.Path, err)
	}
	return st
}

func wantStats(t *testing.T, got store.SaveStats, occs, removed, newLinks int) {
	t.Helper()
	want := store.SaveStats{Occurrences: occs, Removed: removed, NewLinks: newLinks}
	if got != want {
		t.Errorf("SaveStats = %+v, want %+v", got, want)
	}
}

func links(t *testing.T, s store.Store, f store.LinkFilter) []store.Link {
	t.Helper()
	var out []store.Link
	if err := s.Links(ctxT(t), f, func(l store.Link) error {
		out = append(out, l)
		return nil
	}); err != nil {
		t.Fatalf("Links(%+v): %v", f, err)
	}
	return out
}

func linkURLs(ls []store.Link) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.URL)
	}
	return out
}

func link(t *testing.T, s store.Store, url string) store.Link {
	t.Helper()
	for _, l := range links(t, s, store.LinkFilter{}) {
		if l.URL == url {
			return l
		}
	}
	t.Fatalf("link %s not in store", url)
	return store.Link{}
}

func linkOccs(t *testing.T, s store.Store, url string) []store.LinkOccurrence {
	t.Helper()
	var out []store.LinkOccurrence
	if err := s.LinkOccurrences(ctxT(t), url, func(lo store.LinkOccurrence) error {
		out = append(out, lo)
		return nil
	}); err != nil {
		t.Fatalf("LinkOccurrences(%s): %v", url, err)
	}
	return out
}

func docs(t *testing.T, s store.Store) []store.Document {
	t.Helper()
	var out []store.Document
	if err := s.Documents(ctxT(t), func(d store.Document) error {
		out = append(out, d)
		return nil
	}); err != nil {
		t.Fatalf("Documents: %v", err)
	}
	return out
}

func getDoc(t *testing.T, s store.Store, path string) store.Document {
	t.Helper()
	d, err := s.DocumentByPath(ctxT(t), path)
	if err != nil {
		t.Fatalf("DocumentByPath(%s): %v", path, err)
	}
	return d
}

// sameDoc compares documents ignoring ID and comparing times as instants.
func sameDoc(t *testing.T, got, want store.Document) {
	t.Helper()
	for _, tc := range []struct {
		name      string
		got, want time.Time
	}{
		{"ModTime", got.ModTime, want.ModTime},
		{"ScannedAt", got.ScannedAt, want.ScannedAt},
		{"MissingSince", got.MissingSince, want.MissingSince},
	} {
		if !tc.got.Equal(tc.want) {
			t.Errorf("document %s: %s = %v, want %v", want.Path, tc.name, tc.got, tc.want)
		}
	}
	got.ID, got.ModTime, got.ScannedAt, got.MissingSince = 0, time.Time{}, time.Time{}, time.Time{}
	want.ID, want.ModTime, want.ScannedAt, want.MissingSince = 0, time.Time{}, time.Time{}, time.Time{}
	if got != want {
		t.Errorf("document = %+v\nwant %+v", got, want)
	}
}

func testSaveAndRead(t *testing.T, s store.Store) {
	d := doc("news/000.txt", t0)
	d.ModTime = time.Date(2014, 9, 29, 10, 0, 0, 0, time.FixedZone("MSK", 4*3600))
	repaired := store.Occurrence{
		URL:   "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862",
		Raw:   "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-stat e-a39862",
		Start: 4010, End: 4120, Line: 57, Column: 14,
		Role:         store.RoleSource,
		Repaired:     true,
		Repairs:      []string{"join line-wrap split at byte 98"},
		Alternatives: []string{"https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-stat"},
		Reasons:      []string{`title says "Islamic State"`, "date 2014-09-29 matches /2014/09/29/"},
		Confidence:   0.93,
	}
	occs := []store.Occurrence{repaired, cited("https://example.org/a", 3), cited("http://example.net/b?x=1&y=2#frag", 9)}
	st := save(t, s, d, occs...)
	wantStats(t, st, 3, 0, 3)

	got := getDoc(t, s, d.Path)
	if got.ID == 0 {
		t.Errorf("document ID is 0")
	}
	sameDoc(t, got, d)

	los := linkOccs(t, s, repaired.URL)
	if len(los) != 1 {
		t.Fatalf("LinkOccurrences = %d entries, want 1", len(los))
	}
	if !reflect.DeepEqual(los[0].Occurrence, repaired) {
		t.Errorf("occurrence round trip:\n got %+v\nwant %+v", los[0].Occurrence, repaired)
	}
	sameDoc(t, los[0].Document, d)

	l := link(t, s, repaired.URL)
	if l.State != store.StateUnchecked || l.Occurrences != 1 || !reflect.DeepEqual(l.Roles, []string{"source"}) {
		t.Errorf("link = %+v, want unchecked, 1 occurrence, roles [source]", l)
	}
	if !l.FirstSeen.Equal(t0) || !l.NextCheck.Equal(t0) || !l.LastChecked.IsZero() {
		t.Errorf("link times: first %v next %v last %v; want first=next=%v, last zero", l.FirstSeen, l.NextCheck, l.LastChecked, t0)
	}
	if l.Host != "www.themoscowtimes.com" || l.ID == 0 {
		t.Errorf("link host %q id %d", l.Host, l.ID)
	}

	// Empty lists and nil lists are the same value.
	o := cited("https://example.org/empty", 1)
	o.Repairs, o.Alternatives, o.Reasons = []string{}, []string{}, nil
	save(t, s, doc("other.txt", t0), o)
	if got := linkOccs(t, s, o.URL)[0].Occurrence; got.Repairs != nil || got.Alternatives != nil || got.Reasons != nil {
		t.Errorf("empty lists came back as %#v %#v %#v, want nil", got.Repairs, got.Alternatives, got.Reasons)
	}
}

func testReplaceOccurrences(t *testing.T, s store.Store) {
	d := doc("notes.md", t0)
	wantStats(t, save(t, s, d,
		cited("https://a.example/", 1), cited("https://b.example/", 2), cited("https://b.example/", 3)), 3, 0, 2)

	// b appears once now, a is gone, c is new: two removed, one new link.
	d.ScannedAt = t0.Add(24 * time.Hour)
	c := cited("https://c.example/", 5)
	c.Role = store.RoleSource
	wantStats(t, save(t, s, d, cited("https://b.example/", 4), c), 2, 2, 1)

	if got := linkOccs(t, s, "https://a.example/"); len(got) != 0 {
		t.Errorf("a.example still has %d occurrences", len(got))
	}
	bo := linkOccs(t, s, "https://b.example/")
	if len(bo) != 1 || bo[0].Occurrence.Line != 4 {
		t.Errorf("b.example occurrences = %+v, want one at line 4", bo)
	}
	// Links are never deleted; a's count drops to 0.
	a := link(t, s, "https://a.example/")
	if a.Occurrences != 0 || len(a.Roles) != 0 {
		t.Errorf("a.example = %+v, want 0 occurrences and no roles", a)
	}
	if got := link(t, s, "https://c.example/"); !got.FirstSeen.Equal(d.ScannedAt) {
		t.Errorf("c.example first seen %v, want %v", got.FirstSeen, d.ScannedAt)
	}
	if got := getDoc(t, s, d.Path); !got.ScannedAt.Equal(d.ScannedAt) {
		t.Errorf("document not updated: scanned at %v", got.ScannedAt)
	}
	// A document can lose all its links.
	wantStats(t, save(t, s, d), 0, 2, 0)
	if got := links(t, s, store.LinkFilter{DocumentPath: d.Path}); len(got) != 0 {
		t.Errorf("links of emptied document: %v", linkURLs(got))
	}
}

func testIdempotentResave(t *testing.T, s store.Store) {
	d := doc("a.txt", t0)
	occs := []store.Occurrence{source("https://x.example/1", 1), cited("https://x.example/2", 2), cited("https://x.example/2", 7)}
	occs[1].Repairs = []string{"r"}
	save(t, s, d, occs...)
	before := links(t, s, store.LinkFilter{})
	beforeOccs := linkOccs(t, s, "https://x.example/2")

	d.ScannedAt = t0.Add(time.Hour)
	for range 2 {
		wantStats(t, save(t, s, d, occs...), 3, 0, 0)
	}
	if after := links(t, s, store.LinkFilter{}); !reflect.DeepEqual(after, before) {
		t.Errorf("links changed on resave:\n got %+v\nwant %+v", after, before)
	}
	afterOccs := linkOccs(t, s, "https://x.example/2")
	for i := range afterOccs {
		afterOccs[i].Document.ScannedAt = beforeOccs[i].Document.ScannedAt
	}
	if !reflect.DeepEqual(afterOccs, beforeOccs) {
		t.Errorf("occurrences changed on resave:\n got %+v\nwant %+v", afterOccs, beforeOccs)
	}
	if got := docs(t, s); len(got) != 1 || !got[0].ScannedAt.Equal(d.ScannedAt) {
		t.Errorf("documents after resave = %+v", got)
	}
}

func testLinksCreatedOnce(t *testing.T, s store.Store) {
	u := "https://shared.example/page"
	wantStats(t, save(t, s, doc("1.txt", t0), cited(u, 1), cited(u, 2)), 2, 0, 1)
	wantStats(t, save(t, s, doc("2.txt", t0.Add(time.Hour)), source(u, 1)), 1, 0, 0)
	wantStats(t, save(t, s, doc("3.txt", t0.Add(2*time.Hour)), cited(u, 1), cited("https://new.example/", 2)), 2, 0, 1)

	all := links(t, s, store.LinkFilter{})
	if len(all) != 2 {
		t.Fatalf("links = %v, want 2", linkURLs(all))
	}
	l := link(t, s, u)
	if l.Occurrences != 4 {
		t.Errorf("occurrences = %d, want 4", l.Occurrences)
	}
	if !reflect.DeepEqual(l.Roles, []string{"cited", "source"}) {
		t.Errorf("roles = %v, want [cited source]", l.Roles)
	}
	if !l.FirstSeen.Equal(t0) {
		t.Errorf("first seen %v, want the first document's scan %v", l.FirstSeen, t0)
	}
	if got := linkOccs(t, s, u); len(got) != l.Occurrences {
		t.Errorf("LinkOccurrences gave %d, Links counts %d", len(got), l.Occurrences)
	}
}

func testLinkFilters(t *testing.T, s store.Store) {
	save(t, s, doc("a.md", t0), source("https://src.example/a", 1), cited("https://one.example/x", 2), cited("https://two.example/y", 3))
	save(t, s, doc("b.md", t0), source("https://src.example/b", 1), cited("https://one.example/x", 2))

	for _, tc := range []struct {
		f    store.LinkFilter
		want []string
	}{
		{store.LinkFilter{}, []string{"https://one.example/x", "https://src.example/a", "https://src.example/b", "https://two.example/y"}},
		{store.LinkFilter{State: store.StateUnchecked}, []string{"https://one.example/x", "https://src.example/a", "https://src.example/b", "https://two.example/y"}},
		{store.LinkFilter{State: "dead"}, []string{}},
		{store.LinkFilter{Role: store.RoleSource}, []string{"https://src.example/a", "https://src.example/b"}},
		{store.LinkFilter{Role: store.RoleCited}, []string{"https://one.example/x", "https://two.example/y"}},
		{store.LinkFilter{DocumentPath: "b.md"}, []string{"https://one.example/x", "https://src.example/b"}},
		{store.LinkFilter{DocumentPath: "nope.md"}, []string{}},
		{store.LinkFilter{Host: "src.example"}, []string{"https://src.example/a", "https://src.example/b"}},
		{store.LinkFilter{Host: "SRC.Example"}, []string{"https://src.example/a", "https://src.example/b"}},
		{store.LinkFilter{Host: "one.example", Role: store.RoleSource}, []string{}},
		{store.LinkFilter{DocumentPath: "a.md", Role: store.RoleCited, State: store.StateUnchecked, Host: "two.example"}, []string{"https://two.example/y"}},
	} {
		if got := linkURLs(links(t, s, tc.f)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Links(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
}

func testHosts(t *testing.T, s store.Store) {
	cases := map[string]string{
		"https://Example.COM:8443/x":   "example.com",
		"http://[2001:db8::1]:80/":     "2001:db8::1",
		"www.noscheme.example/path?q":  "www.noscheme.example",
		"localhost:3000/api":           "localhost",
		"//cdn.example/lib.js":         "cdn.example",
		"mailto:someone@mail.example":  "",
		"ftp://files.example/pub/":     "files.example",
		"https://user:pw@auth.example": "auth.example",
	}
	var occs []store.Occurrence
	for u := range cases {
		occs = append(occs, cited(u, len(occs)+1))
	}
	save(t, s, doc("hosts.txt", t0), occs...)
	for _, l := range links(t, s, store.LinkFilter{}) {
		if want := cases[l.URL]; l.Host != want {
			t.Errorf("host of %s = %q, want %q", l.URL, l.Host, want)
		}
	}
	if got := linkURLs(links(t, s, store.LinkFilter{Host: "www.noscheme.example"})); !reflect.DeepEqual(got, []string{"www.noscheme.example/path?q"}) {
		t.Errorf("host filter on scheme-less URL = %v", got)
	}
}

func testMissingDocuments(t *testing.T, s store.Store) {
	u := "https://shared.example/"
	a, b := doc("a.txt", t0), doc("b.txt", t0)
	save(t, s, a, source(u, 1), cited("https://only-a.example/", 2))
	save(t, s, b, cited(u, 1))

	gone := t0.Add(48 * time.Hour)
	if err := s.MarkDocumentMissing(ctxT(t), a.Path, gone); err != nil {
		t.Fatal(err)
	}
	// A second sighting keeps the first time.
	if err := s.MarkDocumentMissing(ctxT(t), a.Path, gone.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := getDoc(t, s, a.Path); !got.MissingSince.Equal(gone) {
		t.Errorf("MissingSince = %v, want %v", got.MissingSince, gone)
	}
	if ds := docs(t, s); len(ds) != 2 || !ds[0].MissingSince.Equal(gone) || !ds[1].MissingSince.IsZero() {
		t.Errorf("Documents = %+v, want a missing since %v, b present", ds, gone)
	}

	l := link(t, s, u)
	if l.Occurrences != 1 || !reflect.DeepEqual(l.Roles, []string{"cited"}) {
		t.Errorf("shared link with a missing: %d occurrences, roles %v; want 1, [cited]", l.Occurrences, l.Roles)
	}
	if o := link(t, s, "https://only-a.example/"); o.Occurrences != 0 || len(o.Roles) != 0 {
		t.Errorf("link only in the missing document: %+v", o)
	}
	if got := linkURLs(links(t, s, store.LinkFilter{Role: store.RoleSource})); len(got) != 0 {
		t.Errorf("role filter sees the missing document: %v", got)
	}
	if got := linkURLs(links(t, s, store.LinkFilter{DocumentPath: a.Path})); len(got) != 0 {
		t.Errorf("document filter sees the missing document: %v", got)
	}
	if got := linkOccs(t, s, u); len(got) != 1 || got[0].Document.Path != b.Path {
		t.Errorf("LinkOccurrences with a missing = %+v", got)
	}

	// It comes back unchanged: resaving restores it and its counts.
	a.ScannedAt = gone.Add(72 * time.Hour)
	wantStats(t, save(t, s, a, source(u, 1), cited("https://only-a.example/", 2)), 2, 0, 0)
	if got := getDoc(t, s, a.Path); !got.MissingSince.IsZero() {
		t.Errorf("MissingSince after resave = %v, want zero", got.MissingSince)
	}
	if l := link(t, s, u); l.Occurrences != 2 || !reflect.DeepEqual(l.Roles, []string{"cited", "source"}) {
		t.Errorf("shared link after return: %d occurrences, roles %v", l.Occurrences, l.Roles)
	}
}

func testOrdering(t *testing.T, s store.Store) {
	paths := []string{"z.txt", "a/b.txt", "m.txt", "a.txt", "B.txt"}
	for i, p := range paths {
		save(t, s, doc(p, t0), cited(fmt.Sprintf("https://%c.example/%d", 'z'-i, i), 1))
	}
	var got []string
	for _, d := range docs(t, s) {
		got = append(got, d.Path)
	}
	if want := []string{"B.txt", "a.txt", "a/b.txt", "m.txt", "z.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Documents order = %v, want %v (bytewise by path)", got, want)
	}
	want := []string{"https://v.example/4", "https://w.example/3", "https://x.example/2", "https://y.example/1", "https://z.example/0"}
	if got := linkURLs(links(t, s, store.LinkFilter{})); !reflect.DeepEqual(got, want) {
		t.Errorf("Links order = %v, want %v", got, want)
	}
	// Occurrences: by document path, then offset.
	u := "https://order.example/"
	late, early := cited(u, 9), cited(u, 2)
	save(t, s, doc("y.txt", t0), late, early)
	save(t, s, doc("x.txt", t0), late)
	var where []string
	for _, lo := range linkOccs(t, s, u) {
		where = append(where, fmt.Sprintf("%s:%d", lo.Document.Path, lo.Occurrence.Line))
	}
	if want := []string{"x.txt:9", "y.txt:2", "y.txt:9"}; !reflect.DeepEqual(where, want) {
		t.Errorf("LinkOccurrences order = %v, want %v", where, want)
	}
}

// A crawler streams links and writes results as it goes; a scanner streams
// documents and marks some missing. Neither may deadlock.
func testCallbacksUseStore(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	for i := range 5 {
		save(t, s, doc(fmt.Sprintf("d%d.txt", i), t0), cited(fmt.Sprintf("https://e.example/%d", i), 1))
	}
	n := 0
	err := s.Documents(ctx, func(d store.Document) error {
		n++
		// Read, stream and write from inside the stream.
		if _, err := s.DocumentByPath(ctx, d.Path); err != nil {
			return err
		}
		if err := s.Links(ctx, store.LinkFilter{DocumentPath: d.Path}, func(l store.Link) error {
			return s.LinkOccurrences(ctx, l.URL, func(store.LinkOccurrence) error {
				_, err := s.SaveDocument(ctx, doc("new-"+d.Path, t0), []store.Occurrence{cited(l.URL, 2)})
				return err
			})
		}); err != nil {
			return err
		}
		return s.MarkDocumentMissing(ctx, d.Path, t0.Add(time.Hour))
	})
	if err != nil {
		t.Fatalf("Documents with a writing callback: %v", err)
	}
	// The stream sees the catalog as it was when it started (5 documents)
	// or, at most, also what was written meanwhile; it must not loop.
	if n < 5 || n > 10 {
		t.Errorf("callback ran %d times", n)
	}
	if got := len(docs(t, s)); got != 10 {
		t.Errorf("documents after = %d, want 10", got)
	}
	err = s.Links(ctx, store.LinkFilter{}, func(l store.Link) error {
		return s.MarkDocumentMissing(ctx, "new-d0.txt", t0)
	})
	if err != nil {
		t.Fatalf("Links with a writing callback: %v", err)
	}
}

func testCallbackErrorStops(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	for i := range 3 {
		save(t, s, doc(fmt.Sprintf("%d.txt", i), t0), cited("https://stop.example/", 1))
	}
	stop := errors.New("stop here")
	n := 0
	if err := s.Documents(ctx, func(store.Document) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Documents: err %v after %d calls, want the callback's error after 1", err, n)
	}
	n = 0
	if err := s.Links(ctx, store.LinkFilter{}, func(store.Link) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Links: err %v after %d calls", err, n)
	}
	n = 0
	if err := s.LinkOccurrences(ctx, "https://stop.example/", func(store.LinkOccurrence) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("LinkOccurrences: err %v after %d calls", err, n)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	if _, err := s.DocumentByPath(ctx, "nope.txt"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DocumentByPath: %v, want ErrNotFound", err)
	}
	if err := s.MarkDocumentMissing(ctx, "nope.txt", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkDocumentMissing: %v, want ErrNotFound", err)
	}
	err := s.LinkOccurrences(ctx, "https://nope.example/", func(store.LinkOccurrence) error { return nil })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LinkOccurrences: %v, want ErrNotFound", err)
	}
	// A known link with no current use is not an error.
	save(t, s, doc("x.txt", t0), cited("https://once.example/", 1))
	save(t, s, doc("x.txt", t0))
	if err := s.LinkOccurrences(ctx, "https://once.example/", func(store.LinkOccurrence) error {
		return errors.New("called")
	}); err != nil {
		t.Errorf("LinkOccurrences of unused link: %v", err)
	}
	// Empty results are not errors either.
	if err := s.Links(ctx, store.LinkFilter{State: "dead"}, func(store.Link) error { return errors.New("called") }); err != nil {
		t.Errorf("Links with no match: %v", err)
	}
}

func testInvalidInput(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	for name, tc := range map[string]struct {
		d    store.Document
		occs []store.Occurrence
	}{
		"empty path": {store.Document{ScannedAt: t0}, nil},
		"empty URL":  {doc("bad.txt", t0), []store.Occurrence{cited("https://ok.example/", 1), cited("", 2)}},
		"bad role":   {doc("bad.txt", t0), []store.Occurrence{{URL: "https://ok.example/", Role: "link"}}},
		"year 10000": {doc("bad.txt", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), nil},
	} {
		if _, err := s.SaveDocument(ctx, tc.d, tc.occs); err == nil {
			t.Errorf("%s: SaveDocument accepted it", name)
		}
	}
	// Nothing was written by the refused saves.
	if got := docs(t, s); len(got) != 0 {
		t.Errorf("documents after refused saves: %+v", got)
	}
	if got := links(t, s, store.LinkFilter{}); len(got) != 0 {
		t.Errorf("links after refused saves: %v", linkURLs(got))
	}
}

func testCancelledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	if _, err := s.SaveDocument(ctx, doc("c.txt", t0), []store.Occurrence{cited("https://c.example/", 1)}); err == nil {
		t.Errorf("SaveDocument with a cancelled context succeeded")
	}
	if _, err := s.DocumentByPath(ctxT(t), "c.txt"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cancelled save left a document: %v", err)
	}
	for i := range 3 {
		save(t, s, doc(fmt.Sprintf("%d.txt", i), t0), cited(fmt.Sprintf("https://c.example/%d", i), 1))
	}
	save(t, s, doc("3.txt", t0), cited("https://c.example/0", 1), cited("https://c.example/0", 2))
	// Cancelling inside a callback stops every stream at once.
	streams := map[string]func(ctx context.Context, stop func()) error{
		"Documents": func(ctx context.Context, stop func()) error {
			return s.Documents(ctx, func(store.Document) error { stop(); return nil })
		},
		"Links": func(ctx context.Context, stop func()) error {
			return s.Links(ctx, store.LinkFilter{}, func(store.Link) error { stop(); return nil })
		},
		"LinkOccurrences": func(ctx context.Context, stop func()) error {
			return s.LinkOccurrences(ctx, "https://c.example/0", func(store.LinkOccurrence) error { stop(); return nil })
		},
	}
	for name, stream := range streams {
		ctx, cancel := context.WithCancel(ctxT(t))
		n := 0
		err := stream(ctx, func() { n++; cancel() })
		if !errors.Is(err, context.Canceled) || n != 1 {
			t.Errorf("%s cancelled in callback: err %v after %d calls, want context.Canceled after 1", name, err, n)
		}
	}
}

func testUnicodeAndLongURLs(t *testing.T, s store.Store) {
	long := "https://long.example/" + strings.Repeat("päth/", 20000) + "?q=" + strings.Repeat("x", 10000)
	urls := []string{
		"https://bücher.example/straße?q=日本語#frag",
		"https://xn--bcher-kva.example/",
		"https://example.com/emoji/\U0001F600",
		"https://example.com/quote'\"`;--",
		"https://example.com/%E2%9C%93?a=%25&b=+",
		"https://example.com/nul-free\ttab",
		long,
	}
	var occs []store.Occurrence
	for i, u := range urls {
		o := cited(u, i+1)
		o.Reasons = []string{"ünïcödé reason", strings.Repeat("r", 5000)}
		occs = append(occs, o)
	}
	d := doc("dir with spaces/ünïcode ✓.md", t0)
	d.Title = "Заголовок — 标题"
	wantStats(t, save(t, s, d, occs...), len(urls), 0, len(urls))
	sameDoc(t, getDoc(t, s, d.Path), d)
	for i, u := range urls {
		lo := linkOccs(t, s, u)
		if len(lo) != 1 || !reflect.DeepEqual(lo[0].Occurrence, occs[i]) {
			t.Errorf("round trip of %.60q failed", u)
		}
	}
	if got := link(t, s, urls[0]).Host; got != "bücher.example" {
		t.Errorf("host of unicode URL = %q", got)
	}
	if got := link(t, s, long); len(got.URL) != len(long) {
		t.Errorf("long URL came back %d bytes, want %d", len(got.URL), len(long))
	}
	wantStats(t, save(t, s, d, occs...), len(urls), 0, 0)
}

func testConcurrentReadersWhileWriting(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	const docsN, readers = 60, 4
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)

	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range docsN {
			occs := []store.Occurrence{
				cited("https://shared.example/", 1),
				cited(fmt.Sprintf("https://w.example/%d", i), 2),
			}
			if _, err := s.SaveDocument(ctx, doc(fmt.Sprintf("w/%03d.txt", i), t0), occs); err != nil {
				errs <- fmt.Errorf("writer: %w", err)
				return
			}
		}
	}()
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				var prev string
				err := s.Links(ctx, store.LinkFilter{}, func(l store.Link) error {
					if l.URL <= prev {
						return fmt.Errorf("links out of order: %q after %q", l.URL, prev)
					}
					prev = l.URL
					return nil
				})
				if err == nil {
					n := 0
					err = s.Documents(ctx, func(store.Document) error { n++; return nil })
				}
				if err == nil && r%2 == 0 {
					_, err = s.DocumentByPath(ctx, "w/000.txt")
					if errors.Is(err, store.ErrNotFound) {
						err = nil // the writer may not have got there yet
					}
				}
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := link(t, s, "https://shared.example/").Occurrences; got != docsN {
		t.Errorf("shared link occurrences = %d, want %d", got, docsN)
	}
	if got := len(docs(t, s)); got != docsN {
		t.Errorf("documents = %d, want %d", got, docsN)
	}
}
