package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite is the Store kept in one SQLite file (pure Go, no cgo).
//
// It holds two connection pools on the same file. Writes go through a pool
// of exactly one connection, so SQLite never sees two writers from this
// process and transactions queue in Go instead of spinning on SQLITE_BUSY.
// Reads go through a separate query-only pool; in WAL mode readers run beside
// the writer, which is what lets a streaming callback write to the store
// while its stream is still open.
type SQLite struct {
	path string // as given to OpenSQLite, for messages
	abs  string // absolute, for files made beside it
	w    *sql.DB
	r    *sql.DB

	backupPath string // copy made before this open upgraded the schema

	// rq and wq keep the statements of each pool prepared
	// (stmtcache.go); the ones a transaction runs are prepared at open
	// (txStatements).
	rq, wq *stmtCache
}

// txStatements are the statements run inside write transactions: the
// per-check write path (parsing them for every check cost about a sixth of
// a run's CPU) and the content verdicts' batch. They are prepared at open,
// while the writer's one connection is free.
var txStatements = []string{sqlLinkURLByID, sqlLinkIDByURL, sqlInsertCheck, sqlInsertCheckByID, sqlSetLinkState, sqlKeepLinkState, sqlInsertDrift}

var _ Store = (*SQLite)(nil)

// linkrotAppID is stored in the SQLite header (PRAGMA application_id) so
// that a linkrot catalog can be told from other SQLite files: "LKRT".
const linkrotAppID = 0x4C4B5254

// busyTimeout is how long a connection waits for another process's lock
// (say `linkrot run` from cron while `linkrot serve` writes) before
// SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// OpenSQLite opens the catalog at path, creating the file and its missing
// parent directories, and upgrades its schema to the newest this binary
// knows. Before upgrading an existing catalog it writes a copy of it beside
// the file (path + ".schema-vN.<time>.bak"), so a bad upgrade never costs
// data.
//
// Errors: *SchemaTooNewError (errors.Is ErrSchemaTooNew) if a newer linkrot
// wrote the file; ErrNotDatabase (wrapped, naming path) if the file is not
// SQLite or belongs to another application, in which case it is not
// modified; otherwise I/O and SQLite errors wrapped with the path.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open catalog: database must be a file path, got %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	// Stat, not Open: closing a descriptor of a live SQLite file would drop
	// its POSIX locks.
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("open catalog %s: is a directory", path)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}

	s := &SQLite{path: path, abs: abs}
	// busy_timeout comes first (modernc sorts it first anyway) so the
	// others cannot fail on a lock. journal_mode is deliberately not in the
	// DSN: it is persistent, so it is set once, after we know the file is
	// ours (see open).
	s.w, err = sql.Open("sqlite", sqliteDSN(abs,
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeout.Milliseconds())+")",
		"_pragma=foreign_keys(1)",
		// NORMAL is durable across application crashes in WAL mode; a
		// power cut can lose the last commits but never corrupts.
		"_pragma=synchronous(NORMAL)",
		// Statement journals (one per statement of a multi-check batch,
		// RecordChecks) stay in memory instead of a temporary file: they
		// were a fifth of a batch's cost in write system calls.
		"_pragma=temp_store(MEMORY)",
		// 8 MiB of page cache instead of SQLite's 2 MiB: a check run
		// updates links all over the table, and with the small cache
		// four in five of those pages were read back from the file
		// (pread) on every batch; 8 MiB took a 10k-link run from 41k
		// reads to 12k and its CPU down by a tenth. A fixed bound, so
		// memory does not grow with the catalog.
		"_pragma=cache_size(-8192)",
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// never fails half way when another process holds it: it waits
		// busy_timeout at BEGIN instead.
		"_txlock=immediate",
	))
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)

	if err := s.open(ctx, migrations); err != nil {
		s.w.Close()
		return nil, err
	}

	s.r, err = sql.Open("sqlite", sqliteDSN(abs,
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeout.Milliseconds())+")",
		// A reader that tried to write would be a bug; make it an error
		// instead of a second writer.
		"_pragma=query_only(1)",
	))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	// No cap on open readers: a stream holds one connection while its
	// callback runs, and a callback may start another stream, so any cap
	// could deadlock nesting. Idle ones are few and expire, since each
	// SQLite connection keeps its own page cache.
	s.r.SetMaxIdleConns(4)
	s.r.SetConnMaxIdleTime(time.Minute)
	if err := s.r.PingContext(ctx); err != nil {
		s.Close()
		return nil, s.wrapErr(err)
	}
	s.rq, s.wq = newStmtCache(s.r), newStmtCache(s.w)
	if err := s.wq.warm(ctx, txStatements...); err != nil {
		s.Close()
		return nil, s.wrapErr(err)
	}
	return s, nil
}

