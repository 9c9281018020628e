package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/store"
)

// The local archive as Memento (RFC 7089) sees it: the original resource
// (URI-R) is a link of the catalog, each good snapshot is a memento
// (URI-M, /web/<14 digits>/<URI-R>), /timegate/<URI-R> negotiates on
// Accept-Datetime and /timemap/link/<URI-R> lists them all. Memento times
// have whole seconds; of two snapshots in the same second the later one
// stands for it.

// memento is one local copy as Memento names it.
type memento struct {
	ID int64
	At time.Time // captured, truncated to the second, UTC
}

// mementos returns the good snapshots of linkURL, oldest first. A link
// has at most one snapshot per archive.min_interval (a day by default), so
// holding its list is cheap, and every response needs the first and the
// last anyway.
func (s *Server) mementos(ctx context.Context, linkURL string) ([]memento, error) {
	var out []memento
	// Newest first: the first snapshot seen in a second is the later one.
	err := s.cat.Snapshots(ctx, linkURL, func(sn store.Snapshot) error {
		if !sn.Good() {
			return nil
		}
		at := sn.CapturedAt.UTC().Truncate(time.Second)
		if n := len(out); n > 0 && out[n-1].At.Equal(at) {
			return nil
		}
		out = append(out, memento{ID: sn.ID, At: at})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// closest returns the index of the memento nearest t, either side; of two
// equally near, the earlier (the rule of store.SnapshotClosest).
func closest(ms []memento, t time.Time) int {
	i := sort.Search(len(ms), func(i int) bool { return !ms[i].At.Before(t) })
	switch {
	case i == 0:
		return 0
	case i == len(ms):
		return len(ms) - 1
	case ms[i].At.Sub(t) < t.Sub(ms[i-1].At):
		return i
	default:
		return i - 1
	}
}

// linkValue is one entry of a Link header or a TimeMap.
func linkValue(target, rel string, params ...string) string {
	v := "<" + target + `>; rel="` + rel + `"`
	for i := 0; i+1 < len(params); i += 2 {
		v += "; " + params[i] + `="` + params[i+1] + `"`
	}
	return v
}

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// mementoLinks are the Link entries of a TimeGate or memento response:
// the original, the TimeGate (withGate), the TimeMap, and the mementos
// first, previous, current, next and last, each once with all its
// relation types ("first last memento" for an only copy).
func mementoLinks(base, uriR string, ms []memento, cur int, withGate bool) []string {
	r := pathURL(uriR)
	out := []string{linkValue(r, "original")}
	if withGate {
		out = append(out, linkValue(base+timegatePrefix+r, "timegate"))
	}
	out = append(out, linkValue(base+timemapPrefix+r, "timemap", "type", "application/link-format",
		"from", httpDate(ms[0].At), "until", httpDate(ms[len(ms)-1].At)))
	rels := map[int][]string{}
	mark := func(i int, rel string) {
		if i >= 0 && i < len(ms) {
			rels[i] = append(rels[i], rel)
		}
	}
	mark(0, "first")
	mark(len(ms)-1, "last")
	mark(cur-1, "prev")
	mark(cur+1, "next")
	mark(cur, "")
	idx := make([]int, 0, len(rels))
	for i := range rels {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		words := []string{}
		for _, w := range rels[i] {
			if w != "" {
				words = append(words, w)
			}
		}
		words = append(words, "memento")
		out = append(out, linkValue(base+mementoPath(ms[i].At, uriR), strings.Join(words, " "),
			"datetime", httpDate(ms[i].At)))
	}
	return out
}

// mementoTarget finds the link and its mementos for a Memento request;
// on failure it has answered.
func (s *Server) mementoTarget(w http.ResponseWriter, r *http.Request, raw string) (store.Link, []memento, bool) {
	if raw == "" {
		s.fail(w, r, http.StatusBadRequest, "Put the original URL after the prefix, e.g. /timegate/https://example.com/page.")
		return store.Link{}, nil, false
	}
	l, err := s.findLink(r.Context(), uriCandidates(raw))
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "This URL is not in the catalog: "+raw)
		return store.Link{}, nil, false
	}
	if err != nil {
		s.internal(w, r, err)
		return store.Link{}, nil, false
	}
	ms, err := s.mementos(r.Context(), l.URL)
	if err != nil {
		s.internal(w, r, err)
		return store.Link{}, nil, false
	}
	if len(ms) == 0 {
		s.fail(w, r, http.StatusNotFound, "There is no local copy of "+l.URL+".")
		return store.Link{}, nil, false
	}
	return l, ms, true
}

// timegate answers /timegate/<URI-R> with a 302 to the memento closest to
// Accept-Datetime (the latest without one).
func (s *Server) timegate(w http.ResponseWriter, r *http.Request) {
	// Every answer depends on Accept-Datetime, errors included.
	w.Header().Set("Vary", "accept-datetime")
	at := time.Time{}
	if h := r.Header.Get("Accept-Datetime"); h != "" {
		t, err := parseAcceptDatetime(h)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, "Accept-Datetime must be an HTTP date (RFC 1123), e.g. \"Sun, 26 Jan 2014 20:08:00 GMT\".")
			return
		}
		at = t
	}
	l, ms, ok := s.mementoTarget(w, r, rawRest(r, timegatePrefix))
	if !ok {
		return
	}
	cur := len(ms) - 1
	if !at.IsZero() {
		cur = closest(ms, at)
	}
	base := baseURL(r)
	h := w.Header()
	h.Set("Location", base+mementoPath(ms[cur].At, l.URL))
	h.Set("Link", strings.Join(mementoLinks(base, l.URL, ms, cur, false), ", "))
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusFound)
	fmt.Fprintf(w, "closest local copy: %s\n", h.Get("Location"))
}

