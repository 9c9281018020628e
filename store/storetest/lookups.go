package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// lookupStore is what the lookup tests need: the cache, and ArchiveCopy to
// see the answer on the link.
type lookupStore interface {
	store.ReportStore
	RecordLookup(ctx context.Context, l store.Lookup) error
	LookupOf(ctx context.Context, url string) (store.Lookup, bool, error)
}

// linkPager is a store that pages links (the UI's /links).
type linkPager interface {
	store.Store
	LinkPage(ctx context.Context, f store.LinkFilter, q string, offset, limit int, fn func(store.Link) error) error
}

// RunExtras runs the tests of the public-archive lookup cache (RecordLookup,
// LookupOf) and of LinkPage; each skips, saying so, on a store without
// the methods. open is as for Run.
func RunExtras(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Lookups", func(t *testing.T) {
		s, ok := open(t).(lookupStore)
		if !ok {
			t.Skip("store has no RecordLookup/LookupOf with ReportStore")
		}
		testLookups(t, s)
	})
	t.Run("LinkPage", func(t *testing.T) {
		s, ok := open(t).(linkPager)
		if !ok {
			t.Skip("store has no LinkPage")
		}
		testLinkPage(t, s)
	})
}

func testLookups(t *testing.T, s lookupStore) {
	ctx := ctxT(t)
	const u = "https://gone.example/page"
	save(t, s, doc("/a.md", t0), cited(u, 1))
	if _, ok, err := s.LookupOf(ctx, u); err != nil || ok {
		t.Fatalf("LookupOf before any lookup = ok %v, %v; want not ok", ok, err)
	}
	if err := s.RecordLookup(ctx, store.Lookup{URL: u}); err == nil {
		t.Error("RecordLookup with a zero AskedAt succeeded")
	}
	answer := store.Lookup{URL: u, AskedAt: t0, Found: true, CopyURL: "https://web.archive.example/2019/" + u,
		CopyTime: t0.Add(-24 * time.Hour * 365), Source: "wayback"}
	if err := s.RecordLookup(ctx, answer); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.LookupOf(ctx, u)
	if err != nil || !ok || got != answer {
		t.Fatalf("LookupOf = %+v, %v, %v; want %+v", got, ok, err, answer)
	}
	want := store.ArchiveCopy{URL: answer.CopyURL, Time: answer.CopyTime, Source: "wayback", CheckedAt: t0}
	if c, err := s.ArchiveCopy(ctx, u); err != nil || c != want {
		t.Errorf("ArchiveCopy after an answer = %+v, %v; want %+v", c, err, want)
	}
	// A failure replaces the cached lookup but leaves the answer on the link.
	failed := store.Lookup{URL: u, AskedAt: t0.Add(time.Hour), Err: "timeout"}
	if err := s.RecordLookup(ctx, failed); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := s.LookupOf(ctx, u); !ok || got != failed {
		t.Errorf("LookupOf after a failure = %+v; want %+v", got, failed)
	}
	if c, err := s.ArchiveCopy(ctx, u); err != nil || c != want {
		t.Errorf("ArchiveCopy after a failure = %+v, %v; want the earlier answer %+v", c, err, want)
	}
	// A URL the catalog does not hold can still be cached (asked by fix).
	other := store.Lookup{URL: "https://elsewhere.example/", AskedAt: t0}
	if err := s.RecordLookup(ctx, other); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := s.LookupOf(ctx, other.URL); !ok || got != other {
		t.Errorf("LookupOf(not a link) = %+v; want %+v", got, other)
	}
}

