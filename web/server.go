package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/reports"
	"github.com/linkrot/linkrot/store"
)

// Deps is what the server is given by `linkrot serve`. Config and Store are
// required; the rest may be nil (the UI then says what is missing).
type Deps struct {
	Config  *config.Config
	Store   store.Catalog
	Archive *archive.Archiver
	// RunNow starts a run now unless one is running, and says whether it
	// started one. It must not wait for the run.
	RunNow func() (started bool)
	// Recheck checks one link now (the link page's button); nil hides it.
	Recheck RecheckFunc
	// Status tells the dashboard what the scheduler is doing.
	Status func() Status
	Now    func() time.Time
	Logger *slog.Logger
}

// Status is the scheduler's state, for the dashboard.
type Status = job.SchedulerStatus

// catalog is the part of the store the server reads. *store.SQLite has
// it; tests may wrap it to inject faults.
type catalog interface {
	reports.Catalog
	Links(ctx context.Context, f store.LinkFilter, fn func(store.Link) error) error
	LinkPage(ctx context.Context, f store.LinkFilter, q string, offset, limit int, fn func(store.Link) error) error
	History(ctx context.Context, url string, fn func(store.CheckRecord) error) error
	Snapshots(ctx context.Context, linkURL string, fn func(store.Snapshot) error) error
	AllSnapshots(ctx context.Context, fn func(store.Snapshot) error) error
}

var _ catalog = (*store.SQLite)(nil)

// restorer is the part of the archive the server uses.
type restorer interface {
	Restore(ctx context.Context, url string, at time.Time, format string, w io.Writer) (archive.Snapshot, error)
}

// Server serves the UI, the Memento endpoints, metrics and the health
// check. It is safe for concurrent use.
type Server struct {
	cfg      *config.Config
	cat      catalog
	arc      restorer // nil when no archive was given
	runNow   func() bool
	recheck  RecheckFunc
	status   func() Status
	now      func() time.Time
	log      *slog.Logger
	auth     *authenticator
	sessions *sessions
	csrf     *csrfGuard
	hosts    *hostGuard
	metrics  *metrics
	states   *stateCounter
	pages    *pageSet
	mux      *http.ServeMux
}

var _ http.Handler = (*Server)(nil)

