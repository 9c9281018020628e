package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/linkrot/linkrot/store"
)

// presentOccurrences is the join every count uses: occurrences in documents
// that are not missing.
const presentOccurrences = `occurrences o JOIN documents d ON d.id = o.document_id AND d.missing_since IS NULL`

// linkColumns selects a Link from links l; counts and roles are
// correlated subqueries, as in SQLite, so rows stream in index order.
const linkColumns = `l.id, l.url, l.host, l.state, l.consecutive_failures, l.first_failure,
	l.last_success, l.moved_to, l.first_seen, l.last_checked, l.next_check,
	l.last_class, l.last_status, l.last_error, l.final_url,
	(SELECT count(*) FROM ` + presentOccurrences + ` WHERE o.link_id = l.id),
	(SELECT string_agg(DISTINCT o.role, ',') FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`

func scanLink(sc pgx.Row, extra ...any) (store.Link, error) {
	var (
		l                        store.Link
		failFirst, success       *string
		first, last, next, roles *string
	)
	dest := append([]any{&l.ID, &l.URL, &l.Host, &l.State, &l.ConsecutiveFailures, &failFirst,
		&success, &l.MovedTo, &first, &last, &next,
		&l.LastClass, &l.LastStatus, &l.LastError, &l.FinalURL,
		&l.Occurrences, &roles}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return store.Link{}, err
	}
	err := decTimes(&l.FirstFailure, failFirst, &l.LastSuccess, success,
		&l.FirstSeen, first, &l.LastChecked, last, &l.NextCheck, next)
	if err != nil {
		return store.Link{}, fmt.Errorf("%s: %w", l.URL, err)
	}
	if roles != nil && *roles != "" {
		l.Roles = strings.Split(*roles, ",")
		slices.Sort(l.Roles)
	}
	return l, nil
}

