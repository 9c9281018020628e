package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DueQuery pages through the due links of one host (see DueLinksOfHost).
type DueQuery struct {
	Host    string
	AfterID int64 // only links with a larger ID: the last ID of the previous page
	Limit   int
}

// DueHosts streams, in host order, the hosts after afterHost that have at
// least one due link (as DueLinks defines due), at most limit of them. With
// DueLinksOfHost it lets a checker take links a few hosts at a time,
// interleaved, whatever order the links were added in, holding only a page
// per active host in memory.
func (s *SQLite) DueHosts(ctx context.Context, now time.Time, all bool, afterHost string, limit int, fn func(host string) error) error {
	q := `SELECT DISTINCT l.host FROM links l
		WHERE l.host > ? AND EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`
	args := []any{afterHost}
	cond, cargs, err := dueCondition(now, all)
	if err != nil {
		return fmt.Errorf("due hosts: %w", err)
	}
	q += cond + ` ORDER BY l.host LIMIT ?`
	args = append(append(args, cargs...), limit)
	rows, err := s.rq.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("due hosts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return fmt.Errorf("due hosts: %w", err)
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("due hosts: %w", err)
	}
	return nil
}

// CountDue counts what DueLinks would stream, without reading the rows: a
// check run shows it as its progress total.
func (s *SQLite) CountDue(ctx context.Context, now time.Time, all bool) (int, error) {
	cond, args, err := dueCondition(now, all)
	if err != nil {
		return 0, fmt.Errorf("counting due links: %w", err)
	}
	var n int
	err = s.rq.QueryRowContext(ctx, `SELECT COUNT(*) FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)`+cond, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting due links: %w", err)
	}
	return n, nil
}

// DueLinksOfHost streams one page of a host's due links, by ID.
func (s *SQLite) DueLinksOfHost(ctx context.Context, now time.Time, all bool, dq DueQuery, fn func(DueLink) error) error {
	cond, cargs, err := dueCondition(now, all)
	if err != nil {
		return fmt.Errorf("due links of %s: %w", dq.Host, err)
	}
	q := `SELECT ` + dueLinkColumns + `
		FROM links l
		WHERE l.host = ? AND l.id > ? AND EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)` +
		cond + ` ORDER BY l.id LIMIT ?`
	args := append(append([]any{dq.Host, dq.AfterID}, cargs...), dq.Limit)
	rows, err := s.rq.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("due links of %s: %w", dq.Host, err)
	}
	return scanDueLinks(ctx, rows, fn)
}

func dueCondition(now time.Time, all bool) (string, []any, error) {
	if all {
		return "", nil, nil
	}
	t, err := encTime(now)
	if err != nil {
		return "", nil, err
	}
	if t == nil {
		return "", nil, errors.New("zero time")
	}
	return ` AND l.next_check <= ?`, []any{t}, nil
}

// dueLinkColumns selects a DueLink from links l. DefangedOnly is true when
// every occurrence in an existing document was written defanged
// ("hxxp://evil[.]com"): a security indicator, not a link to visit.
const dueLinkColumns = `l.id, l.url, l.host, l.state, l.consecutive_failures, l.first_failure,
		l.last_success, l.moved_to, l.first_seen, l.last_checked, l.next_check,
		NOT EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id
			AND instr(coalesce(o.repairs, ''), '"refanged"') = 0)`

// scanDueLinks calls fn for each row of a due-links query.
func scanDueLinks(ctx context.Context, rows *sql.Rows, fn func(DueLink) error) error {
	return eachRow(ctx, rows, "due links", scanDueLink, fn)
}

func scanDueLink(rows *sql.Rows) (DueLink, error) {
	var (
		d                                          DueLink
		failFirst, success, first, last, nextCheck sql.NullString
	)
	err := rows.Scan(&d.ID, &d.URL, &d.Host, &d.State, &d.ConsecutiveFailures, &failFirst,
		&success, &d.MovedTo, &first, &last, &nextCheck, &d.DefangedOnly)
	if err != nil {
		return d, err
	}
	for _, t := range []struct {
		dst *time.Time
		src sql.NullString
	}{
		{&d.FirstFailure, failFirst}, {&d.LastSuccess, success},
		{&d.FirstSeen, first}, {&d.LastChecked, last}, {&d.NextCheck, nextCheck},
	} {
		if *t.dst, err = decTime(t.src); err != nil {
			return d, fmt.Errorf("%s: %w", d.URL, err)
		}
	}
	return d, nil
}

// eachRow scans every row of rows and hands it to fn, stopping at fn's
// first error (returned as is) or when ctx is done; what names the stream
// in the errors of the query itself. It closes rows.
func eachRow[T any](ctx context.Context, rows *sql.Rows, what string, scan func(*sql.Rows) (T, error), fn func(T) error) error {
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
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
