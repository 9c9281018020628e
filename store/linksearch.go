package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LinkPage calls fn with one page of the links that match f and contain
// q (case-insensitively for ASCII; "" matches all), in URL order: the
// offset links before the page are skipped and at most limit are given.
//
// Filtering and paging happen in SQLite, so the occurrence count and
// roles (linkColumns' subqueries) are computed only for the rows of the
// page, and the walk in URL order (the url index) stops after the page:
// the UI's /links and a catalog of a million links answer in milliseconds
// instead of computing them for every link (docs/benchmarks.md).
func (s *SQLite) LinkPage(ctx context.Context, f LinkFilter, q string, offset, limit int, fn func(Link) error) error {
	where, args := linkWhere(f)
	if q != "" {
		ids, few, err := s.searchCandidates(ctx, q)
		if err != nil {
			return fmt.Errorf("list links: %w", err)
		}
		if few {
			// The trigram index narrowed the links to the few that can
			// match; the LIKE below still decides, so results are the
			// same as without it (the index folds case beyond ASCII).
			where = append(where, `l.id IN (SELECT value FROM json_each(?))`)
			args = append(args, ids)
		}
		where = append(where, `l.url LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscaper.Replace(q)+"%")
	}
	query := `SELECT ` + linkColumns + ` FROM links l`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if f.AttentionFirst {
		query += " ORDER BY " + attentionOrder + ", l.first_failure IS NULL, l.first_failure, l.url LIMIT ? OFFSET ?"
	} else {
		query += " ORDER BY l.url LIMIT ? OFFSET ?"
	}
	args = append(args, max(limit, 0), max(offset, 0))
	rows, err := s.rq.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	return eachRow(ctx, rows, "list links", func(r *sql.Rows) (Link, error) { return scanLink(r) }, fn)
}

// attentionOrder ranks states by how much they need a look; a state this
// list does not know sorts after all of them.
const attentionOrder = `CASE l.state WHEN 'dead' THEN 0 WHEN 'suspect' THEN 1 WHEN 'blocked' THEN 2
	WHEN 'moved' THEN 3 WHEN 'alive' THEN 4 WHEN 'unchecked' THEN 5 WHEN 'excluded' THEN 6 ELSE 7 END`

// searchCap is how many index matches make a search "common": the
// links then are not taken from the index (reading and sorting all its
// matches took 1.2 s for a text in every one of a million URLs) but by
// the walk in URL order, which meets 50 matches soon when so many match.
var searchCap = 10_000

// searchCandidates returns, as a JSON array, the ids of the links the
// trigram index finds for q, and whether there are fewer than searchCap of
// them. Reading stops at searchCap, so it is cheap however many links
// match, and the index is read once (counting first, then matching again
// in the page's query, cost twice as much).
func (s *SQLite) searchCandidates(ctx context.Context, q string) (string, bool, error) {
	if !searchIndexed(q) {
		return "", false, nil
	}
	rows, err := s.rq.QueryContext(ctx, `SELECT rowid FROM links_search WHERE links_search MATCH ? LIMIT ?`, ftsString(q), searchCap)
	if err != nil {
		return "", false, fmt.Errorf("search index: %w", err)
	}
	defer rows.Close()
	b := []byte{'['}
	n := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return "", false, fmt.Errorf("search index: %w", err)
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
		n++
	}
	if err := rows.Err(); err != nil {
		return "", false, fmt.Errorf("search index: %w", err)
	}
	return string(append(b, ']')), n < searchCap, nil
}

// searchIndexed reports whether the trigram index (links_search,
// migration 0012) can answer a search for q: it needs three characters
// (shorter ones match no trigram) and valid UTF-8 (the tokenizer's
// reading of invalid bytes is not LIKE's).
func searchIndexed(q string) bool {
	return utf8.ValidString(q) && utf8.RuneCountInString(q) >= 3 && !strings.ContainsRune(q, 0)
}

// ftsString quotes q as one FTS5 string, so that every character of it
// (quotes, *, AND, column names) is text to find, not query syntax.
func ftsString(q string) string {
	return `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
}

// likeEscaper makes a search text match itself in LIKE … ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// linkWhere is the WHERE terms of a LinkFilter, as Links has them.
func linkWhere(f LinkFilter) (where []string, args []any) {
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
	return where, args
}