// New checks d and builds the server. It makes no request and starts no
// goroutine.
func New(d Deps) (*Server, error) {
	if d.Config == nil {
		return nil, errors.New("web: no configuration")
	}
	if d.Store == nil {
		return nil, errors.New("web: no catalog")
	}
	s := &Server{cfg: d.Config, cat: d.Store, runNow: d.RunNow, recheck: d.Recheck, status: d.Status, now: d.Now, log: d.Logger,
		hosts: newHostGuard(d.Config.Web)}
	if d.Archive != nil {
		// Assigned only when set: a nil *Archiver in the interface would
		// not compare equal to nil.
		s.arc = d.Archive
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.auth, err = newAuthenticator(d.Config.Web.Auth); err != nil {
		return nil, err
	}
	s.sessions = s.auth.sess
	if s.csrf, err = newCSRFGuard(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(s.funcs()); err != nil {
		return nil, err
	}
	s.states = &stateCounter{cat: s.cat, now: s.now, ttl: stateCountTTL}
	s.metrics = newMetrics(s.cat, s.states, s.log)
	s.routes()
	return s, nil
}

// route is one pattern of the mux.
type route struct {
	pattern string
	handler http.Handler
}

// routeTable is every route of the mux; the tests walk it (a foreign
// Host on each), so a route added here cannot be forgotten there.
func (s *Server) routeTable() []route {
	return []route{
		{"GET /{$}", http.HandlerFunc(s.dashboard)},
		{"GET /links", http.HandlerFunc(s.links)},
		{"GET /link", http.HandlerFunc(s.link)},
		{"GET /link/changes", http.HandlerFunc(s.changes)},
		{"GET /runs", http.HandlerFunc(s.runs)},
		{"GET /runs/{id}/report", http.HandlerFunc(s.report)},
		{"POST /run", http.HandlerFunc(s.runNowHandler)},
		{"POST /link/recheck", http.HandlerFunc(s.recheckHandler)},
		{"GET /snapshot/{id}", http.HandlerFunc(s.snapshotPage)},
		{"GET /snapshot/{id}/{what}", http.HandlerFunc(s.snapshotContent)},
		{"GET /go", http.HandlerFunc(s.goHandler)},
		{"GET /metrics", s.metrics.handler()},
		{"GET /login", http.HandlerFunc(s.loginPage)},
		{"POST /login", http.HandlerFunc(s.loginSubmit)},
		{"POST /logout", http.HandlerFunc(s.logout)},
		{"GET /static/", staticHandler()},
	}
}

// rawRoutes are the paths ServeHTTP answers before the mux: the health
// check and the Memento prefixes.
var rawRoutes = []string{"/healthz", timegatePrefix, timemapPrefix, mementoPrefix}

func (s *Server) routes() {
	m := http.NewServeMux()
	for _, rt := range s.routeTable() {
		m.Handle(rt.pattern, rt.handler)
	}
	// Everything else, whatever the method, gets the UI's 404 page rather
	// than the mux's bare text.
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "There is no page at this address.")
	})
	s.mux = m
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	uiHeaders(w.Header())
	// Before anything else, the health check included: a name this server
	// does not have is a DNS-rebinding attempt (host.go).
	if !s.hosts.check(w, r) {
		return
	}
	// The health check stays open so that a supervisor or a load
	// balancer need not hold credentials; it tells nothing but "ok".
	if r.URL.Path == "/healthz" {
		s.healthz(w, r)
		return
	}
	// The login form and the stylesheet it uses are open: the form is
	// how a browser gets in, and the assets are the binary's own.
	open := r.URL.Path == "/login" || strings.HasPrefix(r.URL.Path, "/static/")
	if !open && !s.auth.allow(w, r) {
		return
	}
	// Memento paths carry a whole URL ("/timegate/http://x/y?z"), which
	// ServeMux would clean ("//" → "/") and redirect, so they are routed
	// here, on the raw path, before the mux sees them.
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, timegatePrefix):
		s.mementoMethod(w, r, s.timegate)
	case strings.HasPrefix(p, timemapPrefix):
		s.mementoMethod(w, r, s.timemap)
	case strings.HasPrefix(p, mementoPrefix):
		s.mementoMethod(w, r, s.memento)
	default:
		s.mux.ServeHTTP(w, r)
	}
}

func (s *Server) mementoMethod(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.fail(w, r, http.StatusMethodNotAllowed, "Memento endpoints answer GET and HEAD only.")
		return
	}
	h(w, r)
}

// uiCSP is the policy of the UI's own pages: everything from this origin
// only, and no script at all (the UI works without one). Frames are
// allowed from this origin for the snapshot viewer, whose framed copies
// carry their own sandbox policy.
const uiCSP = "default-src 'self'; script-src 'none'; object-src 'none'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// uiHeaders sets the headers every response starts with. Handlers of
// archived content replace them with sandboxHeaders.
func uiHeaders(h http.Header) {
	h.Set("Content-Security-Policy", uiCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// snapshotCSP is the policy of every archived copy served: nothing loads
// (images only inline), no script, and the sandbox directive gives the
// page an opaque origin, so even markup the sanitiser missed can neither
// run nor reach the UI's cookies, forms or API. It may be framed by the
// UI (the snapshot viewer), and by nothing else.
const snapshotCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// sandboxHeaders replaces the UI's headers for archived content.
func sandboxHeaders(h http.Header) {
	h.Set("Content-Security-Policy", snapshotCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// healthz answers "ok" when the catalog answers a small query.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if err := s.ping(ctx); err != nil {
		s.log.Error("web: health check: catalog unavailable", "err", err)
		http.Error(w, "catalog unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// ping asks the catalog something cheap: the store has no Ping of its
// own, so a store that offers one is asked that, and otherwise the newest
// run is read (one index step).
func (s *Server) ping(ctx context.Context) error {
	if p, ok := s.cat.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(ctx)
	}
	return s.cat.Runs(ctx, 1, func(store.Run) error { return nil })
}
