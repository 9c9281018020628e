package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// Migrations live in migrations/NNNN_name.sql, numbered from 1 without gaps.
// The schema version of a database is PRAGMA user_version: the number of the
// last migration applied. A migration, once released, is never edited; a
// change is a new file. Migrations only add (tables, columns with defaults,
// indexes) so that an upgraded catalog keeps every value it had.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string // file name, for messages
	sql     string
}

// migrations is every embedded migration in order; len(migrations) is the
// schema version this binary writes.
var migrations = mustLoadMigrations(migrationFS)

func mustLoadMigrations(fsys fs.FS) []migration {
	ms, err := loadMigrations(fsys)
	if err != nil {
		// The files are compiled in: a bad name is a build mistake that
		// every test run catches, not something a user can cause.
		panic(err)
	}
	return ms
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	ms := make([]migration, 0, len(names)) // fs.Glob sorts, and the numbers are zero-padded
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", base)
		}
		if v != len(ms)+1 {
			return nil, fmt.Errorf("migration %s: expected number %04d (versions must run from 1 without gaps)", base, len(ms)+1)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations embedded")
	}
	return ms, nil
}

// migrate brings a database at schema version have up to len(ms).
//
// It holds the write lock (BEGIN IMMEDIATE) from reading the version to
// committing the last migration, so that of several processes opening an
// old catalog at once exactly one backs it up and upgrades it, and the
// others wait, then find nothing to do. (Reading the version first and
// locking later let two of them back up the same file at once, or back up
// a version another was already replacing.) All pending migrations commit
// together with the version bump: a crash leaves the catalog at the
// version it had, never half way.
func (s *SQLite) migrate(ctx context.Context, have int, ms []migration) error {
	if have >= len(ms) {
		return nil // the common case, decided without taking the lock
	}
	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: see _txlock in OpenSQLite
	if err != nil {
		return s.wrapErr(err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return s.wrapErr(err)
	}
	if v >= len(ms) {
		return nil
	}
	if v > 0 {
		if err := s.backup(ctx, v); err != nil {
			return err
		}
	}
	for _, m := range ms[v:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("catalog %s: migration %s: %w", s.path, m.name, err)
		}
		// PRAGMA takes no bound parameters; both values are our own integers.
		bump := fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", linkrotAppID, m.version)
		if _, err := tx.ExecContext(ctx, bump); err != nil {
			return fmt.Errorf("catalog %s: migration %s: %w", s.path, m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog %s: migrating to version %d: %w", s.path, len(ms), err)
	}
	return nil
}

// backup copies the catalog, as it is before an upgrade, to a new file
// beside it; migrate calls it holding the write lock. VACUUM INTO writes a consistent, compact copy through SQLite
// itself (opening the live file with os.Open and closing it would drop
// SQLite's POSIX locks on it).
func (s *SQLite) backup(ctx context.Context, have int) error {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	dst := fmt.Sprintf("%s.schema-v%d.%s.bak", s.abs, have, stamp)
	for i := 2; ; i++ {
		_, err := os.Lstat(dst)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return fmt.Errorf("catalog %s: back up before upgrading schema: %w", s.path, err)
		}
		dst = fmt.Sprintf("%s.schema-v%d.%s-%d.bak", s.abs, have, stamp, i)
	}
	// The writer connection is inside migrate's transaction, and VACUUM
	// refuses to run in one; a second connection only needs to read, which
	// WAL allows beside the held write lock, and sees the catalog as last
	// committed: at version have.
	db, err := sql.Open("sqlite", sqliteDSN(s.abs,
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeout.Milliseconds())+")"))
	if err != nil {
		return fmt.Errorf("catalog %s: back up before upgrading schema: %w", s.path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("catalog %s: back up before upgrading schema from version %d: %w", s.path, have, err)
	}
	s.backupPath = dst
	return nil
}
