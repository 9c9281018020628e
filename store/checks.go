package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// checkRow is a CheckRecord in its stored form, encoded before any
// transaction starts so that a refused record writes nothing.
type checkRow struct {
	runID               sql.NullInt64
	checkedAt           any
	redirects, evidence sql.NullString
}

func encCheck(c CheckRecord) (checkRow, error) {
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
		r.runID = sql.NullInt64{Int64: c.RunID, Valid: true}
	}
	if r.checkedAt, err = encTime(c.CheckedAt); err != nil {
		return checkRow{}, err
	}
	if len(c.Redirects) > 0 {
		b, err := json.Marshal(c.Redirects)
		if err != nil {
			return checkRow{}, err
		}
		r.redirects = sql.NullString{String: string(b), Valid: true}
	}
	if r.evidence, err = encList(c.Evidence); err != nil {
		return checkRow{}, err
	}
	return r, nil
}

// stateRow is a LinkStatus and next check in their stored form.
type stateRow struct {
	st                              LinkStatus
	firstFailure, lastSuccess, next any
}

func encState(st LinkStatus, next time.Time) (stateRow, error) {
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

// setLinkState writes a link's state and, as its last check, the check
// checkID (which must exist in the same transaction). A zero next check is
// stored as the check's time, not NULL, so that DueLinks can find due
// links with one index range.
const sqlSetLinkState = `
		UPDATE links SET
			state = ?, consecutive_failures = ?, first_failure = ?, last_success = ?, moved_to = ?,
			next_check = COALESCE(?, c.checked_at),
			last_checked = c.checked_at, last_class = c.class, last_status = c.status_code,
			last_error = c.error, final_url = c.final_url
		FROM (SELECT link_id, checked_at, class, status_code, error, final_url FROM checks WHERE id = ?) AS c
		WHERE links.id = c.link_id`

// sqlKeepLinkState is sqlSetLinkState for a link whose state stays what it
// is (most links, most nights). SQLite rewrites an index entry for every
// indexed column an UPDATE names, changed or not, so naming state would
// cost links_state_url and links_state_next_check an entry each.
const sqlKeepLinkState = `
		UPDATE links SET
			consecutive_failures = ?, first_failure = ?, last_success = ?, moved_to = ?,
			next_check = COALESCE(?, c.checked_at),
			last_checked = c.checked_at, last_class = c.class, last_status = c.status_code,
			last_error = c.error, final_url = c.final_url
		FROM (SELECT link_id, checked_at, class, status_code, error, final_url FROM checks WHERE id = ?) AS c
		WHERE links.id = c.link_id`

// setLinkState writes r to the link of check checkID; was is the link's
// state before, when known ("" if not).
func (s *SQLite) setLinkState(ctx context.Context, tx *sql.Tx, checkID int64, r stateRow, was LinkState) error {
	var res sql.Result
	var err error
	if was != "" && was == r.st.State {
		res, err = s.wq.inTx(ctx, tx, sqlKeepLinkState).ExecContext(ctx,
			r.st.ConsecutiveFailures, r.firstFailure, r.lastSuccess, r.st.MovedTo,
			r.next, checkID)
	} else {
		res, err = s.wq.inTx(ctx, tx, sqlSetLinkState).ExecContext(ctx,
			r.st.State, r.st.ConsecutiveFailures, r.firstFailure, r.lastSuccess, r.st.MovedTo,
			r.next, checkID)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("updating the link of check %d: %d rows, %v", checkID, n, err)
	}
	return nil
}

// RecordCheck implements CheckStore.
func (s *SQLite) RecordCheck(ctx context.Context, c CheckRecord, state *LinkStatus, nextCheck time.Time) (int64, error) {
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

func (s *SQLite) recordCheck(ctx context.Context, c CheckRecord, row checkRow, setState bool, st stateRow) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	id, err := s.recordCheckTx(ctx, tx, c, row, setState, st)
	if err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// recordCheckTx writes one check (and the link's state) in tx.
func (s *SQLite) recordCheckTx(ctx context.Context, tx *sql.Tx, c CheckRecord, row checkRow, setState bool, st stateRow) (int64, error) {
	var after LinkState
	if setState {
		after = st.st.State
	}
	var id int64
	var was LinkState // the link's state before, read with setState
	if c.LinkID != 0 {
		// One statement reads the link's state and inserts the check (a
		// check run's path): a separate SELECT first was a fifth of the
		// write's cost. No row means no such link or another URL, told
		// apart below.
		err := s.wq.inTx(ctx, tx, sqlInsertCheckByID).QueryRowContext(ctx,
			row.runID, row.checkedAt, c.Class, c.Status, c.FinalURL, row.redirects,
			c.Method, c.LatencyMS, c.Attempts, c.Error, row.evidence, c.Pending, setState, after,
			c.LinkID, c.URL, c.URL,
		).Scan(&id, &was)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, s.whyNoLink(ctx, tx, c)
		}
		if err != nil {
			return 0, err
		}
	} else {
		// The link's state is read in the same transaction that replaces
		// it, so the check's state_before is the state it really changed.
		var linkID int64
		var prevState LinkState
		err := s.wq.inTx(ctx, tx, sqlLinkIDByURL).QueryRowContext(ctx, c.URL).Scan(&linkID, &prevState)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, ErrNotFound
		}
		if err != nil {
			return 0, err
		}
		// A check that sets no state records no transition ('' both).
		var before LinkState
		if setState {
			before, was = prevState, prevState
		}
		err = s.wq.inTx(ctx, tx, sqlInsertCheck).QueryRowContext(ctx,
			linkID, row.runID, row.checkedAt, c.Class, c.Status, c.FinalURL, row.redirects,
			c.Method, c.LatencyMS, c.Attempts, c.Error, row.evidence, c.Pending, before, after,
		).Scan(&id)
		if err != nil {
			return 0, err
		}
	}
	if setState {
		if err := s.setLinkState(ctx, tx, id, st, was); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// whyNoLink explains why a check by link ID inserted nothing.
func (s *SQLite) whyNoLink(ctx context.Context, tx *sql.Tx, c CheckRecord) error {
	var u string
	var state LinkState
	err := s.wq.inTx(ctx, tx, sqlLinkURLByID).QueryRowContext(ctx, c.LinkID).Scan(&u, &state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return err
	case c.URL != "" && u != c.URL:
		return fmt.Errorf("link %d is %s, not %s", c.LinkID, u, c.URL)
	}
	return fmt.Errorf("link %d: the check was not inserted", c.LinkID)
}

const (
	sqlLinkURLByID = "SELECT url, state FROM links WHERE id = ?"
	sqlLinkIDByURL = "SELECT id, state FROM links WHERE url = ?"
	sqlInsertCheck = `
		INSERT INTO checks (link_id, run_id, checked_at, class, status_code, final_url, redirects,
			method, latency_ms, attempts, error, evidence, pending, state_before, state_after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`
	// sqlInsertCheckByID is sqlInsertCheck for a link given by ID whose
	// state before is read from the link in the same statement (only when
	// the check sets a state), and whose URL, when given, must match.
	sqlInsertCheckByID = `
		INSERT INTO checks (link_id, run_id, checked_at, class, status_code, final_url, redirects,
			method, latency_ms, attempts, error, evidence, pending, state_before, state_after)
		SELECT l.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN l.state ELSE '' END, ?
		FROM links l WHERE l.id = ? AND (? = '' OR l.url = ?)
		RETURNING id, state_before`
)

// ApplyPending implements CheckStore.
func (s *SQLite) ApplyPending(ctx context.Context, checkID int64, state LinkStatus, nextCheck time.Time) error {
	st, err := encState(state, nextCheck)
	if err != nil {
		return fmt.Errorf("apply pending check %d: %w", checkID, err)
	}
	if err := s.applyPending(ctx, checkID, st); err != nil {
		return fmt.Errorf("apply pending check %d: %w", checkID, err)
	}
	return nil
}

func (s *SQLite) applyPending(ctx context.Context, checkID int64, st stateRow) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The transition is recorded from the link's state as it is now, in
	// this transaction, before setLinkState replaces it: a pending check
	// is applied to whatever state the link has at the end of its run.
	res, err := tx.ExecContext(ctx, `UPDATE checks SET pending = 0,
			state_before = (SELECT l.state FROM links l WHERE l.id = checks.link_id), state_after = ?
		WHERE id = ? AND pending = 1`, st.st.State, checkID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("no such pending check: %w", ErrNotFound)
	}
	if err := s.setLinkState(ctx, tx, checkID, st, ""); err != nil {
		return err
	}
	return tx.Commit()
}

// MarkRunNetworkDown implements CheckStore.
func (s *SQLite) MarkRunNetworkDown(ctx context.Context, runID int64) (int, error) {
	// SET expressions see the row as it was, so the evidence note gets the
	// class observed before it is overwritten. '$[#]' appends to a JSON
	// array.
	res, err := s.w.ExecContext(ctx, `
		UPDATE checks SET
			evidence = json_insert(COALESCE(evidence, '[]'), '$[#]',
				'observed ' || class || '; the run judged the checker''s network down'),
			class = ?,
			pending = 0
		WHERE run_id = ? AND pending = 1`, ClassNetworkDown, runID)
	if err != nil {
		return 0, fmt.Errorf("mark run %d network down: %w", runID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("mark run %d network down: %w", runID, err)
	}
	return int(n), nil
}

// checkColumns selects a CheckRecord from checks c joined with links l.
const checkColumns = `c.id, c.link_id, COALESCE(c.run_id, 0), l.url, c.checked_at, c.class,
	c.status_code, c.final_url, c.redirects, c.method, c.latency_ms, c.attempts, c.error,
	c.evidence, c.pending`

func scanCheck(sc interface{ Scan(...any) error }) (CheckRecord, error) {
	var (
		c                       CheckRecord
		at, redirects, evidence sql.NullString
	)
	err := sc.Scan(&c.ID, &c.LinkID, &c.RunID, &c.URL, &at, &c.Class,
		&c.Status, &c.FinalURL, &redirects, &c.Method, &c.LatencyMS, &c.Attempts, &c.Error,
		&evidence, &c.Pending)
	if err != nil {
		return CheckRecord{}, err
	}
	if c.CheckedAt, err = decTime(at); err != nil {
		return CheckRecord{}, err
	}
	if redirects.Valid && redirects.String != "" {
		if err := json.Unmarshal([]byte(redirects.String), &c.Redirects); err != nil {
			return CheckRecord{}, fmt.Errorf("stored redirects %q: %w", redirects.String, err)
		}
		if len(c.Redirects) == 0 {
			c.Redirects = nil
		}
	}
	if c.Evidence, err = decList(evidence); err != nil {
		return CheckRecord{}, err
	}
	return c, nil
}

// streamChecks runs q and calls fn for each check; what names the stream
// in errors.
func (s *SQLite) streamChecks(ctx context.Context, what, q string, args []any, fn func(CheckRecord) error) error {
	rows, err := s.rq.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return eachRow(ctx, rows, what, func(r *sql.Rows) (CheckRecord, error) { return scanCheck(r) }, fn)
}

// PendingChecks implements CheckStore.
func (s *SQLite) PendingChecks(ctx context.Context, runID int64, fn func(CheckRecord) error) error {
	return s.streamChecks(ctx, fmt.Sprintf("pending checks of run %d", runID),
		`SELECT `+checkColumns+` FROM checks c JOIN links l ON l.id = c.link_id
		WHERE c.run_id = ? AND c.pending = 1 ORDER BY c.id`, []any{runID}, fn)
}

// History implements CheckStore.
func (s *SQLite) History(ctx context.Context, rawURL string, fn func(CheckRecord) error) error {
	var linkID int64
	err := s.rq.QueryRowContext(ctx, "SELECT id FROM links WHERE url = ?", rawURL).Scan(&linkID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("history of %s: %w", rawURL, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("history of %s: %w", rawURL, err)
	}
	// checks_link_time serves this in reverse; id breaks ties between
	// checks recorded at the same instant, latest recorded first.
	return s.streamChecks(ctx, "history of "+rawURL,
		`SELECT `+checkColumns+` FROM checks c JOIN links l ON l.id = c.link_id
		WHERE c.link_id = ? ORDER BY c.checked_at DESC, c.id DESC`, []any{linkID}, fn)
}