// OpenSQLiteReadOnly opens an existing catalog for reading only: nothing
// is created, upgraded or written, so it works on a file the user may not
// write (a backup, a copy on read-only media). A catalog whose schema is
// older than this binary's must be opened once with OpenSQLite first;
// every write method fails.
func OpenSQLiteReadOnly(ctx context.Context, path string) (*SQLite, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open catalog: database must be a file path, got %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	} else if fi.IsDir() {
		return nil, fmt.Errorf("open catalog %s: is a directory", path)
	}
	s := &SQLite{path: path, abs: abs}
	s.r, err = sql.Open("sqlite", sqliteDSN(abs,
		"mode=ro",
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeout.Milliseconds())+")",
		"_pragma=query_only(1)",
	))
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	s.r.SetMaxIdleConns(4)
	s.r.SetConnMaxIdleTime(time.Minute)
	s.w = s.r // writes fail: query_only
	var appID, version int
	err = s.r.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version)`).Scan(&appID, &version)
	if err != nil {
		s.r.Close()
		return nil, s.wrapErr(err)
	}
	switch want := len(migrations); {
	case appID != linkrotAppID:
		s.r.Close()
		return nil, fmt.Errorf("open catalog %s: %w: not a linkrot catalog", path, ErrNotDatabase)
	case version > want:
		s.r.Close()
		return nil, &SchemaTooNewError{Have: version, Want: want, Path: path}
	case version < want:
		s.r.Close()
		return nil, fmt.Errorf("open catalog %s: its schema (version %d) is older than this linkrot's (%d); run a command that writes, such as `linkrot add`, once to upgrade it", path, version, want)
	}
	s.rq = newStmtCache(s.r)
	s.wq = s.rq
	if err := s.wq.warm(ctx, txStatements...); err != nil {
		s.rq.close()
		s.r.Close()
		return nil, s.wrapErr(err)
	}
	return s, nil
}

// UpgradeBackup returns the file OpenSQLite copied the catalog to before
// upgrading its schema, or "" if this open did not upgrade. The CLI can tell
// the user where the old copy is; linkrot never deletes it.
func (s *SQLite) UpgradeBackup() string { return s.backupPath }

// open checks that the file is (or can become) a linkrot catalog, turns WAL
// on and applies the pending migrations from ms.
func (s *SQLite) open(ctx context.Context, ms []migration) error {
	var appID, version, objects int
	// These three reads are the first to touch the file: a non-SQLite file
	// fails here, before anything has written to it.
	err := s.w.QueryRowContext(ctx, `SELECT
		(SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_schema)`).Scan(&appID, &version, &objects)
	if err != nil {
		return s.wrapErr(err)
	}
	switch {
	case appID != 0 && appID != linkrotAppID:
		return fmt.Errorf("open catalog %s: %w: it is a SQLite database of another application (application_id %#x)",
			s.path, ErrNotDatabase, appID)
	case appID == 0 && objects > 0:
		// A linkrot catalog gets its application_id in the same transaction
		// as its first table, so tables without it are someone else's.
		return fmt.Errorf("open catalog %s: %w: it is a SQLite database with tables that linkrot did not create",
			s.path, ErrNotDatabase)
	}
	want := len(ms)
	if version > want {
		return &SchemaTooNewError{Have: version, Want: want, Path: s.path}
	}

	// WAL is what lets readers and the writer work at once. It is a
	// property of the file, so setting it once covers every connection.
	mode, err := s.setWAL(ctx)
	if err != nil {
		return s.wrapErr(err)
	}
	if !strings.EqualFold(mode, "wal") {
		// Without WAL a long stream would block every write; better to say
		// so now than to fail with "database is locked" later.
		return fmt.Errorf("open catalog %s: cannot use WAL journal mode (got %q); is it on a network file system?", s.path, mode)
	}
	return s.migrate(ctx, version, ms)
}

// setWAL switches the file to WAL and returns the journal mode it is in.
// Switching needs an exclusive lock, and SQLite answers SQLITE_BUSY at once
// instead of waiting busy_timeout when another process holds one (say it is
// creating the same new catalog), so the wait is done here.
func (s *SQLite) setWAL(ctx context.Context) (string, error) {
	deadline := time.Now().Add(busyTimeout)
	for {
		var mode string
		err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return mode, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sqliteDSN builds a modernc DSN for file path with the given query
// parameters. With the "file:" prefix modernc hands the whole string to
// sqlite3_open_v2 as a URI, where '%', '?' and '#' in the path are special,
// so they are escaped; SQLite ignores the driver's own "_" parameters.
func sqliteDSN(path string, params ...string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	if !strings.HasPrefix(esc, "/") {
		esc = "/" + esc // Windows drive paths: file:/C:/...
	}
	return "file:" + esc + "?" + strings.Join(params, "&")
}

// wrapErr names the catalog in an error from opening it and turns SQLite's "file is not a
// database" into ErrNotDatabase.
func (s *SQLite) wrapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("open catalog %s: %w: the file is not SQLite", s.path, ErrNotDatabase)
	}
	return fmt.Errorf("open catalog %s: %w", s.path, err)
}

// Close closes both pools. The last connection to close checkpoints the
// WAL back into the main file.
func (s *SQLite) Close() error {
	var errs []error
	s.rq.close()
	if s.wq != s.rq {
		s.wq.close()
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil && s.w != s.r {
		// PRAGMA optimize is cheap and keeps query plans good as the
		// catalog grows; SQLite recommends it before closing.
		_, _ = s.w.Exec("PRAGMA optimize")
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction, so stored text
// sorts in time order (time.RFC3339Nano trims zeros and would not).
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// encTime turns t into its stored form: NULL for the zero time, else UTC
// text. Years outside 0000-9999 do not fit the fixed width and are refused.
func encTime(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %v out of range (years 0-9999)", t)
	}
	return t.Format(timeLayout), nil
}

// decTime is encTime backwards: NULL is the zero time; times are UTC.
func decTime(ns sql.NullString) (time.Time, error) {
	if !ns.Valid || ns.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, ns.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", ns.String, err)
	}
	return t.UTC(), nil
}

// Ping checks that the catalog answers (for /healthz).
func (s *SQLite) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("catalog %s: %w", s.path, err)
	}
	return nil
}
