package storecopy

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/store"
)

// TestSourceSchemaOfCurrentCatalog: a catalog at this binary's SQLite
// schema (its derived tables too: the URL search index and its FTS5
// shadow tables) passes the source check, and an unknown table still
// does not. It needs no PostgreSQL: the check reads the SQLite file only.
func TestSourceSchemaOfCurrentCatalog(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "linkrot.db")
	s, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var fts int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name LIKE 'links_search%'`).Scan(&fts); err != nil || fts < 2 {
		t.Fatalf("catalog has %d links_search tables (%v); want the index and its shadow tables", fts, err)
	}
	if err := checkSourceSchema(ctx, db); err != nil {
		t.Fatalf("current catalog refused: %v", err)
	}
	if _, err := db.Exec(`CREATE TABLE extra (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if err := checkSourceSchema(ctx, db); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("unknown table: err = %v, want one naming extra", err)
	}
}
