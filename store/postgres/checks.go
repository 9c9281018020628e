package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// checkRow is a CheckRecord in its stored form, encoded before any
// transaction starts so that a refused record writes nothing.
type checkRow struct {
	runID               *int64
	checkedAt           *string
	redirects, evidence *string
}

func encCheck(c store.CheckRecord) (checkRow, error) {
	if c.Class == "" {
		return checkRow{}, errors.New("empty class")
	}
	if c.CheckedAt.IsZero() {
		return checkRow{}, errors.New("zero CheckedAt")
	}
	if c.LinkID == 0 && c.URL == "" {
		return checkRow{}, errors.New("neither link ID nor URL")
	}
	if c.Pending && c.RunID == 0 {
		return checkRow{}, errors.New("a pending check needs a run to be resolved by")
	}
	var (
		r   checkRow
		err error
	)
	if c.RunID != 0 {
		r.runID = &c.RunID
	}
	if r.checkedAt, err = encTime(c.CheckedAt); err != nil {
		return checkRow{}, err
	}
	if len(c.Redirects) > 0 {
		b, err := json.Marshal(c.Redirects)
		if err != nil {
			return checkRow{}, err
		}
		s := string(b)
		r.redirects = &s
	}
	if r.evidence, err = encList(c.Evidence); err != nil {
		return checkRow{}, err
	}
	return r, nil
}

// stateRow is a LinkState and next check in their stored form.
type stateRow struct {
	st                              store.LinkStatus
	firstFailure, lastSuccess, next *string
}

func encState(st store.LinkStatus, next time.Time) (stateRow, error) {
	if st.State == "" {
		return stateRow{}, errors.New("empty state")
	}
	if st.ConsecutiveFailures < 0 {
		return stateRow{}, fmt.Errorf("negative failure count %d", st.ConsecutiveFailures)
	}
	r := stateRow{st: st}
	var err error
	if r.firstFailure, err = encTime(st.FirstFailure); err != nil {
		return stateRow{}, fmt.Errorf("first failure: %w", err)
	}
	if r.lastSuccess, err = encTime(st.LastSuccess); err != nil {
		return stateRow{}, fmt.Errorf("last success: %w", err)
	}
	if r.next, err = encTime(next); err != nil {
		return stateRow{}, fmt.Errorf("next check: %w", err)
	}
	return r, nil
}

// linkStateSet is the SET list that gives a link the state of parameters
// $17..$22 (state, failures, first failure, last success, moved to, next
// check; $1..$16 are the check's in recordCheckIn) and its last check from
// c, a row of checks.
var linkStateSet = stateSet(17)

// stateSet is linkStateSet with the state's parameters from $first on.
func stateSet(first int) string {
	p := func(i int) string { return fmt.Sprintf("$%d", first+i) }
	return `state = ` + p(0) + `, consecutive_failures = ` + p(1) + `, first_failure = ` + p(2) +
		`, last_success = ` + p(3) + `, moved_to = ` + p(4) + `, next_check = COALESCE(` + p(5) + `, c.checked_at),
		last_checked = c.checked_at, last_class = c.class, last_status = c.status_code,
		last_error = c.error, final_url = c.final_url`
}

// setLinkState writes a link's state and, as its last check, check
// checkID. A zero next check is stored as the check's time, so the link
// is due at once. Leases are left alone: ending them is the queue's
// business (Complete), which knows the run.
func setLinkState(ctx context.Context, tx pgx.Tx, checkID int64, r stateRow) error {
	tag, err := tx.Exec(ctx, `
		UPDATE links SET `+stateSet(2)+`
		FROM (SELECT link_id, checked_at, class, status_code, error, final_url FROM checks WHERE id = $1) AS c
		WHERE links.id = c.link_id`,
		checkID, r.st.State, r.st.ConsecutiveFailures, r.firstFailure, r.lastSuccess, r.st.MovedTo, r.next)
	if err != nil {
		return err
	}
	if n := tag.RowsAffected(); n != 1 {
		return fmt.Errorf("updating the link of check %d: %d rows", checkID, n)
	}
	return nil
}

