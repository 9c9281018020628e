package postgres_test

import (
	"testing"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
	"github.com/linkrot/linkrot/store/storetest"
)

// open gives each test a new, empty catalog in a schema of its own.
func open(t *testing.T) store.Store {
	s, err := postgres.Open(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	// Registered after pgtest's cleanup, so it runs first: the pool is
	// closed before the schema is dropped.
	t.Cleanup(func() { s.Close() })
	return s
}

// The same three suites the SQLite store runs (store/sqlite_test.go,
// store/reports_test.go, store/snapshots_test.go).
func TestPostgresConformance(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.Run(t, open)
}

func TestPostgresReports(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.RunReports(t, open)
}

func TestPostgresSnapshots(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.RunSnapshots(t, open)
}

func TestPostgresDrift(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.RunDrift(t, open)
}

func TestPostgresExtras(t *testing.T) {
	pgtest.BaseURL(t)
	storetest.RunExtras(t, open)
}
