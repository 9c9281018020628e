package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

func openStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func links(t *testing.T, st *store.SQLite, f store.LinkFilter) map[string]store.Link {
	t.Helper()
	out := map[string]store.Link{}
	if err := st.Links(context.Background(), f, func(l store.Link) error { out[l.URL] = l; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Minute); return c.t }

func TestAddRescanChangeDelete(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "notes", "b.md")
	write(t, a, "Title A\n\nsee https://one.example.org/x and https://two.example.org/y\n")
	write(t, b, "# B\n\n[link](https://one.example.org/x)\n\nSource: https://b.example.org/origin\n")
	write(t, filepath.Join(dir, "blob.dat"), "\x00\x01\x02binary")
	write(t, filepath.Join(dir, "c.txt"), "bad \xff\xfe utf8 https://three.example.org/\n")
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var warnings []string
	opts := Options{Now: c.now, Warn: func(p string, err error) { warnings = append(warnings, filepath.Base(p)+": "+err.Error()) }}

	s, err := Add(ctx, st, []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Documents != 4 || s.Added != 3 || s.Skipped != 1 || s.NewLinks != 4 || s.Occurrences != 5 {
		t.Errorf("first add: %+v", s)
	}
	if len(warnings) != 2 || !strings.HasPrefix(warnings[0], "blob.dat: binary") || !strings.Contains(warnings[1], "c.txt: invalid UTF-8") {
		t.Errorf("warnings = %q", warnings)
	}
	got := links(t, st, store.LinkFilter{})
	if got["https://one.example.org/x"].Occurrences != 2 {
		t.Errorf("one.example.org: %+v", got["https://one.example.org/x"])
	}
	src := links(t, st, store.LinkFilter{Role: "source"})
	if len(src) != 1 || src["https://b.example.org/origin"].URL == "" {
		t.Errorf("source links = %v", src)
	}

	// Unchanged: nothing is re-extracted.
	s, err = Add(ctx, st, []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Unchanged != 3 || s.Added+s.Updated != 0 {
		t.Errorf("second add: %+v", s)
	}

	// Changed: the vanished URL leaves the document.
	write(t, a, "Title A\n\nsee https://one.example.org/x only\n")
	s, err = Add(ctx, st, []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Updated != 1 || s.Removed != 1 {
		t.Errorf("after change: %+v", s)
	}
	if l := links(t, st, store.LinkFilter{})["https://two.example.org/y"]; l.Occurrences != 0 {
		t.Errorf("two.example.org should have no occurrences left: %+v", l)
	}

	// Deleted: noticed on rescan, links stop counting it, nothing is lost.
	if err := os.Remove(b); err != nil {
		t.Fatal(err)
	}
	s, err = Add(ctx, st, []string{dir}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Missing != 1 {
		t.Errorf("after delete: %+v", s)
	}
	d, err := st.DocumentByPath(ctx, b)
	if err != nil || d.MissingSince.IsZero() {
		t.Errorf("deleted document: %+v %v", d, err)
	}
	if l := links(t, st, store.LinkFilter{})["https://one.example.org/x"]; l.Occurrences != 1 {
		t.Errorf("one.example.org after delete: %+v", l)
	}

	// Restored: rescanned and counted again.
	write(t, b, "# B\n\n[link](https://one.example.org/x)\n\nSource: https://b.example.org/origin\n")
	if _, err := Add(ctx, st, []string{dir}, opts); err != nil {
		t.Fatal(err)
	}
	if l := links(t, st, store.LinkFilter{})["https://one.example.org/x"]; l.Occurrences != 2 {
		t.Errorf("one.example.org after restore: %+v", l)
	}
}

func TestSchemelessURLsAreStoredFetchable(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "n.txt"), "Notes\n\nsee www.example.org/page for more\n")
	if _, err := Add(context.Background(), st, []string{dir}, Options{}); err != nil {
		t.Fatal(err)
	}
	var occ store.Occurrence
	err := st.LinkOccurrences(context.Background(), "https://www.example.org/page", func(lo store.LinkOccurrence) error {
		occ = lo.Occurrence
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if occ.Raw != "www.example.org/page" || !occ.Repaired || !contains(occ.Repairs, "added scheme https://") {
		t.Errorf("occurrence = %+v", occ)
	}
}

func TestCancelledContextStopsAdd(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), "https://a.example.org/")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Add(ctx, st, []string{dir}, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestTooLargeFileIsSkipped(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "big.txt"), strings.Repeat("x", 2048))
	var warned string
	s, err := Add(context.Background(), st, []string{dir}, Options{MaxSize: 1024, Warn: func(p string, err error) { warned = err.Error() }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Skipped != 1 || !strings.Contains(warned, "over the 1024-byte limit") {
		t.Errorf("stats %+v warning %q", s, warned)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
