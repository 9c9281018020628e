package web

import (
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
	// One query for the page and one row more (to know there is a next
	// page); filtering and paging happen in the catalog (store.LinkPage).
	err := s.cat.LinkPage(r.Context(), store.LinkFilter{State: store.LinkState(v.State), Host: v.Host, DocumentPath: v.Doc}, v.Q,
		(v.Page-1)*v.Size, v.Size+1, func(l store.Link) error {
			v.Rows = append(v.Rows, l)
			return nil
		})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	more := len(v.Rows) > v.Size
	v.Rows = v.Rows[:min(len(v.Rows), v.Size)]
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
