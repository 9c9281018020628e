package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// A browser cannot send a bearer token, and basic auth's prompt cannot log
// out, so with web.auth set a browser is sent to a login form. The form
// takes the token (or the basic user and password); a correct one starts
// a session: a random cookie (HttpOnly, SameSite=Strict) the server keeps
// in memory until it expires or the user logs out. A session is ambient
// like basic auth, so every form still needs its CSRF token. Scripts keep
// using Authorization headers and never see the form.

const (
	sessionCookie = "linkrot_session"
	sessionFor    = 12 * time.Hour
	sessionsMost  = 1024 // beyond this the oldest half is dropped
)

type sessions struct {
	mu  sync.Mutex
	ids map[[32]byte]time.Time // SHA-256 of the cookie → expiry
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{ids: map[[32]byte]time.Time{}, now: now}
}

// start makes a session and returns its cookie value.
func (ss *sessions) start() string {
	var b [32]byte
	rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := ss.now()
	if len(ss.ids) >= sessionsMost {
		for k, exp := range ss.ids {
			if exp.Sub(now) < sessionFor/2 {
				delete(ss.ids, k)
			}
		}
	}
	ss.ids[sha256.Sum256([]byte(v))] = now.Add(sessionFor)
	return v
}

// valid says whether r carries a live session.
func (ss *sessions) valid(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return false
	}
	k := sha256.Sum256([]byte(c.Value))
	ss.mu.Lock()
	defer ss.mu.Unlock()
	exp, ok := ss.ids[k]
	if ok && !ss.now().Before(exp) {
		delete(ss.ids, k)
		return false
	}
	return ok
}

func (ss *sessions) end(r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		ss.mu.Lock()
		delete(ss.ids, sha256.Sum256([]byte(c.Value)))
		ss.mu.Unlock()
	}
}

// isBrowserPage says whether r is a browser loading a page: such a
// request without credentials is sent to the login form, not given 401.
func isBrowserPage(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && wantsHTML(r.Header.Get("Accept")) &&
		r.Header.Get("Authorization") == ""
}

type loginView struct {
	Next        string
	Basic       bool // the form asks for user and password too
	Token       bool
	Failed      bool
	LoggedOut   bool
	Unavailable bool
}

// safeNext keeps a post-login destination on this server.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	v := loginView{Next: safeNext(r.URL.Query().Get("next")), Basic: s.auth.hash != nil, Token: s.auth.hasToken,
		LoggedOut: r.URL.Query().Get("out") == "1", Unavailable: !s.auth.enabled()}
	s.render(w, r, http.StatusOK, "login.html", "Log in", v)
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	if !s.csrf.check(r) {
		s.fail(w, r, http.StatusForbidden, "The form was stale or came from another site. Reload the page and log in again.")
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if !s.auth.enabled() || !s.auth.login(r.PostFormValue("token"), r.PostFormValue("user"), r.PostFormValue("password")) {
		s.log.Warn("web: failed login", "remote", r.RemoteAddr)
		v := loginView{Next: next, Basic: s.auth.hash != nil, Token: s.auth.hasToken, Failed: true}
		s.render(w, r, http.StatusUnauthorized, "login.html", "Log in", v)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.sessions.start(), Path: "/",
		MaxAge: int(sessionFor / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil || !s.csrf.check(r) {
		s.fail(w, r, http.StatusForbidden, "The form was stale or came from another site. Reload the page and press the button again.")
		return
	}
	s.sessions.end(r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
}

// login checks what the form gave: the token, or the basic user and
// password.
func (a *authenticator) login(token, user, pass string) bool {
	if a.hasToken && token != "" {
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		return subtle.ConstantTimeCompare(sum[:], a.token[:]) == 1
	}
	if a.hash != nil && user != "" {
		return a.basic(user, pass)
	}
	return false
}

// toLogin sends a browser to the form, remembering where it was going.
func toLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/login?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
}
