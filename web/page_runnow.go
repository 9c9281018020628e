package web

import (
	"encoding/json"
	"net/http"
	"strings"
)

// runNowHandler starts a run. A browser form must carry the CSRF token;
// a client that authenticated with the bearer token need not, since no
// browser sends that header on its own (and a cross-origin script cannot
// add it without a CORS preflight, which this server never grants).
// formAllowed says whether a parsed POST may change something: it came
// with the bearer token, or from one of our own pages (CSRF token).
func (s *Server) formAllowed(r *http.Request) bool {
	return s.auth.check(r) == authBearer || s.csrf.check(r)
}

func (s *Server) runNowHandler(w http.ResponseWriter, r *http.Request) {
	if s.runNow == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "Runs cannot be started from this process.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if !s.formAllowed(r) {
		s.fail(w, r, http.StatusForbidden, "The form was stale or came from another site. Reload the page and press the button again.")
		return
	}
	started := s.runNow()
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		status := http.StatusAccepted
		if !started {
			status = http.StatusConflict
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]bool{"started": started})
		return
	}
	outcome := "started"
	if !started {
		outcome = "busy"
	}
	http.Redirect(w, r, "/?run="+outcome, http.StatusSeeOther)
}
