// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the server that LINKROT_TEST_POSTGRES names, dropped when the
// test ends. Without that variable the test is skipped, saying why, so
// `go test ./...` passes on a machine without PostgreSQL; CI sets it
// (eval "$(.ci/postgres.sh)").
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable holding the server's URL.
const Env = "LINKROT_TEST_POSTGRES"

// SkipReason is what a gated test says when it skips.
const SkipReason = Env + " is not set: these tests need a PostgreSQL server; " +
	`start one with eval "$(.ci/postgres.sh)" (see README, PostgreSQL)`

// BaseURL returns the server URL, skipping t when there is none.
func BaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u == "" {
		t.Skip(SkipReason)
	}
	return u
}

// URL creates a new empty schema and returns a database URL whose
// search_path is that schema, so that everything the test creates lands
// there and runs never collide. The schema is dropped at cleanup.
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "lrtest_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(t, base, schema)
}

// WithSearchPath returns base with its search_path set to schema.
func WithSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