// RecordCheck implements store.CheckStore.
func (s *Store) RecordCheck(ctx context.Context, c store.CheckRecord, state *store.LinkStatus, nextCheck time.Time) (int64, error) {
	what := c.URL
	if what == "" {
		what = fmt.Sprintf("link %d", c.LinkID)
	}
	if c.Pending && state != nil {
		return 0, fmt.Errorf("record check of %s: a pending check cannot change state", what)
	}
	row, err := encCheck(c)
	if err != nil {
		return 0, fmt.Errorf("record check of %s: %w", what, err)
	}
	var st stateRow
	if state != nil {
		if st, err = encState(*state, nextCheck); err != nil {
			return 0, fmt.Errorf("record check of %s: %w", what, err)
		}
	}
	id, err := s.recordCheck(ctx, c, row, state != nil, st)
	if err != nil {
		return 0, fmt.Errorf("record check of %s: %w", what, err)
	}
	return id, nil
}

func (s *Store) recordCheck(ctx context.Context, c store.CheckRecord, row checkRow, setState bool, st stateRow) (int64, error) {
	// One statement, so its own transaction; it locks the link row
	// (recordCheckIn).
	return recordCheckIn(ctx, s.pool, c, row, setState, st)
}

// ApplyPending implements store.CheckStore.
func (s *Store) ApplyPending(ctx context.Context, checkID int64, state store.LinkStatus, nextCheck time.Time) error {
	st, err := encState(state, nextCheck)
	if err != nil {
		return fmt.Errorf("apply pending check %d: %w", checkID, err)
	}
	if err := s.applyPending(ctx, checkID, st); err != nil {
		return fmt.Errorf("apply pending check %d: %w", checkID, err)
	}
	return nil
}

func (s *Store) applyPending(ctx context.Context, checkID int64, st stateRow) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `UPDATE checks SET pending = false,
			state_before = (SELECT l.state FROM links l WHERE l.id = checks.link_id), state_after = $1
		WHERE id = $2 AND pending`, st.st.State, checkID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("no such pending check: %w", store.ErrNotFound)
	}
	if err := setLinkState(ctx, tx, checkID, st); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// MarkRunNetworkDown implements store.CheckStore.
func (s *Store) MarkRunNetworkDown(ctx context.Context, runID int64) (int, error) {
	// SET expressions see the row as it was, so the note gets the class
	// observed before it is overwritten.
	tag, err := s.pool.Exec(ctx, `
		UPDATE checks SET
			evidence = (COALESCE(evidence, '[]')::jsonb ||
				to_jsonb('observed ' || class || '; the run judged the checker''s network down'))::text,
			class = $1,
			pending = false
		WHERE run_id = $2 AND pending`, store.ClassNetworkDown, runID)
	if err != nil {
		return 0, fmt.Errorf("mark run %d network down: %w", runID, err)
	}
	return int(tag.RowsAffected()), nil
}

// checkColumns selects a CheckRecord from checks c joined with links l.
const checkColumns = `c.id, c.link_id, COALESCE(c.run_id, 0), l.url, c.checked_at, c.class,
	c.status_code, c.final_url, c.redirects, c.method, c.latency_ms, c.attempts, c.error,
	c.evidence, c.pending`

func scanCheck(sc pgx.Row, extra ...any) (store.CheckRecord, error) {
	var (
		c                       store.CheckRecord
		at, redirects, evidence *string
	)
	dest := append([]any{&c.ID, &c.LinkID, &c.RunID, &c.URL, &at, &c.Class,
		&c.Status, &c.FinalURL, &redirects, &c.Method, &c.LatencyMS, &c.Attempts, &c.Error,
		&evidence, &c.Pending}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return store.CheckRecord{}, err
	}
	var err error
	if c.CheckedAt, err = decTime(at); err != nil {
		return store.CheckRecord{}, err
	}
	if redirects != nil && *redirects != "" {
		if err := json.Unmarshal([]byte(*redirects), &c.Redirects); err != nil {
			return store.CheckRecord{}, fmt.Errorf("stored redirects %q: %w", *redirects, err)
		}
		if len(c.Redirects) == 0 {
			c.Redirects = nil
		}
	}
	if c.Evidence, err = decList(evidence); err != nil {
		return store.CheckRecord{}, err
	}
	return c, nil
}

func (s *Store) streamChecks(ctx context.Context, what, q string, a []any, fn func(store.CheckRecord) error) error {
	rows, err := s.pool.Query(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r pgx.Rows) (store.CheckRecord, error) { return scanCheck(r) }, fn)
}

