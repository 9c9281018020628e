package fakeweb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var cdxFields = []string{"urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"}

func cdxField(name string) int {
	for i, f := range cdxFields {
		if f == name {
			return i
		}
	}
	return -1
}

func (c capture) row() []string {
	mime, _, _ := strings.Cut(c.ctype, ";")
	return []string{c.key, c.ts, c.original, mime, strconv.Itoa(c.status), c.digest, strconv.Itoa(len(c.body))}
}

// cdxQuery is a parsed CDX request.
type cdxQuery struct {
	match         func(urlkey string) bool
	from, to      string // padded 14-digit bounds, inclusive
	filters       []cdxFilter
	collapseField int // -1: no collapsing
	collapseN     int // compare this many leading characters; 0: all
	fields        []int
	limit         int // > 0 first N, < 0 last N, 0 all
	resume        string
	showResume    bool
	json          bool
}

type cdxFilter struct {
	field int
	neg   bool
	re    *regexp.Regexp
}

// parseCDX reads url with matchType (or a leading "*." / trailing "*"),
// from, to, filter, collapse, fl, limit, showResumeKey, resumeKey and
// output. Errors are for the client (400).
func parseCDX(q url.Values) (*cdxQuery, error) {
	raw := q.Get("url")
	if raw == "" {
		return nil, errors.New("missing url")
	}
	matchType := q.Get("matchType")
	if rest, ok := strings.CutPrefix(raw, "*."); ok {
		raw, matchType = rest, "domain"
	} else if rest, ok := strings.CutSuffix(raw, "*"); ok {
		raw, matchType = rest, "prefix"
	}
	key, err := urlKey(raw)
	if err != nil {
		return nil, fmt.Errorf("bad url: %w", err)
	}
	cq := &cdxQuery{
		to:            "99999999999999",
		collapseField: -1,
		fields:        []int{0, 1, 2, 3, 4, 5, 6},
		showResume:    q.Get("showResumeKey") == "true",
		json:          q.Get("output") == "json",
	}
	hostPart, _, _ := strings.Cut(key, ")")
	switch matchType {
	case "", "exact":
		cq.match = func(k string) bool { return k == key }
	case "prefix":
		cq.match = func(k string) bool { return strings.HasPrefix(k, key) }
	case "host":
		cq.match = func(k string) bool { return strings.HasPrefix(k, hostPart+")") }
	case "domain":
		cq.match = func(k string) bool {
			return strings.HasPrefix(k, hostPart+")") || strings.HasPrefix(k, hostPart+",")
		}
	default:
		return nil, fmt.Errorf("bad matchType %q", matchType)
	}
	if v := q.Get("from"); v != "" {
		if cq.from, _ = padTS(v, false); cq.from == "" {
			return nil, fmt.Errorf("bad from %q", v)
		}
	}
	if v := q.Get("to"); v != "" {
		if cq.to, _ = padTS(v, true); cq.to == "" {
			return nil, fmt.Errorf("bad to %q", v)
		}
	}
	for _, f := range q["filter"] {
		neg := strings.HasPrefix(f, "!")
		name, expr, ok := strings.Cut(strings.TrimPrefix(f, "!"), ":")
		idx := cdxField(name)
		if !ok || idx < 0 {
			return nil, fmt.Errorf("bad filter %q", f)
		}
		// Wayback matches the whole field (Java's Matcher.matches).
		re, err := regexp.Compile("^(?:" + expr + ")$")
		if err != nil {
			return nil, fmt.Errorf("bad filter %q: %w", f, err)
		}
		cq.filters = append(cq.filters, cdxFilter{idx, neg, re})
	}
	if v := q.Get("collapse"); v != "" {
		name, n, hasN := strings.Cut(v, ":")
		cq.collapseField = cdxField(name)
		if hasN {
			cq.collapseN, err = strconv.Atoi(n)
		}
		if cq.collapseField < 0 || err != nil || cq.collapseN < 0 {
			return nil, fmt.Errorf("bad collapse %q", v)
		}
	}
	if v := q.Get("fl"); v != "" {
		cq.fields = nil
		for _, name := range strings.Split(v, ",") {
			idx := cdxField(strings.TrimSpace(name))
			if idx < 0 {
				return nil, fmt.Errorf("bad fl %q", v)
			}
			cq.fields = append(cq.fields, idx)
		}
	}
	if v := q.Get("limit"); v != "" {
		if cq.limit, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("bad limit %q", v)
		}
	}
	cq.resume = q.Get("resumeKey")
	// Resume keys are handed out query-escaped, as Wayback's are; a client
	// that escapes them again is undone by the query parser.
	if strings.ContainsAny(cq.resume, "%+") {
		if u, err := url.QueryUnescape(cq.resume); err == nil {
			cq.resume = u
		}
	}
	return cq, nil
}