// parseAcceptDatetime reads an RFC 1123 date (and the other forms HTTP
// dates take, as clients differ).
func parseAcceptDatetime(h string) (time.Time, error) {
	h = strings.TrimSpace(h)
	if t, err := http.ParseTime(h); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC1123Z, h)
	return t.UTC(), err
}

// timemap answers /timemap/link/<URI-R> with every local memento in
// application/link-format.
func (s *Server) timemap(w http.ResponseWriter, r *http.Request) {
	l, ms, ok := s.mementoTarget(w, r, rawRest(r, timemapPrefix))
	if !ok {
		return
	}
	base, u := baseURL(r), pathURL(l.URL)
	// A browser asks for HTML and would download link-format as a file;
	// it gets the same list as a page. Everything else gets RFC 7089's
	// link-format.
	w.Header().Set("Vary", "Accept")
	if wantsHTML(r.Header.Get("Accept")) {
		s.timemapPage(w, r, l, ms)
		return
	}
	w.Header().Set("Content-Type", "application/link-format")
	w.Header().Set("Cache-Control", "no-cache")
	bw := bufio.NewWriter(w)
	entries := []string{
		linkValue(u, "original"),
		linkValue(base+timegatePrefix+u, "timegate"),
		linkValue(base+timemapPrefix+u, "self", "type", "application/link-format",
			"from", httpDate(ms[0].At), "until", httpDate(ms[len(ms)-1].At)),
	}
	for _, e := range entries {
		bw.WriteString(e + ",\n")
	}
	for i, m := range ms {
		rel := "memento"
		switch {
		case len(ms) == 1:
			rel = "first last memento"
		case i == 0:
			rel = "first memento"
		case i == len(ms)-1:
			rel = "last memento"
		}
		bw.WriteString(linkValue(base+mementoPath(m.At, l.URL), rel, "datetime", httpDate(m.At)))
		if i < len(ms)-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.Flush()
}

// memento answers /web/<stamp>/<URI-R>: the copy captured in that second,
// or a redirect to the closest one when the stamp names no copy exactly.
func (s *Server) memento(w http.ResponseWriter, r *http.Request) {
	rest := rawRest(r, mementoPrefix)
	stamp, raw, found := strings.Cut(rest, "/")
	if !found {
		s.fail(w, r, http.StatusBadRequest, "A memento address is /web/YYYYMMDDhhmmss/URL.")
		return
	}
	at, exact, err := parseStamp(stamp)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	l, ms, ok := s.mementoTarget(w, r, raw)
	if !ok {
		return
	}
	cur := closest(ms, at)
	base := baseURL(r)
	if !exact || !ms[cur].At.Equal(at) {
		h := w.Header()
		h.Set("Location", base+mementoPath(ms[cur].At, l.URL))
		h.Set("Link", strings.Join([]string{linkValue(pathURL(l.URL), "original"),
			linkValue(base+timegatePrefix+pathURL(l.URL), "timegate")}, ", "))
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusFound)
		fmt.Fprintf(w, "closest local copy: %s\n", h.Get("Location"))
		return
	}
	links := strings.Join(mementoLinks(base, l.URL, ms, cur, true), ", ")
	s.serveCopy(w, r, l.URL, ms[cur], func(h http.Header) {
		h.Set("Memento-Datetime", httpDate(ms[cur].At))
		h.Set("Link", links)
	})
}

