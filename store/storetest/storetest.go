// Package storetest is the conformance suite every store.Store
// implementation runs, so that SQLite and any later implementation behave
// the same to their callers.
package storetest

import (
	"context"
	"reflect"
	"strings"
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
