package web

import (
	"errors"
	"net/http"

	"github.com/linkrot/linkrot/store"
)

type linkView struct {
	L          store.Link
	Occs       []store.LinkOccurrence
	MoreOccs   int
	Checks     []store.CheckRecord
	MoreChecks int
	Snaps      []store.Snapshot
	MoreSnaps  int
	HasCopy    bool            // a good local copy exists
	Latest     *store.Snapshot // the newest good local copy
	Public     *store.ArchiveCopy
	Fixed      *fixedLink // what to paste instead of the link; nil without a copy
	CanRecheck bool
	Flash      string
	FlashBad   bool
}

// How many of each list the link page shows; the rest are counted.
const (
	maxOccs   = 500
	maxChecks = 200
	maxSnaps  = 200
)

func (s *Server) link(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	raw := r.URL.Query().Get("url")
	if raw == "" {
		http.Redirect(w, r, "/links", http.StatusSeeOther)
		return
	}
	l, err := s.findLink(ctx, []string{raw})
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "This URL is not in the catalog: "+raw)
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := linkView{L: l, CanRecheck: s.recheck != nil}
	v.Flash, v.FlashBad = recheckFlash(r.URL.Query().Get("recheck"))
	err = s.cat.LinkOccurrences(ctx, l.URL, func(o store.LinkOccurrence) error {
		if len(v.Occs) < maxOccs {
			v.Occs = append(v.Occs, o)
		} else {
			v.MoreOccs++
		}
		return nil
	})
	if err == nil {
		err = s.cat.History(ctx, l.URL, func(c store.CheckRecord) error {
			if len(v.Checks) < maxChecks {
				v.Checks = append(v.Checks, c)
			} else {
				v.MoreChecks++
			}
			return nil
		})
	}
	if err == nil {
		err = s.cat.Snapshots(ctx, l.URL, func(sn store.Snapshot) error {
			v.HasCopy = v.HasCopy || sn.Good()
			if sn.Good() && (v.Latest == nil || sn.CapturedAt.After(v.Latest.CapturedAt)) {
				latest := sn
				v.Latest = &latest
			}
			if len(v.Snaps) < maxSnaps {
				v.Snaps = append(v.Snaps, sn)
			} else {
				v.MoreSnaps++
			}
			return nil
		})
	}
	if err == nil {
		var c store.ArchiveCopy
		if c, err = s.cat.ArchiveCopy(ctx, l.URL); err == nil && !c.CheckedAt.IsZero() {
			v.Public = &c
		}
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Fixed = s.fixedLinkFor(r, l, v.Latest, v.Public)
	s.render(w, r, http.StatusOK, "link.html", l.URL, v)
}
