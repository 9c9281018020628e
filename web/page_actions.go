package web

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkrot/linkrot/fix"
	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
)

// RecheckFunc checks one catalog URL now and records the result, under
// the job lock; it fails with job.ErrJobRunning while a run holds it.
type RecheckFunc func(ctx context.Context, url string) (store.LinkState, string, error)

// recheckHandler is the link page's "recheck now" button. Like run-now,
// a browser form must carry the CSRF token; a bearer client need not.
func (s *Server) recheckHandler(w http.ResponseWriter, r *http.Request) {
	if s.recheck == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "Links cannot be rechecked from this process.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if !s.formAllowed(r) {
		s.fail(w, r, http.StatusForbidden, "The form was stale or came from another site. Reload the page and press the button again.")
		return
	}
	l, err := s.findLink(r.Context(), []string{r.PostFormValue("url")})
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "This URL is not in the catalog.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	outcome := "done"
	if _, _, err := s.recheck(r.Context(), l.URL); err != nil {
		if !errors.Is(err, job.ErrJobRunning) {
			s.log.Error("web: recheck", "url", l.URL, "err", err)
			outcome = "failed"
		} else {
			outcome = "busy"
		}
	}
	s.states.invalidate()
	http.Redirect(w, r, "/link?"+url.Values{"url": {l.URL}, "recheck": {outcome}}.Encode(), http.StatusSeeOther)
}

// recheckFlash turns the recheck redirect's outcome into a sentence.
func recheckFlash(outcome string) (msg string, bad bool) {
	switch outcome {
	case "done":
		return "Rechecked just now; the state below is the new one.", false
	case "busy":
		return "A check run is in progress and holds the catalog; nothing was rechecked. Try again when it has finished.", true
	case "failed":
		return "The recheck could not be done; the server log says why.", true
	}
	return "", false
}

// fixedLink is what "copy the fixed link" offers: the address of a copy
// to paste where the link was, and the same as a Robust Link
// (data-originalurl, data-versionurl, data-versiondate).
type fixedLink struct {
	URL, Robust, Source string
}

// fixedLinkFor prefers the local copy (under web.base_url, else the
// address this page was asked by), then a public archive's.
func (s *Server) fixedLinkFor(r *http.Request, l store.Link, latest *store.Snapshot, public *store.ArchiveCopy) *fixedLink {
	var (
		u, source string
		at        time.Time
	)
	switch {
	case latest != nil:
		base := s.cfg.Web.BaseURL
		if base == "" {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			base = scheme + "://" + r.Host
		}
		u, at, source = fix.LocalCopyURL(base, latest.CapturedAt, l.URL), latest.CapturedAt, "local copy"
	case public != nil && safeurl.Web(public.URL):
		u, at, source = public.URL, public.Time, public.Source+" copy"
	default:
		return nil
	}
	var b strings.Builder
	b.WriteString(`<a href="` + html.EscapeString(l.URL) + `" data-originalurl="` + html.EscapeString(l.URL) +
		`" data-versionurl="` + html.EscapeString(u) + `"`)
	if !at.IsZero() {
		b.WriteString(` data-versiondate="` + at.UTC().Format(time.DateOnly) + `"`)
	}
	b.WriteString(`>` + html.EscapeString(l.URL) + `</a>`)
	return &fixedLink{URL: u, Robust: b.String(), Source: source}
}
