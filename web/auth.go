package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/linkrot/linkrot/config"
)

// authenticator checks web.auth: a bearer token, or HTTP basic with a
// user and a bcrypt hash. With neither configured everything is allowed
// (serve decides where it may listen then).
type authenticator struct {
	token    [32]byte // SHA-256 of the token, so comparisons take one length
	hasToken bool
	user     [32]byte
	hash     []byte // bcrypt; nil when basic auth is off

	// bcrypt costs tens of milliseconds by design, and a browser sends
	// basic credentials with every request (each page and stylesheet), so
	// credentials that passed are remembered for a while, by a hash of
	// user and password. Only successes are kept: a guess always pays
	// the full bcrypt price.
	mu    sync.Mutex
	good  map[[32]byte]time.Time
	now   func() time.Time
	slots chan struct{} // bounds concurrent bcrypt work, so guessing cannot take every core

	sess *sessions // browser sessions from the login form (login.go)
}

// goodFor is how long verified basic credentials are remembered; most
// entries the cache keeps before it starts again.
const (
	goodFor  = 10 * time.Minute
	goodMost = 64
)

func newAuthenticator(a config.Auth) (*authenticator, error) {
	au := &authenticator{good: map[[32]byte]time.Time{}, now: time.Now, slots: make(chan struct{}, 2)}
	au.sess = newSessions(func() time.Time { return au.now() })
	if a.Token != "" {
		au.token, au.hasToken = sha256.Sum256([]byte(a.Token)), true
	}
	switch {
	case a.User == "" && a.PasswordHash == "":
	case a.User == "" || a.PasswordHash == "":
		return nil, errors.New("web: web.auth.user and web.auth.password_hash go together")
	default:
		if _, err := bcrypt.Cost([]byte(a.PasswordHash)); err != nil {
			return nil, fmt.Errorf("web: web.auth.password_hash is not a bcrypt hash: %w", err)
		}
		au.user, au.hash = sha256.Sum256([]byte(a.User)), []byte(a.PasswordHash)
	}
	return au, nil
}

func (a *authenticator) enabled() bool { return a.hasToken || a.hash != nil }

// allow reports whether r may proceed; when not, it has answered 401.
func (a *authenticator) allow(w http.ResponseWriter, r *http.Request) bool {
	if !a.enabled() || a.check(r) != authNone {
		return true
	}
	if isBrowserPage(r) {
		toLogin(w, r)
		return false
	}
	if a.hash != nil {
		w.Header().Add("WWW-Authenticate", `Basic realm="linkrot", charset="UTF-8"`)
	}
	if a.hasToken {
		w.Header().Add("WWW-Authenticate", `Bearer realm="linkrot"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "authentication required", http.StatusUnauthorized)
	return false
}

type authMethod int

const (
	authNone    authMethod = iota
	authOpen               // no auth configured
	authBearer             // a token the browser never sends by itself
	authBasic              // ambient credentials: forms need a CSRF token
	authSession            // the login form's cookie, ambient too
)

// check says how r authenticated, authNone if it did not.
func (a *authenticator) check(r *http.Request) authMethod {
	if !a.enabled() {
		return authOpen
	}
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case a.hasToken && strings.EqualFold(scheme, "Bearer"):
		sum := sha256.Sum256([]byte(strings.TrimSpace(cred)))
		if subtle.ConstantTimeCompare(sum[:], a.token[:]) == 1 {
			return authBearer
		}
	case a.hash != nil && strings.EqualFold(scheme, "Basic"):
		if user, pass, ok := r.BasicAuth(); ok && a.basic(user, pass) {
			return authBasic
		}
	}
	if h == "" && a.sess.valid(r) {
		return authSession
	}
	return authNone
}

func (a *authenticator) basic(user, pass string) bool {
	key := sha256.Sum256([]byte(user + "\x00" + pass))
	now := a.now()
	a.mu.Lock()
	at, seen := a.good[key]
	a.mu.Unlock()
	if seen && now.Sub(at) < goodFor {
		return true
	}
	u := sha256.Sum256([]byte(user))
	userOK := subtle.ConstantTimeCompare(u[:], a.user[:]) == 1
	// bcrypt runs whatever the user name, so a wrong name answers no
	// faster than a wrong password.
	a.slots <- struct{}{}
	passOK := bcrypt.CompareHashAndPassword(a.hash, []byte(pass)) == nil
	<-a.slots
	if !userOK || !passOK {
		return false
	}
	a.mu.Lock()
	if len(a.good) >= goodMost {
		clear(a.good)
	}
	a.good[key] = now
	a.mu.Unlock()
	return true
}
