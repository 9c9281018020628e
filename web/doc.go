// Package web is linkrot's HTTP face: the UI (dashboard, links, a link's
// evidence, snapshots, run reports, "run now"), Memento endpoints for the
// local archive (RFC 7089), Prometheus metrics and a health check. It is one
// http.Handler (Server); `linkrot serve` owns the listener, the timeouts
// and the scheduler, and hands them in through Deps.
//
// # Routes
//
//	GET  /                          dashboard: counts by state, last runs, dead/suspect plot
//	GET  /links?state=&host=&doc=&q=&page=   links table, filtered, paginated
//	GET  /link?url=U                a link: occurrences, repair evidence, checks, snapshots
//	GET  /runs?page=                runs, newest first
//	GET  /runs/{id}/report[?format=]  a run's report (html by default)
//	POST /run                       start a run now (CSRF token required)
//	GET  /snapshot/{id}             snapshot viewer (UI page framing the copy)
//	GET  /snapshot/{id}/view        the readable copy itself (untrusted: sandboxed)
//	GET  /snapshot/{id}/text        its plain text (sandboxed)
//	GET  /snapshot/{id}/original    the raw capture, only sandboxed and only for types a browser shows
//	GET  /snapshot/{id}/raw         the raw capture as a download
//	GET  /snapshot/{id}/warc        the capture's WARC records as a download
//	GET  /timegate/{URL}            Memento TimeGate (Accept-Datetime)
//	GET  /timemap/link/{URL}        Memento TimeMap (application/link-format)
//	GET  /web/{YYYYMMDDhhmmss}/{URL}  a memento: the readable copy with Memento headers
//	GET  /go?url=U                  the live URL while it works, the local copy once it is dead
//	GET  /metrics                   Prometheus metrics (own registry)
//	GET  /healthz                   "ok" when the catalog answers (never behind auth)
//
// # Trust
//
// The UI's own pages are html/template output under a self-only
// Content-Security-Policy with no script at all, so text from documents or
// the web that reaches them can neither run nor load anything. Archived
// copies are untrusted content: they are only ever served under a
// policy with the sandbox directive (an opaque origin, no script, no form,
// nothing loaded from the network), never spliced into a UI page, and raw
// captures leave only as downloads or into a sandboxed frame. Every
// response starts with the UI's policy; the handlers of archived content
// replace it with the stricter sandbox one, so a forgotten header errs on
// the strict side.
package web
