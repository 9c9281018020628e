// Package storecopy copies a SQLite catalog into a PostgreSQL one, table by
// table, in batches (memory stays bounded whatever the catalog's size),
// then proves the copy: row counts and a checksum per table, computed by
// the same code over the same canonical rendering of each row on both
// sides, must be equal. Running it again is safe: rows already there are
// skipped, and a destination holding other data under the same keys shows
// up as a checksum difference, named, instead of being overwritten.
package storecopy

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
)

// table is a catalog table as both schemas have it.
type table struct {
	name string
	key  []string // primary key: copy and checksum order
	cols []string // in copy order; the key columns are among them
	// bools are the columns SQLite keeps as 0/1 and PostgreSQL as boolean.
	bools []string
	// identity is true when key is an identity column whose sequence must
	// move past the copied IDs.
	identity bool
}

// tables is every catalog table, parents before children (foreign keys).
// locks is left out on purpose: a lock is a live process's, and the copy
// is made with no job running.
var tables = []table{
	{name: "documents", key: []string{"id"}, identity: true, cols: []string{
		"id", "path", "format", "hash", "size", "mod_time", "title", "date", "source_url", "scanned_at", "missing_since"}},
	{name: "links", key: []string{"id"}, identity: true, cols: []string{
		"id", "url", "host", "state", "first_seen", "last_checked", "next_check", "last_success",
		"consecutive_failures", "first_failure", "last_class", "last_status", "last_error", "final_url", "moved_to",
		"archive_url", "archive_time", "archive_source", "archive_checked"}},
	{name: "runs", key: []string{"id"}, identity: true, cols: []string{
		"id", "started_at", "finished_at", "status", "counts", "error", "kind"}},
	{name: "checks", key: []string{"id"}, identity: true, bools: []string{"pending"}, cols: []string{
		"id", "link_id", "run_id", "checked_at", "class", "status_code", "final_url", "redirects", "latency_ms",
		"error", "evidence", "method", "attempts", "pending", "state_before", "state_after"}},
	{name: "occurrences", key: []string{"id"}, identity: true, bools: []string{"repaired"}, cols: []string{
		"id", "document_id", "link_id", "start_offset", "end_offset", "line", "col", "raw", "role", "repaired",
		"repairs", "confidence", "alternatives", "reasons", "verified_at", "extracted_url"}},
	{name: "repair_verdicts", key: []string{"document_id", "raw", "extracted_url"}, cols: []string{
		"document_id", "raw", "extracted_url", "url", "confidence", "alternatives", "reasons", "verified_at"}},
	{name: "snapshots", key: []string{"id"}, identity: true, cols: []string{
		"id", "link_id", "check_id", "captured_at", "url", "status", "content_type", "payload_digest",
		"raw_blob", "html_blob", "text_blob", "warc_file", "warc_offset", "warc_length", "title", "byline",
		"published", "excerpt", "language", "words", "content_hash", "site_name", "warc_type", "warc_record_id",
		"warc_request_offset", "warc_request_length", "last_seen", "seen_count", "replaced"}},
	{name: "archive_lookups", key: []string{"url"}, bools: []string{"found"}, cols: []string{
		"url", "asked_at", "found", "copy_url", "copy_time", "source", "error"}},
	{name: "check_drift", key: []string{"check_id"}, bools: []string{"drifted", "replaced"}, cols: []string{
		"check_id", "link_id", "checked_at", "similarity", "drifted", "replaced", "replaced_reason", "evidence",
		"reference_snapshot_id"}},
}

// skipped are SQLite tables deliberately not copied. links_search (the
// trigram URL index, migration 0012) and its FTS5 shadow tables are
// derived from links; PostgreSQL searches with ILIKE instead.
var skipped = map[string]bool{"locks": true, "sqlite_sequence": true, "sqlite_stat1": true, "sqlite_stat4": true,
	"links_search": true, "links_search_data": true, "links_search_idx": true, "links_search_docsize": true,
	"links_search_config": true, "links_search_content": true}

