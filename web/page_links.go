package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/linkrot/linkrot/store"
)

type linksView struct {
	State, Host, Doc, Q string
	Sort                string // "" (what needs attention first) or "url"
	States              []string
	Rows                []linkRow
	Page, Size          int
	Prev, Next          string // addresses of the neighbouring pages, "" at the ends
	BadState            bool
}

const (
	pageSize    = 50
	maxPageSize = 500
)

// linkRow is a link as the table shows it, with where a copy of it is.
type linkRow struct {
	store.Link
	Copy string // "local", "public" or "none"
}

// Reason is the class and status of the check that set a failing state;
// "" for a link that is not failing.
func (l linkRow) Reason() string {
	if l.ConsecutiveFailures == 0 && l.State != store.StateDead && l.State != store.StateSuspect && l.State != store.StateBlocked {
		return ""
	}
	r := l.LastClass
	if l.LastStatus != 0 {
		r += " " + strconv.Itoa(l.LastStatus)
	}
	return strings.TrimSpace(r)
}

// copyOf says where a copy of u can be had: a good local snapshot first,
// else a public archive's memento the lookups found.
func (s *Server) copyOf(r *http.Request, u string) (string, error) {
	local := false
	err := s.cat.Snapshots(r.Context(), u, func(sn store.Snapshot) error {
		if sn.Good() {
			local = true
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return "", err
	}
	if local {
		return "local", nil
	}
	c, err := s.cat.ArchiveCopy(r.Context(), u)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if c.URL != "" {
		return "public", nil
	}
	return "none", nil
}

// links lists the links that match the filters, one page at a time. The
// catalog streams them by URL; rows before the page are skipped without
// being kept, and the stream stops one row after the page (to know there
// is a next one), so memory holds one page whatever the catalog's size.
func (s *Server) links(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := linksView{
		State: q.Get("state"), Host: strings.TrimSpace(q.Get("host")), Doc: q.Get("doc"),
		Q: strings.TrimSpace(q.Get("q")), States: states,
	}
	if q.Get("sort") == "url" {
		v.Sort = "url"
	}
	v.Page = positive(q.Get("page"), 1)
	v.Size = min(positive(q.Get("n"), pageSize), maxPageSize)
	if v.State != "" && !isKnownState(v.State) {
		v.BadState = true
	}
	// One query for the page and one row more (to know there is a next
	// page); filtering and paging happen in the catalog (store.LinkPage).
	// By default what needs attention comes first: dead, suspect,
	// blocked, moved, alive…, the longest failing first within a state.
	f := store.LinkFilter{State: store.LinkState(v.State), Host: v.Host, DocumentPath: v.Doc, AttentionFirst: v.Sort == ""}
	err := s.cat.LinkPage(r.Context(), f, v.Q, (v.Page-1)*v.Size, v.Size+1, func(l store.Link) error {
		v.Rows = append(v.Rows, linkRow{Link: l})
		return nil
	})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	more := len(v.Rows) > v.Size
	v.Rows = v.Rows[:min(len(v.Rows), v.Size)]
	// Two small lookups a row, on one page of at most maxPageSize rows.
	for i := range v.Rows {
		if v.Rows[i].Copy, err = s.copyOf(r, v.Rows[i].URL); err != nil {
			s.internal(w, r, err)
			return
		}
	}
	page := func(n int) string {
		p := url.Values{}
		for k, val := range map[string]string{"state": v.State, "host": v.Host, "doc": v.Doc, "q": v.Q, "sort": v.Sort} {
			if val != "" {
				p.Set(k, val)
			}
		}
		if v.Size != pageSize {
			p.Set("n", strconv.Itoa(v.Size))
		}
		if n > 1 {
			p.Set("page", strconv.Itoa(n))
		}
		if len(p) == 0 {
			return "/links"
		}
		return "/links?" + p.Encode()
	}
	if v.Page > 1 {
		v.Prev = page(v.Page - 1)
	}
	if more {
		v.Next = page(v.Page + 1)
	}
	s.render(w, r, http.StatusOK, "links.html", "Links", v)
}

func positive(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return def
	}
	return n
}
