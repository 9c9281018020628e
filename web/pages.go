package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
)

// The UI's templates and assets are compiled in, so the binary serves its
// pages with no files beside it and nothing from a CDN.
//
//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageSet holds one template set per page: each page is the layout plus
// its own "content", parsed apart so that pages cannot redefine each
// other's blocks.
type pageSet struct {
	pages map[string]*template.Template
}

func parsePages(funcs template.FuncMap) (*pageSet, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pageSet{pages: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", base, err)
		}
		ps.pages[base] = t
	}
	return ps, nil
}

// view is what every page template gets: the layout's fields and the
// page's own data in D.
type view struct {
	Title   string
	Section string // which navigation entry is current
	CSRF    string // the run-now form's token
	CanRun  bool   // a run-now function was given
	CSSPath string
	// LoggedIn is a browser session from the login form: the header then
	// offers to log out.
	LoggedIn bool
	D        any
}

// cssPath carries a hash of the stylesheet so that a new build's style is
// never mixed with a cached old one.
var cssPath = func() string {
	b, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return "/static/app.css?v=" + hex.EncodeToString(sum[:6])
}()

// render executes page into memory (a template error then becomes a clean
// 500, not half a page) and sends it with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	t, ok := s.pages.pages[page]
	if !ok {
		s.internal(w, r, fmt.Errorf("no page template %s", page))
		return
	}
	v := view{
		Title: title, Section: section(r.URL.Path), CanRun: s.runNow != nil,
		CSSPath: cssPath, D: data, LoggedIn: s.auth.check(r) == authSession,
	}
	// Every page may carry a form (run now, recheck, log out).
	v.CSRF = s.csrf.token(w, r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.internal(w, r, fmt.Errorf("rendering %s: %w", page, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // pages carry the form token and private data
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func section(p string) string {
	switch {
	case p == "/":
		return "dashboard"
	case strings.HasPrefix(p, "/link"):
		return "links"
	case strings.HasPrefix(p, "/runs"):
		return "runs"
	}
	return ""
}

// fail answers with the UI's error page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if _, ok := s.pages.pages["error.html"]; !ok || r.Method == http.MethodHead {
		http.Error(w, msg, status)
		return
	}
	s.render(w, r, status, "error.html", http.StatusText(status), errorView{Status: status, Message: msg})
}

type errorView struct {
	Status  int
	Message string
}

// internal logs err and answers 500 without showing it: error texts can
// hold paths and SQL.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	// Restore the UI's headers: a handler of archived content may have
	// set its own before failing.
	uiHeaders(w.Header())
	w.Header().Del("Content-Disposition")
	w.Header().Del("Memento-Datetime")
	w.Header().Del("Link")
	s.fail(w, r, http.StatusInternalServerError, "Something went wrong on the server; the log says what.")
}

// staticHandler serves the embedded assets.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
