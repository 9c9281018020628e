package store_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

func TestLinkPage(t *testing.T) {
	s, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	urls := []string{"https://a.example/100%_off", "https://a.example/100x-off", "https://B.example/Harbour",
		"https://b.example/harbour-2", "https://c.example/x"}
	var occs []store.Occurrence
	for i, u := range urls {
		occs = append(occs, store.Occurrence{URL: u, Raw: u, Line: i + 1, Column: 1, Role: store.RoleCited, Confidence: 1})
	}
	if _, err := s.SaveDocument(t.Context(), store.Document{Path: "/d.txt", ScannedAt: time.Now()}, occs); err != nil {
		t.Fatal(err)
	}
	page := func(f store.LinkFilter, q string, off, lim int) []string {
		t.Helper()
		var got []string
		if err := s.LinkPage(t.Context(), f, q, off, lim, func(l store.Link) error {
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
		{"", store.LinkFilter{}, 4, 10, []string{"https://c.example/x"}},
		{"%_", store.LinkFilter{}, 0, 10, []string{"https://a.example/100%_off"}}, // LIKE wildcards are text
		{"harbour", store.LinkFilter{}, 0, 10, []string{"https://B.example/Harbour", "https://b.example/harbour-2"}},
		{"harbour", store.LinkFilter{Host: "b.example"}, 0, 10, []string{"https://B.example/Harbour", "https://b.example/harbour-2"}},
		{"harbour", store.LinkFilter{State: "dead"}, 0, 10, nil},
		{"100", store.LinkFilter{DocumentPath: "/d.txt"}, 1, 1, []string{"https://a.example/100x-off"}},
	} {
		if got := page(c.f, c.q, c.off, c.lim); !slices.Equal(got, c.want) {
			t.Errorf("LinkPage(%+v, %q, %d, %d) = %v, want %v", c.f, c.q, c.off, c.lim, got, c.want)
		}
	}
}