// cdxRows selects, in urlkey then timestamp order: match and from/to, then
// the resume point, filters, collapsing (adjacent rows only) and the limit.
// more is the resume key when a positive limit cut the result short.
func (a *Archive) cdxRows(cq *cdxQuery) (rows [][]string, more string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	keys := make([]string, 0, len(a.caps))
	for k := range a.caps {
		if cq.match(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var prevCollapse string
	for _, k := range keys {
	caps:
		for _, c := range a.caps[k] {
			if c.ts < cq.from || c.ts > cq.to || (cq.resume != "" && c.key+" "+c.ts <= cq.resume) {
				continue
			}
			row := c.row()
			for _, f := range cq.filters {
				if f.re.MatchString(row[f.field]) == f.neg {
					continue caps
				}
			}
			if cq.collapseField >= 0 {
				v := row[cq.collapseField]
				if cq.collapseN > 0 && len(v) > cq.collapseN {
					v = v[:cq.collapseN]
				}
				if len(rows) > 0 && v == prevCollapse {
					continue
				}
				prevCollapse = v
			}
			rows = append(rows, row)
		}
	}
	switch {
	case cq.limit > 0 && len(rows) > cq.limit:
		last := rows[cq.limit-1]
		more = url.QueryEscape(last[0] + " " + last[1])
		rows = rows[:cq.limit]
	case cq.limit < 0 && len(rows) > -cq.limit:
		rows = rows[len(rows)+cq.limit:]
	}
	return rows, more
}

// cdx is the Wayback CDX server. JSON output is one array per line with a
// header row first, "[]" when nothing matches; text output is
// space-separated lines without a header.
func (a *Archive) cdx(rw http.ResponseWriter, r *http.Request) {
	cq, err := parseCDX(r.URL.Query())
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	rows, more := a.cdxRows(cq)
	if !cq.showResume {
		more = ""
	}
	lines := make([][]string, 0, len(rows)+1)
	if cq.json && len(rows) > 0 {
		header := make([]string, len(cq.fields))
		for i, f := range cq.fields {
			header[i] = cdxFields[f]
		}
		lines = append(lines, header)
	}
	for _, row := range rows {
		pick := make([]string, len(cq.fields))
		for i, f := range cq.fields {
			pick[i] = row[f]
		}
		lines = append(lines, pick)
	}

	var b strings.Builder
	if !cq.json {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, l := range lines {
			b.WriteString(strings.Join(l, " ") + "\n")
		}
		if more != "" {
			b.WriteString("\n" + more + "\n")
		}
		rw.Write([]byte(b.String()))
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	b.WriteString("[")
	for i, l := range lines {
		if i > 0 {
			b.WriteString(",\n")
		}
		j, _ := json.Marshal(l)
		b.Write(j)
	}
	if more != "" {
		j, _ := json.Marshal(more)
		fmt.Fprintf(&b, ",\n[],\n[%s]", j)
	}
	b.WriteString("]\n")
	rw.Write([]byte(b.String()))
}