// Options tune a copy.
type Options struct {
	// BatchRows is how many rows are read, held and written at a time
	// (default 5000): memory is bounded by it, not by the catalog.
	BatchRows int
	// Progress, if set, is called after each batch.
	Progress func(table string, rows int64)
}

// TableReport is what happened to one table.
type TableReport struct {
	Table      string
	SourceRows int64
	DestRows   int64
	Inserted   int64 // rows this run added (0 when re-run over a finished copy)
	SourceSum  string
	DestSum    string
}

// Equal reports whether the copy of the table is proven complete.
func (r TableReport) Equal() bool {
	return r.SourceRows == r.DestRows && r.SourceSum == r.DestSum
}

// Report is the outcome of a copy: one entry per table, in copy order.
type Report struct {
	Tables []TableReport
}

// MismatchError says which tables differ after a copy.
type MismatchError struct{ Tables []TableReport }

func (e *MismatchError) Error() string {
	var parts []string
	for _, t := range e.Tables {
		parts = append(parts, fmt.Sprintf("%s (source %d rows, sha256 %.12s; destination %d rows, sha256 %.12s)",
			t.Table, t.SourceRows, t.SourceSum, t.DestRows, t.DestSum))
	}
	return "the destination differs from the source in " + strings.Join(parts, ", ") +
		": it holds rows that did not come from this catalog, or rows changed since an earlier copy; nothing was overwritten. Copy into an empty database or schema"
}

// Copy copies the SQLite catalog at sqlitePath into the PostgreSQL
// database at pgURL (created or upgraded to the newest schema), then
// compares both. The source is first opened as a catalog (which upgrades
// an old one, keeping a backup, as every linkrot command does) and then
// read through a read-only connection. It returns the report and, if any
// table differs, a *MismatchError.
func Copy(ctx context.Context, sqlitePath, pgURL string, opt Options) (Report, error) {
	if opt.BatchRows <= 0 {
		opt.BatchRows = 5000
	}
	src, err := store.OpenSQLite(ctx, sqlitePath)
	if err != nil {
		return Report{}, fmt.Errorf("source: %w", err)
	}
	src.Close()
	abs, err := filepath.Abs(sqlitePath)
	if err != nil {
		return Report{}, fmt.Errorf("source: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(abs)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return Report{}, fmt.Errorf("source %s: %w", sqlitePath, err)
	}
	defer db.Close()
	if err := checkSourceSchema(ctx, db); err != nil {
		return Report{}, fmt.Errorf("source %s: %w", sqlitePath, err)
	}

	dst, err := postgres.Open(ctx, pgURL)
	if err != nil {
		return Report{}, fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()

	var rep Report
	for _, t := range tables {
		tr := TableReport{Table: t.name}
		if tr.Inserted, err = copyTable(ctx, db, dst.Pool(), t, opt); err != nil {
			return rep, fmt.Errorf("copy %s: %w", t.name, err)
		}
		if t.identity {
			if _, err := dst.Pool().Exec(ctx, fmt.Sprintf(
				`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), COALESCE((SELECT max(id) FROM %[1]s), 0) + 1, false)`, t.name)); err != nil {
				return rep, fmt.Errorf("copy %s: moving its ID sequence: %w", t.name, err)
			}
		}
		if tr.SourceRows, tr.SourceSum, err = checksumSQLite(ctx, db, t); err != nil {
			return rep, fmt.Errorf("checksum of source %s: %w", t.name, err)
		}
		if tr.DestRows, tr.DestSum, err = checksumPostgres(ctx, dst.Pool(), t); err != nil {
			return rep, fmt.Errorf("checksum of destination %s: %w", t.name, err)
		}
		rep.Tables = append(rep.Tables, tr)
	}
	var bad []TableReport
	for _, t := range rep.Tables {
		if !t.Equal() {
			bad = append(bad, t)
		}
	}
	if len(bad) > 0 {
		return rep, &MismatchError{Tables: bad}
	}
	return rep, nil
}

// checkSourceSchema refuses a source with tables or columns the copy does
// not know: they would be lost silently.
func checkSourceSchema(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' ORDER BY m.name, p.cid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	known := map[string][]string{}
	for _, t := range tables {
		known[t.name] = t.cols
	}
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			return err
		}
		if skipped[tbl] {
			continue
		}
		cols, ok := known[tbl]
		if !ok {
			return fmt.Errorf("table %s has no counterpart in PostgreSQL schema version %d; this linkrot cannot copy it without losing it", tbl, postgres.SchemaVersion())
		}
		if !slices.Contains(cols, col) {
			return fmt.Errorf("column %s.%s has no counterpart in PostgreSQL schema version %d; this linkrot cannot copy it without losing it", tbl, col, postgres.SchemaVersion())
		}
	}
	return rows.Err()
}

