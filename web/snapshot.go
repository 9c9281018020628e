package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/store"
)

var errStop = errors.New("stop")

// snapshotByID finds a snapshot by its ID. The store has no such lookup,
// so: a store that offers SnapshotByID is asked that; otherwise the link
// the caller believes it belongs to (hint, which every link the UI makes
// carries) is searched; and last the catalog is walked in ID order up to
// id, which only a hand-made or bookmarked address without the hint costs.
func (s *Server) snapshotByID(ctx context.Context, id int64, hint string) (store.Snapshot, error) {
	if by, ok := s.cat.(interface {
		SnapshotByID(context.Context, int64) (store.Snapshot, error)
	}); ok {
		return by.SnapshotByID(ctx, id)
	}
	var (
		found store.Snapshot
		ok    bool
	)
	pick := func(sn store.Snapshot) error {
		if sn.ID == id {
			found, ok = sn, true
			return errStop
		}
		if hint == "" && sn.ID > id {
			return errStop // AllSnapshots goes by ID: it is not there
		}
		return nil
	}
	if hint != "" {
		err := s.cat.Snapshots(ctx, hint, pick)
		if err != nil && !errors.Is(err, errStop) && !errors.Is(err, store.ErrNotFound) {
			return store.Snapshot{}, err
		}
		if ok {
			return found, nil
		}
		hint = ""
	}
	if err := s.cat.AllSnapshots(ctx, pick); err != nil && !errors.Is(err, errStop) {
		return store.Snapshot{}, err
	}
	if !ok {
		return store.Snapshot{}, fmt.Errorf("snapshot %d: %w", id, store.ErrNotFound)
	}
	return found, nil
}

// snapshotFromPath reads {id} and the ?link= hint; on failure it has
// answered.
func (s *Server) snapshotFromPath(w http.ResponseWriter, r *http.Request) (store.Snapshot, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, "No snapshot has this number.")
		return store.Snapshot{}, false
	}
	sn, err := s.snapshotByID(r.Context(), id, r.URL.Query().Get("link"))
	if err != nil {
		s.snapshotErr(w, r, err)
		return store.Snapshot{}, false
	}
	return sn, true
}

func (s *Server) snapshotErr(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, archive.ErrNoLocalCopy):
		s.fail(w, r, http.StatusNotFound, "There is no such snapshot.")
	case errors.Is(err, archive.ErrFormatUnavailable):
		s.fail(w, r, http.StatusNotFound, "This copy was not kept in that form: "+err.Error())
	default:
		s.internal(w, r, err)
	}
}

// snapshotView is the viewer page's data.
type snapshotView struct {
	S        store.Snapshot
	Formats  []string
	Show     string // "readable" or "original": what the frame shows
	Frame    string // the framed address
	CanFrame bool   // the original's type is one a sandboxed frame may show
	Memento  string
	Hint     string
}

// snapshotPage is the UI around a copy: what it is, and the copy itself
// in a sandboxed frame. The frame's attribute and the copy's own sandbox
// policy each keep it from running anything in the UI's origin.
func (s *Server) snapshotPage(w http.ResponseWriter, r *http.Request) {
	sn, ok := s.snapshotFromPath(w, r)
	if !ok {
		return
	}
	v := snapshotView{S: sn, Formats: archive.SnapshotFormats(sn), Show: "readable", Hint: sn.LinkURL,
		CanFrame: inlineRaw(sn.ContentType)}
	if sn.Good() {
		v.Memento = mementoPath(sn.CapturedAt, sn.LinkURL)
	}
	has := func(f string) bool {
		for _, x := range v.Formats {
			if x == f {
				return true
			}
		}
		return false
	}
	q := "?link=" + urlQueryEscape(sn.LinkURL)
	switch {
	case r.URL.Query().Get("show") == "original" && v.CanFrame && has(archive.FormatRaw):
		v.Show, v.Frame = "original", fmt.Sprintf("/snapshot/%d/original%s", sn.ID, q)
	case has(archive.FormatHTML):
		v.Frame = fmt.Sprintf("/snapshot/%d/view%s", sn.ID, q)
	case has(archive.FormatText):
		v.Show, v.Frame = "text", fmt.Sprintf("/snapshot/%d/text%s", sn.ID, q)
	}
	title := sn.Title
	if title == "" {
		title = sn.URL
	}
	s.render(w, r, http.StatusOK, "snapshot.html", "Snapshot: "+title, v)
}

