package storecopy_test

import (
	"database/sql"
	"testing"
)

// mustExecSQLite runs a statement on a SQLite file behind the store's
// back, to build sources the store itself would never write.
func mustExecSQLite(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatal(err)
	}
}