// args numbers query parameters as they are added.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// Links implements store.Store.
func (s *Store) Links(ctx context.Context, f store.LinkFilter, fn func(store.Link) error) error {
	where, a := linkWhere(f)
	q := `SELECT ` + linkColumns + ` FROM links l`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY l.url"
	rows, err := s.pool.Query(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	return eachRow(ctx, rows, "list links", func(r pgx.Rows) (store.Link, error) { return scanLink(r) }, fn)
}

// LinkPage is store.SQLite's LinkPage: one page of the links that match f
// and contain q (case-insensitively for ASCII: ILIKE on a "C" column), in
// URL order. Counts and roles are computed only for the page's rows.
func (s *Store) LinkPage(ctx context.Context, f store.LinkFilter, q string, offset, limit int, fn func(store.Link) error) error {
	where, a := linkWhere(f)
	if q != "" {
		where = append(where, `l.url ILIKE `+a.add("%"+likeEscaper.Replace(q)+"%")+` ESCAPE '\'`)
	}
	query := `SELECT ` + linkColumns + ` FROM links l`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY l.url LIMIT " + a.add(max(limit, 0)) + " OFFSET " + a.add(max(offset, 0))
	rows, err := s.pool.Query(ctx, query, a...)
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	return eachRow(ctx, rows, "list links", func(r pgx.Rows) (store.Link, error) { return scanLink(r) }, fn)
}

// likeEscaper makes a search text match itself in ILIKE … ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// linkWhere is the WHERE terms of a LinkFilter and their arguments.
func linkWhere(f store.LinkFilter) (where []string, a args) {
	if f.State != "" {
		where = append(where, "l.state = "+a.add(f.State))
	}
	if f.Host != "" {
		where = append(where, "l.host = "+a.add(strings.ToLower(f.Host)))
	}
	if f.Role != "" {
		where = append(where, `EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id AND o.role = `+a.add(f.Role)+`)`)
	}
	if f.DocumentPath != "" {
		where = append(where, `l.id IN (SELECT o.link_id FROM `+presentOccurrences+` WHERE d.path = `+a.add(f.DocumentPath)+`)`)
	}
	return where, a
}

// LinkByURL implements store.CheckStore.
func (s *Store) LinkByURL(ctx context.Context, rawURL string) (store.Link, error) {
	l, err := scanLink(s.pool.QueryRow(ctx, `SELECT `+linkColumns+` FROM links l WHERE l.url = $1`, rawURL))
	if err != nil {
		return store.Link{}, fmt.Errorf("link %s: %w", rawURL, notFound(err))
	}
	return l, nil
}

// LinkOccurrences implements store.Store.
func (s *Store) LinkOccurrences(ctx context.Context, rawURL string, fn func(store.LinkOccurrence) error) error {
	linkID, err := s.linkID(ctx, rawURL)
	if err != nil {
		return fmt.Errorf("link %s: %w", rawURL, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+docColumns+`, `+occColumns+`
		FROM `+presentOccurrences+` JOIN links l ON l.id = o.link_id
		WHERE o.link_id = $1
		ORDER BY d.path, o.start_offset, o.id`, linkID)
	if err != nil {
		return fmt.Errorf("occurrences of %s: %w", rawURL, err)
	}
	return eachRow(ctx, rows, "occurrences of "+rawURL, func(r pgx.Rows) (store.LinkOccurrence, error) {
		var or occRow
		d, err := scanDocument(r, or.dest()...)
		if err != nil {
			return store.LinkOccurrence{}, err
		}
		o, err := or.occurrence()
		return store.LinkOccurrence{Document: d, Occurrence: o}, err
	}, fn)
}

// linkID returns the ID of the link with URL rawURL, store.ErrNotFound if
// there is none.
func (s *Store) linkID(ctx context.Context, rawURL string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, "SELECT id FROM links WHERE url = $1", rawURL).Scan(&id)
	return id, notFound(err)
}

// dueLinkColumns selects a DueLink from links l.
const dueLinkColumns = `l.id, l.url, l.host, l.state, l.consecutive_failures, l.first_failure,
		l.last_success, l.moved_to, l.first_seen, l.last_checked, l.next_check,
		NOT EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id
			AND strpos(coalesce(o.repairs, ''), '"refanged"') = 0)`

func scanDueLink(r pgx.Row) (store.DueLink, error) {
	var (
		d                                          store.DueLink
		failFirst, success, first, last, nextCheck *string
	)
	err := r.Scan(&d.ID, &d.URL, &d.Host, &d.State, &d.ConsecutiveFailures, &failFirst,
		&success, &d.MovedTo, &first, &last, &nextCheck, &d.DefangedOnly)
	if err != nil {
		return d, err
	}
	err = decTimes(&d.FirstFailure, failFirst, &d.LastSuccess, success,
		&d.FirstSeen, first, &d.LastChecked, last, &d.NextCheck, nextCheck)
	if err != nil {
		return d, fmt.Errorf("%s: %w", d.URL, err)
	}
	return d, nil
}

func scanDueLinkRows(r pgx.Rows) (store.DueLink, error) { return scanDueLink(r) }

// dueCondition is the "due at now" condition, or nothing with all.
func dueCondition(a *args, now time.Time, all bool) (string, error) {
	if all {
		return "", nil
	}
	t, err := encTime(now)
	if err != nil {
		return "", err
	}
	if t == nil {
		return "", errors.New("zero time")
	}
	return ` AND l.next_check <= ` + a.add(*t), nil
}

// DueLinks implements store.CheckStore.
func (s *Store) DueLinks(ctx context.Context, now time.Time, all bool, fn func(store.DueLink) error) error {
	var a args
	cond, err := dueCondition(&a, now, all)
	if err != nil {
		return fmt.Errorf("due links: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+dueLinkColumns+` FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)`+cond+`
		ORDER BY l.next_check, l.id`, a...)
	if err != nil {
		return fmt.Errorf("due links: %w", err)
	}
	return eachRow(ctx, rows, "due links", scanDueLinkRows, fn)
}

// CountDue implements store.CheckStore.
func (s *Store) CountDue(ctx context.Context, now time.Time, all bool) (int, error) {
	var a args
	cond, err := dueCondition(&a, now, all)
	if err != nil {
		return 0, fmt.Errorf("counting due links: %w", err)
	}
	var n int
	err = s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)`+cond, a...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("counting due links: %w", err)
	}
	return n, nil
}

// DueHosts implements store.CheckStore.
func (s *Store) DueHosts(ctx context.Context, now time.Time, all bool, afterHost string, limit int, fn func(host string) error) error {
	var a args
	q := `SELECT DISTINCT l.host FROM links l
		WHERE l.host > ` + a.add(afterHost) + ` AND EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`
	cond, err := dueCondition(&a, now, all)
	if err != nil {
		return fmt.Errorf("due hosts: %w", err)
	}
	q += cond + ` ORDER BY l.host LIMIT ` + a.add(limit)
	rows, err := s.pool.Query(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("due hosts: %w", err)
	}
	return eachRow(ctx, rows, "due hosts", func(r pgx.Rows) (string, error) {
		var h string
		err := r.Scan(&h)
		return h, err
	}, fn)
}

// DueLinksOfHost implements store.CheckStore.
func (s *Store) DueLinksOfHost(ctx context.Context, now time.Time, all bool, dq store.DueQuery, fn func(store.DueLink) error) error {
	var a args
	q := `SELECT ` + dueLinkColumns + ` FROM links l
		WHERE l.host = ` + a.add(dq.Host) + ` AND l.id > ` + a.add(dq.AfterID) +
		` AND EXISTS (SELECT 1 FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)`
	cond, err := dueCondition(&a, now, all)
	if err != nil {
		return fmt.Errorf("due links of %s: %w", dq.Host, err)
	}
	q += cond + ` ORDER BY l.id LIMIT ` + a.add(dq.Limit)
	rows, err := s.pool.Query(ctx, q, a...)
	if err != nil {
		return fmt.Errorf("due links of %s: %w", dq.Host, err)
	}
	return eachRow(ctx, rows, "due links of "+dq.Host, scanDueLinkRows, fn)
}

// LinkStateCounts implements store.CheckStore.
func (s *Store) LinkStateCounts(ctx context.Context) (map[store.LinkState]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT l.state, count(*) FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id)
		GROUP BY l.state`)
	if err != nil {
		return nil, fmt.Errorf("counting links by state: %w", err)
	}
	counts := map[store.LinkState]int{}
	err = eachRow(ctx, rows, "counting links by state", func(r pgx.Rows) (struct{}, error) {
		var st store.LinkState
		var n int
		err := r.Scan(&st, &n)
		if st == "" {
			st = store.StateUnchecked
		}
		counts[st] += n
		return struct{}{}, err
	}, func(struct{}) error { return nil })
	if err != nil {
		return nil, err
	}
	return counts, nil
}