// copyTable streams t from SQLite in key order, batch by batch, through a
// temporary staging table: COPY is fast, and INSERT ... ON CONFLICT DO
// NOTHING from the stage makes a re-run skip what is there already.
func copyTable(ctx context.Context, src *sql.DB, pool *pgxpool.Pool, t table, opt Options) (int64, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	stage := "linkrot_stage_" + t.name
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE IF NOT EXISTS %s (LIKE %s INCLUDING DEFAULTS)`, stage, t.name)); err != nil {
		return 0, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+stage)
	cols := strings.Join(t.cols, ", ")
	// Into an empty table the batches are COPYed straight in, which is
	// several times faster; a table that has rows (a re-run, or a copy
	// that was interrupted) goes through the stage, so rows already there
	// are skipped instead of failing the batch.
	var empty bool
	if err := conn.QueryRow(ctx, fmt.Sprintf("SELECT NOT EXISTS (SELECT 1 FROM %s)", t.name)).Scan(&empty); err != nil {
		return 0, err
	}

	var inserted, seen int64
	// Keyset pagination rather than one long query: each batch is a short
	// read, so the source stays usable, and memory holds one batch.
	var after []any
	for {
		batch, last, err := readBatch(ctx, src, t, after, opt.BatchRows)
		if err != nil {
			return inserted, err
		}
		if len(batch) == 0 {
			return inserted, nil
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return inserted, err
		}
		if empty {
			n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(batch))
			if err == nil {
				err = tx.Commit(ctx)
			}
			if err != nil {
				tx.Rollback(ctx)
				return inserted, err
			}
			inserted += n
			seen += int64(len(batch))
			if opt.Progress != nil {
				opt.Progress(t.name, seen)
			}
			after = last
			continue
		}
		if _, err := tx.Exec(ctx, "TRUNCATE "+stage); err != nil {
			tx.Rollback(ctx)
			return inserted, err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, t.cols, pgx.CopyFromRows(batch)); err != nil {
			tx.Rollback(ctx)
			return inserted, err
		}
		tag, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT DO NOTHING`, t.name, cols, cols, stage))
		if err != nil {
			tx.Rollback(ctx)
			return inserted, err
		}
		if err := tx.Commit(ctx); err != nil {
			return inserted, err
		}
		inserted += tag.RowsAffected()
		seen += int64(len(batch))
		if opt.Progress != nil {
			opt.Progress(t.name, seen)
		}
		after = last
	}
}