// PendingChecks implements store.CheckStore.
func (s *Store) PendingChecks(ctx context.Context, runID int64, fn func(store.CheckRecord) error) error {
	return s.streamChecks(ctx, fmt.Sprintf("pending checks of run %d", runID),
		`SELECT `+checkColumns+` FROM checks c JOIN links l ON l.id = c.link_id
		WHERE c.run_id = $1 AND c.pending ORDER BY c.id`, []any{runID}, fn)
}

// History implements store.CheckStore.
func (s *Store) History(ctx context.Context, rawURL string, fn func(store.CheckRecord) error) error {
	linkID, err := s.linkID(ctx, rawURL)
	if err != nil {
		return fmt.Errorf("history of %s: %w", rawURL, err)
	}
	return s.streamChecks(ctx, "history of "+rawURL,
		`SELECT `+checkColumns+` FROM checks c JOIN links l ON l.id = c.link_id
		WHERE c.link_id = $1 ORDER BY c.checked_at DESC, c.id DESC`, []any{linkID}, fn)
}

// BeginRun implements store.CheckStore.
func (s *Store) BeginRun(ctx context.Context, startedAt time.Time, kind string) (int64, error) {
	if startedAt.IsZero() {
		startedAt = time.Now()
	}
	t, err := encTime(startedAt)
	if err != nil {
		return 0, fmt.Errorf("begin run: %w", err)
	}
	var id int64
	err = s.pool.QueryRow(ctx, "INSERT INTO runs (started_at, status, kind) VALUES ($1, $2, $3) RETURNING id",
		t, store.RunRunning, kind).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("begin run: %w", err)
	}
	return id, nil
}

// FinishRun implements store.CheckStore.
func (s *Store) FinishRun(ctx context.Context, runID int64, finishedAt time.Time, status store.RunStatus, summary *store.RunSummary) error {
	switch status {
	case store.RunOK, store.RunNetworkDown, store.RunInterrupted, store.RunFailed:
	default:
		return fmt.Errorf("finish run %d: status %q is not one of %s, %s, %s, %s",
			runID, status, store.RunOK, store.RunNetworkDown, store.RunInterrupted, store.RunFailed)
	}
	if finishedAt.IsZero() {
		return fmt.Errorf("finish run %d: no finish time", runID)
	}
	t, err := encTime(finishedAt)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	var counts *string
	if summary != nil {
		b, err := json.Marshal(summary)
		if err != nil {
			return fmt.Errorf("finish run %d: %w", runID, err)
		}
		c := string(b)
		counts = &c
	}
	tag, err := s.pool.Exec(ctx,
		"UPDATE runs SET finished_at = $1, status = $2, counts = $3 WHERE id = $4 AND status = $5",
		t, status, counts, runID, store.RunRunning)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var prev string
	if err := s.pool.QueryRow(ctx, "SELECT status FROM runs WHERE id = $1", runID).Scan(&prev); err != nil {
		return fmt.Errorf("finish run %d: %w", runID, notFound(err))
	}
	return fmt.Errorf("finish run %d: already finished (%s)", runID, prev)
}

// Runs implements store.CheckStore.
func (s *Store) Runs(ctx context.Context, limit int, fn func(store.Run) error) error {
	q := `SELECT id, kind, started_at, finished_at, status, counts FROM runs ORDER BY started_at DESC, id DESC`
	var a args
	if limit > 0 {
		q += ` LIMIT ` + a.add(limit)
	}
	rows, err := s.pool.Query(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("list runs: %w", err)
	}
	return eachRow(ctx, rows, "list runs", func(rows pgx.Rows) (store.Run, error) {
		var (
			r                        store.Run
			started, finished, count *string
		)
		if err := rows.Scan(&r.ID, &r.Kind, &started, &finished, &r.Status, &count); err != nil {
			return r, err
		}
		if err := decTimes(&r.StartedAt, started, &r.FinishedAt, finished); err != nil {
			return r, fmt.Errorf("run %d: %w", r.ID, err)
		}
		if count != nil && *count != "" {
			if err := json.Unmarshal([]byte(*count), &r.Summary); err != nil {
				return r, fmt.Errorf("run %d: stored counts %q: %w", r.ID, *count, err)
			}
		}
		return r, nil
	}, fn)
}
