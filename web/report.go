package web

import (
	"bytes"
	"errors"
	"html"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/linkrot/linkrot/reports"
	"github.com/linkrot/linkrot/store"
)

// report serves a run's report, rebuilt from the catalog as `linkrot
// report --run ID` would: HTML by default, any other report format with
// ?format=.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, http.StatusNotFound, "No run has this number.")
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	if reports.Ext(format) == "" {
		s.fail(w, r, http.StatusBadRequest, "A report format is one of "+strings.Join(reports.Formats, ", ")+".")
		return
	}
	sel := reports.Selection{RunID: id, Now: s.now}
	if t, ok := s.arc.(reports.SnapshotTexts); ok {
		sel.Texts = t // "Changed since cited" quotes the cited copies
	}
	rep, err := reports.Build(r.Context(), s.cat, sel)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "No run has this number.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := reports.Render(&buf, format, rep); err != nil {
		s.internal(w, r, err)
		return
	}
	if format == "html" {
		// The report is a standalone page; served here it gets a way back
		// to the UI (plain links: its policy allows no more).
		page := bytes.Replace(buf.Bytes(), []byte("<body>"), []byte("<body>\n"+reportNav), 1)
		buf.Reset()
		buf.Write(page)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	switch format {
	case "html":
		// The report is one self-contained page with its own style and
		// sortable-table script, allowed by hash in its own policy. The
		// UI's script-free policy would block both, so the report's policy
		// is sent as the header instead (plus frame-ancestors, which a
		// <meta> policy cannot say).
		h.Set("Content-Security-Policy", reportCSP(buf.Bytes()))
		h.Set("Content-Type", "text/html; charset=utf-8")
	case "json":
		h.Set("Content-Type", "application/json")
	case "csv":
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment",
			map[string]string{"filename": "report-" + strconv.FormatInt(id, 10) + ".csv"}))
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

// reportNav leads a report served by the UI back to it.
const reportNav = `<nav class="ui-nav" aria-label="linkrot"><ul><li><a href="/">← Dashboard</a></li>` +
	`<li><a href="/links">Links</a></li><li><a href="/runs">All runs</a></li></ul></nav>`

var metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)

// fallbackReportCSP is used if the report ever stops carrying its own
// policy: style only, no script (the tables still read, unsorted).
const fallbackReportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// reportCSP returns the policy the rendered report declares for itself,
// with frame-ancestors 'none' added. A policy that does not start by
// forbidding everything is not trusted.
func reportCSP(page []byte) string {
	head := page[:min(len(page), 4096)]
	m := metaCSP.FindSubmatch(head)
	if m == nil {
		return fallbackReportCSP
	}
	p := html.UnescapeString(string(m[1]))
	if !strings.HasPrefix(p, "default-src 'none';") || strings.ContainsAny(p, "\r\n") {
		return fallbackReportCSP
	}
	return strings.TrimRight(p, "; ") + "; frame-ancestors 'none'"
}
