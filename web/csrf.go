package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// csrfGuard protects the one state-changing form ("run now") with a
// double-submit cookie bound to a per-process secret: the browser holds a
// random cookie, and the form carries HMAC(secret, cookie). A page on
// another site can make the browser send the cookie (and basic-auth
// credentials) but can neither read the token from our pages nor compute
// it, and a cookie planted by a sibling host is useless without the
// secret. A restart changes the secret; an old form then fails once and
// the next page load carries a fresh token.
type csrfGuard struct {
	secret [32]byte
	origin *http.CrossOriginProtection
}

const (
	csrfCookie = "linkrot_csrf"
	csrfField  = "csrf"
)

func newCSRFGuard() (*csrfGuard, error) {
	g := &csrfGuard{origin: http.NewCrossOriginProtection()}
	if _, err := rand.Read(g.secret[:]); err != nil {
		return nil, err
	}
	return g, nil
}

// token returns the form token for r, setting the cookie on w first when
// r did not bring a usable one.
func (g *csrfGuard) token(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(csrfCookie)
	if err != nil || !validCookieValue(c.Value) {
		var b [32]byte
		rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error since Go 1.24)
		c = &http.Cookie{
			Name: csrfCookie, Value: base64.RawURLEncoding.EncodeToString(b[:]), Path: "/",
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
		}
		http.SetCookie(w, c)
	}
	return g.sign(c.Value)
}

func (g *csrfGuard) sign(cookie string) string {
	m := hmac.New(sha256.New, g.secret[:])
	m.Write([]byte("linkrot run-now\x00" + cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// check reports whether the POST r carries a token that matches its
// cookie and does not come from another origin. The form must be parsed.
func (g *csrfGuard) check(r *http.Request) bool {
	if g.origin.Check(r) != nil {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || !validCookieValue(c.Value) {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(r.PostFormValue(csrfField))
	if err != nil {
		return false
	}
	want, _ := base64.RawURLEncoding.DecodeString(g.sign(c.Value))
	return hmac.Equal(got, want)
}

func validCookieValue(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}
