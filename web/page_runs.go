package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/linkrot/linkrot/store"
)

type runsView struct {
	Runs       []runRow
	Page       int
	Prev, Next string
}

func (s *Server) runs(w http.ResponseWriter, r *http.Request) {
	v := runsView{Page: positive(r.URL.Query().Get("page"), 1)}
	skip := (v.Page - 1) * pageSize
	more := false
	err := s.cat.Runs(r.Context(), v.Page*pageSize+1, func(run store.Run) error {
		if skip > 0 {
			skip--
			return nil
		}
		if len(v.Runs) == pageSize {
			more = true
			return errStop
		}
		row := newRunRow(run)
		v.Runs = append(v.Runs, row)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		s.internal(w, r, err)
		return
	}
	if v.Page > 1 {
		v.Prev = fmt.Sprintf("/runs?page=%d", v.Page-1)
	}
	if more {
		v.Next = fmt.Sprintf("/runs?page=%d", v.Page+1)
	}
	s.render(w, r, http.StatusOK, "runs.html", "Runs", v)
}