// readBatch reads up to n rows of t after key after (nil: from the
// start), converted for PostgreSQL, and the key of the last one.
func readBatch(ctx context.Context, src *sql.DB, t table, after []any, n int) ([][]any, []any, error) {
	q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(t.cols, ", "), t.name)
	var args []any
	if after != nil {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.key)), ", ")
		q += fmt.Sprintf(" WHERE (%s) > (%s)", strings.Join(t.key, ", "), marks)
		args = after
	}
	q += fmt.Sprintf(" ORDER BY %s LIMIT %d", strings.Join(t.key, ", "), n)
	rows, err := src.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		out  [][]any
		last []any
	)
	keyIdx := make([]int, len(t.key))
	for i, k := range t.key {
		keyIdx[i] = slices.Index(t.cols, k)
	}
	for rows.Next() {
		vals := make([]any, len(t.cols))
		ptrs := make([]any, len(t.cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		for i, c := range t.cols {
			v, err := forPostgres(vals[i], slices.Contains(t.bools, c))
			if err != nil {
				return nil, nil, fmt.Errorf("column %s of row %v: %w", c, keyOf(vals, keyIdx), err)
			}
			vals[i] = v
		}
		last = keyOf(vals, keyIdx)
		out = append(out, vals)
	}
	return out, last, rows.Err()
}

func keyOf(vals []any, idx []int) []any {
	k := make([]any, len(idx))
	for i, j := range idx {
		k[i] = vals[j]
	}
	return k
}

// forPostgres converts a value read from SQLite to what the PostgreSQL
// column takes.
func forPostgres(v any, isBool bool) (any, error) {
	switch x := v.(type) {
	case []byte:
		v = string(x)
	case int64:
		if isBool {
			return x != 0, nil
		}
	case bool:
		if !isBool {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	}
	if s, ok := v.(string); ok && strings.ContainsRune(s, 0) {
		return nil, fmt.Errorf("text holds a NUL byte, which PostgreSQL cannot store")
	}
	return v, nil
}

// canonical writes v in the one rendering both sides share: \N for NULL,
// integers and booleans as decimal (true is 1, as SQLite keeps it),
// floats in Go's shortest form, text quoted.
func canonical(w io.Writer, v any) error {
	var s string
	switch x := v.(type) {
	case nil:
		s = `\N`
	case bool:
		s = "0"
		if x {
			s = "1"
		}
	case int64:
		s = strconv.FormatInt(x, 10)
	case int32:
		s = strconv.FormatInt(int64(x), 10)
	case int:
		s = strconv.Itoa(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			s = strconv.FormatFloat(x, 'f', 1, 64)
		} else {
			s = strconv.FormatFloat(x, 'g', -1, 64)
		}
	case string:
		s = strconv.Quote(x)
	case []byte:
		s = strconv.Quote(string(x))
	default:
		return fmt.Errorf("value %v of type %T has no canonical form", v, v)
	}
	_, err := io.WriteString(w, s)
	return err
}

// rowSum feeds one row into h: values separated by tabs, rows by newlines.
func rowSum(h hash.Hash, vals []any, t table) error {
	for i, v := range vals {
		if i > 0 {
			h.Write([]byte{'\t'})
		}
		// Boolean columns are compared as SQLite keeps them, 0/1.
		if b, ok := v.(bool); ok && slices.Contains(t.bools, t.cols[i]) {
			v = int64(0)
			if b {
				v = int64(1)
			}
		}
		if err := canonical(h, v); err != nil {
			return fmt.Errorf("column %s: %w", t.cols[i], err)
		}
	}
	h.Write([]byte{'\n'})
	return nil
}

func checksumSQLite(ctx context.Context, db *sql.DB, t table) (int64, string, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s",
		strings.Join(t.cols, ", "), t.name, strings.Join(t.key, ", ")))
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	h := sha256.New()
	var n int64
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", err
		}
		if err := rowSum(h, vals, t); err != nil {
			return 0, "", err
		}
		n++
	}
	return n, hex.EncodeToString(h.Sum(nil)), rows.Err()
}

func checksumPostgres(ctx context.Context, pool *pgxpool.Pool, t table) (int64, string, error) {
	rows, err := pool.Query(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s",
		strings.Join(t.cols, ", "), t.name, strings.Join(t.key, ", ")))
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	h := sha256.New()
	var n int64
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return 0, "", err
		}
		if err := rowSum(h, vals, t); err != nil {
			return 0, "", err
		}
		n++
	}
	return n, hex.EncodeToString(h.Sum(nil)), rows.Err()
}
