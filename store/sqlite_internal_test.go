package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var t0 = time.Date(2024, 3, 1, 2, 3, 4, 5, time.UTC)

func openT(t *testing.T, path string) *SQLite {
	t.Helper()
	s, err := OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatalf("OpenSQLite(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawDB opens path with the driver directly, bypassing OpenSQLite, to
// look at or tamper with a file the way another tool would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqliteDSN(path, "_pragma=busy_timeout(5000)"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func pragma(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// schema returns the SQL of every table and index, which is what an
// upgraded database must share with a new one.
func schema(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type || ' ' || name || ': ' || sql FROM sqlite_schema
		WHERE sql IS NOT NULL ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrationsEmbedded(t *testing.T) {
	t.Parallel()
	if len(migrations) < 2 {
		t.Fatalf("%d migrations embedded, want at least 2", len(migrations))
	}
	for i, m := range migrations {
		if m.version != i+1 || strings.TrimSpace(m.sql) == "" {
			t.Errorf("migration %d: %+v", i, m)
		}
	}
	for name, files := range map[string]fstest.MapFS{
		"gap":      {"migrations/0001_a.sql": {Data: []byte("SELECT 1")}, "migrations/0003_c.sql": {Data: []byte("SELECT 1")}},
		"bad name": {"migrations/1_a.sql": {Data: []byte("SELECT 1")}},
		"none":     {},
	} {
		if _, err := loadMigrations(files); err == nil {
			t.Errorf("%s: loadMigrations accepted it", name)
		}
	}
}

func TestMigrationUpgrade(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")

	// Make a database as the first release would have: migration 1 only,
	// with data in it written by hand in that schema.
	old := &SQLite{path: path, abs: path, w: rawDB(t, path)}
	if err := old.open(ctx, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	_, err := old.w.Exec(`
		INSERT INTO documents (id, path, hash, scanned_at) VALUES (1, 'old.txt', 'h', '2020-01-02T03:04:05.000000000Z');
		INSERT INTO links (id, url, host, state, first_seen, next_check, last_checked)
			VALUES (1, 'https://old.example/', 'old.example', 'dead', '2020-01-02T03:04:05.000000000Z',
			        '2020-02-01T00:00:00.000000000Z', '2020-01-30T00:00:00.000000000Z');
		INSERT INTO links (id, url, host, first_seen) VALUES (2, 'https://null.example/', 'null.example', '2020-01-03T00:00:00.000000000Z');
		INSERT INTO occurrences (document_id, link_id, line, col, raw, role, reasons)
			VALUES (1, 1, 7, 3, 'https://old.example/', 'cited', '["kept"]'),
			       (1, 2, 8, 1, 'https://null.example/', 'cited', NULL);
		INSERT INTO checks (link_id, checked_at, class, status_code) VALUES (1, '2020-01-30T00:00:00.000000000Z', 'http_4xx', 404);`)
	if err != nil {
		t.Fatal(err)
	}
	if v := pragma(t, old.w, "user_version"); v != "1" {
		t.Fatalf("user_version after migration 1 = %s", v)
	}
	old.w.Close()

	s := openT(t, path)
	if v, want := pragma(t, s.w, "user_version"), strconv.Itoa(len(migrations)); v != want {
		t.Errorf("user_version after upgrade = %s, want %s", v, want)
	}
	if got, want := schema(t, s.w), schema(t, openT(t, filepath.Join(t.TempDir(), "new.db")).w); !reflect.DeepEqual(got, want) {
		t.Errorf("upgraded schema differs from a new one:\n got %q\nwant %q", got, want)
	}

	// The data written under schema 1 reads back through the API.
	var links []Link
	if err := s.Links(ctx, LinkFilter{Host: "old.example"}, func(l Link) error { links = append(links, l); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].State != "dead" || links[0].Occurrences != 1 ||
		!links[0].LastChecked.Equal(time.Date(2020, 1, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("old link after upgrade = %+v", links)
	}
	err = s.LinkOccurrences(ctx, "https://old.example/", func(lo LinkOccurrence) error {
		if lo.Document.Path != "old.txt" || lo.Occurrence.Line != 7 || !reflect.DeepEqual(lo.Occurrence.Reasons, []string{"kept"}) {
			t.Errorf("old occurrence after upgrade = %+v", lo)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var checks int
	if err := s.w.QueryRow("SELECT count(*) FROM checks").Scan(&checks); err != nil || checks != 1 {
		t.Errorf("checks after upgrade = %d, %v", checks, err)
	}
	// The old check reads back through History, with the columns added
	// since at their defaults.
	var hist []CheckRecord
	if err := s.History(ctx, "https://old.example/", func(c CheckRecord) error { hist = append(hist, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Class != "http_4xx" || hist[0].Status != 404 || hist[0].RunID != 0 ||
		hist[0].Pending || hist[0].Method != "" || hist[0].Evidence != nil || hist[0].URL != "https://old.example/" {
		t.Errorf("old check after upgrade = %+v", hist)
	}
	// A link without next_check became due at its first sighting.
	var due []string
	if err := s.DueLinks(ctx, time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC), false, func(d DueLink) error {
		due = append(due, d.URL)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(due, []string{"https://null.example/"}) {
		t.Errorf("due after upgrade = %v", due)
	}

	// The copy taken before the upgrade is a whole version-1 catalog.
	bak := s.UpgradeBackup()
	if bak == "" || !strings.Contains(filepath.Base(bak), "old.db.schema-v1.") {
		t.Fatalf("UpgradeBackup = %q", bak)
	}
	b := rawDB(t, bak)
	if v := pragma(t, b, "user_version"); v != "1" {
		t.Errorf("backup user_version = %s, want 1", v)
	}
	var n int
	if err := b.QueryRow("SELECT count(*) FROM occurrences").Scan(&n); err != nil || n != 2 {
		t.Errorf("backup occurrences = %d, %v", n, err)
	}

	// Opening again neither migrates nor backs up.
	s.Close()
	if s2 := openT(t, path); s2.UpgradeBackup() != "" {
		t.Errorf("second open backed up again: %s", s2.UpgradeBackup())
	}
}

func TestSchemaTooNew(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "linkrot.db")
	s := openT(t, path)
	if _, err := s.SaveDocument(t.Context(), Document{Path: "a.txt", ScannedAt: t0}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A newer linkrot wrote version 99.
	raw := rawDB(t, path)
	if _, err := raw.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	raw.Close() // checkpoints, so the file holds everything
	before := fileBytes(t, path)

	_, err := OpenSQLite(t.Context(), path)
	var tooNew *SchemaTooNewError
	if !errors.As(err, &tooNew) || !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("OpenSQLite = %v, want *SchemaTooNewError", err)
	}
	if tooNew.Have != 99 || tooNew.Want != len(migrations) || tooNew.Path != path {
		t.Errorf("error fields = %+v", tooNew)
	}
	want := "database " + path + " has schema version 99, newer than this linkrot supports (" + strconv.Itoa(len(migrations)) + "): upgrade linkrot"
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
	if !bytes.Equal(fileBytes(t, path), before) {
		t.Errorf("refusing a too-new database changed the file")
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPragmasInEffect(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "linkrot.db")
	s := openT(t, path)
	if m := pragma(t, s.w, "journal_mode"); m != "wal" {
		t.Errorf("writer journal_mode = %s, want wal", m)
	}
	// WAL is a property of the file: a connection made by any other tool
	// sees it too.
	if m := pragma(t, rawDB(t, path), "journal_mode"); m != "wal" {
		t.Errorf("journal_mode seen by another connection = %s, want wal", m)
	}
	for name, want := range map[string]string{"foreign_keys": "1", "synchronous": "1", "busy_timeout": "5000", "query_only": "0"} {
		if got := pragma(t, s.w, name); got != want {
			t.Errorf("writer %s = %s, want %s", name, got, want)
		}
	}
	for name, want := range map[string]string{"query_only": "1", "busy_timeout": "5000", "journal_mode": "wal"} {
		if got := pragma(t, s.r, name); got != want {
			t.Errorf("reader %s = %s, want %s", name, got, want)
		}
	}
	if _, err := s.r.Exec("DELETE FROM links"); err == nil {
		t.Errorf("the read pool accepted a write")
	}
	if got := pragma(t, s.w, "application_id"); got != "1280004692" {
		t.Errorf("application_id = %s", got)
	}
	if s.w.Stats().MaxOpenConnections != 1 {
		t.Errorf("writer pool allows %d connections", s.w.Stats().MaxOpenConnections)
	}
}

func TestNotADatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	content := bytes.Repeat([]byte("this is a text file, not SQLite\n"), 200)
	if err := os.WriteFile(text, content, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenSQLite(t.Context(), text)
	if !errors.Is(err, ErrNotDatabase) || !strings.Contains(err.Error(), text) {
		t.Errorf("OpenSQLite(text file) = %v, want ErrNotDatabase naming the path", err)
	}
	if !bytes.Equal(fileBytes(t, text), content) {
		t.Errorf("the text file was modified")
	}

	// Another application's SQLite database is left alone too.
	other := filepath.Join(dir, "places.sqlite")
	if _, err := rawDB(t, other).Exec("CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, other)
	_, err = OpenSQLite(t.Context(), other)
	if !errors.Is(err, ErrNotDatabase) || !strings.Contains(err.Error(), other) {
		t.Errorf("OpenSQLite(foreign database) = %v, want ErrNotDatabase naming the path", err)
	}
	if !bytes.Equal(fileBytes(t, other), before) {
		t.Errorf("the foreign database was modified")
	}

	// A directory where the file should be.
	if _, err := OpenSQLite(t.Context(), dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("OpenSQLite(directory) = %v, want an error naming it", err)
	}
	for _, bad := range []string{"", ":memory:", "file:x.db?mode=ro"} {
		if _, err := OpenSQLite(t.Context(), bad); err == nil {
			t.Errorf("OpenSQLite(%q) succeeded", bad)
		}
	}
}

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	// Parent directories are created, and the characters that are special
	// in SQLite URIs work in paths.
	path := filepath.Join(t.TempDir(), "a b", "we?ird#dir%20ü", "linkrot.db")
	s := openT(t, path)
	occ := Occurrence{URL: "https://keep.example/", Raw: "keep", Line: 2, Column: 5, Role: RoleSource, Reasons: []string{"r"}, Confidence: 0.5}
	if _, err := s.SaveDocument(t.Context(), Document{Path: "k.txt", ScannedAt: t0, Hash: "h"}, []Occurrence{occ}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the path asked for: %v", err)
	}

	s = openT(t, path)
	d, err := s.DocumentByPath(t.Context(), "k.txt")
	if err != nil || d.Hash != "h" || !d.ScannedAt.Equal(t0) {
		t.Fatalf("after reopen: %+v, %v", d, err)
	}
	var got []Occurrence
	if err := s.LinkOccurrences(t.Context(), occ.URL, func(lo LinkOccurrence) error {
		got = append(got, lo.Occurrence)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []Occurrence{occ}) {
		t.Errorf("occurrences after reopen = %+v", got)
	}
}

func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	// Two processes (say cron's `linkrot run` and `linkrot serve`) may open
	// a new catalog at the same moment; both must end up on the same schema.
	path := filepath.Join(t.TempDir(), "linkrot.db")
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := OpenSQLite(context.Background(), path)
			if err == nil {
				_, err = s.SaveDocument(context.Background(), Document{Path: "x", ScannedAt: t0}, nil)
				s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if v := pragma(t, rawDB(t, path), "user_version"); v != strconv.Itoa(len(migrations)) {
		t.Errorf("user_version = %s", v)
	}
}

func TestUnchangedRescanKeepsRows(t *testing.T) {
	t.Parallel()
	// A nightly rescan of unchanged files should only touch the document
	// rows: rewriting every occurrence would churn the WAL for nothing.
	s := openT(t, filepath.Join(t.TempDir(), "linkrot.db"))
	occs := []Occurrence{
		{URL: "https://a.example/", Role: RoleCited, Line: 1, Repairs: []string{}},
		{URL: "https://b.example/", Role: RoleSource, Line: 2, Reasons: []string{"r"}, Confidence: 0.25},
	}
	// total_changes counts rows written by the (single) writer connection.
	changes := func() int {
		t.Helper()
		var n int
		if err := s.w.QueryRow("SELECT total_changes()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	doc := Document{Path: "a.txt", ScannedAt: t0}
	if _, err := s.SaveDocument(t.Context(), doc, occs); err != nil {
		t.Fatal(err)
	}
	before := changes()
	doc.ScannedAt = t0.Add(time.Hour)
	if _, err := s.SaveDocument(t.Context(), doc, occs); err != nil {
		t.Fatal(err)
	}
	if n := changes() - before; n != 1 {
		t.Errorf("unchanged rescan wrote %d rows, want 1 (the document)", n)
	}
	occs[1].Confidence = 0.5
	before = changes()
	if _, err := s.SaveDocument(t.Context(), doc, occs); err != nil {
		t.Fatal(err)
	}
	if n := changes() - before; n != 1+2+2 {
		t.Errorf("changed rescan wrote %d rows, want 5 (document, 2 deleted, 2 inserted)", n)
	}
}

func TestHostOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://Example.COM:8443/x": "example.com",
		"www.example.com":            "www.example.com",
		"example.com:8080/x":         "example.com",
		"localhost:3000":             "localhost",
		"http:/broken":               "",
		"https://":                   "",
		"javascript:void(0)":         "",
		"tel:+123456":                "",
		"urn:isbn:0451450523":        "",
		"":                           "",
		"/relative/path":             "",
		"%zz":                        "",
	} {
		if got := hostOf(in); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTimeEncoding(t *testing.T) {
	t.Parallel()
	// Fixed width keeps text order equal to time order.
	a, _ := encTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	b, _ := encTime(time.Date(2024, 1, 1, 0, 0, 0, 500, time.UTC))
	c, _ := encTime(time.Date(2024, 1, 1, 0, 0, 1, 0, time.FixedZone("X", 3600)))
	if !(a.(string) < b.(string)) || !(c.(string) < a.(string)) {
		t.Errorf("order broken: %v %v %v", a, b, c)
	}
	if len(a.(string)) != len(b.(string)) {
		t.Errorf("not fixed width: %v %v", a, b)
	}
	if v, err := encTime(time.Time{}); v != nil || err != nil {
		t.Errorf("zero time = %v, %v; want NULL", v, err)
	}
	got, err := decTime(sql.NullString{String: b.(string), Valid: true})
	if err != nil || !got.Equal(time.Date(2024, 1, 1, 0, 0, 0, 500, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("decTime = %v, %v", got, err)
	}
}

func TestConcurrentUpgrade(t *testing.T) {
	t.Parallel()
	// Processes opening an old catalog at once: one backs it up and
	// upgrades it, the others wait and find it done.
	dir := t.TempDir()
	path := filepath.Join(dir, "linkrot.db")
	old := &SQLite{path: path, abs: path, w: rawDB(t, path)}
	if err := old.open(t.Context(), migrations[:1]); err != nil {
		t.Fatal(err)
	}
	old.w.Close()

	const n = 4
	errs := make(chan error, n)
	backups := make(chan string, n)
	for range n {
		go func() {
			s, err := OpenSQLite(context.Background(), path)
			if err == nil {
				backups <- s.UpgradeBackup()
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(backups)
	var made []string
	for b := range backups {
		if b != "" {
			made = append(made, b)
		}
	}
	if len(made) != 1 {
		t.Errorf("backups made: %q, want exactly one", made)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.bak"))
	if len(files) != 1 {
		t.Errorf("backup files: %q", files)
	}
	if v := pragma(t, rawDB(t, path), "user_version"); v != strconv.Itoa(len(migrations)) {
		t.Errorf("user_version = %s", v)
	}
}

// TestOpenReadOnly reads a catalog whose file the process may not write.
func TestOpenReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	if _, err := OpenSQLiteReadOnly(ctx, path); err == nil {
		t.Fatal("read-only open of a missing catalog succeeded")
	}
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveDocument(ctx, Document{Path: "/d.txt", Format: "text", ScannedAt: time.Unix(1, 0)}, []Occurrence{{URL: "https://ro.example/", Raw: "https://ro.example/", Line: 1, Column: 1, Role: RoleCited}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenSQLiteReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var urls []string
	if err := ro.Links(ctx, LinkFilter{}, func(l Link) error { urls = append(urls, l.URL); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(urls) != 1 || urls[0] != "https://ro.example/" {
		t.Errorf("links = %q", urls)
	}
	if _, err := ro.BeginRun(ctx, time.Unix(2, 0), "check"); err == nil {
		t.Error("a write through a read-only catalog succeeded")
	}
}

// TestLockHeartbeatInTheFuture: a holder whose clock ran ahead does not
// keep the lock forever.
func TestLockHeartbeatInTheFuture(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.AcquireLock(ctx, "job", "a", now.Add(24*time.Hour), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.AcquireLock(ctx, "job", "b", now, time.Minute); err != nil {
		t.Errorf("a heartbeat dated tomorrow kept the lock: %v", err)
	}
	if err := s.AcquireLock(ctx, "job", "c", now.Add(time.Second), time.Minute); !errors.Is(err, ErrLockHeld) {
		t.Errorf("a fresh heartbeat did not keep the lock: %v", err)
	}
	if err := s.AcquireLock(ctx, "job", "c", time.Time{}, time.Minute); err == nil {
		t.Error("AcquireLock without a time succeeded")
	}
}
