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
	States              []string
	Rows                []store.Link
	Page, Size          int
	Prev, Next          string // addresses of the neighbouring pages, "" at the ends
	BadState            bool
}

const (
	pageSize    = 50
	maxPageSize = 500
)

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
	v.Page = positive(q.Get("page"), 1)
	v.Size = min(positive(q.Get("n"), pageSize), maxPageSize)
	if v.State != "" && !isKnownState(v.State) {
		v.BadState = true
	}
	needle := strings.ToLower(v.Q)
	skip := (v.Page - 1) * v.Size
	more := false
	err := s.cat.Links(r.Context(), store.LinkFilter{State: store.LinkState(v.State), Host: v.Host, DocumentPath: v.Doc}, func(l store.Link) error {
		if needle != "" && !strings.Contains(strings.ToLower(l.URL), needle) {
			return nil
		}
		if skip > 0 {
			skip--
			return nil
		}
		if len(v.Rows) == v.Size {
			more = true
			return errStop
		}
		v.Rows = append(v.Rows, l)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		s.internal(w, r, err)
		return
	}
	page := func(n int) string {
		p := url.Values{}
		for k, val := range map[string]string{"state": v.State, "host": v.Host, "doc": v.Doc, "q": v.Q} {
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