// snapshotContent serves the copy itself, under the sandbox policy:
// view (readable page), text, original (raw, for a sandboxed frame),
// raw and warc (downloads).
func (s *Server) snapshotContent(w http.ResponseWriter, r *http.Request) {
	what := r.PathValue("what")
	format := map[string]string{
		"view": archive.FormatHTML, "text": archive.FormatText, "original": archive.FormatRaw,
		"raw": archive.FormatRaw, "warc": archive.FormatWARC,
	}[what]
	if format == "" {
		s.fail(w, r, http.StatusNotFound, "A snapshot has view, text, original, raw and warc.")
		return
	}
	if s.arc == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "The archive is not available in this process.")
		return
	}
	sn, ok := s.snapshotFromPath(w, r)
	if !ok {
		return
	}
	if !sn.Good() {
		// Restore only hands out good copies; the archive never keeps
		// others, but the catalog might hold one from another writer.
		s.fail(w, r, http.StatusNotFound, "This snapshot is of a failed response and is not served.")
		return
	}
	if what == "original" && !inlineRaw(sn.ContentType) {
		what = "raw" // a type no sandboxed frame should render: download it
	}
	if what == "raw" {
		s.restoreSnapshot(w, r, sn, archive.FormatRaw, func(h http.Header) { attachment(h, sn, archive.FormatRaw) })
		return
	}
	s.restoreSnapshot(w, r, sn, format, nil)
}

// restoreSnapshot writes format of sn with the sandbox headers; extra may
// add or change headers. The copy is restored into memory first: the
// archive checks it against its digest, and a damaged copy must become a
// clean error, not half a page.
func (s *Server) restoreSnapshot(w http.ResponseWriter, r *http.Request, sn store.Snapshot, format string, extra func(http.Header)) {
	var buf bytes.Buffer
	got, err := s.arc.Restore(r.Context(), sn.LinkURL, sn.CapturedAt, format, &buf)
	if err != nil {
		s.snapshotErr(w, r, err)
		return
	}
	if got.ID != sn.ID {
		// Two copies of the same link captured at the same instant; the
		// archive restores by time and gave the other.
		s.log.Debug("web: restored a twin snapshot", "want", sn.ID, "got", got.ID)
	}
	h := w.Header()
	sandboxHeaders(h)
	h.Set("Cache-Control", "private, no-cache")
	switch format {
	case archive.FormatHTML:
		h.Set("Content-Type", "text/html; charset=utf-8")
	case archive.FormatText:
		h.Set("Content-Type", "text/plain; charset=utf-8")
	case archive.FormatRaw:
		h.Set("Content-Type", safeContentType(sn.ContentType))
	case archive.FormatWARC:
		h.Set("Content-Type", "application/warc")
		attachment(h, sn, archive.FormatWARC)
	}
	if extra != nil {
		extra(h)
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// inlineRaw reports whether a raw capture of this type may be shown in a
// sandboxed frame: types a browser renders without plugins and that the
// sandbox keeps inert. Everything else (PDF, SVG outside HTML, unknown
// types) is only downloaded.
func inlineRaw(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch strings.ToLower(mt) {
	case "text/html", "application/xhtml+xml", "text/plain",
		"image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}

// safeContentType is the stored type if it parses, else a byte stream
// (with nosniff, the browser then renders nothing).
func safeContentType(ct string) string {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	keep := map[string]string{}
	if cs, ok := params["charset"]; ok {
		keep["charset"] = cs
	}
	if v := mime.FormatMediaType(mt, keep); v != "" {
		return v
	}
	return "application/octet-stream"
}

// attachment makes the response a download named after the page and the
// capture time.
func attachment(h http.Header, sn store.Snapshot, format string) {
	name := archive.RestoreFileName(format, sn)
	ext := path.Ext(name)
	if format == archive.FormatWARC {
		ext = ".warc.gz"
	}
	host := "snapshot"
	if u := hostOf(sn.URL); u != "" {
		host = u
	}
	name = host + "-" + sn.CapturedAt.UTC().Format(stampLayout) + ext
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
}