func testLinkPage(t *testing.T, s linkPager) {
	ctx := ctxT(t)
	urls := []string{"https://a.example/100%_off", "https://a.example/100x-off", "https://B.example/Harbour",
		"https://b.example/harbour-2", "https://c.example/x", `https://d.example/say-"hi"*now`,
		"https://e.example/Café-Ünïcode", "https://e.example/CAFÉ-ÜNÏCODE"}
	var occs []store.Occurrence
	for i, u := range urls {
		occs = append(occs, cited(u, i+1))
	}
	save(t, s, doc("/d.txt", t0), occs...)
	page := func(f store.LinkFilter, q string, off, lim int) []string {
		t.Helper()
		var got []string
		if err := s.LinkPage(ctx, f, q, off, lim, func(l store.Link) error {
			if l.Occurrences != 1 {
				t.Errorf("%s: %d occurrences", l.URL, l.Occurrences)
			}
			got = append(got, l.URL)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, c := range []struct {
		q        string
		f        store.LinkFilter
		off, lim int
		want     []string
	}{
		{"", store.LinkFilter{}, 0, 2, []string{"https://B.example/Harbour", "https://a.example/100%_off"}},
		{"", store.LinkFilter{}, 4, 1, []string{"https://c.example/x"}},
		{"%_", store.LinkFilter{}, 0, 10, []string{"https://a.example/100%_off"}}, // LIKE wildcards are text
		{`\`, store.LinkFilter{}, 0, 10, nil},
		{"harbour", store.LinkFilter{}, 0, 10, []string{"https://B.example/Harbour", "https://b.example/harbour-2"}},
		{"harbour", store.LinkFilter{Host: "b.example"}, 0, 10, []string{"https://B.example/Harbour", "https://b.example/harbour-2"}},
		{"harbour", store.LinkFilter{State: "dead"}, 0, 10, nil},
		{"100", store.LinkFilter{DocumentPath: "/d.txt"}, 1, 1, []string{"https://a.example/100x-off"}},
		{"", store.LinkFilter{}, -3, -1, nil},
		// Short and long searches (the SQLite store answers three
		// characters and more from a trigram index) give the same rows.
		{"_", store.LinkFilter{}, 0, 10, []string{"https://a.example/100%_off"}},
		{"/X", store.LinkFilter{}, 0, 10, []string{"https://c.example/x"}},
		{"Ha", store.LinkFilter{}, 0, 10, []string{"https://B.example/Harbour", "https://b.example/harbour-2"}},
		{"HARB", store.LinkFilter{}, 0, 10, []string{"https://B.example/Harbour", "https://b.example/harbour-2"}},
		{"0%_", store.LinkFilter{}, 0, 10, []string{"https://a.example/100%_off"}},
		{"0_o", store.LinkFilter{}, 0, 10, nil}, // _ is not a wildcard
		{"0%o", store.LinkFilter{}, 0, 10, nil}, // nor is %
		{`"hi"`, store.LinkFilter{}, 0, 10, []string{`https://d.example/say-"hi"*now`}},
		{`"`, store.LinkFilter{}, 0, 10, []string{`https://d.example/say-"hi"*now`}},
		{`i"*n`, store.LinkFilter{}, 0, 10, []string{`https://d.example/say-"hi"*now`}},
		{"say*", store.LinkFilter{}, 0, 10, nil}, // * is text, not a prefix query
		{"hi AND now", store.LinkFilter{}, 0, 10, nil},
		{"url:", store.LinkFilter{}, 0, 10, nil},
		// Case folds for ASCII only, as LIKE does: é matches é, not É.
		{"café", store.LinkFilter{}, 0, 10, []string{"https://e.example/Café-Ünïcode"}},
		{"CAFÉ", store.LinkFilter{}, 0, 10, []string{"https://e.example/CAFÉ-ÜNÏCODE"}},
		{"Ünïcode", store.LinkFilter{}, 0, 10, []string{"https://e.example/Café-Ünïcode"}},
		{"é-", store.LinkFilter{}, 0, 10, []string{"https://e.example/Café-Ünïcode"}},
		{"no-such-text", store.LinkFilter{}, 0, 10, nil},
		{"zzz", store.LinkFilter{}, 0, 10, nil},
	} {
		if got := page(c.f, c.q, c.off, c.lim); !slices.Equal(got, c.want) {
			t.Errorf("LinkPage(%+v, %q, %d, %d) = %v, want %v", c.f, c.q, c.off, c.lim, got, c.want)
		}
	}
}
