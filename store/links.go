package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// hostOf returns the lower-case host name of rawURL without port, or "" if
// it has none (mailto:, unparsable text). A URL without a scheme
// ("www.example.com/page", which extraction finds in prose) is read as if it
// began with "http://"; only the host is taken from that reading, the stored
// URL is left as it was found.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err == nil && u.Host != "" {
		return strings.ToLower(u.Hostname())
	}
	if err == nil && u.Scheme != "" && !looksLikePort(u.Opaque) {
		return "" // mailto:x@y, tel:..., https:// with no host: nothing to guess
	}
	u, err = url.Parse("http://" + strings.TrimPrefix(rawURL, "//"))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// looksLikePort reports whether the opaque part after "host:" starts with a
// port number, as in "example.com:8080/x", which url.Parse takes for a URL
// with scheme "example.com".
func looksLikePort(opaque string) bool {
	digits := 0
	for _, c := range opaque {
		if c < '0' || c > '9' {
			break
		}
		digits++
	}
	if digits == 0 {
		return false
	}
	rest := opaque[digits:]
	return rest == "" || rest[0] == '/' || rest[0] == '?' || rest[0] == '#'
}

// presentOccurrences is the join every count uses: occurrences in documents
// that are not missing.
const presentOccurrences = `occurrences o JOIN documents d ON d.id = o.document_id AND d.missing_since IS NULL`

// linkColumns selects a Link from links l. Counts and roles are
// correlated subqueries rather than a GROUP BY, so SQLite walks links in
// index order and hands each row over as soon as it has it: memory does not
// grow with the number of links.
const linkColumns = `l.id, l.url, l.host, l.state, l.consecutive_failures, l.first_failure,
	l.last_success, l.moved_to, l.first_seen, l.last_checked, l.next_check,
	l.last_class, l.last_status, l.last_error, l.final_url,
	(SELECT count(*) FROM ` + presentOccurrences + ` WHERE o.link_id = l.id),
	(SELECT group_concat(DISTINCT o.role) FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`

func scanLink(sc interface{ Scan(...any) error }) (Link, error) {
	var (
		l                        Link
		failFirst, success       sql.NullString
		first, last, next, roles sql.NullString
	)
	err := sc.Scan(&l.ID, &l.URL, &l.Host, &l.State, &l.ConsecutiveFailures, &failFirst,
		&success, &l.MovedTo, &first, &last, &next,
		&l.LastClass, &l.LastStatus, &l.LastError, &l.FinalURL,
		&l.Occurrences, &roles)
	if err != nil {
		return Link{}, err
	}
	for _, t := range []struct {
		dst *time.Time
		src sql.NullString
	}{
		{&l.FirstFailure, failFirst}, {&l.LastSuccess, success},
		{&l.FirstSeen, first}, {&l.LastChecked, last}, {&l.NextCheck, next},
	} {
		if *t.dst, err = decTime(t.src); err != nil {
			return Link{}, fmt.Errorf("%s: %w", l.URL, err)
		}
	}
	if roles.Valid && roles.String != "" {
		// Roles are validated on save to be "source" or "cited", so
		// the comma separator cannot occur inside one.
		l.Roles = strings.Split(roles.String, ",")
		slices.Sort(l.Roles)
	}
	return l, nil
}

// Links implements Store.
func (s *SQLite) Links(ctx context.Context, f LinkFilter, fn func(Link) error) error {
	q := `SELECT ` + linkColumns + ` FROM links l`
	var (
		where []string
		args  []any
	)
	if f.State != "" {
		where = append(where, "l.state = ?")
		args = append(args, f.State)
	}
	if f.Host != "" {
		where = append(where, "l.host = ?")
		args = append(args, strings.ToLower(f.Host))
	}
	if f.Role != "" {
		where = append(where, `EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id AND o.role = ?)`)
		args = append(args, f.Role)
	}
	if f.DocumentPath != "" {
		where = append(where, `l.id IN (SELECT o.link_id FROM `+presentOccurrences+` WHERE d.path = ?)`)
		args = append(args, f.DocumentPath)
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY l.url"

	rows, err := s.rq.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return fmt.Errorf("list links: %w", err)
		}
		if err := fn(l); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	return nil
}

