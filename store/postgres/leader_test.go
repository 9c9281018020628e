package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
)

// TestOneLeaderAndTakeover: of three processes campaigning, one leads;
// when the server ends its session (as when its machine dies), it notices
// and another takes over within a few seconds.
func TestOneLeaderAndTakeover(t *testing.T) {
	cs := clients(t, 3)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// A name of its own, so parallel test runs on one server (advisory
	// locks are per database, not per schema) do not compete.
	name := "scheduler-" + t.Name() + time.Now().Format("150405.000000000")

	type win struct {
		i int
		l *postgres.Leader
	}
	wins := make(chan win, 3)
	var wg sync.WaitGroup
	for i, s := range cs {
		wg.Go(func() {
			l, err := s.Campaign(ctx, name, 50*time.Millisecond, 50*time.Millisecond)
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					t.Error(err)
				}
				return
			}
			wins <- win{i, l}
		})
	}
	first := <-wins
	select {
	case w := <-wins:
		t.Fatalf("two leaders at once: %d and %d", first.i, w.i)
	case <-time.After(500 * time.Millisecond):
	}

	// Kill the leader's session from outside.
	admin, err := pgx.Connect(ctx, pgtest.BaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	killed := time.Now()
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", first.l.BackendPID()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.l.Lost():
	case <-time.After(5 * time.Second):
		t.Fatal("the old leader did not notice losing its connection")
	}
	var second win
	select {
	case second = <-wins:
	case <-time.After(10 * time.Second):
		t.Fatal("nobody took over")
	}
	if second.i == first.i {
		t.Fatalf("leader %d won twice", first.i)
	}
	t.Logf("takeover %v after the leader's session ended", time.Since(killed))
	select {
	case w := <-wins:
		t.Fatalf("a third leader while the second leads: %d", w.i)
	case <-time.After(300 * time.Millisecond):
	}
	// Released, the lock goes to the last campaigner.
	if err := second.l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.l.Lost():
	default:
		t.Error("Lost not closed after Release")
	}
	third := <-wins
	if third.i == first.i || third.i == second.i {
		t.Errorf("third leader is %d", third.i)
	}
	third.l.Release(ctx)
	cancel()
	wg.Wait()
	first.l.Release(context.Background())
}

// TestSchemaTooNewAndForeignTables: a schema a newer linkrot wrote is
// refused with store.ErrSchemaTooNew; a schema holding someone else's
// tables with store.ErrNotDatabase, and left alone.
func TestSchemaTooNewAndForeignTables(t *testing.T) {
	u := pgtest.URL(t)
	ctx := t.Context()
	s, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	// Opening again finds nothing to do.
	s2, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	s2.Close()
	if _, err := s.Pool().Exec(ctx, "UPDATE linkrot_schema SET version = $1", postgres.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = postgres.Open(ctx, u)
	var tooNew *store.SchemaTooNewError
	if !errors.As(err, &tooNew) || !errors.Is(err, store.ErrSchemaTooNew) || tooNew.Have != postgres.SchemaVersion()+1 {
		t.Errorf("open of a newer schema: %v", err)
	}

	other := pgtest.URL(t)
	conn, err := pgx.Connect(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE invoices (id int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(ctx, other); !errors.Is(err, store.ErrNotDatabase) {
		t.Errorf("open of a schema with foreign tables: %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").Scan(&n); err != nil || n != 1 {
		t.Errorf("foreign schema now has %d tables (%v), want it untouched", n, err)
	}
}

// TestConcurrentOpenMigratesOnce: processes opening a new database at
// once all succeed (the migration lock makes the others wait, then find
// nothing to do) and the schema is at the newest version.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	u := pgtest.URL(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), u)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	s, err := postgres.Open(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v, rows int
	if err := s.Pool().QueryRow(t.Context(), "SELECT max(version), count(*) FROM linkrot_schema").Scan(&v, &rows); err != nil || v != postgres.SchemaVersion() || rows != 1 {
		t.Errorf("linkrot_schema: version %d in %d rows (%v), want %d in 1", v, rows, err, postgres.SchemaVersion())
	}
}

func TestOpenRefusesNonURL(t *testing.T) {
	for _, bad := range []string{"data/linkrot.db", "mysql://x/y", ""} {
		if _, err := postgres.Open(t.Context(), bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if !postgres.IsURL("postgresql://u@h/db") || !postgres.IsURL("POSTGRES://h/db") || postgres.IsURL("linkrot.db") {
		t.Error("IsURL")
	}
}

func TestPasswordNotInErrors(t *testing.T) {
	// Nothing listens on port 1: the error names the database without
	// its password.
	_, err := postgres.Open(t.Context(), "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2")
	if err == nil {
		t.Fatal("open of a closed port succeeded")
	}
	if msg := err.Error(); strings.Contains(msg, "s3cret") {
		t.Errorf("password in error: %s", msg)
	}
}
