package store

import (
	"path/filepath"
	"slices"
	"testing"
)

// TestLinkSearchIndex: migration 0012 indexes the links a catalog already
// has, the triggers keep the index in step with inserts, URL changes and
// deletes, and LinkPage answers searches of three characters or more from
// it.
//
// Not parallel: it changes searchCap.
func TestLinkSearchIndex(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v11.db")
	old := &SQLite{path: path, abs: path, w: rawDB(t, path)}
	if err := old.open(ctx, migrations[:11]); err != nil {
		t.Fatal(err)
	}
	if _, err := old.w.Exec(`INSERT INTO links (id, url, host, state, first_seen) VALUES
		(1, 'https://a.example/harbour', 'a.example', 'alive', '2020-01-01T00:00:00.000000000Z'),
		(2, 'https://b.example/Harbour-2', 'b.example', 'alive', '2020-01-01T00:00:00.000000000Z'),
		(3, 'https://c.example/bridge', 'c.example', 'alive', '2020-01-01T00:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	old.w.Close()

	s := openT(t, path)
	search := func(q string) []string {
		t.Helper()
		var got []string
		if err := s.LinkPage(ctx, LinkFilter{}, q, 0, 10, func(l Link) error { got = append(got, l.URL); return nil }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	check := func(q string, want ...string) {
		t.Helper()
		if got := search(q); !slices.Equal(got, want) {
			t.Errorf("search %q = %q, want %q", q, got, want)
		}
		if _, err := s.w.Exec(`INSERT INTO links_search (links_search, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Errorf("after search %q: index out of step with links: %v", q, err)
		}
	}
	check("harbour", "https://a.example/harbour", "https://b.example/Harbour-2")

	if _, err := s.w.Exec(`UPDATE links SET url = 'https://c.example/tunnel' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	check("bridge")
	check("tunnel", "https://c.example/tunnel")
	if _, err := s.w.Exec(`DELETE FROM links WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	check("harbour", "https://b.example/Harbour-2")
	if _, err := s.w.Exec(`INSERT INTO links (id, url, host, state, first_seen) VALUES
		(4, 'https://d.example/harbour-walk', 'd.example', 'alive', '2020-01-01T00:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	check("harbour", "https://b.example/Harbour-2", "https://d.example/harbour-walk")

	// Take link 4 out of the index behind LinkPage's back: a search of
	// three characters no longer finds it (the index is what answers),
	// a shorter one still does (LIKE alone).
	if _, err := s.w.Exec(`INSERT INTO links_search (links_search, rowid, url) VALUES ('delete', 4, 'https://d.example/harbour-walk')`); err != nil {
		t.Fatal(err)
	}
	if got, want := search("walk"), []string(nil); !slices.Equal(got, want) {
		t.Errorf("search %q with the link out of the index = %q, want %q", "walk", got, want)
	}
	if got, want := search("wa"), []string{"https://d.example/harbour-walk"}; !slices.Equal(got, want) {
		t.Errorf("search %q = %q, want %q", "wa", got, want)
	}
	if got, want := search("harbour"), []string{"https://b.example/Harbour-2"}; !slices.Equal(got, want) {
		t.Errorf("search %q with a link out of the index = %q, want %q", "harbour", got, want)
	}
	// A search with searchCap index matches or more is common: LIKE
	// alone answers it, so link 4 is found again.
	defer func(c int) { searchCap = c }(searchCap)
	searchCap = 1
	if got, want := search("harbour"), []string{"https://b.example/Harbour-2", "https://d.example/harbour-walk"}; !slices.Equal(got, want) {
		t.Errorf("common search %q = %q, want %q", "harbour", got, want)
	}
}