// LinkByURL implements CheckStore.
func (s *SQLite) LinkByURL(ctx context.Context, rawURL string) (Link, error) {
	l, err := scanLink(s.rq.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM links l WHERE l.url = ?`, rawURL))
	if errors.Is(err, sql.ErrNoRows) {
		return Link{}, fmt.Errorf("link %s: %w", rawURL, ErrNotFound)
	}
	if err != nil {
		return Link{}, fmt.Errorf("link %s: %w", rawURL, err)
	}
	return l, nil
}

// DueLinks implements CheckStore.
func (s *SQLite) DueLinks(ctx context.Context, now time.Time, all bool, fn func(DueLink) error) error {
	q := `SELECT ` + dueLinkColumns + `
		FROM links l
		WHERE EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`
	var args []any
	if !all {
		t, err := encTime(now)
		if err != nil {
			return fmt.Errorf("due links: %w", err)
		}
		if t == nil {
			return errors.New("due links: zero time")
		}
		// Stored times are fixed-width UTC text, so text order is time
		// order and one range of the links_next_check index serves both
		// the filter and the ORDER BY (its entries are (next_check,
		// rowid)): the scan stops at the first link not due. next_check is
		// never NULL (migration 0003 filled the old NULLs).
		q += ` AND l.next_check <= ?`
		args = append(args, t)
	}
	q += ` ORDER BY l.next_check, l.id`

	rows, err := s.rq.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("due links: %w", err)
	}
	return scanDueLinks(ctx, rows, fn)
}

// LinkOccurrences implements Store.
func (s *SQLite) LinkOccurrences(ctx context.Context, rawURL string, fn func(LinkOccurrence) error) error {
	var linkID int64
	err := s.rq.QueryRowContext(ctx, "SELECT id FROM links WHERE url = ?", rawURL).Scan(&linkID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("link %s: %w", rawURL, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("link %s: %w", rawURL, err)
	}
	rows, err := s.rq.QueryContext(ctx, `SELECT `+docColumns+`, `+occColumns+`
		FROM `+presentOccurrences+` JOIN links l ON l.id = o.link_id
		WHERE o.link_id = ?
		ORDER BY d.path, o.start_offset, o.id`, linkID)
	if err != nil {
		return fmt.Errorf("occurrences of %s: %w", rawURL, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r occRow
		d, err := scanDocument(rows, r.dest()...)
		if err != nil {
			return fmt.Errorf("occurrences of %s: %w", rawURL, err)
		}
		o, err := r.occurrence()
		if err != nil {
			return fmt.Errorf("occurrences of %s in %s: %w", rawURL, d.Path, err)
		}
		if err := fn(LinkOccurrence{Document: d, Occurrence: o}); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("occurrences of %s: %w", rawURL, err)
	}
	return nil
}

// LinkStateCounts counts the links in use (cited by a document that is not
// missing) by state, in one query: the dashboard, /metrics and the run
// summaries ask for it.
func (s *SQLite) LinkStateCounts(ctx context.Context) (map[LinkState]int, error) {
	rows, err := s.rq.QueryContext(ctx, `SELECT l.state, COUNT(*) FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)
		GROUP BY l.state`)
	if err != nil {
		return nil, fmt.Errorf("counting links by state: %w", err)
	}
	defer rows.Close()
	counts := map[LinkState]int{}
	for rows.Next() {
		var st LinkState
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("counting links by state: %w", err)
		}
		if st == "" {
			st = StateUnchecked
		}
		counts[st] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting links by state: %w", err)
	}
	return counts, nil
}
