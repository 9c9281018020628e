package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
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

// Links implements Store.
func (s *SQLite) Links(ctx context.Context, f LinkFilter, fn func(Link) error) error {
	// Counts and roles are correlated subqueries rather than a GROUP BY, so
	// SQLite walks links in url (index) order and hands each row over as
	// soon as it has it: memory does not grow with the number of links.
	q := `SELECT l.id, l.url, l.host, l.state, l.first_seen, l.last_checked, l.next_check,
		(SELECT count(*) FROM ` + presentOccurrences + ` WHERE o.link_id = l.id),
		(SELECT group_concat(DISTINCT o.role) FROM ` + presentOccurrences + ` WHERE o.link_id = l.id)
		FROM links l`
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

	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			l                        Link
			first, last, next, roles sql.NullString
		)
		if err := rows.Scan(&l.ID, &l.URL, &l.Host, &l.State, &first, &last, &next, &l.Occurrences, &roles); err != nil {
			return fmt.Errorf("list links: %w", err)
		}
		if l.FirstSeen, err = decTime(first); err != nil {
			return fmt.Errorf("list links: %s: %w", l.URL, err)
		}
		if l.LastChecked, err = decTime(last); err != nil {
			return fmt.Errorf("list links: %s: %w", l.URL, err)
		}
		if l.NextCheck, err = decTime(next); err != nil {
			return fmt.Errorf("list links: %s: %w", l.URL, err)
		}
		if roles.Valid && roles.String != "" {
			// Roles are validated on save to be "source" or "cited", so
			// the comma separator cannot occur inside one.
			l.Roles = strings.Split(roles.String, ",")
			slices.Sort(l.Roles)
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

// LinkOccurrences implements Store.
func (s *SQLite) LinkOccurrences(ctx context.Context, rawURL string, fn func(LinkOccurrence) error) error {
	var linkID int64
	err := s.r.QueryRowContext(ctx, "SELECT id FROM links WHERE url = ?", rawURL).Scan(&linkID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("link %s: %w", rawURL, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("link %s: %w", rawURL, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+docColumns+`, `+occColumns+`
		FROM `+presentOccurrences+` JOIN links l ON l.id = o.link_id
		WHERE o.link_id = ?
		ORDER BY d.path, o.start_offset, o.id`, linkID)
	if err != nil {
		return fmt.Errorf("occurrences of %s: %w", rawURL, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r occRow
		d, err := scanDocument(rows, &r.url, &r.raw, &r.start, &r.end, &r.line, &r.col, &r.role,
			&r.repaired, &r.repairs, &r.alternatives, &r.reasons, &r.confidence)
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
