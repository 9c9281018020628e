// Package postgres is the linkrot catalog kept in PostgreSQL, for users who
// outgrow one machine: several linkrot processes, on several machines,
// share one database and one queue of links to check.
//
// *Store implements every interface of package store that *store.SQLite
// does (Store, CheckStore, SnapshotStore, ReportStore) and passes the same
// conformance suite (store/storetest). On top of them it has the
// primitives several workers need: claiming due links with leases
// (queue.go), per-host slots and pacing shared by all workers (hosts.go),
// a cache of robots.txt and soft-404 probes (probes.go) and leader
// election by advisory lock (leader.go).
//
// It talks to PostgreSQL through pgx's own pool (pgxpool), not
// database/sql: the pool gives dedicated connections for the advisory
// lock, COPY for migrate-store and native types without a second layer of
// conversion.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/linkrot/linkrot/store"
)

// Store is the catalog in a PostgreSQL database (in the schema its
// connection's search_path names first).
type Store struct {
	pool *pgxpool.Pool
	name string // the URL without password, for messages
}

// Compile-time proof of what it implements.
var (
	_ store.ReportStore   = (*Store)(nil)
	_ store.SnapshotStore = (*Store)(nil)
)

// IsURL reports whether database names a PostgreSQL database rather than
// a SQLite file: a postgres:// or postgresql:// URL.
func IsURL(database string) bool {
	scheme, _, ok := strings.Cut(database, "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

// Migrations live in migrations/NNNN_name.sql, numbered from 1 without
// gaps, with their own numbering (PostgreSQL version 1 is SQLite version
// 7). Released migrations are never edited.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

var migrations = mustLoadMigrations(migrationFS)

func mustLoadMigrations(fsys fs.FS) []migration {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || len(num) != 4 || v != len(ms)+1 {
			// Compiled in: a bad name is a build mistake every test catches.
			panic(fmt.Sprintf("postgres migration %s: name must be %04d_description.sql", base, len(ms)+1))
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms
}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }

// defaultMaxConns bounds the pool unless the URL sets pool_max_conns. A
// stream holds a connection while its callback runs, and a callback may
// open another stream, so the bound is generous: pgxpool's default (the
// number of CPUs, at least 4) can deadlock nested streams.
const defaultMaxConns = 16

// Open connects to the database at databaseURL (postgres:// or
// postgresql://, with any libpq parameter pgx knows, search_path
// included) and brings its schema up to the newest this binary knows, all
// pending migrations in one transaction.
//
// Errors: *store.SchemaTooNewError (errors.Is store.ErrSchemaTooNew) if a
// newer linkrot wrote the schema; store.ErrNotDatabase (wrapped) if the
// schema holds tables linkrot did not create; otherwise connection and SQL
// errors naming the database (without its password).
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	if !IsURL(databaseURL) {
		return nil, fmt.Errorf("open catalog: %q is not a postgres:// or postgresql:// URL", Redact(databaseURL))
	}
	name := Redact(databaseURL)
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", name, err)
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", name, err)
	}
	s := &Store{pool: pool, name: name}
	if err := s.migrate(ctx, migrations); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Redact removes the password from a database URL, for messages.
func Redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.User == nil {
		return databaseURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// migrationLock is the advisory lock key that serialises migrations: of
// several processes opening an old schema at once, one upgrades it and the
// others wait, then find nothing to do. ("LKRT" in ASCII.)
const migrationLock = 0x4C4B5254

// migrate applies the pending migrations of ms in one transaction: a crash
// leaves the schema at the version it had.
func (s *Store) migrate(ctx context.Context, ms []migration) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", s.name, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
		return fmt.Errorf("open catalog %s: %w", s.name, err)
	}
	var hasMeta bool
	var tables int
	err = tx.QueryRow(ctx, `SELECT
			to_regclass('linkrot_schema') IS NOT NULL,
			(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())`).Scan(&hasMeta, &tables)
	if err != nil {
		return fmt.Errorf("open catalog %s: %w", s.name, err)
	}
	have := 0
	switch {
	case hasMeta:
		if err := tx.QueryRow(ctx, "SELECT version FROM linkrot_schema").Scan(&have); err != nil {
			return fmt.Errorf("open catalog %s: reading schema version: %w", s.name, err)
		}
	case tables > 0:
		// linkrot creates linkrot_schema with its first table, so tables
		// without it are someone else's.
		return fmt.Errorf("open catalog %s: %w: its schema has tables that linkrot did not create", s.name, store.ErrNotDatabase)
	}
	if have > len(ms) {
		return &store.SchemaTooNewError{Have: have, Want: len(ms), Path: s.name}
	}
	if have == len(ms) {
		return nil
	}
	if !hasMeta {
		if _, err := tx.Exec(ctx, `CREATE TABLE linkrot_schema (
				version integer NOT NULL,
				one boolean PRIMARY KEY DEFAULT true CHECK (one));
			INSERT INTO linkrot_schema (version) VALUES (0)`); err != nil {
			return fmt.Errorf("open catalog %s: %w", s.name, err)
		}
	}
	for _, m := range ms[have:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("catalog %s: migration %s: %w", s.name, m.name, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE linkrot_schema SET version = $1", m.version); err != nil {
			return fmt.Errorf("catalog %s: migration %s: %w", s.name, m.name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("catalog %s: migrating to version %d: %w", s.name, len(ms), err)
	}
	return nil
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Pool is the connection pool, for tools (migrate-store) that copy in
// bulk.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping checks that the catalog answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("catalog %s: %w", s.name, err)
	}
	return nil
}

// timeLayout is the stored form of catalog times, the same as SQLite's:
// RFC 3339 with a fixed nine-digit fraction, so that text order is time
// order.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// encTime turns t into its stored form: NULL for the zero time, else UTC
// text. Years outside 0000-9999 do not fit the fixed width.
func encTime(t time.Time) (*string, error) {
	if t.IsZero() {
		return nil, nil
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %v out of range (years 0-9999)", t)
	}
	s := t.Format(timeLayout)
	return &s, nil
}

// decTime is encTime backwards.
func decTime(s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", *s, err)
	}
	return t.UTC(), nil
}

// decTimes decodes several stored times at once.
func decTimes(pairs ...any) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		t, err := decTime(pairs[i+1].(*string))
		if err != nil {
			return err
		}
		*pairs[i].(*time.Time) = t
	}
	return nil
}

// eachRow scans every row of rows and hands it to fn, stopping at fn's
// first error (returned as is) or when ctx is done; what names the stream
// in the errors of the query itself. It closes rows.
func eachRow[T any](ctx context.Context, rows pgx.Rows, what string, scan func(pgx.Rows) (T, error), fn func(T) error) error {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := fn(v); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// notFound turns pgx.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

var _ store.Catalog = (*Store)(nil)