// serveCopy writes the memento m of linkURL: its readable page when it
// has one, else its raw bytes as a download (a PDF, an image), always
// under the sandbox policy. extra adds headers before they are sent.
func (s *Server) serveCopy(w http.ResponseWriter, r *http.Request, linkURL string, m memento, extra func(http.Header)) {
	if s.arc == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "The archive is not available in this process.")
		return
	}
	sn, err := s.snapshotByID(r.Context(), m.ID, linkURL)
	if err != nil {
		s.snapshotErr(w, r, err)
		return
	}
	if sn.HTMLBlob == "" {
		s.restoreSnapshot(w, r, sn, archive.FormatRaw, func(h http.Header) {
			attachment(h, sn, archive.FormatRaw)
			extra(h)
		})
		return
	}
	s.restoreSnapshot(w, r, sn, archive.FormatHTML, extra)
}

// goHandler sends a reader to the live page while it works and to the
// local copy once it is dead: a stable address to cite. Only catalog URLs
// are served, so it is no open redirect.
func (s *Server) goHandler(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.Query().Get("url")
	if raw == "" {
		s.fail(w, r, http.StatusBadRequest, "Give the URL to open: /go?url=https://example.com/page.")
		return
	}
	l, err := s.findLink(r.Context(), []string{raw})
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "gone.html", "Not in the catalog", goneView{URL: raw, Unknown: true})
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the answer changes when the link dies
	if l.State != store.StateDead {
		if safeurl.Web(l.URL) {
			http.Redirect(w, r, l.URL, http.StatusFound)
			return
		}
		// mailto:, a scheme-less URL from prose: not something to redirect to.
		s.render(w, r, http.StatusOK, "gone.html", "Open link", goneView{URL: l.URL, Link: l, NotWeb: true})
		return
	}
	ms, err := s.mementos(r.Context(), l.URL)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if len(ms) > 0 {
		// Not http.Redirect: it cleans a relative path, and "https://"
		// inside this one would lose a slash.
		w.Header().Set("Location", mementoPath(ms[len(ms)-1].At, l.URL))
		w.WriteHeader(http.StatusFound)
		return
	}
	v := goneView{URL: l.URL, Link: l}
	if c, err := s.cat.ArchiveCopy(r.Context(), l.URL); err == nil && safeurl.Filter(c.URL, "public archive copy of "+l.URL) != "" {
		v.Public = &c
	}
	s.render(w, r, http.StatusNotFound, "gone.html", "Link is dead", v)
}

type goneView struct {
	URL     string
	Link    store.Link
	Unknown bool // not in the catalog
	NotWeb  bool // not an http(s) URL
	Public  *store.ArchiveCopy
}
